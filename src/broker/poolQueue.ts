/**
 * A pool's queue on the broker: check the exchange, declare the queue when it is missing, bind it with each key, and
 * never leave a pool half-created (a queue this call created is deleted again when a binding fails). Each probe runs
 * on a throwaway channel, because checkExchange / checkQueue close their channel on 404.
 */
import type * as amqp from 'amqplib';
import type { BrokerConfig } from './connection';
import { BrokerError } from './errors';
import type { QueueType } from './poolOptions';
import { isNotFound, toBrokerError } from './recovering';

export interface PoolQueueSpec {
  pool: string;
  queue: string;
  exchange: string;
  routingKeys: readonly string[];
  /** Used when the queue does not exist yet; an existing queue is joined as it is. */
  queueType: QueueType;
  durable: boolean;
}

type Probed<T> = { ok: true; value: T } | { ok: false; error: unknown };
type Probe = <T>(fn: (ch: amqp.Channel) => Promise<T>) => Promise<Probed<T>>;

function prober(model: amqp.ChannelModel): Probe {
  return async <T>(fn: (ch: amqp.Channel) => Promise<T>): Promise<Probed<T>> => {
    const ch = await model.createChannel();
    ch.on('error', () => undefined);
    try {
      const value = await fn(ch);
      await ch.close().catch(() => undefined);
      return { ok: true, value };
    } catch (error) {
      await ch.close().catch(() => undefined);
      return { ok: false, error };
    }
  };
}

/** Throws 'not-found' naming the exchange and how to declare it, or the broker's error. */
export async function checkPoolExchange(model: amqp.ChannelModel, config: BrokerConfig, exchange: string): Promise<void> {
  const ex = await prober(model)((ch) => ch.checkExchange(exchange));
  if (ex.ok) { return; }
  if (isNotFound(ex.error)) {
    throw new BrokerError('not-found', `The exchange "${exchange}" does not exist in vhost "${config.vhost}"`,
      `Check the name (rmq-pools topology lists the exchanges), or declare it first, e.g. rabbitmqadmin declare exchange name=${exchange} type=topic`);
  }
  throw toBrokerError(ex.error, config);
}

/** Declares the queue if it is missing and binds it with every key; on a failed binding, undoes what this call made. */
export async function declarePoolQueue(model: amqp.ChannelModel, config: BrokerConfig, spec: PoolQueueSpec): Promise<void> {
  const probe = prober(model);
  const q = await probe((ch) => ch.checkQueue(spec.queue));
  let created = false;
  if (!q.ok) {
    if (!isNotFound(q.error)) { throw toBrokerError(q.error, config); }
    const made = await probe((ch) => ch.assertQueue(spec.queue, {
      durable: spec.queueType === 'quorum' ? true : spec.durable,
      arguments: spec.queueType === 'quorum' ? { 'x-queue-type': 'quorum' } : undefined,
    }));
    if (!made.ok) { throw declareError(made.error, config, spec); }
    created = true;
  }
  const bound: string[] = [];
  for (const key of spec.routingKeys) {
    const b = await probe((ch) => ch.bindQueue(spec.queue, spec.exchange, key));
    if (!b.ok) { throw await bindError(probe, config, spec, b.error, key, created, bound); }
    bound.push(key);
  }
}

/**
 * A binding failed after the queue was declared. A queue this call created (still empty and unused) is deleted again;
 * otherwise the error says exactly what exists now.
 */
async function bindError(probe: Probe, config: BrokerConfig, spec: PoolQueueSpec, error: unknown, key: string, created: boolean, bound: string[]): Promise<BrokerError> {
  const err = toBrokerError(error, config);
  const what = `Binding queue "${spec.queue}" to exchange "${spec.exchange}" with key "${key}" failed: ${err.message}`;
  if (created) {
    const del = await probe((ch) => ch.deleteQueue(spec.queue, { ifEmpty: true, ifUnused: true }));
    if (del.ok) { return new BrokerError(err.kind, `${what}. The queue created for pool "${spec.pool}" was deleted again; nothing was left behind`, err.hint); }
    return new BrokerError(err.kind, `${what}. The queue "${spec.queue}" was created but could not be deleted again and is left${bound.length ? ` bound with ${bound.map((k) => `"${k}"`).join(', ')}` : ' unbound'}`,
      `${err.hint}; delete the queue (Delete Pool, or rabbitmqctl delete_queue -p ${config.vhost} ${spec.queue})`);
  }
  return new BrokerError(err.kind, `${what}. The queue "${spec.queue}" existed before and is left as it was${bound.length ? `, plus the binding(s) ${bound.map((k) => `"${k}"`).join(', ')}` : ''}`, err.hint);
}

function declareError(e: unknown, config: BrokerConfig, spec: PoolQueueSpec): BrokerError {
  const err = toBrokerError(e, config);
  if (err.kind === 'precondition') {
    return new BrokerError('precondition', `The queue "${spec.queue}" cannot be declared as ${spec.queueType}: ${err.message}`, 'Use the existing queue\'s type (--queue-type) or another pool name');
  }
  return err;
}

/** true / false, or undefined when it cannot be told (no connection, or another error). */
export async function queueExists(model: amqp.ChannelModel | null | undefined, queue: string): Promise<boolean | undefined> {
  if (!model) { return undefined; }
  let ch: amqp.Channel | undefined;
  try {
    ch = await model.createChannel();
    ch.on('error', () => undefined);
    await ch.checkQueue(queue);
    await ch.close().catch(() => undefined);
    return true;
  } catch (e) {
    return isNotFound(e) ? false : undefined;
  }
}

/** Deletes the queue; a queue already gone is fine. Returns the error instead of throwing it. */
export async function deletePoolQueue(model: amqp.ChannelModel, config: BrokerConfig, queue: string): Promise<BrokerError | undefined> {
  try {
    const ch = await model.createChannel();
    ch.on('error', () => undefined);
    await ch.deleteQueue(queue);
    await ch.close().catch(() => undefined);
    return undefined;
  } catch (e) {
    return isNotFound(e) ? undefined : toBrokerError(e, config);
  }
}
