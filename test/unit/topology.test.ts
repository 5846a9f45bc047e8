/**
 * buildTopology() from management API JSON captured on RabbitMQ 3.10.8 (test/fixtures/oslo-topology.json, made by
 * test/fixtures/capture.ts), and a fuzz of the JSON → model path with partial objects.
 */
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { ApiBinding, ApiConnection, ApiConsumer, ApiExchange, ApiQueue } from '../../src/broker/management';
import { Pool, Topology, TopologyInput, applicationKey, applicationOf, buildTopology, isSystemExchange, topologyJson } from '../../src/broker/topology';
import { route, routingTable } from '../../src/broker/routing';
import fixtureJson from '../fixtures/oslo-topology.json';

const fixture = fixtureJson as unknown as TopologyInput & { capturedFrom: string };
const input = (): TopologyInput => JSON.parse(JSON.stringify(fixture)) as TopologyInput;

function pool(t: Topology, name: string): Pool {
  const p = t.pools.find((x) => x.name === name);
  assert.ok(p, `no pool ${name}`);
  return p;
}

describe('topology from captured API JSON', () => {
  const t = buildTopology(input());

  it('the fixture was captured from a real broker and is stable', () => {
    assert.match(fixture.capturedFrom, /^RabbitMQ 3\./);
    assert.equal(fixture.vhost, 'oslo');
    assert.ok(!JSON.stringify(fixture).includes('rmqp-test-'), 'the vhost name was not replaced');
    assert.equal(t.vhost, 'oslo');
  });

  it('shows the vhost\'s own exchanges, sorted, without the default and amq.* exchanges', () => {
    assert.deepEqual(t.exchanges.map((e) => e.name), ['events', 'nova', 'nova.headers']);
    assert.deepEqual(t.exchanges.map((e) => e.type), ['fanout', 'topic', 'headers']);
    assert.ok(fixture.exchanges.some((e) => e.name === ''), 'the capture holds the default exchange');
    assert.ok(fixture.exchanges.some((e) => e.name === 'amq.topic'));
  });

  it('shows the system exchanges on request, still sorted', () => {
    const all = buildTopology(input(), { includeSystemExchanges: true });
    const names = all.exchanges.map((e) => e.name);
    assert.ok(names.includes('') && names.includes('amq.direct') && names.includes('amq.rabbitmq.trace'));
    assert.deepEqual(names, [...names].sort((a, b) => a.localeCompare(b)));
    assert.equal(names.length, fixture.exchanges.length);
    // the default exchange's implicit bindings (one per queue) are not shown as bindings
    assert.deepEqual(all.exchanges.find((e) => e.name === '')?.bindings, []);
  });

  it('isSystemExchange', () => {
    assert.ok(isSystemExchange('') && isSystemExchange('amq.topic'));
    assert.ok(!isSystemExchange('nova') && !isSystemExchange('amqx'));
  });

  it('groups nova\'s bindings by key: one group of three pools, one exchange binding', () => {
    const nova = t.exchanges.find((e) => e.name === 'nova');
    assert.ok(nova);
    assert.deepEqual(nova.bindings.map((b) => b.routingKey), ['notifications.error', 'notifications.info']);
    const [error, info] = nova.bindings;
    assert.deepEqual(error.exchanges, ['events']);
    assert.deepEqual(error.pools, []);
    assert.deepEqual(info.pools.map((p) => p.name), ['audit', 'ceilometer', 'notifications.info']);
    assert.deepEqual(info.exchanges, []);
    assert.deepEqual(info.arguments, {});
  });

  it('ceilometer is a pool of 3 workers of one application, each with prefetch 10 and manual ack', () => {
    const p = pool(t, 'ceilometer');
    assert.equal(p.consumers, 3);
    assert.deepEqual(p.workers.map((w) => w.consumerTag), ['ceilometer-1', 'ceilometer-2', 'ceilometer-3']);
    assert.deepEqual(p.applications, ['ceilometer-collector']);
    for (const w of p.workers) {
      assert.equal(w.application, 'ceilometer-collector');
      assert.equal(w.prefetch, 10);
      assert.equal(w.ackRequired, true);
      assert.match(w.connection, /^127\.0\.0\.1:\d+ -> 127\.0\.0\.1:5672$/);
      assert.match(w.channel, / \(\d+\)$/);
      assert.equal(w.peer?.startsWith('127.0.0.1:'), true);
    }
    assert.equal(new Set(p.workers.map((w) => w.connection)).size, 3, 'three connections');
  });

  it('audit and the oslo default queue have their own applications; the default one consumes without acks', () => {
    assert.deepEqual(pool(t, 'audit').applications, ['audit-logger']);
    assert.equal(pool(t, 'audit').workers[0].prefetch, 1);
    const info = pool(t, 'notifications.info');
    assert.deepEqual(info.applications, ['oslo-default']);
    assert.equal(info.workers.length, 1);
    assert.equal(info.workers[0].ackRequired, false);
  });

  it('the same pool object is reachable from the binding and from the pool list', () => {
    const nova = t.exchanges.find((e) => e.name === 'nova');
    assert.equal(nova?.bindings[1].pools.find((p) => p.name === 'ceilometer'), pool(t, 'ceilometer'));
  });

  it('an exchange reached by an exchange binding shows its own pools with message counts', () => {
    const events = t.exchanges.find((e) => e.name === 'events');
    assert.deepEqual(events?.bindings.map((b) => [b.routingKey, b.pools.map((p) => p.name)]), [['', ['events.log']]]);
    const log = pool(t, 'events.log');
    assert.equal(log.messages, 2);
    assert.equal(log.ready, 2);
    assert.equal(log.unacked, 0);
    assert.deepEqual(log.workers, []);
    assert.deepEqual(log.applications, []);
  });

  it('keeps a headers binding\'s arguments (the API\'s "undefined" is a void value)', () => {
    const h = t.exchanges.find((e) => e.name === 'nova.headers');
    assert.equal(h?.bindings.length, 1);
    assert.deepEqual(h?.bindings[0].arguments, { format: 'json', trace: 'undefined', version: 2, 'x-match': 'all' });
    assert.deepEqual(h?.bindings[0].pools.map((p) => p.name), ['json-v2']);
  });

  it('lists every queue as a pool, sorted, including unbound ones', () => {
    assert.deepEqual(t.pools.map((p) => p.name), ['audit', 'ceilometer', 'events.log', 'json-v2', 'notifications.info', 'orphan']);
    const bound = new Set(t.exchanges.flatMap((e) => e.bindings.flatMap((b) => b.pools.map((p) => p.name))));
    assert.deepEqual(t.pools.filter((p) => !bound.has(p.name)).map((p) => p.name), ['orphan']);
  });

  it('pool properties from the queue: type, durability, arguments', () => {
    const p = pool(t, 'json-v2');
    assert.equal(p.type, 'classic');
    assert.equal(p.durable, false);
    assert.deepEqual(p.arguments, { 'x-max-length': 1000 });
    assert.equal(p.singleActiveConsumer, false);
    assert.equal(p.vhost, 'oslo');
  });

  it('topologyJson follows the CLI contract (camelCase, arguments only where there are some)', () => {
    const j = topologyJson(t);
    const nova = j.exchanges.find((e) => e.name === 'nova');
    assert.deepEqual(Object.keys(nova ?? {}).sort(), ['bindings', 'durable', 'name', 'type']);
    const info = nova?.bindings.find((b) => b.routingKey === 'notifications.info');
    assert.ok(info && !('arguments' in info) && !('exchanges' in info));
    const ceilo = info.pools.find((p) => p.name === 'ceilometer');
    assert.deepEqual(ceilo?.workers[0], { consumerTag: 'ceilometer-1', application: 'ceilometer-collector', prefetch: 10, ackRequired: true, active: true });
    assert.deepEqual(ceilo?.applications, ['ceilometer-collector']);
    assert.deepEqual(nova?.bindings.find((b) => b.routingKey === 'notifications.error')?.exchanges, ['events']);
    const headers = j.exchanges.find((e) => e.name === 'nova.headers')?.bindings[0];
    assert.deepEqual(headers?.arguments, { format: 'json', trace: 'undefined', version: 2, 'x-match': 'all' });
    assert.equal(j.pools.length, 6);
    assert.doesNotThrow(() => JSON.stringify(j));
  });

  it('routes over the captured bindings as RabbitMQ would', () => {
    const table = routingTable(fixture.exchanges, fixture.bindings, fixture.queues);
    assert.deepEqual(route(table, 'nova', 'notifications.info').pools, ['audit', 'ceilometer', 'notifications.info']);
    assert.deepEqual(route(table, 'nova', 'notifications.error').pools, ['events.log']);
    assert.deepEqual(route(table, 'nova', 'notifications.warn').pools, []);
    assert.deepEqual(route(table, 'nova.headers', '', { format: 'json', version: 2, trace: 'on' }).pools, ['json-v2']);
    assert.deepEqual(route(table, 'nova.headers', '', { format: 'json', version: 2 }).pools, [], 'trace must be present');
    assert.deepEqual(route(table, '', 'orphan').pools, ['orphan']);
  });

  describe('applications from connections', () => {
    const conn = (c: Partial<ApiConnection>): ApiConnection => ({ name: 'c', ...c });
    it('user_provided_name, then client_properties.connection_name, then product, then the fallback', () => {
      assert.equal(applicationOf(conn({ user_provided_name: 'a', client_properties: { connection_name: 'b', product: 'c' } }), 'f'), 'a');
      assert.equal(applicationOf(conn({ client_properties: { connection_name: 'b', product: 'c' } }), 'f'), 'b');
      assert.equal(applicationOf(conn({ client_properties: { product: 'pika' } }), 'f'), 'pika');
      assert.equal(applicationOf(conn({}), 'f'), 'f');
      assert.equal(applicationOf(undefined, 'f'), 'f');
    });

    it('two applications on one pool are both listed, sorted', () => {
      const i = input();
      const other = { ...i.connections[0], name: '127.0.0.1:49999 -> 127.0.0.1:5672', user_provided_name: 'aodh-listener' };
      i.connections.push(other);
      const c0 = i.consumers.find((c) => c.consumer_tag === 'ceilometer-1');
      assert.ok(c0?.channel_details);
      c0.channel_details = { ...c0.channel_details, connection_name: other.name };
      assert.deepEqual(pool(buildTopology(i), 'ceilometer').applications, ['aodh-listener', 'ceilometer-collector']);
    });

    it('oslo.messaging "<program>:<pid>:<uuid>" names: the processes of one program are one application, the full name kept per worker', () => {
      const i = input();
      const tags = ['ceilometer-1', 'ceilometer-2', 'ceilometer-3'];
      tags.forEach((tag, n) => {
        const name = `127.0.0.1:${50100 + n} -> 127.0.0.1:5672`;
        const clientName = `ceilometer-agent-notification:${2157 + n}:0cd5f39f-${n}b2c-4d3e-8f40-a1b2c3d4e5f${n}`;
        i.connections.push({ ...i.connections[0], name, user_provided_name: clientName, client_properties: { connection_name: clientName, product: 'py-amqp' } });
        const c = i.consumers.find((x) => x.consumer_tag === tag);
        assert.ok(c?.channel_details);
        c.channel_details = { ...c.channel_details, connection_name: name, name: `${name} (1)` };
        c.consumer_tag = '1'; // oslo tags each process's first consumer "1": a tag is unique per channel only
      });
      const p = pool(buildTopology(i), 'ceilometer');
      assert.deepEqual(p.applications, ['ceilometer-agent-notification']);
      assert.deepEqual(p.workers.map((w) => w.application), ['ceilometer-agent-notification', 'ceilometer-agent-notification', 'ceilometer-agent-notification']);
      assert.deepEqual(p.workers.map((w) => w.clientName?.split(':').slice(0, 2).join(':')),
        ['ceilometer-agent-notification:2157', 'ceilometer-agent-notification:2158', 'ceilometer-agent-notification:2159']);
      assert.deepEqual(topologyJson(buildTopology(i)).pools.find((x) => x.name === 'ceilometer')?.applications, ['ceilometer-agent-notification']);
      assert.deepEqual(p.workers.map((w) => w.consumerTag), ['1', '1', '1']);
      assert.equal(new Set(p.workers.map((w) => w.id)).size, 3, `each worker has its own id: ${p.workers.map((w) => w.id).join(' | ')}`);
      assert.match(p.workers[0].id, /^1 @ ceilometer-agent-notification:2157:/);
    });

    it('applicationKey: only the oslo pattern is shortened', () => {
      assert.equal(applicationKey('nova-compute:7:0f6e8a4e-5a34-4d8e-9a0e-6d1c2f3b4a51'), 'nova-compute');
      assert.equal(applicationKey('a:b:7:0f6e8a4e-5a34-4d8e-9a0e-6d1c2f3b4a51'), 'a:b', 'a program name with colons keeps them');
      assert.equal(applicationKey('nova-compute:x:0f6e8a4e-5a34-4d8e-9a0e-6d1c2f3b4a51'), 'nova-compute:x:0f6e8a4e-5a34-4d8e-9a0e-6d1c2f3b4a51', 'the pid must be a number');
      assert.equal(applicationKey('rmq-pools:ceilometer'), 'rmq-pools:ceilometer');
    });

    it('workers known only by their peer are not applications', () => {
      const i = input();
      i.connections = [];
      assert.deepEqual(pool(buildTopology(i), 'ceilometer').applications, []);
    });

    it('a consumer whose connection is gone is named after its peer', () => {
      const i = input();
      i.connections = [];
      const w = pool(buildTopology(i), 'audit').workers[0];
      assert.match(w.application, /^127\.0\.0\.1:\d+$/);
    });
  });
});

describe('topology from partial API JSON (fast-check)', () => {
  const names = fc.constantFrom('', 'a', 'b', 'nova', 'amq.topic', 'constructor', '__proto__', 'toString');
  const args = fc.oneof(fc.constant(undefined), fc.dictionary(fc.constantFrom('x-match', 'x-queue-type', 'format', 'x-single-active-consumer'), fc.jsonValue(), { maxKeys: 3 }));
  const opt = { requiredKeys: [] as [] };
  const exchange = fc.record({ name: names, vhost: names, type: fc.constantFrom('topic', 'fanout', 'direct', 'headers', 'x-weird'), durable: fc.boolean(), internal: fc.boolean(), auto_delete: fc.boolean(), arguments: args }, opt);
  const rate = fc.record({ rate: fc.double() }, opt);
  const queue = fc.record({
    name: names, vhost: names, durable: fc.boolean(), arguments: args, type: fc.constantFrom('classic', 'quorum', 'stream'), messages: fc.nat(), messages_ready: fc.nat(),
    consumers: fc.nat(), node: fc.string(), members: fc.array(fc.string()), message_stats: fc.record({ publish_details: rate, deliver_get_details: rate, ack_details: rate }, opt),
  }, opt);
  const binding = fc.record({ source: names, vhost: names, destination: names, destination_type: fc.constantFrom('queue', 'exchange'), routing_key: fc.string(), arguments: args }, opt);
  const channelDetails = fc.oneof(
    fc.record({ connection_name: names, name: fc.string(), peer_host: fc.string(), peer_port: fc.nat() }, opt),
    fc.constant([] as unknown as Record<string, never>), // what RabbitMQ sends when the channel is gone
  );
  const consumer = fc.record({
    consumer_tag: fc.string(), ack_required: fc.boolean(), active: fc.boolean(), prefetch_count: fc.nat(), exclusive: fc.boolean(),
    channel_details: channelDetails, queue: fc.record({ name: names, vhost: names }, opt),
  }, opt);
  const connection = fc.record({
    name: names, user_provided_name: fc.string(), node: fc.string(),
    client_properties: fc.record({ connection_name: fc.oneof(fc.string(), fc.integer()), product: fc.string() }, opt),
  }, opt);

  it('never throws, and keeps its invariants, whatever fields are missing', () => {
    fc.assert(fc.property(
      fc.array(exchange, { maxLength: 6 }), fc.array(queue, { maxLength: 6 }), fc.array(binding, { maxLength: 10 }),
      fc.array(consumer, { maxLength: 8 }), fc.array(connection, { maxLength: 4 }), fc.boolean(),
      (exchanges, queues, bindings, consumers, connections, includeSystemExchanges) => {
        const t = buildTopology({
          vhost: 'v', exchanges: exchanges as ApiExchange[], queues: queues as ApiQueue[], bindings: bindings as ApiBinding[],
          consumers: consumers as ApiConsumer[], connections: connections as ApiConnection[],
        }, { includeSystemExchanges });
        const j = topologyJson(t);
        JSON.stringify(j);
        assert.ok(t.pools.length <= queues.length);
        assert.deepEqual(t.exchanges.map((e) => e.name), [...t.exchanges.map((e) => e.name)].sort((a, b) => a.localeCompare(b)));
        for (const e of t.exchanges) {
          assert.equal(typeof e.name, 'string');
          if (!includeSystemExchanges) { assert.ok(!isSystemExchange(e.name)); }
          for (const b of e.bindings) {
            assert.equal(typeof b.routingKey, 'string');
            assert.equal(new Set(b.pools.map((p) => p.name)).size, b.pools.length, 'a pool appears once per binding group');
          }
        }
        for (const p of t.pools) {
          assert.deepEqual(p.applications, [...new Set(p.applications)].sort());
          for (const w of p.workers) { assert.equal(typeof w.consumerTag, 'string'); assert.equal(typeof w.application, 'string'); }
        }
      },
    ), { numRuns: 500 });
  });

  it('does not throw on objects with every field missing', () => {
    const t = buildTopology({
      vhost: 'v', exchanges: [{}, {}] as ApiExchange[], queues: [{}, {}] as ApiQueue[], bindings: [{}, {}] as ApiBinding[],
      consumers: [{}, {}] as ApiConsumer[], connections: [{}] as ApiConnection[],
    }, { includeSystemExchanges: true });
    assert.doesNotThrow(() => JSON.stringify(topologyJson(t)));
  });
});
