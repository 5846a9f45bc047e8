/**
 * What the Brokers tree knows about one broker, vscode-free so that a benchmark or a test can walk the tree without VS Code.
 *
 * Reads are cached for one "generation" (until the next refresh) and shared by every node that needs them: the vhost's
 * consumers and connections are fetched once per refresh, not once per pool; an exchange's bindings only when that
 * exchange is expanded; pool details only for the pools a binding key shows (one `columns=` request per pool shown, at most
 * 8 in flight: keyPools.ts), names first: a key of 500 pools shows a page of names at once and its details as they arrive.
 */
import type { BrokerConfig } from '../broker/connection';
import { BrokerError, BrokerState, describeError, stateOf } from '../broker/errors';

import type { Logger } from '../broker/logger';
import {
  ApiBinding, ApiConnection, ApiConsumer, ApiExchange, ApiNode, ApiOverview, ApiQueue, ApiVhost, ManagementClient, ManagementClientOptions,
} from '../broker/management';
import {
  BindingGroup, EXCHANGE_COLUMNS, Pool, QUEUE_COLUMNS, Worker, emptyPool, groupBindings, isSystemExchange, poolFrom, workersByQueue,
} from '../broker/topology';
import { ClusterView, clusterView } from './cluster';
import { Memo } from './memo';
import { DetailCache, ItemPage, PagesShown, pageOf } from './keyPools';
import { Filter, PagedList } from './pagedList';

/** A pool's details as a binding key reads them: the tree's columns and its consumers (the pool's workers). */
const DETAIL_COLUMNS = [...QUEUE_COLUMNS, 'consumer_details'];

function consumersOf(q: ApiQueue): ApiConsumer[] | undefined {
  const c = (q as { consumer_details?: unknown }).consumer_details;
  return Array.isArray(c) ? c as ApiConsumer[] : undefined;
}

/**
 * Past this many queues on the broker the Pools folder draws the page's consumer counts only and a pool reads its workers when
 * expanded (folderNodes.ts), so a refresh costs the broker about what the management UI's queues page does (BENCHMARKS.md
 * figures 1 and 8 model it the same way).
 */
export const POOLS_FOLDER_COUNTS_ONLY_QUEUES = 2_000;

/** How long a refresh keeps the broker's overview (its version and cluster name do not change; its counts may be this old). */
export const OVERVIEW_TTL_MS = 30_000;

export interface TreeOptions {
  /** Children per level before "Load more…" (the API's page_size, ≤ 500). */
  pageSize: number;
  /** Show the default exchange and amq.* exchanges. */
  showSystemExchanges: boolean;
}

export interface BrokerStatus {
  state: BrokerState;
  /** One redacted line: the version when connected, the reason otherwise. */
  detail: string;
}


/** The pools a name list resolves to: found ones with details, vanished ones as empty pools marked missing. */
export interface PoolLookup {
  pools: Pool[];
  missing: Set<string>;
}

export class VhostData {
  readonly exchanges: PagedList<ApiExchange>;
  readonly queues: PagedList<ApiQueue>;
  /** Pool details for one refresh, one single-queue request each (keyPools.ts). */
  readonly details: DetailCache;
  /** Pages shown of each binding key's pools and of each exchange's keys (in memory: the names come with the bindings). */
  readonly pagesShown = new PagesShown();
  /** A failed background detail lookup, by level id: the next draw of that level shows it as an error with Retry. */
  private readonly detailErrors = new Map<string, unknown>();
  /** Levels whose details are being filled in the background (one loop per level; a refresh stops them). */
  private readonly filling = new Map<string, object>();

  constructor(private readonly session: BrokerSession, readonly name: string) {
    const client = () => session.client;
    this.exchanges = new PagedList<ApiExchange>(async (q) => {
      if (!q.name && !session.options().showSystemExchanges) {
        // Hide "" and amq.* on the broker side, so pages stay full and counts exact (Erlang re supports look-ahead).
        q = { ...q, name: '^(?!amq\\.).', useRegex: true };
      }
      const page = await client().exchangesPage(name, { ...q, columns: EXCHANGE_COLUMNS });
      if (!session.options().showSystemExchanges) { page.items = page.items.filter((e) => !isSystemExchange(e.name)); }
      return page;
    }, () => session.options().pageSize);
    this.queues = new PagedList<ApiQueue>(async (q) => {
      const page = await client().queuesPage(name, { ...q, columns: QUEUE_COLUMNS });
      // A page's items carry no consumer_details. Up to POOLS_FOLDER_COUNTS_ONLY_QUEUES queues the folder reads the vhost's
      // consumers anyway, so a binding key may take its pools from the page; past it a key reads each of its pools with its
      // consumers, not the vhost's whole consumer list (420 KiB for 1,000 consumers: BENCHMARKS.md figure 1).
      const queues = this.queuesOnBroker();
      const reuse = queues !== undefined && queues <= POOLS_FOLDER_COUNTS_ONLY_QUEUES;
      for (const item of page.items) { this.session.memo.settled.set(this.key('queue', item.name), item); if (reuse) { this.details.put(item); } }
      return page;
    }, () => session.options().pageSize);
    // With consumer_details: the pool's workers come with it, so a binding key never needs the vhost's whole consumer list.
    this.details = new DetailCache((n) => this.session.client.queue(this.name, n, DETAIL_COLUMNS));
  }

  private key(...parts: string[]): string {
    return JSON.stringify([this.name, ...parts]);
  }

  invalidate(): void {
    this.exchanges.invalidate();
    this.queues.invalidate();
    this.details.invalidate();
    this.detailErrors.clear();
    this.filling.clear();
  }

  /**
   * The vhost exists and we may read it (a vanished vhost becomes an error node here, not a blank level). Checked against the
   * list of visible vhosts: `GET /api/vhosts/{name}` needs the administrator tag, the list does not.
   */
  async info(): Promise<ApiVhost> {
    const found = (await this.session.visibleVhosts()).find((v) => v.name === this.name);
    if (!found) {
      const c = this.session.config;
      throw new BrokerError('not-found', `The vhost "${this.name}" does not exist on ${c.managementUrl}, or user "${c.username}" has no permission on it`,
        `Pick an existing vhost (Edit Broker), or grant access: rabbitmqctl set_permissions -p ${this.name} ${c.username} ".*" ".*" ".*"`);
    }
    return found;
  }

  /** Workers of every pool of the vhost: consumers + connections, once per refresh, shared by all nodes. */
  workers(): Promise<Map<string, Worker[]>> {
    const key = this.key('workers');
    return this.session.memo.get(key, () => this.session.memo.track(key, (async () => {
      const [consumers, connections] = await Promise.all([this.session.client.consumers(this.name), this.connections()]);
      return workersByQueue(consumers, connections);
    })()));
  }

  /**
   * One pool's workers. Past POOLS_FOLDER_COUNTS_ONLY_QUEUES queues: from the pool's own detail with its consumers (one small
   * request, cached per refresh), not the vhost's whole consumer list (412 KiB for 1,000 consumers: BENCHMARKS.md figure 1).
   */
  async workersOf(pool: string): Promise<Worker[]> {
    if (this.pastCountsOnly()) { return (await this.pools([pool])).pools[0].workers; }
    return (await this.workers()).get(pool) ?? [];
  }

  /** The broker's queue count from the overview read so far; undefined before it is read. */
  private queuesOnBroker(): number | undefined {
    return this.session.peekOverview()?.object_totals?.queues;
  }

  /** The broker is known (from its overview) to hold more than POOLS_FOLDER_COUNTS_ONLY_QUEUES queues. */
  private pastCountsOnly(): boolean {
    const queues = this.queuesOnBroker();
    return queues !== undefined && queues > POOLS_FOLDER_COUNTS_ONLY_QUEUES;
  }

  /** As pastCountsOnly(), reading the overview first when it is not read yet (an unreadable overview counts as small). */
  async countsOnly(): Promise<boolean> {
    await this.session.overview().catch(() => undefined);
    return this.pastCountsOnly();
  }

  /** One exchange's bindings grouped by (routing key, arguments), fetched when the exchange is expanded. */
  bindingGroups(exchange: string): Promise<BindingGroup[]> {
    return this.session.memo.get(this.key('bindings', exchange), async () => {
      const bindings = await this.session.client.exchangeBindings(this.name, exchange);
      // Pools here are placeholders (names only); a binding key's node looks their details up when it is expanded.
      return groupBindings(bindings, (n) => emptyPool(n, this.name));
    });
  }

  /** Bindings of one pool (the Pools folder), without the default exchange's implicit binding unless system exchanges are shown. */
  poolBindings(pool: string): Promise<ApiBinding[]> {
    return this.session.memo.get(this.key('poolBindings', pool), async () => {
      const all = await this.session.client.queueBindings(this.name, pool);
      const show = this.session.options().showSystemExchanges;
      return all.filter((b) => show || !isSystemExchange(b.source))
        .sort((a, b) => a.source.localeCompare(b.source) || a.routing_key.localeCompare(b.routing_key));
    });
  }

  /**
   * Details of the named pools: one `GET /api/queues/{vhost}/{name}` each (at most 8 in flight, each name once per refresh),
   * which costs the broker the same on any vhost. A regex-filtered page (`name=^(a|b|…)$`) made the broker match every
   * queue of the vhost per 40 names: 2.5 s for 500 pools at 10,000 queues (BENCHMARKS.md, "Broker shapes").
   */
  async pools(names: string[]): Promise<PoolLookup> {
    const [details, connections] = await Promise.all([this.details.lookup(names), this.connections()]);
    // Details from a Pools folder page have no consumer_details: those pools take their workers from the vhost's list.
    const workers = [...details.values()].some((d) => d !== 'missing' && !consumersOf(d)) ? await this.workers() : undefined;
    const each = this.poolsOf(names, details, connections, workers);
    return { pools: each.pools.map((p, i) => p ?? emptyPool(names[i], this.name)), missing: each.missing };
  }

  /** What is known now of each name, without a request: its pool, or undefined while its details are unread. */
  peekEach(names: string[]): { pools: (Pool | undefined)[]; missing: Set<string> } {
    const details = new Map<string, ApiQueue | 'missing'>();
    for (const n of names) { const d = this.details.peek([n])?.get(n); if (d) { details.set(n, d); } }
    return this.poolsOf(names, details, this.session.memo.peek<ApiConnection[]>(this.key('connections')),
      this.session.memo.peek<Map<string, Worker[]>>(this.key('workers')));
  }

  /** The pools' details when every one is known now (no request), for a draw that must not wait; undefined otherwise. */
  peekPools(names: string[]): PoolLookup | undefined {
    const each = this.peekEach(names);
    return each.pools.every((p) => p) ? { pools: each.pools as Pool[], missing: each.missing } : undefined;
  }

  /**
   * Reads the names' details in chunks, in the background, calling `progress` after each chunk (the view redraws the level,
   * whose next draw finds them cached): the top of a long list fills in first. One loop per level; a refresh ends it.
   */
  fillDetails(level: string, names: string[], chunk: number, progress: () => void): void {
    if (this.filling.has(level)) { return; }
    const token = {};
    this.filling.set(level, token);
    void (async () => {
      try {
        for (let i = 0; i < names.length && this.filling.get(level) === token; i += chunk) {
          await this.pools(names.slice(i, i + chunk));
          if (this.filling.get(level) === token) { progress(); }
        }
      } catch (e) {
        if (this.filling.get(level) === token) { this.setDetailError(level, e); progress(); }
      } finally {
        if (this.filling.get(level) === token) { this.filling.delete(level); }
      }
    })();
  }

  /** The vhost's connections (small: names and client properties), once per refresh: workers' applications and hosts. */
  private connections(): Promise<ApiConnection[]> {
    const key = this.key('connections');
    return this.session.memo.get(key, () => this.session.memo.track(key, this.session.client.connections(this.name)));
  }

  private poolsOf(names: string[], details: Map<string, ApiQueue | 'missing'>, connections: ApiConnection[] | undefined,
    workers: Map<string, Worker[]> | undefined): { pools: (Pool | undefined)[]; missing: Set<string> } {
    const missing = new Set<string>();
    const pools = names.map((n) => {
      const q = details.get(n);
      if (q === 'missing') { missing.add(n); return emptyPool(n, this.name); }
      if (!q) { return undefined; }
      const own = consumersOf(q);
      if (own) { return connections ? poolFrom(q, workersByQueue(own, connections).get(n) ?? []) : undefined; }
      return workers ? poolFrom(q, [...(workers.get(n) ?? [])]) : undefined;
    });
    return { pools, missing };
  }

  /** The page of a binding key's pool names shown now (first page, more after "Load more…"); no request. */
  keyPools(exchange: string, group: BindingGroup): ItemPage<string> {
    return pageOf(group.pools.map((p) => p.name), this.pagesShown.of(this.levelId('k', exchange, group)), this.session.options().pageSize);
  }

  /** The page of an exchange's binding keys shown now (an RPC exchange has a key per host: thousands); no request. */
  exchangeKeys(exchange: string, groups: BindingGroup[]): ItemPage<BindingGroup> {
    return pageOf(groups, this.pagesShown.of(this.levelId('e', exchange)), this.session.options().pageSize);
  }

  loadMoreKeyPools(exchange: string, group: BindingGroup): void { this.pagesShown.more(this.levelId('k', exchange, group)); }
  loadMoreExchangeKeys(exchange: string): void { this.pagesShown.more(this.levelId('e', exchange)); }

  /** Records a background detail lookup's failure for a level; `takeDetailError` hands it to that level's next draw once. */
  setDetailError(level: string, e: unknown): void { this.detailErrors.set(level, e); }
  takeDetailError(level: string): unknown {
    const e = this.detailErrors.get(level);
    this.detailErrors.delete(level);
    return e;
  }

  levelId(kind: 'k' | 'e', exchange: string, group?: BindingGroup): string {
    return JSON.stringify([kind, exchange, group?.routingKey ?? null, group ? group.arguments : null]);
  }

  /** A pool with its workers, when only its name is known (the Pools folder lists ApiQueues). */
  async pool(q: ApiQueue): Promise<Pool> {
    return poolFrom(q, [...(await this.workersOf(q.name))]);
  }

  setExchangeFilter(f: Filter | undefined): void { this.exchanges.setFilter(f); }
  setPoolFilter(f: Filter | undefined): void { this.queues.setFilter(f); }
}

export class BrokerSession {
  readonly memo = new Memo();
  private clientInstance?: ManagementClient;
  private readonly vhostData = new Map<string, VhostData>();
  private statusValue: BrokerStatus = { state: 'unknown', detail: 'Not contacted yet' };
  private readonly listeners = new Set<(s: BrokerStatus) => void>();

  constructor(
    readonly config: BrokerConfig,
    readonly options: () => TreeOptions,
    private readonly log: Logger,
    /** The configured vhost, or undefined to list every vhost the user can see. */
    readonly vhostFilter: string | undefined,
    private readonly clientOptions: ManagementClientOptions = {},
  ) {}

  get name(): string { return this.config.name; }

  get client(): ManagementClient {
    this.clientInstance ??= new ManagementClient(this.config, this.clientOptions);
    return this.clientInstance;
  }

  get status(): BrokerStatus { return this.statusValue; }

  onStatus(fn: (s: BrokerStatus) => void): { dispose(): void } {
    this.listeners.add(fn);
    return { dispose: () => { this.listeners.delete(fn); } };
  }

  private setStatus(s: BrokerStatus): void {
    const changed = s.state !== this.statusValue.state || s.detail !== this.statusValue.detail;
    this.statusValue = s;
    if (changed) { for (const l of this.listeners) { l(s); } }
  }

  /** When the kept overview was read (ms since epoch); see invalidate(). */
  private overviewAt = 0;

  /**
   * A refresh: every cached read goes; pages shown, filters and expansion stay. The overview is kept for OVERVIEW_TTL_MS
   * while the broker answers: its version and cluster name do not change; the vhost list, read at every refresh, still tells
   * a broker that went away.
   */
  invalidate(): void {
    const keep = this.statusValue.state === 'connected' && Date.now() - this.overviewAt < OVERVIEW_TTL_MS ? this.memo.peek<ApiOverview>('overview') : undefined;
    this.memo.clear();
    // Kept, it still answers only once the broker does: overview() waits for this refresh's vhost list (one small request
    // the tree reads anyway), so a broker whose management API went away fails overview() as before.
    if (keep) { this.memo.settled.set('overview', keep); void this.memo.get('overview', () => this.visibleVhosts().then(() => keep)).catch(() => undefined); }
    for (const v of this.vhostData.values()) { v.invalidate(); }
  }

  /**
   * Set by the view (BrokersTreeProvider): redraws one node, e.g. a binding key whose pool details arrived after its names
   * were drawn. Nodes are opaque here (this module does not know VS Code).
   */
  redrawHook?: (node: unknown) => void;

  /** Asks the view to redraw `node` (nothing without a view: benchmarks and tests read the data directly). */
  redraw(node: unknown): void { this.redrawHook?.(node); }

  dispose(): void {
    this.redrawHook = undefined;
    this.listeners.clear();
    this.clientInstance?.dispose();
  }

  /**
   * The broker's overview without its statistics (version, cluster, node, object counts: `overviewWithoutStats`, which does
   * not make the broker total every queue); also what the status bar reports (connected / unreachable / auth failed).
   */
  overview(): Promise<ApiOverview> {
    return this.memo.get('overview', () => this.memo.track('overview', this.client.overviewWithoutStats().then((o) => {
      this.overviewAt = Date.now();
      const ep = this.client.endpoint();
      this.setStatus({ state: 'connected', detail: `RabbitMQ ${o.rabbitmq_version ?? '?'}${o.cluster_name ? ` · ${o.cluster_name}` : ''}${ep.count > 1 ? ` · ${this.client.describeEndpoint()}` : ''}` });
      return o;
    }, (e: unknown) => {
      this.setStatus({ state: stateOf(e), detail: describeError(e) });
      this.log.warn(`Broker "${this.name}": ${describeError(e)}`);
      throw e;
    })));
  }

  peekOverview(): ApiOverview | undefined {
    return this.memo.peek<ApiOverview>('overview');
  }

  /** Cluster nodes; a user without the monitoring tag may not read them: that is not an error for the tree. */
  nodes(): Promise<ApiNode[]> {
    return this.memo.get('nodes', () => this.memo.track('nodes', this.client.nodes().catch((e: unknown) => {
      this.log.debug(`Broker "${this.name}": nodes unavailable: ${describeError(e)}`);
      return [] as ApiNode[];
    })));
  }

  peekNodes(): ApiNode[] | undefined {
    return this.memo.peek<ApiNode[]>('nodes');
  }

  /** The cluster: its nodes (running, alarms, partitions) and which management URL answered. */
  async cluster(): Promise<ClusterView> {
    const [o, n] = await Promise.all([this.overview(), this.nodes()]);
    return clusterView(o, n, this.client.endpoint());
  }

  /** The cluster as last read (for synchronous tree items); undefined before the nodes were read. */
  peekCluster(): ClusterView | undefined {
    const n = this.peekNodes();
    return n ? clusterView(this.peekOverview(), n, this.clientInstance?.endpoint()) : undefined;
  }

  /** More than one node: the tree then shows the Nodes folder, pool placement and each worker's node. */
  get isCluster(): boolean {
    return (this.peekNodes()?.length ?? 0) > 1;
  }

  /**
   * The vhosts to show: the configured one, or all the user can see. Does not wait for the overview (read alongside): the
   * levels below the broker need only the vhost list. When the list fails, the overview's error is the one shown (it names
   * the cause: refused login, nothing listening…) if it failed too.
   */
  async vhosts(): Promise<string[]> {
    const overview = this.overview().then(() => undefined, (e: unknown) => e);
    let list: ApiVhost[];
    try {
      list = await this.visibleVhosts();
    } catch (e) {
      throw (await overview) ?? e;
    }
    if (this.vhostFilter !== undefined) { return [this.vhostFilter]; }
    return list.map((v) => v.name).sort((a, b) => a.localeCompare(b));
  }

  /** The vhosts this user may see (one small request per refresh, shared by every vhost node). */
  visibleVhosts(): Promise<ApiVhost[]> {
    return this.memo.get('vhosts', () => this.client.vhosts().catch((e: unknown) => {
      // A kept overview (invalidate) must not say "connected" about a broker that stopped answering.
      if (this.memo.peek('overview')) { this.memo.clear('overview'); this.overviewAt = 0; this.setStatus({ state: stateOf(e), detail: describeError(e) }); }
      throw e;
    }));
  }

  vhost(name: string): VhostData {
    let v = this.vhostData.get(name);
    if (!v) {
      v = new VhostData(this, name);
      this.vhostData.set(name, v);
    }
    return v;
  }
}
