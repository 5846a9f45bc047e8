/**
 * The audit: publish N tagged test notifications and check that every pool bound to (exchange, key) got each exactly
 * once. Pools run locally (`pools`) are counted per message (exact); without local pools every bound pool is judged
 * from the management API's queue counters before/after (approximate: they lag ~5 s, include other traffic, and are
 * absent with rates_mode = none).
 *
 * The accounting itself is pure and lives in auditTally.ts.
 */
import { randomUUID } from 'node:crypto';
import { BrokerConfig } from './connection';
import { BrokerError, invalidInput } from './errors';
import { ManagementClient } from './management';
import { queueDeliveries } from './messageStats';
import { lookupRoute } from './routeLookup';
import { MAX_AUDIT_COUNT } from './limits';
import { AuditPoolResult, AuditTally, approximateAuditResult } from './auditTally';
import { NotificationPublisher, PublishOptions, PublishProgress, PublishResult } from './publisher';
import { RUN_ID_HEADER } from './notifications';
import { QueueType, WorkerPool, validatePoolOptions } from './workers';
import { Logger, silentLogger } from './logger';
import { sleep } from './time';

export interface AuditPoolSpec { name: string; workers: number }

export interface AuditOptions extends Pick<PublishOptions, 'format' | 'eventType' | 'publisherId' | 'payloadTemplate' | 'ratePerSecond' | 'maxInFlight'> {
  exchange: string;
  routingKey: string;
  count: number;
  /** Pools to start locally for the audit (exact counts); stopped afterwards (their queues are kept). */
  pools?: readonly AuditPoolSpec[];
  /** Pools already running in this process (the extension's local pools): counted exactly, left running. */
  running?: readonly WorkerPool[];
  /**
   * Also judge the bound pools that are not local from management API deltas (exact: false).
   * Default: true unless `pools` is given (the CLI's --pools means "only these, exactly").
   */
  remote?: boolean;
  prefetch?: number;
  queueType?: QueueType;
  /** How long to wait for deliveries after the last confirm, ms (default 30 s, 15 s more for remote pools' stats lag). */
  deadlineMs?: number;
  signal?: AbortSignal;
  onProgress?: (p: AuditProgress) => void;
  logger?: Logger;
}

export interface AuditProgress {
  phase: 'starting' | 'publishing' | 'waiting' | 'done';
  publish?: PublishProgress;
  /** Distinct audit messages per pool so far (local pools only). */
  received: Record<string, number>;
}

export interface AuditReport {
  runId: string;
  exchange: string;
  routingKey: string;
  published: number;
  confirmed: number;
  unroutable: number;
  /** Seconds for the whole audit (publish + wait). */
  seconds: number;
  publishSeconds: number;
  /** Every pool got every message exactly once, and the counts are exact. */
  ok: boolean;
  /** The deadline passed before every local pool had everything. */
  timedOut: boolean;
  cancelled: boolean;
  pools: AuditPoolResult[];
  /**
   * Local pools declared on the audited exchange that the audit's key does not reach (e.g. bound with "notifications.*"
   * on a direct exchange): not receivers, so not counted as missing anything.
   */
  notBound: string[];
  publish: PublishResult;
}

export function parsePoolSpecs(text: string): AuditPoolSpec[] {
  const specs: AuditPoolSpec[] = [];
  for (const part of text.split(',').map((s) => s.trim()).filter(Boolean)) {
    const i = part.lastIndexOf(':');
    const name = i < 0 ? part : part.slice(0, i);
    const raw = i < 0 ? '1' : part.slice(i + 1);
    if (!/^\d+$/.test(raw)) { throw invalidInput(`The worker count of "${part}" is not a whole number`, 'Write --pools NAME:WORKERS,…, e.g. --pools ceilometer:3,audit:1'); }
    const workers = Number(raw);
    validatePoolOptions({ pool: name, exchange: 'x', routingKeys: [''], workers });
    if (specs.some((s) => s.name === name)) { throw invalidInput(`Pool "${name}" is named twice`, 'Name each pool once'); }
    specs.push({ name, workers });
  }
  if (specs.length === 0) { throw invalidInput('The pool list is empty', 'Write --pools NAME:WORKERS,…, e.g. --pools ceilometer:3,audit:1'); }
  return specs;
}

export async function runAudit(config: BrokerConfig, client: ManagementClient, o: AuditOptions): Promise<AuditReport> {
  if (!Number.isInteger(o.count) || o.count < 1 || o.count > MAX_AUDIT_COUNT) {
    throw invalidInput(`The audit count ${o.count} is not a whole number from 1 to ${MAX_AUDIT_COUNT}`, 'Use e.g. 1000; to load-test with more, use publish, which takes up to 10,000,000');
  }
  const log = o.logger ?? silentLogger;
  const runId = randomUUID();
  const t0 = performance.now();
  const expected = new Set<string>();
  const received = (): Record<string, number> => Object.fromEntries(tallies.map((t) => [t.pool, t.received]));
  const tallies: AuditTally[] = [];
  const pools: WorkerPool[] = [];
  const unhook: (() => void)[] = [];
  const watch = (pool: WorkerPool) => {
    const tally = new AuditTally(pool.name, pool.workerNames);
    tallies.push(tally);
    unhook.push(pool.onMessage((d) => {
      if (d.messageId !== undefined && d.headers?.[RUN_ID_HEADER] === runId) { tally.record(d.worker, d.messageId, d.latencyMs ?? NaN); }
    }));
  };
  const progress = (phase: AuditProgress['phase'], publish?: PublishProgress) => o.onProgress?.({ phase, publish, received: received() });
  try {
    // ---- local pools: start them (declare + bind) before publishing ----
    for (const spec of o.pools ?? []) {
      const pool = new WorkerPool(config, {
        pool: spec.name, exchange: o.exchange, routingKeys: o.routingKey, workers: spec.workers, prefetch: o.prefetch, queueType: o.queueType, logger: log,
      });
      pool.on('error', (e) => log.error(e.describe()));
      pools.push(pool);
      await pool.start();
      watch(pool);
    }
    // ---- which pools the audit's messages reach, as the broker routes them (routeLookup: the one decision) ----
    const judgeRemote = o.remote ?? (o.pools?.length ?? 0) === 0;
    const reached = judgeRemote || o.running?.length ? new Set((await lookupRoute(client, config.vhost, o.exchange, o.routingKey)).pools) : new Set<string>();
    const notBound: string[] = [];
    for (const pool of o.running ?? []) {
      if (tallies.some((t) => t.pool === pool.name)) { continue; }
      if (reached.has(pool.name)) { watch(pool); } else if (pool.exchange === o.exchange) { notBound.push(pool.name); }
    }
    progress('starting');

    // ---- pools without local workers: management counters before ----
    const local = new Set(tallies.map((t) => t.pool));
    const remote = judgeRemote ? await remoteBefore(client, config.vhost, [...reached].sort(), local) : undefined;

    // ---- publish ----
    const publisher = new NotificationPublisher(config, {
      exchange: o.exchange, routingKey: o.routingKey, count: o.count, runId, signal: o.signal, format: o.format, eventType: o.eventType,
      publisherId: o.publisherId, payloadTemplate: o.payloadTemplate, ratePerSecond: o.ratePerSecond, maxInFlight: o.maxInFlight,
      connectionName: 'rmq-pools:audit', logger: log, onPublished: (id) => { expected.add(id); },
    });
    publisher.on('progress', (p) => progress('publishing', p));
    const pub = await publisher.run();

    // ---- wait for the pools ----
    progress('waiting', pub);
    const deadline = Date.now() + (o.deadlineMs ?? (remote ? 45_000 : 30_000));
    let timedOut = false;
    let results: AuditPoolResult[];
    // Only messages the broker routed can arrive: unroutable ones come back to the publisher.
    const routable = pub.unroutable >= expected.size ? 0 : expected.size;
    while (!o.signal?.aborted && routable > 0 && !tallies.every((t) => t.complete(expected))) {
      if (Date.now() > deadline) { timedOut = true; break; }
      await sleep(50, o.signal);
    }
    // Duplicates can trail the last first delivery (redeliveries after a reconnect): a short grace to see them.
    if (!timedOut && routable > 0 && tallies.length) { await sleep(100, o.signal); }
    results = tallies.map((t) => t.result(expected));
    if (remote && remote.pools.length) {
      const approx = await remoteAfter(client, config.vhost, remote, routable, deadline, o.signal);
      timedOut ||= approx.some((r) => r.missing > 0) && Date.now() > deadline;
      results = [...results, ...approx];
    }
    progress('done', pub);
    const ok = !pub.cancelled && !timedOut && results.length > 0 && results.every((r) => r.exact && r.missing === 0 && r.duplicates === 0);
    return {
      runId, exchange: o.exchange, routingKey: o.routingKey, published: pub.published, confirmed: pub.confirmed, unroutable: pub.unroutable,
      seconds: Math.round((performance.now() - t0) / 10) / 100, publishSeconds: pub.seconds, ok, timedOut, cancelled: pub.cancelled || o.signal?.aborted === true,
      pools: results, notBound: notBound.sort(), publish: pub,
    };
  } finally {
    for (const u of unhook) { u(); }
    await Promise.all(pools.map((p) => p.stop().catch(() => undefined)));
  }
}

interface RemotePool { name: string; before: number | undefined }
interface RemoteState { pools: RemotePool[]; statsOff: boolean }

/** Longer than the management API's default statistics interval (5 s). */
const STATS_LAG_MS = 10_000;
const QUEUE_STAT_COLUMNS = ['name', 'consumers', 'messages', 'message_stats'] as const;

async function remoteBefore(client: ManagementClient, vhost: string, names: readonly string[], local: ReadonlySet<string>): Promise<RemoteState> {
  const overview = await client.overview();
  const statsOff = overview.rates_mode === 'none';
  const pools: RemotePool[] = [];
  for (const name of names) {
    if (local.has(name)) { continue; }
    const q = await client.queue(vhost, name, QUEUE_STAT_COLUMNS);
    pools.push({ name, before: statsOff ? undefined : queueDeliveries(q).delivered });
  }
  return { pools, statsOff };
}

async function remoteAfter(client: ManagementClient, vhost: string, state: RemoteState, expected: number, deadline: number, signal?: AbortSignal): Promise<AuditPoolResult[]> {
  const read = async () => Promise.all(state.pools.map(async (p) => {
    try {
      const q = await client.queue(vhost, p.name, QUEUE_STAT_COLUMNS);
      const after = state.statsOff || p.before === undefined ? undefined : queueDeliveries(q).delivered;
      return approximateAuditResult(p.name, expected, after === undefined ? undefined : after - (p.before ?? 0), q.consumers ?? 0);
    } catch (e) {
      if (e instanceof BrokerError && e.kind === 'not-found') {
        return { ...approximateAuditResult(p.name, expected, 0, 0), note: 'The queue was deleted during the audit' };
      }
      throw e;
    }
  }));
  // Statistics lag ~5 s: poll until each pool's delta covers the run, or the deadline. A pool that shows no consumers
  // is only believed after STATS_LAG_MS (a queue created moments ago shows 0 consumers in the API at first).
  const started = Date.now();
  for (;;) {
    const r = await read();
    const lagPassed = Date.now() - started > STATS_LAG_MS;
    const settled = r.every((x) => x.missing === 0 || x.note?.startsWith('The management API has no') || (lagPassed && x.note?.startsWith('The pool has no consumers')) || x.note?.startsWith('The queue was deleted'));
    if (settled || Date.now() > deadline || signal?.aborted || expected === 0) { return r; }
    await sleep(1000, signal);
  }
}
