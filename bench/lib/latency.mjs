// Figure 4: latency to the screen. A local pool (LocalPools → WorkerPool, 2 workers) takes notifications that arrive at
// random times (two patterns, see benchLatency); the clock starts when a worker's consume callback gets a message (WorkerPool.onMessage)
// and stops when the panel's host side posts the 'update' message whose row counts it. The host side is driven without
// VS Code exactly as DeliveryCountsPanel wires it: LocalPools 'counts' → CountsSource (visible: polling the management API
// like an open panel) → UpdateThrottle (≤ MAX_UPDATES_PER_SECOND) → the send callback stands in for webview.postMessage.
// Without that code (targets-webview bundle missing), the fallback is LocalPools 'counts' latency + one throttle interval.
import { connect, percentile, sleep } from './common.mjs';

const EXCHANGE = 'bench.latency';
const KEY = 'notifications.info';
const POOL = 'bench.latency-pool';

/** One run with a fresh pool and panel (so the phase between their timers is new): arrivals from `gapMs()`. */
async function runOnce(T, W, vh, { messages, gapMs }) {
  const c = await connect(vh.name, 'bench-latency-publisher');
  const ch = await c.createChannel();
  await ch.assertExchange(EXCHANGE, 'topic', { durable: true });
  const local = new T.LocalPools();
  const entry = await local.start(vh.config, { pool: POOL, exchange: EXCHANGE, routingKeys: KEY, workers: 2, prefetch: 10 });
  const delivered = []; // performance.now() of each delivery, in counting order
  entry.pool.onMessage(() => { delivered.push(performance.now()); });
  const atCounts = []; // per delivery: when LocalPools first emitted 'counts' including it
  local.on('counts', (id, counts) => {
    if (id !== entry.id) { return; }
    const now = performance.now();
    for (let i = atCounts.length; i < Math.min(counts.delivered, delivered.length); i++) { atCounts.push(now - delivered[i]); }
  });
  const atScreen = []; // per delivery: when the panel posted the update that shows it
  let source;
  let throttle;
  let client;
  let updates = 0;
  let lastUpdate = -Infinity;
  let minGap = Infinity;
  const mode = W ? 'panel host (CountsSource + UpdateThrottle)' : 'fallback: LocalPools counts + throttle interval';
  if (W) {
    throttle = new W.UpdateThrottle((batch) => {
      updates++;
      const now = performance.now();
      if (now - lastUpdate < minGap) { minGap = now - lastUpdate; }
      lastUpdate = now;
      const row = batch.pools.find((p) => p.name === POOL);
      if (!row) { return; }
      for (let i = atScreen.length; i < Math.min(row.delivered, delivered.length); i++) { atScreen.push(now - delivered[i]); }
    }, W.MAX_UPDATES_PER_SECOND);
    client = new T.ManagementClient(vh.config);
    source = new W.CountsSource({ selection: { broker: vh.config.name, vhost: vh.name, exchange: EXCHANGE, routingKey: KEY }, config: vh.config, client, localPools: local });
    source.onRow = (row) => throttle.pool(row);
    source.onRemoved = (name) => throttle.remove(name);
    source.onPoint = (p) => throttle.point(p);
    source.onManagement = (at, err) => throttle.management(at, err);
    if (typeof source.refreshLocal === 'function') { throttle.beforeFlush = () => source.refreshLocal(); } // as the panel wires it
    source.setVisible(true);
  }
  const t0 = performance.now();
  const body = Buffer.from(JSON.stringify({ 'oslo.version': '2.0', 'oslo.message': JSON.stringify({ message_id: 'x', event_type: 'bench', payload: {} }) }));
  for (let i = 0; i < messages; i++) {
    ch.publish(EXCHANGE, KEY, body, { messageId: `lat-${i}`, headers: { [T.PUBLISHED_AT_HEADER]: Date.now() } });
    await sleep(gapMs());
  }
  // wait for the last ones to reach the screen (deadline, not a fixed sleep)
  const deadline = Date.now() + 5000;
  while ((W ? atScreen.length : atCounts.length) < messages && Date.now() < deadline) { await sleep(20); }
  if (source) { source.dispose(); throttle.dispose(); client.dispose(); }
  await local.stopAll();
  await ch.deleteQueue(POOL).catch(() => undefined);
  await c.closeNow();
  const seconds = (performance.now() - t0) / 1000;
  return { mode, delivered: delivered.length, atCounts, atScreen: W ? atScreen : atCounts.map((x) => x + 250), updatesPerSecond: updates / seconds, minGapMs: minGap, throttleMs: throttle?.intervalMs };
}

const stats = (a) => ({ n: a.length, p50: percentile(a, 50), p95: percentile(a, 95), p99: percentile(a, 99), max: Math.max(...a) });

/**
 * Two arrival patterns, each `reps` times with a fresh pool and panel: `sparse` (one notification every 150–650 ms, as
 * when someone publishes test notifications now and then) and `steady` (Poisson, 50 a second: the panel is never idle).
 */
export async function benchLatency(T, W, vh, { reps, sparse, steady }) {
  const patterns = {
    sparse: { messages: sparse, gapMs: () => 150 + Math.random() * 500 },
    steady: { messages: steady, gapMs: () => -Math.log(1 - Math.random()) * 20 },
  };
  const res = { mode: W ? 'panel host (CountsSource + UpdateThrottle)' : 'fallback: LocalPools counts + 250 ms throttle interval', reps };
  for (const [name, p] of Object.entries(patterns)) {
    const counts = [];
    const screen = [];
    const p99s = [];
    let ups = 0;
    let gap = Infinity;
    for (let r = 0; r < reps; r++) {
      const x = await runOnce(T, W, vh, p);
      counts.push(...x.atCounts);
      screen.push(...x.atScreen);
      p99s.push(percentile(x.atScreen, 99));
      ups = Math.max(ups, x.updatesPerSecond);
      gap = Math.min(gap, x.minGapMs);
      res.throttleMs = x.throttleMs;
    }
    res[name] = { messages: p.messages, countsEvent: stats(counts), screen: stats(screen), p99PerRun: p99s, maxUpdatesPerSecond: ups, minMsBetweenUpdates: gap };
  }
  return res;
}
