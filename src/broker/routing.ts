/**
 * Which pools a message reaches: the AMQP 0-9-1 routing rules as RabbitMQ implements them, as pure functions.
 * direct, fanout, topic (`*` = exactly one word, `#` = zero or more words, empty words allowed), headers
 * (x-match all / any / all-with-x / any-with-x), the default exchange, exchange-to-exchange bindings and alternate
 * exchanges. Exchange types this module does not know (x-consistent-hash, plugins) are reported, not guessed.
 */
import { invalidInput } from './errors';

export interface RouteExchange {
  name: string;
  type: string;
  /** `alternate-exchange` is honoured when nothing matched. */
  arguments?: Record<string, unknown>;
}

export interface RouteBinding {
  source: string;
  destination: string;
  destinationType: 'queue' | 'exchange';
  routingKey: string;
  arguments?: Record<string, unknown>;
}

export interface RoutingTable {
  exchanges: RouteExchange[];
  bindings: RouteBinding[];
  /** Queue names, needed for the default exchange (routing key = queue name). */
  queues: string[];
}

export type HeaderValue = string | number | boolean | null;

export interface RouteResult {
  exchange: string;
  routingKey: string;
  /** Pools (queue names) the message reaches, each once, sorted. */
  pools: string[];
  /** The path to each pool: exchanges passed through, e.g. ["nova", "audit-x"]. */
  paths: Record<string, string[]>;
  /** Exchanges whose type this module cannot predict; pools behind them are not listed. */
  unpredictable: string[];
  /** Alternate exchanges used because nothing matched. */
  alternates: string[];
  /** The bindings the message matched on its way, exchange-to-exchange ones included (the tree highlights these keys). */
  matched: RouteBinding[];
}

/**
 * The words of a topic routing or binding key, as RabbitMQ splits them: on ".", empty words allowed ("a..b" has three),
 * but the empty key has no words at all, so `*` does not match "" while `#` does (checked on RabbitMQ 3.10).
 */
export function topicWords(key: string): string[] {
  return key === '' ? [] : key.split('.');
}

/** Topic match: `*` matches exactly one word, `#` zero or more; words are split on "." and may be empty. */
export function topicMatches(pattern: string, routingKey: string): boolean {
  const p = topicWords(pattern);
  const k = topicWords(routingKey);
  // memo[i][j]: does p[i..] match k[j..]
  const memo = new Map<number, boolean>();
  const match = (i: number, j: number): boolean => {
    const key = i * (k.length + 1) + j;
    const cached = memo.get(key);
    if (cached !== undefined) { return cached; }
    let r: boolean;
    if (i === p.length) {
      r = j === k.length;
    } else if (p[i] === '#') {
      // '#' swallows zero words (i+1, j) or one more word (i, j+1)
      r = match(i + 1, j) || (j < k.length && match(i, j + 1));
    } else if (j === k.length) {
      r = false;
    } else {
      r = (p[i] === '*' || p[i] === k[j]) && match(i + 1, j + 1);
    }
    memo.set(key, r);
    return r;
  };
  return match(0, 0);
}

/** RabbitMQ's headers exchange. Binding arguments starting with "x-" are ignored unless x-match ends in "-with-x". */
export function headersMatch(bindingArgs: Record<string, unknown> | undefined, headers: Record<string, HeaderValue> | undefined): boolean {
  const args = bindingArgs ?? {};
  const hdrs = headers ?? {};
  const xMatch = typeof args['x-match'] === 'string' ? (args['x-match'] as string) : 'all';
  const withX = xMatch.endsWith('-with-x');
  const mode = xMatch.startsWith('any') ? 'any' : 'all';
  const entries = Object.entries(args).filter(([k]) => k !== 'x-match' && (withX || !k.startsWith('x-')));
  if (entries.length === 0) {
    // RabbitMQ: with no keys to compare, x-match=all matches every message and any matches none.
    return mode === 'all';
  }
  const test = ([k, v]: [string, unknown]): boolean => {
    if (!Object.prototype.hasOwnProperty.call(hdrs, k)) { return false; }
    if (v === null || v === undefined) { return true; } // a void binding value matches on presence
    return sameValue(v, hdrs[k]);
  };
  return mode === 'all' ? entries.every(test) : entries.some(test);
}

function sameValue(a: unknown, b: unknown): boolean {
  if (typeof a !== typeof b) { return false; }
  if (typeof a === 'object') { return JSON.stringify(a) === JSON.stringify(b); }
  return a === b;
}

/** Does one binding of an exchange of this type accept (routingKey, headers)? `undefined` when the type is unknown. */
export function bindingMatches(exchangeType: string, b: Pick<RouteBinding, 'routingKey' | 'arguments'>, routingKey: string, headers?: Record<string, HeaderValue>): boolean | undefined {
  switch (exchangeType) {
    case 'direct': return b.routingKey === routingKey;
    case 'fanout': return true;
    case 'topic': return topicMatches(b.routingKey, routingKey);
    case 'headers': return headersMatch(b.arguments, headers);
    default: return undefined;
  }
}

/** Routes one message through the table. Never throws for unknown names: an unknown exchange simply reaches no pool. */
export function route(table: RoutingTable, exchange: string, routingKey: string, headers?: Record<string, HeaderValue>): RouteResult {
  // paths is keyed by queue name: own properties only, so pools named "constructor" or "__proto__" work too.
  const paths: Record<string, string[]> = {};
  const result: RouteResult = { exchange, routingKey, pools: [], paths, unpredictable: [], alternates: [], matched: [] };
  const exchanges = new Map(table.exchanges.map((e) => [e.name, e]));
  const bySource = new Map<string, RouteBinding[]>();
  for (const b of table.bindings) {
    const list = bySource.get(b.source);
    if (list) { list.push(b); } else { bySource.set(b.source, [b]); }
  }
  const queues = new Set(table.queues);
  const visited = new Set<string>();

  const reach = (queue: string, path: string[]) => {
    if (!Object.prototype.hasOwnProperty.call(paths, queue)) {
      Object.defineProperty(paths, queue, { value: path, enumerable: true, writable: true, configurable: true });
    }
  };

  const visit = (name: string, path: string[]) => {
    if (visited.has(name)) { return; } // exchange-to-exchange cycles deliver once
    visited.add(name);
    if (name === '') {
      if (queues.has(routingKey)) { reach(routingKey, [...path, '']); }
      return;
    }
    const ex = exchanges.get(name);
    if (!ex) { return; }
    const here = [...path, name];
    if (bindingMatches(ex.type, { routingKey: '' }, routingKey, headers) === undefined) {
      // Unknown semantics (a plugin's type): report it, whether or not it has bindings, and do not pretend that its
      // alternate exchange is used.
      result.unpredictable.push(name);
      return;
    }
    let matched = false;
    for (const b of bySource.get(name) ?? []) {
      const m = bindingMatches(ex.type, b, routingKey, headers);
      if (!m) { continue; }
      matched = true;
      result.matched.push(b);
      if (b.destinationType === 'queue') { reach(b.destination, here); } else { visit(b.destination, here); }
    }
    const alt = ex.arguments?.['alternate-exchange'];
    if (!matched && typeof alt === 'string' && alt && !visited.has(alt)) {
      result.alternates.push(alt);
      visit(alt, here);
    }
  };

  visit(exchange, []);
  result.pools = Object.keys(result.paths).sort();
  return result;
}

/** The routing table for a vhost from management API objects. */
export function routingTable(
  exchanges: { name: string; type: string; arguments?: Record<string, unknown> }[],
  bindings: { source: string; destination: string; destination_type: 'queue' | 'exchange'; routing_key: string; arguments?: Record<string, unknown> }[],
  queues: { name: string }[],
): RoutingTable {
  // Fields a broker mid-change, an older one or a proxy may omit or garble become "" (matching nothing much), never a throw.
  const str = (v: unknown): string => (typeof v === 'string' ? v : '');
  const objects = <T>(list: readonly T[]): T[] => (Array.isArray(list) ? list.filter((x) => x !== null && typeof x === 'object') : []);
  return {
    exchanges: objects(exchanges).map((e) => ({ name: str(e.name), type: str(e.type), arguments: apiArguments(e.arguments) })),
    // The default exchange's implicit bindings (source "") are modelled by the queue list instead.
    bindings: objects(bindings).filter((b) => str(b.source) !== '').map((b) => ({
      source: str(b.source), destination: str(b.destination), destinationType: b.destination_type === 'exchange' ? 'exchange' as const : 'queue' as const,
      routingKey: str(b.routing_key), arguments: apiArguments(b.arguments),
    })),
    queues: objects(queues).map((q) => str(q.name)),
  };
}

/**
 * The management API renders an AMQP void value (a headers binding that matches on presence) as the string
 * "undefined" (RabbitMQ 3.10): turn it back into null. A real string "undefined" cannot be told apart from it.
 */
export function apiArguments(args: Record<string, unknown> | undefined): Record<string, unknown> | undefined {
  if (!args || typeof args !== 'object') { return undefined; }
  return Object.fromEntries(Object.entries(args).map(([k, v]) => [k, v === 'undefined' ? null : v]));
}

/** Parses `k=v` header flags: numbers and true/false become typed values, everything else a string. */
export function parseHeaderFlag(flag: string): [string, HeaderValue] {
  const i = flag.indexOf('=');
  if (i <= 0) { throw invalidInput(`The header "${flag}" is not of the form key=value`, 'Write headers as --header key=value, e.g. --header format=json'); }
  const key = flag.slice(0, i);
  const raw = flag.slice(i + 1);
  if (/^-?\d+(\.\d+)?$/.test(raw)) { return [key, Number(raw)]; }
  if (raw === 'true' || raw === 'false') { return [key, raw === 'true']; }
  return [key, raw];
}
