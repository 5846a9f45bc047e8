/**
 * deliveryLimitOf / deliveryLimitInfo on 3.10-like and 4.x-like queue JSON: RabbitMQ 4.0 gave quorum queues a default
 * delivery limit of 20 (peekRules.ts cites the source); the 4.x shapes come from test/fixtures/rmq4/quorum-stats-disabled.json.
 */
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { deliveryLimitInfo, deliveryLimitOf, majorVersion, sideEffectsOf } from '../../src/broker/peekRules';

interface FixtureQueue { name: string; type?: string; arguments?: Record<string, unknown>; effective_policy_definition?: Record<string, unknown> | null; delivery_limit?: unknown }
const fixture = JSON.parse(fs.readFileSync(path.join(__dirname, '..', 'fixtures', 'rmq4', 'quorum-stats-disabled.json'), 'utf8')) as { queues: FixtureQueue[] };
const quorum = fixture.queues.filter((q) => q.type === 'quorum');
/** The same queue as a broker with management stats on reports it: no `delivery_limit` field. */
const statsOn = (q: FixtureQueue): FixtureQueue => { const { delivery_limit: _dl, ...rest } = q; return rest; };

describe('peek: a quorum queue\'s delivery limit on 3.10 and 4.x', () => {
  it('3.10-like: only the argument and the policy count; nothing set is no limit', () => {
    assert.strictEqual(deliveryLimitOf({ arguments: { 'x-queue-type': 'quorum' }, effective_policy_definition: {} }, '3.10.8'), undefined);
    assert.strictEqual(deliveryLimitOf({ arguments: { 'x-delivery-limit': 5 }, effective_policy_definition: { 'delivery-limit': 3 } }, '3.10.8'), 3);
    assert.strictEqual(deliveryLimitOf({ arguments: { 'x-delivery-limit': '7' } }), 7);
    assert.deepStrictEqual(deliveryLimitInfo({ arguments: {} }, '3.10.8'), { limit: undefined, assumedDefault: false });
    assert.strictEqual(sideEffectsOf('quorum', undefined).needsConsent, false);
  });

  it('4.x-like (fixture): the reported delivery_limit wins; without it nothing set means the default of 20, assumed and said', () => {
    assert.ok(quorum.length >= 2, 'the fixture has quorum queues');
    for (const q of quorum) {
      assert.strictEqual(deliveryLimitOf(q, '4.3.5'), q.delivery_limit, q.name);
      assert.strictEqual(deliveryLimitOf(statsOn(q), '4.3.5'), q.delivery_limit, `${q.name} with stats on`);
    }
    const bare = quorum.find((q) => !q.effective_policy_definition?.['delivery-limit'] && q.arguments?.['x-delivery-limit'] === undefined);
    assert.ok(bare, 'the fixture has a quorum queue with no limit set');
    const info = deliveryLimitInfo(statsOn(bare), '4.3.5');
    assert.deepStrictEqual(info, { limit: 20, assumedDefault: true });
    const fx = sideEffectsOf('quorum', info.limit, info.assumedDefault);
    assert.strictEqual(fx.needsConsent, true);
    assert.match(fx.summary, /delivery limit of 20 \(none is set, so this is the default RabbitMQ 4\.x applies/);
    assert.doesNotMatch(sideEffectsOf('quorum', 20).summary, /none is set/);
    // Same queue JSON on a 3.x broker (or version unknown): no limit, as before.
    assert.strictEqual(deliveryLimitOf(statsOn(bare), '3.13.7'), undefined);
    assert.strictEqual(deliveryLimitOf(statsOn(bare)), undefined);
  });

  it('4.x: a negative limit means unlimited (the max of argument and policy when either is negative)', () => {
    assert.strictEqual(deliveryLimitOf({ arguments: { 'x-delivery-limit': -1 } }, '4.0.1'), undefined);
    assert.strictEqual(deliveryLimitOf({ arguments: { 'x-delivery-limit': -1 }, effective_policy_definition: { 'delivery-limit': 5 } }, '4.0.1'), 5);
    assert.strictEqual(deliveryLimitOf({ arguments: { 'x-delivery-limit': 9 }, effective_policy_definition: { 'delivery-limit': 5 } }, '4.1.0'), 5);
    assert.strictEqual(deliveryLimitOf({ delivery_limit: -1 }, '4.1.0'), undefined);
    assert.strictEqual(majorVersion('4.3.5'), 4);
    assert.strictEqual(majorVersion('3.10.8'), 3);
    assert.strictEqual(majorVersion(undefined), undefined);
  });
});
