/**
 * Replay Dead Letters… inside a real VS Code: a worker rejects 200 messages into a dead-letter pool; the tree shows
 * "Dead letters from orders" under it; the command run on that node asks (the modal answered here, as the tree suite
 * answers Purge's) naming the target pool, its application and the count, then moves all 200 back, 0 left.
 */
import * as assert from 'assert';
import * as vscode from 'vscode';
import { Commands, ContextValues, EXTENSION_ID } from '../../../src/constants';
import type { ExtensionApi } from '../../../src/extension';
import type { ReplayResult } from '../../../src/broker/replay';
import { AMQP_URL, MANAGEMENT_URL, TestVhost, freshVhost, until } from '../../support/broker';
import { treeAccess } from '../../support/tree';

type Node = { id: string };
const BROKER = 'replay-test';

describe('Replay Dead Letters', function () {
  this.timeout(90_000);
  let api: ExtensionApi;
  let v: TestVhost;
  let previousBrokers: unknown;
  const config = () => vscode.workspace.getConfiguration('rabbitmqPools');
  const { tree, kids, label, ctx } = treeAccess<Node>(() => api);
  const child = async (parent: Node | undefined, text: string | RegExp): Promise<Node> => {
    const c = await kids(parent);
    const found = c.find((n) => (typeof text === 'string' ? label(n) === text : text.test(label(n))));
    assert.ok(found, `no "${String(text)}" under ${parent?.id ?? 'the root'}; found: ${c.map(label).join(' | ')}`);
    return found;
  };

  before(async () => {
    api = await vscode.extensions.getExtension<ExtensionApi>(EXTENSION_ID)!.activate();
    v = await freshVhost('vscode-replay');
    const ch = await (await v.connect('replay-setup')).createChannel();
    await ch.assertExchange('orders', 'direct', { durable: true });
    await ch.assertExchange('orders-dlx', 'fanout', { durable: true });
    await ch.assertQueue('orders-dlq', { durable: true });
    await ch.bindQueue('orders-dlq', 'orders-dlx', '');
    await ch.assertQueue('orders', { durable: true, arguments: { 'x-dead-letter-exchange': 'orders-dlx' } });
    await ch.bindQueue('orders', 'orders', 'order.created');
    for (let i = 0; i < 200; i++) { ch.publish('orders', 'order.created', Buffer.from(`order ${i}`), { messageId: `o-${i}` }); }
    const worker = await (await v.connect('order-service:41:0cd5f39f-1b2c-4d3e-8f40-a1b2c3d4e5f6')).createChannel();
    await worker.prefetch(50);
    // Rejects everything at first, then (after the replay) keeps what it gets: the replayed copies stay in "orders".
    let reject = true;
    await worker.consume('orders', (m) => { if (m && reject) { worker.nack(m, false, false); } });
    await until(async () => (await ch.checkQueue('orders-dlq')).messageCount === 200, '200 dead letters');
    reject = false;
    await worker.close();
    const amqpUrl = AMQP_URL.replace(/\/\/([^:@/]*)(:[^@/]*)?@/, '//$1@');
    previousBrokers = config().inspect('brokers')?.globalValue;
    await config().update('brokers', [{ name: BROKER, amqpUrl, managementUrl: MANAGEMENT_URL, vhost: v.name }], vscode.ConfigurationTarget.Global);
    // A consumer of another application on the target, so that the question names it.
    const other = await (await v.connect('billing:7:1cd5f39f-1b2c-4d3e-8f40-a1b2c3d4e5f6')).createChannel();
    await other.prefetch(1);
    await other.consume('orders', () => undefined);
    await until(async () => (await v.client.consumers(v.name)).some((c) => !Array.isArray(c.channel_details) && c.channel_details?.connection_name), 'billing listed');
  });

  after(async () => {
    await config().update('brokers', previousBrokers, vscode.ConfigurationTarget.Global);
    await v?.cleanup();
  });

  it('from the "Dead letters from orders" node: asks naming pool, application and count, then moves 200 back, 0 left', async () => {
    tree().refresh();
    const broker = await child(undefined, BROKER);
    const vhost = await child(broker, v.name);
    const pools = await child(vhost, 'Pools');
    const dlq = await child(pools, 'orders-dlq');
    const from = await child(dlq, 'Dead letters from orders');
    assert.strictEqual(ctx(from), ContextValues.deadLetterSources);
    const orders = await child(pools, 'orders');
    const path = await child(orders, /^Dead letters → orders-dlx/);
    assert.strictEqual(ctx(path), ContextValues.deadLetterPath);
    assert.match(label(path), /→ orders-dlq \(\d+ ready\)$/);

    const asked: { message: string; detail: string; actions: string[] }[] = [];
    const original = api.services.prompts.choose;
    api.services.prompts.choose = async (message: string, detail: string, actions: string[]) => { asked.push({ message, detail, actions }); return 'Replay'; };
    let r: ReplayResult | undefined;
    try {
      r = await vscode.commands.executeCommand<ReplayResult>(Commands.replayDeadLetters, from);
    } finally {
      api.services.prompts.choose = original;
    }
    assert.strictEqual(asked.length, 1, JSON.stringify(asked));
    assert.strictEqual(asked[0].message, 'Replay up to 200 dead letters from "orders-dlq" to orders / "order.created"?');
    assert.match(asked[0].detail, /They reach "orders"\. Other applications consume orders \(billing\)/);
    assert.ok(r, 'the command returns the result');
    assert.strictEqual(r.replayed, 200);
    assert.strictEqual(r.duplicatesPossible, 0);
    assert.deepStrictEqual(r.targets.map((t) => [t.exchange, t.routingKey, t.count]), [['orders', 'order.created', 200]]);
    // The management API's counters lag a few seconds: ask the queues themselves.
    const ch = await (await v.connect('replay-check')).createChannel();
    let seen = '';
    await until(async () => {
      const [dlq, src] = [(await ch.checkQueue('orders-dlq')).messageCount, (await ch.checkQueue('orders')).messageCount];
      seen = `orders-dlq ${dlq}, orders ${src} ready (+1 unacked by billing)`;
      return dlq === 0 && src === 199;
    }, 'all 200 back in orders, 0 in orders-dlq', 30_000).catch((e: Error) => { throw new Error(`${e.message}: ${seen}`); });
  });

  it('declined: nothing moves', async () => {
    const ch = await (await v.connect('replay-more')).createChannel();
    const dead = { 'x-death': [{ count: 1, reason: 'rejected', queue: 'orders', exchange: 'orders', 'routing-keys': ['order.created'] }] };
    for (let i = 0; i < 3; i++) { ch.sendToQueue('orders-dlq', Buffer.from('again'), { headers: dead }); }
    await until(async () => (await ch.checkQueue('orders-dlq')).messageCount === 3, '3 more dead letters');
    const original = api.services.prompts.choose;
    api.services.prompts.choose = async () => undefined;
    try {
      const r = await vscode.commands.executeCommand<ReplayResult>(Commands.replayDeadLetters, { broker: BROKER, vhost: v.name, pool: 'orders-dlq' });
      assert.strictEqual(r?.replayed, 0);
      assert.strictEqual(r?.stopped, 'declined');
      assert.strictEqual(r?.total, 3);
    } finally {
      api.services.prompts.choose = original;
    }
    assert.strictEqual((await (await (await v.connect('replay-probe')).createChannel()).checkQueue('orders-dlq')).messageCount, 3);
  });
});
