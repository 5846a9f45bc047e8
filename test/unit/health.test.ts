/**
 * Pool health on synthetic samples: slopes, drain and growth, the time a counter last changed, worker states, the four
 * findings, and the node-maintenance verdict on snapshot fixtures. No broker.
 */
import * as assert from 'node:assert/strict';
import type { ApiConsumer } from '../../src/broker/management';
import { HealthSnapshot, HealthTracker, DEFAULT_HEALTH_THRESHOLDS, healthFindings, verdictWords, workerState, HealthApiQueue } from '../../src/broker/health';
import { backlogVerdict, counterRate, lastChange, mergePoints, pointsOf, slopePerSecond } from '../../src/broker/healthSeries';
import { nodeMaintenance } from '../../src/broker/maintenance';

const T0 = 1_800_000_000_000;
const series = (values: number[], every = 5000, t0 = T0) => values.map((v, i) => ({ t: t0 + i * every, v }));
const details = (values: number[], every = 5000, t0 = T0) => ({ samples: series(values, every, t0).map((p) => ({ sample: p.v, timestamp: p.t })).reverse() });
const th = DEFAULT_HEALTH_THRESHOLDS;

describe('health maths (healthSeries)', () => {
  it('reads the API samples oldest first and drops malformed ones', () => {
    const pts = pointsOf({ samples: [{ sample: 3, timestamp: T0 + 10 }, { sample: NaN, timestamp: T0 + 5 }, { sample: 1, timestamp: T0 }] });
    assert.deepEqual(pts, [{ t: T0, v: 1 }, { t: T0 + 10, v: 3 }]);
    assert.deepEqual(pointsOf(undefined), []);
  });

  it('slope is the least-squares rate per second, null without two points', () => {
    assert.equal(slopePerSecond(series([0, 50, 100, 150])), 10);
    assert.equal(slopePerSecond(series([5])), null);
    assert.equal(slopePerSecond([{ t: T0, v: 1 }, { t: T0, v: 2 }]), null);
    // One late sample moves a regression less than it moves (last − first) / Δt.
    const s = slopePerSecond(series([0, 50, 100, 150, 150]))!;
    assert.ok(s > 7 && s < 10, String(s));
  });

  it('a counter rate is never negative (a reset reads 0) and only looks at the window', () => {
    assert.equal(counterRate(series([100, 0]), 60_000), 0);
    assert.equal(counterRate(series([0, 0, 0, 0, 100, 200]), 5000), 20);
  });

  it('drain time counts from now: the last sample less what the slope removed since it was taken', () => {
    const pts = series([400, 300, 200]); // −20/s; last sample 200 at T0+10s
    const v = backlogVerdict(pts, 15_000, T0 + 12_000);
    assert.equal(v.growingPerSecond, 0);
    assert.equal(v.drainSeconds, 200 / 20 - 2);
    // A sample's value older than its stamp by 2.5 s: 2.5 s less to go.
    assert.equal(backlogVerdict(pts, 15_000, T0 + 12_000, 0.05, 2500).drainSeconds, 200 / 20 - 4.5);
  });

  it('growth, flat, empty and unknown', () => {
    assert.equal(backlogVerdict(series([0, 100, 200]), 15_000, T0 + 10_000).growingPerSecond, 20);
    assert.equal(backlogVerdict(series([0, 100, 200]), 15_000, T0 + 10_000).drainSeconds, null);
    assert.deepEqual(backlogVerdict(series([50, 50, 50]), 15_000, T0).drainSeconds, null);
    assert.equal(backlogVerdict(series([0, 0]), 15_000, T0).drainSeconds, 0);
    assert.deepEqual(backlogVerdict([], 15_000, T0), { drainSeconds: null, growingPerSecond: null, slope: null });
    // A backlog published at once, then drained: the last interval (−3/s) wins over the regression through the burst.
    const burst = backlogVerdict(series([0, 0, 375, 360]), 15_000, T0 + 15_000);
    assert.equal(burst.growingPerSecond, 0);
    assert.equal(burst.drainSeconds, 120);
    // A repeated sample (the statistics' lag) is flat, not a reversal: the trend stays.
    assert.equal(backlogVerdict(series([0, 100, 200, 200]), 15_000, T0 + 15_000).growingPerSecond! > 0, true);
  });

  it('lastChange finds the first sample that showed the current value', () => {
    assert.deepEqual(lastChange(series([1, 2, 5, 5, 5])), { changedBy: T0 + 10_000, changedAfter: T0 + 5000, since: T0 });
    assert.deepEqual(lastChange(series([7, 7, 7])), { since: T0 });
    assert.deepEqual(lastChange([]), {});
  });

  it('merging keeps one point per instant, the later reading winning, and drops old ones', () => {
    const m = mergePoints(series([1, 2]), [{ t: T0 + 5000, v: 9 }, { t: T0 + 10_000, v: 3 }], T0 + 1);
    assert.deepEqual(m, [{ t: T0 + 5000, v: 9 }, { t: T0 + 10_000, v: 3 }]);
  });
});

describe('worker states and health findings (healthRules)', () => {
  const w = (o: Partial<Parameters<typeof workerState>[0]>) => ({ consumerTag: 'c1', application: 'app', unacked: 10, prefetch: 10, ackRate: 5, lastAckSecondsAgo: 1, heldSeconds: 1, ...o });
  const stallTh = { ...th, stalledAfterSeconds: 30 };

  it('stalled: holds unacked, nothing acked for stalledAfter, messages waiting', () => {
    assert.equal(workerState(w({ ackRate: 0, heldSeconds: 31 }), 100, [5], stallTh).state, 'stalled');
    assert.equal(workerState(w({ ackRate: 0, heldSeconds: 29 }), 100, [5], stallTh).state, 'slow');
    // Nothing waiting in the pool: holding is not stalling anybody.
    assert.notEqual(workerState(w({ ackRate: 0, heldSeconds: 300 }), 0, [5], stallTh).state, 'stalled');
    // Unknown history: never called stalled.
    assert.notEqual(workerState(w({ ackRate: null, heldSeconds: null }), 100, [5], stallTh).state, 'stalled');
  });

  it('slow: prefetch full and acking below slowRatio of the median of the others', () => {
    assert.equal(workerState(w({ ackRate: 1 }), 100, [5, 6, 7], th).state, 'slow');
    assert.equal(workerState(w({ ackRate: 2 }), 100, [5, 6, 7], th).state, 'ok');
    assert.equal(workerState(w({ ackRate: 1, unacked: 5 }), 100, [5, 6, 7], th).state, 'ok', 'prefetch not full');
    assert.equal(workerState(w({ ackRate: 1 }), 100, [], th).state, 'ok', 'no one to compare with');
  });

  it('idle: no messages for it', () => {
    assert.equal(workerState(w({ unacked: 0, ackRate: 0 }), 0, [0], th).state, 'idle');
  });

  it('the four findings, each only when due', () => {
    const workers = [
      { ...w({ consumerTag: 'stuck', ackRate: 0, heldSeconds: 1500 }), state: 'stalled' as const, why: '' },
      { ...w({ consumerTag: 'slow', ackRate: 0.5 }), state: 'slow' as const, why: 'x' },
      { ...w({ consumerTag: 'fine' }), state: 'ok' as const, why: '' },
    ];
    const fs = healthFindings({ name: 'p', consumers: 3, ready: 500, growingPerSecond: 4, readyRiseInWindow: 60, windowSeconds: 15, workers }, th);
    assert.deepEqual(fs.map((f) => [f.kind, f.severity, f.workers ?? []]), [
      ['stalled-worker', 'error', ['stuck']], ['slow-worker', 'warning', ['slow']], ['pool-falling-behind', 'warning', []], ['consumer-timeout-risk', 'warning', ['stuck']],
    ]);
    // No workers: falling behind is pool-without-workers' business, not this rule's. A queue's x-consumer-timeout wins.
    const none = healthFindings({ name: 'p', consumers: 0, ready: 500, growingPerSecond: 4, readyRiseInWindow: 60, windowSeconds: 15, workers: [] }, th);
    assert.deepEqual(none, []);
    const shortTimeout = healthFindings({ name: 'p', consumers: 1, ready: 1, growingPerSecond: 0, readyRiseInWindow: 0, windowSeconds: 15, consumerTimeoutMs: 60_000,
      workers: [{ ...w({ heldSeconds: 50 }), state: 'ok', why: '' }] }, th);
    assert.deepEqual(shortTimeout.map((f) => f.kind), ['consumer-timeout-risk']);
    assert.match(shortTimeout[0].message, /60 s, the queue's x-consumer-timeout/);
  });

  it('verdict words', () => {
    assert.equal(verdictWords({ ready: 120, drainSeconds: 12, growingPerSecond: 0, consumers: 2 }), 'drains in ~12 s');
    assert.equal(verdictWords({ ready: 120, drainSeconds: null, growingPerSecond: 40, consumers: 2 }), 'grows 40/s');
    assert.equal(verdictWords({ ready: 0, drainSeconds: 0, growingPerSecond: 0, consumers: 2 }), 'empty');
    assert.equal(verdictWords({ ready: 5, drainSeconds: null, growingPerSecond: null, consumers: 0 }), 'no workers');
  });
});

describe('HealthTracker on synthetic snapshots', () => {
  function snapshot(at: number, o: { stalledAck: number[]; okAck: number[]; ready: number[]; timestamp?: number }): HealthSnapshot {
    const consumer = (tag: string, ch: string): ApiConsumer => ({ consumer_tag: tag, prefetch_count: 5, ack_required: true, queue: { name: 'p', vhost: 'v' }, channel_details: { name: ch, connection_name: `${ch}-conn` } });
    return {
      vhost: 'v', at, ratesMode: 'basic',
      queues: [{ name: 'p', vhost: 'v', type: 'classic', consumers: 2, messages_ready: o.ready[o.ready.length - 1], messages_unacknowledged: 10, consumer_capacity: 0.4,
        head_message_timestamp: o.timestamp, messages_ready_details: details(o.ready), messages_unacknowledged_details: details(o.ready.map(() => 10)) }],
      channels: [
        { name: 'chS', messages_unacknowledged: 5, message_stats: { ack: o.stalledAck.at(-1), ack_details: details(o.stalledAck), deliver_get: 5, deliver_get_details: details(o.stalledAck.map(() => 5)) } as never },
        { name: 'chO', messages_unacknowledged: 5, message_stats: { ack: o.okAck.at(-1), ack_details: details(o.okAck), deliver_get: 5, deliver_get_details: details(o.okAck.map((v) => v + 5)) } as never },
      ],
      consumers: [consumer('stuck', 'chS'), consumer('fine', 'chO')],
      connections: [{ name: 'chS-conn', connected_at: T0 - 60_000, client_properties: { connection_name: 'svc:1:0cd5f39f-1111-4222-8333-944455556666', product: 'pika', version: '1.3', platform: 'Python' } }, { name: 'chO-conn' }],
    };
  }

  it('a worker whose ack counter stopped is stalled, its neighbour acking is not; the pool grows; oldest age from the head timestamp', () => {
    const tr = new HealthTracker();
    const now = T0 + 20_000 + 1000;
    tr.ingest(snapshot(now, { stalledAck: [3, 3, 3, 3, 3], okAck: [0, 50, 100, 150, 200], ready: [100, 150, 200, 250, 300], timestamp: Math.floor((T0 - 10_000) / 1000) }));
    const r = tr.assess({ stalledAfterSeconds: 10 }, { now });
    const p = r.pools[0];
    assert.equal(p.capacity, 0.4);
    assert.equal(p.growingPerSecond, 10);
    assert.equal(p.oldestAgeSeconds, 31);
    const byTag = Object.fromEntries(p.workers.map((w) => [w.consumerTag, w]));
    assert.equal(byTag.stuck.state, 'stalled');
    assert.equal(byTag.stuck.lastAckSecondsAgo, 21, 'no change within the samples: at least since the oldest one');
    assert.equal(byTag.stuck.application, 'svc');
    assert.deepEqual(byTag.stuck.client, { product: 'pika', version: '1.3', platform: 'Python' });
    assert.equal(byTag.stuck.connectedSeconds, 81);
    assert.equal(byTag.fine.state, 'ok');
    assert.equal(byTag.fine.ackRate, 10);
    assert.deepEqual(r.findings.map((f) => f.kind), ['stalled-worker', 'pool-falling-behind']);
  });

  it('a local worker\'s exact ack counts win over its channel statistics', () => {
    const tr = new HealthTracker();
    const now = T0 + 20_000 + 1000;
    tr.ingest(snapshot(now, { stalledAck: [3, 3, 3, 3, 3], okAck: [0, 50, 100, 150, 200], ready: [100, 150, 200, 250, 300] }));
    // The channel statistics say "stuck" acked nothing for 20 s; its exact counter moved a second ago.
    tr.ingestExact(now - 3000, [{ consumerTag: 'stuck', acked: 10 }]);
    tr.ingestExact(now - 1000, [{ consumerTag: 'stuck', acked: 12 }]);
    const w = tr.assess({ stalledAfterSeconds: 10 }, { now }).pools[0].workers.find((x) => x.consumerTag === 'stuck')!;
    assert.equal(w.exact, true);
    assert.equal(w.lastAckSecondsAgo, 1);
    assert.equal(w.ackRate, 1);
    assert.notEqual(w.state, 'stalled');
  });

  it('forgets the series of a channel and a queue gone once their newest point is ten minutes old', () => {
    const tr = new HealthTracker();
    const now = T0 + 20_000 + 1000;
    tr.ingest(snapshot(now, { stalledAck: [3, 3, 3, 3, 3], okAck: [0, 50, 100, 150, 200], ready: [100, 150, 200, 250, 300] }));
    assert.ok(tr.keys().includes('ch:chS:ack') && tr.keys().includes('q:p:ready'));
    const without = (at: number): HealthSnapshot => ({ ...snapshot(at, { stalledAck: [3], okAck: [0], ready: [0] }), queues: [], channels: [], consumers: [] });
    tr.ingest(without(now + 60_000));
    assert.ok(tr.keys().includes('ch:chS:ack'), 'kept while younger than ten minutes');
    tr.ingest(without(T0 + 20_000 + 10 * 60_000 + 1));
    assert.deepEqual(tr.keys().filter((k) => k.startsWith('ch:chS') || k.startsWith('q:p:')), []);
    assert.deepEqual(tr.points('ch:chS:ack'), []);
  });

  it('without broker samples (rates_mode = none) it keeps what it read, when it read it, and says the rest is unknown', () => {
    const tr = new HealthTracker();
    const q = (ready: number): HealthApiQueue => ({ name: 'p', vhost: 'v', messages_ready: ready, messages_unacknowledged: 0, consumers: 0 });
    tr.ingest({ vhost: 'v', at: T0, ratesMode: 'none', queues: [q(100)], channels: [], consumers: [], connections: [] });
    assert.equal(tr.assess({}, { now: T0 }).pools[0].drainSeconds, null);
    tr.ingest({ vhost: 'v', at: T0 + 10_000, ratesMode: 'none', queues: [q(50)], channels: [], consumers: [], connections: [] });
    const p = tr.assess({}, { now: T0 + 10_000 }).pools[0];
    // 50 left at 5/s = 10 s from the read, less one statistics interval: the value read was about that much older.
    assert.equal(p.drainSeconds, 5);
    assert.equal(p.ackRate, null);
    assert.equal(p.oldestAgeSeconds, null);
    assert.match(tr.assess({}, { now: T0 + 10_000 }).note, /rates_mode = none/);
  });
});

describe('node maintenance verdict', () => {
  const nodes = ['rabbit@a', 'rabbit@b', 'rabbit@c'].map((name) => ({ name, running: true }));
  const queues: HealthApiQueue[] = [
    { name: 'classic-on-a', vhost: 'v', type: 'classic', node: 'rabbit@a', messages: 5, consumers: 1 },
    { name: 'classic-on-b', vhost: 'v', type: 'classic', node: 'rabbit@b', messages: 0, consumers: 0 },
    { name: 'mirrored-on-a', vhost: 'v', type: 'classic', node: 'rabbit@a', synchronised_slave_nodes: ['rabbit@b'] },
    { name: 'q3', vhost: 'v', type: 'quorum', members: ['rabbit@a', 'rabbit@b', 'rabbit@c'], online: ['rabbit@a', 'rabbit@b', 'rabbit@c'] },
    { name: 'q3-degraded', vhost: 'v', type: 'quorum', members: ['rabbit@a', 'rabbit@b', 'rabbit@c'], online: ['rabbit@a', 'rabbit@b'] },
    { name: 'q-elsewhere', vhost: 'v', type: 'quorum', members: ['rabbit@b', 'rabbit@c'], online: ['rabbit@b', 'rabbit@c'] },
  ];
  const consumers: ApiConsumer[] = [
    { consumer_tag: 'w1', queue: { name: 'classic-on-a', vhost: 'v' }, channel_details: { connection_name: 'conn-a' } },
    { consumer_tag: 'w2', queue: { name: 'q3', vhost: 'v' }, channel_details: { connection_name: 'conn-b' } },
  ];
  const connections = [{ name: 'conn-a', node: 'rabbit@a', client_properties: { connection_name: 'nova-compute:2157:0cd5f39f-1111-4222-8333-944455556666' } }, { name: 'conn-b', node: 'rabbit@b' }];

  it('names the classic pools that stop, the quorum pools that lose the majority and the workers dropped', () => {
    const v = nodeMaintenance({ node: 'rabbit@a', vhost: 'v', queues, consumers, connections, nodes });
    assert.equal(v.safe, false);
    assert.deepEqual(v.stops.map((p) => p.name), ['classic-on-a']);
    assert.deepEqual(v.failsOver.map((p) => p.name), ['mirrored-on-a']);
    assert.deepEqual(v.losesMajority.map((p) => [p.name, p.onlineAfter, p.majority]), [['q3-degraded', ['rabbit@b'], 2]]);
    assert.deepEqual(v.workersDropped.map((w) => [w.consumerTag, w.application]), [['w1', 'nova-compute']]);
  });

  it('a node no pool depends on alone is safe; a node already down elsewhere counts against the majority', () => {
    const healthy = queues.filter((q) => q.name === 'q3' || q.name === 'classic-on-b');
    assert.equal(nodeMaintenance({ node: 'rabbit@c', vhost: 'v', queues: healthy, consumers, connections, nodes }).safe, true);
    // A quorum queue of two members loses its majority with either.
    assert.deepEqual(nodeMaintenance({ node: 'rabbit@c', vhost: 'v', queues, consumers, connections, nodes }).losesMajority.map((p) => p.name), ['q-elsewhere']);
    const bDown = nodes.map((n) => (n.name === 'rabbit@b' ? { ...n, running: false } : n));
    const v = nodeMaintenance({ node: 'rabbit@c', vhost: 'v', queues, consumers, connections, nodes: bDown });
    assert.deepEqual(v.losesMajority.map((p) => p.name), ['q3', 'q3-degraded', 'q-elsewhere']);
  });
});
