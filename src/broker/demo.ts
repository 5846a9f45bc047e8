/**
 * The demo: the seed's scenario in a scratch vhost of the local broker, so that a first run has something to show.
 *
 *   exchange "nova" (topic) ── key "notifications.info" ──┬─ pool "ceilometer"          3 local workers
 *                                                          ├─ pool "audit"               1 local worker
 *                                                          ├─ pool "monitoring"          aodh-listener + panko-listener: a shared pool
 *                                                          └─ queue "notifications.info" no consumers (oslo's default listener queue)
 *   plus a trickle of oslo test notifications (3 a second by default) to nova / notifications.info.
 *
 * Diagnose finds two things there, on purpose: `shared-pool` on "monitoring" (two applications steal each other's
 * messages) and, once the trickle has filled it, `unconsumed-default-queue` on "notifications.info".
 *
 * Only ever on a local broker (127.0.0.1 / localhost / ::1), and only in a vhost this code made: the vhost is tagged
 * DEMO_TAG when it is created, and `up` (which resets it) and `down` (which deletes it) refuse any vhost without that tag.
 * The extension passes a PoolRunner so that the local pools run in its LocalPools (the tree shows them with live counts);
 * the CLI runs plain WorkerPools.
 */
import { EventEmitter } from 'node:events';
import { randomUUID } from 'node:crypto';
import type { BrokerConfig } from './connection';
import { describeError } from './errors';
import { Logger, silentLogger } from './logger';
import { ManagementClient } from './management';
import { DEFAULT_EVENT_TYPE, MAX_PUBLISH_COUNT, NotificationPublisher, PublishResult } from './publisher';
import { WorkerPool, WorkerPoolOptions } from './workers';
import {
  DEMO_EXCHANGE, DEMO_POOLS, DEMO_PUBLISHER_CONNECTION, DEMO_RATE, DEMO_ROUTING_KEY, DEMO_TAG, DEMO_VHOST, DemoEndReason, DemoEvents, DemoOptions,
  DemoPoolSpec, DemoPoolState, DemoStep, DemoSummary, PoolRunner, assertLocalBroker, cancelledError, enc, notADemoVhost, plainRunner, runIdOf, tagsOf,
  validateDemoRate, validateDemoVhost, vhostInfo,
} from './demoScenario';

export * from './demoScenario';

/**
 * A running demo. `await Demo.up(config, options)` builds it (or throws, leaving nothing behind); `await demo.stop()`
 * stops its workers and trickle and deletes its vhost. Both are safe to call twice.
 */
export class Demo extends EventEmitter<DemoEvents> {
  readonly exchange = DEMO_EXCHANGE;
  readonly routingKey = DEMO_ROUTING_KEY;
  /** The broker config with the demo's vhost. */
  readonly config: BrokerConfig;
  private readonly log: Logger;
  private readonly runner: PoolRunner;
  private readonly runId = randomUUID();
  private readonly local: { spec: DemoPoolSpec; pool: WorkerPool }[] = [];
  private readonly shared: { spec: DemoPoolSpec; application: string; pool: WorkerPool }[] = [];
  private readonly trickle = new AbortController();
  private publisher: NotificationPublisher | undefined;
  private publishing: Promise<PublishResult | undefined> | undefined;
  private lastPublish: PublishResult | undefined;
  private startedAt = 0;
  private stopping: Promise<DemoSummary> | undefined;
  private checking = false;
  private halted = false;

  private constructor(config: BrokerConfig, readonly vhost: string, private readonly rate: number, options: DemoOptions) {
    super();
    this.config = { ...config, vhost };
    this.log = options.logger ?? silentLogger;
    this.runner = options.runner ?? plainRunner;
  }

  /** Built and not stopped (nor ended by itself). */
  get running(): boolean { return this.startedAt > 0 && !this.halted; }

  /**
   * Creates (or resets) the demo vhost with guest-style permissions for the config's user, declares the exchange and
   * queues, starts the workers and the trickle. Throws a BrokerError naming what failed (no management API, a vhost
   * that is not the demo's, …) after undoing what it did; a 'cancelled' one when options.signal aborts.
   */
  static async up(config: BrokerConfig, options: DemoOptions = {}): Promise<Demo> {
    assertLocalBroker(config);
    const vhost = options.vhost ?? DEMO_VHOST;
    validateDemoVhost(vhost);
    const rate = options.ratePerSecond ?? DEMO_RATE;
    validateDemoRate(rate);
    const demo = new Demo(config, vhost, rate, options);
    const signal = options.signal;
    const step = (s: DemoStep) => {
      if (signal?.aborted) { throw cancelledError(); }
      demo.log.info(`Demo: ${s} (vhost "${vhost}")`);
      options.onStep?.(s);
    };
    const client = new ManagementClient(demo.config);
    let created = false;
    try {
      step('checking the broker');
      const existing = await vhostInfo(client, vhost);
      if (existing) {
        if (!tagsOf(existing).includes(DEMO_TAG)) { throw notADemoVhost(vhost); }
        step('resetting the vhost');
        await client.deleteVhost(vhost);
      }
      step('creating the vhost');
      await client.request('PUT', `api/vhosts/${enc(vhost)}`, {
        description: `RabbitMQ Pool Inspector demo (run ${demo.runId}); "rmq-pools demo down" or "RabbitMQ: Stop Demo" removes it`,
        tags: DEMO_TAG,
      });
      created = true;
      await client.putPermissions(vhost, config.username);
      step('declaring the exchange and queues');
      // Non-durable, as oslo.messaging declares them.
      await client.request('PUT', `api/exchanges/${enc(vhost)}/${enc(DEMO_EXCHANGE)}`, { type: 'topic', durable: false, auto_delete: false });
      for (const p of DEMO_POOLS) {
        await client.request('PUT', `api/queues/${enc(vhost)}/${enc(p.name)}`, { durable: false, auto_delete: false, arguments: {} });
        await client.request('POST', `api/bindings/${enc(vhost)}/e/${enc(DEMO_EXCHANGE)}/q/${enc(p.name)}`, { routing_key: DEMO_ROUTING_KEY });
      }
      step('starting the workers');
      await demo.startWorkers(signal);
      step('starting the trickle');
      demo.startTrickle();
      demo.startedAt = Date.now();
      return demo;
    } catch (e) {
      await demo.halt();
      if (created) { await client.deleteVhost(vhost).catch(() => undefined); }
      if (signal?.aborted) { throw cancelledError(); }
      throw e;
    } finally {
      client.dispose();
    }
  }

  /** The demo's pools with what their workers got so far. */
  pools(): DemoPoolState[] {
    return DEMO_POOLS.map((spec) => {
      const local = this.local.find((l) => l.spec === spec);
      const shared = this.shared.filter((s) => s.spec === spec);
      return {
        name: spec.name, kind: spec.kind,
        workers: local ? local.pool.workerNames.length : shared.length,
        applications: local ? [local.pool.connectionName] : shared.map((s) => s.application),
        local: !!local,
        delivered: local ? local.pool.delivered : shared.reduce((n, s) => n + s.pool.delivered, 0),
      };
    });
  }

  /** Test notifications published so far. */
  published(): number {
    return this.lastPublish?.published ?? this.publisher?.progress().published ?? 0;
  }

  /**
   * Stops the trickle and the workers; with `remove` (the default) deletes the vhost too. Idempotent: a second call
   * (or a stop after the demo ended by itself) resolves with the same summary.
   */
  stop(opts: { remove?: boolean } = {}): Promise<DemoSummary> {
    // A failed removal (the management API down) may be tried again: the workers are stopped already.
    this.stopping ??= this.finish('stopped', opts.remove ?? true).catch((e: unknown) => { this.stopping = undefined; throw e; });
    return this.stopping;
  }

  // ---- internals ----

  private async startWorkers(signal: AbortSignal | undefined): Promise<void> {
    for (const spec of DEMO_POOLS) {
      if (signal?.aborted) { throw cancelledError(); }
      const base: WorkerPoolOptions = { pool: spec.name, exchange: DEMO_EXCHANGE, routingKeys: [DEMO_ROUTING_KEY], prefetch: 10, durable: false, logger: this.log };
      if (spec.kind === 'pool') {
        const pool = await this.runner.start(this.config, { ...base, workers: spec.workers });
        this.local.push({ spec, pool });
        this.watch(pool);
      } else if (spec.kind === 'shared-pool') {
        // Two applications on one queue, each connection named the way oslo.messaging names its own: "<program>:<pid>:<uuid>".
        for (const application of spec.applications ?? []) {
          const pool = new WorkerPool(this.config, { ...base, workers: 1, connectionName: `${application}:${process.pid}:${randomUUID()}` });
          pool.on('error', () => undefined);
          this.shared.push({ spec, application, pool });
          await pool.start();
          this.watch(pool);
        }
      }
    }
  }

  private startTrickle(): void {
    const p = new NotificationPublisher(this.config, {
      exchange: DEMO_EXCHANGE, routingKey: DEMO_ROUTING_KEY, count: MAX_PUBLISH_COUNT, ratePerSecond: this.rate, eventType: DEFAULT_EVENT_TYPE,
      publisherId: 'compute.demo-host', persistent: false, signal: this.trickle.signal, progressIntervalMs: 1000, connectionName: DEMO_PUBLISHER_CONNECTION,
      maxInFlight: 100, logger: this.log,
    });
    this.publisher = p;
    p.on('disconnected', () => this.checkVhost());
    this.publishing = p.run().then((r) => { this.lastPublish = r; return r; }, (e: unknown) => {
      this.log.warn(`Demo: the trickle stopped: ${describeError(e)}`);
      if (!this.stopping) {
        // Its vhost gone is the likely cause; otherwise the demo cannot go on without its notifications.
        void this.checkVhost(`The demo's test notifications stopped: ${describeError(e)}`);
      }
      return undefined;
    });
  }

  private watch(pool: WorkerPool): void {
    pool.on('disconnected', (ev) => {
      if (!this.stopping) { this.emit('notice', ev.error.describe()); }
      void this.checkVhost();
    });
  }

  /**
   * After a lost connection: is the vhost still ours? Deleted (`demo down`, the management UI) or reset by another
   * `demo up` → the demo ends by itself. `failure` ends it anyway when the vhost is fine (the trickle failed).
   */
  private async checkVhost(failure?: string): Promise<void> {
    if (this.stopping || this.checking) { return; }
    this.checking = true;
    const client = new ManagementClient({ ...this.config, timeoutMs: Math.min(this.config.timeoutMs, 5000) });
    try {
      const info = await vhostInfo(client, this.vhost);
      if (this.stopping) { return; }
      if (!info) {
        this.end('removed', false, `The demo vhost "${this.vhost}" was deleted (rmq-pools demo down, or by hand): the demo stopped`);
      } else if (runIdOf(info) !== this.runId) {
        this.end('replaced', false, `The demo vhost "${this.vhost}" was reset by another demo: this one stopped`);
      } else if (failure) {
        this.end('failed', false, failure);
      }
    } catch (e) {
      // The management API is down too (a broker restart): connections recover by themselves; look again on the next loss.
      this.log.debug(`Demo: cannot check vhost "${this.vhost}": ${describeError(e)}`);
      if (failure && !this.stopping) { this.end('failed', false, failure); }
    } finally {
      this.checking = false;
      client.dispose();
    }
  }

  private end(reason: DemoEndReason, remove: boolean, message: string): void {
    if (this.stopping) { return; }
    this.log.warn(message);
    this.stopping = this.finish(reason, remove, message);
    void this.stopping.then((s) => this.emit('ended', s));
  }

  /** Stops the trickle and every worker (errors logged, never thrown). */
  private async halt(): Promise<void> {
    this.halted = true;
    this.trickle.abort();
    await Promise.allSettled([
      this.publishing,
      ...this.local.map(({ pool }) => this.runner.stop(pool)),
      ...this.shared.map(({ pool }) => pool.stop()),
    ].map((p) => Promise.resolve(p).catch((e: unknown) => this.log.warn(`Demo: stopping: ${describeError(e)}`))));
  }

  private async finish(reason: DemoEndReason, remove: boolean, message?: string): Promise<DemoSummary> {
    await this.halt();
    let removed = reason === 'removed';
    if (remove) {
      const client = new ManagementClient(this.config);
      try {
        // Only the vhost this run made: a vhost reset by another demo since belongs to that one.
        const info = await vhostInfo(client, this.vhost);
        if (info && runIdOf(info) === this.runId) {
          await client.deleteVhost(this.vhost);
          removed = true;
        } else if (!info) {
          removed = true;
        }
      } finally {
        client.dispose();
      }
    }
    const r = this.lastPublish ?? this.publisher?.progress();
    return {
      vhost: this.vhost, exchange: DEMO_EXCHANGE, routingKey: DEMO_ROUTING_KEY, pools: this.pools(),
      published: r?.published ?? 0, confirmed: r?.confirmed ?? 0, unroutable: r?.unroutable ?? 0,
      seconds: this.startedAt ? Math.round((Date.now() - this.startedAt) / 100) / 10 : 0, reason, removed, message,
    };
  }
}
