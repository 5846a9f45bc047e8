/** The Delivery Counts panel's freshness line and local pool notes: which half of the broker is down. No broker. */
import * as assert from 'node:assert/strict';
import { ago, freshnessLine, localPoolNote } from '../../src/viewModel/freshness';
import type { PoolRow } from '../../src/viewModel/panelProtocol';

const row = (name: string, source: PoolRow['source']): PoolRow => ({
  name, source, workers: 1, delivered: 0, acked: 0, redelivered: 0, ratePerSecond: 0, workerCounts: [], at: 0, approximate: source === 'remote',
});
const NOW = 1_000_000;
const ERR = 'The broker answers on AMQP (127.0.0.1:5672) but its management API at http://127.0.0.1:15672 refuses connections. Enable the plugin';

describe('panel freshness line', () => {
  it('says where the numbers come from while the management API answers (the UI test reads "…, N s ago, approximate")', () => {
    assert.equal(freshnessLine([row('a', 'local')], NOW - 3000, undefined, NOW), 'Pools with local workers: exact, live. Ready / unacked: from the management API, 3 s ago.');
    assert.equal(freshnessLine([row('a', 'local'), row('b', 'remote')], NOW - 3000, undefined, NOW),
      'Pools with local workers: exact, live. Other pools: from the management API, 3 s ago, approximate.');
    assert.equal(freshnessLine([], undefined, undefined, NOW), 'Other pools: from the management API, not yet, approximate.');
    assert.equal(freshnessLine([row('a', 'local')], undefined, undefined, NOW), 'Pools with local workers: exact, live.');
  });

  it('names the management API as the down half first, with only local pools too, and says local pools still count over AMQP', () => {
    const line = freshnessLine([row('a', 'local')], NOW - 12_000, ERR, NOW);
    assert.equal(line, `The management API (HTTP) could not be read; the panel retries by itself every few seconds: ${ERR}. `
      + 'Pools with local workers: still exact and live (counted over AMQP). Ready / unacked: last read from the management API 12 s ago.');
    const mixed = freshnessLine([row('a', 'local'), row('b', 'remote')], NOW - 5000, 'x failed.', NOW);
    assert.match(mixed, /retries by itself every few seconds: x failed\. Pools with local/, 'no doubled full stop');
    assert.match(mixed, /Other pools and ready \/ unacked: last read from the management API 5 s ago\.$/);
    const never = freshnessLine([row('b', 'remote')], undefined, 'x', NOW);
    assert.equal(never, 'The management API (HTTP) could not be read; the panel retries by itself every few seconds: x.', 'no local pools, never read');
  });

  it('ago counts seconds, then minutes', () => {
    assert.equal(ago(undefined, NOW), 'not yet');
    assert.equal(ago(NOW + 500, NOW), '0 s ago');
    assert.equal(ago(NOW - 61_000, NOW), '1 min 1 s ago');
  });
});

describe('panel local pool note', () => {
  it('is empty while the pool runs', () => {
    assert.equal(localPoolNote({ status: 'running', lastMessage: 'Pool "a" reconnected; its counts were kept' }, 'answers'), undefined);
  });

  it('a lost AMQP connection: says so, that the workers come back by themselves, and whether the management API answers', () => {
    const msg = 'Pool "a" lost its connection (Socket closed). It reconnects by itself with backoff; counts are kept';
    assert.equal(localPoolNote({ status: 'reconnecting', lastMessage: msg }, 'answers'),
      `AMQP connection lost: the workers reconnect by themselves; counts so far are kept. The management API still answers. (${msg})`);
    assert.match(localPoolNote({ status: 'reconnecting' }, 'down')!, /kept\. The management API does not answer either\.$/);
    assert.equal(localPoolNote({ status: 'reconnecting' }, 'unknown'), 'AMQP connection lost: the workers reconnect by themselves; counts so far are kept.');
  });

  it('other states keep their status and message', () => {
    assert.equal(localPoolNote({ status: 'queue-deleted', lastMessage: 'gone' }, 'answers'), 'queue-deleted: gone');
    assert.equal(localPoolNote({ status: 'failed' }, 'answers'), 'failed');
  });
});
