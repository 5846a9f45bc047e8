/**
 * RabbitMQ 4.x management API shapes (test/fixtures/rmq4/*.json, each derived from rabbitmq-server v4.3.5's code and
 * release notes, named in its "//source"): topology, routing, the tree's view model (placement, cluster), diagnose with
 * the upgrade rules, and delivery counts never throw on them, and unknown exchange / queue types show as what they are.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { diagnose } from '../../src/broker/diagnose';
import type { ApiNode } from '../../src/broker/management';
import { queueDeliveries } from '../../src/broker/messageStats';
import { BrokerError } from '../../src/broker/errors';
import { route, routingTable } from '../../src/broker/routing';
import { isStatsDisabled } from '../../src/broker/statsDisabled';
import { Pool, Topology, TopologyInput, buildTopology, isAnonymous, topologyJson } from '../../src/broker/topology';
import { upgradeFindings } from '../../src/broker/upgradeRules';
import { clusterView, poolPlacement } from '../../src/viewModel/cluster';

type Fixture = TopologyInput & { '//source': string; nodes?: ApiNode[]; statsDisabled?: boolean; ratesMode?: string };
const DIR = path.join(__dirname, '..', 'fixtures', 'rmq4');
const load = (name: string): Fixture => JSON.parse(fs.readFileSync(path.join(DIR, name), 'utf8')) as Fixture;
const FILES = fs.readdirSync(DIR).filter((f) => f.endsWith('.json')).sort();

function pool(t: Topology, name: string): Pool {
  const p = t.pools.find((x) => x.name === name);
  assert.ok(p, `no pool ${name}`);
  return p;
}

describe('RabbitMQ 4.x fixtures', () => {
  it('there are four, and each names the rabbitmq-server source it was derived from', () => {
    assert.deepEqual(FILES, ['amqp10-khepri-nodes.json', 'exchange-types.json', 'quorum-stats-disabled.json', 'streams.json']);
    for (const f of FILES) {
      const src = load(f)['//source'];
      assert.match(src, /rabbitmq\/rabbitmq-server tag v4\.\d+\.\d+ \(commit [0-9a-f]{40}\)/, f);
      assert.match(src, /deps\/rabbit[a-z_]*\/src\/\w+\.erl/, `${f} names a source file`);
    }
  });

  for (const f of FILES) {
    it(`${f}: topology, routing, placement, diagnose (upgrade rules too) and counts do not throw; every queue is a pool`, () => {
      const fx = load(f);
      const t = buildTopology(fx, { includeSystemExchanges: true });
      assert.equal(t.pools.length, fx.queues.length);
      assert.equal(t.exchanges.length, fx.exchanges.length);
      for (const q of fx.queues) { assert.equal(pool(t, q.name).type, q.type, `${q.name} keeps its type`); }
      for (const e of fx.exchanges) { assert.equal(t.exchanges.find((x) => x.name === e.name)?.type, e.type); }
      const table = routingTable(fx.exchanges, fx.bindings, fx.queues);
      for (const b of fx.bindings) { assert.doesNotThrow(() => route(table, b.source, b.routing_key)); }
      for (const p of t.pools) {
        const pl = poolPlacement(p, fx.nodes ?? []);
        assert.ok(pl.summary.startsWith(String(p.type)), pl.summary);
      }
      if (fx.nodes) { assert.equal(clusterView(undefined, fx.nodes).nodes.length, fx.nodes.length); }
      const findings = diagnose(t, { nodes: fx.nodes, upgrade: { channels: [] } });
      for (const x of findings) { assert.ok(x.message && x.action, `${x.kind} has a message and an action`); }
      assert.doesNotThrow(() => JSON.stringify(topologyJson(t)));
      for (const q of fx.queues) {
        const d = queueDeliveries(q);
        assert.equal(d.sampled, q.message_stats !== undefined);
        assert.ok(Number.isFinite(d.delivered) && Number.isFinite(d.ratePerSecond));
      }
    });
  }

  describe('quorum queues with statistics off', () => {
    const fx = load('quorum-stats-disabled.json');
    const t = buildTopology(fx);

    it('minority, running and down states, members / leader / online are read', () => {
      const info = pool(t, 'notifications.info');
      assert.equal(info.state, 'minority');
      assert.equal(info.members?.length, 3);
      assert.deepEqual(info.online, ['rabbit@rmq-0.rmq-nodes.prod']);
      assert.equal(info.leader, 'rabbit@rmq-0.rmq-nodes.prod');
      assert.equal(pool(t, 'audit').state, 'down');
      assert.equal(pool(t, 'ceilometer').effectivePolicy?.['delivery-limit'], 50);
    });

    it('a pool without counts is marked, not shown as empty and idle', () => {
      for (const p of t.pools) { assert.equal(p.statsUnavailable, true, p.name); }
      // 3.10 lists a queue not sampled yet by its name alone: not marked (its counts are 0 until then).
      assert.equal(buildTopology({ ...fx, queues: [{ name: 'fresh', vhost: fx.vhost }] }).pools[0].statsUnavailable, undefined);
      const findings = diagnose(t, { nodes: fx.nodes });
      assert.ok(!findings.some((x) => x.kind === 'pool-without-workers' || x.kind === 'unconsumed-default-queue'), 'no verdict on unknown counts');
    });

    it('diagnose reports the minority and down quorum pools from the state and the nodes, and the classic pool on a running node not', () => {
      const findings = diagnose(t, { nodes: fx.nodes });
      assert.deepEqual(findings.filter((x) => x.kind === 'quorum-minority').map((x) => x.pool).sort(), ['audit', 'ceilometer', 'notifications.info']);
      assert.ok(!findings.some((x) => x.pool === 'legacy'));
    });

    it('the tree\'s placement: no leader for the minority pool; nodes drained or down are told', () => {
      const pl = poolPlacement(pool(t, 'notifications.info'), fx.nodes);
      assert.match(pl.summary, /^quorum · no leader · 1\/3 online$/);
      const cv = clusterView(undefined, fx.nodes!);
      assert.equal(cv.nodes.filter((n) => !n.running).length, 2);
    });

    it('the consumers endpoint answers 400 on such a broker: recognised (the client returns no consumers)', () => {
      // The answer captured from the local RabbitMQ 3.10.8 (GET /api/consumers/%2F?disable_stats=true), the same text as 4.3.5's rabbit_mgmt_wm_consumers.erl.
      const e = new BrokerError('server', 'The management API answered HTTP 400 on consumers/%2F (bad_request: Stats in management UI are disabled on this node)', 'x', { status: 400 });
      assert.equal(isStatsDisabled(e), true);
      assert.equal(isStatsDisabled(new BrokerError('server', 'The management API answered HTTP 400 on queues/x (bad_request: bad page)', 'x', { status: 400 })), false);
      assert.equal(isStatsDisabled(new Error('Stats in management UI are disabled')), false);
    });
  });

  describe('streams and a super stream, rates_mode = none', () => {
    const fx = load('streams.json');
    const t = buildTopology(fx);

    it('stream queues are pools of type stream with their workers and offsets', () => {
      const s = pool(t, 'events.stream');
      assert.equal(s.type, 'stream');
      assert.equal(s.messages, 120345);
      assert.equal(s.workers.length, 1);
      assert.equal(s.workers[0].application, 'billing-worker');
      assert.equal(s.deliverRate, undefined, 'no rates with rates_mode = none');
      assert.equal(s.statsUnavailable, undefined);
    });

    it('a super stream is a direct exchange (x-super-stream = true) whose partitions are routed by their binding key', () => {
      const orders = t.exchanges.find((e) => e.name === 'orders');
      assert.equal(orders?.type, 'direct');
      assert.equal(orders?.arguments?.['x-super-stream'], true);
      assert.deepEqual(orders?.bindings.map((b) => b.routingKey), ['0', '1', '2']);
      const table = routingTable(fx.exchanges, fx.bindings, fx.queues);
      assert.deepEqual(route(table, 'orders', '1').pools, ['orders-1']);
      assert.equal(poolPlacement(pool(t, 'orders-2')).summary, 'stream · leader rmq-2 · 3/3 online');
    });

    it('no upgrade finding for durable streams; no counts without message_stats', () => {
      assert.deepEqual(upgradeFindings({ pools: t.pools }), []);
      assert.deepEqual(fx.queues.map((q) => queueDeliveries(q).sampled), [false, false, false, false]);
    });
  });

  describe('exchange and queue types this tool does not predict', () => {
    const fx = load('exchange-types.json');
    const t = buildTopology(fx);
    const table = routingTable(fx.exchanges, fx.bindings, fx.queues);

    it('x-local-random, x-consistent-hash and an unknown type show as what they are, with their bindings', () => {
      for (const [name, type] of [['rpc.local', 'x-local-random'], ['sharded', 'x-consistent-hash'], ['future', 'x-future-exchange']]) {
        const e = t.exchanges.find((x) => x.name === name);
        assert.equal(e?.type, type);
        assert.equal(e?.bindings.length, 1, `${name}'s binding is listed`);
        const r = route(table, name, 'any.key');
        assert.deepEqual(r.unpredictable, [name], `${name}: routing says it cannot predict, instead of guessing`);
        assert.deepEqual(r.pools, []);
      }
    });

    it('an unknown queue type is kept, placed by its own name, and judged by no classic-only rule', () => {
      const q = pool(t, 'futureq');
      assert.equal(q.type, 'x-future-queue');
      assert.equal(q.state, 'warp');
      assert.equal(poolPlacement(q).summary, 'x-future-queue');
      const kinds = diagnose(t, { upgrade: {} }).filter((x) => x.pool === 'futureq').map((x) => x.kind);
      assert.ok(!kinds.some((k) => /classic|transient|mirroring/.test(k)), kinds.join(', '));
    });
  });

  describe('AMQP 1.0 consumers and Khepri-era /api/nodes', () => {
    const fx = load('amqp10-khepri-nodes.json');
    const t = buildTopology(fx);

    it('AMQP 1.0 consumers (channel_details = [], link-handle tags) are workers with unique ids, anonymous, beside the oslo worker', () => {
      const p = pool(t, 'metering');
      assert.equal(p.workers.length, 3);
      assert.equal(new Set(p.workers.map((w) => w.id)).size, 3, 'ids stay unique though two tags are "0"');
      const amqp1 = p.workers.filter((w) => w.consumerTag === '0');
      assert.equal(amqp1.length, 2);
      for (const w of amqp1) { assert.ok(isAnonymous(w), `${w.id} is not attributed to an application it cannot be tied to`); }
      assert.deepEqual(p.applications, ['ceilometer-agent-notification'], 'not reported as a second application sharing the pool');
      assert.ok(!diagnose(t).some((x) => x.kind === 'shared-pool'));
      const conn = fx.connections.find((c) => c.protocol === 'AMQP 1-0');
      assert.equal(conn?.user_provided_name, undefined);
    });

    it('Khepri-era nodes: being_drained, ra_open_file_metrics and no mnesia fields do not disturb the cluster view', () => {
      const cv = clusterView(undefined, fx.nodes!);
      assert.equal(cv.nodes.length, 3);
      assert.equal(cv.running, 2);
      assert.match(cv.summary, /3 nodes, 1 down/);
      const pl = poolPlacement(pool(t, 'metering'), fx.nodes);
      assert.equal(pl.summary, 'quorum · leader rmq-0 · 2/3 online');
      assert.equal(queueDeliveries(fx.queues[0]).ratePerSecond, 11.5);
    });
  });
});
