/**
 * Who Receives…? inside a real VS Code extension host against the real broker: the oslo layout's preview for nova +
 * notifications.info is exactly [audit, ceilometer, notifications.info], the pools are revealed under the matching binding
 * key, and "publish one and compare" agrees with where the broker really put the message; headers exchanges too, and an
 * unroutable key is returned by the broker as the preview says.
 */
import * as assert from 'assert';
import * as vscode from 'vscode';
import { Commands, EXTENSION_ID } from '../../../src/constants';
import type { ExtensionApi } from '../../../src/extension';
import type { RoutePreviewResult } from '../../../src/commands/routePreview';
import { AMQP_URL, MANAGEMENT_URL, TestVhost, freshVhost } from '../../support/broker';

const BROKER = 'route-preview-test';

describe('Who Receives…? (route preview)', function () {
  this.timeout(120_000);
  let api: ExtensionApi;
  let v: TestVhost;
  let previousBrokers: unknown;
  const config = () => vscode.workspace.getConfiguration('rabbitmqPools');
  const preview = (args: object) => vscode.commands.executeCommand<RoutePreviewResult>(Commands.routePreview, { broker: BROKER, vhost: v.name, ...args });

  before(async () => {
    api = await vscode.extensions.getExtension<ExtensionApi>(EXTENSION_ID)!.activate();
    await config().update('refreshSeconds', 0, vscode.ConfigurationTarget.Global);
    v = await freshVhost('vscode-route');
    const ch = await (await v.connect('route-setup')).createChannel();
    await ch.assertExchange('nova', 'topic', { durable: true });
    for (const q of ['ceilometer', 'audit', 'notifications.info']) {
      await ch.assertQueue(q, { durable: true });
      await ch.bindQueue(q, 'nova', 'notifications.info');
    }
    await ch.assertQueue('errors', { durable: true });
    await ch.bindQueue('errors', 'nova', 'notifications.error');
    await ch.assertQueue('compute', { durable: true });
    await ch.bindQueue('compute', 'nova', 'compute.#');
    await ch.assertExchange('hx', 'headers', { durable: false });
    await ch.assertQueue('json-only', { durable: false });
    await ch.bindQueue('json-only', 'hx', '', { 'x-match': 'all', format: 'json' });
    previousBrokers = config().inspect('brokers')?.globalValue;
    const amqpUrl = AMQP_URL.replace(/\/\/([^:@/]*)(:[^@/]*)?@/, '//$1@');
    await config().update('brokers', [{ name: BROKER, amqpUrl, managementUrl: MANAGEMENT_URL, vhost: v.name }], vscode.ConfigurationTarget.Global);
  });

  after(async () => {
    await config().update('brokers', previousBrokers, vscode.ConfigurationTarget.Global);
    await config().update('refreshSeconds', undefined, vscode.ConfigurationTarget.Global);
    await v.cleanup();
  });

  it('nova + notifications.info reaches audit, ceilometer and notifications.info, revealed in the tree', async () => {
    const r = await preview({ exchange: 'nova', routingKey: 'notifications.info' });
    assert.deepStrictEqual(r.pools, ['audit', 'ceilometer', 'notifications.info']);
    assert.deepStrictEqual(r.paths.ceilometer, ['nova']);
    assert.strictEqual(r.revealed.length, 3, r.revealed.join(', '));
    for (const p of r.pools) { assert.ok(r.revealed.some((id) => id.endsWith(`/e:nova/k:notifications.info/p:${encodeURIComponent(p)}`)), `${p} revealed: ${r.revealed.join(', ')}`); }
    const selected = api.services.treeView.selection.map((n) => n.id);
    assert.ok(selected.some((id) => id === r.revealed[0]), `the first pool is selected: ${selected.join(', ')}`);
  });

  it('publish one and compare: the broker agrees (depth before and after)', async () => {
    // The broker's own answer, read by the test over its own AMQP connection: each queue's depth before and after, and the
    // message itself (by its message id) in every queue the comparison says it reached.
    const ch = await (await v.connect('route-compare-check')).createChannel();
    const queues = ['audit', 'ceilometer', 'notifications.info', 'errors', 'compute'];
    const depths = async () => Object.fromEntries(await Promise.all(queues.map(async (q) => [q, (await ch.checkQueue(q)).messageCount] as const)));
    const before = await depths();
    const r = await preview({ exchange: 'nova', routingKey: 'notifications.info', compare: true, reveal: false });
    const after = await depths();
    assert.deepStrictEqual(after, { ...before, audit: before.audit + 1, ceilometer: before.ceilometer + 1, 'notifications.info': before['notifications.info'] + 1 },
      'the broker put one message in audit, ceilometer and notifications.info, none in errors or compute');
    assert.ok(r.comparison, 'a comparison');
    assert.strictEqual(r.comparison.returned, false);
    assert.deepStrictEqual(r.comparison.reached, ['audit', 'ceilometer', 'notifications.info']);
    assert.deepStrictEqual(r.comparison.missed, []);
    assert.deepStrictEqual(r.comparison.unexpected, []);
    assert.strictEqual(r.comparison.evidence.audit, 'depth');
    assert.ok(r.comparison.notReached.includes('errors') && r.comparison.notReached.includes('compute'));
    assert.strictEqual(r.comparison.matches, true);
    // The message the broker holds is the one the comparison published.
    for (const q of ['audit', 'ceilometer', 'notifications.info']) {
      const ids: unknown[] = [];
      for (let m = await ch.get(q, { noAck: true }); m; m = await ch.get(q, { noAck: true })) { ids.push(m.properties.messageId); }
      assert.ok(ids.includes(r.comparison.messageId), `${q} holds message ${r.comparison.messageId}: ${JSON.stringify(ids)}`);
    }
    await ch.close();
  });

  it('an unroutable key: no pool, and the broker returns the message', async () => {
    const r = await preview({ exchange: 'nova', routingKey: 'nobody.listens', compare: true, reveal: false });
    assert.deepStrictEqual(r.pools, []);
    assert.strictEqual(r.comparison?.returned, true);
    assert.deepStrictEqual(r.comparison?.reached, []);
    assert.strictEqual(r.comparison?.matches, true);
  });

  it('headers (k=v, comma separated) on a headers exchange', async () => {
    const yes = await preview({ exchange: 'hx', routingKey: '', headers: 'format=json, retries=3', compare: true, reveal: false });
    assert.deepStrictEqual(yes.headers, { format: 'json', retries: 3 });
    assert.deepStrictEqual(yes.pools, ['json-only']);
    assert.strictEqual(yes.comparison?.matches, true);
    const no = await preview({ exchange: 'hx', routingKey: '', headers: 'format=xml', compare: true, reveal: false });
    assert.deepStrictEqual(no.pools, []);
    assert.strictEqual(no.comparison?.returned, true);
    assert.strictEqual(no.comparison?.matches, true);
  });
});
