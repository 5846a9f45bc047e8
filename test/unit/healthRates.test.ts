/**
 * The Health section's rates over time (per-interval rates of the broker's counter samples, in and ack joined by time)
 * and the one wording of a duration that the tree, the panel and the CLI share. No broker.
 */
import * as assert from 'node:assert/strict';
import { HealthTracker, durationWords, verdictWords } from '../../src/broker/health';
import { intervalRates, joinRates } from '../../src/broker/healthSeries';

const T0 = 1_800_000_000_000;
const details = (values: number[], every = 5000) => ({ samples: values.map((v, i) => ({ sample: v, timestamp: T0 + i * every })).reverse() });

describe('health rates over time', () => {
  it('a counter\'s rate between consecutive samples, per second; a reset or a zero span gives no point', () => {
    const pts = [{ t: T0, v: 0 }, { t: T0 + 5000, v: 50 }, { t: T0 + 10_000, v: 150 }, { t: T0 + 15_000, v: 20 }, { t: T0 + 15_000, v: 30 }, { t: T0 + 20_000, v: 30 }];
    assert.deepEqual(intervalRates(pts), [{ t: T0 + 5000, v: 10 }, { t: T0 + 10_000, v: 20 }, { t: T0 + 20_000, v: 0 }]);
    assert.deepEqual(intervalRates([{ t: T0, v: 5 }]), []);
  });

  it('in and ack joined by time, unknown where one has no sample (not 0)', () => {
    const j = joinRates([{ t: 2, v: 1 }, { t: 1, v: 3 }], [{ t: 2, v: 4 }, { t: 3, v: 0 }]);
    assert.deepEqual(j, [{ t: 1, a: 3, b: null }, { t: 2, a: 1, b: 4 }, { t: 3, a: null, b: 0 }]);
  });

  it('the tracker gives each pool its in and ack rates over time from the same samples as its backlog', () => {
    const tr = new HealthTracker();
    const now = T0 + 20_000 + 1000;
    tr.ingest({
      vhost: 'v', at: now, ratesMode: 'basic', channels: [], consumers: [], connections: [],
      queues: [{ name: 'p', vhost: 'v', consumers: 1, messages_ready: 40, messages_unacknowledged: 0, messages_ready_details: details([0, 10, 20, 30, 40]),
        message_stats: { publish: 200, publish_details: details([0, 50, 100, 150, 200]), ack: 150, ack_details: details([0, 25, 75, 100, 150]) } as never }],
    });
    const p = tr.assess({}, { now }).pools[0];
    assert.deepEqual(p.rateHistory, [
      { t: T0 + 5000, publish: 10, ack: 5 }, { t: T0 + 10_000, publish: 10, ack: 10 }, { t: T0 + 15_000, publish: 10, ack: 5 }, { t: T0 + 20_000, publish: 10, ack: 10 },
    ]);
    assert.deepEqual(p.history.map((x) => x.t), [T0, T0 + 5000, T0 + 10_000, T0 + 15_000, T0 + 20_000]);
  });

  it('a duration is rounded before its unit is chosen, so one estimate never reads "90 s" and "2 min" either side of a boundary', () => {
    assert.equal(durationWords(12.4), '12 s');
    assert.equal(durationWords(89.6), '90 s');
    assert.equal(durationWords(90.4), '90 s');
    assert.equal(durationWords(119.4), '119 s');
    assert.equal(durationWords(119.6), '2 min');
    assert.equal(durationWords(130), '2 min');
    assert.equal(durationWords(7139), '119 min');
    assert.equal(durationWords(7170), '2 h');
    assert.equal(durationWords(-3), '0 s');
    assert.equal(verdictWords({ ready: 300, drainSeconds: 90.4, growingPerSecond: 0, consumers: 2 }), 'drains in ~90 s');
  });
});
