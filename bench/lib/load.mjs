// Figure 7: the tree under load. A local pool (LocalPools → WorkerPool, as the extension host runs it: 4 workers on one
// connection, a high prefetch, batched acks) drains a pre-filled queue at the broker's full delivery rate while the tree
// model (src/viewModel: BrokerSession / VhostData, what the tree's nodes call) refreshes over and over in the same
// process, as it does in the extension host. Measured: the pool's delivery rate (from its counts), each refresh's time
// under load and idle (same pool, same queue depth, no consumers), and the event-loop lag (a 50 ms timer's lateness, and
// Node's monitorEventLoopDelay). Baseline: raw amqplib consumers of the same shape (one connection, 4 channels, same
// prefetch, acks batched the same way), no tree: what this broker and machine deliver from one queue at all. Where the CPU
// went during each drain (the machine, the broker's Erlang VM, this process) is read from /proc, to tell which side limits.
//
// Why a pre-filled queue: a publisher on this 2-core machine (confirms, its own process) reaches 8–18k msg/s while the
// broker and the consumer share the cores, so "30,000 messages/s offered" never put 30k/s on the pool. A backlog of
// `count` small transient messages (published fast without confirms on a few connections, then checked exactly with
// queue.declare passive) is delivered as fast as the broker and the pool can go: the load is whatever the pool takes.
import { readFileSync, readdirSync, readlinkSync } from 'node:fs';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { AMQP_URL, connect, median, percentile, sleep, summary, until } from './common.mjs';

const EXCHANGE = 'bench.load';
const KEY = 'load.info';
const POOL = 'bench.load-pool';
export const WORKERS = 4;
export const PREFETCH = 1000;
/** Connections the pre-fill publishes on (in parallel, no confirms). */
const PREFILL_CONNECTIONS = 2;
/** Refreshes of the idle tree per repetition (the pool stopped, the queue full). */
const IDLE_REFRESHES = 8;
/** A small test notification (~110 B): the body a worker gets does not matter to its cost (no parse with a message id). */
const BODY = Buffer.from(JSON.stringify({ 'oslo.version': '2.0', 'oslo.message': JSON.stringify({ event_type: 'load.test', payload: { n: 0 } }) }));
const TREE_OPTIONS = { pageSize: 100, showSystemExchanges: false }; // rabbitmqPools.pageSize's default
const cpuOf = (c0) => { const c = process.cpuUsage(c0); return c.user + c.system; };

/** The broker's Erlang VM: the beam.smp process that listens on the AMQP URL's port (another broker may run beside it). */
function brokerPid() {
  const hex = `:${Number(new URL(AMQP_URL).port || 5672).toString(16).toUpperCase().padStart(4, '0')}`;
  const inodes = new Set();
  for (const f of ['/proc/net/tcp', '/proc/net/tcp6']) {
    try {
      for (const line of readFileSync(f, 'utf8').split('\n').slice(1)) {
        const col = line.trim().split(/\s+/);
        if (col.length > 9 && col[1].endsWith(hex) && col[3] === '0A') { inodes.add(col[9]); } // 0A = LISTEN
      }
    } catch { /* no such table */ }
  }
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) { continue; }
    try {
      if (readFileSync(`/proc/${d}/comm`, 'utf8').trim() !== 'beam.smp') { continue; }
      for (const fd of readdirSync(`/proc/${d}/fd`)) {
        const m = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${d}/fd/${fd}`));
        if (m && inodes.has(m[1])) { return d; }
      }
    } catch { /* gone, or not ours to read */ }
  }
  return undefined;
}

/**
 * Where the CPU went (Linux /proc, else nothing): the whole machine (busy vs all jiffies of /proc/stat), the broker's
 * Erlang VM (beam.smp: every vhost, so other users of the broker count too) and this process. Returns a function that
 * gives the cores each used since the call.
 */
let beamPid;
function cpuMeter() {
  const ticks = () => {
    try {
      const f = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
      const idle = f[3] + (f[4] ?? 0);
      const all = f.reduce((a, b) => a + b, 0);
      beamPid ??= brokerPid() ?? null;
      let beam = NaN;
      if (beamPid) {
        const st = readFileSync(`/proc/${beamPid}/stat`, 'utf8');
        const rest = st.slice(st.lastIndexOf(')') + 2).split(' ');
        beam = Number(rest[11]) + Number(rest[12]); // utime + stime (fields 14 and 15)
      }
      return { busy: all - idle, all, beam };
    } catch { return undefined; }
  };
  const t0 = performance.now();
  const a = ticks();
  const c0 = process.cpuUsage();
  return () => {
    const b = ticks();
    const seconds = (performance.now() - t0) / 1000;
    const self = cpuOf(c0) / 1e6 / seconds;
    if (!a || !b) { return { self }; }
    const cores = (b.all - a.all) / 100 / seconds; // jiffies of all CPUs (USER_HZ 100) → number of cores
    return { machine: ((b.busy - a.busy) / 100) / seconds, cores, broker: (b.beam - a.beam) / 100 / seconds, self };
  };
}

/** Publishes `count` transient messages without confirms (ids `${tag}.${i}`), then waits until the queue holds exactly them. */
async function prefill(vh, ch, count, tag) {
  await ch.purgeQueue(POOL);
  const t0 = performance.now();
  const conns = await Promise.all(Array.from({ length: PREFILL_CONNECTIONS }, (_, k) => connect(vh.name, `bench-load-prefill-${k}`)));
  const per = Math.ceil(count / conns.length);
  await Promise.all(conns.map(async (c, k) => {
    const pch = await c.createChannel();
    for (let i = k * per, end = Math.min(count, (k + 1) * per); i < end; i++) {
      if (!pch.publish(EXCHANGE, KEY, BODY, { messageId: `${tag}.${i}`, persistent: false })) { await new Promise((r) => pch.once('drain', r)); }
    }
    await pch.close(); // a round trip: the channel has handed every message before it to the queue
  }));
  for (const c of conns) { await c.closeNow(); }
  let depth = -1;
  await until(async () => (depth = (await ch.checkQueue(POOL)).messageCount) === count, `the queue to hold the ${count} pre-filled messages (has ${depth})`, 60_000, 50);
  return { seconds: (performance.now() - t0) / 1000 };
}

/** Event-loop lag: how late a 50 ms timer fires (max), and Node's histogram (p99, max) over the same span. */
function lagMonitor() {
  let max = 0;
  let expected = performance.now() + 50;
  const timer = setInterval(() => {
    const now = performance.now();
    max = Math.max(max, now - expected);
    expected = now + 50;
  }, 50);
  const h = monitorEventLoopDelay({ resolution: 10 });
  h.enable();
  return () => {
    clearInterval(timer);
    h.disable();
    return { timerMaxMs: max, p99Ms: h.percentile(99) / 1e6, maxMs: h.max / 1e6 };
  };
}

/**
 * One tree refresh as the Refresh button does it (BrokersTreeProvider.refresh → session.invalidate()), then every level
 * the expanded tree reads again: broker (overview, nodes), vhost, both folders (exchanges page, pools page + the vhost's
 * consumers and connections for the workers), the exchange's binding keys, the key's pools, the pool's bindings and workers.
 */
async function refresh(T, session) {
  const t0 = performance.now();
  session.invalidate();
  await session.overview();
  await session.nodes();
  const [vhost] = await session.vhosts();
  const v = session.vhost(vhost);
  await v.info();
  const [, queues, workers] = await Promise.all([v.exchanges.view(), v.queues.view(), v.workers()]);
  queues.items.map((q) => T.poolFrom(q, [...(workers.get(q.name) ?? [])]));
  const groups = await v.bindingGroups(EXCHANGE);
  const lookup = await v.pools(groups.flatMap((g) => g.pools.map((p) => p.name)));
  await v.poolBindings(POOL);
  const shown = lookup.pools.find((p) => p.name === POOL);
  return { ms: performance.now() - t0, workers: (await v.workersOf(POOL)).length, messages: shown?.messages };
}

/** Refreshes back to back (gapMs apart) until stop() says so; resolves with every refresh. */
function refreshLoop(T, session, gapMs, stop) {
  return (async () => {
    const out = [];
    while (!stop()) {
      out.push(await refresh(T, session));
      if (!stop()) { await sleep(gapMs); }
    }
    return out;
  })();
}

/** Our pool, as the extension host runs it (LocalPools, which also hooks every delivery for its coalesced 'counts'). */
async function oursDrain(T, vh, session, count, { gapMs }) {
  const local = new T.LocalPools(T.silentLogger);
  const snapshots = [];
  local.on('counts', (_id, s) => { snapshots.push({ at: performance.now(), delivered: s.delivered }); });
  let tEnd;
  const stopLag = lagMonitor();
  const cpu0 = process.cpuUsage();
  const meter = cpuMeter();
  const t0 = performance.now();
  let refreshes;
  let cpu;
  let lag;
  let cpuUs;
  let final;
  try {
    const entry = await local.start(vh.config, { pool: POOL, exchange: EXCHANGE, routingKeys: KEY, workers: WORKERS, prefetch: PREFETCH, maxDeliveries: count, connectionName: 'bench-load-pool' });
    const reached = new Promise((resolve) => {
      entry.pool.once('limit-reached', () => { tEnd ??= performance.now(); resolve(); });
      if (entry.pool.delivered >= count) { tEnd ??= performance.now(); resolve(); }
    });
    [refreshes] = await Promise.all([refreshLoop(T, session, gapMs, () => tEnd !== undefined), reached]);
    lag = stopLag();
    cpuUs = cpuOf(cpu0);
    cpu = meter();
    final = await local.stop(entry.id);
  } finally {
    await local.stopAll();
  }
  const uniqueIds = final.uniqueIds;
  if (final.delivered !== count || uniqueIds !== count || final.duplicates !== 0 || final.withoutId !== 0) {
    throw new Error(`the pool counted ${final.delivered} deliveries, ${uniqueIds} distinct ids, ${final.duplicates} duplicates, ${final.withoutId} without id; expected exactly ${count}`);
  }
  const seconds = (tEnd - t0) / 1000;
  // Steady rate: from the counts event that first shows 5 % delivered to the last one below 95 % (ramp-up and tail excluded).
  const a = snapshots.find((s) => s.delivered >= count * 0.05);
  const b = [...snapshots].reverse().find((s) => s.delivered <= count * 0.95);
  const steady = a && b && b.at - a.at > 500 ? ((b.delivered - a.delivered) * 1000) / (b.at - a.at) : NaN;
  return {
    seconds, rate: count / seconds, steadyRate: steady, redelivered: final.redelivered, perWorker: final.workers.map((w) => w.delivered),
    refreshes: refreshes.map((r) => r.ms), workersSeen: Math.max(0, ...refreshes.map((r) => r.workers)), lag, cpuUsPerMessage: cpuUs / count, cpu,
  };
}

/** The baseline: raw amqplib consumers with the same shape and ack batching, nothing else running. */
async function rawDrain(vh, count) {
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  const meter = cpuMeter();
  const c = await connect(vh.name, 'bench-load-raw');
  let n = 0;
  let done;
  const finished = new Promise((r) => { done = r; });
  const ackEvery = Math.min(50, PREFETCH / 2);
  const flushes = [];
  const channels = [];
  for (let w = 0; w < WORKERS; w++) {
    const ch = await c.createChannel();
    channels.push(ch);
    await ch.prefetch(PREFETCH);
    let last;
    let unacked = 0;
    let scheduled = false;
    const flush = () => { scheduled = false; if (unacked) { unacked = 0; ch.ack(last, true); } };
    flushes.push(flush);
    await ch.consume(POOL, (m) => {
      if (m === null) { return; }
      last = m;
      if (++unacked >= ackEvery) { flush(); } else if (!scheduled) { scheduled = true; setImmediate(flush); }
      if (++n === count) { done(); }
    }, { noAck: false });
  }
  await finished;
  const seconds = (performance.now() - t0) / 1000;
  const cpuUs = cpuOf(cpu0);
  const cpu = meter();
  for (const f of flushes) { f(); }
  // Each channel closed by a round trip (its acks handled before close-ok): a connection.close alone may drop them.
  for (const ch of channels) { await ch.close(); }
  await c.closeNow();
  return { seconds, rate: count / seconds, cpuUsPerMessage: cpuUs / count, cpu };
}

export async function benchLoad(T, vh, { count, reps, gapMs = 250 }) {
  const c = await connect(vh.name, 'bench-load-admin');
  const ch = await c.createChannel();
  await ch.assertExchange(EXCHANGE, 'topic', { durable: true });
  // The pool's own queue (WorkerPool joins it as it is: durable classic, no arguments), filled before its workers start.
  await ch.assertQueue(POOL, { durable: true });
  await ch.bindQueue(POOL, EXCHANGE, KEY);
  const session = new T.BrokerSession(vh.config, () => TREE_OPTIONS, T.silentLogger, vh.name);
  const drained = async () => { await until(async () => (await ch.checkQueue(POOL)).messageCount === 0, 'the queue to be empty', 10_000, 50); };
  try {
    // warm-up, not counted (connections, broker code paths, the bundle's first calls)
    await prefill(vh, ch, 20_000, 'warm-raw'); await rawDrain(vh, 20_000); await drained();
    await prefill(vh, ch, 20_000, 'warm'); await oursDrain(T, vh, session, 20_000, { gapMs }); await drained();
    const ours = [];
    const raw = [];
    const idle = [];
    const idleLag = [];
    const prefills = [];
    for (let r = 0; r < reps; r++) {
      const runOurs = async () => {
        prefills.push((await prefill(vh, ch, count, `r${r}`)).seconds);
        // Idle: the same tree (pool queue full, no consumers), nothing being delivered.
        const stopLag = lagMonitor();
        for (let i = 0; i < IDLE_REFRESHES; i++) { idle.push((await refresh(T, session)).ms); await sleep(gapMs); }
        idleLag.push(stopLag());
        ours.push(await oursDrain(T, vh, session, count, { gapMs }));
        await drained();
      };
      const runRaw = async () => {
        prefills.push((await prefill(vh, ch, count, `raw${r}`)).seconds);
        raw.push(await rawDrain(vh, count));
        await drained();
      };
      if (r % 2 === 0) { await runOurs(); await runRaw(); } else { await runRaw(); await runOurs(); }
    }
    const loaded = ours.flatMap((o) => o.refreshes);
    const stats = (a) => ({ median: median(a), p95: percentile(a, 95), max: Math.max(...a), n: a.length });
    const res = {
      count, workers: WORKERS, prefetch: PREFETCH, gapMs, bodyBytes: BODY.length,
      rate: summary(ours.map((o) => o.rate)), steadyRate: summary(ours.map((o) => o.steadyRate)),
      rawRate: summary(raw.map((x) => x.rate)),
      refreshLoaded: stats(loaded), refreshIdle: stats(idle),
      lagLoaded: { timerMaxMs: Math.max(...ours.map((o) => o.lag.timerMaxMs)), maxMs: Math.max(...ours.map((o) => o.lag.maxMs)), p99Ms: median(ours.map((o) => o.lag.p99Ms)) },
      lagIdle: { timerMaxMs: Math.max(...idleLag.map((l) => l.timerMaxMs)), maxMs: Math.max(...idleLag.map((l) => l.maxMs)), p99Ms: median(idleLag.map((l) => l.p99Ms)) },
      cpuUsPerMessage: { ours: summary(ours.map((o) => o.cpuUsPerMessage)), raw: summary(raw.map((x) => x.cpuUsPerMessage)) },
      // Cores in use during the drains (median over runs): the machine, the broker's VM, this process.
      cores: {
        ours: { machine: median(ours.map((o) => o.cpu.machine)), broker: median(ours.map((o) => o.cpu.broker)), self: median(ours.map((o) => o.cpu.self)), of: ours[0].cpu.cores },
        raw: { machine: median(raw.map((x) => x.cpu.machine)), broker: median(raw.map((x) => x.cpu.broker)), self: median(raw.map((x) => x.cpu.self)) },
      },
      // Broker CPU per delivery, µs (its VM's CPU time over the drain / deliveries; other vhosts' work included).
      brokerUsPerMessage: { ours: median(ours.map((o) => (o.cpu.broker * o.seconds * 1e6) / count)), raw: median(raw.map((x) => (x.cpu.broker * x.seconds * 1e6) / count)) },
      prefillSeconds: summary(prefills),
      runs: ours.map((o) => ({ seconds: o.seconds, rate: o.rate, steadyRate: o.steadyRate, redelivered: o.redelivered, perWorker: o.perWorker, workersSeen: o.workersSeen, refreshes: o.refreshes, lag: o.lag })),
      rawRuns: raw,
    };
    res.ratio = res.rate.median / res.rawRate.median;
    return res;
  } finally {
    session.dispose();
    await ch.deleteQueue(POOL).catch(() => undefined);
    await c.closeNow();
  }
}
