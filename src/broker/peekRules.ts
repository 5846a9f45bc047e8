/**
 * What a peek does to a pool, by queue type, as measured on RabbitMQ 3.10.8 (test/broker/peek.test.ts keeps it true):
 *
 * - Classic queues: basic.get (manual ack) up to N on the peek's own channel, then that channel is CLOSED, so the broker
 *   returns every unacknowledged message at once; returned classic messages go back to their original places (measured with
 *   nack one by one, in reverse, nackAll and close: the same).
 * - Quorum queues: a consumer with prefetch N (ack mode manual, highest consumer priority), its channel closed after N:
 *   order kept (1,000 messages, repeated peeks of 10 and 50). Measured and rejected: basic.get + close returns the messages
 *   scrambled (0,9,1,2,… after a second peek of 10; random at 50); nack with requeue puts them at the BACK of a quorum queue
 *   without a delivery limit (3.10) and in nack order at the head with one.
 * - classic: order kept, nothing removed; the peeked messages come back with `redelivered` set (a consumer that treats
 *   redelivered as "maybe processed before" sees them so). While the peek holds them (milliseconds) workers get the next ones.
 * - quorum: order kept, nothing removed, `redelivered` set, and each peeked message's delivery count (`x-delivery-count`)
 *   goes up by 1. With a delivery limit (argument `x-delivery-limit` or policy `delivery-limit`), a message whose count
 *   passes the limit is dead-lettered (or dropped when there is no dead-letter exchange) on its return: a message already
 *   seen `limit` times is lost to the pool by a peek, and every peek uses up one of each message's delivery attempts.
 *   So a peek of such a pool is refused unless the caller accepts it (`acceptDeliveryCount`).
 * - stream: read by offset from the first message (x-stream-offset "first"); nothing is removed or changed.
 */
import { invalidInput } from './errors';

export const DEFAULT_PEEK_COUNT = 10;
export const MAX_PEEK_COUNT = 500;

export type PeekQueueType = 'classic' | 'quorum' | 'stream';

export interface SideEffects {
  /** Whether the peek removes messages from the pool (never, except past a quorum delivery limit). */
  removes: boolean;
  orderKept: boolean;
  redeliveredSet: boolean;
  deliveryCountRaised: boolean;
  /** A quorum queue's delivery limit, when it has one. */
  deliveryLimit?: number;
  /** True when the peek can dead-letter or drop messages: the caller must accept first. */
  needsConsent: boolean;
  /** One paragraph for the confirmation and the document. */
  summary: string;
}

/** The count of a peek: default 10, 1 … 500; anything else is a usage error naming the range. */
export function peekCount(raw: unknown): number {
  if (raw === undefined || raw === null || raw === '') { return DEFAULT_PEEK_COUNT; }
  const n = typeof raw === 'number' ? raw : typeof raw === 'string' && /^\s*\d+\s*$/.test(raw) ? Number(raw) : NaN;
  if (!Number.isInteger(n) || n < 1 || n > MAX_PEEK_COUNT) {
    throw invalidInput(`The peek count must be a whole number from 1 to ${MAX_PEEK_COUNT}, not "${String(raw)}"`,
      `Give a count between 1 and ${MAX_PEEK_COUNT} (default ${DEFAULT_PEEK_COUNT}); nothing was read`);
  }
  return n;
}

/** The queue type as the management API reports it (`type`, else the `x-queue-type` argument), classic by default. */
export function queueTypeOf(q: { type?: string; arguments?: Record<string, unknown> }): PeekQueueType {
  const t = q.type ?? q.arguments?.['x-queue-type'];
  return t === 'quorum' || t === 'stream' ? t : 'classic';
}

/** What deliveryLimitOf reads: the queue JSON of the management API (`delivery_limit` only some 4.x brokers report). */
export interface DeliveryLimitInput {
  arguments?: Record<string, unknown>;
  effective_policy_definition?: Record<string, unknown> | null;
  delivery_limit?: unknown;
}

/** A quorum queue's delivery limit and whether it is the broker's default assumed (nothing set, RabbitMQ ≥ 4.0). */
export interface DeliveryLimit { limit?: number; assumedDefault: boolean }

/**
 * RabbitMQ 4.0 gave quorum queues a default delivery limit of 20 (release-notes/4.0.0.md: "Quorum queues now have a default
 * redelivery limit set to 20"; deps/rabbit/src/rabbit_quorum_queue.erl `-define(DEFAULT_DELIVERY_LIMIT, 20)`, applied in
 * gather_policy_config/2 when neither `x-delivery-limit` nor the policy's `delivery-limit` is set; a negative value means
 * unlimited, and resolve_delivery_limit/2 takes the max of the two when either is negative, else the min).
 */
export const RMQ4_DEFAULT_DELIVERY_LIMIT = 20;

/** The major version of "4.3.5" (4); undefined when unknown. */
export function majorVersion(v: string | undefined): number | undefined {
  const m = /^\s*(\d+)\./.exec(v ?? '');
  return m ? Number(m[1]) : undefined;
}

function limitNumber(v: unknown): number {
  return typeof v === 'number' ? v : typeof v === 'string' && v.trim() !== '' ? Number(v) : NaN;
}

/**
 * A quorum queue's delivery limit as the broker applies it. The queue's `delivery_limit` (4.x, stats disabled) wins when
 * reported; else the argument and the policy's: below 4.0 the lower of them (none set: no limit); from 4.0
 * (`rabbitmqVersion` from /api/overview) the broker's rule above, and nothing set means the default of 20, assumed.
 */
export function deliveryLimitInfo(q: DeliveryLimitInput, rabbitmqVersion?: string): DeliveryLimit {
  const reported = limitNumber(q.delivery_limit);
  if (Number.isFinite(reported)) { return { limit: reported >= 0 ? reported : undefined, assumedDefault: false }; }
  const set = [q.arguments?.['x-delivery-limit'], q.effective_policy_definition?.['delivery-limit']]
    .map(limitNumber).filter((v) => Number.isFinite(v));
  if ((majorVersion(rabbitmqVersion) ?? 0) >= 4) {
    if (!set.length) { return { limit: RMQ4_DEFAULT_DELIVERY_LIMIT, assumedDefault: true }; }
    const v = set.some((x) => x < 0) ? Math.max(...set) : Math.min(...set);
    return { limit: v >= 0 ? v : undefined, assumedDefault: false };
  }
  const limits = set.filter((v) => v >= 0);
  return { limit: limits.length ? Math.min(...limits) : undefined, assumedDefault: false };
}

/** A quorum queue's delivery limit: the lower of the argument and the policy's, as the broker applies them (deliveryLimitInfo). */
export function deliveryLimitOf(q: DeliveryLimitInput, rabbitmqVersion?: string): number | undefined {
  return deliveryLimitInfo(q, rabbitmqVersion).limit;
}

export function sideEffectsOf(type: PeekQueueType, deliveryLimit?: number, assumedDefault = false): SideEffects {
  if (type === 'stream') {
    return { removes: false, orderKept: true, redeliveredSet: false, deliveryCountRaised: false, needsConsent: false,
      summary: 'A stream is read by offset from its first message: nothing is removed or changed, and consumers are not affected.' };
  }
  if (type === 'classic') {
    return { removes: false, orderKept: true, redeliveredSet: true, deliveryCountRaised: false, needsConsent: false,
      summary: 'The peeked messages are taken from the head of the classic queue and put back in the same order when the peek ends (milliseconds): '
        + 'nothing is removed, but they come back marked redelivered, and while the peek holds them workers receive the messages after them.' };
  }
  const base = 'The peeked messages are taken from the head of the quorum queue and put back in the same order when the peek ends: '
    + 'they come back marked redelivered and each one\'s delivery count (x-delivery-count) goes up by 1.';
  if (deliveryLimit === undefined) {
    return { removes: false, orderKept: true, redeliveredSet: true, deliveryCountRaised: true, needsConsent: false,
      summary: `${base} This queue has no delivery limit, so nothing is removed.` };
  }
  return { removes: true, orderKept: true, redeliveredSet: true, deliveryCountRaised: true, deliveryLimit, needsConsent: true,
    summary: `${base} This queue has a delivery limit of ${deliveryLimit}${assumedDefault ? ' (none is set, so this is the default RabbitMQ 4.x applies to every quorum queue: assumed, not reported by the broker)' : ''}: each peek uses up one delivery attempt of every peeked message, `
      + 'and a message already delivered that often is dead-lettered (or dropped without a dead-letter exchange) instead of coming back.' };
}

/** Messages a return would push past the delivery limit: those already delivered `limit` times. */
export function pastLimit(deliveryCount: number | undefined, limit: number | undefined): boolean {
  return limit !== undefined && (deliveryCount ?? 0) + 1 > limit;
}
