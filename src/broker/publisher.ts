/**
 * Publishes N test notifications to (exchange, routing key) with publisher confirms: oslo.messaging envelopes by
 * default (or raw JSON / text), each with a fresh UUID message_id (also set as properties.messageId so that workers
 * count without parsing), persistent, `mandatory` so that unroutable messages come back and are counted.
 *
 * Throughput: a bounded window of unconfirmed messages (default 5,000) instead of waitForConfirms() per batch, and
 * amqplib's back-pressure honoured (publish() false → wait for 'drain'). Cancellation (AbortSignal) stops sending at
 * once, waits at most `abortGraceMs` for outstanding confirms and reports the numbers. If the connection drops, the
 * messages not yet confirmed are re-sent after amqplib's recovery reconnects (at-least-once: consumers may then see a
 * duplicate, which they count as such). The bodies themselves are made in notifications.ts.
 */
import { EventEmitter } from 'node:events';
import type * as amqp from 'amqplib';
import { uuidv7 } from './ids';
import { BrokerConfig } from './connection';
import { BrokerError, invalidInput } from './errors';
import { Logger, silentLogger } from './logger';
import { MessageMaker, MessageOptions, RUN_ID_HEADER, messageMaker } from './notifications';
import { RecoveryTuning, connectRecovering, isNotFound, toBrokerError } from './recovering';
import { withTimeout } from './time';
import { MAX_PUBLISH_COUNT } from './limits';

export { MAX_PUBLISH_COUNT };
export { DEFAULT_EVENT_TYPE, DEFAULT_PUBLISHER_ID, type MessageFormat, type MessageMaker } from './notifications';

export interface PublishOptions extends MessageOptions {
  exchange: string;
  routingKey: string;
  /** Messages to publish (1–10,000,000). */
  count: number;
  /** Default true (delivery mode 2). */
  persistent?: boolean;
  /** Default true: unroutable messages come back and are counted. */
  mandatory?: boolean;
  /** Messages per second; unlimited when absent. */
  ratePerSecond?: number;
  /** Unconfirmed messages in flight (default 5000: with persistent messages the broker confirms after a disk sync, so a wide window matters). */
  maxInFlight?: number;
  /** Tags every message with the header x-rmqp-run (the audit's run id). */
  runId?: string;
  headers?: Record<string, string | number | boolean>;
  signal?: AbortSignal;
  /** Interval of 'progress' events, ms (default 100). */
  progressIntervalMs?: number;
  /** After cancellation, how long to wait for outstanding confirms, ms (default 500). */
  abortGraceMs?: number;
  /** Default `rmq-pools:publisher`. */
  connectionName?: string;
  recovery?: RecoveryTuning;
  /** Called once per message, when it is first handed to the broker (the audit records ids and publish times). */
  onPublished?: (messageId: string, publishedAt: number, seq: number) => void;
  logger?: Logger;
}

export interface PublishProgress {
  total: number;
  /** Distinct messages handed to the broker (a re-send after a reconnect is not counted again). */
  published: number;
  /** Confirmed by the broker (ack), unroutable ones included: the broker returns them, then acks. */
  confirmed: number;
  /** Refused by the broker (nack): e.g. a queue limit with overflow reject-publish. */
  nacked: number;
  /** Returned as unroutable: no pool is bound to the key on the exchange. */
  unroutable: number;
  /** Re-sent after a lost connection. */
  resent: number;
  inFlight: number;
  seconds: number;
  ratePerSecond: number;
}

export interface PublishResult extends PublishProgress {
  cancelled: boolean;
  reconnects: number;
  /** Published but neither confirmed nor nacked when the run ended (cancellation). */
  unconfirmed: number;
  exchange: string;
  routingKey: string;
  runId?: string;
}

export interface PublisherEvents {
  progress: [PublishProgress];
  returned: [{ messageId: string | undefined; replyCode: number; replyText: string; routingKey: string }];
  disconnected: [{ error: BrokerError }];
  reconnected: [{ reconnects: number }];
}

interface OutMessage {
  seq: number;
  id: string;
  /** The body; undefined when the maker makes it again at each send (MessageMaker.transient). */
  content: Buffer | undefined;
  props: amqp.Options.Publish;
  sent: boolean;
  /** When it was made (epoch ms; also inside its UUIDv7 id). */
  at: number;
}

/** Validates the publish options (throws 'invalid-input' naming the field) and returns the per-message body factory. */
export function prepareMessages(o: PublishOptions): MessageMaker {
  if (!Number.isInteger(o.count) || o.count < 1 || o.count > MAX_PUBLISH_COUNT) {
    throw invalidInput(`The message count ${o.count} is not a whole number from 1 to ${MAX_PUBLISH_COUNT}`, 'Use e.g. 1000');
  }
  if (typeof o.exchange !== 'string' || Buffer.byteLength(o.exchange) > 255) { throw invalidInput('The exchange name is missing or longer than 255 bytes', 'Name the exchange, e.g. nova'); }
  if (typeof o.routingKey !== 'string' || Buffer.byteLength(o.routingKey) > 255) { throw invalidInput('The routing key is missing or longer than 255 bytes', 'Use e.g. notifications.info'); }
  if (o.ratePerSecond !== undefined && !(Number.isFinite(o.ratePerSecond) && o.ratePerSecond > 0)) {
    throw invalidInput(`The rate ${o.ratePerSecond} is not a positive number of messages per second`, 'Use e.g. 500, or no rate for full speed');
  }
  if (o.maxInFlight !== undefined && !(Number.isInteger(o.maxInFlight) && o.maxInFlight >= 1 && o.maxInFlight <= 100_000)) {
    throw invalidInput(`The in-flight window ${o.maxInFlight} is not a whole number from 1 to 100000`, 'Use e.g. 2000');
  }
  for (const [name, value] of Object.entries(o.headers ?? {})) {
    const t = typeof value;
    if (!(t === 'string' || t === 'boolean' || (t === 'number' && Number.isFinite(value)))) {
      throw invalidInput(`The header "${name}" has a value that is not text, a number or true/false (${value === null ? 'null' : Array.isArray(value) ? 'an array' : t})`,
        'Give header values as text, numbers or true/false, e.g. { region: "eu" }; nothing was published');
    }
    if (Buffer.byteLength(name) > 255) { throw invalidInput(`The header name "${name.slice(0, 40)}…" is longer than 255 bytes`, 'Use a shorter header name'); }
  }
  return messageMaker(o);
}

/** Wakes the publish loop (a confirm arrived, 'drain', a channel came back, cancellation). */
class Wakeup {
  private p: Promise<void> | undefined;
  private resolve: (() => void) | undefined;
  wait(timeoutMs?: number): Promise<void> {
    this.p ??= new Promise<void>((r) => { this.resolve = r; });
    if (timeoutMs === undefined) { return this.p; }
    let t: NodeJS.Timeout | undefined;
    return Promise.race([this.p, new Promise<void>((r) => { t = setTimeout(r, timeoutMs); })]).finally(() => clearTimeout(t));
  }
  kick(): void {
    if (this.resolve) {
      const r = this.resolve;
      this.p = undefined;
      this.resolve = undefined;
      r();
    }
  }
}

/**
 * One publish run. `new NotificationPublisher(config, options).run()`; listen to 'progress' for a progress bar.
 * run() rejects only before publishing (invalid input, unreachable broker, missing exchange) or when the broker
 * closes the channel for good (e.g. the exchange is deleted mid-run); cancellation resolves with cancelled: true.
 */
export class NotificationPublisher extends EventEmitter<PublisherEvents> {
  private readonly make: MessageMaker;
  private readonly log: Logger;
  private ch: amqp.ConfirmChannel | undefined;
  private model: amqp.ChannelModel | null = null;
  private readonly wake = new Wakeup();
  private readonly pending = new Map<number, OutMessage>();
  private readonly resend: OutMessage[] = [];
  /**
   * Ids of messages the broker returned (unroutable) that are not confirmed yet: a message re-sent after a reconnect
   * may come back a second time and must count once. A confirmed message is never sent again, so its id is dropped at
   * the confirm: the set stays within the in-flight window, however long the run.
   */
  private readonly returnedIds = new Set<string>();
  private needDrain = false;
  private failure: BrokerError | undefined;
  private counts = { published: 0, confirmed: 0, nacked: 0, unroutable: 0, resent: 0 };
  private t0 = 0;
  private reconnects = 0;
  private running = false;
  private started = false;

  constructor(readonly config: BrokerConfig, readonly options: PublishOptions) {
    super();
    this.make = prepareMessages(options);
    this.log = options.logger ?? silentLogger;
  }

  progress(): PublishProgress {
    const seconds = this.t0 ? (performance.now() - this.t0) / 1000 : 0;
    return {
      total: this.options.count, ...this.counts, inFlight: this.pending.size, seconds: Math.round(seconds * 1000) / 1000,
      ratePerSecond: seconds > 0 ? Math.round(this.counts.published / seconds) : 0,
    };
  }

  async run(): Promise<PublishResult> {
    if (this.started) { throw invalidInput('This publisher already ran', 'Create a new NotificationPublisher'); }
    this.started = true;
    const o = this.options;
    const signal = o.signal;
    if (signal?.aborted) { return this.result(true); }
    this.running = true;
    const onAbort = () => this.wake.kick();
    signal?.addEventListener('abort', onAbort);
    let conn: amqp.RecoveringChannelModel | undefined;
    let progressTimer: NodeJS.Timeout | undefined;
    try {
      conn = await connectRecovering(this.config, o.connectionName ?? 'rmq-pools:publisher', (m) => this.setup(m), o.recovery, (c) => this.watch(c));
      this.t0 = performance.now();
      progressTimer = setInterval(() => this.emit('progress', this.progress()), o.progressIntervalMs ?? 100);
      progressTimer.unref();
      await this.loop(signal);
      const cancelled = signal?.aborted === true;
      if (cancelled && this.pending.size > 0) {
        // Give outstanding confirms a moment so that "confirmed" is accurate, without delaying cancellation much.
        const deadline = Date.now() + (o.abortGraceMs ?? 500);
        while (this.pending.size > 0 && Date.now() < deadline && this.ch) { await this.wake.wait(deadline - Date.now()); }
      }
      if (this.failure) { throw this.failure; }
      const r = this.result(cancelled);
      this.emit('progress', r);
      return r;
    } finally {
      this.running = false;
      signal?.removeEventListener('abort', onAbort);
      if (progressTimer) { clearInterval(progressTimer); }
      if (conn) { await closeQuietly(conn); }
    }
  }

  private result(cancelled: boolean): PublishResult {
    const p = this.progress();
    return {
      ...p, cancelled, reconnects: this.reconnects, unconfirmed: this.pending.size + this.resend.length,
      exchange: this.options.exchange, routingKey: this.options.routingKey, runId: this.options.runId,
    };
  }

  private async loop(signal: AbortSignal | undefined): Promise<void> {
    const o = this.options;
    const max = o.maxInFlight ?? 5000;
    const rate = o.ratePerSecond;
    const persistent = o.persistent ?? true;
    const mandatory = o.mandatory ?? true;
    const contentType = (o.format ?? 'oslo') === 'text' ? 'text/plain' : 'application/json';
    const extra: Record<string, unknown> = { ...o.headers };
    if (o.runId !== undefined) { extra[RUN_ID_HEADER] = o.runId; }
    const headers = Object.keys(extra).length ? extra : undefined;
    let nextSeq = 1;
    for (;;) {
      if (signal?.aborted || this.failure) { return; }
      const ch = this.ch;
      if (!ch || this.needDrain || this.pending.size >= max) { await this.wake.wait(1000); continue; }
      let msg = this.resend.shift();
      if (!msg) {
        if (nextSeq > o.count) {
          if (this.pending.size === 0) { return; }
          await this.wake.wait(1000);
          continue;
        }
        if (rate !== undefined) {
          const due = this.t0 + ((nextSeq - 1) / rate) * 1000;
          const wait = due - performance.now();
          if (wait > 1) { await this.wake.wait(wait); continue; }
        }
        const seq = nextSeq++;
        const now = Date.now();
        // A UUIDv7 carries the publish time (ids.ts): no header per message for the workers' latency.
        const id = uuidv7(now);
        msg = {
          seq, id, at: now, sent: false, content: this.make.transient ? undefined : this.make(seq, id, now),
          // What oslo.messaging (kombu) sends — content type and encoding, delivery mode — plus the message id; headers
          // only when asked for (the audit's run id, --header). No appId, no AMQP timestamp, no per-message header: each
          // costs the broker a little on every message; with them 100,000 publishes ran at 84 % of a bare raw loop
          // (BENCHMARKS.md, figure 2).
          props: headers === undefined
            ? { messageId: id, persistent, mandatory, contentType, contentEncoding: 'utf-8' }
            : { messageId: id, persistent, mandatory, contentType, contentEncoding: 'utf-8', headers },
        };
      }
      const m = msg;
      this.pending.set(m.seq, m);
      let ok: boolean;
      try {
        ok = ch.publish(o.exchange, o.routingKey, m.content ?? this.make.transient!(m.seq, m.id, m.at), m.props, (err: unknown) => this.onConfirm(m, err));
      } catch (e) {
        this.pending.delete(m.seq);
        if ((e as Error)?.name !== 'IllegalOperationError') {
          // Not a closed channel but a message amqplib cannot encode: re-sending would spin forever.
          this.failure = new BrokerError('invalid-input', `Message ${m.seq} cannot be sent: ${(e as Error)?.message ?? String(e)}`, 'Check the headers and the payload; nothing more was published');
          continue;
        }
        // The channel closed between the check and the call (IllegalOperationError): send it again on the next one.
        this.resend.unshift(m);
        if (this.ch === ch) { this.ch = undefined; }
        this.log.debug(`publish failed, will re-send: ${(e as Error).message}`);
        continue;
      }
      if (m.sent) {
        this.counts.resent++;
      } else {
        m.sent = true;
        this.counts.published++;
        o.onPublished?.(m.id, m.at, m.seq);
      }
      if (!ok) { this.needDrain = true; }
    }
  }

  private onConfirm(m: OutMessage, err: unknown): void {
    if (this.pending.get(m.seq) !== m) { return; }
    this.pending.delete(m.seq);
    if (!err || (err as Error).message === 'message nacked') { this.returnedIds.delete(m.id); }
    if (!err) {
      this.counts.confirmed++;
    } else if ((err as Error).message === 'message nacked') {
      this.counts.nacked++;
    } else if (this.running && !this.options.signal?.aborted) {
      this.resend.push(m); // channel closed before the confirm: send again after recovery
    } else {
      this.pending.set(m.seq, m); // cancelled: stays unconfirmed
      return;
    }
    this.wake.kick();
  }

  /** How many returned ids are remembered now (bounded by the in-flight window; for diagnostics and tests). */
  get trackedReturns(): number { return this.returnedIds.size; }

  private watch(conn: amqp.RecoveringChannelModel): void {
    conn.on('connect', (model: amqp.ChannelModel) => {
      this.model = model;
      if (this.t0) {
        this.reconnects++;
        this.emit('reconnected', { reconnects: this.reconnects });
      }
      this.wake.kick();
    });
    conn.on('disconnect', (e: Error) => {
      this.model = null;
      this.ch = undefined;
      this.needDrain = false;
      // What was sent on the lost connection and not confirmed can no longer be confirmed there: when its node is killed
      // (kill -9, a cluster's node going down) amqplib may never call those callbacks. Send them again after recovery.
      const lost = [...this.pending.values()].sort((a, b) => a.seq - b.seq);
      this.pending.clear();
      if (this.running && !this.options.signal?.aborted) { this.resend.push(...lost); } else { for (const m of lost) { this.pending.set(m.seq, m); } }
      this.emit('disconnected', { error: new BrokerError('channel', `The publisher lost its connection (${e.message})`, 'It reconnects and re-sends what was not confirmed') });
      this.wake.kick();
    });
  }

  private async setup(model: amqp.ChannelModel): Promise<void> {
    const o = this.options;
    if (o.exchange !== '') {
      const probe = await model.createChannel();
      probe.on('error', () => undefined);
      try {
        await probe.checkExchange(o.exchange);
        await probe.close().catch(() => undefined);
      } catch (e) {
        if (isNotFound(e)) {
          throw new BrokerError('not-found', `The exchange "${o.exchange}" does not exist in vhost "${this.config.vhost}"`,
            'Check the name (rmq-pools topology lists the exchanges) or declare it first; nothing was published');
        }
        throw e;
      }
    }
    const ch = await model.createConfirmChannel();
    let lastError: Error | undefined;
    ch.on('error', (e: Error) => { lastError = e; });
    ch.on('drain', () => { this.needDrain = false; this.wake.kick(); });
    ch.on('return', (msg: amqp.Message) => {
      const id = msg.properties.messageId as string | undefined;
      if (id !== undefined) {
        if (this.returnedIds.has(id)) { return; }
        this.returnedIds.add(id);
      }
      this.counts.unroutable++;
      if (this.listenerCount('returned') > 0) {
        const f = msg.fields as amqp.MessageFields & { replyCode?: number; replyText?: string };
        this.emit('returned', { messageId: id, replyCode: f.replyCode ?? 312, replyText: f.replyText ?? 'NO_ROUTE', routingKey: f.routingKey });
      }
    });
    ch.on('close', () => {
      if (this.ch === ch) { this.ch = undefined; this.needDrain = false; }
      // Closed while its connection lives on: the broker closed the channel (e.g. the exchange was deleted). Fatal.
      setTimeout(() => {
        if (this.running && this.model === model && this.ch === undefined && !this.failure) {
          const err = lastError ? toBrokerError(lastError, this.config) : undefined;
          this.failure = new BrokerError(err?.kind ?? 'channel', `The broker closed the publishing channel${err ? `: ${err.message}` : ''}`,
            'Check that the exchange still exists; the numbers so far are in the log');
          this.wake.kick();
        }
      }, 200).unref();
      this.wake.kick();
    });
    this.ch = ch;
    this.model = model;
  }
}

/** Convenience: run one publish, with an optional progress callback. */
export async function publishNotifications(config: BrokerConfig, options: PublishOptions, onProgress?: (p: PublishProgress) => void): Promise<PublishResult> {
  const p = new NotificationPublisher(config, options);
  if (onProgress) { p.on('progress', onProgress); }
  return p.run();
}

async function closeQuietly(conn: amqp.RecoveringChannelModel): Promise<void> {
  await withTimeout(conn.close(), 1500).catch(() => undefined);
}
