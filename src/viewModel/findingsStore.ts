/**
 * Findings per (broker, vhost), vscode-free. The Brokers tree asks for a vhost's findings when it draws the vhost's pools
 * (ensure), at most once per refresh: the computation is memoised in the session's per-refresh memo, so a refresh (which
 * clears the memo) computes them again and a redraw does not. It shares the tree's consumer list for the refresh and adds
 * the vhost's exchanges, bindings and queues (with `columns=`). Brokers with more than `maxQueues` queues are not
 * diagnosed automatically (a whole-vhost read is seconds there); "Diagnose Pools" runs runDiagnose on demand instead.
 * The previous automatic snapshot of a vhost feeds diagnose()'s growth rule (a bound pool without workers that grows).
 */
import { EventEmitter } from 'node:events';
import { DiagnoseResult, Finding, diagnose } from '../broker/diagnose';
import { describeError } from '../broker/errors';
import type { Logger } from '../broker/logger';
import type { ApiBinding, ApiExchange, ApiQueue } from '../broker/management';
import { EXCHANGE_COLUMNS, ExchangeModel, Pool, QUEUE_COLUMNS, Topology, Worker, exchangeModel, poolFrom } from '../broker/topology';
import type { BrokerSession } from './brokerSession';
import { sortFindings } from '../broker/findings';
import { HealthReport, HealthThresholds, HealthTracker, PoolHealth, fetchHealthSnapshot } from '../broker/health';

/** What the tree asks of the findings: a pool's findings, and to compute a vhost's once per refresh. */
export interface FindingsSource {
  /** The findings about one pool (empty when none, or not computed yet). */
  forPool(broker: string, vhost: string, pool: string): Finding[];
  /** Starts computing the vhost's findings for this refresh, once (later calls in the same refresh do nothing). */
  ensure(session: BrokerSession, vhost: string): void;
  /** The pool's health (health.ts) as of the last refresh, when it was read. */
  healthOf?(broker: string, vhost: string, pool: string): PoolHealth | undefined;
}

export interface VhostFindings {
  broker: string;
  vhost: string;
  findings: Finding[];
  /** Epoch ms of the data. */
  at: number;
  /** 'auto': the tree's refresh; 'command': Diagnose Pools (runDiagnose). */
  source: 'auto' | 'command';
  /** Why there are no automatic findings for this vhost (too many queues), or the error that stopped them. */
  note?: string;
  error?: string;
}

export interface FindingsStoreEvents {
  /** The findings of one vhost changed; `pools` are those whose findings came or went (the tree redraws them). */
  changed: [VhostFindings, string[]];
}

export const DEFAULT_MAX_QUEUES = 2000;

export function findingsKey(broker: string, vhost: string): string {
  return JSON.stringify([broker, vhost]);
}

/** A Topology from the pieces the tree reads: workers come from the tree's shared consumer list. */
export function topologyFrom(vhost: string, exchanges: ApiExchange[], queues: ApiQueue[], bindings: ApiBinding[], workers: Map<string, Worker[]>): Topology {
  const pools = new Map<string, Pool>();
  for (const q of queues) { pools.set(q.name, poolFrom(q, [...(workers.get(q.name) ?? [])])); }
  const bySource = new Map<string, ApiBinding[]>();
  for (const b of bindings) {
    if (typeof b.source !== 'string' || b.source === '') { continue; }
    const list = bySource.get(b.source) ?? [];
    list.push(b);
    bySource.set(b.source, list);
  }
  const models: ExchangeModel[] = exchanges.filter((e) => e.name !== '').map((e) => exchangeModel(e, bySource.get(e.name) ?? [], pools))
    .sort((a, b) => a.name.localeCompare(b.name));
  return { vhost, exchanges: models, pools: [...pools.values()].sort((a, b) => a.name.localeCompare(b.name)) };
}

/** How long a vhost's queue count (over maxQueues on the broker) serves before it is counted again. */
const COUNT_TTL_MS = 300_000;

export class FindingsStore extends EventEmitter<FindingsStoreEvents> implements FindingsSource {
  private readonly byVhost = new Map<string, VhostFindings>();
  private readonly previous = new Map<string, { at: number; pools: Pool[] }>();
  /** Vhosts the tree showed: computed again at the next refresh even if no pool node is drawn then. */
  private readonly watched = new Map<string, { session: BrokerSession; vhost: string }>();
  /** Pool health per vhost: a tracker keeps the broker's samples across refreshes (trends, last-ack times). */
  private readonly trackers = new Map<string, HealthTracker>();
  /** The pools' health of the last refresh per vhost, by pool name (healthOf is asked for several times per pool drawn). */
  private readonly healthPools = new Map<string, Map<string, PoolHealth>>();
  /** A large vhost's queue count (the check against maxQueues), read at most every COUNT_TTL_MS. */
  private readonly counted = new Map<string, { at: number; queues: number }>();
  /** The health thresholds (settings rabbitmqPools.health.*); services.ts sets it. */
  healthThresholds: () => Partial<HealthThresholds> = () => ({});
  /** This extension's local workers on a vhost, with their exact ack counts (services.ts sets it from LocalPools). */
  localWorkers: (broker: string, vhost: string) => { consumerTag?: string; acked: number }[] = () => [];

  constructor(private readonly log?: Logger, readonly maxQueues: () => number = () => DEFAULT_MAX_QUEUES) {
    super();
  }

  all(): VhostFindings[] {
    return [...this.byVhost.values()].sort((a, b) => a.broker.localeCompare(b.broker) || a.vhost.localeCompare(b.vhost));
  }

  get(broker: string, vhost: string): VhostFindings | undefined {
    return this.byVhost.get(findingsKey(broker, vhost));
  }

  forPool(broker: string, vhost: string, pool: string): Finding[] {
    return this.get(broker, vhost)?.findings.filter((f) => f.pool === pool) ?? [];
  }

  healthOf(broker: string, vhost: string, pool: string): PoolHealth | undefined {
    return this.healthPools.get(findingsKey(broker, vhost))?.get(pool);
  }

  ensure(session: BrokerSession, vhost: string): void {
    this.watched.set(findingsKey(session.name, vhost), { session, vhost });
    void this.compute(session, vhost).catch(() => undefined);
  }

  /** Computes the watched vhosts again for this refresh (once each: memoised per refresh). */
  refreshWatched(alive: (s: BrokerSession) => boolean): void {
    for (const [k, w] of this.watched) {
      if (!alive(w.session)) { this.watched.delete(k); continue; }
      this.ensure(w.session, w.vhost);
    }
  }

  /** Forgets vhosts of sessions that are gone (broker removed or edited). */
  prune(alive: (broker: string) => boolean): void {
    for (const [k, f] of this.byVhost) {
      if (!alive(f.broker)) { this.byVhost.delete(k); this.emit('changed', { ...f, findings: [] }, [...new Set(f.findings.map((x) => x.pool ?? ''))]); }
    }
    // Their health too: a tracker holds up to ten minutes of samples per series.
    for (const m of [this.trackers, this.healthPools]) {
      for (const k of m.keys()) { if (!alive((JSON.parse(k) as string[])[0])) { m.delete(k); } }
    }
  }

  /** The vhost's findings for this refresh of the session (computed once per refresh). */
  compute(session: BrokerSession, vhost: string): Promise<VhostFindings> {
    return session.memo.get(JSON.stringify([vhost, 'findings']), () => this.load(session, vhost));
  }

  private async load(session: BrokerSession, vhost: string): Promise<VhostFindings> {
    const key = findingsKey(session.name, vhost);
    const base = { broker: session.name, vhost, at: Date.now(), source: 'auto' as const };
    try {
      const o = await session.overview();
      const cap = this.maxQueues();
      let queues = o.object_totals?.queues;
      if (queues !== undefined && queues > cap) {
        // Many queues on the broker, maybe in other vhosts: count this vhost's (one small page; ~0.1 s at 10,000 queues).
        // Kept across refreshes for COUNT_TTL_MS: the count page costs the broker a pass over every queue (BENCHMARKS.md figure 8).
        const c = this.counted.get(key);
        if (c && Date.now() - c.at < COUNT_TTL_MS) { queues = c.queues; } else {
          queues = (await session.client.queuesPage(vhost, { page: 1, pageSize: 1, columns: ['name'] })).totalCount;
          this.counted.set(key, { at: Date.now(), queues });
        }
      }
      if (queues !== undefined && queues > cap) {
        const kept = this.byVhost.get(key);
        // A Diagnose Pools result stays until the next one; automatic findings are not computed on a broker this large.
        const note = `${queues.toLocaleString('en-US')} queues in this vhost (over ${cap.toLocaleString('en-US')}): findings are not computed at each refresh. Run "Diagnose Pools".`;
        return this.set(kept && kept.source === 'command' ? { ...kept, note } : { ...base, findings: [], note });
      }
      const client = session.client;
      // Health beside the rest (its queue read needs the sample-history parameters, so it stays its own), with the
      // overview's rates_mode already read.
      const [exchanges, qs, bindings, workers, health] = await Promise.all([
        client.exchanges(vhost, EXCHANGE_COLUMNS), client.queues(vhost, QUEUE_COLUMNS), client.bindings(vhost), session.vhost(vhost).workers(),
        this.health(session, vhost, key, o.rates_mode ?? null),
      ]);
      const t = topologyFrom(vhost, exchanges, qs, bindings, workers);
      const prev = this.previous.get(key);
      this.previous.set(key, { at: base.at, pools: t.pools });
      const findings = diagnose(t, {
        previous: prev ? { vhost, exchanges: [], pools: prev.pools } : undefined,
        intervalSeconds: prev ? (base.at - prev.at) / 1000 : undefined,
        nodes: session.peekNodes(),
      });
      return this.set({ ...base, findings: health ? sortFindings([...findings, ...health.findings]) : findings });
    } catch (e) {
      this.log?.debug(`Findings for ${session.name} / ${vhost}: ${describeError(e)}`);
      const kept = this.byVhost.get(key);
      this.set({ ...(kept ?? { ...base, findings: [] }), error: describeError(e) });
      throw e;
    }
  }

  /** Reads the vhost's health into its tracker; undefined (logged) when it cannot be read: the other findings still count. */
  private async health(session: BrokerSession, vhost: string, key: string, ratesMode: string | null): Promise<HealthReport | undefined> {
    try {
      const tracker = this.trackers.get(key) ?? new HealthTracker();
      this.trackers.set(key, tracker);
      tracker.ingest(await fetchHealthSnapshot(session.client, vhost, { ratesMode }));
      tracker.ingestExact(Date.now(), this.localWorkers(session.name, vhost));
      const r = tracker.assess(this.healthThresholds());
      this.healthPools.set(key, new Map(r.pools.map((p) => [p.name, p])));
      return r;
    } catch (e) {
      this.log?.debug(`Health for ${session.name} / ${vhost}: ${describeError(e)}`);
      return undefined;
    }
  }

  /** Stores a Diagnose Pools result (runDiagnose) for its vhost. */
  setResult(broker: string, r: DiagnoseResult): VhostFindings {
    return this.set({ broker, vhost: r.vhost, findings: r.findings, at: Date.now(), source: 'command' });
  }

  private set(f: VhostFindings): VhostFindings {
    const key = findingsKey(f.broker, f.vhost);
    const old = this.byVhost.get(key);
    this.byVhost.set(key, f);
    const sig = (x?: VhostFindings) => JSON.stringify([x?.findings ?? [], x?.note ?? '', x?.error ?? '']);
    if (sig(old) !== sig(f)) {
      const touched = new Set<string>();
      for (const x of [...(old?.findings ?? []), ...f.findings]) { if (x.pool !== undefined) { touched.add(x.pool); } }
      this.emit('changed', f, [...touched]);
    }
    return f;
  }
}
