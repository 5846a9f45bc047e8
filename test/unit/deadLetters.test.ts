/** Dead letters without a broker: resolution (argument vs policy, key fallback), the two diagnose rules, replay's target choice. */
import * as assert from 'node:assert/strict';
import type { ApiBinding, ApiQueue } from '../../src/broker/management';
import { buildTopology, Topology, topologyJson } from '../../src/broker/topology';
import { deadLetterConfigOf, deadLetterPathOf, deadLetterSourcesOf } from '../../src/broker/deadLetters';
import { deadLetterCycle, deadLetterFindings, deadLettersDropped } from '../../src/broker/deadLetterRules';
import { diagnose } from '../../src/broker/diagnose';
import { planTarget, replayHeaders, validateReplayCount, REPLAYED_HEADER } from '../../src/broker/replayPlan';
import { deadLetterPathLabel } from '../../src/viewModel/deadLetterText';
import type { Death } from '../../src/broker/deaths';

const V = 'v';
interface Q { name: string; args?: Record<string, unknown>; policy?: Record<string, unknown>; bind?: [string, string][]; ready?: number }

function topo(queues: Q[], exchanges: [string, string][] = [['orders', 'direct'], ['dlx', 'direct']]): Topology {
  const apiQueues: ApiQueue[] = queues.map((q) => ({
    name: q.name, vhost: V, messages: q.ready ?? 0, messages_ready: q.ready ?? 0, consumers: 0, arguments: q.args ?? {},
    ...(q.policy ? { policy: 'p', effective_policy_definition: q.policy } : {}),
  }));
  const bindings: ApiBinding[] = queues.flatMap((q) => (q.bind ?? []).map(([source, key]) => ({ source, vhost: V, destination: q.name, destination_type: 'queue' as const, routing_key: key })));
  return buildTopology({ vhost: V, exchanges: exchanges.map(([name, type]) => ({ name, type, vhost: V })), queues: apiQueues, bindings, consumers: [], connections: [] }, { includeSystemExchanges: true });
}
const pool = (t: Topology, n: string) => { const p = t.pools.find((q) => q.name === n); assert.ok(p, n); return p; };

describe('dead letters: resolution', () => {
  it('from the queue argument, with its key; from the policy when there is no argument; the argument wins', () => {
    assert.deepEqual(deadLetterConfigOf({ arguments: { 'x-dead-letter-exchange': 'dlx', 'x-dead-letter-routing-key': 'k' } }), { exchange: 'dlx', routingKey: 'k', from: 'argument' });
    assert.deepEqual(deadLetterConfigOf({ arguments: {}, effectivePolicy: { 'dead-letter-exchange': 'pdlx', 'dead-letter-routing-key': 'pk' } }), { exchange: 'pdlx', routingKey: 'pk', from: 'policy' });
    assert.deepEqual(deadLetterConfigOf({ arguments: { 'x-dead-letter-exchange': 'dlx' }, effectivePolicy: { 'dead-letter-exchange': 'pdlx', 'dead-letter-routing-key': 'pk' } }),
      { exchange: 'dlx', routingKey: 'pk', from: 'argument' }, 'each key on its own: the policy\'s key still applies');
    assert.deepEqual(deadLetterConfigOf({ arguments: { 'x-dead-letter-exchange': '' } }), { exchange: '', from: 'argument' }, 'the default exchange');
    assert.equal(deadLetterConfigOf({ arguments: { 'x-message-ttl': 1000 } }), undefined);
    assert.equal(deadLetterConfigOf({ arguments: { 'x-dead-letter-exchange': 42 } }), undefined, 'not a string: not a setting');
  });

  it('routes with the configured key, else the message\'s own keys (binding keys and the pool\'s name); sources and JSON', () => {
    const t = topo([
      { name: 'orders', args: { 'x-dead-letter-exchange': 'dlx', 'x-dead-letter-routing-key': 'dead' }, bind: [['orders', 'created']] },
      { name: 'payments', policy: { 'dead-letter-exchange': 'dlx' }, bind: [['orders', 'paid']] },
      { name: 'to-default', args: { 'x-dead-letter-exchange': '', 'x-dead-letter-routing-key': 'parking' } },
      { name: 'dlq', bind: [['dlx', 'dead']], ready: 7 },
      { name: 'paid-dlq', bind: [['dlx', 'paid']] },
      { name: 'parking' },
    ]);
    const o = deadLetterPathOf(t, pool(t, 'orders'));
    assert.deepEqual(o && { keys: o.keys, pools: o.pools, exists: o.exchangeExists }, { keys: ['dead'], pools: [{ name: 'dlq', messages: 7, ready: 7 }], exists: true });
    const p = deadLetterPathOf(t, pool(t, 'payments'));
    assert.deepEqual(p && { keys: p.keys, pools: p.pools.map((q) => q.name), from: p.from, key: p.routingKey }, { keys: ['paid', 'payments'], pools: ['paid-dlq'], from: 'policy', key: undefined });
    assert.deepEqual(deadLetterPathOf(t, pool(t, 'to-default'))?.pools.map((q) => q.name), ['parking']);
    assert.deepEqual(deadLetterSourcesOf(t, 'dlq'), ['orders']);
    assert.equal(deadLetterPathLabel(o!), 'Dead letters → dlx (key "dead") → dlq (7 ready)');
    assert.equal(deadLetterPathLabel(p!), 'Dead letters → dlx (the message\'s own routing keys) → paid-dlq (0 ready)');
    const json = topologyJson(t).pools;
    assert.deepEqual(json.find((q) => q.name === 'dlq')?.deadLetterSources, ['orders']);
    assert.deepEqual((json.find((q) => q.name === 'orders')?.deadLetter as { pools: unknown[] }).pools, [{ name: 'dlq', messages: 7, ready: 7 }]);
    assert.equal(json.find((q) => q.name === 'parking')?.deadLetter, undefined);
  });
});

describe('dead letters: diagnose rules', () => {
  it('dead-letters-dropped: the exchange does not exist, or it routes to no pool; not for a working path', () => {
    const t = topo([
      { name: 'missing', args: { 'x-dead-letter-exchange': 'nope' } },
      { name: 'nowhere', args: { 'x-dead-letter-exchange': 'dlx', 'x-dead-letter-routing-key': 'unbound' } },
      { name: 'fine', args: { 'x-dead-letter-exchange': 'dlx', 'x-dead-letter-routing-key': 'dead' } },
      { name: 'dlq', bind: [['dlx', 'dead']] },
    ]);
    const a = deadLettersDropped(t, pool(t, 'missing'));
    assert.equal(a?.severity, 'error');
    assert.match(a?.message ?? '', /exchange "nope", which does not exist .* silently lost/);
    const b = deadLettersDropped(t, pool(t, 'nowhere'));
    assert.match(b?.message ?? '', /with key "unbound", which reaches no pool/);
    assert.match(b?.action ?? '', /Bind a dead-letter pool to "dlx"/);
    assert.equal(deadLettersDropped(t, pool(t, 'fine')), undefined);
    assert.deepEqual(diagnose(t).filter((f) => f.kind === 'dead-letters-dropped').map((f) => f.pool), ['missing', 'nowhere']);
  });

  it('dead-letter-cycle: back to itself is a hot loop; through a TTL pool it is named as the delayed-retry pattern', () => {
    const t = topo([
      { name: 'self', args: { 'x-dead-letter-exchange': '', 'x-dead-letter-routing-key': 'self' } },
      { name: 'work', args: { 'x-dead-letter-exchange': 'dlx', 'x-dead-letter-routing-key': 'retry' }, bind: [['orders', 'work']] },
      { name: 'retry', args: { 'x-dead-letter-exchange': 'orders', 'x-dead-letter-routing-key': 'work', 'x-message-ttl': 5000 }, bind: [['dlx', 'retry']] },
      { name: 'plain', args: { 'x-dead-letter-exchange': 'dlx', 'x-dead-letter-routing-key': 'retry' } },
    ]);
    const self = deadLetterCycle(t, pool(t, 'self'));
    assert.equal(self?.severity, 'warning');
    assert.match(self?.message ?? '', /\("self" → "self"\) with no message TTL .* hot loop/);
    const work = deadLetterCycle(t, pool(t, 'work'));
    assert.match(work?.message ?? '', /\("work" → "retry" → "work"\) after the message TTL of "retry" \(5000 ms\): the delayed-retry pattern/);
    assert.match(work?.message ?? '', /only expires around the loop .* is dropped by the broker/);
    assert.equal(deadLetterCycle(t, pool(t, 'plain')), undefined, 'plain feeds the retry loop but is not on it');
    assert.deepEqual(deadLetterFindings(t).filter((f) => f.kind === 'dead-letter-cycle').map((f) => f.pool).sort(), ['retry', 'self', 'work']);
  });
});

describe('dead letters: at scale', () => {
  it('10,000 pools that dead-letter in one ring: topology JSON and diagnose stay linear (under 10 s; quadratic took 70 s), the loop named by its length', function () {
    this.timeout(20_000);
    const n = 10_000;
    const qs: Q[] = [];
    for (let i = 0; i < n; i++) {
      qs.push({ name: `q${i}`, args: i % 2 ? { 'x-dead-letter-exchange': 'dlx' } : { 'x-dead-letter-exchange': 'dlx', 'x-dead-letter-routing-key': `k${i}` }, bind: [['orders', `key.${i}`], ['dlx', `k${(i + n - 1) % n}`], ['dlx', `q${(i + n - 1) % n}`]] });
    }
    const t = topo(qs);
    const t0 = Date.now();
    const json = topologyJson(t);
    const cycles = diagnose(t).filter((f) => f.kind === 'dead-letter-cycle');
    const ms = Date.now() - t0;
    assert.ok(ms < 10_000, `${ms} ms (quadratic was 70 s)`);
    assert.equal(cycles.length, n);
    assert.match(cycles[0].message, /… 9999 more pools …/);
    assert.deepEqual(json.pools.find((q) => q.name === 'q6')?.deadLetterSources, ['q5']);
  });
});

describe('replay: target selection', () => {
  const death = (exchange: string, routingKeys: string[]): Death => ({ reason: 'rejected', queue: 'q', exchange, routingKeys, count: 1 });
  it('the first x-death entry\'s exchange and keys; the given target wins; its key or the original keys; no x-death and no target: refused', () => {
    assert.deepEqual(planTarget(death('orders', ['created', 'cc']), undefined, 'dead'), { ok: true, exchange: 'orders', keys: ['created', 'cc'] });
    assert.deepEqual(planTarget(death('orders', ['created']), { exchange: 'other', routingKey: 'k' }, 'dead'), { ok: true, exchange: 'other', keys: ['k'] });
    assert.deepEqual(planTarget(death('orders', ['created']), { exchange: 'other' }, 'dead'), { ok: true, exchange: 'other', keys: ['created'] });
    assert.deepEqual(planTarget(undefined, { exchange: 'other' }, 'dead'), { ok: true, exchange: 'other', keys: ['dead'] });
    assert.deepEqual(planTarget(death('', []), undefined, 'q'), { ok: true, exchange: '', keys: ['q'] });
    const none = planTarget(undefined, undefined, 'dead');
    assert.equal(none.ok, false);
    assert.match(!none.ok ? none.reason : '', /no x-death header/);
  });

  it('marks the copy with the replay count, keeping every other header; counts outside 1..100,000 are refused', () => {
    assert.deepEqual(replayHeaders({ a: 1, 'x-death': [] }), { a: 1, 'x-death': [], [REPLAYED_HEADER]: 1 });
    assert.equal(replayHeaders({ [REPLAYED_HEADER]: 2 })[REPLAYED_HEADER], 3);
    assert.equal(replayHeaders(undefined)[REPLAYED_HEADER], 1);
    for (const bad of [0, -1, 1.5, 100_001, 10_000_000, Number.NaN]) { assert.throws(() => validateReplayCount(bad), /out of range: nothing was moved/); }
    for (const ok of [undefined, 1, 100_000]) { assert.doesNotThrow(() => validateReplayCount(ok)); }
  });

  it('replayHeaders with an explicit routing key drops CC and BCC (they would route the copy by its old keys); without, keeps them', () => {
    const h = { CC: ['old.cc'], BCC: ['old.bcc'], a: 1 };
    assert.deepEqual(replayHeaders(h, true), { a: 1, [REPLAYED_HEADER]: 1 });
    assert.deepEqual(replayHeaders(h), { ...h, [REPLAYED_HEADER]: 1 });
    assert.deepEqual(h, { CC: ['old.cc'], BCC: ['old.bcc'], a: 1 });
  });
});
