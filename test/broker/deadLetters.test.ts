/**
 * The dead-letter view against the real broker: a pool whose worker rejects messages (nack, requeue=false) shows its
 * dead-letter path in `topology --json` and in the Brokers tree (its node classes under a minimal vscode stub, as the
 * cluster suite runs them), the dead-letter pool shows who feeds it, a policy's dead-letter exchange counts too, and
 * diagnose finds `dead-letters-dropped` for a dead-letter exchange that does not exist.
 */
import '../cluster/vscodeStub';
import assert from 'node:assert/strict';
import type { Channel } from 'amqplib';
import { runDiagnose } from '../../src/broker/diagnose';
import { silentLogger } from '../../src/broker/logger';
import type { BrokerEntry } from '../../src/settings/brokerStore';
import { BrokerSession } from '../../src/viewModel/brokerSession';
import { BrokerNode } from '../../src/tree/nodes/brokerNode';
import { DeadLetterPathNode, DeadLetterSourcesNode } from '../../src/tree/nodes/deadLetterNodes';
import { PoolsFolderNode } from '../../src/tree/nodes/folderNodes';
import { PoolNode } from '../../src/tree/nodes/poolNode';
import type { TreeNode } from '../../src/tree/nodes/treeNode';
import { VhostNode } from '../../src/tree/nodes/vhostNode';
import { TestVhost, freshVhost, runCli, until } from '../support/broker';

interface JsonPool { name: string; deadLetter?: { exchange: string; routingKey: string | null; pools: { name: string; ready: number }[]; exchangeExists?: boolean }; deadLetterSources?: string[] }

describe('dead letters: topology, tree, diagnose', function () {
  this.timeout(60_000);
  let v: TestVhost;
  let ch: Channel;

  before(async () => {
    v = await freshVhost('deadletters');
    ch = await (await v.connect('dl-setup')).createChannel();
    await ch.assertExchange('orders', 'direct', { durable: true });
    await ch.assertExchange('orders-dlx', 'direct', { durable: true });
    await ch.assertQueue('orders-dlq', { durable: true });
    await ch.bindQueue('orders-dlq', 'orders-dlx', 'dead');
    await ch.assertQueue('orders', { durable: true, arguments: { 'x-dead-letter-exchange': 'orders-dlx', 'x-dead-letter-routing-key': 'dead' } });
    await ch.bindQueue('orders', 'orders', 'order.created');
    // Dead-letters by policy, to the default exchange with the message's own key... which names no queue.
    await ch.assertQueue('by-policy', { durable: true });
    await v.client.request('PUT', `api/policies/${encodeURIComponent(v.name)}/dl-by-policy`, {
      pattern: '^by-policy$', 'apply-to': 'queues', definition: { 'dead-letter-exchange': 'orders-dlx' },
    });
    await ch.bindQueue('by-policy', 'orders', 'dead');
    // A dead-letter exchange that does not exist.
    await ch.assertQueue('lossy', { durable: true, arguments: { 'x-dead-letter-exchange': 'no-such-dlx' } });
    // A worker that rejects every message.
    const worker = await (await v.connect('order-rejecter')).createChannel();
    await worker.consume('orders', (m) => { if (m) { worker.nack(m, false, false); } });
    for (let i = 0; i < 5; i++) { ch.publish('orders', 'order.created', Buffer.from(`order ${i}`)); }
    await until(async () => (await ch.checkQueue('orders-dlq')).messageCount === 5, '5 dead letters in orders-dlq');
    await until(async () => (await v.client.queue(v.name, 'by-policy')).effective_policy_definition?.['dead-letter-exchange'] === 'orders-dlx', 'the policy applied');
    await until(async () => (await v.client.queue(v.name, 'orders-dlq')).messages_ready === 5, 'the management API sees 5 ready');
  });
  after(async () => { await v?.cleanup(); });

  it('topology --json: deadLetter { exchange, routingKey, pools with depth } on the rejecting pool, deadLetterSources on the DLQ', async () => {
    const r = await runCli(['topology', '--json', '--vhost', v.name]);
    assert.equal(r.code, 0, r.stderr);
    const pools = (r.json as { pools: JsonPool[] }).pools;
    const orders = pools.find((p) => p.name === 'orders');
    assert.deepEqual(orders?.deadLetter && { ...orders.deadLetter, pools: orders.deadLetter.pools.map((p) => [p.name, p.ready]) },
      { exchange: 'orders-dlx', routingKey: 'dead', from: 'argument', keys: ['dead'], exchangeExists: true, pools: [['orders-dlq', 5]] });
    assert.deepEqual(pools.find((p) => p.name === 'orders-dlq')?.deadLetterSources, ['by-policy', 'orders']);
    const byPolicy = pools.find((p) => p.name === 'by-policy')?.deadLetter as unknown as { from: string; routingKey: null; pools: { name: string }[] };
    assert.equal(byPolicy.from, 'policy');
    assert.equal(byPolicy.routingKey, null, 'no dead-letter key: the message\'s own keys');
    assert.deepEqual(byPolicy.pools.map((p) => p.name), ['orders-dlq'], 'its own key "dead" routes to orders-dlq');
    const lossy = pools.find((p) => p.name === 'lossy')?.deadLetter;
    assert.equal(lossy?.exchangeExists, false);
    assert.deepEqual(lossy?.pools, []);
    assert.equal(pools.find((p) => p.name === 'orders-dlq')?.deadLetter, undefined);
  });

  it('the tree: the rejecting pool shows "Dead letters → orders-dlx (key "dead") → orders-dlq (5 ready)", the DLQ who feeds it', async () => {
    const entry: BrokerEntry = { setting: { name: v.config.name, amqpUrl: v.config.amqpUrl, managementUrl: v.config.managementUrl, vhost: v.name }, source: 'user' };
    const session = new BrokerSession(v.config, () => ({ pageSize: 200, showSystemExchanges: false }), silentLogger, v.name);
    const broker = new BrokerNode(entry, session);
    const poolNode = async (name: string): Promise<PoolNode> => {
      const vhost = (await broker.getChildren()).find((n): n is VhostNode => n instanceof VhostNode);
      assert.ok(vhost, 'a vhost node');
      const folder = (await vhost.getChildren()).find((n): n is PoolsFolderNode => n instanceof PoolsFolderNode);
      assert.ok(folder, 'a Pools folder');
      const p = (await folder.getChildren()).find((n): n is PoolNode => n instanceof PoolNode && n.pool.name === name);
      assert.ok(p, `pool ${name}`);
      return p;
    };
    const label = (n: TreeNode) => String(n.getTreeItem().label);
    try {
      const orders = await (await poolNode('orders')).getChildren();
      const path = orders.find((n): n is DeadLetterPathNode => n instanceof DeadLetterPathNode);
      assert.ok(path, `a dead-letter child under orders: ${orders.map(label).join(' | ')}`);
      assert.equal(label(path), 'Dead letters → orders-dlx (key "dead") → orders-dlq (5 ready)');
      assert.equal(path.getTreeItem().contextValue, 'rabbitmqPools.deadLetterPath');
      const dlq = await (await poolNode('orders-dlq')).getChildren();
      const from = dlq.find((n): n is DeadLetterSourcesNode => n instanceof DeadLetterSourcesNode);
      assert.ok(from, `a "from" child under orders-dlq: ${dlq.map(label).join(' | ')}`);
      assert.equal(label(from), 'Dead letters from by-policy, orders');
      assert.equal(from.getTreeItem().contextValue, 'rabbitmqPools.deadLetterSources');
      assert.ok(!dlq.some((n) => n instanceof DeadLetterPathNode), 'the DLQ itself does not dead-letter');
      const lossy = (await (await poolNode('lossy')).getChildren()).find((n): n is DeadLetterPathNode => n instanceof DeadLetterPathNode);
      assert.ok(lossy);
      assert.match(label(lossy), /Dead letters → no-such-dlx \(the message's own routing keys\): the exchange does not exist, they are lost/);
    } finally {
      session.dispose();
    }
  });

  it('diagnose: dead-letters-dropped for the missing dead-letter exchange, none for the working paths', async () => {
    const r = await runDiagnose(v.client, v.name);
    const dropped = r.findings.filter((f) => f.kind === 'dead-letters-dropped');
    assert.deepEqual(dropped.map((f) => [f.pool, f.severity, f.exchange]), [['lossy', 'error', 'no-such-dlx']]);
    assert.match(dropped[0].message, /does not exist .* silently lost/);
    assert.equal(r.findings.filter((f) => f.kind === 'dead-letter-cycle').length, 0);
  });
});
