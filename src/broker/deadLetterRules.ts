/**
 * The dead-letter diagnose rules, pure over a Topology snapshot (deadLetters.ts resolves the paths):
 * `dead-letters-dropped` (the dead-letter exchange does not exist or routes to no queue) and `dead-letter-cycle`
 * (dead letters come back to the pool they left, directly or through other pools).
 */
import type { Finding } from './findings';
import { deadLetterPathOf, describeDeadLetterKey } from './deadLetters';
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

/** The pools that dead-letter back into `p` (a cycle through the dead-letter paths), shortest first; [] when none. */
export function deadLetterCycleOf(t: Topology, p: Pool): string[] {
  const byName = new Map(t.pools.map((q) => [q.name, q]));
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
  const byName = new Map(t.pools.map((q) => [q.name, q]));
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
