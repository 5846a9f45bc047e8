/**
 * The route preview against the broker itself: for random (binding pattern, routing key) pairs on real topic
 * exchanges, route() must say "reaches the pool" exactly when the broker delivers the message and "unroutable"
 * exactly when the broker returns it (mandatory publish on a confirm channel). Seeded, so a failure reproduces:
 * ROUTE_SEED=<seed> reruns one case set.
 */
import * as assert from 'node:assert/strict';
import type * as amqp from 'amqplib';
import { route, routingTable, topicMatches } from '../../src/broker/routing';
import { TestVhost, freshVhost } from '../support/broker';

/** mulberry32: a tiny seeded PRNG. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const SEED = Number(process.env.ROUTE_SEED ?? 0x5eed);
const PAIRS = 200;

function words(rnd: () => number, alphabet: string[], max: number): string {
  const n = Math.floor(rnd() * (max + 1));
  return Array.from({ length: n }, () => alphabet[Math.floor(rnd() * alphabet.length)]).join('.');
}

/** Patterns mix literal words, empty words, `*` and `#`; keys use literal and empty words. 0 words = "". */
export function randomPairs(seed: number, n: number): [string, string][] {
  const rnd = prng(seed);
  return Array.from({ length: n }, () => [words(rnd, ['a', 'b', '', '*', '#'], 4), words(rnd, ['a', 'b', ''], 4)] as [string, string]);
}

/** Edge cases worth having every time, whatever the seed. */
const FIXED: [string, string][] = [
  ['*', ''], ['#', ''], ['', ''], ['#.#', ''], ['*.#', ''], ['#.*', ''], ['', 'a'], ['*', '.'], ['', '.'], ['*.*', '.'],
  ['#', 'a.b.c'], ['a.#', 'a'], ['#.a', 'a'], ['a.#.b', 'a.b'], ['a.*.b', 'a.b'], ['#.#.a', 'a'], ['a.', 'a.'], ['.a', 'a'],
];

describe('route preview agrees with the broker (topic exchanges)', function () {
  this.timeout(60_000);
  let v: TestVhost;
  let ch: amqp.ConfirmChannel;

  before(async () => {
    v = await freshVhost('route');
    ch = await (await v.connect('route-preview-test')).createConfirmChannel();
  });
  after(async () => { await v?.cleanup(); });

  it(`${PAIRS} random (pattern, key) pairs plus ${FIXED.length} edge cases, seed ${SEED}`, async () => {
    const pairs = [...randomPairs(SEED, PAIRS), ...FIXED];
    // One exchange and one queue per pair, so each publish tests exactly one binding.
    const name = (i: number) => `rp-${i}`;
    await Promise.all(pairs.flatMap(([pattern], i) => [
      ch.assertExchange(name(i), 'topic', { durable: false }),
      ch.assertQueue(name(i), { durable: false }),
      ch.bindQueue(name(i), name(i), pattern),
    ]));

    const returned = new Set<string>();
    ch.on('return', (m: amqp.Message) => returned.add(m.fields.exchange));
    pairs.forEach(([, key], i) => ch.publish(name(i), key, Buffer.from(String(i)), { mandatory: true }));
    await ch.waitForConfirms(); // basic.return precedes the confirm, so every return has arrived

    // The preview works from what the management API reports, as the CLI's `route` does.
    const [exchanges, bindings, queues] = await Promise.all([
      v.client.exchanges(v.name, ['name', 'type', 'arguments']), v.client.bindings(v.name), v.client.queues(v.name, ['name']),
    ]);
    const table = routingTable(exchanges, bindings, queues);

    const disagreements: string[] = [];
    let matched = 0;
    for (const [i, [pattern, key]] of pairs.entries()) {
      const depth = (await ch.checkQueue(name(i))).messageCount;
      const delivered = depth === 1;
      const brokerSays = delivered && !returned.has(name(i));
      assert.ok(delivered !== returned.has(name(i)), `pair ${i}: the broker both delivered (${depth}) and returned, or neither`);
      const predicted = route(table, name(i), key).pools;
      const previewSays = predicted.length === 1 && predicted[0] === name(i);
      if (brokerSays) { matched++; }
      if (brokerSays !== previewSays || topicMatches(pattern, key) !== brokerSays) {
        disagreements.push(`pattern ${JSON.stringify(pattern)} key ${JSON.stringify(key)}: broker ${brokerSays ? 'delivers' : 'returns'}, route() says ${previewSays ? 'delivers' : 'unroutable'}`);
      }
    }
    // The cases must exercise both outcomes, or agreement means nothing.
    assert.ok(matched > 20 && matched < pairs.length - 20, `only ${matched} of ${pairs.length} pairs matched: the generator is too one-sided`);
    assert.deepEqual(disagreements, [], `seed ${SEED}: route() and RabbitMQ disagree on ${disagreements.length} pair(s)`);
  });
});
