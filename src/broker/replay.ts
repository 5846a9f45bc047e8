/**
 * Replay Dead Letters: moves messages from a dead-letter pool back to where they first came from (the exchange and
 * routing keys of their oldest `x-death` entry, deaths.ts) or to a given target, without losing one.
 *
 * It consumes the dead-letter pool with manual acks and a bounded prefetch, publishes each message on a confirm channel
 * and acks the dead-letter copy only after the broker confirmed the publish. A publish the broker refuses (nack, channel
 * closed) leaves the dead letter where it is. A duplicate is possible only when the connection drops after a publish and
 * before its ack reached the broker: the dead letter comes back while its copy is already in the target. Those are counted
 * (`duplicatesPossible`). Each replayed copy carries `x-rmq-pools-replayed: n` (n = how often it was replayed) so that a
 * loop can be seen, and `x-rmq-pools-replay-id` (one per publish, to tell which copy a basic.return is about); nothing else
 * is changed. A copy that reaches no pool (mandatory: the broker returns it) leaves its dead letter where it is. Messages it cannot replay are "skipped": held unacked while it runs and put
 * back (requeued) at the end, never lost.
 */
import type * as amqp from 'amqplib';
import { amqpConnectArgs, BrokerConfig } from './connection';
import { Death, firstDeath, readDeaths } from './deaths';
import { BrokerError, invalidInput } from './errors';
import { ManagementClient } from './management';
import { assertWritable, ForeignPool, isOwnWorker } from './receivers';
import { loadAmqplib, toBrokerError } from './recovering';
import { lookupRoute } from './routeLookup';
import { workersByQueue } from './topology';
import { MAX_REPLAY_COUNT, planTarget, REPLAY_ID_HEADER, replayHeaders, ReplayTargetSpec, validateReplayInput } from './replayPlan';

export { MAX_REPLAY_COUNT, REPLAYED_HEADER, REPLAY_ID_HEADER, planTarget, validateReplayCount, validateReplayInput } from './replayPlan';
export type { PlannedTarget, ReplayTargetSpec } from './replayPlan';

export interface ReplayProgress { replayed: number; skipped: number; failed: number; total: number }

/** A target seen for the first time: where it goes, and which of those pools other applications consume. */
export interface ReplayTargetCheck {
  exchange: string;
  routingKeys: string[];
  pools: string[];
  foreign: ForeignPool[];
  /** How many messages this replay moves at most (all targets together). */
  total: number;
}

export interface ReplayOptions {
  /** Default: the config's vhost. */
  vhost?: string;
  /** The dead-letter pool to replay from. */
  pool: string;
  /** At most this many (1..MAX_REPLAY_COUNT); default: every message ready when it starts, up to MAX_REPLAY_COUNT. */
  count?: number;
  /** Publish here instead of each message's first x-death entry (routing key: this one, else the message's own keys). */
  to?: ReplayTargetSpec;
  signal?: AbortSignal;
  onProgress?: (p: ReplayProgress) => void;
  /**
   * Asked once per target before the first message goes there (the VS Code command asks the user). False: stop, and put
   * back everything not yet replayed. Without it nobody is asked (CLI, scripts: they chose their pool in code).
   */
  confirmTarget?: (t: ReplayTargetCheck) => Promise<boolean>;
  /** Unacked messages at a time (default 100). */
  prefetch?: number;
  /** The AMQP connection's name (default "rmq-pools:replay"). */
  connectionName?: string;
}

export interface ReplayTargetCount {
  exchange: string;
  routingKey: string;
  /** All keys when the message carried more than one (CC/BCC). */
  routingKeys?: string[];
  count: number;
  pools: string[];
}

export interface ReplayResult {
  vhost: string;
  pool: string;
  /** The most it would move: count, or what was ready when it started. */
  total: number;
  replayed: number;
  skipped: number;
  failed: number;
  duplicatesPossible: number;
  targets: ReplayTargetCount[];
  /** Why messages were skipped or failed, with how many. */
  reasons: Record<string, number>;
  /** Why it stopped before `total`: "cancelled", "declined", "connection lost: …", "the broker closed the channel: …". */
  stopped?: string;
}

const IDLE_MS = 400;

interface TargetState {
  ok: boolean;
  reason?: string;
  exchange: string;
  keys: string[];
  pools: string[];
  count: number;
}

/** Replays dead letters (see the file comment). Throws, having moved nothing, on bad input or when the head cannot be replayed. */
export async function replay(config: BrokerConfig, o: ReplayOptions): Promise<ReplayResult> {
  assertWritable(config, 'Replay Dead Letters');
  const vhost = o.vhost ?? config.vhost;
  const cfg: BrokerConfig = { ...config, vhost };
  const client = new ManagementClient(cfg);
  try {
    const { type } = await validateReplayInput(client, vhost, o.pool, o.count, o.to);
    if (type === 'stream') {
      throw invalidInput(`Pool "${o.pool}" is a stream: reading takes nothing from it, so its messages cannot be moved`, 'Replay from a classic or quorum dead-letter pool');
    }
    return await run(cfg, client, vhost, o);
  } finally {
    client.dispose();
  }
}

async function run(cfg: BrokerConfig, client: ManagementClient, vhost: string, o: ReplayOptions): Promise<ReplayResult> {
  const { url, socketOptions } = amqpConnectArgs(cfg, o.connectionName ?? 'rmq-pools:replay');
  let conn: amqp.ChannelModel;
  try { conn = await (await loadAmqplib()).connect(url, socketOptions); } catch (e) { throw toBrokerError(e, cfg); }
  const result: ReplayResult = { vhost, pool: o.pool, total: 0, replayed: 0, skipped: 0, failed: 0, duplicatesPossible: 0, targets: [], reasons: {} };
  const held: amqp.ConsumeMessage[] = []; // skipped or beyond the count: requeued at the end
  const inFlight = new Set<amqp.ConsumeMessage>(); // published, not yet acked on the dead-letter pool
  const returned = new Set<string>(); // REPLAY_ID_HEADER of copies the broker returned (reached no pool), until their confirm
  const runId = `${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
  let seq = 0;
  const targets = new Map<string, TargetState>();
  let closed: string | undefined;
  let lost = false;
  let closing = false;
  let fatal: BrokerError | undefined;
  let processed = 0;
  /** Deliveries received and not yet handled to the end. */
  let pending = 0;
  /** Acks written since the broker last answered on the consuming channel: lost with the connection, their dead letters come back. */
  let unsure = 0;
  let lastDelivery = Date.now();
  let chain: Promise<void> = Promise.resolve();
  let sub: amqp.Channel | undefined;
  let consumerTag: string | undefined;
  const reason = (r: string) => { result.reasons[r] = (result.reasons[r] ?? 0) + 1; };
  const progress = () => o.onProgress?.({ replayed: result.replayed, skipped: result.skipped, failed: result.failed, total: result.total });

  conn.on('error', () => undefined);
  conn.on('close', (err?: Error) => {
    // Their dead letters come back to the pool; their copies may already be in the target.
    if (lost || closing) { return; }
    lost = true;
    closed = `connection lost: ${err?.message ?? 'closed by the broker'}`;
    result.duplicatesPossible += inFlight.size + unsure;
    inFlight.clear();
    unsure = 0;
  });
  try {
    const pub = await conn.createConfirmChannel();
    pub.on('error', () => undefined);
    pub.on('close', () => { if (closed === undefined) { closed = 'the broker closed the publishing channel'; } });
    // A copy that matched no binding after all (bindings changed while it ran) comes back here, before its confirm (the
    // broker sends basic.return first): its confirm then leaves the dead letter in the pool instead of acking it.
    pub.on('return', (m: amqp.Message) => {
      const id = m.properties.headers?.[REPLAY_ID_HEADER];
      if (typeof id === 'string') { returned.add(id); }
    });
    sub = await conn.createChannel();
    let subError: string | undefined;
    sub.on('error', (e: Error) => { subError = e.message; });
    // The broker closed the consuming channel (the connection lives on): stop; its unacked dead letters go back to the pool.
    sub.on('close', () => { if (!closing && closed === undefined) { closed = `the broker closed the channel: ${subError ?? 'closed'}`; } });
    const ready = (await sub.checkQueue(o.pool)).messageCount;
    result.total = Math.min(o.count ?? MAX_REPLAY_COUNT, ready);
    if (result.total === 0) { return result; }
    await sub.prefetch(Math.max(1, Math.min(o.prefetch ?? 100, result.total)));

    const own = new Set<string>();
    const check = async (exchange: string, keys: string[]): Promise<TargetState> => {
      const id = JSON.stringify([exchange, keys]);
      const known = targets.get(id);
      if (known) { return known; }
      const t: TargetState = { ok: false, exchange, keys, pools: [], count: 0 };
      try {
        const pools = new Set<string>();
        for (const k of keys) { (await lookupRoute(client, vhost, exchange, k)).pools.forEach((p) => pools.add(p)); }
        t.pools = [...pools].sort();
      } catch (e) {
        if (!(e instanceof BrokerError && e.kind === 'not-found')) { throw e; }
        t.reason = `exchange "${exchange}" does not exist (any more)`;
      }
      if (!t.reason && !t.pools.length) { t.reason = `exchange "${exchange || '(default)'}" with ${keys.map((k) => `"${k}"`).join(', ')} reaches no pool`; }
      if (!t.reason && t.pools.includes(o.pool)) { t.reason = `the target routes back to "${o.pool}" itself`; }
      if (!t.reason && o.confirmTarget) {
        const [consumers, connections] = await Promise.all([client.consumers(vhost), client.connections(vhost)]);
        const byQueue = workersByQueue(consumers, connections);
        const foreign = t.pools.map((p) => ({ pool: p, others: (byQueue.get(p) ?? []).filter((w) => !isOwnWorker(w, own)) }))
          .filter((x) => x.others.length)
          .map((x) => ({ pool: x.pool, applications: [...new Set(x.others.map((w) => w.application))].sort(), workers: x.others.length }));
        if (!(await o.confirmTarget({ exchange, routingKeys: keys, pools: t.pools, foreign, total: result.total }))) {
          closed = closed ?? 'declined';
          t.reason = 'declined';
        }
      }
      t.ok = !t.reason;
      targets.set(id, t);
      return t;
    };

    // A reply on the consuming channel means the broker has processed every ack sent on it before (a channel handles its
    // frames in order, and the queue gets the acks before the question): those dead letters are gone for good.
    let syncing = false;
    const sync = () => {
      if (syncing || lost || unsure === 0 || !sub) { return; }
      syncing = true;
      const n = unsure;
      sub.checkQueue(o.pool).then(() => { if (!lost) { unsure -= n; } }, () => undefined).finally(() => { syncing = false; });
    };

    const handle = async (m: amqp.ConsumeMessage) => {
      if (closed !== undefined || fatal || processed >= result.total) { held.push(m); return; }
      processed += 1;
      if (processed >= result.total && consumerTag) { await sub?.cancel(consumerTag).catch(() => undefined); consumerTag = undefined; }
      const deaths: Death[] = readDeaths(m.properties.headers);
      const plan = planTarget(firstDeath(deaths), o.to, m.fields.routingKey);
      if (!plan.ok) {
        if (result.replayed + result.skipped + result.failed === 0 && inFlight.size === 0) {
          fatal = invalidInput(`The first message in "${o.pool}" ${plan.reason}: nothing was moved`,
            'Give a target: --to EXCHANGE [--key KEY] in the CLI, or pick one when asked in VS Code');
        }
        held.push(m); result.skipped += 1; reason(plan.reason); progress();
        return;
      }
      const t = await check(plan.exchange, plan.keys);
      if (!t.ok) {
        if (t.reason !== 'declined' && result.replayed + result.skipped + result.failed === 0 && inFlight.size === 0) {
          fatal = invalidInput(`The first message in "${o.pool}" cannot be replayed: ${t.reason}; nothing was moved`,
            'Give another target with --to EXCHANGE [--key KEY], or declare the exchange and bindings it came from');
        }
        held.push(m);
        if (t.reason !== 'declined') { result.skipped += 1; reason(t.reason ?? 'cannot be replayed'); progress(); }
        return;
      }
      if (closed !== undefined) { held.push(m); return; }
      inFlight.add(m);
      const props = propsOf(m, cfg.username);
      const publishId = `${runId}-${seq += 1}`;
      props.headers = { ...replayHeaders(m.properties.headers, o.to?.routingKey !== undefined), [REPLAY_ID_HEADER]: publishId };
      const cc = plan.keys.slice(1);
      pub.publish(plan.exchange, plan.keys[0], m.content, { ...props, mandatory: true, ...(cc.length ? { CC: cc } : {}) }, (err) => {
        const wasReturned = returned.delete(publishId);
        if (!inFlight.has(m)) { return; } // the connection went: counted there
        inFlight.delete(m);
        if (!err && wasReturned) {
          // Reached no pool: the dead letter stays (held, put back at the end, so it is not taken again in this run).
          result.failed += 1; reason('reached no pool when published: left in the dead-letter pool');
          held.push(m);
        } else if (err && err.message === 'message nacked') {
          result.failed += 1; reason('the broker refused the publish (nack): left in the dead-letter pool');
          try { sub?.nack(m, false, true); } catch { /* channel gone: it comes back by itself */ }
        } else if (err) {
          // The publishing channel closed before the confirm: the copy may or may not be in the target.
          closed = closed ?? 'the broker closed the publishing channel';
          result.duplicatesPossible += 1;
          try { sub?.nack(m, false, true); } catch { /* channel gone: it comes back by itself */ }
        } else {
          try { sub?.ack(m); unsure += 1; } catch { result.duplicatesPossible += 1; }
          if (unsure >= 10) { sync(); }
          result.replayed += 1; t.count += 1;
        }
        progress();
      });
    };

    consumerTag = (await sub.consume(o.pool, (m) => {
      if (!m) { closed = closed ?? `pool "${o.pool}" was deleted`; return; }
      lastDelivery = Date.now();
      pending += 1;
      chain = chain.then(() => handle(m)).catch((e) => { fatal = fatal ?? toBrokerError(e, cfg); held.push(m); }).finally(() => { pending -= 1; });
    }, { noAck: false })).consumerTag;

    // Until everything is settled: the count reached, the pool drained, cancelled, stopped, or stuck behind held messages.
    const prefetch = Math.max(1, Math.min(o.prefetch ?? 100, result.total));
    for (;;) {
      await new Promise((r) => setTimeout(r, 50));
      if (o.signal?.aborted && closed === undefined) { closed = 'cancelled'; }
      await chain;
      sync();
      // Nothing being handled (a delivery may arrive after `await chain`) and nothing published without its ack.
      const settled = inFlight.size === 0 && pending === 0;
      if (fatal && settled) { break; }
      if (lost || (closed !== undefined && settled)) { break; }
      if (processed >= result.total && settled) { break; }
      if (settled && Date.now() - lastDelivery > IDLE_MS) {
        if (held.length >= prefetch) { closed = `${held.length} messages at the head of "${o.pool}" cannot be replayed`; break; }
        const left = await sub.checkQueue(o.pool).then((q) => q.messageCount, () => undefined);
        if (left === 0) { break; }
      }
    }
    // Nothing moved yet: the error is the answer. Later (a management API failure half-way): the numbers so far, and why it stopped.
    if (fatal && result.replayed + result.failed + result.duplicatesPossible === 0) { throw fatal; }
    if (fatal) { closed = fatal.describe(); }
    if (closed !== undefined) { result.stopped = closed; }
    return result;
  } finally {
    result.targets = [...targets.values()].filter((t) => t.count > 0).map((t) => ({
      exchange: t.exchange, routingKey: t.keys[0], ...(t.keys.length > 1 ? { routingKeys: t.keys } : {}), count: t.count, pools: t.pools,
    }));
    if (consumerTag && sub) { await sub.cancel(consumerTag).catch(() => undefined); }
    for (const m of held) { try { sub?.nack(m, false, true); } catch { /* gone with the channel: back in the pool anyway */ } }
    closing = true;
    await conn.close().catch(() => undefined);
  }
}

/** The message's properties as they were, for the copy (a user id that is not ours would make the broker refuse it). */
function propsOf(m: amqp.Message, username: string): amqp.Options.Publish {
  const p = m.properties;
  const out: amqp.Options.Publish = {};
  const set = <K extends keyof amqp.Options.Publish>(k: K, v: amqp.Options.Publish[K] | undefined) => { if (v !== undefined && v !== null) { out[k] = v; } };
  set('contentType', p.contentType); set('contentEncoding', p.contentEncoding); set('headers', p.headers);
  set('deliveryMode', p.deliveryMode); set('priority', p.priority); set('correlationId', p.correlationId);
  set('replyTo', p.replyTo); set('expiration', p.expiration); set('messageId', p.messageId); set('timestamp', p.timestamp);
  set('type', p.type); set('appId', p.appId);
  if (p.userId === username) { set('userId', p.userId); }
  return out;
}
