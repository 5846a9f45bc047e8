/**
 * A binding key with 300 pools on the real broker, through the tree's view model (what BindingKeyNode draws): the first page
 * of names comes from the exchange's bindings alone, with no request for details; details are one queue each and carry the
 * workers; "Load more…" reaches all 300 with the right workers and depths. Issue 19 (BENCHMARKS.md, "Broker shapes").
 */
import assert from 'node:assert/strict';
import { silentLogger } from '../../src/broker/logger';
import { BrokerSession, POOLS_FOLDER_COUNTS_ONLY_QUEUES } from '../../src/viewModel/brokerSession';
import { TestVhost, freshVhost, until } from '../support/broker';

const POOLS = 300;
const EXCHANGE = 'shapes.fanout';
const KEY = 'agent.port-update';
const name = (i: number) => `shapes.agent.${String(i).padStart(3, '0')}`;
/** Every 7th pool has 2 workers; every 11th of the others holds i % 5 + 1 ready messages (workers would take them). */
const workersOf = (i: number) => (i % 7 === 0 ? 2 : 0);
const readyOf = (i: number) => (i % 11 === 0 && !workersOf(i) ? (i % 5) + 1 : 0);

describe('a binding key with 300 pools (tree view model, real broker)', function () {
  this.timeout(120_000);
  let v: TestVhost;
  let paths: string[];
  let session: BrokerSession;

  before(async () => {
    v = await freshVhost('shapes');
    const c = await v.connect('shapes-agents');
    const ch = await c.createChannel();
    await ch.assertExchange(EXCHANGE, 'topic', { durable: false });
    for (let i = 0; i < POOLS; i++) {
      await ch.assertQueue(name(i), { durable: false });
      await ch.bindQueue(name(i), EXCHANGE, KEY);
      for (let m = 0; m < readyOf(i); m++) { ch.sendToQueue(name(i), Buffer.from('x')); }
    }
    const consumer = await c.createChannel();
    for (let i = 0; i < POOLS; i++) {
      for (let w = 0; w < workersOf(i); w++) { await consumer.consume(name(i), () => undefined, { consumerTag: `agent-${i}-${w}` }); }
    }
    // The management API's statistics lag: wait until it shows every message and consumer.
    const wantReady = Array.from({ length: POOLS }, (_, i) => readyOf(i)).reduce((a, b) => a + b, 0);
    await until(async () => {
      const qs = await v.client.queues(v.name, ['name', 'messages_ready', 'consumers']);
      return qs.length === POOLS && qs.reduce((n, q) => n + (q.messages_ready ?? 0), 0) === wantReady && qs.reduce((n, q) => n + (q.consumers ?? 0), 0) === 2 * Math.ceil(POOLS / 7);
    }, 'the management API showing 300 pools with their messages and consumers', 60_000, 500);
  });
  after(async () => { session?.dispose(); await v?.cleanup(); });

  beforeEach(() => {
    paths = [];
    session = new BrokerSession(v.config, () => ({ pageSize: 200, showSystemExchanges: false }), silentLogger, v.name, { onResponse: (p) => { paths.push(p); } });
  });
  afterEach(() => { session.dispose(); });

  it('shows the first 200 names as soon as the bindings are known, with no request for details, then their workers and depths', async () => {
    const vh = session.vhost(v.name);
    const [group] = await vh.bindingGroups(EXCHANGE);
    assert.equal(group.pools.length, POOLS);
    const before = paths.length;
    const page = vh.keyPools(EXCHANGE, group);
    assert.deepEqual([page.shown, page.total, page.hasMore], [200, POOLS, true]);
    assert.deepEqual(page.items, Array.from({ length: 200 }, (_, i) => name(i)));
    assert.ok(vh.peekEach(page.items).pools.every((p) => p === undefined), 'names only: no details yet');
    assert.equal(paths.length, before, 'the names cost no request');
    const { pools, missing } = await vh.pools(page.items);
    assert.equal(missing.size, 0);
    assert.deepEqual(pools.map((p) => [p.name, p.workers.length, p.ready]), page.items.map((n, i) => [n, workersOf(i), readyOf(i)]));
    assert.deepEqual(pools.filter((p) => p.workers.length).flatMap((p) => p.workers.map((w) => w.consumerTag)).slice(0, 4), ['agent-0-0', 'agent-0-1', 'agent-7-0', 'agent-7-1'].sort());
    assert.ok(!paths.some((p) => p.endsWith(`/api/consumers/${encodeURIComponent(v.name)}`)), 'workers come with each pool: the vhost\'s consumer list is not read');
    assert.ok(!paths.some((p) => p === `/api/queues/${encodeURIComponent(v.name)}`), 'no vhost-wide queue list');
    assert.equal(paths.filter((p) => p.startsWith(`/api/queues/${encodeURIComponent(v.name)}/`)).length, 200, 'one request per pool shown');
  });

  it('the broker line reads the overview without statistics: version and counts, no per-queue totals', async () => {
    const full = await v.client.overview();
    const o = await session.overview();
    assert.equal(o.rabbitmq_version, full.rabbitmq_version);
    assert.ok(o.rabbitmq_version, 'the broker says its version');
    assert.equal(o.cluster_name, full.cluster_name);
    assert.equal(o.object_totals?.queues, full.object_totals?.queues, 'the queue count (the tree\'s size thresholds) is there');
    assert.ok((o.object_totals?.queues ?? 0) >= POOLS);
    assert.ok(full.queue_totals, 'the full overview totals every queue');
    assert.equal(o.queue_totals, undefined, 'disable_stats=true: the broker did not total every queue for the tree');
    assert.equal(session.status.state, 'connected');
  });

  it('Load more reaches all 300 (details filled in the background, chunk by chunk) with the right workers and depths', async () => {
    const vh = session.vhost(v.name);
    const [group] = await vh.bindingGroups(EXCHANGE);
    vh.loadMoreKeyPools(EXCHANGE, group);
    const page = vh.keyPools(EXCHANGE, group);
    assert.deepEqual([page.shown, page.total, page.hasMore], [POOLS, POOLS, false]);
    let redraws = 0;
    vh.fillDetails(vh.levelId('k', EXCHANGE, group), page.items, 50, () => { redraws++; });
    vh.fillDetails(vh.levelId('k', EXCHANGE, group), page.items, 50, () => { redraws += 100; }); // a second draw meanwhile: no second loop
    const all = await until(() => vh.peekPools(page.items), 'every detail of the 300 pools', 60_000, 50);
    assert.equal(redraws, 6, 'one redraw per chunk of 50');
    assert.deepEqual(all.pools.map((p) => [p.name, p.workers.length, p.ready]), page.items.map((n, i) => [n, workersOf(i), readyOf(i)]));
    session.invalidate();
    assert.equal(vh.peekPools(page.items), undefined, 'a refresh drops the details');
    assert.equal(vh.keyPools(EXCHANGE, group).shown, POOLS, 'and keeps the pages shown');
  });
});

describe('a broker of more than 2,000 queues: the Pools folder and its pools without the vhost\'s consumer list (real broker)', function () {
  this.timeout(180_000);
  const N = POOLS_FOLDER_COUNTS_ONLY_QUEUES + 1;
  const big = (i: number) => `big.pool.${String(i).padStart(4, '0')}`;
  let v: TestVhost;
  let paths: string[];
  let session: BrokerSession;

  before(async () => {
    v = await freshVhost('shapes-big');
    const c = await v.connect('big-agents');
    const ch = await c.createChannel();
    await ch.assertExchange(EXCHANGE, 'topic', { durable: false });
    for (let i = 0; i < N; i += 200) {
      await Promise.all(Array.from({ length: Math.min(200, N - i) }, (_, k) => ch.assertQueue(big(i + k), { durable: false })));
    }
    await ch.bindQueue(big(0), EXCHANGE, KEY);
    await ch.bindQueue(big(1), EXCHANGE, KEY);
    for (const [q, tags] of [[big(0), ['big-0-a', 'big-0-b']], [big(1), ['big-1-a']]] as const) {
      for (const tag of tags) { await ch.consume(q, () => undefined, { consumerTag: tag }); }
    }
    await until(async () => {
      const o = await v.client.overview();
      const qs = await v.client.queuesPage(v.name, { pageSize: 2, columns: ['name', 'consumers'] });
      // The consumers' own statistics (consumer_details) trail the queues' counts by up to a statistics interval.
      const details = await Promise.all([big(0), big(1)].map((n) => v.client.queue(v.name, n, ['consumer_details'])));
      const shown = details.map((d) => ((d as { consumer_details?: unknown[] }).consumer_details ?? []).length);
      return (o.object_totals?.queues ?? 0) > POOLS_FOLDER_COUNTS_ONLY_QUEUES && qs.totalCount === N && qs.items[0]?.consumers === 2 && qs.items[1]?.consumers === 1 && shown[0] === 2 && shown[1] === 1;
    }, `the management API showing ${N} queues and the workers`, 120_000, 500);
  });
  after(async () => { session?.dispose(); await v?.cleanup(); });

  it('a folder pool expanded and a key of pools on the folder\'s page read each pool with its consumers; the workers are right', async () => {
    paths = [];
    session = new BrokerSession(v.config, () => ({ pageSize: 100, showSystemExchanges: false }), silentLogger, v.name, { onResponse: (p) => { paths.push(p); } });
    await session.overview();
    const vh = session.vhost(v.name);
    const page = await vh.queues.view();
    assert.deepEqual(page.items.slice(0, 2).map((q) => [q.name, q.consumers]), [[big(0), 2], [big(1), 1]], 'the page\'s consumer counts');
    assert.deepEqual((await vh.workersOf(big(0))).map((w) => w.consumerTag).sort(), ['big-0-a', 'big-0-b'], 'a folder pool\'s workers');
    const [group] = await vh.bindingGroups(EXCHANGE);
    const { pools } = await vh.pools(group.pools.map((p) => p.name));
    assert.deepEqual(pools.map((p) => [p.name, p.workers.map((w) => w.consumerTag).sort()]), [[big(0), ['big-0-a', 'big-0-b']], [big(1), ['big-1-a']]]);
    assert.deepEqual([...new Set(pools.flatMap((p) => p.workers.map((w) => w.application)))], ['big-agents'], 'each worker\'s application, from its connection');
    const vhostPath = encodeURIComponent(v.name);
    assert.ok(!paths.some((p) => p.endsWith(`/api/consumers/${vhostPath}`)), `no vhost-wide consumer list: ${paths.join(', ')}`);
    assert.deepEqual(paths.filter((p) => p.startsWith(`/api/queues/${vhostPath}/`)).sort(), [big(0), big(1)].map((n) => `/api/queues/${vhostPath}/${n}`), 'one detail request per pool, each once per refresh');
  });
});
