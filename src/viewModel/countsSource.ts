/**
 * The numbers behind the Delivery Counts panel, for one (broker, vhost, exchange, routing key): every pool bound to it,
 * local pools exact and live (LocalPools' 'counts' events), the others from the management API, polled while the panel
 * is visible. Reset Counts is a baseline kept here (the pools' own counters are shared with the tree and the CLI and are
 * not touched). vscode-free: the panel adapts it, tests drive it directly.
 */
import { lookupRoute } from '../broker/routeLookup';
import type { BrokerConfig } from '../broker/connection';
import { PoolCounts, rateOf, spreadOf } from '../broker/counts';
import { describeError } from '../broker/errors';
import type { LocalPoolEntry, LocalPools } from '../broker/localPools';
import type { Logger } from '../broker/logger';
import type { ApiQueue, ManagementClient } from '../broker/management';
import { queueDeliveries } from '../broker/messageStats';
import { localPoolNote } from './freshness';
import { HISTORY_POINTS, PanelSelection, PoolRow, RatePoint, WorkerRow } from './panelProtocol';

export interface CountsSourceOptions {
  selection: PanelSelection;
  config: BrokerConfig;
  client: ManagementClient;
  localPools: LocalPools;
  log?: Logger;
  /** Management API poll interval while visible (default 3 s). */
  pollMs?: number;
  /** Rate sampling interval (default 1 s). */
  sampleMs?: number;
}

interface Baseline {
  delivered: number;
  acked: number;
  redelivered: number;
  duplicates: number;
  workers: Map<string, number>;
}

const QUEUE_COLUMNS = ['name', 'consumers', 'messages_ready', 'messages_unacknowledged', 'message_stats'];

export class CountsSource {
  private readonly sel: PanelSelection;
  private readonly rows = new Map<string, PoolRow>();
  private readonly queues = new Map<string, ApiQueue>();
  private readonly baselines = new Map<string, Baseline>();
  private readonly lastLocal = new Map<string, PoolCounts>();
  private readonly prevDelivered = new Map<string, { n: number; at: number }>();
  private readonly history: RatePoint[] = [];
  private bound: string[] = [];
  private pollTimer: NodeJS.Timeout | undefined;
  private sampleTimer: NodeJS.Timeout | undefined;
  private polling: Promise<void> | undefined;
  private disposed = false;
  managementAt: number | undefined;
  managementError: string | undefined;

  /** A pool's row changed (or appeared). */
  onRow: (row: PoolRow) => void = () => undefined;
  onRemoved: (name: string) => void = () => undefined;
  onPoint: (p: RatePoint) => void = () => undefined;
  onManagement: (at: number | undefined, error: string | undefined) => void = () => undefined;

  private readonly onCounts = (id: string, c: PoolCounts) => {
    const e = this.opts.localPools.get(id);
    if (!e || !this.matches(e)) { return; }
    this.lastLocal.set(e.pool.name, c);
    this.emitRow(this.localRow(e, c));
  };
  private readonly onChanged = () => { this.syncLocal(); };

  constructor(private readonly opts: CountsSourceOptions) {
    this.sel = opts.selection;
    opts.localPools.on('counts', this.onCounts);
    opts.localPools.on('changed', this.onChanged);
    this.syncLocal();
  }

  get selection(): PanelSelection { return this.sel; }

  /** Poll the management API and sample rates only while someone looks. */
  setVisible(visible: boolean): void {
    if (this.disposed) { return; }
    if (visible && !this.pollTimer) {
      void this.poll();
      this.pollTimer = setInterval(() => void this.poll(), this.opts.pollMs ?? 3000);
      this.sampleTimer = setInterval(() => this.sample(), this.opts.sampleMs ?? 1000);
    } else if (!visible && this.pollTimer) {
      clearInterval(this.pollTimer);
      clearInterval(this.sampleTimer);
      this.pollTimer = undefined;
      this.sampleTimer = undefined;
    }
  }

  /** The pools in display order: local first (exact), then by name. */
  list(): PoolRow[] {
    return [...this.rows.values()].sort((a, b) => (a.source === b.source ? a.name.localeCompare(b.name) : a.source === 'local' ? -1 : 1));
  }

  rateHistory(): RatePoint[] { return [...this.history]; }

  /** The local pools of this selection (the audit counts them per message). */
  localEntries(): LocalPoolEntry[] {
    return this.opts.localPools.list().filter((e) => this.matches(e) && e.status !== 'stopped');
  }

  /** Counts start from zero again, for every pool of the selection (the pools themselves keep counting). */
  reset(): void {
    for (const e of this.localEntries()) {
      const c = e.pool.snapshot();
      // The snapshot is absolute: the new baseline is what it shows now.
      this.baselines.set(e.pool.name, {
        delivered: c.delivered, acked: c.acked, redelivered: c.redelivered, duplicates: c.duplicates,
        workers: new Map(c.workers.map((w) => [w.name, w.delivered])),
      });
      this.lastLocal.set(e.pool.name, c);
    }
    for (const [name, q] of this.queues) {
      if (this.isLocal(name)) { continue; }
      const d = queueDeliveries(q);
      this.baselines.set(name, { delivered: d.delivered, acked: d.acked, redelivered: d.redelivered, duplicates: 0, workers: new Map() });
    }
    this.prevDelivered.clear();
    this.history.length = 0;
    this.rebuild();
  }

  /** Re-reads the local pools' counts now (cheap: counters and fixed histograms), so that the next update is current. */
  refreshLocal(): void {
    if (this.disposed) { return; }
    for (const e of this.localEntries()) {
      const c = e.pool.snapshot();
      this.lastLocal.set(e.pool.name, c);
      this.emitRow(this.localRow(e, c));
    }
  }

  /** Polls now (tests, and after publishing so that ready/unacked catch up). */
  refresh(): Promise<void> { return this.poll(); }

  dispose(): void {
    this.disposed = true;
    this.setVisible(false);
    this.opts.localPools.off('counts', this.onCounts);
    this.opts.localPools.off('changed', this.onChanged);
  }

  // ---- internals ----

  private matches(e: LocalPoolEntry): boolean {
    const s = this.sel;
    if (e.broker !== s.broker || e.vhost !== s.vhost) { return false; }
    if (this.bound.includes(e.pool.name)) { return true; }
    // Until the broker has answered lookupRoute() once, a local pool declared with this very exchange and key is shown.
    return this.managementAt === undefined && e.pool.exchange === s.exchange && e.pool.routingKeys.includes(s.routingKey);
  }

  private isLocal(name: string): boolean {
    return this.localEntries().some((e) => e.pool.name === name);
  }

  private syncLocal(): void {
    const local = new Set<string>();
    for (const e of this.localEntries()) {
      local.add(e.pool.name);
      const c = this.lastLocal.get(e.pool.name) ?? e.pool.snapshot();
      this.lastLocal.set(e.pool.name, c);
      this.emitRow(this.localRow(e, c));
    }
    for (const [name, row] of this.rows) {
      if (row.source !== 'local' || local.has(name)) { continue; }
      this.lastLocal.delete(name);
      const q = this.queues.get(name);
      if (q && this.bound.includes(name)) { this.emitRow(this.remoteRow(q)); } else { this.rows.delete(name); this.onRemoved(name); }
    }
  }

  private rebuild(): void {
    this.syncLocal();
    for (const [name, q] of this.queues) {
      if (!this.isLocal(name)) { this.emitRow(this.remoteRow(q)); }
    }
  }

  private emitRow(row: PoolRow): void {
    this.rows.set(row.name, row);
    this.onRow(row);
  }

  private localRow(e: LocalPoolEntry, c: PoolCounts): PoolRow {
    const b = this.baselines.get(e.pool.name);
    const sub = (n: number, base = 0) => Math.max(0, n - base);
    const active = new Set(e.pool.workerNames);
    const workerCounts: WorkerRow[] = c.workers.map((w) => ({ name: w.name, delivered: sub(w.delivered, b?.workers.get(w.name)), state: w.state }));
    const q = this.queues.get(e.pool.name);
    const prev = this.rows.get(e.pool.name);
    return {
      name: e.pool.name, source: 'local', workers: active.size, delivered: sub(c.delivered, b?.delivered), acked: sub(c.acked, b?.acked),
      redelivered: sub(c.redelivered, b?.redelivered), duplicates: sub(c.duplicates, b?.duplicates),
      ratePerSecond: prev?.source === 'local' ? prev.ratePerSecond : c.ratePerSecond,
      ready: q?.messages_ready, unacked: q?.messages_unacknowledged, workerCounts,
      spread: spreadOf(workerCounts.filter((w) => active.has(w.name)).map((w) => w.delivered)), at: c.at, approximate: false,
      note: localPoolNote(e, this.managementError ? 'down' : this.managementAt !== undefined ? 'answers' : 'unknown'),
    };
  }

  private remoteRow(q: ApiQueue): PoolRow {
    const d = queueDeliveries(q);
    const b = this.baselines.get(q.name);
    const sub = (n: number, base = 0) => Math.max(0, n - base);
    return {
      name: q.name, source: 'remote', workers: q.consumers ?? 0, delivered: sub(d.delivered, b?.delivered), acked: sub(d.acked, b?.acked),
      redelivered: sub(d.redelivered, b?.redelivered), ratePerSecond: Math.round(d.ratePerSecond * 10) / 10,
      ready: q.messages_ready, unacked: q.messages_unacknowledged, workerCounts: [], at: this.managementAt ?? Date.now(), approximate: true,
      note: (q.consumers ?? 0) === 0 ? 'No consumers: messages wait in the queue'
        : !d.sampled ? 'The management API has no message_stats for this queue yet (or statistics are off)' : undefined,
    };
  }

  private poll(): Promise<void> {
    this.polling ??= this.doPoll().finally(() => { this.polling = undefined; });
    return this.polling;
  }

  private async doPoll(): Promise<void> {
    const { client } = this.opts;
    const { vhost, exchange, routingKey } = this.sel;
    try {
      this.bound = (await lookupRoute(client, vhost, exchange, routingKey)).pools;
      const names = new Set(this.bound);
      for (const e of this.localEntries()) { names.add(e.pool.name); }
      let queues: ApiQueue[];
      if (names.size <= 20) {
        const got = await Promise.all([...names].map((n) => client.queue(vhost, n, QUEUE_COLUMNS).catch(() => undefined)));
        queues = got.filter((q): q is ApiQueue => q !== undefined);
      } else {
        queues = (await client.queues(vhost, QUEUE_COLUMNS)).filter((q) => names.has(q.name));
      }
      if (this.disposed) { return; }
      this.managementAt = Date.now();
      this.managementError = undefined;
      this.queues.clear();
      for (const q of queues) { this.queues.set(q.name, q); }
      for (const [name, row] of [...this.rows]) {
        if (!names.has(name) && row.source === 'remote') { this.rows.delete(name); this.onRemoved(name); }
      }
      this.rebuild();
    } catch (e) {
      if (this.disposed) { return; }
      this.managementError = describeError(e);
      this.opts.log?.warn(`Delivery Counts: the management API could not be read: ${this.managementError}`);
      // A local pool's note says whether the management API still answers: keep it true.
      this.syncLocal();
    }
    this.onManagement(this.managementAt, this.managementError);
  }

  /** One rate point a second: local pools from their exact totals, remote ones from the API's deliver_get rate. */
  private sample(): void {
    const now = Date.now();
    const rates: Record<string, number> = {};
    for (const e of this.localEntries()) {
      const n = e.pool.delivered;
      const prev = this.prevDelivered.get(e.pool.name);
      const r = prev ? rateOf(prev.n, prev.at, n, now) : 0;
      this.prevDelivered.set(e.pool.name, { n, at: now });
      rates[e.pool.name] = r;
      const row = this.rows.get(e.pool.name);
      if (row && row.source === 'local' && row.ratePerSecond !== r) { this.emitRow({ ...row, ratePerSecond: r }); }
    }
    for (const row of this.rows.values()) {
      if (row.source === 'remote') { rates[row.name] = row.ratePerSecond; }
    }
    const p: RatePoint = { t: now, rates };
    this.history.push(p);
    if (this.history.length > HISTORY_POINTS) { this.history.splice(0, this.history.length - HISTORY_POINTS); }
    this.onPoint(p);
  }
}
