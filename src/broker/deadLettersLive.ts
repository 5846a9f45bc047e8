/**
 * The dead-letter view on a live broker, for the tree (which reads page by page, never the whole vhost's bindings):
 * where one pool's dead letters go (its dead-letter exchange routed with routeLookup.ts, the receiving pools' depth),
 * and which pools feed a dead-letter pool (every pool of the vhost that dead-letters, read with three columns only).
 */
import { BrokerError } from './errors';
import type { ManagementClient } from './management';
import { DeadLetterPath, deadLetterConfigOf } from './deadLetters';
import { lookupRoute } from './routeLookup';
import type { RouteResult } from './routing';
import type { Pool } from './topology';

/** The keys a message of `pool` can carry: its binding keys (any exchange) and its own name (the default exchange). */
async function ownKeysLive(client: ManagementClient, vhost: string, pool: string): Promise<string[]> {
  const bindings = await client.queueBindings(vhost, pool);
  return [...new Set([pool, ...bindings.map((b) => b.routing_key).filter((k): k is string => typeof k === 'string')])].sort();
}

/** (exchange, key) → its route, shared by the lookups of one index (pools usually share their dead-letter exchange and key). */
type RouteMemo = Map<string, Promise<RouteResult | 'no-exchange'>>;

function routeOnce(client: ManagementClient, vhost: string, exchange: string, key: string, memo: RouteMemo): Promise<RouteResult | 'no-exchange'> {
  const id = `${exchange}\u0000${key}`;
  let p = memo.get(id);
  if (!p) {
    p = lookupRoute(client, vhost, exchange, key).catch((e) => {
      if (e instanceof BrokerError && e.kind === 'not-found') { return 'no-exchange' as const; }
      throw e;
    });
    memo.set(id, p);
  }
  return p;
}

/**
 * Where `pool`'s dead letters go now; undefined when it does not dead-letter. `withDepth: false` leaves the receiving
 * pools' depth at 0 (the "fed by" index needs only their names).
 */
export async function deadLetterPathLive(client: ManagementClient, vhost: string, pool: Pick<Pool, 'name' | 'arguments' | 'effectivePolicy'>,
  o: { withDepth?: boolean; memo?: RouteMemo } = {}): Promise<DeadLetterPath | undefined> {
  const config = deadLetterConfigOf(pool);
  if (!config) { return undefined; }
  const memo = o.memo ?? new Map();
  const keys = config.routingKey !== undefined ? [config.routingKey] : await ownKeysLive(client, vhost, pool.name);
  const names = new Set<string>();
  const unpredictable = new Set<string>();
  let exchangeExists = true;
  for (const k of keys) {
    const r = await routeOnce(client, vhost, config.exchange, k, memo);
    if (r === 'no-exchange') { exchangeExists = false; break; }
    r.pools.forEach((n) => names.add(n));
    r.unpredictable.forEach((n) => unpredictable.add(n));
  }
  if (o.withDepth === false) {
    return { ...config, keys, exchangeExists, pools: [...names].sort().map((name) => ({ name, messages: 0, ready: 0 })), unpredictable: [...unpredictable].sort() };
  }
  const pools = await Promise.all([...names].sort().map(async (name) => {
    try {
      const q = await client.queue(vhost, name, ['name', 'messages', 'messages_ready']);
      return { name, messages: q.messages ?? 0, ready: q.messages_ready ?? 0 };
    } catch (e) {
      if (e instanceof BrokerError && e.kind === 'not-found') { return { name, messages: 0, ready: 0 }; }
      throw e;
    }
  }));
  return { ...config, keys, exchangeExists, pools, unpredictable: [...unpredictable].sort() };
}

/** Every pool of the vhost that dead-letters, with where to (no depths): the index behind "fed by". One queue list, then a route per distinct (exchange, key). */
export async function deadLetterIndexLive(client: ManagementClient, vhost: string): Promise<Map<string, DeadLetterPath>> {
  const queues = await client.queues(vhost, ['name', 'arguments', 'effective_policy_definition']);
  const out = new Map<string, DeadLetterPath>();
  const memo: RouteMemo = new Map();
  const sources = queues.filter((q) => deadLetterConfigOf({ arguments: q.arguments ?? {}, effectivePolicy: q.effective_policy_definition ?? undefined }));
  // A few at a time: each is one or two requests per key.
  for (let i = 0; i < sources.length; i += 8) {
    await Promise.all(sources.slice(i, i + 8).map(async (q) => {
      const path = await deadLetterPathLive(client, vhost, { name: q.name, arguments: q.arguments ?? {}, effectivePolicy: q.effective_policy_definition ?? undefined }, { withDepth: false, memo });
      if (path) { out.set(q.name, path); }
    }));
  }
  return out;
}

/** The pools whose dead letters reach `pool`, by the index, sorted. */
export function sourcesFromIndex(index: ReadonlyMap<string, DeadLetterPath>, pool: string): string[] {
  return [...index].filter(([, p]) => p.pools.some((q) => q.name === pool)).map(([n]) => n).sort();
}
