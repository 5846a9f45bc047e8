import * as assert from 'assert';
import { firstDeath, readDeaths } from '../../src/broker/deaths';

describe('deaths: reading x-death', () => {
  const xDeath = [
    { count: 2, reason: 'expired', queue: 'retry', time: { '!': 'timestamp', value: 1_765_000_100 }, exchange: 'dlx', 'routing-keys': ['ceilometer'] },
    { count: 1, reason: 'rejected', queue: 'ceilometer', time: { '!': 'timestamp', value: 1_765_000_000 }, exchange: 'nova', 'routing-keys': ['notifications.info'] },
  ];

  it('reads every entry, newest first, with the time as ISO 8601', () => {
    const d = readDeaths({ 'x-death': xDeath });
    assert.deepStrictEqual(d, [
      { reason: 'expired', queue: 'retry', exchange: 'dlx', routingKeys: ['ceilometer'], count: 2, time: '2025-12-06T05:48:20.000Z' },
      { reason: 'rejected', queue: 'ceilometer', exchange: 'nova', routingKeys: ['notifications.info'], count: 1, time: '2025-12-06T05:46:40.000Z' },
    ]);
  });

  it('the first death is the oldest entry: where the message came from', () => {
    const first = firstDeath(readDeaths({ 'x-death': xDeath }));
    assert.strictEqual(first?.queue, 'ceilometer');
    assert.strictEqual(first?.exchange, 'nova');
    assert.strictEqual(firstDeath([]), undefined);
  });

  it('has nothing to say of a message without x-death, or with a malformed one', () => {
    assert.deepStrictEqual(readDeaths(undefined), []);
    assert.deepStrictEqual(readDeaths({}), []);
    assert.deepStrictEqual(readDeaths({ 'x-death': 'rejected' }), []);
    const odd = readDeaths({ 'x-death': [null, 7, { reason: 5, 'routing-keys': ['a', 3] }] });
    assert.deepStrictEqual(odd, [{ reason: 'unknown', queue: '', exchange: '', routingKeys: ['a'], count: 0 }]);
  });
});
