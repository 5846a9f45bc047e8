/**
 * ManagementClient: typed calls to the RabbitMQ management HTTP API (port 15672).
 *
 * Built on node:http/https rather than global fetch because fetch (undici) cannot take a CA file or
 * rejectUnauthorized without bundling undici; everything else is what fetch would do: keep-alive, timeouts, JSON.
 * Large lists are read with `columns=` and `page`/`page_size` (≤ 500) so that a 10,000-queue broker is never
 * fetched whole when a page will do. The API's object types are in managementTypes.ts (re-exported here); what a
 * failure means is decided in managementErrors.ts.
 */
import * as http from 'node:http';
import * as https from 'node:https';
import { BrokerConfig, managementUrlsOf, readCa } from './connection';
import { BrokerError } from './errors';
import { allNodesDown, httpError, transportError } from './managementErrors';
import type {
  ApiBinding, ApiChannel, ApiConnection, ApiConsumer, ApiDeprecatedFeature, ApiExchange, ApiNode, ApiOverview, ApiPermission, ApiQueue, ApiVhost, Page, PageQuery,
} from './managementTypes';
import { MAX_PAGE_SIZE } from './managementTypes';
import { isStatsDisabled } from './statsDisabled';

export * from './managementTypes';

const enc = encodeURIComponent;

export interface ManagementClientOptions {
  /** Counts response bytes, for benchmarks. */
  onResponse?: (path: string, bytes: number, ms: number) => void;
}

/** Which of a cluster's management URLs answers, and which did not the last time they were tried. */
export interface ManagementEndpoint {
  /** 0-based index into managementUrlsOf(config) of the node that answered last. */
  index: number;
  count: number;
  url: string;
  /** Nodes whose management API refused or timed out the last time they were tried (index, url, reason). */
  down: { index: number; url: string; reason: string }[];
}

/** Transport errors after which the next node of a cluster is tried (the request never reached a broker). */
const FAILOVER_CODES: ReadonlySet<string> = new Set([
  'ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'UND_ERR_CONNECT_TIMEOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'EADDRNOTAVAIL', 'ENOTFOUND', 'EAI_AGAIN', 'EPIPE',
]);

/** "connected through node 2 of 3 (http://…:15674); node 1 (http://…:15673) is down": for tooltips and messages. */
export function describeEndpoint(e: ManagementEndpoint): string {
  if (e.count <= 1) { return `connected to ${e.url}`; }
  const down = e.down.filter((d) => d.index !== e.index);
  const tail = down.length
    ? `; ${down.map((d) => `node ${d.index + 1} (${d.url})`).join(', ')} ${down.length === 1 ? 'is' : 'are'} down`
    : '';
  return `connected through node ${e.index + 1} of ${e.count} (${e.url})${tail}`;
}

/** Requests in flight per client (keep-alive sockets): a binding key's pool details use them all (keyPools.ts DETAIL_CONCURRENCY). */
export const MAX_SOCKETS = 8;

export class ManagementClient {
  /** The management URL in use: the first node's, or the last one that answered. */
  private base: URL;
  private readonly bases: URL[];
  private current = 0;
  private readonly downNodes = new Map<number, string>();
  private readonly auth: string;
  private readonly agent: http.Agent;
  private readonly ca?: Buffer;
  bytesReceived = 0;
  /** When the API last answered (epoch ms): a refusal after that is an outage, not a plugin that was never enabled. */
  answeredAt: number | undefined;
  requests = 0;

  constructor(readonly config: BrokerConfig, private readonly options: ManagementClientOptions = {}) {
    this.bases = managementUrlsOf(config).map((u) => new URL(u.replace(/\/+$/, '') + '/'));
    this.base = this.bases[0];
    this.auth = 'Basic ' + Buffer.from(`${config.username}:${config.password}`).toString('base64');
    const isHttps = this.base.protocol === 'https:';
    this.ca = isHttps ? readCa(config.tls) : undefined;
    this.agent = isHttps
      ? new https.Agent({ keepAlive: true, maxSockets: MAX_SOCKETS, ca: this.ca ? [this.ca] : undefined, rejectUnauthorized: config.tls.rejectUnauthorized !== false })
      : new http.Agent({ keepAlive: true, maxSockets: MAX_SOCKETS });
  }

  dispose(): void {
    this.agent.destroy();
  }

  /** The node that answered last (a cluster's management URLs are tried in turn) and those found down. */
  endpoint(): ManagementEndpoint {
    const urls = managementUrlsOf(this.config);
    return {
      index: this.current, count: urls.length, url: urls[this.current],
      down: [...this.downNodes].sort(([a], [b]) => a - b).map(([index, reason]) => ({ index, url: urls[index], reason })),
    };
  }

  /** "connected through node 2 of 3 (…); node 1 (…) is down". */
  describeEndpoint(): string {
    return describeEndpoint(this.endpoint());
  }

  // ---- reads ----
  /**
   * `GET /api/deprecated-features/used` (RabbitMQ 3.13+); undefined where the broker has no such API. An older broker
   * answers an unknown path with 404, or 406 when the request accepts only JSON (3.10), so this one accepts anything.
   */
  async deprecatedFeaturesUsed(): Promise<ApiDeprecatedFeature[] | undefined> {
    let body: Buffer;
    try {
      ({ body } = await this.request('GET', 'api/deprecated-features/used', undefined, { accept: '*/*' }, false));
    } catch (e) {
      if (e instanceof BrokerError && (e.kind === 'not-found' || e.status === 404 || e.status === 406)) { return undefined; }
      throw e;
    }
    let r: unknown;
    try { r = JSON.parse(body.toString('utf8')); } catch { return undefined; }
    const list = Array.isArray(r) ? r : (r && typeof r === 'object' && Array.isArray((r as { used?: unknown }).used) ? (r as { used: unknown[] }).used : []);
    return list.filter((x): x is ApiDeprecatedFeature => x !== null && typeof x === 'object');
  }
  overview(): Promise<ApiOverview> { return this.get('api/overview', { columns: ['management_version', 'rabbitmq_version', 'erlang_version', 'cluster_name', 'node', 'rates_mode', 'object_totals', 'queue_totals', 'listeners'] }); }
  /**
   * The overview without its statistics (`disable_stats=true`): version, cluster, node, rates mode and object counts
   * (queues, exchanges, connections; no consumers), without `queue_totals` or `listeners`. The full overview sums every
   * queue's statistics whatever `columns=` asks (100–185 ms of the broker at 50,000 queues, BENCHMARKS.md figure 8); this one
   * only counts them. A broker that does not know the parameter answers with the full overview.
   */
  overviewWithoutStats(): Promise<ApiOverview> {
    return this.get('api/overview', { columns: ['management_version', 'rabbitmq_version', 'erlang_version', 'cluster_name', 'node', 'rates_mode', 'object_totals'], params: { disable_stats: 'true' } });
  }
  nodes(): Promise<ApiNode[]> { return this.get('api/nodes'); }
  vhosts(): Promise<ApiVhost[]> { return this.get('api/vhosts', { columns: ['name', 'messages', 'description'] }); }
  vhost(name: string): Promise<ApiVhost> { return this.get(`api/vhosts/${enc(name)}`); }
  exchanges(vhost: string, columns?: readonly string[]): Promise<ApiExchange[]> { return this.get(`api/exchanges/${enc(vhost)}`, { columns }); }
  exchangesPage(vhost: string, q: PageQuery = {}): Promise<Page<ApiExchange>> { return this.page(`api/exchanges/${enc(vhost)}`, q); }
  exchange(vhost: string, name: string): Promise<ApiExchange> { return this.get(`api/exchanges/${enc(vhost)}/${enc(name)}`); }
  queues(vhost: string, columns?: readonly string[]): Promise<ApiQueue[]> { return this.get(`api/queues/${enc(vhost)}`, { columns }); }
  queuesPage(vhost: string, q: PageQuery = {}): Promise<Page<ApiQueue>> { return this.page(`api/queues/${enc(vhost)}`, q); }
  /** One queue; with `columns`, only those fields (e.g. ['name', 'consumers', 'message_stats']). */
  queue(vhost: string, name: string, columns?: readonly string[]): Promise<ApiQueue> { return this.get(`api/queues/${enc(vhost)}/${enc(name)}`, { columns }); }
  bindings(vhost: string): Promise<ApiBinding[]> { return this.get(`api/bindings/${enc(vhost)}`); }
  /** Bindings whose source is this exchange: one exchange's worth, cheap even on a large broker. */
  exchangeBindings(vhost: string, exchange: string): Promise<ApiBinding[]> { return this.get(`api/exchanges/${enc(vhost)}/${enc(exchange)}/bindings/source`); }
  queueBindings(vhost: string, queue: string): Promise<ApiBinding[]> { return this.get(`api/queues/${enc(vhost)}/${enc(queue)}/bindings`); }
  /** The vhost's consumers; none where the broker's statistics are off (it answers 400 there: statsDisabled.ts). */
  async consumers(vhost: string): Promise<ApiConsumer[]> {
    try {
      return await this.get<ApiConsumer[]>(`api/consumers/${enc(vhost)}`);
    } catch (e) {
      if (isStatsDisabled(e)) { return []; }
      throw e;
    }
  }
  connections(vhost?: string): Promise<ApiConnection[]> {
    const cols = ['name', 'vhost', 'user', 'node', 'user_provided_name', 'client_properties', 'peer_host', 'peer_port', 'state', 'channels'];
    return this.get(vhost === undefined ? 'api/connections' : `api/vhosts/${enc(vhost)}/connections`, { columns: cols });
  }
  channels(vhost?: string): Promise<ApiChannel[]> { return this.get(vhost === undefined ? 'api/channels' : `api/vhosts/${enc(vhost)}/channels`); }
  permissions(vhost: string): Promise<ApiPermission[]> { return this.get(`api/vhosts/${enc(vhost)}/permissions`); }

  // ---- writes (tests, Purge/Delete Pool, fault injection) ----
  async putVhost(name: string): Promise<void> { await this.request('PUT', `api/vhosts/${enc(name)}`, {}); }
  async deleteVhost(name: string): Promise<void> { await this.request('DELETE', `api/vhosts/${enc(name)}`); }
  async putPermissions(vhost: string, user: string, p = { configure: '.*', write: '.*', read: '.*' }): Promise<void> {
    await this.request('PUT', `api/permissions/${enc(vhost)}/${enc(user)}`, p);
  }
  async deleteQueue(vhost: string, name: string): Promise<void> { await this.request('DELETE', `api/queues/${enc(vhost)}/${enc(name)}`); }
  /** Deletes a queue's ready messages. RabbitMQ 3.10 answers 406 to DELETE …/contents sent with "accept: application/json", so this one accepts anything. */
  async purgeQueue(vhost: string, name: string): Promise<void> {
    await this.request('DELETE', `api/queues/${enc(vhost)}/${enc(name)}/contents`, undefined, { accept: '*/*' });
  }
  async closeConnection(name: string, reason = 'Closed by RabbitMQ Pool Inspector'): Promise<void> {
    await this.request('DELETE', `api/connections/${enc(name)}`, undefined, { 'x-reason': reason });
  }

  /** A vhost-qualified page in the broker's own management UI, for "Open in Management UI". */
  uiUrl(kind: 'queue' | 'exchange' | 'vhost' | 'connection' | 'overview', vhost?: string, name?: string): string {
    const b = this.base.toString().replace(/\/$/, '');
    switch (kind) {
      case 'queue': return `${b}/#/queues/${enc(vhost ?? '/')}/${enc(name ?? '')}`;
      case 'exchange': return `${b}/#/exchanges/${enc(vhost ?? '/')}/${enc(name ?? '')}`;
      case 'vhost': return `${b}/#/vhosts/${enc(vhost ?? '/')}`;
      case 'connection': return `${b}/#/connections/${enc(name ?? '')}`;
      default: return `${b}/#/`;
    }
  }

  // ---- plumbing ----
  async page<T>(path: string, q: PageQuery): Promise<Page<T>> {
    const pageSize = Math.min(Math.max(1, Math.floor(q.pageSize ?? 100)), MAX_PAGE_SIZE);
    const params: Record<string, string> = { page: String(Math.max(1, Math.floor(q.page ?? 1))), page_size: String(pageSize) };
    if (q.name) { params.name = q.name; params.use_regex = q.useRegex ? 'true' : 'false'; }
    if (q.sort) { params.sort = q.sort; }
    if (q.sortReverse) { params.sort_reverse = 'true'; }
    const raw = await this.get<{ items: T[]; page: number; page_size: number; page_count: number; filtered_count: number; total_count: number }>(path, { columns: q.columns, params });
    return {
      items: raw.items ?? [], page: raw.page ?? 1, pageSize: raw.page_size ?? pageSize, pageCount: raw.page_count ?? 1,
      filteredCount: raw.filtered_count ?? raw.items?.length ?? 0, totalCount: raw.total_count ?? raw.items?.length ?? 0,
    };
  }

  async get<T>(path: string, opts: { columns?: readonly string[]; params?: Record<string, string> } = {}): Promise<T> {
    const url = new URL(path, this.base);
    if (opts.columns?.length) { url.searchParams.set('columns', opts.columns.join(',')); }
    for (const [k, v] of Object.entries(opts.params ?? {})) { url.searchParams.set(k, v); }
    const { body } = await this.request('GET', url);
    try {
      return JSON.parse(body.toString('utf8')) as T;
    } catch {
      throw new BrokerError('server', `The management API at ${this.config.managementUrl} answered ${path} with something that is not JSON`,
        'Check that the management URL points at the RabbitMQ management plugin, not another web server');
    }
  }

  async request(method: string, target: string | URL, body?: unknown, headers: Record<string, string> = {}, explain404 = true): Promise<{ status: number; body: Buffer }> {
    let url = typeof target === 'string' ? new URL(target, this.base) : target;
    const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
    const t0 = performance.now();
    // A cluster: on a transport error (refused, reset, timeout…) try the next node, starting from the one that answered last.
    const from = this.bases.findIndex((b) => url.href.startsWith(b.href));
    let res: { status: number; body: Buffer } | undefined;
    let first: { e: NodeJS.ErrnoException; index: number } | undefined;
    const tries = from < 0 ? 1 : this.bases.length;
    for (let k = 0; k < tries && !res; k++) {
      const i = from < 0 ? -1 : (from + k) % this.bases.length;
      if (k > 0) { url = new URL(url.href.slice(this.bases[from].href.length), this.bases[i]); }
      try {
        res = await this.send(method, url, payload, headers);
        if (i >= 0) {
          this.current = i;
          this.base = this.bases[i];
          this.downNodes.delete(i);
        }
      } catch (e) {
        const err = e as NodeJS.ErrnoException;
        if (tries === 1 || !FAILOVER_CODES.has(err.code ?? '')) { return transportError(this.config, err, this.answeredAt); }
        this.downNodes.set(i, err.code ?? err.message);
        first ??= { e: err, index: i };
      }
    }
    if (!res) { return allNodesDown(this.config, first!.e); }
    this.answeredAt = Date.now();
    this.bytesReceived += res.body.length;
    this.options.onResponse?.(url.pathname, res.body.length, performance.now() - t0);
    if (res.status >= 200 && res.status < 300) { return res; }
    if (res.status === 404 && explain404) { await this.explainMissingVhost(url); }
    throw httpError(this.config, res.status, res.body, url);
  }

  private send(method: string, url: URL, payload: Buffer | undefined, headers: Record<string, string>): Promise<{ status: number; body: Buffer }> {
    const mod = url.protocol === 'https:' ? https : http;
    this.requests++;
    return new Promise<{ status: number; body: Buffer }>((resolve, reject) => {
      const req = mod.request(url, {
        method, agent: this.agent, timeout: this.config.timeoutMs,
        headers: { authorization: this.auth, accept: 'application/json', ...(payload ? { 'content-type': 'application/json', 'content-length': payload.length } : {}), ...headers },
      }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks) }));
        res.on('error', reject);
      });
      req.on('timeout', () => req.destroy(Object.assign(new Error('timeout'), { code: 'ETIMEDOUT' })));
      req.on('error', reject);
      req.end(payload);
    });
  }

  /** A 404 on a vhost-scoped path is most often an unknown vhost: say so rather than "exchanges/x not found". */
  private async explainMissingVhost(url: URL): Promise<void> {
    const m = /^\/api\/(?:exchanges|queues|bindings|consumers|vhosts|permissions|channels|connections)\/([^/]+)/.exec(url.pathname.slice(this.base.pathname.length - 1));
    if (!m) { return; }
    const vhost = decodeURIComponent(m[1]);
    const r = await this.request('GET', `api/vhosts/${enc(vhost)}`, undefined, {}, false).then(() => true, (e: unknown) => !(e instanceof BrokerError && e.kind === 'not-found'));
    if (!r) {
      throw new BrokerError('not-found', `The vhost "${vhost}" does not exist on ${this.config.managementUrl}`,
        'Pick an existing vhost (--vhost, or the broker\'s vhost setting); list them with: rabbitmqctl list_vhosts', { status: 404 });
    }
  }
}
