/** Pure delivery accounting: histogram percentiles, spread (CV), duplicates, audit tallies. No broker. */
import * as assert from 'node:assert/strict';
import * as fc from 'fast-check';
import { DeliveryCounter, IdTracker, LatencyHistogram, percentileOf, rateOf, spreadOf, sumCounters } from '../../src/broker/counts';
import { AuditTally, approximateAuditResult } from '../../src/broker/auditTally';
import { parsePoolSpecs } from '../../src/broker/audit';
import { prepareMessages } from '../../src/broker/publisher';
import { renderTemplate } from '../../src/broker/notifications';
import { decode } from '../../src/broker/oslo';
import { BrokerError } from '../../src/broker/errors';
import { validatePoolOptions } from '../../src/broker/workers';

describe('counts: latency histogram', () => {
  it('is empty at first', () => {
    const h = new LatencyHistogram();
    assert.deepEqual(h.summary(), { count: 0, min: 0, max: 0, mean: 0, p50: 0, p95: 0, p99: 0 });
  });

  it('gives exact min/max/mean and percentiles within 5 % of the exact nearest-rank value', () => {
    fc.assert(fc.property(fc.array(fc.double({ min: 0.02, max: 100_000, noNaN: true }), { minLength: 1, maxLength: 400 }), fc.constantFrom(50, 95, 99), (xs, p) => {
      const h = new LatencyHistogram();
      for (const x of xs) { h.record(x); }
      const exact = percentileOf(xs, p);
      const got = h.percentile(p);
      assert.ok(Math.abs(got - exact) <= exact * 0.051 + 1e-9, `p${p}: ${got} vs ${exact}`);
      assert.equal(h.min, Math.min(...xs));
      assert.equal(h.max, Math.max(...xs));
    }));
  });

  it('1..100 ms: p50 ≈ 50, p95 ≈ 95, p99 ≈ 99', () => {
    const h = new LatencyHistogram();
    for (let i = 1; i <= 100; i++) { h.record(i); }
    const s = h.summary();
    assert.ok(Math.abs(s.p50 - 50) <= 2.5 && Math.abs(s.p95 - 95) <= 4.8 && Math.abs(s.p99 - 99) <= 5, JSON.stringify(s));
    assert.equal(s.mean, 50.5);
    assert.equal(s.count, 100);
  });

  it('merges like one histogram; negative latencies (clock skew) count as 0; NaN is ignored', () => {
    const a = new LatencyHistogram();
    const b = new LatencyHistogram();
    const all = new LatencyHistogram();
    for (let i = 0; i < 50; i++) { a.record(i); all.record(i); b.record(i * 3); all.record(i * 3); }
    assert.deepEqual(a.merge(b).summary(), all.summary());
    const c = new LatencyHistogram();
    c.record(-5);
    c.record(NaN);
    assert.equal(c.count, 1);
    assert.equal(c.min, 0);
  });
});

describe('counts: spread over workers', () => {
  it('even shares have cv 0; an idle worker is counted', () => {
    assert.deepEqual(spreadOf([100, 100, 100]), { workers: 3, min: 100, max: 100, mean: 100, cv: 0, idle: 0 });
    const s = spreadOf([150, 150, 0]);
    assert.equal(s.idle, 1);
    assert.equal(s.min, 0);
    assert.equal(s.cv, 0.707); // stddev 70.71 / mean 100
  });
  it('no workers, or nothing delivered yet', () => {
    assert.deepEqual(spreadOf([]), { workers: 0, min: 0, max: 0, mean: 0, cv: 0, idle: 0 });
    assert.equal(spreadOf([0, 0]).idle, 0);
    assert.equal(spreadOf([0, 0]).cv, 0);
  });
});

describe('counts: duplicates and per-worker counters', () => {
  it('IdTracker spots repeats and forgets the oldest past its capacity', () => {
    const t = new IdTracker(3);
    assert.equal(t.seen('a'), false);
    assert.equal(t.seen('a'), true);
    t.seen('b');
    t.seen('c');
    t.seen('d'); // evicts a
    assert.equal(t.size, 3);
    assert.equal(t.has('a'), false);
    assert.equal(t.seen('d'), true);
  });

  it('DeliveryCounter and sumCounters add up', () => {
    const a = new DeliveryCounter();
    const b = new DeliveryCounter();
    a.record(false, false, true, 5);
    a.record(true, true, true, NaN);
    b.record(false, false, false, 7);
    a.acked = 2;
    b.acked = 1;
    const s = sumCounters([a, b]);
    assert.deepEqual({ ...s, latency: s.latency.count }, { delivered: 3, acked: 3, redelivered: 1, duplicates: 1, withoutId: 1, latency: 2 });
  });

  it('rateOf', () => {
    assert.equal(rateOf(0, 0, 500, 1000), 500);
    assert.equal(rateOf(10, 1000, 10, 1000), 0);
  });
});

describe('counts: audit tallies', () => {
  it('received / missing / duplicates per pool and per worker', () => {
    const expected = new Set(['m1', 'm2', 'm3', 'm4']);
    const t = new AuditTally('ceilometer', ['ceilometer-1', 'ceilometer-2', 'ceilometer-3']);
    t.record('ceilometer-1', 'm1', 2);
    t.record('ceilometer-2', 'm2', 3);
    t.record('ceilometer-1', 'm2', 4); // duplicate
    t.record('ceilometer-2', 'm3', NaN);
    assert.equal(t.complete(expected), false);
    const r = t.result(expected);
    assert.equal(r.received, 3);
    assert.equal(r.missing, 1);
    assert.equal(r.duplicates, 1);
    assert.equal(r.exact, true);
    assert.deepEqual(r.workers, [{ name: 'ceilometer-1', delivered: 2 }, { name: 'ceilometer-2', delivered: 2 }, { name: 'ceilometer-3', delivered: 0 }]);
    assert.equal(r.spread.idle, 1);
    assert.equal(r.latencyMs.count, 3);
    t.record('ceilometer-3', 'm4', 1);
    assert.equal(t.complete(expected), true);
  });

  it('approximate results from management deltas are labelled and explain missing stats', () => {
    assert.deepEqual(
      { ...approximateAuditResult('q', 100, 100, 2), note: undefined },
      { name: 'q', exact: false, received: 100, missing: 0, duplicates: 0, workers: [], spread: spreadOf([]), latencyMs: new LatencyHistogram().summary(), note: undefined },
    );
    const none = approximateAuditResult('q', 100, undefined, 2);
    assert.equal(none.exact, false);
    assert.equal(none.missing, 100);
    assert.match(none.note ?? '', /rates_mode = none/);
    assert.equal(approximateAuditResult('q', 100, 130, 1).duplicates, 30);
    assert.match(approximateAuditResult('q', 100, 0, 0).note ?? '', /no consumers/);
  });

  it('--pools parsing', () => {
    assert.deepEqual(parsePoolSpecs('ceilometer:3, audit:1,notifications.info'), [
      { name: 'ceilometer', workers: 3 }, { name: 'audit', workers: 1 }, { name: 'notifications.info', workers: 1 },
    ]);
    for (const bad of ['', 'a:0', 'a:x', 'a:1.5', 'a:1,a:2', 'amq.x:1', 'a:1001']) {
      assert.throws(() => parsePoolSpecs(bad), (e: unknown) => e instanceof BrokerError && e.kind === 'invalid-input', bad);
    }
  });
});

describe('publisher message bodies and pool validation (no broker)', () => {
  it('renders {{seq}}, {{uuid}} (one per message), {{now}}', () => {
    const s = renderTemplate('{"a": {{seq}}, "b": "{{uuid}}", "c": "{{uuid}}", "t": "{{now}}"}', 7, new Date('2026-01-02T03:04:05.000Z'));
    const j = JSON.parse(s) as { a: number; b: string; c: string; t: string };
    assert.equal(j.a, 7);
    assert.match(j.b, /^[0-9a-f-]{36}$/);
    assert.equal(j.b, j.c);
    assert.equal(j.t, '2026-01-02T03:04:05.000Z');
  });

  it('oslo bodies decode, carry the message id, and a template that is not JSON fails up front', () => {
    const make = prepareMessages({ exchange: 'nova', routingKey: 'notifications.info', count: 1, payloadTemplate: '{"instance_id": "{{uuid}}", "n": {{seq}}}' });
    const d = decode(make(3, 'id-3', Date.now()));
    assert.ok(d.ok && d.enveloped);
    assert.equal(d.notification.message_id, 'id-3');
    assert.equal(d.notification.event_type, 'compute.instance.create.end');
    assert.equal((d.notification.payload as { n: number }).n, 3);
    assert.throws(() => prepareMessages({ exchange: 'nova', routingKey: 'k', count: 1, payloadTemplate: '{"n": {{uuid}}}' }), /not valid JSON/);
    for (const count of [0, -1, 1.5, NaN, 1e12]) {
      assert.throws(() => prepareMessages({ exchange: 'nova', routingKey: 'k', count }), (e: unknown) => e instanceof BrokerError && e.kind === 'invalid-input', String(count));
    }
    assert.throws(() => prepareMessages({ exchange: 'nova', routingKey: 'k', count: 1, ratePerSecond: 0 }), /rate/);
  });

  it('pool validation: amq.* names, counts, long keys; an empty key is legal', () => {
    const ok = { pool: 'p', exchange: 'nova', routingKeys: 'k' };
    validatePoolOptions({ ...ok, routingKeys: '' });
    for (const bad of [{ pool: 'amq.p' }, { pool: '' }, { workers: 0 }, { workers: 1001 }, { workers: 2.5 }, { prefetch: 0 }, { routingKeys: 'x'.repeat(256) }, { exchange: '' }, { routingKeys: [] as string[] }]) {
      assert.throws(() => validatePoolOptions({ ...ok, ...bad }), (e: unknown) => e instanceof BrokerError && e.kind === 'invalid-input', JSON.stringify(bad));
    }
  });
});
