/**
 * The "fed by" index (deadLettersLive.ts deadLetterIndexLive: one vhost-wide queue list) as the tree reads it: once per
 * refresh on a small broker, kept across refreshes for DEAD_LETTER_INDEX_TTL_MS on a larger one, and not read at all past
 * DEAD_LETTER_INDEX_MAX_QUEUES (the list costs the broker a pass over every queue: seconds at 50,000; BENCHMARKS.md figure 8).
 * The size is the broker's queue total from the overview the tree reads anyway (kept across refreshes, brokerSession.ts).
 */
import type { DeadLetterPath } from '../broker/deadLetters';
import { deadLetterIndexLive } from '../broker/deadLettersLive';
import type { BrokerSession } from './brokerSession';

/** Up to this many queues on the broker the index is read at every refresh (as before). */
export const DEAD_LETTER_INDEX_FRESH_QUEUES = 2_000;
/** Past this many queues on the broker the index is not read. */
export const DEAD_LETTER_INDEX_MAX_QUEUES = 20_000;
/** Between the two, how long one read serves (refreshes in between reuse it). */
export const DEAD_LETTER_INDEX_TTL_MS = 60_000;

export type DeadLetterIndex = ReadonlyMap<string, DeadLetterPath> | { skipped: number };

const kept = new WeakMap<BrokerSession, Map<string, { at: number; index: Promise<ReadonlyMap<string, DeadLetterPath>> }>>();

/** The index for `vhost`, or `{ skipped: n }` when the broker has n queues, more than DEAD_LETTER_INDEX_MAX_QUEUES. */
export async function deadLetterIndexOf(session: BrokerSession, vhost: string): Promise<DeadLetterIndex> {
  const queues = (await session.overview().catch(() => undefined))?.object_totals?.queues;
  const read = () => deadLetterIndexLive(session.client, vhost);
  if (queues === undefined || queues <= DEAD_LETTER_INDEX_FRESH_QUEUES) {
    return session.memo.get(JSON.stringify([vhost, 'deadLetterIndex']), read);
  }
  if (queues > DEAD_LETTER_INDEX_MAX_QUEUES) { return { skipped: queues }; }
  const byVhost = kept.get(session) ?? new Map<string, { at: number; index: Promise<ReadonlyMap<string, DeadLetterPath>> }>();
  kept.set(session, byVhost);
  const k = byVhost.get(vhost);
  if (k && Date.now() - k.at < DEAD_LETTER_INDEX_TTL_MS) { return k.index; }
  const entry = { at: Date.now(), index: read() };
  byVhost.set(vhost, entry);
  entry.index.catch(() => { if (byVhost.get(vhost) === entry) { byVhost.delete(vhost); } });
  return entry.index;
}
