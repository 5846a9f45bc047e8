/**
 * The dead-letter diagnose rules, pure over a Topology snapshot (deadLetters.ts resolves the paths):
 * `dead-letters-dropped` (the dead-letter exchange does not exist or routes to no queue) and `dead-letter-cycle`
 * (dead letters come back to the pool they left, directly or through other pools).
 */
import type { Finding } from './findings';
import { deadLetterPathOf, describeDeadLetterKey, poolsByName } from './deadLetters';
import type { Pool, Topology } from './topology';

/** A message TTL on the pool (argument or policy): a TTL in a dead-letter cycle is the delayed-retry pattern. */
export function messageTtlOf(p: Pick<Pool, 'arguments' | 'effectivePolicy'>): number | undefined {
  const v = p.arguments?.['x-message-ttl'] ?? p.effectivePolicy?.['message-ttl'];
  return typeof v === 'number' ? v : undefined;
}

export function deadLettersDropped(t: Topology, p: Pool): Finding | undefined {
  const path = deadLetterPathOf(t, p);
  if (!path) { return undefined; }
  const via = path.from === 'policy' ? `its policy "${p.policy ?? '?'}"` : 'its x-dead-letter-exchange argument';
  const ex = path.exchange === '' ? 'the default exchange' : `exchange "${path.exchange}"`;
  const base = { kind: 'dead-letters-dropped' as const, severity: 'error' as const, pool: p.name, exchange: path.exchange };
  if (path.exchangeExists === false) {
    return {
      ...base,
      message: `Pool "${p.name}" dead-letters (by ${via}) to ${ex}, which does not exist in vhost "${t.vhost}": rejected and expired messages are silently lost.`,
      action: `Declare exchange "${path.exchange}" and bind a dead-letter pool to it, or fix the dead-letter exchange name.`,
    };
  }
  if (path.exchangeExists === true && path.pools.length === 0 && path.unpredictable.length === 0) {
    return {
      ...base,
      ...(path.routingKey !== undefined ? { routingKey: path.routingKey } : {}),
      message: `Pool "${p.name}" dead-letters (by ${via}) to ${ex} with ${describeDeadLetterKey(path)}, which reaches no pool: rejected and expired messages are silently lost.`,
      action: path.exchange === ''
        ? `Declare a pool named "${path.keys[0] ?? ''}" or set a dead-letter routing key that names an existing pool.`
        : `Bind a dead-letter pool to "${path.exchange}" with a key that matches (${path.keys.map((k) => `"${k}"`).join(', ')}), or set another dead-letter routing key.`,
    };
  }
  return undefined;
}

const loopsCache = new WeakMap<Topology, Map<string, number>>();

/**
 * Pool → the size of the dead-letter loop it is on (its strongly connected component, or 1 for a pool that dead-letters
 * to itself); pools on no loop are absent. Tarjan's algorithm, iterative, once per snapshot.
 */
export function deadLetterLoops(t: Topology): Map<string, number> {
  const known = loopsCache.get(t);
  if (known) { return known; }
  const byName = poolsByName(t);
  const next = (n: string) => (byName.has(n) ? deadLetterPathOf(t, byName.get(n) as Pool)?.pools.map((q) => q.name) ?? [] : []);
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const onStack = new Set<string>();
  const stack: string[] = [];
  const out = new Map<string, number>();
  let counter = 0;
  for (const start of t.pools.map((q) => q.name)) {
    if (index.has(start)) { continue; }
    const work: { n: string; edges: string[]; i: number }[] = [{ n: start, edges: next(start), i: 0 }];
    index.set(start, counter); low.set(start, counter); counter++; stack.push(start); onStack.add(start);
    while (work.length) {
      const top = work[work.length - 1];
      if (top.i < top.edges.length) {
        const m = top.edges[top.i++];
        if (!index.has(m)) {
          index.set(m, counter); low.set(m, counter); counter++; stack.push(m); onStack.add(m);
          work.push({ n: m, edges: next(m), i: 0 });
        } else if (onStack.has(m)) {
          low.set(top.n, Math.min(low.get(top.n) as number, index.get(m) as number));
        }
        continue;
      }
      work.pop();
      if (work.length) { const parent = work[work.length - 1].n; low.set(parent, Math.min(low.get(parent) as number, low.get(top.n) as number)); }
      if (low.get(top.n) === index.get(top.n)) {
        const scc: string[] = [];
        for (;;) { const m = stack.pop() as string; onStack.delete(m); scc.push(m); if (m === top.n) { break; } }
        if (scc.length > 1 || top.edges.includes(top.n)) { for (const m of scc) { out.set(m, scc.length); } }
      }
    }
  }
  loopsCache.set(t, out);
  return out;
}

/** Loops longer than this are named by their length, not walked pool by pool. */
const MAX_LOOP_SHOWN = 20;

/** The pools that dead-letter back into `p` (a cycle through the dead-letter paths), shortest first; [] when none. */
export function deadLetterCycleOf(t: Topology, p: Pool): string[] {
  const size = deadLetterLoops(t).get(p.name);
  if (size === undefined) { return []; }
  if (size > MAX_LOOP_SHOWN) { return [p.name, `… ${size - 1} more pools …`]; }
  const byName = poolsByName(t);
  // Breadth-first over dead-letter edges, remembering the way back.
  const prev = new Map<string, string>();
  let wave = [p.name];
  const seen = new Set<string>([p.name]);
  while (wave.length) {
    const next: string[] = [];
    for (const n of wave) {
      const q = byName.get(n);
      const path = q ? deadLetterPathOf(t, q) : undefined;
      for (const target of path?.pools ?? []) {
        if (target.name === p.name) {
          const way = [n];
          for (let at = n; prev.has(at); at = prev.get(at) as string) { way.unshift(prev.get(at) as string); }
          return way;
        }
        if (!seen.has(target.name)) { seen.add(target.name); prev.set(target.name, n); next.push(target.name); }
      }
    }
    wave = next;
  }
  return [];
}

export function deadLetterCycle(t: Topology, p: Pool): Finding | undefined {
  const way = deadLetterCycleOf(t, p);
  if (!way.length) { return undefined; }
  const byName = poolsByName(t);
  const loop = [...way, p.name].map((n) => `"${n}"`).join(' → ');
  const ttl = way.map((n) => byName.get(n)).filter((q): q is Pool => q !== undefined && messageTtlOf(q) !== undefined);
  const base = { kind: 'dead-letter-cycle' as const, severity: 'warning' as const, pool: p.name };
  if (ttl.length) {
    return {
      ...base,
      message: `Dead letters of pool "${p.name}" come back to it (${loop}) after the message TTL of ${ttl.map((q) => `"${q.name}" (${messageTtlOf(q)} ms)`).join(', ')}: ` +
        'the delayed-retry pattern, if intended. A message that keeps failing loops forever, and one that only expires around the loop (no reject in between) is dropped by the broker.',
      action: 'Make sure a message that keeps failing ends somewhere: count its retries (x-death "count") and park it in a pool of its own after N tries.',
    };
  }
  return {
    ...base,
    message: `Dead letters of pool "${p.name}" route back to it (${loop}) with no message TTL on the way: a rejected message comes straight back to the workers that rejected it, in a hot loop.`,
    action: 'Dead-letter to a pool of its own (a parking pool), or put a message TTL on the way back if this is meant as a delayed retry.',
  };
}

/** Both rules for every pool of the snapshot. */
export function deadLetterFindings(t: Topology): Finding[] {
  const out: Finding[] = [];
  for (const p of t.pools) {
    const dropped = deadLettersDropped(t, p);
    if (dropped) { out.push(dropped); }
    const cycle = deadLetterCycle(t, p);
    if (cycle) { out.push(cycle); }
  }
  return out;
}
