/**
 * The diagnose rules, each pure over a Topology snapshot: one function per finding kind (or two related kinds).
 * None guesses: a rule whose input is missing stays silent. diagnose.ts runs them.
 */
import type { ApiNode } from './managementTypes';
import type { Finding } from './findings';
import { route, RoutingTable, HeaderValue } from './routing';
import { isAnonymous, isSystemExchange, Pool, Topology } from './topology';
import { plural } from './text';

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

/** The cluster's nodes (/api/nodes) and which are running. */
export type NodeStates = readonly Pick<ApiNode, 'name' | 'running'>[];

/** oslo.messaging's notification priorities: the default queue of a listener without a pool is "<topic>.<priority>". */
export const OSLO_PRIORITIES = ['audit', 'critical', 'debug', 'error', 'info', 'sample', 'warn', 'warning'] as const;

/** Where a pool is bound. */
export interface BoundAt { exchange: string; routingKey: string; /** other pools under the same exchange + key */ siblings: Pool[] }

export const hasWorkers = (p: Pool) => p.consumers > 0 || p.workers.length > 0;

/** The oslo default queue: "<topic>.<priority>", bound with its own name as the key. */
export function isOsloDefaultQueue(name: string, routingKey: string): boolean {
  const dot = name.lastIndexOf('.');
  return name === routingKey && dot > 0 && (OSLO_PRIORITIES as readonly string[]).includes(name.slice(dot + 1));
}

/** The nodes known to be down: listed with running: false. */
function downNodes(nodes: NodeStates | undefined): Set<string> {
  return new Set((Array.isArray(nodes) ? nodes : []).filter((n) => n?.running === false && typeof n.name === 'string').map((n) => n.name));
}

/**
 * classic-pool-node-down: a classic queue lives on one node; while that node is down the pool is gone (publishes to it are
 * dropped or returned, its workers were cancelled). quorum-minority: a quorum queue needs a majority of its members online
 * to elect a leader; with fewer it takes no publishes and delivers nothing.
 */
export function clusterRules(p: Pool, nodes?: NodeStates): Finding[] {
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

export function sharedPool(p: Pool): Finding[] {
  const apps = p.applications;
  if (apps.length < 2) { return []; }
  return [{
    kind: 'shared-pool', severity: 'error', pool: p.name, applications: apps,
    workers: p.workers.filter((w) => !isAnonymous(w)).map((w) => w.id),
    message: `Pool "${p.name}" is consumed by ${apps.length} applications (${apps.join(', ')}): these listeners steal each other's messages, so each application sees only part of them.`,
    action: 'Give each application its own pool (oslo.messaging: get_notification_listener(..., pool="<application>")), bound to the same exchange and key, so each gets every message once.',
  }];
}

export function unconsumedDefaultQueue(p: Pool, b: BoundAt, growth: number | undefined, seconds: number | undefined): Finding {
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

export function poolWithoutWorkers(p: Pool, where: BoundAt[], growth: number | undefined, seconds: number | undefined, th: DiagnoseThresholds): Finding {
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

export function workerSettings(p: Pool, globalPrefetch: Record<string, number>): Finding[] {
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

export function singleActive(p: Pool): Finding {
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

export function lopsided(w: DeliveryWindow, pool: Pool | undefined, th: DiagnoseThresholds): Finding | undefined {
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

export function unroutable(t: Topology, k: KeyQuery): Finding | undefined {
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
