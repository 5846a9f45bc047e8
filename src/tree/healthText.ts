/**
 * Pool health on the Brokers tree: a short line for a pool's description ("drains in ~12 s", "grows 40/s", "backlog 3 min
 * old"), the details for its tooltip, and a worker's state for its description. Read from the findings store's health
 * report of the last refresh (findingsStore.ts); nothing when health was not read.
 */
import type { PoolHealth, WorkerHealth } from '../broker/health';
import { durationWords } from '../broker/health';
import type { Worker } from '../broker/topology';
import type { BrokerSession } from '../viewModel/brokerSession';
import type { TooltipBuilder } from '../viewModel/text';
import { extrasOf } from './treeExtras';

export function poolHealthOf(session: BrokerSession, vhost: string, pool: string): PoolHealth | undefined {
  return extrasOf(session)?.findings?.healthOf?.(session.name, vhost, pool);
}

export function workerHealthOf(session: BrokerSession, vhost: string, pool: string, w: Pick<Worker, 'consumerTag' | 'channel'>): WorkerHealth | undefined {
  return poolHealthOf(session, vhost, pool)?.workers.find((x) => x.consumerTag === w.consumerTag && (!w.channel || !x.channel || x.channel === w.channel));
}

/** The description's health part: the verdict, the backlog's age when known, stalled / slow workers counted. */
export function poolHealthLine(h: PoolHealth | undefined): string | undefined {
  if (!h) { return undefined; }
  const parts: string[] = [];
  if (h.verdict !== 'empty' && h.verdict !== 'trend unknown' && h.verdict !== 'no workers') { parts.push(h.verdict); }
  if (h.oldestAgeSeconds !== null && h.oldestAgeSeconds >= 1) { parts.push(`backlog ${durationWords(h.oldestAgeSeconds)} old`); }
  const stalled = h.workers.filter((w) => w.state === 'stalled').length;
  const slow = h.workers.filter((w) => w.state === 'slow').length;
  if (stalled) { parts.push(`${stalled} stalled`); }
  if (slow) { parts.push(`${slow} slow`); }
  return parts.length ? parts.join(' · ') : undefined;
}

const r = (v: number | null, unit: string) => (v === null ? 'unknown' : `${Math.round(v * 10) / 10}${unit}`);

/** The tooltip's Health section. */
export function addPoolHealth(t: TooltipBuilder, h: PoolHealth | undefined): void {
  if (!h) { return; }
  t.rule().title('Health', 'pulse')
    .field('Verdict', h.verdict)
    .field('Consumer capacity', h.capacity === null ? 'unknown' : `${Math.round(h.capacity * 100)} %`)
    .field('Ready trend', r(h.readyPerSecond, '/s')).field('Unacked trend', r(h.unackedPerSecond, '/s'))
    .field('In / ack', `${r(h.publishRate, '/s')} / ${r(h.ackRate, '/s')}`)
    .field('Oldest ready message', h.oldestAgeSeconds !== null ? `${durationWords(h.oldestAgeSeconds)} old` : h.ready ? 'unknown (publishers set no timestamp)' : undefined);
  for (const w of h.workers.filter((x) => x.state === 'stalled' || x.state === 'slow')) {
    t.field(`${w.state === 'stalled' ? 'Stalled' : 'Slow'} worker`, `${w.consumerTag} (${w.application}): ${w.why}`);
  }
  t.text(`Management API samples, ${h.dataAgeSeconds ?? '?'} s old at the last refresh, every ~${h.resolutionSeconds ?? 5} s: ages are lower bounds.`);
}

/** A worker's state for its description: "stalled" / "slow" and unacked/prefetch; nothing while ok or unknown. */
export function workerHealthLine(h: WorkerHealth | undefined): string | undefined {
  if (!h) { return undefined; }
  const fill = h.unacked !== null ? `${h.unacked}/${h.prefetch ?? '∞'} unacked` : undefined;
  if (h.state === 'stalled' || h.state === 'slow') { return [h.state.toUpperCase(), fill].filter(Boolean).join(' '); }
  return fill;
}

export function addWorkerHealth(t: TooltipBuilder, h: WorkerHealth | undefined): void {
  if (!h) { return; }
  t.rule().title(`Health: ${h.state}`, h.state === 'stalled' ? 'error' : h.state === 'slow' ? 'warning' : 'pulse').text(h.why)
    .field('Unacked / prefetch', `${h.unacked ?? '?'} / ${h.prefetch ?? 'unlimited'}`).field('Ack rate', r(h.ackRate, '/s'))
    .field('Last ack', h.lastAckSecondsAgo === null ? 'never (or before the samples)' : `≥ ${durationWords(h.lastAckSecondsAgo)} ago`)
    .field('Connected for', h.connectedSeconds === null ? undefined : durationWords(h.connectedSeconds))
    .field('Client', [h.client.product, h.client.version, h.client.platform].filter(Boolean).join(' ') || undefined)
    .field('Shares its channel', h.sharedChannel ? 'yes: unacked and acks are the channel\'s' : undefined);
}
