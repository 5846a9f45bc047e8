/**
 * route() against the broker itself: a topic exchange with a few dozen random binding patterns (one queue each, some
 * queues bound twice), random routing keys published with mandatory and confirms, then every queue drained with
 * basic.get. Where each message really went must be exactly what route() predicts, and a message comes back
 * unroutable exactly when route() predicts no pool. Seeded: a failure prints the seed (ROUTING_SEED=… to replay).
 */
import assert from 'node:assert/strict';
import type { ConfirmChannel, Message } from 'amqplib';
import { route, routingTable } from '../../src/broker/routing';
import { TestVhost, freshVhost } from '../support/broker';

/** mulberry32: small, seedable. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('routing cross-check: route() vs the broker (topic)', function () {
  this.timeout(120_000);
  const seed = Number(process.env.ROUTING_SEED ?? Math.floor(Math.random() * 1e9));
  const random = rng(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)];
  const words = (alphabet: readonly string[], max: number) => Array.from({ length: Math.floor(random() * (max + 1)) }, () => pick(alphabet)).join('.');

  let v: TestVhost;
  let ch: ConfirmChannel;
  const patterns: string[] = [];
  const keys: string[] = [];

  before(async () => {
    v = await freshVhost('routecheck');
    const conn = await v.connect('rmq-pools-routing-cross-check');
    ch = await conn.createConfirmChannel();
    await ch.assertExchange('x', 'topic', { durable: false });
    // Patterns over a small alphabet so that they often match: words, "*", "#" and the empty word.
    // No pattern of "#" with only wildcards ("#", "*.#", "#.*.#" match every non-empty key), so that unroutable keys occur too.
    const fixed = ['*', '', 'a.#.b', '*.*', '#.*.b', 'a..b', 'a*b', '#.a'];
    while (patterns.length < 36) {
      const p = patterns.length < fixed.length ? fixed[patterns.length] : words(['a', 'b', 'c', '*', '#', '', 'a*b'], 4);
      if (!patterns.includes(p) && !(p.split('.').includes('#') && p.split('.').every((w) => w === '#' || w === '*'))) { patterns.push(p); }
    }
    for (let i = 0; i < patterns.length; i++) {
      await ch.assertQueue(`q${i}`, { durable: false });
      await ch.bindQueue(`q${i}`, 'x', patterns[i]);
    }
    // Some queues bound a second time: still one copy per queue.
    for (let i = 0; i < 6; i++) { await ch.bindQueue(`q${i}`, 'x', patterns[(i + 7) % patterns.length]); }
    // '' always reaches the '' pattern; seven unknown words never match (patterns have at most 4 words and no bare '#').
    const fixedKeys = ['', '.', 'a', 'a.b', 'a..b', 'a.x.y.b', '.a', 'a.', 'a*b', 'c.c.c.c', 'zz.zz.zz.zz.zz.zz.zz'];
    while (keys.length < 140) { keys.push(keys.length < fixedKeys.length ? fixedKeys[keys.length] : words(['a', 'b', 'c', '', 'a*b', 'd'], 5)); }
  });
  after(async () => { await v?.cleanup(); });

  it(`≥ 100 random (bindings, key) pairs: where messages went = route() (seed ${seed})`, async () => {
    const returned = new Set<number>();
    ch.on('return', (m: Message) => returned.add(Number(m.content.toString())));
    for (let i = 0; i < keys.length; i++) {
      ch.publish('x', keys[i], Buffer.from(String(i)), { mandatory: true });
    }
    await ch.waitForConfirms();

    const delivered = new Map<number, string[]>();
    let total = 0;
    for (let i = 0; i < patterns.length; i++) {
      const q = `q${i}`;
      const expected = (await ch.checkQueue(q)).messageCount;
      let got = 0;
      for (;;) {
        const m = await ch.get(q, { noAck: true });
        if (!m) { break; }
        const n = Number(m.content.toString());
        delivered.set(n, [...(delivered.get(n) ?? []), q]);
        total++;
        got++;
      }
      assert.equal(got, expected, `${q}: basic.get drained what checkQueue counted`);
      assert.equal((await ch.checkQueue(q)).messageCount, 0);
    }

    const [exchanges, bindings, queues] = await Promise.all([v.client.exchanges(v.name, ['name', 'type', 'arguments']), v.client.bindings(v.name), v.client.queues(v.name, ['name'])]);
    const table = routingTable(exchanges, bindings, queues);
    assert.equal(table.bindings.length, patterns.length + 6);

    const mismatches: string[] = [];
    let predictedTotal = 0;
    for (let i = 0; i < keys.length; i++) {
      const real = [...(delivered.get(i) ?? [])].sort();
      const predicted = route(table, 'x', keys[i]).pools;
      predictedTotal += predicted.length;
      if (JSON.stringify(real) !== JSON.stringify(predicted)) {
        const show = (qs: string[]) => qs.map((q) => `${q}=${JSON.stringify(patterns[Number(q.slice(1))])}`).join(' ');
        mismatches.push(`key ${JSON.stringify(keys[i])}: broker [${show(real)}] route() [${show(predicted)}]`);
      }
      assert.equal(new Set(real).size, real.length, 'the broker delivered one copy per queue');
      assert.equal(returned.has(i), predicted.length === 0, `key ${JSON.stringify(keys[i])}: returned=${returned.has(i)}, predicted ${predicted.length} pools`);
    }
    assert.deepEqual(mismatches, [], `seed ${seed}`);
    assert.equal(total, predictedTotal);
    assert.ok(keys.length * patterns.length >= 100);
    // the test means something only if both outcomes occur
    assert.ok(returned.size > 0 && returned.size < keys.length, `returned ${returned.size} of ${keys.length}`);
  });
});
