/**
 * The audit's accounting, pure: which of a run's message ids each pool received, how often, at which worker
 * (AuditTally, exact, for local pools), and the estimate for pools judged from management API counters
 * (approximateAuditResult). audit.ts drives pools and a publisher and feeds these.
 */
import { EMPTY_LATENCY, LatencyHistogram, LatencySummary, Spread, spreadOf } from './counts';

export interface AuditWorkerResult { name: string; delivered: number }

export interface AuditPoolResult {
  name: string;
  /** Distinct audit messages this pool received. */
  received: number;
  /** Audit messages this pool never received (published and confirmed, but not delivered before the deadline). */
  missing: number;
  /** Extra deliveries of audit messages already received (redeliveries included). */
  duplicates: number;
  /** true when counted per message by local workers; false when estimated from management API deltas. */
  exact: boolean;
  workers: AuditWorkerResult[];
  spread: Spread;
  latencyMs: LatencySummary;
  /** Why the numbers are approximate or missing, when they are. */
  note?: string;
}

/**
 * Exact accounting of one audit run for one local pool: which of the expected ids arrived, how often, at which worker.
 * Messages from other runs (or other publishers) are ignored by the caller before record() is called.
 */
export class AuditTally {
  private readonly got = new Map<string, number>();
  private readonly perWorker = new Map<string, number>();
  readonly latency = new LatencyHistogram();
  duplicates = 0;

  constructor(readonly pool: string, workerNames: readonly string[] = []) {
    for (const w of workerNames) { this.perWorker.set(w, 0); }
  }

  record(worker: string, messageId: string, latencyMs: number): void {
    const n = this.got.get(messageId) ?? 0;
    this.got.set(messageId, n + 1);
    if (n > 0) { this.duplicates++; }
    this.perWorker.set(worker, (this.perWorker.get(worker) ?? 0) + 1);
    if (latencyMs === latencyMs) { this.latency.record(latencyMs); }
  }

  /** Distinct ids received. */
  get received(): number { return this.got.size; }

  /** True when every expected id arrived at least once. */
  complete(expected: ReadonlySet<string> | number): boolean {
    if (typeof expected === 'number') { return this.got.size >= expected; }
    if (this.got.size < expected.size) { return false; }
    for (const id of expected) { if (!this.got.has(id)) { return false; } }
    return true;
  }

  result(expected: ReadonlySet<string>): AuditPoolResult {
    let received = 0;
    for (const id of expected) { if (this.got.has(id)) { received++; } }
    const workers = [...this.perWorker].map(([name, delivered]) => ({ name, delivered }));
    return {
      name: this.pool, received, missing: expected.size - received, duplicates: this.duplicates, exact: true, workers,
      spread: spreadOf(workers.map((w) => w.delivered)), latencyMs: this.latency.summary(),
    };
  }
}

/**
 * Approximate audit result from management API counters (queue message_stats deltas for deliver_get, before/after).
 * `deliveredDelta` undefined = the broker exposes no message_stats (rates_mode none, or not yet sampled).
 */
export function approximateAuditResult(pool: string, expected: number, deliveredDelta: number | undefined, consumers: number): AuditPoolResult {
  const base = { name: pool, exact: false, workers: [], spread: spreadOf([]), latencyMs: { ...EMPTY_LATENCY } };
  if (deliveredDelta === undefined) {
    return { ...base, received: 0, missing: expected, duplicates: 0, note: 'The management API has no message_stats for this queue (statistics disabled with rates_mode = none, or not sampled yet): delivery cannot be judged; run the pool locally with --pools for exact counts' };
  }
  const received = Math.min(expected, deliveredDelta);
  const note = consumers === 0
    ? 'The pool has no consumers: messages wait in the queue'
    : 'Estimated from the queue\'s deliver_get delta (includes other traffic, lags about 5 s); run the pool locally with --pools for exact counts';
  return { ...base, received, missing: Math.max(0, expected - deliveredDelta), duplicates: Math.max(0, deliveredDelta - expected), note };
}
