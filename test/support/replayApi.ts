/**
 * A recorded RabbitMQ 4.x management API, for the tree's tests on 4.x shapes: nothing here can run a 4.x broker (Debian
 * bookworm has 3.10.8), so an HTTP server answers the GETs the tree makes from one fixture of test/fixtures/rmq4/ (whose
 * "//source" names the rabbitmq-server code it was derived from). Not a stand-in for broker tests: those use the real one.
 * Pages (`page`, `page_size`, `name` + `use_regex`) are answered like the plugin does; `columns` is ignored (whole objects).
 * With `statsDisabled`, /api/consumers answers 400 as rabbit_mgmt_wm_consumers.erl does.
 */
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ReplayFixture {
  vhost: string;
  exchanges: { name: string }[];
  queues: { name: string }[];
  bindings: { source: string; destination: string; destination_type: string }[];
  consumers: unknown[];
  connections: unknown[];
  nodes?: { name: string }[];
  statsDisabled?: boolean;
}

export interface ReplayServer { url: string; requests: string[]; close(): Promise<void> }

function page<T extends { name: string }>(items: T[], q: URLSearchParams): unknown {
  if (!q.has('page')) { return items; }
  const name = q.get('name');
  const filtered = name ? items.filter((i) => (q.get('use_regex') === 'true' ? new RegExp(name, 'i').test(i.name) : i.name.includes(name))) : items;
  const size = Number(q.get('page_size') ?? 100);
  const p = Number(q.get('page') ?? 1);
  return { items: filtered.slice((p - 1) * size, p * size), page: p, page_size: size, page_count: Math.max(1, Math.ceil(filtered.length / size)), filtered_count: filtered.length, item_count: Math.min(size, filtered.length), total_count: items.length };
}

export async function replayApi(fx: ReplayFixture, version = '4.3.5'): Promise<ReplayServer> {
  const v = encodeURIComponent(fx.vhost);
  const node = fx.nodes?.[0]?.name ?? 'rabbit@rmq-0';
  const requests: string[] = [];
  const routes: [RegExp, (m: RegExpMatchArray, q: URLSearchParams) => [number, unknown]][] = [
    [/^\/api\/overview$/, () => [200, { rabbitmq_version: version, management_version: version, erlang_version: '27.3.4', cluster_name: 'rmq4-replay', node, rates_mode: 'basic', object_totals: { queues: fx.queues.length, exchanges: fx.exchanges.length, consumers: fx.consumers.length, connections: fx.connections.length } }]],
    [/^\/api\/nodes$/, () => [200, fx.nodes ?? [{ name: node, type: 'disc', running: true }]]],
    [/^\/api\/vhosts$/, () => [200, [{ name: fx.vhost }]]],
    [new RegExp(`^/api/exchanges/${v}$`), (_m, q) => [200, page(fx.exchanges, q)]],
    [new RegExp(`^/api/exchanges/${v}/([^/]+)/bindings/source$`), (m) => [200, fx.bindings.filter((b) => b.source === decodeURIComponent(m[1]))]],
    [new RegExp(`^/api/queues/${v}$`), (_m, q) => [200, page(fx.queues, q)]],
    [new RegExp(`^/api/queues/${v}/([^/]+)/bindings$`), (m) => [200, fx.bindings.filter((b) => b.destination_type === 'queue' && b.destination === decodeURIComponent(m[1]))]],
    [new RegExp(`^/api/queues/${v}/([^/]+)$`), (m) => {
      const q = fx.queues.find((x) => x.name === decodeURIComponent(m[1]));
      return q ? [200, q] : [404, { error: 'Object Not Found', reason: 'Not Found' }];
    }],
    [new RegExp(`^/api/bindings/${v}$`), () => [200, fx.bindings]],
    [new RegExp(`^/api/consumers/${v}$`), () => fx.statsDisabled ? [400, { error: 'bad_request', reason: 'Stats in management UI are disabled on this node' }] : [200, fx.consumers]],
    [new RegExp(`^/api/vhosts/${v}/connections$`), () => [200, fx.connections]],
    [new RegExp(`^/api/vhosts/${v}/channels$`), () => [200, []]],
    [/^\/api\/deprecated-features\/used$/, () => [200, []]],
  ];
  const server = http.createServer((req, res) => {
    const u = new URL(req.url ?? '/', 'http://replay');
    requests.push(`${req.method} ${u.pathname}`);
    const hit = req.method === 'GET' ? routes.map(([re, f]) => [u.pathname.match(re), f] as const).find(([m]) => m) : undefined;
    const [status, body] = hit ? hit[1](hit[0]!, u.searchParams) : [405, { error: 'not_supported', reason: 'the replayed 4.x API answers the tree\'s GETs only' }];
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, requests, close: () => new Promise((r) => server.close(() => r())) };
}
