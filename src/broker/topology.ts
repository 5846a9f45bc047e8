/**
 * From management API data to the model of DESIGN.md: exchange → binding key → pools → workers.
 * A worker's application comes from its connection (user_provided_name / connection_name / product), since
 * consumers and channels only show "127.0.0.1:port -> 127.0.0.1:5672".
 */
import type { ApiBinding, ApiChannelDetails, ApiConnection, ApiConsumer, ApiExchange, ApiQueue, ManagementClient } from './management';
import { deadLetterJson } from './deadLetters';

export interface Worker {
  consumerTag: string;
  /**
   * Unique within its pool: the consumer tag, or the tag with the worker's client when two channels use one tag (a tag is
   * unique per channel only: oslo.messaging tags each process's consumers 1, 2, …, so three processes in a pool are all "1").
   */
  id: string;
  /**
   * Who the worker belongs to, by applicationOf(): oslo.messaging's "<program>:<pid>:<uuid>" gives "<program>", one
   * application for all of its processes; otherwise the name the client gave its connection, its product, or its peer.
   */
  application: string;
  /** The name the client gave its connection (user_provided_name / connection_name), in full: "ceilometer-agent-notification:2157:0cd5…". */
  clientName?: string;
  /** The broker's connection name ("127.0.0.1:54321 -> 127.0.0.1:5672"). */
  connection: string;
  channel: string;
  prefetch: number;
  ackRequired: boolean;
  active: boolean;
  exclusive: boolean;
  node?: string;
  peer?: string;
}

export type QueueType = 'classic' | 'quorum' | 'stream' | string;

export interface Pool {
  name: string;
  vhost: string;
  type: QueueType;
  durable: boolean;
  autoDelete: boolean;
  exclusive: boolean;
  messages: number;
  ready: number;
  unacked: number;
  consumers: number;
  publishRate?: number;
  deliverRate?: number;
  ackRate?: number;
  singleActiveConsumer: boolean;
  arguments: Record<string, unknown>;
  /** Classic queues: the node that holds the queue. Quorum and stream queues: see leader / members / online. */
  node?: string;
  leader?: string;
  members?: string[];
  online?: string[];
  /** The broker's queue state: running, idle, down (its node is gone), minority (quorum: too few members online), … */
  state?: string;
  /** The policy that applies, and its definition as the broker applies it (effective_policy_definition). */
  policy?: string;
  effectivePolicy?: Record<string, unknown>;
  /**
   * The broker described the queue (its state) but gave no counts: statistics off (`disable_stats`, or a metrics collector
   * disabled as RabbitMQ 4.x's Prometheus-only setups do: statsDisabled.ts), or a queue not sampled yet (4.x lists a new
   * queue's type and state at once, its counts a statistics interval later). Messages and workers read 0 but are unknown.
   * (3.10 lists a new queue by its name alone until sampled: not marked.)
   */
  statsUnavailable?: boolean;
  /** Distinct named applications among the workers (applicationsOf()), sorted. More than one = they steal each other's messages. */
  applications: string[];
  workers: Worker[];
}

export interface BindingGroup {
  routingKey: string;
  /** Binding arguments (headers exchanges); empty object otherwise. */
  arguments: Record<string, unknown>;
  pools: Pool[];
  /** Exchange-to-exchange bindings under this key. */
  exchanges: string[];
}

export interface ExchangeModel {
  name: string;
  type: string;
  durable: boolean;
  internal: boolean;
  autoDelete: boolean;
  arguments: Record<string, unknown>;
  bindings: BindingGroup[];
}

export interface Topology {
  vhost: string;
  exchanges: ExchangeModel[];
  /** Every queue of the vhost, bound or not, sorted by name. */
  pools: Pool[];
}

export interface TopologyInput {
  vhost: string;
  exchanges: ApiExchange[];
  queues: ApiQueue[];
  bindings: ApiBinding[];
  consumers: ApiConsumer[];
  connections: ApiConnection[];
}

export interface TopologyOptions {
  /** Include the default exchange and amq.* exchanges (default false). */
  includeSystemExchanges?: boolean;
}

export function isSystemExchange(name: string): boolean {
  return typeof name !== 'string' || name === '' || name.startsWith('amq.');
}

/** API fields are typed, but a broker mid-change (or an older one) may omit them: never let that throw. */
function str(v: unknown, fallback = ''): string {
  return typeof v === 'string' ? v : fallback;
}

function record(v: unknown): Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
}

function num(v: unknown, fallback: number): number {
  return typeof v === 'number' && Number.isFinite(v) ? v : fallback;
}

function bool(v: unknown, fallback: boolean): boolean {
  return typeof v === 'boolean' ? v : fallback;
}

function optStr(v: unknown): string | undefined {
  return typeof v === 'string' ? v : undefined;
}

function strings(v: unknown): string[] | undefined {
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : undefined;
}

/** The objects of an API list; a list that is not one (or null entries, from a proxy or a broker mid-change) gives fewer items, not a throw. */
function objects<T>(list: readonly T[] | undefined | null): T[] {
  return Array.isArray(list) ? list.filter((x): x is T => x !== null && typeof x === 'object' && !Array.isArray(x)) : [];
}

/** oslo.messaging names each connection "<program>:<pid>:<uuid>" (impl_rabbit.py: basename(sys.argv[0]), os.getpid(), uuid4). */
const OSLO_CONNECTION_NAME = /^(.+?):\d+:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * THE definition of an application, from the name a client gave its connection. Every process of one oslo.messaging
 * program is one application ("ceilometer-agent-notification:2157:0cd5f39f-…" → "ceilometer-agent-notification"), so
 * three processes of ceilometer in one pool are one listener kind sharing the load, not three stealing from each other.
 * Other names are kept as they are ("rmq-pools:ceilometer", "audit-logger").
 */
export function applicationKey(connectionName: string): string {
  const m = OSLO_CONNECTION_NAME.exec(connectionName);
  return m ? m[1] : connectionName;
}

/** The name the client gave its connection, if any. */
export function clientNameOf(conn: ApiConnection | undefined): string | undefined {
  if (!conn) { return undefined; }
  return str(conn.user_provided_name) || str(record(conn.client_properties).connection_name) || undefined;
}

/** The application of a connection: its client name by applicationKey(), else its product ("pika"), else the fallback (its peer). */
export function applicationOf(conn: ApiConnection | undefined, fallback: string): string {
  const name = clientNameOf(conn);
  if (name) { return applicationKey(name); }
  return (conn && str(record(conn.client_properties).product)) || fallback;
}

/** A worker whose application is only its peer address or connection: nobody named it, so it cannot be compared. */
export function isAnonymous(w: Pick<Worker, 'application' | 'peer' | 'connection'>): boolean {
  return !w.application || w.application === 'unknown' || w.application === w.peer || w.application === w.connection;
}

/** The distinct named applications among a pool's workers, sorted: more than one = they take each other's messages. */
export function applicationsOf(workers: readonly Worker[]): string[] {
  return [...new Set(workers.filter((w) => !isAnonymous(w)).map((w) => w.application))].sort();
}

export function workerFrom(c: ApiConsumer, connections: Map<string, ApiConnection>): Worker {
  // RabbitMQ sends channel_details: [] once the channel is gone.
  const ch = record(c.channel_details) as ApiChannelDetails;
  const connectionName = str(ch.connection_name);
  const conn = connectionName ? connections.get(connectionName) : undefined;
  const peerHost = str(ch.peer_host);
  const peer = peerHost ? `${peerHost}:${typeof ch.peer_port === 'number' ? ch.peer_port : ''}` : undefined;
  return {
    consumerTag: str(c.consumer_tag),
    id: str(c.consumer_tag),
    application: applicationOf(conn, peer ?? (connectionName || 'unknown')),
    clientName: clientNameOf(conn),
    connection: connectionName,
    channel: str(ch.name),
    prefetch: num(c.prefetch_count, 0),
    ackRequired: bool(c.ack_required, true),
    active: bool(c.active, true),
    exclusive: bool(c.exclusive, false),
    node: optStr(conn?.node) ?? optStr(ch.node),
    peer,
  };
}

export function poolFrom(q: ApiQueue, workers: Worker[]): Pool {
  const args = record(q.arguments);
  const ms = record(q.message_stats);
  const rate = (d: unknown): number | undefined => { const r = record(d).rate; return typeof r === 'number' ? r : undefined; };
  const apps = applicationsOf(workers);
  return {
    name: str(q.name),
    vhost: str(q.vhost),
    type: optStr(q.type) ?? (typeof args['x-queue-type'] === 'string' ? (args['x-queue-type'] as string) : 'classic'),
    durable: bool(q.durable, false),
    autoDelete: bool(q.auto_delete, false),
    exclusive: bool(q.exclusive, false),
    messages: num(q.messages, 0),
    ready: num(q.messages_ready, 0),
    unacked: num(q.messages_unacknowledged, 0),
    consumers: num(q.consumers, workers.length),
    publishRate: rate(ms.publish_details),
    deliverRate: rate(ms.deliver_get_details),
    ackRate: rate(ms.ack_details),
    singleActiveConsumer: args['x-single-active-consumer'] === true,
    arguments: args,
    node: optStr(q.node),
    leader: optStr(q.leader),
    members: strings(q.members),
    online: strings(q.online),
    state: typeof q.state === 'string' ? q.state : undefined,
    policy: optStr(q.policy),
    effectivePolicy: q.effective_policy_definition && typeof q.effective_policy_definition === 'object' ? record(q.effective_policy_definition) : undefined,
    ...(q.messages === undefined && q.consumers === undefined && q.state !== undefined ? { statsUnavailable: true } : {}),
    applications: apps,
    workers: withUniqueIds(workers.sort((a, b) => a.consumerTag.localeCompare(b.consumerTag) || (a.clientName ?? a.connection).localeCompare(b.clientName ?? b.connection))),
  };
}

/** Gives workers that share a consumer tag an id with their client (name, else connection, else channel) added. */
function withUniqueIds(workers: Worker[]): Worker[] {
  const count = new Map<string, number>();
  for (const w of workers) { count.set(w.consumerTag, (count.get(w.consumerTag) ?? 0) + 1); }
  const seen = new Set<string>();
  for (const w of workers) {
    let id = (count.get(w.consumerTag) ?? 0) > 1 ? `${w.consumerTag} @ ${w.clientName || w.connection || w.channel || '?'}` : w.consumerTag;
    // Still the same (a consumer listed before its channel is known): number them.
    for (let n = 2; seen.has(id); n++) { id = `${id.replace(/ #\d+$/, '')} #${n}`; }
    seen.add(id);
    w.id = id;
  }
  return workers;
}

/** Groups consumers by queue name, resolving each one's application. */
export function workersByQueue(consumers: ApiConsumer[], connections: ApiConnection[]): Map<string, Worker[]> {
  const conns = new Map(objects(connections).map((c) => [c.name, c]));
  const out = new Map<string, Worker[]>();
  for (const c of objects(consumers)) {
    const q = record(c.queue).name;
    if (typeof q !== 'string') { continue; }
    const list = out.get(q) ?? [];
    list.push(workerFrom(c, conns));
    out.set(q, list);
  }
  return out;
}

export function buildTopology(input: TopologyInput, opts: TopologyOptions = {}): Topology {
  const byQueue = workersByQueue(input.consumers ?? [], input.connections ?? []);
  const pools = new Map<string, Pool>();
  for (const q of objects(input.queues)) {
    const name = str(q.name);
    pools.set(name, poolFrom(q, byQueue.get(name) ?? []));
  }

  const exchanges: ExchangeModel[] = [];
  const bySource = new Map<string, ApiBinding[]>();
  for (const b of objects(input.bindings)) {
    if (typeof b.source !== 'string' || b.source === '') { continue; } // '': the default exchange's implicit binding to every queue
    const list = bySource.get(b.source) ?? [];
    list.push(b);
    bySource.set(b.source, list);
  }
  for (const e of objects(input.exchanges)) {
    const name = str(e.name);
    if (!opts.includeSystemExchanges && isSystemExchange(name)) { continue; }
    exchanges.push(exchangeModel(e, bySource.get(name) ?? [], pools));
  }
  exchanges.sort((a, b) => a.name.localeCompare(b.name));
  return { vhost: input.vhost, exchanges, pools: [...pools.values()].sort((a, b) => a.name.localeCompare(b.name)) };
}

/** Groups one exchange's bindings by (routing key, arguments): the "binding key" level of the tree. */
export function exchangeModel(e: ApiExchange, bindings: ApiBinding[], pools: Map<string, Pool>): ExchangeModel {
  return {
    name: str(e.name),
    type: str(e.type, 'unknown'),
    durable: e.durable ?? false,
    internal: e.internal ?? false,
    autoDelete: e.auto_delete ?? false,
    arguments: record(e.arguments),
    bindings: groupBindings(bindings, (name) => pools.get(name)),
  };
}

export function bindingGroupKey(routingKey: string, args: Record<string, unknown> | undefined): string {
  const a = args && Object.keys(args).length ? JSON.stringify(Object.fromEntries(Object.entries(args).sort(([x], [y]) => x.localeCompare(y)))) : '';
  return a ? `${routingKey}\u0000${a}` : routingKey;
}

export function groupBindings(bindings: ApiBinding[], poolOf: (name: string) => Pool | undefined): BindingGroup[] {
  const groups = new Map<string, BindingGroup>();
  for (const b of bindings) {
    const routingKey = str(b.routing_key);
    const args = record(b.arguments);
    const destination = str(b.destination);
    const key = bindingGroupKey(routingKey, args);
    let g = groups.get(key);
    if (!g) {
      g = { routingKey, arguments: args, pools: [], exchanges: [] };
      groups.set(key, g);
    }
    if (b.destination_type === 'exchange') {
      if (!g.exchanges.includes(destination)) { g.exchanges.push(destination); }
    } else if (!g.pools.some((p) => p.name === destination)) {
      // A binding may name a queue that vanished between two API calls: show it empty rather than drop it.
      g.pools.push(poolOf(destination) ?? emptyPool(destination, str(b.vhost)));
    }
  }
  const out = [...groups.values()];
  for (const g of out) { g.pools.sort((a, b) => a.name.localeCompare(b.name)); g.exchanges.sort(); }
  return out.sort((a, b) => a.routingKey.localeCompare(b.routingKey) || bindingGroupKey('', a.arguments).localeCompare(bindingGroupKey('', b.arguments)));
}

export function emptyPool(name: string, vhost: string): Pool {
  return poolFrom({ name, vhost, consumers: 0 }, []);
}

export const QUEUE_COLUMNS = [
  'name', 'vhost', 'durable', 'auto_delete', 'exclusive', 'arguments', 'type', 'node', 'leader', 'members', 'online', 'state',
  'messages', 'messages_ready', 'messages_unacknowledged', 'consumers', 'single_active_consumer_tag', 'policy', 'effective_policy_definition',
  'message_stats.publish_details.rate', 'message_stats.deliver_get_details.rate', 'message_stats.ack_details.rate',
] as const;
export const EXCHANGE_COLUMNS = ['name', 'vhost', 'type', 'durable', 'auto_delete', 'internal', 'arguments'] as const;

/** Fetches one vhost whole (the CLI's `topology`, diagnose, tests). The tree reads page by page instead. */
export async function fetchTopology(client: ManagementClient, vhost: string, opts: TopologyOptions = {}): Promise<Topology> {
  const [exchanges, queues, bindings, consumers, connections] = await Promise.all([
    client.exchanges(vhost, EXCHANGE_COLUMNS),
    client.queues(vhost, QUEUE_COLUMNS),
    client.bindings(vhost),
    client.consumers(vhost),
    client.connections(vhost),
  ]);
  return buildTopology({ vhost, exchanges, queues, bindings, consumers, connections }, opts);
}

/** The CLI contract's JSON shape (shared/DESIGN.md): camelCase, stable. */
export function topologyJson(t: Topology) {
  const poolJson = (p: Pool) => ({
    name: p.name, type: p.type, messages: p.messages, ready: p.ready, unacked: p.unacked, consumers: p.consumers,
    applications: p.applications,
    workers: p.workers.map((w) => ({
      consumerTag: w.consumerTag, application: w.application, ...(w.clientName && w.clientName !== w.application ? { clientName: w.clientName } : {}),
      prefetch: w.prefetch, ackRequired: w.ackRequired, active: w.active,
    })),
    ...deadLetterJson(t, p),
  });
  return {
    vhost: t.vhost,
    exchanges: t.exchanges.map((e) => ({
      name: e.name, type: e.type, durable: e.durable,
      bindings: e.bindings.map((b) => ({
        routingKey: b.routingKey,
        ...(Object.keys(b.arguments).length ? { arguments: b.arguments } : {}),
        pools: b.pools.map(poolJson),
        ...(b.exchanges.length ? { exchanges: b.exchanges } : {}),
      })),
    })),
    pools: t.pools.map(poolJson),
  };
}
