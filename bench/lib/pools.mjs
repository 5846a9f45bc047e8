// Figure 3: 3 pools × 4 workers drain 30,000 deliveries (10,000 notifications, each routed to all 3 pools), through
// WorkerPool (src/broker/workers.ts: exact per-worker counting, duplicate detection by message id, latency histogram)
// against raw amqplib consumers doing only ack, with the same shape: one connection per pool, one channel per worker,
// prefetch 10, manual ack. The queues are pre-filled first (by the project's publisher, so the messages carry the same
// properties a test notification has); the clock runs from starting the consumers (connect included, for both) until
// every pool has taken its 10,000. Raw and ours alternate which goes first.
import { connect, summary, median, until } from './common.mjs';

const EXCHANGE = 'bench.pools';
const KEY = 'notifications.info';
const POOLS = ['bench.pool-a', 'bench.pool-b', 'bench.pool-c'];
const WORKERS = 4;
const PREFETCH = 10;

async function prefill(T, vh, ch, perPool) {
  for (const q of POOLS) { await ch.purgeQueue(q); }
  const r = await T.publishNotifications(vh.config, { exchange: EXCHANGE, routingKey: KEY, count: perPool, connectionName: 'bench-prefill' });
  if (r.confirmed !== perPool) { throw new Error(`prefill: ${r.confirmed} confirmed`); }
  await until(async () => {
    for (const q of POOLS) { if ((await ch.checkQueue(q)).messageCount !== perPool) { return false; } }
    return true;
  }, 'pre-filled queues', 30_000, 20);
}

const cpuOf = (c0) => { const c = process.cpuUsage(c0); return c.user + c.system; };

async function rawDrain(vh, perPool) {
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  let pending = POOLS.length;
  let n = 0;
  let redelivered = 0;
  const byPool = {};
  let done;
  const finished = new Promise((r) => { done = r; });
  const conns = [];
  await Promise.all(POOLS.map(async (q) => {
    const c = await connect(vh.name, `bench-raw-${q}`);
    conns.push(c);
    for (let w = 0; w < WORKERS; w++) {
      const ch = await c.createChannel();
      await ch.prefetch(PREFETCH);
      await ch.consume(q, (m) => {
        if (m === null) { return; }
        if (m.fields.redelivered) { redelivered++; }
        ch.ack(m);
        n++;
        if ((byPool[q] = (byPool[q] ?? 0) + 1) === perPool && --pending === 0) { done(); }
      }, { noAck: false });
    }
  }));
  await finished;
  const seconds = (performance.now() - t0) / 1000;
  const cpuUs = cpuOf(cpu0);
  for (const c of conns) { await c.closeNow(); }
  return { seconds, delivered: n, redelivered, byPool, cpuUs };
}

async function oursDrain(T, vh, perPool) {
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  const pools = POOLS.map((q) => new T.WorkerPool(vh.config, { pool: q, exchange: EXCHANGE, routingKeys: KEY, workers: WORKERS, prefetch: PREFETCH, maxDeliveries: perPool }));
  const reached = pools.map((p) => new Promise((r) => p.once('limit-reached', r)));
  await Promise.all(pools.map((p) => p.start()));
  await Promise.all(reached);
  const seconds = (performance.now() - t0) / 1000;
  const cpuUs = cpuOf(cpu0);
  const counts = await Promise.all(pools.map((p) => p.stop()));
  const delivered = counts.reduce((n, c) => n + c.delivered, 0);
  const duplicates = counts.reduce((n, c) => n + c.duplicates, 0);
  const perWorker = counts.flatMap((c) => c.workers.map((w) => w.delivered));
  const workerSum = perWorker.reduce((a, b) => a + b, 0);
  if (delivered !== perPool * POOLS.length || workerSum !== delivered || duplicates !== 0) {
    throw new Error(`WorkerPool counted ${delivered} (workers ${workerSum}, duplicates ${duplicates}), expected ${perPool * POOLS.length}`);
  }
  return { seconds, delivered, perWorker, cv: counts.map((c) => c.spread.cv), cpuUs };
}

export async function benchPools(T, vh, { perPool, reps }) {
  const c = await connect(vh.name, 'bench-pools-admin');
  const ch = await c.createChannel();
  await ch.assertExchange(EXCHANGE, 'topic', { durable: true });
  for (const q of POOLS) { await ch.assertQueue(q, { durable: true }); await ch.bindQueue(q, EXCHANGE, KEY); }
  const empty = async () => { for (const q of POOLS) { const x = await ch.checkQueue(q); if (x.messageCount) { throw new Error(`${q} kept ${x.messageCount} messages`); } } };
  // warm-up, not counted
  await prefill(T, vh, ch, 2000); await rawDrain(vh, 2000); await prefill(T, vh, ch, 2000); await oursDrain(T, vh, 2000);
  const raw = [];
  const ours = [];
  const rawRedelivered = [];
  const rawCpu = [];
  const oursCpu = [];
  let lastOurs;
  for (let r = 0; r < reps; r++) {
    const runRaw = async () => { await prefill(T, vh, ch, perPool); const x = await rawDrain(vh, perPool); raw.push(x.delivered / x.seconds); rawRedelivered.push(x.redelivered); rawCpu.push(x.cpuUs / x.delivered); };
    const runOurs = async () => { await prefill(T, vh, ch, perPool); lastOurs = await oursDrain(T, vh, perPool); ours.push(lastOurs.delivered / lastOurs.seconds); oursCpu.push(lastOurs.cpuUs / lastOurs.delivered); };
    if (r % 2 === 0) { await runRaw(); await runOurs(); } else { await runOurs(); await runRaw(); }
  }
  await until(async () => { await empty(); return true; }, 'queues drained (acks settle)', 10_000, 50);
  for (const q of POOLS) { await ch.deleteQueue(q); }
  await c.closeNow();
  const deliveries = perPool * POOLS.length;
  const res = {
    deliveries, pools: POOLS.length, workers: WORKERS, prefetch: PREFETCH,
    raw: summary(raw), ours: summary(ours),
    rawSeconds: deliveries / median(raw), oursSeconds: deliveries / median(ours),
    perWorkerLastRun: lastOurs.perWorker, rawRedelivered, cpuUsPerMessage: { raw: summary(rawCpu), ours: summary(oursCpu) },
  };
  res.ratio = median(ours) / median(raw);
  res.pairRatio = summary(ours.map((o, i) => o / raw[i]));
  return res;
}
