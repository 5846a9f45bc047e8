/**
 * What a pool is asked to be: its options, their limits and defaults, and the up-front check that names the wrong
 * field (shared by WorkerPool, the CLI, the audit and the VS Code commands).
 */
import { invalidInput } from './errors';
import type { Logger } from './logger';
import type { RecoveryTuning } from './recovering';

export const MAX_WORKERS = 1000;
export const MAX_PREFETCH = 65535;

export type QueueType = 'classic' | 'quorum';

export interface WorkerPoolOptions {
  /** Pool name = queue name. */
  pool: string;
  exchange: string;
  /** Binding key(s). An empty key is legal AMQP (fanout, or a direct/topic key ""). */
  routingKeys: string | readonly string[];
  /** Workers to start (1–1000, default 1). */
  workers?: number;
  /** Unacknowledged deliveries per worker (default 10). */
  prefetch?: number;
  /** Used when the queue does not exist yet (default classic). An existing queue is joined as it is. */
  queueType?: QueueType;
  /** Default true (a quorum queue is always durable). */
  durable?: boolean;
  /** Default `rmq-pools:<pool>`. */
  connectionName?: string;
  /**
   * A cluster: one connection per node (amqpUrlsOf(config)), workers dealt round-robin over them. Default false: one
   * connection, on the first node that answers. Without several AMQP URLs this changes nothing.
   */
  spreadOverNodes?: boolean;
  recovery?: RecoveryTuning;
  /** Message ids remembered for duplicate detection (default 1,000,000). */
  trackIds?: number;
  /**
   * Stop taking messages after this many deliveries in total (the CLI's --count): later deliveries are returned to
   * the queue unacked (nack + requeue) and not counted; 'limit-reached' is emitted once. Default: no limit.
   */
  maxDeliveries?: number;
  /** Deliveries per batched ack (ack with multiple=true); default half the prefetch, at most 50. 1 = ack each message. */
  ackBatch?: number;
  /** Minimum interval between 'delivery' snapshot events, ms (default 250). */
  snapshotIntervalMs?: number;
  logger?: Logger;
}

export interface StopOptions {
  /** Delete the pool's queue after stopping its workers (default false). */
  deleteQueue?: boolean;
}

/** Validates pool options up front, with errors that name the field (shared by the CLI and the VS Code commands). */
export function validatePoolOptions(o: Pick<WorkerPoolOptions, 'pool' | 'exchange' | 'routingKeys' | 'workers' | 'prefetch' | 'queueType'>): void {
  const pool = o.pool ?? '';
  if (!pool.trim()) { throw invalidInput('The pool name is empty', 'Name the pool after the listener kind, e.g. "ceilometer"'); }
  if (Buffer.byteLength(pool) > 255) { throw invalidInput(`The pool name "${pool.slice(0, 40)}…" is longer than 255 bytes`, 'Use a shorter name'); }
  if (pool.startsWith('amq.')) {
    throw invalidInput(`The pool name "${pool}" starts with "amq.", which RabbitMQ reserves for itself`, 'Pick a name without the "amq." prefix, e.g. the listener kind "ceilometer"');
  }
  if (!o.exchange) { throw invalidInput('The exchange name is empty: the default exchange cannot be bound', 'Name the exchange the notifications are published to, e.g. "nova"'); }
  if (Buffer.byteLength(o.exchange) > 255) { throw invalidInput('The exchange name is longer than 255 bytes', 'Use the name of an existing exchange'); }
  const keys = typeof o.routingKeys === 'string' ? [o.routingKeys] : [...o.routingKeys];
  if (keys.length === 0) { throw invalidInput('No binding key given', 'Give the routing key to bind, e.g. notifications.info'); }
  for (const k of keys) {
    if (typeof k !== 'string') { throw invalidInput('A binding key is not a string', 'Give the routing key as text, e.g. notifications.info'); }
    if (Buffer.byteLength(k) > 255) { throw invalidInput(`The binding key "${k.slice(0, 40)}…" is longer than 255 bytes`, 'AMQP limits routing keys to 255 bytes'); }
  }
  const w = o.workers ?? 1;
  if (!Number.isInteger(w) || w < 1 || w > MAX_WORKERS) { throw invalidInput(`The worker count ${w} is not a whole number from 1 to ${MAX_WORKERS}`, 'Use e.g. 3'); }
  const p = o.prefetch ?? 10;
  if (!Number.isInteger(p) || p < 1 || p > MAX_PREFETCH) { throw invalidInput(`The prefetch ${p} is not a whole number from 1 to ${MAX_PREFETCH}`, 'Use e.g. 10'); }
  if (o.queueType !== undefined && o.queueType !== 'classic' && o.queueType !== 'quorum') {
    throw invalidInput(`The queue type "${String(o.queueType)}" is not supported`, 'Use classic or quorum');
  }
}

/** Deliveries per batched ack: `ackBatch`, or half the prefetch (at most 50); from 1 to the prefetch. */
export function ackBatchOf(o: Pick<WorkerPoolOptions, 'ackBatch'>, prefetch: number): number {
  const batch = o.ackBatch ?? Math.min(50, Math.max(1, Math.floor(prefetch / 2)));
  if (!Number.isInteger(batch) || batch < 1 || batch > prefetch) { throw invalidInput(`The ack batch ${batch} is not a whole number from 1 to the prefetch (${prefetch})`, 'Leave it unset'); }
  return batch;
}
