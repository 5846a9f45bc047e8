/**
 * Fuzz (fast-check): whatever a broker (or something pretending to be one) answers, the parsers turn it into a model or a
 * decode error and never throw. Management-API-shaped objects whose fields are either plausible or arbitrary JSON go
 * through buildTopology → diagnose → routing → the tree's helpers → JSON output; arbitrary bytes and mangled envelopes
 * through the oslo decoder; arbitrary numbers through the counters. Names include the ones that break naive code
 * ("__proto__", "constructor", "", "amq.*", markup, RTL marks).
 */
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { decode, encodeBuffer, makeNotification, messageIdOf } from '../../src/broker/oslo';
import { buildTopology, groupBindings, emptyPool, topologyJson, workersByQueue, TopologyInput } from '../../src/broker/topology';
import { deliveryWindowsFromChannels, diagnose, findingJson, globalPrefetchOf, routingTableOf, KeyQuery } from '../../src/broker/diagnose';
import { parseHeaderFlag, route, routingTable, topicMatches, headersMatch, bindingMatches } from '../../src/broker/routing';
import { DeliveryCounter, IdTracker, LatencyHistogram, percentileOf, rateOf, spreadOf, sumCounters } from '../../src/broker/counts';
import { AuditTally, approximateAuditResult } from '../../src/broker/auditTally';
import type { ApiBinding, ApiChannel, ApiConnection, ApiConsumer, ApiExchange, ApiNode, ApiQueue } from '../../src/broker/management';
import { safe } from '../../src/cli/output';

const RUNS = Number(process.env.FUZZ_RUNS ?? 300);

const names = fc.constantFrom('nova', 'q1', 'q2', 'ceilometer', 'notifications.info', 'amq.topic', 'amq.direct', '', '__proto__', 'constructor',
  'toString', 'hasOwnProperty', '<img src=x onerror=alert(1)>', '"><script>x</script>', '\u202Egnp.exe', 'x'.repeat(300), 'é.#.*');
const scalar = fc.oneof(fc.string(), fc.integer(), fc.double(), fc.boolean(), fc.constant(null), fc.constant(undefined));
const { json } = fc.letrec((tie) => ({
  json: fc.oneof({ depthSize: 'small' }, scalar, fc.array(tie('json'), { maxLength: 3 }), fc.dictionary(fc.oneof(fc.string(), names), tie('json'), { maxKeys: 3 })),
}));
/** Mostly the plausible value, sometimes anything at all. */
const or = <T>(a: fc.Arbitrary<T>): fc.Arbitrary<unknown> => fc.oneof({ weight: 5, arbitrary: a }, { weight: 1, arbitrary: json });
const num = or(fc.oneof(fc.nat(), fc.integer(), fc.double(), fc.constant(NaN), fc.constant(Infinity)));
const rates = or(fc.record({ rate: num }, { requiredKeys: [] }));
const stats = or(fc.record({ publish: num, deliver_get: num, deliver: num, ack: num, redeliver: num, deliver_get_details: rates, ack_details: rates, redeliver_details: rates }, { requiredKeys: [] }));
const args = or(fc.dictionary(fc.oneof(fc.constantFrom('x-match', 'alternate-exchange', 'x-queue-type', 'x-max-length', 'format'), fc.string(), names), or(fc.oneof(fc.string(), names, fc.integer(), fc.boolean(), fc.constantFrom('all', 'any', 'undefined')))));
const key = or(fc.oneof(names, fc.array(fc.constantFrom('a', 'b', '*', '#', 'notifications', 'info', ''), { maxLength: 5 }).map((w) => w.join('.'))));
const node = or(fc.constantFrom('rabbit@a', 'rabbit@b', 'rabbit@c'));

const exchange = fc.record({ name: or(names), vhost: or(fc.constant('/')), type: or(fc.constantFrom('direct', 'fanout', 'topic', 'headers', 'x-consistent-hash', '')), arguments: args, durable: or(fc.boolean()), internal: or(fc.boolean()), message_stats: stats }, { requiredKeys: [] });
const queue = fc.record({
  name: or(names), vhost: or(fc.constant('/')), type: or(fc.constantFrom('classic', 'quorum', 'stream')), arguments: args, durable: or(fc.boolean()), auto_delete: or(fc.boolean()), exclusive: or(fc.boolean()),
  messages: num, messages_ready: num, messages_unacknowledged: num, consumers: num, state: or(fc.constantFrom('running', 'down', 'minority')), node, leader: node,
  members: or(fc.array(node, { maxLength: 3 })), online: or(fc.array(node, { maxLength: 3 })), single_active_consumer_tag: or(fc.oneof(fc.string(), fc.constant(null))), message_stats: stats, policy: or(fc.string()),
}, { requiredKeys: [] });
const binding = fc.record({ source: or(names), vhost: or(fc.constant('/')), destination: or(names), destination_type: or(fc.constantFrom('queue', 'exchange')), routing_key: key, arguments: args, properties_key: or(fc.string()) }, { requiredKeys: [] });
const chDetails = or(fc.record({ connection_name: or(fc.constantFrom('c1', 'c2', 'c3')), name: or(fc.constantFrom('ch1', 'ch2', 'ch3')), number: num, peer_host: or(fc.constant('127.0.0.1')), peer_port: num, node }, { requiredKeys: [] }));
const consumer = fc.record({
  consumer_tag: or(fc.oneof(fc.string(), names)), ack_required: or(fc.boolean()), prefetch_count: num, active: or(fc.boolean()), activity_status: or(fc.constantFrom('up', 'waiting', 'single_active')),
  exclusive: or(fc.boolean()), arguments: args, channel_details: chDetails, queue: or(fc.record({ name: or(names), vhost: or(fc.constant('/')) }, { requiredKeys: [] })),
}, { requiredKeys: [] });
const connection = fc.record({
  name: or(fc.constantFrom('c1', 'c2', 'c3')), user: or(fc.string()), node, user_provided_name: or(fc.oneof(fc.string(), names)), state: or(fc.string()), peer_host: or(fc.string()), peer_port: num,
  client_properties: or(fc.record({ connection_name: or(fc.oneof(names, fc.constantFrom('rmq-pools:ceilometer', 'nova-compute:host1'))), product: or(fc.string()), platform: or(fc.string()) }, { requiredKeys: [] })),
}, { requiredKeys: [] });
const channel = fc.record({ name: or(fc.constantFrom('ch1', 'ch2', 'ch3')), number: num, prefetch_count: num, global_prefetch_count: num, consumer_count: num, messages_unacknowledged: num, connection_details: or(fc.record({ name: or(fc.constantFrom('c1', 'c2')) }, { requiredKeys: [] })), message_stats: stats, node }, { requiredKeys: [] });
const apiNode = fc.record({ name: node, running: or(fc.boolean()) }, { requiredKeys: [] });

/** A whole /api/* snapshot: lists of shaped objects, or (rarely) something that is not a list at all. */
const listOf = <T>(a: fc.Arbitrary<T>) => fc.oneof({ weight: 8, arbitrary: fc.array(a, { maxLength: 8 }) }, { weight: 1, arbitrary: fc.constantFrom(undefined, null, [], [null], [1, 'x']) });
/** What JSON.parse can give (no undefined, no null-prototype objects): the parsers' real input. */
const viaJson = <T>(a: fc.Arbitrary<T>): fc.Arbitrary<T> => a.map((v) => JSON.parse(JSON.stringify(v ?? null) ?? 'null') as T);
const snapshot = viaJson(fc.record({
  exchanges: listOf(exchange), queues: listOf(queue), bindings: listOf(binding), consumers: listOf(consumer), connections: listOf(connection),
}));
const headerValues = fc.dictionary(fc.oneof(fc.string(), names), fc.oneof(fc.string(), fc.integer(), fc.boolean(), fc.double()), { maxKeys: 3 });

function topologyOf(s: Record<string, unknown>): ReturnType<typeof buildTopology> {
  return buildTopology({ vhost: '/', ...s } as unknown as TopologyInput, { includeSystemExchanges: true });
}

describe('fuzz: the management-JSON → model parsers and the oslo decoder never throw', function () {
  this.timeout(120_000);

  it('buildTopology → diagnose (with previous snapshot, key queries, channel windows, nodes) → JSON output', () => {
    fc.assert(fc.property(snapshot, snapshot, viaJson(listOf(channel)), viaJson(listOf(channel)), viaJson(listOf(apiNode)), fc.array(fc.record({ exchange: names, routingKey: fc.oneof(names, fc.string()), headers: fc.option(headerValues, { nil: undefined }) }), { maxLength: 3 }),
      (s1, s2, before, after, nodes, keys) => {
        const t = topologyOf(s1);
        const previous = topologyOf(s2);
        const chBefore = (Array.isArray(before) ? before : []) as ApiChannel[];
        const chAfter = (Array.isArray(after) ? after : []) as ApiChannel[];
        const deliveries = deliveryWindowsFromChannels(t, chBefore, chAfter, 5);
        const findings = diagnose(t, {
          previous, intervalSeconds: 10, keys: keys as KeyQuery[], deliveries, globalPrefetch: globalPrefetchOf(chAfter),
          nodes: (Array.isArray(nodes) ? nodes : []) as ApiNode[],
        });
        for (const f of findings) {
          const j = findingJson(f);
          assert.equal(typeof j.message, 'string');
        }
        // Output must be serialisable (no cycles, no BigInt) and the model's names strings.
        JSON.stringify(topologyJson(t));
        for (const p of t.pools) { assert.equal(typeof p.name, 'string'); }
        for (const e of t.exchanges) { assert.equal(typeof e.name, 'string'); }
      }), { numRuns: RUNS });
  });

  it('routing: routingTable / route / routingTableOf over arbitrary exchanges and bindings, with arbitrary keys and headers', () => {
    fc.assert(fc.property(viaJson(listOf(exchange)), viaJson(listOf(binding)), viaJson(listOf(queue)), names, fc.oneof(fc.string(), key), headerValues, (ex, bs, qs, x, k, h) => {
      const exs = (Array.isArray(ex) ? ex : []).filter((e) => e && typeof e === 'object') as ApiExchange[];
      const bss = (Array.isArray(bs) ? bs : []).filter((b) => b && typeof b === 'object') as ApiBinding[];
      const qss = (Array.isArray(qs) ? qs : []).filter((q) => q && typeof q === 'object') as ApiQueue[];
      const rk = typeof k === 'string' ? k : '';
      const r = route(routingTable(exs, bss, qss), x, rk, h);
      assert.ok(Array.isArray(r.pools));
      for (const p of r.pools) { assert.ok(Object.prototype.hasOwnProperty.call(r.paths, p)); }
      const t = topologyOf({ exchanges: exs, bindings: bss, queues: qss, consumers: [], connections: [] });
      route(routingTableOf(t), x, rk, h);
    }), { numRuns: RUNS });
  });

  it('routing primitives: topicMatches, headersMatch, bindingMatches, parseHeaderFlag', () => {
    fc.assert(fc.property(fc.oneof(fc.string(), key), fc.oneof(fc.string(), key), args, headerValues, fc.string(), (pattern, rk, a, h, flag) => {
      if (typeof pattern === 'string' && typeof rk === 'string') { assert.equal(typeof topicMatches(pattern, rk), 'boolean'); }
      headersMatch(a as Record<string, unknown> | undefined, h);
      for (const type of ['direct', 'fanout', 'topic', 'headers', 'x-other']) {
        bindingMatches(type, { routingKey: typeof pattern === 'string' ? pattern : '', arguments: a as Record<string, unknown> | undefined }, typeof rk === 'string' ? rk : '', h);
      }
      try { parseHeaderFlag(flag); } catch (e) { assert.equal((e as { kind?: string }).kind, 'invalid-input'); }
    }), { numRuns: RUNS * 3 });
  });

  it('the tree\'s helpers: workersByQueue and groupBindings', () => {
    fc.assert(fc.property(viaJson(listOf(consumer)), viaJson(listOf(connection)), viaJson(listOf(binding)), (cs, conns, bs) => {
      const m = workersByQueue((Array.isArray(cs) ? cs : []) as ApiConsumer[], (Array.isArray(conns) ? conns : []) as ApiConnection[]);
      for (const [q, ws] of m) { assert.equal(typeof q, 'string'); assert.ok(ws.every((w) => typeof w.application === 'string')); }
      groupBindings((Array.isArray(bs) ? bs : []).filter((b) => b && typeof b === 'object') as ApiBinding[], (n) => emptyPool(String(n), '/'));
    }), { numRuns: RUNS });
  });

  it('oslo decode: arbitrary bytes, arbitrary JSON, mangled envelopes → a result, never a throw', () => {
    const envelope = fc.record({ 'oslo.version': or(fc.constantFrom('2.0', '1.0', '2.x')), 'oslo.message': or(fc.oneof(fc.string(), json.map((v) => JSON.stringify(v) ?? ''))) }, { requiredKeys: [] });
    const body = fc.oneof(
      fc.uint8Array({ maxLength: 200 }).map((a) => Buffer.from(a)),
      fc.string().map((s) => Buffer.from(s)),
      json.map((v) => Buffer.from(JSON.stringify(v) ?? 'undefined')),
      envelope.map((v) => Buffer.from(JSON.stringify(v))),
      // A valid notification, cut or with a byte flipped.
      fc.tuple(fc.string(), fc.nat(), fc.integer({ min: 0, max: 255 })).map(([s, i, b]) => {
        const buf = encodeBuffer(makeNotification({ event_type: s || 'x', payload: { s } }));
        const out = Buffer.from(buf.subarray(0, (i % buf.length) + 1));
        out[i % out.length] = b;
        return out;
      }),
    );
    fc.assert(fc.property(body, (b) => {
      const r = decode(b);
      assert.equal(typeof r.ok, 'boolean');
      if (r.ok) { assert.equal(typeof r.notification.message_id, 'string'); } else { assert.equal(typeof r.error.message, 'string'); }
      const id = messageIdOf(b);
      assert.ok(id === undefined || typeof id === 'string');
      decode(b.toString('latin1'));
    }), { numRuns: RUNS * 3 });
  });

  it('counts: arbitrary numbers into the histogram, counters, spread, rates and audit results', () => {
    const n = fc.oneof(fc.double(), fc.integer(), fc.constant(NaN), fc.constant(Infinity), fc.constant(-Infinity), fc.constant(-0));
    fc.assert(fc.property(fc.array(n, { maxLength: 50 }), n, n, n, n, fc.array(fc.string(), { maxLength: 20 }), (xs, a, b, c, d, ids) => {
      const h = new LatencyHistogram();
      for (const x of xs) { h.record(x); }
      const s = h.summary();
      assert.ok(s.count <= xs.length);
      percentileOf(xs, Number.isFinite(a) ? Math.abs(a) % 101 : 50);
      spreadOf(xs.map((x) => (Number.isFinite(x) ? Math.abs(x) : 0)));
      rateOf(a, b, c, d);
      const counter = new DeliveryCounter();
      const tracker = new IdTracker(5);
      const tally = new AuditTally('p', ['w1']);
      for (const [i, id] of ids.entries()) {
        counter.record(i % 3 === 0, tracker.seen(id), id !== '', xs[i] ?? NaN);
        tally.record(i % 2 ? 'w1' : 'w2', id, xs[i] ?? NaN);
      }
      sumCounters([counter, new DeliveryCounter()]);
      const res = tally.result(new Set(ids.slice(0, 10)));
      assert.ok(res.missing >= 0 && res.received >= 0);
      const approx = approximateAuditResult('p', Number.isFinite(a) ? Math.trunc(Math.abs(a)) : 0, Number.isFinite(b) ? Math.trunc(b) : undefined, Number.isFinite(c) ? Math.trunc(Math.abs(c)) : 0);
      assert.equal(approx.exact, false);
    }), { numRuns: RUNS });
  });

  it('CLI output: safe() leaves no control character, bidi override or isolate in any name', () => {
    fc.assert(fc.property(fc.oneof(fc.string({ unit: 'binary' }), names), (s) => {
      // eslint-disable-next-line no-control-regex
      assert.doesNotMatch(safe(s), /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/);
    }), { numRuns: RUNS * 3 });
  });
});
