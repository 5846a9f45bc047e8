/**
 * Pool health, the pure half: a worker's state (ok / slow / stalled / idle) from its channel's counters, and the
 * findings `stalled-worker`, `slow-worker`, `pool-falling-behind` and `consumer-timeout-risk`. Every number is a number
 * or null when the broker's statistics cannot tell it; ages are lower bounds at the sampling interval's resolution.
 */
import type { Finding } from './findings';

export interface HealthThresholds {
  /** stalled: holds unacked messages and has acked nothing for this long while its pool has messages waiting (default 60). */
  stalledAfterSeconds: number;
  /** slow: prefetch full and acking below this fraction of the median of the pool's other workers (default 0.25). */
  slowRatio: number;
  /** The broker's consumer_timeout in seconds (RabbitMQ's default: 30 min); a queue's x-consumer-timeout wins. */
  consumerTimeoutSeconds: number;
  /** consumer-timeout-risk once a worker has held a delivery for this fraction of the consumer timeout (default 0.8). */
  consumerTimeoutWarnRatio: number;
  /** The trend window: slopes and rates over the last this many seconds of samples (default 15: three statistics intervals, so a change shows within ~20 s). */
  windowSeconds: number;
  /** pool-falling-behind: ready grows at least this fast (messages/s, default 0.2)… */
  fallingBehindPerSecond: number;
  /** …and by at least this many messages within the window (default 5). */
  fallingBehindMinMessages: number;
}

export const DEFAULT_HEALTH_THRESHOLDS: HealthThresholds = {
  stalledAfterSeconds: 60, slowRatio: 0.25, consumerTimeoutSeconds: 1800, consumerTimeoutWarnRatio: 0.8,
  windowSeconds: 15, fallingBehindPerSecond: 0.2, fallingBehindMinMessages: 5,
};

export type WorkerState = 'ok' | 'slow' | 'stalled' | 'idle';

export interface WorkerFacts {
  consumerTag: string;
  application: string;
  unacked: number | null;
  prefetch: number | null;
  ackRate: number | null;
  /** Seconds since its channel's ack counter last changed (a lower bound); null when it never acked or cannot be known. */
  lastAckSecondsAgo: number | null;
  /**
   * Seconds it has held its unacked messages without acking or receiving any (a lower bound): the shorter of the time
   * since its last ack and since its last delivery. Null when the statistics cannot tell.
   */
  heldSeconds: number | null;
}

/** A worker's state. `others` are the ack rates of the pool's other workers; `poolReady` the pool's ready messages. */
export function workerState(w: WorkerFacts, poolReady: number, others: readonly (number | null)[], th: HealthThresholds): { state: WorkerState; why: string } {
  const unacked = w.unacked ?? 0;
  if (unacked > 0 && poolReady > 0 && w.heldSeconds !== null && w.heldSeconds >= th.stalledAfterSeconds) {
    return { state: 'stalled', why: `holds ${unacked} unacked and has acked nothing for ≥ ${Math.round(w.heldSeconds)} s while ${poolReady} wait` };
  }
  const known = others.filter((r): r is number => r !== null);
  const median = known.length ? [...known].sort((a, b) => a - b)[Math.floor(known.length / 2)] : undefined;
  const full = w.prefetch !== null && w.prefetch > 0 && unacked >= w.prefetch;
  if (full && w.ackRate !== null && median !== undefined && median > 0 && w.ackRate < th.slowRatio * median) {
    return { state: 'slow', why: `prefetch full (${unacked}/${w.prefetch}), acks ${w.ackRate.toFixed(2)}/s against ${median.toFixed(2)}/s for the pool's other workers` };
  }
  if (unacked === 0 && poolReady === 0) { return { state: 'idle', why: 'no messages for it' }; }
  return { state: 'ok', why: w.heldSeconds === null && unacked > 0 ? 'ok as far as the statistics tell (no ack history)' : 'acking' };
}

export interface PoolFacts {
  name: string;
  consumers: number;
  ready: number;
  growingPerSecond: number | null;
  /** How much ready rose over the trend window (last − first). */
  readyRiseInWindow: number | null;
  windowSeconds: number | null;
  /** The queue's x-consumer-timeout argument in ms, when it sets one. */
  consumerTimeoutMs?: number;
  workers: (WorkerFacts & { state: WorkerState; why: string })[];
}

const fmt = (n: number) => (Math.abs(n) >= 10 ? Math.round(n).toString() : n.toFixed(1));
const tags = (ws: { consumerTag: string; application: string }[]) => ws.map((w) => `${w.consumerTag} (${w.application})`).join(', ');

/** The four health findings of one pool. */
export function healthFindings(p: PoolFacts, th: HealthThresholds): Finding[] {
  const out: Finding[] = [];
  const stalled = p.workers.filter((w) => w.state === 'stalled');
  if (stalled.length) {
    out.push({
      kind: 'stalled-worker', severity: 'error', pool: p.name, workers: stalled.map((w) => w.consumerTag),
      message: `${stalled.length === 1 ? 'A worker holds' : `${stalled.length} workers hold`} messages without acking while ${p.ready} wait in the pool: ${tags(stalled)}. ` +
        `${stalled.map((w) => `${w.consumerTag}: ${w.unacked ?? '?'} unacked, nothing acked for ≥ ${Math.round(w.heldSeconds ?? 0)} s`).join('; ')}.`,
      action: 'Look at that worker (hung handler, deadlock, lost ack): its unacked messages go back to the pool when its channel closes; restart it or close its connection',
    });
  }
  const slow = p.workers.filter((w) => w.state === 'slow');
  if (slow.length) {
    out.push({
      kind: 'slow-worker', severity: 'warning', pool: p.name, workers: slow.map((w) => w.consumerTag),
      message: `${slow.length === 1 ? 'A worker acks' : `${slow.length} workers ack`} far slower than the pool's others with a full prefetch: ${slow.map((w) => `${w.consumerTag} (${w.application}): ${w.why}`).join('; ')}.`,
      action: 'Find why that worker is slow (host load, a slow dependency); a smaller prefetch lets the other workers take more of the messages it sits on',
    });
  }
  const g = p.growingPerSecond;
  if (p.consumers > 0 && g !== null && g >= th.fallingBehindPerSecond && (p.readyRiseInWindow ?? 0) >= th.fallingBehindMinMessages) {
    out.push({
      kind: 'pool-falling-behind', severity: 'warning', pool: p.name,
      message: `Ready messages grow by ${fmt(g)}/s (+${Math.round(p.readyRiseInWindow ?? 0)} in ${Math.round(p.windowSeconds ?? 0)} s) although ${p.consumers} worker${p.consumers === 1 ? '' : 's'} consume: the pool does not keep up.`,
      action: 'Add workers (or speed them up), or publish less; stalled or slow workers among them are named in their own findings',
    });
  }
  const timeoutS = p.consumerTimeoutMs !== undefined ? p.consumerTimeoutMs / 1000 : th.consumerTimeoutSeconds;
  const risky = p.workers.filter((w) => (w.unacked ?? 0) > 0 && w.heldSeconds !== null && w.heldSeconds >= th.consumerTimeoutWarnRatio * timeoutS);
  if (risky.length) {
    out.push({
      kind: 'consumer-timeout-risk', severity: 'warning', pool: p.name, workers: risky.map((w) => w.consumerTag),
      message: `${tags(risky)} ${risky.length === 1 ? 'has' : 'have'} held unacked deliveries for ≥ ${Math.round(Math.min(...risky.map((w) => w.heldSeconds ?? 0)))} s; ` +
        `at the consumer timeout (${Math.round(timeoutS)} s${p.consumerTimeoutMs !== undefined ? ', the queue\'s x-consumer-timeout' : ''}) the broker closes the channel and redelivers them.`,
      action: 'Ack sooner (or reject and requeue what cannot be handled); if long handling is intended, raise consumer_timeout for this queue or broker',
    });
  }
  return out;
}

/** "drains in ~12 s" / "grows 40/s" / "steady": the pool's verdict in words. */
export function verdictWords(p: { ready: number; drainSeconds: number | null; growingPerSecond: number | null; consumers: number }): string {
  if (p.growingPerSecond !== null && p.growingPerSecond > 0) { return `grows ${fmt(p.growingPerSecond)}/s`; }
  if (p.drainSeconds !== null) { return p.ready === 0 && p.drainSeconds === 0 ? 'empty' : `drains in ~${durationWords(p.drainSeconds)}`; }
  if (p.ready > 0 && p.consumers === 0) { return 'no workers'; }
  return p.growingPerSecond === 0 ? 'steady' : 'trend unknown';
}

/**
 * 12 → "12 s", 130 → "2 min", 7300 → "2 h": the one wording of a duration (tree, panel, CLI). Rounded first, then the
 * unit chosen on the rounded value, so that a value never jumps a unit across a boundary (89.6 s and 90.4 s were
 * "90 s" and "2 min"); seconds up to 119, minutes up to 119, then hours.
 */
export function durationWords(s: number): string {
  const sec = Math.max(0, Math.round(s));
  if (sec < 120) { return `${sec} s`; }
  const min = Math.round(sec / 60);
  if (min < 120) { return `${min} min`; }
  return `${Math.round(sec / 3600)} h`;
}
