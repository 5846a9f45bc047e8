/**
 * Replay's pure parts and its checks before anything moves: where one message goes (its first x-death entry or the
 * given target), the header that marks a replayed copy, and the validation of the pool, the count and the target.
 */
import type { Death } from './deaths';
import { BrokerError, invalidInput } from './errors';
import type { ManagementClient } from './management';

/** On every replayed copy: how often it has been replayed (1 the first time), so that a replay loop can be seen. */
export const REPLAYED_HEADER = 'x-rmq-pools-replayed';
/** On every replayed copy: one id per publish, so that a basic.return (the copy reached no pool) names its dead letter. */
export const REPLAY_ID_HEADER = 'x-rmq-pools-replay-id';

/**
 * The most one replay moves. It holds a few bytes per target and nothing per message, but a bound keeps a mistyped
 * count (10,000,000 for 10,000) from turning into a long, hard-to-undo run: more is a second run away.
 */
export const MAX_REPLAY_COUNT = 100_000;

export interface ReplayTargetSpec {
  exchange: string;
  /** Default: the message's own routing keys (from its first x-death entry). */
  routingKey?: string;
}

export type PlannedTarget = { ok: true; exchange: string; keys: string[] } | { ok: false; reason: string };

/**
 * Where one dead letter goes: the given target (with its key, else the message's original keys), else the exchange and
 * routing keys of its first (oldest) x-death entry. `deliveryKey` is the key it was dead-lettered with (the last resort).
 */
export function planTarget(first: Death | undefined, to: ReplayTargetSpec | undefined, deliveryKey: string): PlannedTarget {
  const originalKeys = first?.routingKeys.length ? first.routingKeys : [deliveryKey];
  if (to) { return { ok: true, exchange: to.exchange, keys: to.routingKey !== undefined ? [to.routingKey] : originalKeys }; }
  if (!first) { return { ok: false, reason: 'has no x-death header, so where it came from is unknown' }; }
  return { ok: true, exchange: first.exchange, keys: originalKeys };
}

/**
 * The copy's headers: the message's own, with REPLAYED_HEADER counted up. With an explicit routing key (`--to X --key K`)
 * without its CC/BCC (sender-selected keys): those would route it by its old keys too.
 */
export function replayHeaders(headers: Record<string, unknown> | undefined, explicitKey = false): Record<string, unknown> {
  const prev = Number(headers?.[REPLAYED_HEADER]);
  const out: Record<string, unknown> = { ...(headers ?? {}), [REPLAYED_HEADER]: Number.isFinite(prev) && prev > 0 ? Math.floor(prev) + 1 : 1 };
  if (explicitKey) { delete out.CC; delete out.BCC; }
  return out;
}

export function validateReplayCount(count: number | undefined): void {
  if (count === undefined) { return; }
  if (!Number.isInteger(count) || count < 1 || count > MAX_REPLAY_COUNT) {
    throw invalidInput(`Replay count ${String(count)} is out of range: nothing was moved`,
      `Give a whole number from 1 to ${MAX_REPLAY_COUNT.toLocaleString('en-US')} (or none, for every message ready now); replay more in several runs`);
  }
}

/** Checks everything that can be checked before a message moves; throws a clear error (nothing moved) otherwise. */
export async function validateReplayInput(client: ManagementClient, vhost: string, pool: string, count: number | undefined,
  to: ReplayTargetSpec | undefined): Promise<{ type: string }> {
  validateReplayCount(count);
  if (typeof pool !== 'string' || pool === '') {
    throw invalidInput('No dead-letter pool given: nothing was moved', 'Name the pool to replay from (--pool DLQ)');
  }
  let type = 'classic';
  try {
    const q = await client.queue(vhost, pool, ['name', 'type']);
    type = typeof q.type === 'string' ? q.type : 'classic';
  } catch (e) {
    if (e instanceof BrokerError && e.kind === 'not-found') {
      throw new BrokerError('not-found', `There is no pool "${pool}" in vhost "${vhost}": nothing was moved`,
        'Check the name in the Brokers view or with "rmq-pools topology", and the vhost (--vhost)');
    }
    throw e;
  }
  if (to && to.exchange !== '') {
    try {
      await client.exchange(vhost, to.exchange);
    } catch (e) {
      if (e instanceof BrokerError && e.kind === 'not-found') {
        throw new BrokerError('not-found', `There is no exchange "${to.exchange}" in vhost "${vhost}" to replay to: nothing was moved`,
          'Declare it first, or pick an existing exchange (rmq-pools topology --all-exchanges), or leave out --to to replay where each message came from');
      }
      throw e;
    }
  }
  return { type };
}
