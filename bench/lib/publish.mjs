// Figure 2: publishing test notifications with confirms, 1 KiB oslo envelopes, through NotificationPublisher
// (src/broker/publisher.ts) against a raw amqplib confirm-channel loop with the same in-flight window, same exchange,
// queue and message flags (persistent, mandatory, message id). The raw loop publishes one prebuilt 1 KiB body: the
// toughest baseline (the publisher builds a fresh envelope with a UUID per message). The window is the publisher's default
// (5,000 unconfirmed messages). Besides throughput, each run records the client's CPU time (process.cpuUsage), which the
// other load on the machine does not distort as much; ratios are also taken per adjacent (raw, ours) pair.
import { randomUUID } from 'node:crypto';
import { connect, summary, median } from './common.mjs';

export const WINDOW = 5000;
const EXCHANGE = 'bench.publish';
const QUEUE = 'bench.publish.q';
const KEY = 'notifications.info';

/** A payload template that makes the publisher's oslo envelope exactly `size` bytes. */
export function paddedTemplate(T, size = 1024) {
  const probe = (pad) => T.prepareMessages({ exchange: EXCHANGE, routingKey: KEY, count: 1, payloadTemplate: JSON.stringify({ pad }) })(1, '5b0b6c8e-8f0a-4b8e-9d53-2b8d1c2f3a4b', Date.now());
  const base = probe('').length;
  const template = JSON.stringify({ pad: 'x'.repeat(size - base) });
  const len = T.prepareMessages({ exchange: EXCHANGE, routingKey: KEY, count: 1, payloadTemplate: template })(1, '5b0b6c8e-8f0a-4b8e-9d53-2b8d1c2f3a4b', Date.now()).length;
  if (len !== size) { throw new Error(`envelope is ${len} bytes, wanted ${size}`); }
  // The publisher's oslo fast path must give exactly what the general encoder gives.
  const id = '0c6f0d8e-2b7a-4c1e-9a55-7f3d2e1b4a60';
  const now = Date.now();
  const fast = T.prepareMessages({ exchange: EXCHANGE, routingKey: KEY, count: 1, payloadTemplate: template })(7, id, now);
  const slow = T.encodeBuffer(T.makeNotification({ message_id: id, event_type: 'compute.instance.create.end', publisher_id: 'rmq-pools.test', priority: 'INFO', payload: JSON.parse(template), timestamp: new Date(now).toISOString().replace('T', ' ').replace('Z', '000') }));
  if (!fast.equals(slow)) { throw new Error('the publisher\'s envelope differs from encodeBuffer(makeNotification(…))'); }
  return { template, body: probe('x'.repeat(size - base)) };
}

/**
 * `sameProps`: the properties the publisher sets on a test notification (a 36-character UUID as message id, content type
 * and encoding; no app id, no header) instead of the bare loop's (a counter as message id, app id): separates what the message format costs (client encoding and
 * broker parsing) from what the publisher's code costs.
 */
async function rawPublish(vh, count, body, sameProps = false) {
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  const c = await connect(vh.name, 'bench-raw-publisher');
  const ch = await c.createConfirmChannel();
  const props = { persistent: true, mandatory: true, contentType: 'application/json', contentEncoding: 'utf-8', appId: 'bench' };
  let sent = 0;
  let confirmed = 0;
  let inFlight = 0;
  let blocked = false;
  await new Promise((resolve, reject) => {
    const onConfirm = (err) => {
      inFlight--;
      confirmed++;
      if (err) { reject(err); return; }
      if (confirmed === count) { resolve(); return; }
      if (!blocked) { pump(); }
    };
    const pump = () => {
      while (sent < count && inFlight < WINDOW) {
        inFlight++;
        sent++;
        const p = sameProps
          ? { persistent: true, mandatory: true, contentType: 'application/json', contentEncoding: 'utf-8', messageId: randomUUID() }
          : { ...props, messageId: String(sent) };
        if (!ch.publish(EXCHANGE, KEY, body, p, onConfirm)) {
          blocked = true;
          ch.once('drain', () => { blocked = false; pump(); });
          return;
        }
      }
    };
    pump();
  });
  await c.closeNow();
  return { seconds: (performance.now() - t0) / 1000, confirmed, cpuUs: cpuOf(cpu0) };
}

const cpuOf = (c0) => { const c = process.cpuUsage(c0); return c.user + c.system; };

async function oursPublish(T, vh, count, template) {
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  const r = await T.publishNotifications(vh.config, { exchange: EXCHANGE, routingKey: KEY, count, payloadTemplate: template, maxInFlight: WINDOW, connectionName: 'bench-publisher' });
  return { seconds: (performance.now() - t0) / 1000, confirmed: r.confirmed, unroutable: r.unroutable, innerSeconds: r.seconds, cpuUs: cpuOf(cpu0) };
}

export async function benchPublish(T, vh, { count, reps }) {
  const { template, body } = paddedTemplate(T);
  const c = await connect(vh.name, 'bench-publish-admin');
  const ch = await c.createChannel();
  await ch.assertExchange(EXCHANGE, 'direct', { durable: true });
  await ch.assertQueue(QUEUE, { durable: true });
  await ch.bindQueue(QUEUE, EXCHANGE, KEY);
  const check = async (n, what) => {
    const q = await ch.checkQueue(QUEUE);
    if (q.messageCount !== n) { throw new Error(`${what}: ${q.messageCount} messages in the queue, expected ${n}`); }
    await ch.purgeQueue(QUEUE);
  };
  // warm-up, not counted
  await rawPublish(vh, Math.min(count, 5000), body); await check(Math.min(count, 5000), 'raw warm-up');
  await oursPublish(T, vh, Math.min(count, 5000), template); await check(Math.min(count, 5000), 'warm-up');
  const raw = [];
  const ours = [];
  const rawCpu = [];
  const oursCpu = [];
  const same = [];
  const sameCpu = [];
  for (let r = 0; r < reps; r++) {
    const runRaw = async () => { const x = await rawPublish(vh, count, body); await check(count, 'raw'); raw.push(count / x.seconds); rawCpu.push(x.cpuUs / count); };
    const runSame = async () => { const x = await rawPublish(vh, count, body, true); await check(count, 'raw, same properties'); same.push(count / x.seconds); sameCpu.push(x.cpuUs / count); };
    const runOurs = async () => {
      const x = await oursPublish(T, vh, count, template);
      if (x.confirmed !== count || x.unroutable) { throw new Error(`publisher: ${x.confirmed} confirmed, ${x.unroutable} unroutable`); }
      await check(count, 'publisher');
      ours.push(count / x.seconds);
      oursCpu.push(x.cpuUs / count);
    };
    if (r % 2 === 0) { await runRaw(); await runOurs(); await runSame(); } else { await runSame(); await runOurs(); await runRaw(); }
  }
  await ch.deleteQueue(QUEUE);
  await c.closeNow();
  const res = {
    count, window: WINDOW, bodyBytes: body.length, raw: summary(raw), ours: summary(ours),
    rawSameProperties: summary(same),
    cpuUsPerMessage: { raw: summary(rawCpu), ours: summary(oursCpu), rawSameProperties: summary(sameCpu) },
  };
  res.ratioSameProperties = median(ours) / median(same);
  res.ratio = median(ours) / median(raw);
  res.pairRatio = summary(ours.map((o, i) => o / raw[i]));
  return res;
}
