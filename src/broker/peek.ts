/**
 * Peek Messages: read up to N messages from the head of a pool and put every one back (peekRules.ts says exactly what that
 * does per queue type, as measured). Classic queues: basic.get with manual ack on one channel, then the channel is closed so
 * that the broker returns them all to their places; quorum queues: a consumer with prefetch N (highest consumer priority),
 * its channel closed after N; streams: a consumer from offset "first". A connection lost in the middle loses nothing
 * either: the broker returns unacknowledged messages itself.
 */
import type * as amqp from 'amqplib';
import { BrokerConfig, amqpConnectArgs } from './connection';
import { BrokerError, invalidInput } from './errors';
import type { ManagementClient } from './management';
import { DEFAULT_MAX_BODY_BYTES, DeathGroup, PeekedMessage, RawMessage, groupDeaths, renderMessage } from './messageView';
import { PeekQueueType, SideEffects, deliveryLimitInfo, pastLimit, peekCount, queueTypeOf, sideEffectsOf } from './peekRules';
import { assertWritable } from './receivers';
import { loadAmqplib, toBrokerError } from './recovering';

export interface PeekOptions {
  vhost?: string;
  pool: string;
  /** 1 … 500, default 10 (validated: a bad count reads nothing). */
  count?: number | string;
  /** Peek a quorum queue with a delivery limit although it uses up a delivery attempt (peekRules.ts). */
  acceptDeliveryCount?: boolean;
  maxBodyBytes?: number;
  signal?: AbortSignal;
  onProgress?: (taken: number, count: number) => void;
  /** For tests: the clock of the ages. */
  now?: () => number;
}

export interface PeekResult {
  vhost: string;
  pool: string;
  queueType: PeekQueueType;
  sideEffects: SideEffects;
  requested: number;
  /** The pool's depth (ready messages) when the peek began, per the management API. */
  depthBefore?: number;
  messages: PeekedMessage[];
  /** Peeked messages the return pushed past a quorum delivery limit (dead-lettered or dropped); 0 elsewhere. */
  pastDeliveryLimit: number;
  deathSummary?: DeathGroup[];
  cancelled: boolean;
}

/** The pool's type, arguments and policy; a clear not-found error naming the pool and the vhost. */
async function describePool(client: ManagementClient, vhost: string, pool: string) {
  try {
    return await client.queue(vhost, pool, ['name', 'type', 'arguments', 'effective_policy_definition', 'delivery_limit', 'messages_ready', 'messages', 'consumers']);
  } catch (e) {
    if (e instanceof BrokerError && (e.kind === 'not-found' || e.status === 404)) {
      throw new BrokerError('not-found', `Pool "${pool}" does not exist in vhost "${vhost}"`,
        'Check the pool name and the vhost (rmq-pools topology lists the pools); nothing was read', { cause: e });
    }
    throw e;
  }
}

export interface PeekPlan { queueType: PeekQueueType; sideEffects: SideEffects; deliveryLimit?: number; depth?: number }

/** What a peek of the pool would do (asked before the peek, for a confirmation); a clear error when the pool does not exist. */
export async function peekPlan(client: ManagementClient, vhost: string, pool: string): Promise<PeekPlan> {
  const q = await describePool(client, vhost, pool);
  const queueType = queueTypeOf(q);
  // RabbitMQ 4.x quorum queues have a default delivery limit (peekRules.ts): the version decides; unknown → as before 4.0.
  const version = queueType === 'quorum' ? (await client.overview().catch(() => undefined))?.rabbitmq_version : undefined;
  const { limit: deliveryLimit, assumedDefault } = queueType === 'quorum' ? deliveryLimitInfo(q, version) : { limit: undefined, assumedDefault: false };
  return { queueType, sideEffects: sideEffectsOf(queueType, deliveryLimit, assumedDefault), deliveryLimit, depth: q.messages_ready ?? q.messages };
}

/** The core of Peek Messages (CLI `rmq-pools peek`, VS Code "Peek Messages…"). */
export async function peekMessages(config: BrokerConfig, client: ManagementClient, o: PeekOptions): Promise<PeekResult> {
  const count = peekCount(o.count);
  const vhost = o.vhost ?? config.vhost;
  if (!o.pool || !o.pool.trim()) { throw invalidInput('No pool given to peek', 'Name the pool (--pool P); nothing was read'); }
  const { queueType, sideEffects, deliveryLimit: limit, depth } = await peekPlan(client, vhost, o.pool);
  // A peek that can dead-letter messages is a write: a read-only broker refuses it, consent or not.
  if (sideEffects.needsConsent) { assertWritable(config, `Peeking quorum pool "${o.pool}" (delivery limit ${limit})`); }
  if (sideEffects.needsConsent && !o.acceptDeliveryCount) {
    throw new BrokerError('precondition', `Pool "${o.pool}" is a quorum queue with a delivery limit of ${limit}: a peek uses up one delivery attempt of each peeked message, and one already delivered ${limit} times would be dead-lettered or dropped`,
      'Accept that to peek anyway (--accept-delivery-count, or confirm in VS Code); nothing was read');
  }
  const now = o.now ?? Date.now;
  const result: PeekResult = {
    vhost, pool: o.pool, queueType, sideEffects, requested: count, depthBefore: depth, messages: [], pastDeliveryLimit: 0, cancelled: false,
  };
  const cfg = vhost === config.vhost ? config : { ...config, vhost };
  const { url, socketOptions } = amqpConnectArgs(cfg, 'rmq-pools:peek');
  let conn: amqp.ChannelModel;
  try {
    conn = await (await loadAmqplib()).connect(url, socketOptions);
  } catch (e) {
    throw toBrokerError(e, cfg);
  }
  conn.on('error', () => undefined);
  const maxBody = o.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  const add = (m: RawMessage) => {
    result.messages.push(renderMessage(m, result.messages.length + 1, now(), maxBody));
    o.onProgress?.(result.messages.length, count);
  };
  try {
    const ch = await conn.createChannel();
    ch.on('error', () => undefined);
    if (queueType === 'classic') {
      try {
        while (result.messages.length < count) {
          if (o.signal?.aborted) { result.cancelled = true; break; }
          const m = await ch.get(o.pool, { noAck: false });
          if (m === false) { break; }
          add(m);
        }
      } finally {
        // Closing the channel returns every unacknowledged message to its place, in order (peekRules.ts).
        await ch.close().catch(() => undefined);
      }
    } else {
      // Quorum: basic.get + close was measured to return the messages in a scrambled order; a consumer's do not (peekRules.ts).
      const expected = queueType === 'quorum' ? Math.min(count, (await ch.checkQueue(o.pool)).messageCount) : count;
      const args: Record<string, unknown> = queueType === 'stream' ? { 'x-stream-offset': 'first' } : { 'x-priority': 2 ** 31 - 1 };
      await consumeN(ch, o.pool, count, expected, args, (m) => {
        add(m);
        if (pastLimit(result.messages[result.messages.length - 1].deliveryCount, limit)) { result.pastDeliveryLimit++; }
      }, o.signal);
    }
    if (o.signal?.aborted) { result.cancelled = true; }
  } catch (e) {
    throw toBrokerError(e, cfg);
  } finally {
    await conn.close().catch(() => undefined);
  }
  const deaths = groupDeaths(result.messages);
  if (deaths.length) { result.deathSummary = deaths; }
  return result;
}

/**
 * A consumer with prefetch N that takes up to N messages (none acknowledged), then closes its channel, which returns them
 * all (a stream: nothing to return). It stops at `expected`, at N, when the pool goes quiet (nothing new for 1 s; the first
 * message may take 3 s, a stream reader opens a segment first), or on cancel.
 */
async function consumeN(ch: amqp.Channel, pool: string, count: number, expected: number, args: Record<string, unknown>,
  add: (m: RawMessage) => void, signal?: AbortSignal): Promise<void> {
  if (expected <= 0) { await ch.close().catch(() => undefined); return; }
  await ch.prefetch(count);
  let got = 0;
  let resolveDone: () => void = () => undefined;
  const done = new Promise<void>((r) => { resolveDone = r; });
  let quiet = setTimeout(resolveDone, 3000);
  const onAbort = () => resolveDone();
  signal?.addEventListener('abort', onAbort);
  try {
    await ch.consume(pool, (m) => {
      if (m === null) { resolveDone(); return; }
      if (got >= count) { return; }
      got++;
      add(m);
      clearTimeout(quiet);
      if (got >= expected) { resolveDone(); } else { quiet = setTimeout(resolveDone, 1000); }
    }, { noAck: false, arguments: args });
    await done;
  } finally {
    clearTimeout(quiet);
    signal?.removeEventListener('abort', onAbort);
    await ch.close().catch(() => undefined);
  }
}
