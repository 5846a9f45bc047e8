/**
 * A dead-lettered message's history: the `x-death` header RabbitMQ adds each time a queue dead-letters it (reject or
 * nack without requeue, expiry, a length limit, a quorum queue's delivery limit). One entry per (queue, reason), newest
 * first; `count` says how often. The one reading of it, for peek (`deaths`), the dead-letter view and replay (which
 * sends a message back to the exchange and keys of its first — oldest — entry).
 * https://www.rabbitmq.com/docs/dlx#effects
 */

export type DeathReason = 'rejected' | 'expired' | 'maxlen' | 'delivery_limit' | string;

export interface Death {
  reason: DeathReason;
  /** The queue that dead-lettered the message. */
  queue: string;
  /** The exchange the message had been published to before it reached `queue`. */
  exchange: string;
  routingKeys: string[];
  count: number;
  /** ISO 8601, when the broker gave one. */
  time?: string;
}

/** The `x-death` entries of a message's headers, newest first as the broker keeps them; [] when there are none. */
export function readDeaths(headers: Record<string, unknown> | undefined | null): Death[] {
  const raw = headers?.['x-death'];
  if (!Array.isArray(raw)) { return []; }
  const deaths: Death[] = [];
  for (const entry of raw) {
    if (entry === null || typeof entry !== 'object') { continue; }
    const e = entry as Record<string, unknown>;
    const keys = Array.isArray(e['routing-keys']) ? e['routing-keys'].filter((k): k is string => typeof k === 'string') : [];
    const death: Death = {
      reason: typeof e.reason === 'string' ? e.reason : 'unknown',
      queue: typeof e.queue === 'string' ? e.queue : '',
      exchange: typeof e.exchange === 'string' ? e.exchange : '',
      routingKeys: keys,
      count: typeof e.count === 'number' ? e.count : Number(e.count ?? 0) || 0,
    };
    const time = secondsOf(e.time);
    if (time !== undefined) { death.time = new Date(time * 1000).toISOString(); }
    deaths.push(death);
  }
  return deaths;
}

/** The oldest entry: where the message first came from (the broker appends new (queue, reason) pairs at the front). */
export function firstDeath(deaths: readonly Death[]): Death | undefined {
  return deaths.length > 0 ? deaths[deaths.length - 1] : undefined;
}

/**
 * amqplib decodes an AMQP timestamp (a header's, x-death's `time`) as `{ '!': 'timestamp', value: seconds }` and a property
 * timestamp as a number of seconds; other clients may hand a Date. Seconds since the epoch, or undefined.
 */
export function secondsOf(v: unknown): number | undefined {
  if (typeof v === 'number' && Number.isFinite(v)) { return v; }
  if (v instanceof Date) { return v.getTime() / 1000; }
  if (v !== null && typeof v === 'object' && typeof (v as { value?: unknown }).value === 'number') {
    return (v as { value: number }).value;
  }
  return undefined;
}
