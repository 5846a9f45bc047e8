/**
 * What a binding key (or an exchange with thousands of keys) shows, without making the broker scan the vhost.
 *
 * - Names come with the exchange's bindings: a level is paged in memory (`pageOf`, first page + "Load more…"), never fetched.
 * - Details (depths, consumers, type) of the names shown are read one `GET /api/queues/{vhost}/{name}?columns=…` each, at most
 *   `DETAIL_CONCURRENCY` in flight: each costs the broker the same on any vhost, where a `name=^(a|b|…)$&use_regex=true` page
 *   makes it match (and, on 3.10, sort) every queue of the vhost: at 10,000 queues 500 pools took 2.5 s that way (issue 19).
 * - `DetailCache` keeps them for one refresh (one generation): a lookup that started before a refresh does not fill the new
 *   generation with old numbers, and a failed lookup is not kept (Retry asks again).
 */
import { BrokerError } from '../broker/errors';
import type { ApiQueue } from '../broker/management';

/** Requests in flight per lookup (the management client's agent has as many sockets); 4 → 8: BENCHMARKS.md figure 8. */
export const DETAIL_CONCURRENCY = 8;

/** One page of an in-memory level: the first `pagesWanted` pages of `items`. */
export interface ItemPage<T> {
  items: T[];
  /** How many are shown (items.length). */
  shown: number;
  total: number;
  hasMore: boolean;
}

/** The first `pagesWanted` pages of `pageSize` items (both at least 1). */
export function pageOf<T>(all: readonly T[], pagesWanted: number, pageSize: number): ItemPage<T> {
  const size = Math.max(1, Math.floor(pageSize));
  const pages = Math.max(1, Math.floor(pagesWanted));
  const items = all.slice(0, Math.min(all.length, pages * size));
  return { items, shown: items.length, total: all.length, hasMore: items.length < all.length };
}

/** Runs `fn` over `items` with at most `limit` calls in flight; results in input order; the first failure rejects. */
export async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  let failed = false;
  const worker = async () => {
    while (!failed && next < items.length) {
      const i = next++;
      try { out[i] = await fn(items[i], i); } catch (e) { failed = true; throw e; }
    }
  };
  await Promise.all(Array.from({ length: Math.min(Math.max(1, limit), items.length) }, worker));
  return out;
}

/** A queue's details, or 'missing' when the broker answered 404 (bound, but the queue is gone). */
export type Detail = ApiQueue | 'missing';

/** Pool details for one generation (until the next refresh), filled by single-queue requests. */
export class DetailCache {
  private generation = 0;
  private readonly known = new Map<string, Detail>();
  private readonly inFlight = new Map<string, Promise<Detail>>();

  constructor(private readonly fetchOne: (name: string) => Promise<ApiQueue>, private readonly concurrency = DETAIL_CONCURRENCY) {}

  /** A refresh: every detail goes; lookups still running do not write into the new generation. */
  invalidate(): void {
    this.generation++;
    this.known.clear();
    this.inFlight.clear();
  }

  /** Details known from elsewhere in this generation (the Pools folder's pages carry the same columns). */
  put(q: ApiQueue): void {
    this.known.set(q.name, q);
  }

  /** The details of every name when all are known now; undefined when some are still to fetch. */
  peek(names: readonly string[]): Map<string, Detail> | undefined {
    const out = new Map<string, Detail>();
    for (const n of names) {
      const d = this.known.get(n);
      if (!d) { return undefined; }
      out.set(n, d);
    }
    return out;
  }

  /** The details of the names, fetching the unknown ones (each name once per generation, even across concurrent lookups). */
  async lookup(names: readonly string[]): Promise<Map<string, Detail>> {
    const gen = this.generation;
    const fetched = new Map<string, Detail>();
    const wanted: string[] = [];
    for (const n of new Set(names)) {
      const d = this.known.get(n);
      if (d) { fetched.set(n, d); } else { wanted.push(n); }
    }
    await mapLimit(wanted, this.concurrency, async (n) => { fetched.set(n, await this.one(n, gen)); });
    const out = new Map<string, Detail>();
    // A refresh during the lookup clears `known`: this call still answers with what it found.
    for (const n of names) { out.set(n, fetched.get(n)!); }
    return out;
  }

  private one(name: string, gen: number): Promise<Detail> {
    const known = gen === this.generation ? this.known.get(name) : undefined;
    if (known) { return Promise.resolve(known); }
    const flying = gen === this.generation ? this.inFlight.get(name) : undefined;
    if (flying) { return flying; }
    const p = this.fetchOne(name).then((q): Detail => q, (e: unknown): Detail => {
      if (e instanceof BrokerError && e.kind === 'not-found') { return 'missing'; }
      throw e;
    }).then((d) => {
      if (gen === this.generation) { this.known.set(name, d); }
      return d;
    }).finally(() => { if (this.inFlight.get(name) === p) { this.inFlight.delete(name); } });
    if (gen === this.generation) { this.inFlight.set(name, p); }
    return p;
  }
}

/** How many pages of each in-memory level are shown, by level id; survives refreshes (like PagedList's pages). */
export class PagesShown {
  private readonly pages = new Map<string, number>();

  of(id: string): number { return this.pages.get(id) ?? 1; }
  more(id: string): void { this.pages.set(id, this.of(id) + 1); }
}
