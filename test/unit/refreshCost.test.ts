/**
 * What a tree refresh costs the broker (BENCHMARKS.md figure 8, issue 19): the overview kept across refreshes while the
 * broker answers, the levels below the broker not waiting for it, and the dead-letter "fed by" index by the broker's size.
 */
import * as assert from 'node:assert/strict';
import { brokerConfig } from '../../src/broker/connection';
import { BrokerError } from '../../src/broker/errors';
import { silentLogger } from '../../src/broker/logger';
import { BrokerSession } from '../../src/viewModel/brokerSession';
import { DEAD_LETTER_INDEX_MAX_QUEUES, deadLetterIndexOf } from '../../src/viewModel/deadLetterIndexCache';

/** A session whose management client is a stub counting its calls (no broker: pure logic). */
function stubSession(o: { queues?: number; overviewMs?: number } = {}) {
  const calls = { overview: 0, vhosts: 0, queues: 0 };
  const state = { down: false };
  const down = () => new BrokerError('unreachable', 'Nothing answers at http://127.0.0.1:1', 'Start the broker');
  const client = {
    // The tree reads the overview without statistics only: the full one makes the broker total every queue.
    overview: async () => { throw new Error('the tree asked for the overview with statistics'); },
    overviewWithoutStats: async () => {
      calls.overview++;
      await new Promise((r) => setTimeout(r, o.overviewMs ?? 0));
      if (state.down) { throw down(); }
      return { rabbitmq_version: '3.10.8', object_totals: { queues: o.queues ?? 10 } };
    },
    vhosts: async () => { calls.vhosts++; if (state.down) { throw down(); } return [{ name: '/' }]; },
    queues: async () => { calls.queues++; return []; },
    endpoint: () => ({ count: 1 }),
    dispose: () => undefined,
  };
  const s = new BrokerSession(brokerConfig({}), () => ({ pageSize: 100, showSystemExchanges: false }), silentLogger, undefined);
  (s as unknown as { clientInstance: unknown }).clientInstance = client;
  return { s, calls, state };
}

describe('tree refresh cost (figure 8)', () => {
  it('keeps the overview across refreshes while the broker answers, and says "unreachable" when the vhost list fails', async () => {
    const { s, calls, state } = stubSession();
    await s.overview();
    s.invalidate();
    assert.equal(s.peekOverview()?.rabbitmq_version, '3.10.8', 'the broker line keeps its version through a refresh');
    await s.overview();
    assert.equal(calls.overview, 1, 'a refresh within OVERVIEW_TTL_MS does not read the overview again');
    state.down = true;
    s.invalidate();
    await assert.rejects(s.vhosts(), /Nothing answers/);
    assert.equal(s.status.state, 'unreachable');
    assert.equal(s.peekOverview(), undefined, 'a broker that stopped answering does not keep its overview');
  });

  it('the broker level (vhosts) does not wait for a slow overview', async () => {
    const { s } = stubSession({ overviewMs: 300 });
    const t0 = Date.now();
    assert.deepEqual(await s.vhosts(), ['/']);
    assert.ok(Date.now() - t0 < 250, `vhosts() took ${Date.now() - t0} ms`);
    await s.overview();
    assert.equal(s.status.state, 'connected');
  });

  it('the dead-letter index: every refresh on a small broker, kept across refreshes on a larger one, skipped past the limit', async () => {
    const small = stubSession({ queues: 100 });
    await deadLetterIndexOf(small.s, '/');
    small.s.invalidate();
    await deadLetterIndexOf(small.s, '/');
    assert.equal(small.calls.queues, 2, 'read again after a refresh (≤ 2,000 queues)');

    const mid = stubSession({ queues: 10_000 });
    await deadLetterIndexOf(mid.s, '/');
    mid.s.invalidate();
    await deadLetterIndexOf(mid.s, '/');
    assert.equal(mid.calls.queues, 1, 'kept across a refresh for the TTL');

    const big = stubSession({ queues: DEAD_LETTER_INDEX_MAX_QUEUES + 1 });
    assert.deepEqual(await deadLetterIndexOf(big.s, '/'), { skipped: DEAD_LETTER_INDEX_MAX_QUEUES + 1 });
    assert.equal(big.calls.queues, 0, 'no vhost-wide queue list past the limit');
  });
  it('a binding key\'s pools already on the Pools folder page, and a folder pool expanded: read one by one with their consumers past 2,000 queues, not the vhost\'s consumer list', async () => {
    for (const [queues, small] of [[10_000, false], [100, true]] as const) {
      const calls = { consumers: 0, queue: [] as string[] };
      const client = {
        overviewWithoutStats: async () => ({ rabbitmq_version: '3.10.8', object_totals: { queues } }),
        queuesPage: async () => ({ items: [{ name: 'p1', consumers: 1, messages: 0 }], page: 1, pageSize: 100, pageCount: 1, filteredCount: 1, totalCount: queues }),
        queue: async (_vhost: string, name: string) => { calls.queue.push(name); return { name, consumers: 1, messages: 0, consumer_details: [] }; },
        consumers: async () => { calls.consumers++; return []; },
        connections: async () => [],
        endpoint: () => ({ count: 1 }),
        dispose: () => undefined,
      };
      const s = new BrokerSession(brokerConfig({}), () => ({ pageSize: 100, showSystemExchanges: false }), silentLogger, undefined);
      (s as unknown as { clientInstance: unknown }).clientInstance = client;
      await s.overview();
      const v = s.vhost('/');
      assert.deepEqual((await v.queues.view()).items.map((q) => q.name), ['p1']);
      const found = await v.pools(['p1']);
      assert.deepEqual(found.pools.map((p) => p.name), ['p1']);
      // Expanding that pool in the Pools folder (its workers): the same reads, nothing more.
      await v.workersOf('p1');
      if (small) {
        assert.deepEqual(calls.queue, [], `${queues} queues: the page's item serves the key (no detail request)`);
        assert.equal(calls.consumers, 1, `${queues} queues: the workers from the vhost's consumer list, which the folder reads anyway`);
      } else {
        assert.deepEqual(calls.queue, ['p1'], `${queues} queues: the pool's own detail with its consumers`);
        assert.equal(calls.consumers, 0, `${queues} queues: no vhost-wide consumer list`);
      }
    }
  });
});
