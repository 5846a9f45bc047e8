/**
 * Pool health from the management API: per pool its capacity, backlog trend, rates, drain time or growth and the age
 * of its oldest message; per worker its unacked / prefetch, ack rate, time since it last acked, its client and state.
 *
 * The API gives counters and depths, not events, and refreshes them every collect_statistics_interval (5 s by default).
 * So a snapshot asks for the broker's own timestamped samples (`lengths_age` / `msg_rates_age`), a HealthTracker merges
 * them across polls, and every age is a lower bound at that resolution ("last acked" = the time since the ack counter last
 * changed). Where the broker keeps no samples (rates_mode = none, disable_stats) what was read is kept with our read
 * time, and what cannot be known is null.
 */
import type { ApiChannel, ApiConnection, ApiConsumer, ApiQueue, ManagementClient } from './management';
import { Finding, sortFindings } from './findings';
import { applicationOf, clientNameOf } from './topology';
import { ApiSampleDetails, Point, backlogVerdict, counterRate, intervalRates, joinRates, lastChange, lastWindow, mergePoints, pointsOf, resolutionSeconds } from './healthSeries';
import { DEFAULT_HEALTH_THRESHOLDS, HealthThresholds, WorkerState, healthFindings, verdictWords, workerState } from './healthRules';
import { sleep } from './time';
import { BrokerError } from './errors';

export * from './healthRules';

const enc = encodeURIComponent;

// ---- the API's fields health reads beyond managementTypes.ts ----
type Stats = Record<string, number | ApiSampleDetails | undefined>;
export type HealthApiQueue = ApiQueue & {
  consumer_capacity?: number | null; head_message_timestamp?: number | null;
  messages_ready_details?: ApiSampleDetails; messages_unacknowledged_details?: ApiSampleDetails;
  slave_nodes?: string[]; synchronised_slave_nodes?: string[];
};
export type HealthApiChannel = ApiChannel & { idle_since?: string; connection_details?: ApiChannel['connection_details'] };
export type HealthApiConnection = ApiConnection & { connected_at?: number };

/** One read of a vhost: what health needs, with the broker's samples of the last `historySeconds`. */
export interface HealthSnapshot {
  vhost: string;
  /** When we read it (epoch ms). */
  at: number;
  ratesMode?: string;
  queues: HealthApiQueue[];
  channels: HealthApiChannel[];
  consumers: ApiConsumer[];
  connections: HealthApiConnection[];
}

export const QUEUE_HEALTH_COLUMNS = [
  'name', 'vhost', 'type', 'node', 'leader', 'members', 'online', 'state', 'arguments', 'messages', 'messages_ready', 'messages_unacknowledged',
  'consumers', 'consumer_capacity', 'consumer_utilisation', 'head_message_timestamp', 'message_stats', 'messages_ready_details',
  'messages_unacknowledged_details', 'effective_policy_definition', 'slave_nodes', 'synchronised_slave_nodes',
] as const;

/** What health reads of a channel (its sample history comes within message_stats). */
export const CHANNEL_HEALTH_COLUMNS = ['name', 'node', 'messages_unacknowledged', 'prefetch_count', 'idle_since', 'message_stats', 'connection_details'] as const;
/** Up to this many pools are read one by one (PER_POOL_CONCURRENCY at a time) rather than with the vhost's whole list. */
export const PER_POOL_MAX = 20;
const PER_POOL_CONCURRENCY = 4;

export interface HealthSnapshotOptions {
  /** One pool only. */
  pool?: string;
  /** Only these pools: up to PER_POOL_MAX read by name (a pool gone is left out), more with the vhost's list. */
  pools?: readonly string[];
  historySeconds?: number;
  /** Already read by the caller (the tree's refresh): not read again. ratesMode: the overview's rates_mode. */
  consumers?: ApiConsumer[];
  connections?: HealthApiConnection[];
  ratesMode?: string | null;
}

/** Reads one vhost (or some pools of it) with `historySeconds` of the broker's samples at its statistics interval. */
export async function fetchHealthSnapshot(client: ManagementClient, vhost: string, o: HealthSnapshotOptions = {}): Promise<HealthSnapshot> {
  const age = String(Math.max(5, Math.round(o.historySeconds ?? 60)));
  const hist = { lengths_age: age, lengths_incr: '5', msg_rates_age: age, msg_rates_incr: '5' };
  const cols = { columns: QUEUE_HEALTH_COLUMNS };
  const byName = o.pool !== undefined ? [o.pool] : o.pools && o.pools.length <= PER_POOL_MAX ? [...new Set(o.pools)] : undefined;
  const one = (name: string) => client.get<HealthApiQueue>(`api/queues/${enc(vhost)}/${enc(name)}`, { ...cols, params: hist });
  const queues = async (): Promise<HealthApiQueue[]> => {
    if (o.pool !== undefined) { return [await one(o.pool)]; }
    if (byName) {
      const got = await eachLimited(byName, PER_POOL_CONCURRENCY, (n) => one(n).catch((e: unknown) => {
        if (e instanceof BrokerError && (e.kind === 'not-found' || e.status === 404)) { return undefined; }
        throw e;
      }));
      return got.filter((q): q is HealthApiQueue => q !== undefined);
    }
    const out: HealthApiQueue[] = [];
    // By name without sort=: the API's default order, which costs the broker a fraction of an explicit sort=name on a large
    // vhost (bench/queue-page-cost.mjs: ~1.5 s against ~23 s of broker CPU for one 100-row page of 50,000 queues on 3.10).
    for (let page = 1; ; page++) {
      const r = await client.get<{ items?: HealthApiQueue[]; page_count?: number }>(`api/queues/${enc(vhost)}`, { ...cols, params: { ...hist, page: String(page), page_size: '500' } });
      out.push(...(r.items ?? []));
      if (page >= (r.page_count ?? 1) || !r.items?.length) { return out; }
    }
  };
  const [ratesMode, qs, channels, consumers, connections] = await Promise.all([
    o.ratesMode !== undefined ? o.ratesMode ?? undefined : client.overview().then((x) => x.rates_mode, () => undefined),
    queues(),
    client.get<HealthApiChannel[]>(`api/vhosts/${enc(vhost)}/channels`, { columns: CHANNEL_HEALTH_COLUMNS, params: { msg_rates_age: age, msg_rates_incr: '5' } }),
    o.consumers ?? client.consumers(vhost),
    o.connections ?? client.get<HealthApiConnection[]>(`api/vhosts/${enc(vhost)}/connections`, {
      columns: ['name', 'vhost', 'user', 'node', 'user_provided_name', 'client_properties', 'peer_host', 'peer_port', 'state', 'channels', 'connected_at'],
    }),
  ]);
  const list = <T>(v: unknown): T[] => (Array.isArray(v) ? v.filter((x) => x !== null && typeof x === 'object') as T[] : []);
  return { vhost, at: Date.now(), ratesMode, queues: list(qs), channels: list(channels), consumers: list(consumers), connections: list(connections) };
}

/** fn over items, at most `limit` at once, results in order. */
async function eachLimited<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const worker = async () => { while (next < items.length) { const i = next++; out[i] = await fn(items[i]); } };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}

// ---- the model ----
export interface WorkerHealth {
  consumerTag: string;
  application: string;
  channel: string;
  connection: string;
  unacked: number | null;
  prefetch: number | null;
  /** unacked / prefetch (0…1); null without a prefetch. */
  fullness: number | null;
  ackRate: number | null;
  deliverRate: number | null;
  lastAckSecondsAgo: number | null;
  heldSeconds: number | null;
  /** A local worker of this tool: its acks are counted exactly (ingestExact), not read from channel statistics. */
  exact: boolean;
  /** The channel carries other consumers too: its unacked and counters are theirs together. */
  sharedChannel: boolean;
  connectedSeconds: number | null;
  client: { product: string | null; version: string | null; platform: string | null };
  node: string | null;
  state: WorkerState;
  why: string;
}

export interface PoolHealth {
  name: string;
  type: string;
  capacity: number | null;
  ready: number;
  unacked: number;
  consumers: number;
  readyPerSecond: number | null;
  unackedPerSecond: number | null;
  publishRate: number | null;
  ackRate: number | null;
  deliverRate: number | null;
  drainSeconds: number | null;
  growingPerSecond: number | null;
  /** From head_message_timestamp: only when publishers set a timestamp; otherwise null. */
  oldestAgeSeconds: number | null;
  verdict: string;
  /** How old the newest sample behind these numbers is, and the sampling interval. */
  dataAgeSeconds: number | null;
  resolutionSeconds: number | null;
  /** Ready and unacked over time (epoch ms), for the panel's chart. */
  history: { t: number; ready: number; unacked: number }[];
  /** In (publish) and ack rates over time, per second between consecutive samples (null: no sample then). */
  rateHistory: { t: number; publish: number | null; ack: number | null }[];
  workers: WorkerHealth[];
}

export interface HealthReport {
  vhost: string;
  at: number;
  ratesMode: string | null;
  pools: PoolHealth[];
  findings: Finding[];
  note: string;
}

const KEEP_MS = 10 * 60_000;
const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);
const details = (s: Stats | undefined, k: string) => s?.[`${k}_details`] as ApiSampleDetails | undefined;

/** Merges snapshots into series and judges the latest one. One per vhost (the tree, the panel, the CLI keep one each). */
export class HealthTracker {
  private readonly series = new Map<string, Point[]>();
  private latest: HealthSnapshot | undefined;

  get snapshot(): HealthSnapshot | undefined { return this.latest; }

  /** The points of one series, oldest first (`q:<pool>:ready`, `ch:<channel>:ack`, …). */
  points(key: string): Point[] { return this.series.get(key) ?? []; }

  ingest(s: HealthSnapshot): void {
    this.latest = s;
    const add = (key: string, d: ApiSampleDetails | undefined, current: unknown) => {
      // The API stamps its newest sample at the next interval boundary, after we read it, with the current value again:
      // kept, it would flatten every trend.
      let pts = pointsOf(d).filter((p) => p.t <= s.at);
      const v = num(current);
      if (!pts.length && v !== null) { pts = [{ t: s.at, v }]; } // no samples kept by the broker: what we read, when we read it
      if (pts.length) { this.series.set(key, mergePoints(this.series.get(key) ?? [], pts, s.at - KEEP_MS)); }
    };
    for (const q of s.queues) {
      const st = q.message_stats as Stats | undefined;
      add(`q:${q.name}:ready`, q.messages_ready_details, q.messages_ready);
      add(`q:${q.name}:unacked`, q.messages_unacknowledged_details, q.messages_unacknowledged);
      for (const k of ['publish', 'ack', 'deliver_get']) { add(`q:${q.name}:${k}`, details(st, k), st?.[k]); }
    }
    for (const c of s.channels) {
      const st = c.message_stats as Stats | undefined;
      for (const k of ['ack', 'deliver_get']) { add(`ch:${c.name}:${k}`, details(st, k), st?.[k] ?? (st ? 0 : undefined)); }
    }
    // Queues deleted, channels closed, workers gone: their series stop growing and go once their newest point is KEEP_MS old.
    for (const [key, pts] of this.series) {
      if (!pts.length || pts[pts.length - 1].t < s.at - KEEP_MS) { this.series.delete(key); }
    }
  }

  /** The keys of the series held (`q:<pool>:ready`, `ch:<channel>:ack`, `x:<tag>:ack`, …). */
  keys(): string[] { return [...this.series.keys()]; }

  /**
   * Exact ack counters of this tool's own (local) workers, counted over AMQP as they ack, by consumer tag: their
   * "last ack" and ack rate come from these, at the resolution of our own reads instead of the statistics interval.
   */
  ingestExact(at: number, workers: readonly { consumerTag?: string; acked: number }[]): void {
    for (const w of workers) {
      if (!w.consumerTag) { continue; }
      const key = `x:${w.consumerTag}:ack`;
      this.series.set(key, mergePoints(this.points(key), [{ t: at, v: w.acked }], at - KEEP_MS));
    }
  }

  /** The health of every pool of the latest snapshot (or only `pool`), judged at `now`. */
  assess(th: Partial<HealthThresholds> = {}, o: { now?: number; pool?: string } = {}): HealthReport {
    const t: HealthThresholds = { ...DEFAULT_HEALTH_THRESHOLDS, ...th };
    const s = this.latest;
    const now = o.now ?? Date.now();
    if (!s) { return { vhost: '', at: now, ratesMode: null, pools: [], findings: [], note: 'not read yet' }; }
    const windowMs = t.windowSeconds * 1000;
    const conns = new Map(s.connections.map((c) => [c.name, c]));
    const chans = new Map(s.channels.map((c) => [c.name, c]));
    const perChannel = new Map<string, number>();
    const byQueue = new Map<string, ApiConsumer[]>();
    for (const c of s.consumers) {
      const n = c.channel_details?.name ?? '';
      perChannel.set(n, (perChannel.get(n) ?? 0) + 1);
      const q = c.queue?.name;
      if (q !== undefined) { const l = byQueue.get(q); if (l) { l.push(c); } else { byQueue.set(q, [c]); } }
    }
    const pools: PoolHealth[] = [];
    const findings: Finding[] = [];
    for (const q of s.queues) {
      if (o.pool !== undefined && q.name !== o.pool) { continue; }
      const p = this.pool(q, byQueue.get(q.name) ?? [], now, windowMs, t, conns, chans, perChannel);
      pools.push(p.health);
      findings.push(...p.findings);
    }
    const statsOff = s.ratesMode === 'none';
    const note = statsOff
      ? 'The broker keeps no message statistics (rates_mode = none): depths are as read, rates and ack times unknown.'
      : `From the management API's samples (every ~${pools.find((p) => p.resolutionSeconds)?.resolutionSeconds ?? 5} s): ages are lower bounds at that resolution, rates over the last ${t.windowSeconds} s.`;
    return { vhost: s.vhost, at: now, ratesMode: s.ratesMode ?? null, pools, findings: sortFindings(findings), note };
  }

  private pool(q: HealthApiQueue, consumers: ApiConsumer[], now: number, windowMs: number, th: HealthThresholds,
    conns: Map<string, HealthApiConnection>, chans: Map<string, HealthApiChannel>, perChannel: Map<string, number>): { health: PoolHealth; findings: Finding[] } {
    const ready = this.points(`q:${q.name}:ready`);
    const unacked = this.points(`q:${q.name}:unacked`);
    const v = backlogVerdict(ready, windowMs, now, 0.05, Math.min(resolutionSeconds(ready) ?? 5, 5) * 1000);
    const w = lastWindow(ready, windowMs);
    const rate = (k: string) => counterRate(this.points(`q:${q.name}:${k}`), windowMs) ?? num(details(q.message_stats as Stats | undefined, k)?.rate);
    const readyNow = num(q.messages_ready) ?? 0;
    const facts = consumers.map((c) => this.worker(c, now, windowMs, conns, chans, perChannel));
    const workers: WorkerHealth[] = facts.map((f, i) => {
      const others = facts.filter((_, j) => j !== i).map((x) => x.ackRate);
      return { ...f, ...workerState(f, readyNow, others, th) };
    });
    const head = num(q.head_message_timestamp);
    const unackedByT = new Map(unacked.map((p) => [p.t, p.v]));
    const newest = ready.length ? ready[ready.length - 1].t : undefined;
    const health: PoolHealth = {
      name: q.name, type: q.type ?? 'classic', capacity: num(q.consumer_capacity) ?? num(q.consumer_utilisation),
      ready: readyNow, unacked: num(q.messages_unacknowledged) ?? 0, consumers: num(q.consumers) ?? consumers.length,
      readyPerSecond: v.slope, unackedPerSecond: counterSlope(unacked, windowMs),
      publishRate: rate('publish'), ackRate: rate('ack'), deliverRate: rate('deliver_get'),
      drainSeconds: v.drainSeconds, growingPerSecond: v.growingPerSecond,
      oldestAgeSeconds: head !== null && head > 0 && readyNow > 0 ? Math.max(0, Math.round(now / 1000 - head)) : null,
      verdict: '', dataAgeSeconds: newest !== undefined ? Math.max(0, Math.round((now - newest) / 1000)) : null,
      resolutionSeconds: resolutionSeconds(ready) ?? null,
      history: ready.map((p) => ({ t: p.t, ready: p.v, unacked: unackedByT.get(p.t) ?? 0 })),
      rateHistory: joinRates(intervalRates(this.points(`q:${q.name}:publish`)), intervalRates(this.points(`q:${q.name}:ack`)))
        .map((r) => ({ t: r.t, publish: r.a, ack: r.b })),
      workers,
    };
    health.verdict = verdictWords(health);
    const timeout = num((q.arguments ?? {})['x-consumer-timeout']);
    const found = healthFindings({
      name: q.name, consumers: health.consumers, ready: readyNow, growingPerSecond: v.growingPerSecond,
      readyRiseInWindow: w.length >= 2 ? w[w.length - 1].v - w[0].v : null, windowSeconds: w.length >= 2 ? (w[w.length - 1].t - w[0].t) / 1000 : null,
      consumerTimeoutMs: timeout ?? undefined, workers,
    }, th);
    return { health, findings: found };
  }

  private worker(c: ApiConsumer, now: number, windowMs: number, conns: Map<string, HealthApiConnection>, chans: Map<string, HealthApiChannel>, perChannel: Map<string, number>) {
    const chName = c.channel_details?.name ?? '';
    const ch = chans.get(chName);
    const connName = c.channel_details?.connection_name ?? '';
    const conn = conns.get(connName);
    const exact = this.points(`x:${c.consumer_tag}:ack`);
    const acks = exact.length ? exact : this.points(`ch:${chName}:ack`);
    const delivers = this.points(`ch:${chName}:deliver_get`);
    const unacked = num(ch?.messages_unacknowledged);
    const prefetch = num(c.prefetch_count) || num(ch?.prefetch_count) || null;
    const age = (t: number | undefined) => (t === undefined ? undefined : Math.max(0, (now - t) / 1000));
    const connectedSeconds = age(num(conn?.connected_at) ?? undefined) ?? null;
    const idle = ch?.idle_since ? Date.parse(ch.idle_since) : NaN;
    const quiet = Number.isFinite(idle) ? age(idle)! : 0;
    // Seconds since a counter last changed, as a lower bound: since the first sample that showed its current value, or,
    // without a change, since the oldest sample held; never less than the channel has been idle, never more than the
    // connection has existed.
    const since = (pts: Point[]): number | undefined => {
      const lc = lastChange(pts);
      const s0 = lc.changedBy !== undefined ? age(lc.changedBy) : age(lc.since);
      if (s0 === undefined) { return quiet || undefined; }
      const s1 = Math.max(s0, quiet);
      return connectedSeconds !== null ? Math.min(s1, connectedSeconds) : s1;
    };
    const everAcked = (acks[acks.length - 1]?.v ?? 0) > 0;
    const sinceAck = everAcked ? since(acks) : undefined;
    const sinceDeliver = since(delivers);
    const held = (unacked ?? 0) > 0
      ? (everAcked ? minDefined(sinceAck, sinceDeliver) : (sinceDeliver ?? (quiet || undefined)))
      : 0;
    const cp = conn?.client_properties ?? {};
    const str = (x: unknown) => (typeof x === 'string' ? x : null);
    return {
      consumerTag: c.consumer_tag, application: applicationOf(conn, clientNameOf(conn) ?? c.channel_details?.peer_host ?? connName ?? 'unknown'),
      channel: chName, connection: connName, unacked, prefetch,
      fullness: prefetch && unacked !== null ? Math.min(1, unacked / prefetch) : null,
      ackRate: exact.length || ch?.message_stats || acks.length > 1 ? counterRate(acks, windowMs) : null,
      exact: exact.length > 0,
      deliverRate: ch?.message_stats || delivers.length > 1 ? counterRate(delivers, windowMs) : null,
      lastAckSecondsAgo: sinceAck !== undefined ? Math.round(sinceAck) : null,
      heldSeconds: held !== undefined ? Math.round(held) : null,
      sharedChannel: (perChannel.get(chName) ?? 0) > 1,
      connectedSeconds: connectedSeconds !== null ? Math.round(connectedSeconds) : null,
      client: { product: str(cp.product), version: str(cp.version), platform: str(cp.platform) },
      node: conn?.node ?? c.channel_details?.node ?? ch?.node ?? null,
    };
  }
}

function minDefined(a: number | undefined, b: number | undefined): number | undefined {
  return a === undefined ? b : b === undefined ? a : Math.min(a, b);
}

function counterSlope(points: Point[], windowMs: number): number | null {
  return backlogVerdict(points, windowMs, points[points.length - 1]?.t ?? 0).slope;
}

export interface RunHealthOptions {
  pool?: string;
  /** Read again after this many seconds (default 5, one statistics interval) so that the newest samples are in; 0 = once. */
  sampleSeconds?: number;
  thresholds?: Partial<HealthThresholds>;
  signal?: AbortSignal;
  tracker?: HealthTracker;
}

/** Reads a vhost twice, a statistics interval apart, and judges it. */
export async function runHealth(client: ManagementClient, vhost: string, o: RunHealthOptions = {}): Promise<HealthReport> {
  const tracker = o.tracker ?? new HealthTracker();
  const history = Math.max(60, (o.thresholds?.windowSeconds ?? DEFAULT_HEALTH_THRESHOLDS.windowSeconds) * 2);
  tracker.ingest(await fetchHealthSnapshot(client, vhost, { pool: o.pool, historySeconds: history }));
  const wait = o.sampleSeconds ?? 5;
  if (wait > 0 && !o.signal?.aborted) {
    await sleep(wait * 1000, o.signal);
    tracker.ingest(await fetchHealthSnapshot(client, vhost, { pool: o.pool, historySeconds: history }));
  }
  return tracker.assess(o.thresholds, { pool: o.pool });
}

/** The CLI contract's JSON shape (shared/DESIGN.md), plus what else is known, camelCase. */
export function healthJson(r: HealthReport, findingJson: (f: Finding) => unknown) {
  const r1 = (n: number | null) => (n === null ? null : Math.round(n * 100) / 100);
  return {
    vhost: r.vhost, ratesMode: r.ratesMode, note: r.note,
    pools: r.pools.map((p) => ({
      name: p.name, type: p.type, capacity: r1(p.capacity), ready: p.ready, unacked: p.unacked, consumers: p.consumers,
      publishRate: r1(p.publishRate), ackRate: r1(p.ackRate), deliverRate: r1(p.deliverRate),
      drainSeconds: p.drainSeconds === null ? null : Math.round(p.drainSeconds), growingPerSecond: r1(p.growingPerSecond),
      oldestAgeSeconds: p.oldestAgeSeconds, verdict: p.verdict, dataAgeSeconds: p.dataAgeSeconds, resolutionSeconds: p.resolutionSeconds,
      workers: p.workers.map((w) => ({
        consumerTag: w.consumerTag, application: w.application, unacked: w.unacked, prefetch: w.prefetch, ackRate: r1(w.ackRate),
        lastAckSecondsAgo: w.lastAckSecondsAgo, heldSeconds: w.heldSeconds, state: w.state, why: w.why, deliverRate: r1(w.deliverRate),
        sharedChannel: w.sharedChannel, exact: w.exact, connectedSeconds: w.connectedSeconds, client: w.client, node: w.node,
      })),
    })),
    findings: r.findings.map(findingJson),
  };
}
