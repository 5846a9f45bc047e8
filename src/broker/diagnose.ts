/**
 * Findings about pools: `diagnose()` runs every rule (diagnoseRules.ts) over a Topology snapshot, plus two optional
 * inputs that a single snapshot cannot give: an earlier snapshot (to see a queue grow) and per-worker delivery counts
 * over a window (to see a lopsided pool). `runDiagnose()` fetches all of that from the management API. A healthy
 * oslo-style topology (each pool consumed by one application, prefetch set, manual acks) gives no findings at all.
 */
import type { ApiChannel, ManagementClient } from './management';
import { Finding, sortFindings } from './findings';
import {
  BoundAt, DEFAULT_THRESHOLDS, DeliveryWindow, DiagnoseThresholds, KeyQuery, NodeStates, clusterRules, hasWorkers, isOsloDefaultQueue, lopsided,
  poolWithoutWorkers, sharedPool, singleActive, unconsumedDefaultQueue, unroutable, workerSettings,
} from './diagnoseRules';
import { fetchTopology, Topology } from './topology';
import { sleep } from './time';
import { ApiDeprecatedFeature, upgradeFindings } from './upgradeRules';
import { deadLetterFindings } from './deadLetterRules';
import { HealthThresholds, runHealth } from './health';

export * from './findings';
export {
  DEFAULT_THRESHOLDS, OSLO_PRIORITIES, clusterRules, coefficientOfVariation, isOsloDefaultQueue, routingTableOf,
} from './diagnoseRules';
export type { DeliveryWindow, DiagnoseThresholds, KeyQuery, NodeStates } from './diagnoseRules';

export interface DiagnoseOptions {
  keys?: KeyQuery[];
  /** An earlier snapshot of the same vhost: pools that grew since then are "piling up". */
  previous?: Topology;
  /** Seconds between `previous` and this snapshot (for messages only). */
  intervalSeconds?: number;
  deliveries?: DeliveryWindow[];
  /** Channel name → global (per-channel) prefetch. A consumer showing prefetch 0 on such a channel is limited after all. */
  globalPrefetch?: Record<string, number>;
  thresholds?: Partial<DiagnoseThresholds>;
  /** The cluster's nodes (/api/nodes): which are running. Without it, the cluster rules go by the queues' own state. */
  nodes?: NodeStates;
  /**
   * Also the RabbitMQ 4.x upgrade findings (upgradeRules.ts), judged with these channels (global QoS) and what the broker
   * says is deprecated and in use (undefined where it has no such API). Off by default: they are about a future version.
   */
  upgrade?: { channels?: ApiChannel[]; deprecatedUsed?: ApiDeprecatedFeature[] };
}

function bindingsOf(t: Topology): Map<string, BoundAt[]> {
  const out = new Map<string, BoundAt[]>();
  for (const e of t.exchanges) {
    for (const b of e.bindings) {
      for (const p of b.pools) {
        const list = out.get(p.name) ?? [];
        list.push({ exchange: e.name, routingKey: b.routingKey, siblings: b.pools.filter((q) => q.name !== p.name) });
        out.set(p.name, list);
      }
    }
  }
  return out;
}

/** Runs every rule. Findings are sorted by severity, then kind, then pool. */
export function diagnose(t: Topology, options: DiagnoseOptions = {}): Finding[] {
  const th: DiagnoseThresholds = { ...DEFAULT_THRESHOLDS, ...options.thresholds };
  const bound = bindingsOf(t);
  const previous = new Map((options.previous?.pools ?? []).map((p) => [p.name, p]));
  const findings: Finding[] = [];

  for (const p of t.pools) {
    findings.push(...sharedPool(p));
    const where = bound.get(p.name) ?? [];
    if (where.length && !hasWorkers(p)) {
      const prev = previous.get(p.name);
      const growth = prev ? p.messages - prev.messages : undefined;
      const defaultQueue = where.find((b) => isOsloDefaultQueue(p.name, b.routingKey) && b.siblings.some(hasWorkers));
      if (defaultQueue && (p.messages > 0 || (growth ?? 0) > 0)) {
        findings.push(unconsumedDefaultQueue(p, defaultQueue, growth, options.intervalSeconds));
      } else if ((growth !== undefined && growth >= th.growthMessages) || p.messages >= th.backlogMessages) {
        findings.push(poolWithoutWorkers(p, where, growth, options.intervalSeconds, th));
      }
    }
    findings.push(...workerSettings(p, options.globalPrefetch ?? {}));
    if (p.singleActiveConsumer && p.workers.length > 1) { findings.push(singleActive(p)); }
    findings.push(...clusterRules(p, options.nodes));
  }
  for (const w of options.deliveries ?? []) {
    const f = lopsided(w, t.pools.find((p) => p.name === w.pool), th);
    if (f) { findings.push(f); }
  }
  for (const k of options.keys ?? []) {
    const f = unroutable(t, k);
    if (f) { findings.push(f); }
  }
  if (options.upgrade) { findings.push(...upgradeFindings({ pools: t.pools, ...options.upgrade })); }
  findings.push(...deadLetterFindings(t));
  return sortFindings(findings);
}

// ---- from the management API ----

/** Messages a channel delivered (deliver + deliver_no_ack; basic.get excluded). Undefined with rates_mode = none. */
function channelDelivered(c: ApiChannel): number | undefined {
  const s = c.message_stats;
  if (!s) { return undefined; }
  return (s.deliver ?? 0) + (s.deliver_no_ack ?? 0);
}

/**
 * Per-worker deliveries from two samples of /api/channels. Channel stats are per channel, so a pool gets a window
 * only when each of its workers is alone on its channel; otherwise the numbers could not be split and the pool is
 * left out rather than guessed, and so is a pool whose channels came or went during the window.
 */
export function deliveryWindowsFromChannels(t: Topology, before: ApiChannel[], after: ApiChannel[], seconds?: number): DeliveryWindow[] {
  const workersOnChannel = new Map<string, number>();
  for (const p of t.pools) { for (const w of p.workers) { workersOnChannel.set(w.channel, (workersOnChannel.get(w.channel) ?? 0) + 1); } }
  const valid = (list: ApiChannel[]) => (Array.isArray(list) ? list.filter((c) => c !== null && typeof c === 'object') : []);
  const b = new Map(valid(before).map((c) => [c.name, c]));
  const a = new Map(valid(after).map((c) => [c.name, c]));
  const out: DeliveryWindow[] = [];
  for (const p of t.pools) {
    if (p.workers.length < 2 || p.workers.some((w) => workersOnChannel.get(w.channel) !== 1)) { continue; }
    const perWorker: Record<string, number> = {};
    let ok = true;
    for (const w of p.workers) {
      const ca = a.get(w.channel);
      const cb = b.get(w.channel);
      if (!ca || !cb) { ok = false; break; } // the channel came or went during the window
      // No message_stats yet (nothing delivered, or rates_mode = none) counts as 0.
      perWorker[w.id] = Math.max(0, (channelDelivered(ca) ?? 0) - (channelDelivered(cb) ?? 0));
    }
    if (ok) { out.push({ pool: p.name, perWorker, seconds, source: 'management' }); }
  }
  return out;
}

/** Channel name → global prefetch, for channels that set one. */
export function globalPrefetchOf(channels: ApiChannel[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const c of Array.isArray(channels) ? channels : []) {
    if (c && typeof c.name === 'string' && typeof c.global_prefetch_count === 'number' && c.global_prefetch_count > 0) { out[c.name] = c.global_prefetch_count; }
  }
  return out;
}

export interface RunDiagnoseOptions {
  keys?: KeyQuery[];
  /** Also what breaks on RabbitMQ 4.x (upgradeRules.ts). */
  upgrade?: boolean;
  /** Take a second snapshot this many seconds later: growth and per-worker delivery spread come from the difference. */
  sampleSeconds?: number;
  thresholds?: Partial<DiagnoseThresholds>;
  /** Exact per-worker counts from local workers; they win over channel statistics for the same pool. */
  deliveries?: DeliveryWindow[];
  signal?: AbortSignal;
  /** The pool-health findings (stalled-worker, slow-worker, pool-falling-behind, consumer-timeout-risk) with these thresholds; false: none. */
  health?: Partial<HealthThresholds> | false;
}

export interface DiagnoseResult {
  vhost: string;
  topology: Topology;
  findings: Finding[];
  /** Seconds actually sampled (0 without --sample-seconds, less when cancelled). */
  sampledSeconds: number;
  /** With `upgrade`: whether the broker has GET /api/deprecated-features/used (3.13+); undefined without `upgrade`. */
  deprecatedFeaturesApi?: boolean;
}

/**
 * Fetches a vhost (system exchanges included, so pools bound to amq.* count as bound) and diagnoses it. With
 * sampleSeconds, fetches again after that long. The management API refreshes its counters every 5 s by default
 * (collect_statistics_interval), so a window shorter than that may see no change.
 */
export async function runDiagnose(client: ManagementClient, vhost: string, opts: RunDiagnoseOptions = {}): Promise<DiagnoseResult> {
  const sample = Math.max(0, opts.sampleSeconds ?? 0);
  const snapshot = () => Promise.all([fetchTopology(client, vhost, { includeSystemExchanges: true }), client.channels(vhost)]);
  // Nodes need the monitoring tag: without it the cluster rules go by the queues' state alone.
  const nodes = await client.nodes().catch(() => undefined);
  // One health read with the broker's own sample history (enough for the trends and last-ack times, healthSeries.ts),
  // beside the last snapshot rather than after it.
  const health = () => (opts.health !== false
    ? runHealth(client, vhost, { sampleSeconds: 0, thresholds: opts.health || undefined, signal: opts.signal })
    : Promise.resolve(undefined));
  let [[topology, channels], healthReport] = await Promise.all([snapshot(), sample > 0 ? undefined : health()]);
  let previous: Topology | undefined;
  let windows: DeliveryWindow[] = [];
  let sampled = 0;
  if (sample > 0) {
    const t0 = Date.now();
    await sleep(sample * 1000, opts.signal);
    sampled = (Date.now() - t0) / 1000;
    const [[t2, ch2], h2] = await Promise.all([snapshot(), health()]);
    healthReport = h2;
    previous = topology;
    windows = deliveryWindowsFromChannels(t2, channels, ch2, sampled);
    [topology, channels] = [t2, ch2];
  }
  const local = opts.deliveries ?? [];
  const deliveries = [...local, ...windows.filter((w) => !local.some((l) => l.pool === w.pool))];
  const deprecatedUsed = opts.upgrade ? await client.deprecatedFeaturesUsed() : undefined;
  const findings = diagnose(topology, {
    keys: opts.keys, previous, intervalSeconds: previous ? sampled : undefined, deliveries,
    globalPrefetch: globalPrefetchOf(channels), thresholds: opts.thresholds, nodes,
    upgrade: opts.upgrade ? { channels, deprecatedUsed } : undefined,
  });
  const upgradeFields = opts.upgrade ? { deprecatedFeaturesApi: deprecatedUsed !== undefined } : {};
  if (healthReport) {
    return { vhost, topology, findings: sortFindings([...findings, ...healthReport.findings]), sampledSeconds: Math.round(sampled * 10) / 10, ...upgradeFields };
  }
  return { vhost, topology, findings, sampledSeconds: Math.round(sampled * 10) / 10, ...upgradeFields };
}
