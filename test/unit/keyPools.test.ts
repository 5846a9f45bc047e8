/** Paging a binding key's pools (and an exchange's keys) in memory, bounded detail lookups and their per-refresh cache. No broker. */
import * as assert from 'node:assert/strict';
import { BrokerError } from '../../src/broker/errors';
import type { ApiQueue } from '../../src/broker/management';
import { DETAIL_CONCURRENCY, DetailCache, PagesShown, mapLimit, pageOf } from '../../src/viewModel/keyPools';

const names = (n: number) => Array.from({ length: n }, (_, i) => `pool-${String(i).padStart(3, '0')}`);
const q = (name: string, messages = 0): ApiQueue => ({ name, vhost: '/', consumers: 0, messages });

/** A fetchOne that counts calls and in-flight requests, answering after `ms` (404 for names in `gone`). */
function fakeFetch(ms = 2, gone: string[] = []) {
  const s = { calls: [] as string[], inFlight: 0, maxInFlight: 0, depth: 0 };
  const fetchOne = async (n: string): Promise<ApiQueue> => {
    s.calls.push(n);
    s.inFlight++;
    s.maxInFlight = Math.max(s.maxInFlight, s.inFlight);
    try {
      await new Promise((r) => setTimeout(r, ms));
      if (gone.includes(n)) { throw new BrokerError('not-found', `Not found: ${n}`, 'Refresh'); }
      return q(n, s.depth);
    } finally { s.inFlight--; }
  };
  return { s, fetchOne };
}

describe('a binding key\'s pools, paged in memory (keyPools.ts)', () => {
  it('500 names at 200 a page: 200, then 400, then all 500 with no "more"', () => {
    const all = names(500);
    assert.deepEqual([1, 2, 3, 4].map((p) => { const r = pageOf(all, p, 200); return [r.shown, r.total, r.hasMore]; }),
      [[200, 500, true], [400, 500, true], [500, 500, false], [500, 500, false]]);
    assert.deepEqual(pageOf(all, 2, 200).items, all.slice(0, 400), 'in binding order, nothing skipped or repeated');
  });

  it('a small key is one page without "Load more"; odd sizes and an empty key are safe', () => {
    assert.deepEqual(pageOf(names(3), 1, 200), { items: names(3), shown: 3, total: 3, hasMore: false });
    assert.deepEqual(pageOf([], 1, 200), { items: [], shown: 0, total: 0, hasMore: false });
    assert.equal(pageOf(names(10), 0, 0).shown, 1, 'page size and pages at least 1');
    assert.equal(pageOf(names(10), 1, 2.7).shown, 2);
  });

  it('pages shown are counted per level and survive (a refresh keeps them, like PagedList)', () => {
    const p = new PagesShown();
    assert.equal(p.of('a'), 1);
    p.more('a'); p.more('a');
    assert.deepEqual([p.of('a'), p.of('b')], [3, 1]);
  });
});

describe('bounded lookups (mapLimit)', () => {
  it('keeps order and never has more than the limit in flight', async () => {
    const { s, fetchOne } = fakeFetch(3);
    const r = await mapLimit(names(30), 4, (n) => fetchOne(n));
    assert.deepEqual(r.map((x) => x.name), names(30));
    assert.equal(s.maxInFlight, 4);
  });

  it('the first failure rejects and stops starting new calls', async () => {
    let started = 0;
    await assert.rejects(mapLimit(names(50), 2, async (n, i) => { started++; await new Promise((r) => setTimeout(r, 1)); if (i === 3) { throw new Error(`boom ${n}`); } }), /boom pool-003/);
    assert.ok(started < 50, `stopped early (${started} started)`);
  });
});

describe('pool details for one refresh (DetailCache)', () => {
  it('fetches each name once, at most DETAIL_CONCURRENCY at a time, and answers later draws without a request', async () => {
    const { s, fetchOne } = fakeFetch();
    const c = new DetailCache(fetchOne);
    const page = names(200);
    assert.equal(c.peek(page), undefined, 'nothing known before the lookup');
    const [a, b] = await Promise.all([c.lookup(page), c.lookup(page.slice(0, 50))]);
    assert.equal(s.calls.length, 200, 'a concurrent lookup of the same names shares the requests');
    assert.equal(s.maxInFlight, DETAIL_CONCURRENCY);
    assert.equal(a.size, 200);
    assert.equal(b.size, 50);
    assert.equal(c.peek(page)?.size, 200);
    await c.lookup(page);
    assert.equal(s.calls.length, 200, 'cached for the rest of the generation');
  });

  it('a 404 is "missing", not a failure; other failures reject and are not cached (Retry asks again)', async () => {
    const { s, fetchOne } = fakeFetch(1, ['pool-001']);
    const c = new DetailCache(fetchOne);
    const r = await c.lookup(names(3));
    assert.equal(r.get('pool-001'), 'missing');
    assert.equal((r.get('pool-002') as ApiQueue).name, 'pool-002');
    let fail = true;
    const flaky = new DetailCache(async (n) => { if (fail) { throw new BrokerError('timeout', 'timed out', 'Retry'); } return fetchOne(n); });
    await assert.rejects(flaky.lookup(['x']), /timed out/);
    assert.equal(flaky.peek(['x']), undefined);
    fail = false;
    assert.equal(((await flaky.lookup(['x'])).get('x') as ApiQueue).name, 'x');
    assert.ok(s.calls.includes('x'));
  });

  it('a refresh drops every detail, and a lookup begun before it does not write old numbers into the new generation', async () => {
    const { s, fetchOne } = fakeFetch(5);
    const c = new DetailCache(fetchOne);
    c.put(q('from-folder', 7));
    assert.equal((c.peek(['from-folder'])?.get('from-folder') as ApiQueue).messages, 7, 'Pools folder pages count as details');
    const old = c.lookup(names(8));
    await new Promise((r) => setTimeout(r, 1));
    c.invalidate();
    assert.equal(c.peek(['from-folder']), undefined, 'gone with the refresh');
    s.depth = 42;
    const before = await old;
    assert.equal(before.size, 8, 'the old lookup still answers its own caller');
    assert.equal(c.peek(names(8)), undefined, 'but filled nothing in the new generation');
    const fresh = await c.lookup(names(8));
    assert.ok([...fresh.values()].every((d) => d !== 'missing' && d.messages === 42), 'the new generation reads again');
  });
});
