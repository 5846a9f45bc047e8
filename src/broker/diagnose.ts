/**
 * Findings about pools: what goes wrong with the listeners of a vhost, and what to do about it.
 *
 * `diagnose()` is pure over a Topology snapshot, plus two optional inputs that a single snapshot cannot give:
 * an earlier snapshot (to see a queue grow) and per-worker delivery counts over a window (to see a lopsided pool).
 * `runDiagnose()` fetches all of that from the management API. No rule guesses: when an input is missing, the rule
 * that needs it stays silent, so a healthy oslo-style topology (each pool consumed by one application, prefetch set,
 * manual acks) gives no findings at all.
 */
import type { ApiChannel, ApiNode, ManagementClient } from './management';
import { route, RoutingTable, HeaderValue } from './routing';
import { fetchTopology, isAnonymous, isSystemExchange, Pool, Topology } from './topology';

export type Severity = 'error' | 'warning' | 'info';

export const FINDING_KINDS = [
  'shared-pool', 'pool-without-workers', 'unconsumed-default-queue', 'unroutable-key',
  'no-prefetch', 'auto-ack-workers', 'single-active-consumer', 'lopsided-pool',
  'classic-pool-node-down', 'quorum-minority',
] as const;
export type FindingKind = typeof FINDING_KINDS[number];

export interface Finding {
  kind: FindingKind;
  severity: Severity;
  /** The pool (queue) concerned; absent for exchange-level findings (unroutable-key). */
  pool?: string;
  exchange?: string;
  routingKey?: string;
  /** Consumer tags of the workers concerned. */
  workers?: string[];
  /** Applications concerned (shared-pool), as topology's applicationsOf() gives them. */
  applications?: string[];
  /** What happens, in one or two sentences. */
  message: string;
  /** What to do. */
  action: string;
}

/** A routing key someone means to publish with; unroutable-key reports the ones that reach no pool. */
export interface KeyQuery {
  exchange: string;
  routingKey: string;
  headers?: Record<string, HeaderValue>;
}

/** Messages each worker of one pool got during a window. Every worker of the pool must be listed (0 if none). */
export interface DeliveryWindow {
  pool: string;
  /** Consumer tag → messages delivered in the window. */
  perWorker: Record<string, number>;
  seconds?: number;
  /** "local" counts are exact; "management" ones come from channel message_stats deltas (approximate). */
  source?: 'local' | 'management';
}

export interface DiagnoseThresholds {
  /** A bound pool without workers is reported once it holds this many messages, growing or not (default 1000). */
  backlogMessages: number;
  /** …or as soon as it grew by at least this many messages since the previous snapshot (default 1). */
  growthMessages: number;
  /** lopsided-pool: coefficient of variation (stddev / mean) of per-worker deliveries above which a pool is lopsided (default 0.5). */
  lopsidedCv: number;
  /** lopsided-pool: the window must hold at least this many deliveries (default 100). */
  lopsidedMinMessages: number;
}

export const DEFAULT_THRESHOLDS: DiagnoseThresholds = {
  backlogMessages: 1000,
  growthMessages: 1,
  lopsidedCv: 0.5,
  lopsidedMinMessages: 100,
};

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
  nodes?: readonly Pick<ApiNode, 'name' | 'running'>[];
}

const SEVERITY_RANK: Record<Severity, number> = { error: 0, warning: 1, info: 2 };

export function severityRank(s: Severity): number { return SEVERITY_RANK[s]; }

/** True when a finding of severity `s` is at or above `threshold` (error > warning > info). */
export function atLeast(s: Severity, threshold: Severity): boolean { return SEVERITY_RANK[s] <= SEVERITY_RANK[threshold]; }

/** oslo.messaging's notification priorities: the default queue of a listener without a pool is "<topic>.<priority>". */
export const OSLO_PRIORITIES = ['audit', 'critical', 'debug', 'error', 'info', 'sample', 'warn', 'warning'] as const;

interface BoundAt { exchange: string; routingKey: string; /** other pools under the same exchange + key */ siblings: Pool[] }

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

const hasWorkers = (p: Pool) => p.consumers > 0 || p.workers.length > 0;
const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

/** The oslo default queue: "<topic>.<priority>", bound with its own name as the key. */
export function isOsloDefaultQueue(name: string, routingKey: string): boolean {
  const dot = name.lastIndexOf('.');
  return name === routingKey && dot > 0 && (OSLO_PRIORITIES as readonly string[]).includes(name.slice(dot + 1));
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
  return sortFindings(findings);
}

export function sortFindings(fs: Finding[]): Finding[] {
  return [...fs].sort((a, b) => SEVERITY_RANK[a.severity] - SEVERITY_RANK[b.severity] || a.kind.localeCompare(b.kind) ||
    (a.pool ?? '').localeCompare(b.pool ?? '') || (a.exchange ?? '').localeCompare(b.exchange ?? '') || (a.routingKey ?? '').localeCompare(b.routingKey ?? ''));
}

/** The nodes known to be down: listed with running: false. */
function downNodes(nodes: DiagnoseOptions['nodes']): Set<string> {
  return new Set((Array.isArray(nodes) ? nodes : []).filter((n) => n?.running === false && typeof n.name === 'string').map((n) => n.name));
}

/**
 * classic-pool-node-down: a classic queue lives on one node; while that node is down the pool is gone (publishes to it are
 * dropped or returned, its workers were cancelled). quorum-minority: a quorum queue needs a majority of its members online
 * to elect a leader; with fewer it takes no publishes and delivers nothing.
 */
export function clusterRules(p: Pool, nodes?: DiagnoseOptions['nodes']): Finding[] {
  const down = downNodes(nodes);
  const type = String(p.type);
  if (type === 'classic') {
    const nodeDown = p.node !== undefined && down.has(p.node);
    if (!nodeDown && p.state !== 'down') { return []; }
    return [{
      kind: 'classic-pool-node-down', severity: 'error', pool: p.name,
      message: `Pool "${p.name}" is a classic queue on node ${p.node ?? '(unknown)'}, which is down: until that node is back the pool takes no messages ` +
        '(they are dropped, or returned to a mandatory publisher) and its workers get nothing.',
      action: `Start node ${p.node ?? 'the queue\'s node'} again; to survive a node loss, recreate the pool as a quorum queue (Create Worker Pool → quorum, or --queue-type quorum) with 3 members.`,
    }];
  }
  if (type === 'quorum' && p.members?.length) {
    const members = p.members;
    const online = p.online ? p.online.filter((m) => members.includes(m) && !down.has(m)) : members.filter((m) => !down.has(m));
    const majority = Math.floor(members.length / 2) + 1;
    if (online.length >= majority && p.state !== 'minority') { return []; }
    const offline = members.filter((m) => !online.includes(m));
    return [{
      kind: 'quorum-minority', severity: 'error', pool: p.name,
      message: `Pool "${p.name}" is a quorum queue with ${online.length} of its ${members.length} members online (${online.join(', ') || 'none'}); it needs ${majority} ` +
        `to elect a leader, so it takes no publishes and delivers nothing. Offline: ${offline.join(', ') || 'none'}.`,
      action: `Bring back the offline members' nodes (${offline.join(', ') || 'see rabbitmqctl cluster_status'}); the queue recovers by itself once ${majority} members are online.`,
    }];
  }
  return [];
}

function sharedPool(p: Pool): Finding[] {
  const apps = p.applications;
  if (apps.length < 2) { return []; }
  return [{
    kind: 'shared-pool', severity: 'error', pool: p.name, applications: apps,
    workers: p.workers.filter((w) => !isAnonymous(w)).map((w) => w.id),
    message: `Pool "${p.name}" is consumed by ${apps.length} applications (${apps.join(', ')}): these listeners steal each other's messages, so each application sees only part of them.`,
    action: 'Give each application its own pool (oslo.messaging: get_notification_listener(..., pool="<application>")), bound to the same exchange and key, so each gets every message once.',
  }];
}

function unconsumedDefaultQueue(p: Pool, b: BoundAt, growth: number | undefined, seconds: number | undefined): Finding {
  const consumed = b.siblings.filter(hasWorkers).map((q) => q.name);
  const grew = growth !== undefined && growth > 0 ? `, +${growth}${seconds ? ` in ${Math.round(seconds)} s` : ''}` : '';
  return {
    kind: 'unconsumed-default-queue', severity: 'warning', pool: p.name, exchange: b.exchange, routingKey: b.routingKey,
    message: `"${p.name}" holds ${plural(p.messages, 'message')}${grew} and has no consumer, while the pools ${consumed.map((n) => `"${n}"`).join(', ')} on ${b.exchange}/${b.routingKey} do. ` +
      'The oslo.messaging notifier declares this default queue itself even when every listener uses a pool, so it fills up forever.',
    action: `Consume it (a listener without pool), or cap it with a policy (rabbitmqctl set_policy -p <vhost> --apply-to queues cap-${p.name} '^${escapeRegex(p.name)}$' '{"max-length":10000,"message-ttl":3600000}'), ` +
      'or stop the notifier publishing there ([oslo_messaging_notifications] topics / driver = noop for unused topics).',
  };
}

function poolWithoutWorkers(p: Pool, where: BoundAt[], growth: number | undefined, seconds: number | undefined, th: DiagnoseThresholds): Finding {
  const b = where[0];
  const why = growth !== undefined && growth >= th.growthMessages
    ? `grew by ${plural(growth, 'message')}${seconds ? ` in ${Math.round(seconds)} s` : ''} to ${p.messages}`
    : `holds ${plural(p.messages, 'message')} (threshold ${th.backlogMessages})`;
  return {
    kind: 'pool-without-workers', severity: 'warning', pool: p.name, exchange: b.exchange, routingKey: b.routingKey,
    message: `Pool "${p.name}" is bound to ${where.map((w) => `${w.exchange}/${w.routingKey}`).join(', ')} but has no workers: it ${why} and nothing takes them off.`,
    action: 'Start its workers (the listener that owns this pool), or unbind/delete the pool if nobody needs these messages, or cap it with a max-length / message-ttl policy.',
  };
}

function workerSettings(p: Pool, globalPrefetch: Record<string, number>): Finding[] {
  const out: Finding[] = [];
  const autoAck = p.workers.filter((w) => !w.ackRequired);
  if (autoAck.length) {
    out.push({
      kind: 'auto-ack-workers', severity: 'warning', pool: p.name, workers: autoAck.map((w) => w.id),
      message: `${plural(autoAck.length, 'worker')} of pool "${p.name}" consume${autoAck.length === 1 ? 's' : ''} with automatic acknowledgement: the broker forgets each message as it sends it, so messages in flight or buffered are lost if the worker crashes, and prefetch does not limit them.`,
      action: 'Consume with manual acks (noAck: false) and ack after processing, with a prefetch (e.g. 10–100).',
    });
  }
  const unlimited = p.workers.filter((w) => w.ackRequired && w.prefetch === 0 && !(globalPrefetch[w.channel] > 0));
  if (unlimited.length) {
    out.push({
      kind: 'no-prefetch', severity: 'warning', pool: p.name, workers: unlimited.map((w) => w.id),
      message: `${plural(unlimited.length, 'worker')} of pool "${p.name}" ha${unlimited.length === 1 ? 's' : 've'} no prefetch limit (0 = unlimited): the broker pushes the whole backlog to them, starving the other workers and bloating their memory.`,
      action: 'Set a prefetch (basic.qos) before consuming, e.g. channel.prefetch(50) in amqplib or [oslo_messaging_rabbit] rabbit_qos_prefetch_count = 50.',
    });
  }
  return out;
}

function singleActive(p: Pool): Finding {
  const waiting = p.workers.filter((w) => !w.active);
  const active = p.workers.filter((w) => w.active);
  return {
    kind: 'single-active-consumer', severity: 'info', pool: p.name, workers: (waiting.length ? waiting : p.workers.slice(1)).map((w) => w.id),
    message: `Pool "${p.name}" has x-single-active-consumer: only one of its ${p.workers.length} workers${active.length === 1 ? ` (${active[0].id})` : ''} gets messages; the other ${plural(p.workers.length - 1, 'worker')} only wait to take over.`,
    action: 'Fine for strict ordering or failover; to share the load, use a queue without x-single-active-consumer (it cannot be changed on an existing queue: declare a new pool).',
  };
}

/** Coefficient of variation (population stddev / mean); 0 for an empty or all-zero list. */
export function coefficientOfVariation(values: number[]): number {
  if (values.length === 0) { return 0; }
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  if (mean === 0) { return 0; }
  const variance = values.reduce((a, v) => a + (v - mean) ** 2, 0) / values.length;
  return Math.sqrt(variance) / mean;
}

function lopsided(w: DeliveryWindow, pool: Pool | undefined, th: DiagnoseThresholds): Finding | undefined {
  // A single-active-consumer pool is lopsided by design: that rule already explains it.
  if (pool?.singleActiveConsumer) { return undefined; }
  const entries = Object.entries(w.perWorker);
  const total = entries.reduce((a, [, n]) => a + n, 0);
  if (entries.length < 2 || total < th.lopsidedMinMessages) { return undefined; }
  const cv = coefficientOfVariation(entries.map(([, n]) => n));
  if (cv <= th.lopsidedCv) { return undefined; }
  const sorted = [...entries].sort((a, b) => b[1] - a[1]);
  const mean = total / entries.length;
  const share = (n: number) => `${Math.round((100 * n) / total)}%`;
  const behind = sorted.filter(([, n]) => n < mean / 2).map(([tag]) => tag);
  return {
    kind: 'lopsided-pool', severity: 'warning', pool: w.pool, workers: behind.length ? behind : sorted.slice(-1).map(([tag]) => tag),
    message: `Pool "${w.pool}" spreads deliveries unevenly over ${plural(entries.length, 'worker')}: ${sorted.map(([tag, n]) => `${tag} ${n} (${share(n)})`).join(', ')} ` +
      `of ${total}${w.seconds ? ` in ${Math.round(w.seconds)} s` : ''} (coefficient of variation ${cv.toFixed(2)} > ${th.lopsidedCv})${w.source === 'management' ? ', from management API channel statistics (approximate)' : ''}. ` +
      'RabbitMQ gives each message to a worker with free prefetch slots, so slow, stuck or differently configured workers get fewer.',
    action: 'Check the workers that get little (slow handlers, stuck acks, a smaller prefetch) and the ones that get much (prefetch 0 or a large prefetch hoards messages); give all workers of a pool the same prefetch.',
  };
}

/** The routing table of a snapshot, for route(): bindings as the topology groups them, exchange-to-exchange included. */
export function routingTableOf(t: Topology): RoutingTable {
  return {
    exchanges: t.exchanges.map((e) => ({ name: e.name, type: e.type, arguments: e.arguments })),
    bindings: t.exchanges.flatMap((e) => e.bindings.flatMap((b) => [
      ...b.pools.map((p) => ({ source: e.name, destination: p.name, destinationType: 'queue' as const, routingKey: b.routingKey, arguments: b.arguments })),
      ...b.exchanges.map((x) => ({ source: e.name, destination: x, destinationType: 'exchange' as const, routingKey: b.routingKey, arguments: b.arguments })),
    ])),
    queues: t.pools.map((p) => p.name),
  };
}

function unroutable(t: Topology, k: KeyQuery): Finding | undefined {
  const base = { kind: 'unroutable-key' as const, severity: 'error' as const, exchange: k.exchange, routingKey: k.routingKey };
  if (k.exchange !== '' && !t.exchanges.some((e) => e.name === k.exchange)) {
    const sys = isSystemExchange(k.exchange) ? ' (or it is a system exchange left out of this snapshot)' : '';
    return {
      ...base,
      message: `There is no exchange "${k.exchange}" in vhost "${t.vhost}"${sys}: publishing to it fails with NOT_FOUND and closes the publisher's channel.`,
      action: `Declare the exchange (oslo.messaging declares "${k.exchange}" on the first notification or listener), or fix the exchange name ([oslo_messaging_notifications] / control_exchange).`,
    };
  }
  const r = route(routingTableOf(t), k.exchange, k.routingKey, k.headers);
  if (r.pools.length || r.unpredictable.length) { return undefined; }
  return {
    ...base,
    message: `A message to "${k.exchange}" with key "${k.routingKey}" matches no binding${r.alternates.length ? ' (not even through the alternate exchange)' : ''}: the broker drops it (or returns it to a publisher that sets mandatory).`,
    action: `Bind a pool with a matching key (e.g. a listener for topic "${k.routingKey.replace(/\.[^.]*$/, '')}"), fix the routing key the publisher uses, or give the exchange an alternate-exchange.`,
  };
}

function escapeRegex(s: string): string { return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'); }

// ---------------------------------------------------------------------------------------------------------------
// From the management API

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
  /** Take a second snapshot this many seconds later: growth and per-worker delivery spread come from the difference. */
  sampleSeconds?: number;
  thresholds?: Partial<DiagnoseThresholds>;
  /** Exact per-worker counts from local workers; they win over channel statistics for the same pool. */
  deliveries?: DeliveryWindow[];
  signal?: AbortSignal;
}

export interface DiagnoseResult {
  vhost: string;
  topology: Topology;
  findings: Finding[];
  /** Seconds actually sampled (0 without --sample-seconds, less when cancelled). */
  sampledSeconds: number;
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
  let [topology, channels] = await snapshot();
  let previous: Topology | undefined;
  let windows: DeliveryWindow[] = [];
  let sampled = 0;
  if (sample > 0) {
    const t0 = Date.now();
    await abortableDelay(sample * 1000, opts.signal);
    sampled = (Date.now() - t0) / 1000;
    const [t2, ch2] = await snapshot();
    previous = topology;
    windows = deliveryWindowsFromChannels(t2, channels, ch2, sampled);
    [topology, channels] = [t2, ch2];
  }
  const local = opts.deliveries ?? [];
  const deliveries = [...local, ...windows.filter((w) => !local.some((l) => l.pool === w.pool))];
  const findings = diagnose(topology, {
    keys: opts.keys, previous, intervalSeconds: previous ? sampled : undefined, deliveries,
    globalPrefetch: globalPrefetchOf(channels), thresholds: opts.thresholds, nodes,
  });
  return { vhost, topology, findings, sampledSeconds: Math.round(sampled * 10) / 10 };
}

function abortableDelay(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) { resolve(); return; }
    const timer = setTimeout(done, ms);
    function done() { clearTimeout(timer); signal?.removeEventListener('abort', done); resolve(); }
    signal?.addEventListener('abort', done, { once: true });
  });
}

/** The CLI contract's JSON shape: `pool` always present (null for exchange-level findings). */
export function findingJson(f: Finding) {
  return {
    kind: f.kind, severity: f.severity, pool: f.pool ?? null, message: f.message, action: f.action,
    ...(f.exchange !== undefined ? { exchange: f.exchange } : {}),
    ...(f.routingKey !== undefined ? { routingKey: f.routingKey } : {}),
    ...(f.workers ? { workers: f.workers } : {}),
    ...(f.applications ? { applications: f.applications } : {}),
  };
}
