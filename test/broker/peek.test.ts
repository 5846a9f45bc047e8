/**
 * Peek Messages against the real broker: what a peek does to classic, quorum and stream pools (peekRules.ts), that it
 * loses and reorders nothing (also under a consuming worker), that bad input reads nothing, and the CLI's --json contract.
 */
import assert from 'node:assert/strict';
import type { ConfirmChannel } from 'amqplib';
import type { BrokerError } from '../../src/broker/errors';
import { peekMessages } from '../../src/broker/peek';
import { encodeBuffer, makeNotification } from '../../src/broker/oslo';
import { TestVhost, freshVhost, runCli, until } from '../support/broker';

describe('peek messages', function () {
  this.timeout(90_000);
  let v: TestVhost;
  let ch: ConfirmChannel;

  before(async () => {
    v = await freshVhost('peek');
    ch = await (await v.connect('peek-test-setup')).createConfirmChannel();
  });
  after(async () => { await v?.cleanup(); });

  async function fill(queue: string, n: number, args: Record<string, unknown> = {}): Promise<void> {
    await ch.assertQueue(queue, { durable: true, arguments: args });
    for (let i = 0; i < n; i++) {
      ch.sendToQueue(queue, Buffer.from(JSON.stringify({ seq: i })), { persistent: true, contentType: 'application/json', messageId: `m-${i}` });
    }
    await ch.waitForConfirms();
  }

  /** Takes every message (acked) and returns their seq numbers in order. */
  async function drain(queue: string): Promise<number[]> {
    const seqs: number[] = [];
    for (;;) {
      const m = await ch.get(queue, { noAck: true });
      if (m === false) { return seqs; }
      seqs.push((JSON.parse(m.content.toString()) as { seq: number }).seq);
    }
  }

  const ready = async (queue: string) => (await ch.checkQueue(queue)).messageCount;
  const range = (n: number) => Array.from({ length: n }, (_, i) => i);

  for (const type of ['classic', 'quorum'] as const) {
    it(`${type}: peek 10 of 1,000 leaves 1,000 ready in the same order, the 10 marked redelivered`, async () => {
      const q = `peek-1000-${type}`;
      await fill(q, 1000, { 'x-queue-type': type });
      const r = await peekMessages(v.config, v.client, { pool: q, count: 10 });
      assert.equal(r.queueType, type);
      assert.deepEqual(r.messages.map((m) => JSON.parse(m.body.data).seq), range(10));
      assert.deepEqual(r.messages.map((m) => m.properties.messageId), range(10).map((i) => `m-${i}`));
      assert.equal(r.sideEffects.removes, false);
      assert.equal(r.sideEffects.deliveryCountRaised, type === 'quorum');
      assert.equal(await until(async () => (await ready(q)) === 1000 || undefined, '1,000 ready again'), true);
      // A second peek sees what the first put back: redelivered, and on a quorum queue one more delivery.
      const again = await peekMessages(v.config, v.client, { pool: q, count: 10 });
      assert.deepEqual(again.messages.map((m) => m.redelivered), range(10).map(() => true));
      if (type === 'quorum') { assert.deepEqual(again.messages.map((m) => m.deliveryCount), range(10).map(() => 1)); }
      for (let i = 0; i < 3; i++) { await peekMessages(v.config, v.client, { pool: q, count: 50 }); }
      assert.deepEqual(await drain(q), range(1000), 'all 1,000, in their order');
    });
  }

  for (const type of ['classic', 'quorum'] as const) {
  it(`${type}: a pool a worker consumes from (and acks) while it is peeked loses nothing`, async () => {
    const q = `peek-busy-${type}`;
    const n = 2000;
    await fill(q, n, { 'x-queue-type': type });
    const wch = await (await v.connect('peek-test-worker')).createChannel();
    await wch.prefetch(20);
    const seen = new Set<number>();
    let acked = 0;
    let pending = 0;
    await wch.consume(q, (m) => {
      if (!m) { return; }
      seen.add((JSON.parse(m.content.toString()) as { seq: number }).seq);
      pending++;
      // Slow enough that the peeks run while the worker is busy.
      setTimeout(() => { wch.ack(m); acked++; pending--; }, 2);
    });
    let peeked = 0;
    for (let i = 0; i < 5; i++) { peeked += (await peekMessages(v.config, v.client, { pool: q, count: 50 })).messages.length; }
    assert.ok(peeked > 0, 'the peeks read messages while the worker consumed');
    await until(() => seen.size === n && pending === 0, `the worker got and acked all ${n}`, 60_000);
    assert.ok(acked >= n, 'every message was acked by the worker (redeliveries of peeked ones may repeat)');
    assert.equal(await ready(q), 0);
    assert.deepEqual([...seen].sort((a, b) => a - b), range(n), 'consumed + left = published: nothing lost');
    await until(() => pending === 0, 'the worker\'s last acks');
    await wch.close();
  });
  }

  it('quorum with a delivery limit: refused without consent (nothing read); with consent a message at the limit is counted as lost', async () => {
    const q = 'peek-limit';
    await fill(q, 3, { 'x-queue-type': 'quorum', 'x-delivery-limit': 1 });
    await assert.rejects(peekMessages(v.config, v.client, { pool: q, count: 3 }), (e: BrokerError) => /delivery limit of 1.*--accept-delivery-count.*nothing was read/.test(e.describe()));
    assert.equal(await ready(q), 3);
    const head = await peekMessages(v.config, v.client, { pool: q, count: 3, acceptDeliveryCount: true });
    assert.deepEqual(head.messages.map((m) => m.deliveryCount ?? 0), [0, 0, 0], 'the refused peek used up no delivery');
    await until(async () => (await ready(q)) === 3 || undefined, '3 back after the first peek');
    assert.equal(head.sideEffects.needsConsent, true);
    assert.equal(head.pastDeliveryLimit, 0);
    // Each message now has one delivery used: a second peek pushes them past the limit of 1 (measured: dropped, no DLX).
    const second = await peekMessages(v.config, v.client, { pool: q, count: 3, acceptDeliveryCount: true });
    assert.equal(second.pastDeliveryLimit, 3);
    assert.equal(await until(async () => (await ready(q)) === 0 || undefined, 'dropped by the broker'), true);
  });

  it('stream: read by offset from the first message; nothing is taken', async () => {
    const q = 'peek-stream';
    await fill(q, 30, { 'x-queue-type': 'stream' });
    const r = await peekMessages(v.config, v.client, { pool: q, count: 10 });
    assert.equal(r.queueType, 'stream');
    assert.deepEqual(r.messages.map((m) => JSON.parse(m.body.data).seq), range(10));
    assert.deepEqual(r.messages.map((m) => m.streamOffset), range(10));
    const again = await peekMessages(v.config, v.client, { pool: q, count: 50 });
    assert.deepEqual(again.messages.map((m) => JSON.parse(m.body.data).seq), range(30), 'the whole stream, still from the start');
  });

  it('bad input: unknown pool, count 0 or 10,000,000 get a clear error and move nothing', async () => {
    const q = 'peek-bad';
    await fill(q, 5);
    await assert.rejects(peekMessages(v.config, v.client, { pool: 'no-such-pool', count: 5 }), new RegExp(`Pool "no-such-pool" does not exist in vhost "${v.name}"`));
    for (const count of ['0', '10000000', 'ten', '-3']) {
      const r = await runCli(['peek', '--pool', q, '--count', count, '--vhost', v.name]);
      assert.equal(r.code, 2, r.stderr);
      assert.match(r.stderr, /^rmq-pools peek: The peek count must be a whole number from 1 to 500, not ".*"\. .*nothing was read\n$/);
    }
    const missing = await runCli(['peek', '--pool', 'no-such-pool', '--vhost', v.name, '--json']);
    assert.equal(missing.code, 1);
    assert.deepEqual((missing.json as { error: { kind: string } }).error.kind, 'not-found');
    const c = await ch.checkQueue(q);
    assert.equal(c.messageCount, 5);
    const m = await ch.get(q, { noAck: true });
    assert.ok(m && !m.fields.redelivered, 'the head message was never taken');
  });

  it('CLI peek --json: the contract, with oslo fields, base64 bodies and deaths', async () => {
    const q = 'peek-cli';
    await ch.assertQueue(q, { durable: true });
    ch.sendToQueue(q, encodeBuffer(makeNotification({ event_type: 'compute.instance.delete.end', publisher_id: 'compute.host1', payload: { id: 7 } })), { contentType: 'application/json' });
    ch.sendToQueue(q, Buffer.from([0, 1, 2, 254, 255]), { timestamp: Math.floor(Date.now() / 1000) - 120 });
    ch.sendToQueue(q, Buffer.from('rejected'), { headers: { 'x-death': [{ reason: 'rejected', queue: 'work', exchange: 'nova', 'routing-keys': ['k'], count: 2 }] } });
    await ch.waitForConfirms();
    const r = await runCli(['peek', '--pool', q, '--vhost', v.name, '--json']);
    assert.equal(r.code, 0, r.stderr);
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- a JSON document read field by field
    const doc = r.json as Record<string, any>;
    assert.equal(doc.vhost, v.name);
    assert.equal(doc.pool, q);
    assert.equal(doc.queueType, 'classic');
    assert.equal(doc.messages.length, 3);
    const [oslo, bin, dead] = doc.messages;
    assert.equal(oslo.oslo.event_type, 'compute.instance.delete.end');
    assert.equal(oslo.oslo.publisher_id, 'compute.host1');
    assert.deepEqual(oslo.oslo.payload, { id: 7 });
    assert.equal(oslo.ageSource, 'oslo-timestamp');
    assert.equal(oslo.body.encoding, 'text');
    assert.deepEqual(bin.body, { encoding: 'base64', data: Buffer.from([0, 1, 2, 254, 255]).toString('base64'), bytes: 5, truncated: false });
    assert.ok(bin.ageSeconds >= 119 && bin.ageSeconds < 180, String(bin.ageSeconds));
    assert.equal(bin.ageSource, 'amqp-timestamp');
    assert.deepEqual(dead.deaths, [{ reason: 'rejected', queue: 'work', exchange: 'nova', routingKeys: ['k'], count: 2 }]);
    assert.deepEqual(doc.deathSummary, [{ reason: 'rejected', pool: 'work', messages: 1, deaths: 2 }]);
    assert.equal(await ready(q), 3);
    const human = await runCli(['peek', '--pool', q, '--vhost', v.name]);
    assert.match(human.stdout, /^1 +\d+ s +peek-cli +compute\.instance\.delete\.end +\d+ +yes$/m);
  });
});
