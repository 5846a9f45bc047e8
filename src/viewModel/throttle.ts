/**
 * Coalesces a fast stream of changes (local pools emit 4 snapshots a second each, publish progress 10 a second) into at
 * most `perSecond` messages to the page: the first change goes out at once, later ones wait for the next slot, and
 * only the newest value per key is kept. vscode-free so that it is tested without a panel.
 */
import type { BusyView, HealthView, PoolRow, RatePoint } from './panelProtocol';

export interface UpdateBatch {
  pools: PoolRow[];
  removed: string[];
  points: RatePoint[];
  managementAt?: number;
  managementError?: string | null;
  busy?: BusyView | null;
  /** The Health section's newest view (healthFeed.ts). */
  health?: HealthView;
}

export class UpdateThrottle {
  private pools = new Map<string, PoolRow>();
  private removed = new Set<string>();
  private points: RatePoint[] = [];
  private extra: Pick<UpdateBatch, 'managementAt' | 'managementError' | 'busy' | 'health'> = {};
  private dirty = false;
  private timer: NodeJS.Timeout | undefined;
  private lastSent = -Infinity;
  private paused = false;
  private flushing = false;
  readonly intervalMs: number;
  /**
   * Called as a message is about to go out, to add the freshest values (the panel reads its local pools' counts here). Without
   * it a slot taken by a rate point or a management poll left a delivery that came just after it waiting for the next slot
   * and then one more: p99 delivery → update was 300–470 ms; with it every message is current and p99 stays within one
   * slot, 250 ms (bench/, BENCHMARKS.md).
   */
  beforeFlush: (() => void) | undefined;

  constructor(private readonly send: (batch: UpdateBatch) => void, perSecond = 4, private readonly now: () => number = Date.now) {
    this.intervalMs = Math.ceil(1000 / perSecond);
  }

  pool(row: PoolRow): void { this.pools.set(row.name, row); this.removed.delete(row.name); this.touch(); }
  remove(name: string): void { this.pools.delete(name); this.removed.add(name); this.touch(); }
  point(p: RatePoint): void { this.points.push(p); this.touch(); }
  management(at: number | undefined, error: string | undefined): void {
    if (at !== undefined) { this.extra.managementAt = at; }
    this.extra.managementError = error ?? null;
    this.touch();
  }
  busy(b: BusyView | undefined): void { this.extra.busy = b ?? null; this.touch(); }
  health(v: HealthView): void { this.extra.health = v; this.touch(); }

  /** While paused (panel hidden) changes accumulate; the page gets a full snapshot when it shows again anyway. */
  setPaused(paused: boolean): void {
    this.paused = paused;
    if (paused) { this.clearTimer(); } else if (this.dirty) { this.schedule(); }
  }

  /** Drops what is pending (a full snapshot is about to be sent). */
  clear(): void {
    this.pools.clear();
    this.removed.clear();
    this.points = [];
    this.extra = {};
    this.dirty = false;
    this.clearTimer();
  }

  dispose(): void { this.clear(); }

  private touch(): void {
    this.dirty = true;
    if (!this.paused && !this.flushing) { this.schedule(); }
  }

  private schedule(): void {
    if (this.timer) { return; }
    const wait = Math.max(0, this.lastSent + this.intervalMs - this.now());
    this.timer = setTimeout(() => { this.timer = undefined; this.flush(); }, wait);
  }

  private clearTimer(): void {
    if (this.timer) { clearTimeout(this.timer); this.timer = undefined; }
  }

  private flush(): void {
    if (!this.dirty || this.paused) { return; }
    if (this.beforeFlush) {
      this.flushing = true;
      try { this.beforeFlush(); } finally { this.flushing = false; }
    }
    const batch: UpdateBatch = { pools: [...this.pools.values()], removed: [...this.removed], points: this.points, ...this.extra };
    this.pools.clear();
    this.removed.clear();
    this.points = [];
    this.extra = {};
    this.dirty = false;
    this.lastSent = this.now();
    this.send(batch);
  }
}
