/**
 * The local pools this process runs (extension host or CLI), keyed by broker, vhost and pool name. The tree, the
 * commands and the Delivery Counts panel all read it; nothing here knows about VS Code.
 * Events are coalesced: 'counts' carries a pool's snapshot, at once after a quiet spell and then at most 4 a second, 'changed'
 * fires when a pool is added, removed or changes state, 'event' carries what a user should be told.
 */
import { EventEmitter } from 'node:events';
import type { BrokerConfig } from './connection';
import type { PoolCounts } from './counts';
import { BrokerError, describeError } from './errors';
import type { Logger } from './logger';
import { StopOptions, WorkerPool, WorkerPoolOptions } from './workers';

export interface LocalPoolEntry {
  /** `${broker}|${vhost}|${pool}`: stable, used as tree and webview ids. */
  id: string;
  broker: string;
  vhost: string;
  pool: WorkerPool;
  options: WorkerPoolOptions;
  config: BrokerConfig;
  /** Last state worth showing: running, reconnecting, queue deleted, failed, stopped. */
  status: 'running' | 'reconnecting' | 'queue-deleted' | 'failed' | 'stopped';
  lastMessage?: string;
}

export interface LocalPoolNotice {
  id: string;
  pool: string;
  severity: 'info' | 'warning' | 'error';
  message: string;
  /** The queue was deleted under the workers: the UI offers "Recreate Pool". */
  recreate?: boolean;
}

export interface LocalPoolsEvents {
  changed: [];
  counts: [string, PoolCounts];
  notice: [LocalPoolNotice];
}

/** A pool's 'counts' events come at most this often (the Delivery Counts panel shows 4 updates a second). */
const COUNTS_INTERVAL_MS = 250;

export function localPoolId(broker: string, vhost: string, pool: string): string {
  return `${broker}|${vhost}|${pool}`;
}

export class LocalPools extends EventEmitter<LocalPoolsEvents> {
  private readonly entries = new Map<string, LocalPoolEntry>();

  constructor(private readonly log?: Logger) {
    super();
  }

  list(): LocalPoolEntry[] {
    return [...this.entries.values()];
  }

  get(id: string): LocalPoolEntry | undefined {
    return this.entries.get(id);
  }

  find(broker: string, vhost: string, pool: string): LocalPoolEntry | undefined {
    return this.entries.get(localPoolId(broker, vhost, pool));
  }

  /** Starts a pool (or throws a BrokerError; nothing is registered then). A second start of the same pool adds workers instead. */
  async start(config: BrokerConfig, options: WorkerPoolOptions): Promise<LocalPoolEntry> {
    const id = localPoolId(config.name, config.vhost, options.pool);
    const existing = this.entries.get(id);
    if (existing && existing.status !== 'stopped' && existing.status !== 'failed') {
      for (let i = 0; i < (options.workers ?? 1); i++) { await existing.pool.addWorker(); }
      this.emit('changed');
      return existing;
    }
    const pool = new WorkerPool(config, { ...options, logger: options.logger ?? this.log });
    const entry: LocalPoolEntry = { id, broker: config.name, vhost: config.vhost, pool, options, config, status: 'running' };
    this.wire(entry);
    await pool.start();
    this.entries.set(id, entry);
    this.emit('changed');
    this.emit('counts', id, pool.snapshot());
    return entry;
  }

  /** Starts the same pool again after its queue was deleted (declares and binds it anew); counts start from zero. */
  async recreate(id: string): Promise<LocalPoolEntry> {
    const e = this.entries.get(id);
    if (!e) { throw new BrokerError('not-found', `No local pool ${id}`, 'Create the pool again with Create Worker Pool'); }
    const workers = Math.max(1, e.pool.workerNames.length);
    await this.stop(id);
    return this.start(e.config, { ...e.options, workers });
  }

  async stop(id: string, opts: StopOptions = {}): Promise<PoolCounts | undefined> {
    const e = this.entries.get(id);
    if (!e) { return undefined; }
    this.entries.delete(id);
    try {
      return await e.pool.stop(opts);
    } finally {
      e.status = 'stopped';
      this.emit('changed');
    }
  }

  async stopAll(): Promise<void> {
    await Promise.allSettled([...this.entries.keys()].map((id) => this.stop(id)));
  }

  private wire(e: LocalPoolEntry): void {
    const p = e.pool;
    // A notice, with the status it brings: the message is recorded first, then 'changed' (the panel's note and the tree read
    // lastMessage with the new status), then 'notice'.
    const notice = (severity: LocalPoolNotice['severity'], message: string, status?: LocalPoolEntry['status'], recreate = false) => {
      e.lastMessage = message;
      if (status !== undefined && e.status !== status) { e.status = status; this.emit('changed'); }
      this.emit('notice', { id: e.id, pool: p.name, severity, message, recreate });
    };
    // 'counts' is leading-edge: a delivery after a quiet spell is reported at once, later ones with the next slot (at most
    // every COUNTS_INTERVAL_MS), each with a fresh snapshot. Forwarding only the pool's own snapshots (a fixed 250 ms grid)
    // added up to 250 ms in front of the panel's 4/s throttle: p99 delivery → panel update was ~470 ms (bench/, BENCHMARKS.md).
    let last = -Infinity;
    let timer: NodeJS.Timeout | undefined;
    const emitCounts = (c: PoolCounts) => {
      if (timer) { clearTimeout(timer); timer = undefined; }
      last = Date.now();
      this.emit('counts', e.id, c);
    };
    p.onMessage(() => {
      if (timer) { return; }
      timer = setTimeout(() => { timer = undefined; if (p.running) { emitCounts(p.snapshot()); } }, Math.max(0, last + COUNTS_INTERVAL_MS - Date.now()));
      timer.unref();
    });
    // The pool's own snapshots: the final one when it stops, and its periodic ones while no delivery is pending (rates decaying).
    p.on('delivery', (c) => { if (!p.running || (!timer && Date.now() - last >= COUNTS_INTERVAL_MS)) { emitCounts(c); } });
    p.on('worker-cancelled', (ev) => notice('warning', ev.message, ev.queueDeleted ? 'queue-deleted' : undefined, ev.queueDeleted));
    p.on('channel-error', (ev) => notice('warning', ev.error.describe()));
    p.on('disconnected', (ev) => notice('warning', ev.error.describe(), 'reconnecting'));
    p.on('reconnected', () => notice('info', `Pool "${p.name}" reconnected; its counts were kept`, 'running'));
    p.on('error', (err) => notice('error', describeError(err), 'failed'));
    p.on('worker-added', () => this.emit('changed'));
    p.on('worker-removed', () => this.emit('changed'));
  }
}
