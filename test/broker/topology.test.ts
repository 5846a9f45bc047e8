/**
 * The oslo-style topology on the real broker, seen through the core (fetchTopology, topologyJson, route) and through
 * the CLI (node dist/cli.js topology/route). The topology is declared by test/fixtures/capture.ts's declareOsloTopology,
 * the same one the unit tests' fixture was captured from.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { route, routingTable } from '../../src/broker/routing';
import { Topology, fetchTopology, topologyJson } from '../../src/broker/topology';
import { HEADERS_BINDING, declareOsloTopology, untilApiShows } from '../fixtures/capture';
import { ROOT, TestVhost, freshVhost, runCli } from '../support/broker';

interface RouteJson { exchange: string; routingKey: string; pools: string[]; paths: Record<string, string[]>; unpredictable: string[] }

describe('topology on the real broker (core and CLI)', function () {
  let v: TestVhost;
  let t: Topology;
  let conn: string[];

  before(async function () {
    this.timeout(120_000);
    execFileSync(process.execPath, ['esbuild.mjs'], { cwd: ROOT, stdio: 'pipe' });
    v = await freshVhost('topology');
    const layout = await declareOsloTopology(v);
    await untilApiShows(v, layout);
    t = await fetchTopology(v.client, v.name);
    conn = ['--url', `amqp://guest:guest@127.0.0.1:5672/`, '--management-url', v.config.managementUrl, '--vhost', v.name];
  });
  after(async () => { await v?.cleanup(); });

  describe('fetchTopology', () => {
    it('shows exactly the declared exchanges, sorted, without default and amq.*', () => {
      assert.equal(t.vhost, v.name);
      assert.deepEqual(t.exchanges.map((e) => [e.name, e.type]), [['events', 'fanout'], ['nova', 'topic'], ['nova.headers', 'headers']]);
    });

    it('nova: notifications.info reaches ceilometer, audit and notifications.info; notifications.error goes on to events', () => {
      const nova = t.exchanges.find((e) => e.name === 'nova');
      assert.deepEqual(nova?.bindings.map((b) => ({ key: b.routingKey, pools: b.pools.map((p) => p.name), exchanges: b.exchanges })), [
        { key: 'notifications.error', pools: [], exchanges: ['events'] },
        { key: 'notifications.info', pools: ['audit', 'ceilometer', 'notifications.info'], exchanges: [] },
      ]);
    });

    it('pools have their workers and applications from the connection names', () => {
      const byName = new Map(t.pools.map((p) => [p.name, p]));
      const summary = (name: string) => {
        const p = byName.get(name);
        return p && { consumers: p.consumers, workers: p.workers.map((w) => w.consumerTag), applications: p.applications, ack: p.workers.map((w) => w.ackRequired), prefetch: p.workers.map((w) => w.prefetch) };
      };
      assert.deepEqual(summary('ceilometer'), { consumers: 3, workers: ['ceilometer-1', 'ceilometer-2', 'ceilometer-3'], applications: ['ceilometer-collector'], ack: [true, true, true], prefetch: [10, 10, 10] });
      assert.deepEqual(summary('audit'), { consumers: 1, workers: ['audit-1'], applications: ['audit-logger'], ack: [true], prefetch: [1] });
      assert.deepEqual(summary('notifications.info'), { consumers: 1, workers: ['oslo-default-1'], applications: ['oslo-default'], ack: [false], prefetch: [0] });
      assert.deepEqual(summary('orphan'), { consumers: 0, workers: [], applications: [], ack: [], prefetch: [] });
    });

    it('the fanout and headers exchanges with their pools; headers binding arguments kept', () => {
      const events = t.exchanges.find((e) => e.name === 'events');
      assert.deepEqual(events?.bindings.map((b) => [b.routingKey, b.pools.map((p) => p.name)]), [['', ['events.log']]]);
      assert.equal(events?.bindings[0].pools[0].messages, 2);
      const h = t.exchanges.find((e) => e.name === 'nova.headers');
      assert.equal(h?.bindings.length, 1);
      // the management API renders the void value of "trace" as "undefined"
      assert.deepEqual(h?.bindings[0].arguments, { ...HEADERS_BINDING, trace: 'undefined' });
      assert.deepEqual(h?.bindings[0].pools.map((p) => p.name), ['json-v2']);
    });

    it('lists every queue, the unbound one too', () => {
      assert.deepEqual(t.pools.map((p) => p.name), ['audit', 'ceilometer', 'events.log', 'json-v2', 'notifications.info', 'orphan']);
    });
  });

  describe('route() over the API', () => {
    let table: ReturnType<typeof routingTable>;
    before(async () => {
      const [exchanges, bindings, queues] = await Promise.all([v.client.exchanges(v.name, ['name', 'type', 'arguments']), v.client.bindings(v.name), v.client.queues(v.name, ['name'])]);
      table = routingTable(exchanges, bindings, queues);
    });
    it('nova notifications.info → the three pools, each once', () => assert.deepEqual(route(table, 'nova', 'notifications.info').pools, ['audit', 'ceilometer', 'notifications.info']));
    it('nova notifications.error → events.log through the events exchange', () => {
      const r = route(table, 'nova', 'notifications.error');
      assert.deepEqual(r.pools, ['events.log']);
      assert.deepEqual(r.paths['events.log'], ['nova', 'events']);
    });
    it('headers: all three headers (trace matched on presence)', () => assert.deepEqual(route(table, 'nova.headers', '', { format: 'json', version: 2, trace: 'anything' }).pools, ['json-v2']));
    it('headers: version as a string does not match', () => assert.deepEqual(route(table, 'nova.headers', '', { format: 'json', version: '2', trace: 'x' }).pools, []));
  });

  describe('the CLI', () => {
    it('topology --json is topologyJson() of the same broker state', async () => {
      const r = await runCli(['topology', '--json', ...conn]);
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stderr, '');
      assert.deepEqual(r.json, JSON.parse(JSON.stringify(topologyJson(await fetchTopology(v.client, v.name)))));
      const j = r.json as ReturnType<typeof topologyJson>;
      const info = j.exchanges.find((e) => e.name === 'nova')?.bindings.find((b) => b.routingKey === 'notifications.info');
      assert.deepEqual(info?.pools.map((p) => [p.name, p.workers.length, p.applications]), [
        ['audit', 1, ['audit-logger']], ['ceilometer', 3, ['ceilometer-collector']], ['notifications.info', 1, ['oslo-default']],
      ]);
    });

    it('topology prints a table and names the unbound pool', async () => {
      const r = await runCli(['topology', ...conn]);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /6 pools/);
      assert.match(r.stdout, /^nova\s+topic\s+notifications\.info\s+ceilometer\s+0\s+3\s+ceilometer-collector$/m);
      assert.match(r.stdout, /Not bound to any shown exchange: orphan\n/);
    });

    it('route nova notifications.info --json', async () => {
      const r = await runCli(['route', 'nova', 'notifications.info', '--json', ...conn]);
      assert.equal(r.code, 0, r.stderr);
      const j = r.json as RouteJson;
      assert.equal(j.exchange, 'nova');
      assert.equal(j.routingKey, 'notifications.info');
      assert.deepEqual(j.pools, ['audit', 'ceilometer', 'notifications.info']);
      assert.deepEqual(j.unpredictable, []);
    });

    it('route on the headers exchange with --header', async () => {
      const hit = await runCli(['route', 'nova.headers', '', '--header', 'format=json', '--header', 'version=2', '--header', 'trace=on', '--json', ...conn]);
      assert.equal(hit.code, 0, hit.stderr);
      assert.deepEqual((hit.json as RouteJson).pools, ['json-v2']);
      const miss = await runCli(['route', 'nova.headers', '', '--header', 'format=json', '--header', 'version=2', '--json', ...conn]);
      assert.equal(miss.code, 0, miss.stderr);
      assert.deepEqual((miss.json as RouteJson).pools, []);
    });

    it('route in human form says when a key is unroutable', async () => {
      const r = await runCli(['route', 'nova', 'notifications.warn', ...conn]);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /reaches no pool/);
    });

    it('route to an unknown exchange is a broker error naming it', async () => {
      const r = await runCli(['route', 'nope', 'k', ...conn]);
      assert.equal(r.code, 1);
      assert.match(r.stderr, /no exchange "nope"/);
      assert.equal(r.stderr.trim().split('\n').length, 1);
    });
  });
});
