/**
 * Run Delivery Audit inside VS Code asks the broker which local pools its key reaches (the core's route lookup):
 * on a DIRECT exchange a local pool bound with "notifications.*" is not a receiver and is reported as not bound
 * (it used to be counted as missing everything), and a local pool behind an exchange-to-exchange binding is counted
 * (it used to be left out). Commands run with script arguments, as the palette runs them after its input steps.
 */
import * as assert from 'assert';
import * as vscode from 'vscode';
import type { AuditReport } from '../../../src/broker/audit';
import { Commands, EXTENSION_ID } from '../../../src/constants';
import type { ExtensionApi } from '../../../src/extension';
import { summary } from '../../../src/commands/pools/runAudit';
import { AMQP_URL, MANAGEMENT_URL, TestVhost, freshVhost } from '../../support/broker';

const BROKER = 'audit-routing-test';

describe('Run Delivery Audit follows the broker\'s routing', function () {
  this.timeout(120_000);
  let api: ExtensionApi;
  let v: TestVhost;
  let previousBrokers: unknown;
  const config = () => vscode.workspace.getConfiguration('rabbitmqPools');
  const run = <T>(id: string, args: object) => vscode.commands.executeCommand<T>(id, { broker: BROKER, vhost: v.name, ...args });

  before(async () => {
    api = await vscode.extensions.getExtension<ExtensionApi>(EXTENSION_ID)!.activate();
    v = await freshVhost('vscode-audit-routing');
    const ch = await (await v.connect('audit-routing-setup')).createChannel();
    await ch.assertExchange('events', 'direct', { durable: false });
    await ch.assertExchange('nova', 'topic', { durable: false });
    await ch.assertExchange('audit-x', 'topic', { durable: false });
    await ch.bindExchange('audit-x', 'nova', 'notifications.#');
    previousBrokers = config().inspect('brokers')?.globalValue;
    const amqpUrl = AMQP_URL.replace(/\/\/([^:@/]*)(:[^@/]*)?@/, '//$1@');
    await config().update('brokers', [{ name: BROKER, amqpUrl, managementUrl: MANAGEMENT_URL, vhost: v.name }], vscode.ConfigurationTarget.Global);
  });

  after(async () => {
    const pools = api.services.localPools;
    for (const e of pools.list().filter((x) => x.vhost === v.name)) { await pools.stop(e.id); }
    await config().update('brokers', previousBrokers, vscode.ConfigurationTarget.Global);
    await v.cleanup();
  });

  it('direct exchange: the notifications.*-bound local pool is reported as not bound, the exact one counted', async () => {
    await run(Commands.createPool, { exchange: 'events', routingKey: 'notifications.info', pool: 'exact', workers: 2 });
    await run(Commands.createPool, { exchange: 'events', routingKey: 'notifications.*', pool: 'wild', workers: 1 });
    const report = await run<AuditReport>(Commands.runAudit, { exchange: 'events', routingKey: 'notifications.info', count: 200 });
    assert.ok(report, 'an audit report');
    assert.deepStrictEqual(report.notBound, ['wild']);
    assert.deepStrictEqual(report.pools.map((p) => [p.name, p.received, p.missing, p.duplicates, p.exact]), [['exact', 200, 0, 0, true]]);
    assert.strictEqual(report.ok, true);
    assert.match(summary(report), /"wild" is not bound to "notifications\.info" on "events": it gets none of these/);
    assert.strictEqual(api.services.localPools.list().find((e) => e.vhost === v.name && e.pool.name === 'wild')?.pool.delivered, 0);
  });

  it('a local pool behind an exchange-to-exchange binding is counted', async () => {
    await run(Commands.createPool, { exchange: 'audit-x', routingKey: 'notifications.info', pool: 'behind', workers: 1 });
    const report = await run<AuditReport>(Commands.runAudit, { exchange: 'nova', routingKey: 'notifications.info', count: 100 });
    assert.deepStrictEqual(report.pools.map((p) => [p.name, p.received, p.missing, p.exact]), [['behind', 100, 0, true]]);
    assert.deepStrictEqual(report.notBound, []);
    assert.strictEqual(report.ok, true);
  });
});
