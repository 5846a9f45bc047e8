// The bench's own vhost and the large-broker scenario: N queues, each bound to one of 20 exchanges, and consumers spread
// over a few connections. Created fast: queue.declare and queue.bind are sent with nowait=true, pipelined on a few
// channels (no round trip per object), and each channel ends with one synchronous call that returns when the broker has
// processed everything before it (a channel is ordered; a failed declare closes the channel and fails that call).
import { randomBytes } from 'node:crypto';
import * as path from 'node:path';
import { ROOT, require, connect, onCleanup, until } from './common.mjs';

const defs = require(path.join(ROOT, 'node_modules/amqplib/lib/defs.js'));
const Args = require(path.join(ROOT, 'node_modules/amqplib/lib/api_args.js'));

export const EXCHANGES = 20;
/** Distinct binding keys per exchange (so a key groups queues/EXCHANGES/KEYS pools). */
export const KEYS = 25;
export const exchangeName = (e) => `bench.ex.${String(e).padStart(2, '0')}`;
export const queueName = (i) => `bench.pool.${String(i).padStart(5, '0')}`;
export const keyOf = (i) => `notifications.k${String(Math.floor(i / EXCHANGES) % KEYS).padStart(2, '0')}`;
/** Consumer j sits on queue poolOfConsumer(j): pools of 4 workers, every 40th queue. */
export const WORKERS_PER_POOL = 4;
export const poolOfConsumer = (j) => Math.floor(j / WORKERS_PER_POOL) * 40;

/** Creates vhost rmqp-bench-<hex> with permissions for the user; deletes it at cleanup. */
export async function createVhost(T) {
  const name = `rmqp-bench-${randomBytes(4).toString('hex')}`;
  const config = T.brokerConfig({ amqpUrl: process.env.RABBITMQ_URL ?? 'amqp://guest:guest@127.0.0.1:5672', managementUrl: process.env.RABBITMQ_MANAGEMENT_URL, vhost: name, timeoutMs: 120_000 });
  const admin = new T.ManagementClient(config);
  await admin.putVhost(name);
  // Registered right after creation: whatever fails later, the vhost goes.
  onCleanup(async () => {
    const t0 = performance.now();
    await admin.deleteVhost(name).catch((e) => console.error(`could not delete vhost ${name}: ${e.message}`));
    admin.dispose();
    console.error(`cleanup: vhost ${name} deleted (${Math.round(performance.now() - t0)} ms)`);
  });
  await admin.putPermissions(name, config.username);
  return { name, config, admin };
}

/**
 * Adds queues [from, to) bound to their exchanges, and consumers [from/10, to/10) (one per 10 queues, in pools of 4).
 * Returns the seconds it took. Consumers stay until cleanup (or until `state.close()`).
 */
export async function growLargeBroker(vh, state, from, to, { channels = 8, consumerConnections = 4, channelsPerConnection = 10 } = {}) {
  const t0 = performance.now();
  if (!state.setup) {
    const c = await connect(vh.name, 'bench-setup');
    const ch = await c.createChannel();
    for (let e = 0; e < EXCHANGES; e++) { await ch.assertExchange(exchangeName(e), 'topic', { durable: false }); }
    await ch.close();
    state.setup = c;
    state.consumerConns = [];
    for (let k = 0; k < consumerConnections; k++) { state.consumerConns.push({ conn: await connect(vh.name, `bench-app-${String.fromCharCode(97 + k)}`), channels: [] }); }
  }
  // Pipelined declares + binds, `channels` channels in parallel.
  const per = Math.ceil((to - from) / channels);
  await Promise.all(Array.from({ length: channels }, async (_, c) => {
    const lo = from + c * per;
    const hi = Math.min(to, lo + per);
    if (lo >= hi) { return; }
    const ch = await state.setup.createChannel();
    for (let i = lo; i < hi; i++) {
      ch.sendImmediately(defs.QueueDeclare, { ...Args.assertQueue(queueName(i), { durable: false }), nowait: true });
      ch.sendImmediately(defs.QueueBind, { ...Args.bindQueue(queueName(i), exchangeName(i % EXCHANGES), keyOf(i), {}), nowait: true });
    }
    const ok = await ch.checkQueue(queueName(hi - 1)); // returns after every frame before it was processed
    if (ok.queue !== queueName(hi - 1)) { throw new Error('unexpected declare-ok'); }
    await ch.close();
  }));
  const tQueues = performance.now();
  // Consumers: one per 10 queues, in pools of WORKERS_PER_POOL, spread over the consumer connections and their channels.
  const consumers = [];
  for (let j = Math.floor(from / 10); j < Math.floor(to / 10); j++) { consumers.push(j); }
  const byChannel = new Map();
  for (const j of consumers) {
    const k = Math.floor((j / (to / 10)) * state.consumerConns.length) % state.consumerConns.length;
    const slot = `${k}:${j % channelsPerConnection}`;
    if (!byChannel.has(slot)) { byChannel.set(slot, []); }
    byChannel.get(slot).push(j);
  }
  await Promise.all([...byChannel].map(async ([slot, js]) => {
    const [k, n] = slot.split(':').map(Number);
    const cc = state.consumerConns[k];
    cc.channels[n] ??= cc.conn.createChannel().then(async (ch) => { await ch.prefetch(10); return ch; });
    const ch = await cc.channels[n];
    for (const j of js) { await ch.consume(queueName(poolOfConsumer(j)), (m) => { if (m) { ch.ack(m); } }, { consumerTag: `bench.c${j}` }); }
  }));
  const t1 = performance.now();
  return { queueSeconds: (tQueues - t0) / 1000, consumerSeconds: (t1 - tQueues) / 1000, totalSeconds: (t1 - t0) / 1000 };
}

/** Waits until the management API shows `queues` queues and `consumers` consumers in the vhost (its stats lag ~5 s). */
export async function awaitManagementView(vh, queues, consumers) {
  const t0 = performance.now();
  await until(async () => {
    const page = await vh.admin.queuesPage(vh.name, { pageSize: 1, columns: ['name'] });
    return page.totalCount >= queues;
  }, `${queues} queues in the management API`, 120_000, 250);
  await until(async () => {
    const o = await vh.admin.get(`api/vhosts/${encodeURIComponent(vh.name)}/connections`, { columns: ['name'] });
    const cons = await vh.admin.get(`api/consumers/${encodeURIComponent(vh.name)}`, { columns: ['consumer_tag'] });
    return o.length > 0 && cons.length >= consumers;
  }, `${consumers} consumers in the management API`, 120_000, 500);
  return (performance.now() - t0) / 1000;
}
