/**
 * Delivery accounting shared by the extension, the webview and the CLI: per-worker and per-pool counts, duplicates
 * (by message_id), redeliveries, a latency histogram with percentiles, and the spread of deliveries over a pool's
 * workers. Pure code: no AMQP, no HTTP, no vscode. The audit's own accounting is in auditTally.ts.
 *
 * Everything here runs on the delivery path (tens of thousands of calls a second), so recording is O(1) and
 * allocation-free; percentiles are computed only when a snapshot is taken.
 */

/** Percentiles of publish → delivery latency, in milliseconds. `count` = 0 means no message carried a publish time. */
export interface LatencySummary {
  count: number;
  min: number;
  max: number;
  mean: number;
  p50: number;
  p95: number;
  p99: number;
}

export const EMPTY_LATENCY: LatencySummary = Object.freeze({ count: 0, min: 0, max: 0, mean: 0, p50: 0, p95: 0, p99: 0 });

// Log-scale buckets 5 % wide from 0.01 ms to ~10^7 ms: a percentile is off by at most 5 % (then clamped to min/max).
const LOW_MS = 0.01;
const GROWTH = 1.05;
const LOG_GROWTH = Math.log(GROWTH);
const BUCKETS = 1 + Math.ceil(Math.log(1e7 / LOW_MS) / LOG_GROWTH);

function bucketOf(ms: number): number {
  if (!(ms > LOW_MS)) { return 0; }
  const i = 1 + Math.floor(Math.log(ms / LOW_MS) / LOG_GROWTH);
  return i >= BUCKETS ? BUCKETS - 1 : i;
}

/** Upper bound of bucket i. */
function bucketHigh(i: number): number {
  return LOW_MS * GROWTH ** i;
}

/** A mergeable latency histogram: O(1) record, exact min/max/mean, percentiles within 5 %. */
export class LatencyHistogram {
  private buckets = new Float64Array(BUCKETS);
  count = 0;
  sum = 0;
  min = Infinity;
  max = -Infinity;

  record(ms: number): void {
    if (!Number.isFinite(ms)) { return; }
    // Clocks of two hosts may disagree a little: a negative latency is recorded as 0 rather than dropped.
    const v = ms < 0 ? 0 : ms;
    this.buckets[bucketOf(v)]++;
    this.count++;
    this.sum += v;
    if (v < this.min) { this.min = v; }
    if (v > this.max) { this.max = v; }
  }

  merge(other: LatencyHistogram): this {
    for (let i = 0; i < BUCKETS; i++) { this.buckets[i] += other.buckets[i]; }
    this.count += other.count;
    this.sum += other.sum;
    if (other.min < this.min) { this.min = other.min; }
    if (other.max > this.max) { this.max = other.max; }
    return this;
  }

  reset(): void {
    this.buckets.fill(0);
    this.count = 0;
    this.sum = 0;
    this.min = Infinity;
    this.max = -Infinity;
  }

  /** The p-th percentile (0 < p ≤ 100), nearest-rank on buckets, clamped to the exact min and max. */
  percentile(p: number): number {
    if (this.count === 0) { return 0; }
    const rank = Math.max(1, Math.ceil((p / 100) * this.count));
    let seen = 0;
    for (let i = 0; i < BUCKETS; i++) {
      seen += this.buckets[i];
      if (seen >= rank) { return Math.min(this.max, Math.max(this.min, i === 0 ? LOW_MS : bucketHigh(i))); }
    }
    return this.max;
  }

  summary(): LatencySummary {
    if (this.count === 0) { return { ...EMPTY_LATENCY }; }
    return {
      count: this.count, min: round3(this.min), max: round3(this.max), mean: round3(this.sum / this.count),
      p50: round3(this.percentile(50)), p95: round3(this.percentile(95)), p99: round3(this.percentile(99)),
    };
  }
}

function round3(x: number): number {
  return Math.round(x * 1000) / 1000;
}

/** Exact percentile of raw samples (nearest rank); for tests and small sample sets. */
export function percentileOf(samples: readonly number[], p: number): number {
  if (samples.length === 0) { return 0; }
  const sorted = [...samples].sort((a, b) => a - b);
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[Math.min(sorted.length, rank) - 1];
}

/** How evenly deliveries are spread over a pool's workers. cv = stddev / mean (0 = perfectly even). */
export interface Spread {
  workers: number;
  min: number;
  max: number;
  mean: number;
  /** Coefficient of variation (population standard deviation / mean); 0 when the mean is 0. */
  cv: number;
  /** Workers that got nothing although the pool got something: a sign of a stuck or starved worker. */
  idle: number;
}

export function spreadOf(values: readonly number[]): Spread {
  const n = values.length;
  if (n === 0) { return { workers: 0, min: 0, max: 0, mean: 0, cv: 0, idle: 0 }; }
  let min = Infinity;
  let max = -Infinity;
  let sum = 0;
  for (const v of values) {
    if (v < min) { min = v; }
    if (v > max) { max = v; }
    sum += v;
  }
  const mean = sum / n;
  let sq = 0;
  for (const v of values) { sq += (v - mean) ** 2; }
  const cv = mean === 0 ? 0 : Math.sqrt(sq / n) / mean;
  return { workers: n, min, max, mean: round3(mean), cv: round3(cv), idle: sum > 0 ? values.filter((v) => v === 0).length : 0 };
}

/**
 * Remembers message ids to spot duplicates. Bounded: past `capacity` ids the oldest are forgotten (a Set iterates in
 * insertion order), so a pool that runs for days does not grow without limit; duplicates further apart than
 * `capacity` messages are then not detected.
 */
export class IdTracker {
  private readonly ids = new Set<string>();
  constructor(readonly capacity = 1_000_000) {}

  /** Records the id; true when it was seen before (a duplicate). */
  seen(id: string): boolean {
    if (this.ids.has(id)) { return true; }
    this.ids.add(id);
    if (this.ids.size > this.capacity) {
      const oldest = this.ids.values().next().value;
      if (oldest !== undefined) { this.ids.delete(oldest); }
    }
    return false;
  }

  has(id: string): boolean { return this.ids.has(id); }
  get size(): number { return this.ids.size; }
  clear(): void { this.ids.clear(); }
}

/** One worker's counts. Mutable and cheap; snapshot() copies them for a UI or a report. */
export class DeliveryCounter {
  delivered = 0;
  acked = 0;
  redelivered = 0;
  duplicates = 0;
  /** Deliveries whose message_id could not be found (neither in properties nor in an oslo body). */
  withoutId = 0;
  readonly latency = new LatencyHistogram();

  /** Records one delivery. `duplicate` is decided by the pool's IdTracker; latencyMs is NaN when unknown. */
  record(redelivered: boolean, duplicate: boolean, hasId: boolean, latencyMs: number): void {
    this.delivered++;
    if (redelivered) { this.redelivered++; }
    if (duplicate) { this.duplicates++; }
    if (!hasId) { this.withoutId++; }
    if (latencyMs === latencyMs) { this.latency.record(latencyMs); } // NaN check without a call
  }

  reset(): void {
    this.delivered = 0;
    this.acked = 0;
    this.redelivered = 0;
    this.duplicates = 0;
    this.withoutId = 0;
    this.latency.reset();
  }
}

export type WorkerState = 'starting' | 'consuming' | 'reconnecting' | 'cancelled' | 'stopped' | 'failed';

export interface WorkerCounts {
  name: string;
  consumerTag?: string;
  state: WorkerState;
  delivered: number;
  acked: number;
  redelivered: number;
  duplicates: number;
  withoutId: number;
  latencyMs: LatencySummary;
}

export interface PoolCounts {
  pool: string;
  queue: string;
  exchange: string;
  routingKeys: string[];
  delivered: number;
  acked: number;
  redelivered: number;
  duplicates: number;
  withoutId: number;
  /** Distinct message ids seen (bounded by the tracker's capacity). */
  uniqueIds: number;
  workers: WorkerCounts[];
  spread: Spread;
  latencyMs: LatencySummary;
  /** Deliveries per second since the previous snapshot (0 for the first). */
  ratePerSecond: number;
  /** Epoch ms when the snapshot was taken. */
  at: number;
  /** Seconds since the pool started. */
  uptimeSeconds: number;
  reconnects: number;
}

export function workerCounts(name: string, state: WorkerState, c: DeliveryCounter, consumerTag?: string): WorkerCounts {
  return {
    name, consumerTag, state, delivered: c.delivered, acked: c.acked, redelivered: c.redelivered, duplicates: c.duplicates,
    withoutId: c.withoutId, latencyMs: c.latency.summary(),
  };
}

/** Sums worker counters into pool totals (latency histograms merged, not averaged). */
export function sumCounters(counters: readonly DeliveryCounter[]): { delivered: number; acked: number; redelivered: number; duplicates: number; withoutId: number; latency: LatencyHistogram } {
  const latency = new LatencyHistogram();
  let delivered = 0;
  let acked = 0;
  let redelivered = 0;
  let duplicates = 0;
  let withoutId = 0;
  for (const c of counters) {
    delivered += c.delivered;
    acked += c.acked;
    redelivered += c.redelivered;
    duplicates += c.duplicates;
    withoutId += c.withoutId;
    latency.merge(c.latency);
  }
  return { delivered, acked, redelivered, duplicates, withoutId, latency };
}

/** Rate between two cumulative readings; 0 when the time did not advance. */
export function rateOf(prevCount: number, prevAtMs: number, count: number, atMs: number): number {
  const dt = (atMs - prevAtMs) / 1000;
  return dt > 0 ? Math.max(0, Math.round(((count - prevCount) / dt) * 10) / 10) : 0;
}
