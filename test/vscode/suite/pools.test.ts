/**
 * The worker-pool commands inside a real VS Code extension host, against the real broker: the seed's scenario
 * (ceilometer ×3, audit ×1, notifications.info ×1 on exchange nova), publishing with confirms, the audit, unroutable
 * keys, a queue deleted under running workers, and stopping pools. Commands are run with script arguments, exactly
 * as the palette and the tree menus run them after their input steps.
 */
import * as assert from 'assert';
import * as vscode from 'vscode';
import type { AuditReport } from '../../../src/broker/audit';
import type { LocalPoolNotice } from '../../../src/broker/localPools';
import type { PublishResult } from '../../../src/broker/publisher';
import { Commands, EXTENSION_ID } from '../../../src/constants';
import type { ExtensionApi } from '../../../src/extension';
import { AMQP_URL, MANAGEMENT_URL, TestVhost, freshVhost, until } from '../../support/broker';

const BROKER = 'pools-test';
const KEY = 'notifications.info';

describe('Worker-pool commands', function () {
  this.timeout(120_000);
  let api: ExtensionApi;
  let v: TestVhost;
  let previousBrokers: unknown;
  const config = () => vscode.workspace.getConfiguration('rabbitmqPools');
  const pools = () => api.services.localPools;
  const local = (name: string) => pools().list().find((e) => e.vhost === v.name && e.pool.name === name);
  const run = <T>(id: string, args: object) => vscode.commands.executeCommand<T>(id, { broker: BROKER, vhost: v.name, ...args });

  before(async () => {
    api = await vscode.extensions.getExtension<ExtensionApi>(EXTENSION_ID)!.activate();
    v = await freshVhost('vscode-pools');
    const ch = await (await v.connect('pools-test-setup')).createChannel();
    await ch.assertExchange('nova', 'topic', { durable: true });
    previousBrokers = config().inspect('brokers')?.globalValue;
    const amqpUrl = AMQP_URL.replace(/\/\/([^:@/]*)(:[^@/]*)?@/, '//$1@');
    await config().update('brokers', [{ name: BROKER, amqpUrl, managementUrl: MANAGEMENT_URL, vhost: v.name }], vscode.ConfigurationTarget.Global);
  });

  after(async () => {
    for (const e of pools().list().filter((x) => x.vhost === v.name)) { await pools().stop(e.id); }
    await config().update('brokers', previousBrokers, vscode.ConfigurationTarget.Global);
    await v.cleanup();
  });

  it('creates the seed\'s pools and every pool receives each of 3,000 notifications once', async () => {
    await run(Commands.createPool, { exchange: 'nova', routingKey: KEY, pool: 'ceilometer', workers: 3 });
    await run(Commands.createPool, { exchange: 'nova', routingKey: KEY, pool: 'audit', workers: 1 });
    await run(Commands.createPool, { exchange: 'nova', routingKey: KEY, pool: 'notifications.info', workers: 1 });
    assert.deepStrictEqual(local('ceilometer')?.pool.workerNames.length, 3);
    // The broker sees each pool as one application named after it.
    await until(async () => {
      const conns = await v.client.connections(v.name);
      return ['ceilometer', 'audit', 'notifications.info'].every((p) => conns.some((c) => c.client_properties?.connection_name === `rmq-pools:${p}`));
    }, 'the pools\' connections in the management API');

    const result = await run<PublishResult>(Commands.publishTestNotifications, { exchange: 'nova', routingKey: KEY, count: 3000 });
    assert.strictEqual(result.published, 3000);
    assert.strictEqual(result.confirmed, 3000);
    assert.strictEqual(result.unroutable, 0);

    await until(() => ['ceilometer', 'audit', 'notifications.info'].every((p) => local(p)?.pool.delivered === 3000), 'each pool to get 3,000');
    for (const p of ['ceilometer', 'audit', 'notifications.info']) {
      const s = local(p)!.pool.snapshot();
      assert.strictEqual(s.delivered, 3000, `${p} delivered`);
      assert.strictEqual(s.duplicates, 0, `${p} duplicates`);
      assert.strictEqual(s.uniqueIds, 3000, `${p} unique ids`);
    }
    const shares = local('ceilometer')!.pool.snapshot().workers.map((w) => w.delivered);
    assert.strictEqual(shares.length, 3);
    assert.ok(shares.every((n) => n > 0), `every ceilometer worker gets a share: ${shares}`);
    assert.strictEqual(shares.reduce((a, b) => a + b, 0), 3000);
  });

  it('the audit over the running pools reports 0 missing and 0 duplicated, exactly', async () => {
    const report = await run<AuditReport>(Commands.runAudit, { exchange: 'nova', routingKey: KEY, count: 500 });
    assert.ok(report, 'an audit report');
    assert.strictEqual(report.published, 500);
    assert.deepStrictEqual(report.pools.map((p) => p.name).sort(), ['audit', 'ceilometer', 'notifications.info']);
    for (const p of report.pools) {
      assert.strictEqual(p.exact, true, `${p.name} counted exactly`);
      assert.strictEqual(p.received, 500, `${p.name} received`);
      assert.strictEqual(p.missing, 0, `${p.name} missing`);
      assert.strictEqual(p.duplicates, 0, `${p.name} duplicates`);
    }
    assert.strictEqual(report.ok, true);
    // The audit leaves running pools running.
    assert.ok(local('ceilometer')?.pool.running);
  });

  it('adds and stops a worker of a running pool', async () => {
    const name = await run<string>(Commands.addWorker, { pool: 'ceilometer' });
    assert.ok(local('ceilometer')!.pool.workerNames.includes(name));
    assert.strictEqual(local('ceilometer')!.pool.workerNames.length, 4);
    await run(Commands.stopWorker, { pool: 'ceilometer', worker: name });
    assert.deepStrictEqual(local('ceilometer')!.pool.workerNames.length, 3);
  });

  it('reports every message to a key no pool is bound to as unroutable', async () => {
    const result = await run<PublishResult>(Commands.publishTestNotifications, { exchange: 'nova', routingKey: 'nobody.listens.here', count: 200 });
    assert.strictEqual(result.published, 200);
    assert.strictEqual(result.unroutable, 200);
  });

  it('tells the user when a pool\'s queue is deleted under its workers, and the pool still stops cleanly', async () => {
    const notices: LocalPoolNotice[] = [];
    const listener = (n: LocalPoolNotice) => notices.push(n);
    pools().on('notice', listener);
    try {
      await v.client.deleteQueue(v.name, 'audit');
      await until(() => notices.find((n) => n.pool === 'audit' && n.recreate), 'a "queue deleted" notice for audit');
      assert.match(notices.find((n) => n.recreate)!.message, /deleted/i);
      assert.strictEqual(local('audit')?.status, 'queue-deleted');
    } finally {
      pools().off('notice', listener);
    }
    const final = await run<{ delivered: number }>(Commands.stopPool, { pool: 'audit', deleteQueue: false });
    assert.ok(final && final.delivered >= 3500, 'final counts of the stopped pool');
    assert.strictEqual(local('audit'), undefined);
  });

  it('stops a pool and deletes its queue on request', async () => {
    await run(Commands.stopPool, { pool: 'notifications.info', deleteQueue: true });
    assert.strictEqual(local('notifications.info'), undefined);
    await until(async () => !(await v.client.queues(v.name, ['name'])).some((q) => q.name === 'notifications.info'), 'the queue to be gone');
  });
});
