// Figure 1: the Brokers tree on a large broker, measured through src/viewModel (BrokerSession / VhostData / PagedList),
// which is what the node classes' getChildren() call (the nodes themselves import vscode). Each repetition uses a cold
// session, like a fresh VS Code window or a Refresh.
//
//   first level  = what the root, broker and vhost nodes fetch (overview, nodes, vhosts) + both folders expanded:
//                  Exchanges (one page) and Pools (one page; up to 2,000 queues on the broker also the vhost's consumers and
//                  connections for the workers, past it the page's consumer counts, as folderNodes.ts)
//   exchange     = ExchangeNode.getChildren: the exchange's bindings grouped by key
//   binding key  = BindingKeyNode.getChildren: details of the key's pools (one request each, with their workers)
//   pool         = PoolNode.getChildren (Pools folder): the pool's bindings; its workers are already known
// Baseline: a naive tool fetching /api/queues/{vhost} and /api/bindings/{vhost} whole (in parallel, parsed).
import { median, summary } from './common.mjs';
import { exchangeName, queueName, poolOfConsumer } from './scenario.mjs';

const TREE_OPTIONS = { pageSize: 100, showSystemExchanges: false }; // rabbitmqPools.pageSize's default

function counter(T, config) {
  const c = { bytes: 0, requests: 0, paths: [] };
  return { c, clientOptions: { onResponse: (p, bytes, ms) => { c.bytes += bytes; c.requests++; c.paths.push({ path: p, bytes, ms: Math.round(ms * 10) / 10 }); } } };
}

async function timed(fn) {
  const t0 = performance.now();
  const value = await fn();
  return { ms: performance.now() - t0, value };
}

/** One cold walk: first level, then one exchange, one of its binding keys and one pool. */
async function walk(T, vh, rep) {
  const { c, clientOptions } = counter(T, vh.config);
  const session = new T.BrokerSession(vh.config, () => TREE_OPTIONS, T.silentLogger, vh.name, clientOptions);
  try {
    const out = {};
    let mark = { bytes: 0, requests: 0 };
    const take = () => { const d = { bytes: c.bytes - mark.bytes, requests: c.requests - mark.requests }; mark = { bytes: c.bytes, requests: c.requests }; return d; };
    const first = await timed(async () => {
      // As the tree: the root reads overview and nodes side by side while the vhost list starts (BrokerNode needs only the
      // list); VhostNode: info(); then both folders. The Pools folder reads the vhost's consumers for the page's workers only
      // on a broker of at most POOLS_FOLDER_COUNTS_ONLY_QUEUES queues (folderNodes.ts); past it, the page's consumer counts.
      void session.vhosts().catch(() => undefined);
      await Promise.all([session.overview(), session.nodes()]);
      const [vhost] = await session.vhosts();
      const v = session.vhost(vhost);
      await v.info();
      const tf = performance.now();
      const [exchanges, queues, workers] = await Promise.all([v.exchanges.view(), v.queues.view(), (await v.countsOnly()) ? new Map() : v.workers()]);
      const pools = queues.items.map((q) => T.poolFrom(q, [...(workers.get(q.name) ?? [])]));
      return { folderMs: performance.now() - tf, exchanges: exchanges.items.length, pools: pools.length, poolsTotal: queues.total, withWorkers: pools.filter((p) => p.workers.length).length, v };
    });
    out.first = { ms: first.ms, folderMs: first.value.folderMs, ...take(), exchanges: first.value.exchanges, pools: first.value.pools, poolsTotal: first.value.poolsTotal, withWorkers: first.value.withWorkers };
    const v = first.value.v;
    const ex = exchangeName((rep * 7) % 20);
    const groups = await timed(() => v.bindingGroups(ex));
    out.exchange = { ms: groups.ms, ...take(), name: ex, keys: groups.value.length, bindings: groups.value.reduce((n, g) => n + g.pools.length, 0) };
    const g = groups.value[rep % groups.value.length];
    const lookup = await timed(() => v.pools(g.pools.map((p) => p.name)));
    out.bindingKey = { ms: lookup.ms, ...take(), key: g.routingKey, pools: lookup.value.pools.length, workers: lookup.value.pools.reduce((n, p) => n + p.workers.length, 0) };
    // A pool of the Pools folder's first page that has workers (PoolNode place 'folder'): its bindings + its workers.
    const poolName = queueName(poolOfConsumer(4 * (rep % 5)));
    const pool = await timed(async () => {
      const bindings = await v.poolBindings(poolName);
      const workers = await v.workersOf(poolName);
      return { bindings: bindings.length, workers: workers.length };
    });
    out.pool = { ms: pool.ms, ...take(), name: poolName, ...pool.value };
    out.requestLog = c.paths;
    return out;
  } finally {
    session.dispose();
  }
}

/** The naive baseline: /api/queues and /api/bindings whole, parsed (what a tool without paging does on open and on refresh). */
async function naive(T, vh) {
  const client = new T.ManagementClient(vh.config);
  try {
    const r = await timed(() => Promise.all([client.get(`api/queues/${encodeURIComponent(vh.name)}`), client.get(`api/bindings/${encodeURIComponent(vh.name)}`)]));
    const [queues, bindings] = r.value;
    return { ms: r.ms, bytes: client.bytesReceived, requests: client.requests, queues: queues.length, bindings: bindings.filter((b) => b.source !== '').length };
  } finally { client.dispose(); }
}

/** The CLI's whole-vhost read (fetchTopology: 5 requests with columns=), for reference. */
async function whole(T, vh) {
  const client = new T.ManagementClient(vh.config);
  try {
    const r = await timed(() => T.fetchTopology(client, vh.name));
    return { ms: r.ms, bytes: client.bytesReceived, requests: client.requests };
  } finally { client.dispose(); }
}

export async function benchTree(T, vh, { reps, label, withWhole = true }) {
  const ours = [];
  const base = [];
  const wholes = [];
  // warm-up (connection set-up, broker code paths), not counted
  await walk(T, vh, 99);
  for (let r = 0; r < reps; r++) {
    if (r % 2 === 0) { ours.push(await walk(T, vh, r)); base.push(await naive(T, vh)); } else { base.push(await naive(T, vh)); ours.push(await walk(T, vh, r)); }
    if (withWhole && r < 3) { wholes.push(await whole(T, vh)); }
  }
  const pick = (k, f) => summary(ours.map((o) => o[k][f]));
  const res = {
    label,
    firstLevel: { ...pick('first', 'ms'), folderMs: median(ours.map((o) => o.first.folderMs)), bytes: median(ours.map((o) => o.first.bytes)), requests: median(ours.map((o) => o.first.requests)), shown: { exchanges: ours[0].first.exchanges, pools: ours[0].first.pools, poolsTotal: ours[0].first.poolsTotal, withWorkers: ours[0].first.withWorkers } },
    exchange: { ...pick('exchange', 'ms'), bytes: median(ours.map((o) => o.exchange.bytes)), requests: median(ours.map((o) => o.exchange.requests)), keys: ours[0].exchange.keys, bindings: ours[0].exchange.bindings },
    bindingKey: { ...pick('bindingKey', 'ms'), bytes: median(ours.map((o) => o.bindingKey.bytes)), requests: median(ours.map((o) => o.bindingKey.requests)), pools: ours[0].bindingKey.pools, workers: ours[0].bindingKey.workers },
    pool: { ...pick('pool', 'ms'), bytes: median(ours.map((o) => o.pool.bytes)), requests: median(ours.map((o) => o.pool.requests)), bindings: ours[0].pool.bindings, workers: ours[0].pool.workers },
    naive: { ...summary(base.map((b) => b.ms)), bytes: median(base.map((b) => b.bytes)), requests: 2, queues: base[0].queues, bindings: base[0].bindings },
    whole: wholes.length ? { ...summary(wholes.map((b) => b.ms)), bytes: median(wholes.map((b) => b.bytes)), requests: wholes[0].requests } : undefined,
    requestLog: ours[ours.length - 1].requestLog,
  };
  res.speedup = res.naive.median / res.firstLevel.median;
  return res;
}
