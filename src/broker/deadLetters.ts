/**
 * Where a pool's dead letters go: its dead-letter exchange and routing key, from the queue's arguments
 * (`x-dead-letter-exchange`, `x-dead-letter-routing-key`) or the policy the broker applies (`effective_policy_definition`'s
 * `dead-letter-exchange`, `dead-letter-routing-key`), each key resolved on its own with the argument winning, as RabbitMQ
 * does. Without a dead-letter routing key the broker dead-letters with the message's own routing keys; from a snapshot
 * those are the keys the pool is bound with (and its own name, for the default exchange).
 * The receiving pools come from routing.ts's route() over the snapshot: nothing here decides a match.
 * https://www.rabbitmq.com/docs/dlx
 */
import { route, RouteResult, RoutingTable } from './routing';
import type { Pool, Topology } from './topology';

/** The snapshot as a routing table (the same as diagnoseRules' routingTableOf; topology.ts imports this file, so not from there). */
function tableOf(t: Topology): RoutingTable {
  return {
    exchanges: t.exchanges.map((e) => ({ name: e.name, type: e.type, arguments: e.arguments })),
    bindings: t.exchanges.flatMap((e) => e.bindings.flatMap((b) => [
      ...b.pools.map((q) => ({ source: e.name, destination: q.name, destinationType: 'queue' as const, routingKey: b.routingKey, arguments: b.arguments })),
      ...b.exchanges.map((x) => ({ source: e.name, destination: x, destinationType: 'exchange' as const, routingKey: b.routingKey, arguments: b.arguments })),
    ])),
    queues: t.pools.map((q) => q.name),
  };
}

export interface DeadLetterConfig {
  /** The dead-letter exchange; "" is the default exchange (routes to the queue named by the key). */
  exchange: string;
  /** The configured dead-letter routing key; undefined = the message's own routing keys. */
  routingKey?: string;
  /** Where the exchange setting comes from. */
  from: 'argument' | 'policy';
}

export interface DeadLetterTarget {
  name: string;
  messages: number;
  ready: number;
}

export interface DeadLetterPath extends DeadLetterConfig {
  /** The keys routed: the configured key, or the keys the messages can carry (the pool's binding keys, its own name). */
  keys: string[];
  /** false: the exchange is not in the vhost; undefined: not known from this snapshot (a system exchange left out). */
  exchangeExists?: boolean;
  /** The pools that receive the dead letters, with their depth, sorted by name. */
  pools: DeadLetterTarget[];
  /** Exchanges on the way whose type routing.ts cannot evaluate (pools behind them are not listed). */
  unpredictable: string[];
}

function stringSetting(v: unknown): string | undefined {
  return typeof v === 'string' ? v : undefined;
}

/** The pool's dead-letter settings, or undefined when it does not dead-letter. */
export function deadLetterConfigOf(p: Pick<Pool, 'arguments' | 'effectivePolicy'>): DeadLetterConfig | undefined {
  const args = p.arguments ?? {};
  const policy = p.effectivePolicy ?? {};
  const argExchange = stringSetting(args['x-dead-letter-exchange']);
  const policyExchange = stringSetting(policy['dead-letter-exchange']);
  const exchange = argExchange ?? policyExchange;
  if (exchange === undefined) { return undefined; }
  const routingKey = stringSetting(args['x-dead-letter-routing-key']) ?? stringSetting(policy['dead-letter-routing-key']);
  return { exchange, ...(routingKey !== undefined ? { routingKey } : {}), from: argExchange !== undefined ? 'argument' : 'policy' };
}

/** "the message's own routing keys" or `key "K"`: how the UI says which key is used. */
export function describeDeadLetterKey(c: Pick<DeadLetterConfig, 'routingKey'>): string {
  return c.routingKey === undefined ? "the message's own routing keys" : `key "${c.routingKey}"`;
}

/** The keys a message in this pool can carry, as far as a snapshot knows: its binding keys, and its name (default exchange). */
export function ownKeysOf(t: Topology, pool: string): string[] {
  let index = keysCache.get(t);
  if (!index) {
    index = new Map();
    for (const e of t.exchanges) {
      for (const b of e.bindings) {
        for (const q of b.pools) { const set = index.get(q.name) ?? new Set<string>(); set.add(b.routingKey); index.set(q.name, set); }
      }
    }
    keysCache.set(t, index);
  }
  return [...new Set([pool, ...(index.get(pool) ?? [])])].sort();
}
const keysCache = new WeakMap<Topology, Map<string, Set<string>>>();

const byNameCache = new WeakMap<Topology, Map<string, Pool>>();

/** The snapshot's pools by name (built once per snapshot). */
export function poolsByName(t: Topology): Map<string, Pool> {
  let m = byNameCache.get(t);
  if (!m) { m = new Map(t.pools.map((q) => [q.name, q])); byNameCache.set(t, m); }
  return m;
}

const cache = new WeakMap<Topology, Map<string, DeadLetterPath | undefined>>();
interface RouteCache {
  table?: RoutingTable;
  results: Map<string, { pools: string[]; unpredictable: string[] }>;
  /** Direct exchanges that only bind queues and have no alternate exchange: key → pools, without route()'s walk. */
  direct: Map<string, Map<string, string[]>>;
  queues: Set<string>;
}
const routes = new WeakMap<Topology, RouteCache>();

/**
 * route() over the snapshot, each (exchange, key) once. Direct exchanges that bind only queues (the usual dead-letter
 * exchange) and the default exchange are looked up by key, which gives what route() gives without a walk over every
 * binding: a vhost of 10,000 pools stays fast. Everything else goes through route().
 */
function routeCached(t: Topology, exchange: string, key: string): { pools: string[]; unpredictable: string[] } {
  let r = routes.get(t);
  if (!r) {
    r = { results: new Map(), direct: new Map(), queues: new Set(t.pools.map((q) => q.name)) };
    for (const e of t.exchanges) {
      if (e.type !== 'direct' || e.arguments['alternate-exchange'] !== undefined || e.bindings.some((b) => b.exchanges.length)) { continue; }
      const byKey = new Map<string, string[]>();
      for (const b of e.bindings) { byKey.set(b.routingKey, [...new Set([...(byKey.get(b.routingKey) ?? []), ...b.pools.map((q) => q.name)])]); }
      r.direct.set(e.name, byKey);
    }
    routes.set(t, r);
  }
  const id = `${exchange}\u0000${key}`;
  let result = r.results.get(id);
  if (!result) {
    const direct = r.direct.get(exchange);
    if (exchange === '') {
      result = { pools: r.queues.has(key) ? [key] : [], unpredictable: [] };
    } else if (direct) {
      result = { pools: [...(direct.get(key) ?? [])].sort(), unpredictable: [] };
    } else {
      r.table = r.table ?? tableOf(t);
      const routed: RouteResult = route(r.table, exchange, key);
      result = { pools: routed.pools, unpredictable: routed.unpredictable };
    }
    r.results.set(id, result);
  }
  return result;
}

/** Where one pool's dead letters go in this snapshot; undefined when it does not dead-letter. */
export function deadLetterPathOf(t: Topology, p: Pool): DeadLetterPath | undefined {
  let byPool = cache.get(t);
  if (!byPool) { byPool = new Map(); cache.set(t, byPool); }
  if (byPool.has(p.name)) { return byPool.get(p.name); }
  const path = computePath(t, p);
  byPool.set(p.name, path);
  return path;
}

function computePath(t: Topology, p: Pool): DeadLetterPath | undefined {
  const config = deadLetterConfigOf(p);
  if (!config) { return undefined; }
  const keys = config.routingKey !== undefined ? [config.routingKey] : ownKeysOf(t, p.name);
  const known = config.exchange === '' || t.exchanges.some((e) => e.name === config.exchange);
  const exchangeExists = known ? true : config.exchange.startsWith('amq.') ? undefined : false;
  const names = new Set<string>();
  const unpredictable = new Set<string>();
  if (known) {
    for (const k of keys) {
      const r = routeCached(t, config.exchange, k);
      r.pools.forEach((n) => names.add(n));
      r.unpredictable.forEach((n) => unpredictable.add(n));
    }
  }
  const byName = poolsByName(t);
  const pools = [...names].sort().map((n) => {
    const q = byName.get(n);
    return { name: n, messages: q?.messages ?? 0, ready: q?.ready ?? 0 };
  });
  return { ...config, keys, ...(exchangeExists !== undefined ? { exchangeExists } : {}), pools, unpredictable: [...unpredictable].sort() };
}

const sourcesCache = new WeakMap<Topology, Map<string, string[]>>();

/** The pools whose dead letters reach `pool` in this snapshot, sorted (one pass over the snapshot, then a lookup). */
export function deadLetterSourcesOf(t: Topology, pool: string): string[] {
  let index = sourcesCache.get(t);
  if (!index) {
    index = new Map();
    for (const p of t.pools) {
      for (const target of deadLetterPathOf(t, p)?.pools ?? []) {
        const list = index.get(target.name) ?? [];
        list.push(p.name);
        index.set(target.name, list);
      }
    }
    for (const list of index.values()) { list.sort(); }
    sourcesCache.set(t, index);
  }
  return [...(index.get(pool) ?? [])];
}

/** `deadLetter` and `deadLetterSources` of topology --json, for the pools that have them. */
export function deadLetterJson(t: Topology, p: Pool): { deadLetter?: object; deadLetterSources?: string[] } {
  const path = deadLetterPathOf(t, p);
  const sources = deadLetterSourcesOf(t, p.name);
  return {
    ...(path ? {
      deadLetter: {
        exchange: path.exchange, routingKey: path.routingKey ?? null, from: path.from, keys: path.keys,
        ...(path.exchangeExists !== undefined ? { exchangeExists: path.exchangeExists } : {}),
        pools: path.pools, ...(path.unpredictable.length ? { unpredictable: path.unpredictable } : {}),
      },
    } : {}),
    ...(sources.length ? { deadLetterSources: sources } : {}),
  };
}
