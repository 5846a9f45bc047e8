import * as assert from 'node:assert/strict';
import type { ApiBinding, ApiChannel, ApiConnection, ApiConsumer, ApiQueue } from '../../src/broker/management';
import { applicationKey, buildTopology, Topology } from '../../src/broker/topology';
import {
  Finding, atLeast, coefficientOfVariation, deliveryWindowsFromChannels, diagnose, findingJson, isOsloDefaultQueue,
} from '../../src/broker/diagnose';

const V = 'v';

interface W { tag: string; app?: string; prefetch?: number; ack?: boolean; active?: boolean; channel?: string }
interface Q { name: string; messages?: number; sac?: boolean; workers?: W[]; bind?: [string, string][] }

/** A hand-built snapshot: queues with workers (each on its own connection named after its application) and bindings. */
function topo(queues: Q[], exchanges: [string, string][] = [['nova', 'topic']]): Topology {
  const apiQueues: ApiQueue[] = [];
  const bindings: ApiBinding[] = [];
  const consumers: ApiConsumer[] = [];
  const connections: ApiConnection[] = [];
  let port = 40000;
  for (const q of queues) {
    const ws = q.workers ?? [];
    apiQueues.push({ name: q.name, vhost: V, messages: q.messages ?? 0, consumers: ws.length, arguments: q.sac ? { 'x-single-active-consumer': true } : {} });
    for (const [ex, key] of q.bind ?? [['nova', 'notifications.info']]) {
      bindings.push({ source: ex, vhost: V, destination: q.name, destination_type: 'queue', routing_key: key });
    }
    for (const w of ws) {
      const conn = `127.0.0.1:${port++} -> 127.0.0.1:5672`;
      if (w.app !== undefined) { connections.push({ name: conn, client_properties: { connection_name: w.app } }); }
      consumers.push({
        consumer_tag: w.tag, prefetch_count: w.prefetch ?? 10, ack_required: w.ack ?? true, active: w.active ?? true,
        queue: { name: q.name, vhost: V }, channel_details: { connection_name: conn, name: w.channel ?? `${conn} (1)`, peer_host: '127.0.0.1', peer_port: port - 1 },
      });
    }
  }
  return buildTopology({ vhost: V, exchanges: exchanges.map(([name, type]) => ({ name, type, vhost: V })), queues: apiQueues, bindings, consumers, connections }, { includeSystemExchanges: true });
}

const kinds = (fs: Finding[]) => fs.map((f) => `${f.kind}:${f.pool ?? `${f.exchange}/${f.routingKey}`}`);

/** The healthy oslo layout: ceilometer (two processes of one service), audit, monitoring, each its own pool. */
function healthy(extra: Q[] = []): Q[] {
  return [
    { name: 'ceilometer', workers: [
      { tag: 'c1', app: 'ceilometer-agent-notification:1201:0f6e8a4e-5a34-4d8e-9a0e-6d1c2f3b4a51' },
      { tag: 'c2', app: 'ceilometer-agent-notification:1202:7a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d' },
    ] },
    { name: 'audit', workers: [{ tag: 'a1', app: 'audit' }] },
    { name: 'monitoring', workers: [{ tag: 'm1', app: 'monitoring' }, { tag: 'm2', app: 'monitoring' }] },
    ...extra,
  ];
}

describe('diagnose (pure rules)', () => {
  it('finds nothing in a healthy oslo-style topology, even with a known key and an even delivery window', () => {
    const t = topo(healthy());
    const fs = diagnose(t, {
      previous: t, keys: [{ exchange: 'nova', routingKey: 'notifications.info' }],
      deliveries: [{ pool: 'monitoring', perWorker: { m1: 510, m2: 490 } }],
    });
    assert.deepEqual(fs, []);
  });

  it('normalises oslo.messaging connection names "<program>:<pid>:<uuid>" to the program', () => {
    assert.equal(applicationKey('ceilometer-agent-notification:1201:0f6e8a4e-5a34-4d8e-9a0e-6d1c2f3b4a51'), 'ceilometer-agent-notification');
    assert.equal(applicationKey('rmq-pools:ceilometer'), 'rmq-pools:ceilometer');
    assert.equal(applicationKey('audit'), 'audit');
  });

  it('shared-pool: two applications on one pool, naming both and their workers', () => {
    const t = topo(healthy([{ name: 'shared', workers: [{ tag: 's1', app: 'ceilometer' }, { tag: 's2', app: 'audit' }], bind: [['nova', 'notifications.error']] }]));
    const fs = diagnose(t);
    assert.deepEqual(kinds(fs), ['shared-pool:shared']);
    assert.equal(fs[0].severity, 'error');
    assert.deepEqual(fs[0].applications, ['audit', 'ceilometer']);
    assert.deepEqual(fs[0].workers, ['s1', 's2']);
    assert.match(fs[0].message, /steal each other's messages/);
    assert.match(fs[0].action, /own pool/);
  });

  it('shared-pool ignores workers without a name (peer address only): they cannot be told apart', () => {
    const t = topo([{ name: 'anon', workers: [{ tag: 'x1' }, { tag: 'x2' }, { tag: 'x3', app: 'audit' }] }]);
    assert.deepEqual(diagnose(t), []);
  });

  it('pool-without-workers: by backlog threshold, and by growth against a previous snapshot', () => {
    const under = topo(healthy([{ name: 'orphan', messages: 999 }]));
    assert.deepEqual(diagnose(under), [], 'below the default threshold of 1000 and no previous snapshot');
    const over = topo(healthy([{ name: 'orphan', messages: 1000 }]));
    assert.deepEqual(kinds(diagnose(over)), ['pool-without-workers:orphan']);
    assert.deepEqual(kinds(diagnose(under, { thresholds: { backlogMessages: 50 } })), ['pool-without-workers:orphan']);

    const before = topo(healthy([{ name: 'orphan', messages: 3 }]));
    const after = topo(healthy([{ name: 'orphan', messages: 7 }]));
    const fs = diagnose(after, { previous: before, intervalSeconds: 6 });
    assert.deepEqual(kinds(fs), ['pool-without-workers:orphan']);
    assert.match(fs[0].message, /grew by 4 messages in 6 s/);
    assert.deepEqual(diagnose(after, { previous: after }), [], 'no growth, under threshold');
    assert.deepEqual(diagnose(before, { previous: after }), [], 'shrinking');
  });

  it('pool-without-workers needs a binding: an unbound queue is not a pool anybody publishes to', () => {
    assert.deepEqual(diagnose(topo([{ name: 'loose', messages: 5000, bind: [] }])), []);
  });

  it('unconsumed-default-queue: notifications.info bound with its own name, unconsumed, while pools on that key are consumed', () => {
    const t = topo(healthy([{ name: 'notifications.info', messages: 12 }]));
    const fs = diagnose(t);
    assert.deepEqual(kinds(fs), ['unconsumed-default-queue:notifications.info']);
    assert.equal(fs[0].exchange, 'nova');
    assert.equal(fs[0].routingKey, 'notifications.info');
    assert.match(fs[0].message, /notifier declares this default queue/);
    assert.match(fs[0].action, /max-length/);
    // empty: nothing piles up (yet)
    assert.deepEqual(diagnose(topo(healthy([{ name: 'notifications.info', messages: 0 }]))), []);
    // no consumed pool beside it: the generic rule applies instead
    const alone = topo([{ name: 'notifications.info', messages: 2000 }]);
    assert.deepEqual(kinds(diagnose(alone)), ['pool-without-workers:notifications.info']);
  });

  it('recognises the oslo default queue name only with a priority suffix and its own name as key', () => {
    assert.equal(isOsloDefaultQueue('notifications.info', 'notifications.info'), true);
    assert.equal(isOsloDefaultQueue('versioned_notifications.error', 'versioned_notifications.error'), true);
    assert.equal(isOsloDefaultQueue('notifications.info', 'notifications.*'), false);
    assert.equal(isOsloDefaultQueue('ceilometer', 'ceilometer'), false);
  });

  it('unroutable-key: a key no binding matches, a missing exchange; a matching key and the default exchange are fine', () => {
    const t = topo(healthy([{ name: 'errors', workers: [{ tag: 'e1', app: 'errors' }], bind: [['nova', 'notifications.#.error']] }]));
    const fs = diagnose(t, { keys: [
      { exchange: 'nova', routingKey: 'notifications.warn' },
      { exchange: 'nova', routingKey: 'notifications.x.y.error' },
      { exchange: 'glance', routingKey: 'notifications.info' },
      { exchange: '', routingKey: 'audit' },
    ] });
    assert.deepEqual(kinds(fs), ['unroutable-key:glance/notifications.info', 'unroutable-key:nova/notifications.warn']);
    assert.ok(fs.every((f) => f.severity === 'error' && f.pool === undefined));
    assert.match(fs[0].message, /no exchange "glance"/);
    assert.match(fs[1].message, /matches no binding/);
  });

  it('no-prefetch and auto-ack-workers: one finding per pool listing the workers; auto-ack workers are not also "no prefetch"', () => {
    const t = topo(healthy([
      { name: 'greedy', workers: [{ tag: 'g1', app: 'greedy', prefetch: 0 }, { tag: 'g2', app: 'greedy', prefetch: 10 }] },
      { name: 'careless', workers: [{ tag: 'k1', app: 'careless', prefetch: 0, ack: false }] },
    ]));
    const fs = diagnose(t);
    assert.deepEqual(kinds(fs), ['auto-ack-workers:careless', 'no-prefetch:greedy']);
    assert.deepEqual(fs.find((f) => f.kind === 'no-prefetch')?.workers, ['g1']);
    assert.deepEqual(fs.find((f) => f.kind === 'auto-ack-workers')?.workers, ['k1']);
  });

  it('no-prefetch is silent when the channel has a global prefetch', () => {
    const t = topo([{ name: 'greedy', workers: [{ tag: 'g1', app: 'greedy', prefetch: 0, channel: 'ch-g1' }] }]);
    assert.deepEqual(kinds(diagnose(t)), ['no-prefetch:greedy']);
    assert.deepEqual(diagnose(t, { globalPrefetch: { 'ch-g1': 20 } }), []);
  });

  it('single-active-consumer: info naming the waiting workers; a lone worker is fine', () => {
    const t = topo(healthy([{ name: 'ordered', sac: true, workers: [{ tag: 'o1', app: 'ordered' }, { tag: 'o2', app: 'ordered', active: false }, { tag: 'o3', app: 'ordered', active: false }] }]));
    const fs = diagnose(t);
    assert.deepEqual(kinds(fs), ['single-active-consumer:ordered']);
    assert.equal(fs[0].severity, 'info');
    assert.deepEqual(fs[0].workers, ['o2', 'o3']);
    assert.deepEqual(diagnose(topo([{ name: 'ordered', sac: true, workers: [{ tag: 'o1', app: 'ordered' }] }])), []);
  });

  it('lopsided-pool: coefficient of variation above the threshold with enough messages', () => {
    const t = topo(healthy());
    assert.ok(Math.abs(coefficientOfVariation([190, 10]) - 0.9) < 1e-9);
    assert.equal(coefficientOfVariation([0, 0]), 0);
    const lop = diagnose(t, { deliveries: [{ pool: 'monitoring', perWorker: { m1: 190, m2: 10 } }] });
    assert.deepEqual(kinds(lop), ['lopsided-pool:monitoring']);
    assert.deepEqual(lop[0].workers, ['m2']);
    assert.match(lop[0].message, /m1 190 \(95%\), m2 10 \(5%\)/);
    // too few messages to judge, or even enough
    assert.deepEqual(diagnose(t, { deliveries: [{ pool: 'monitoring', perWorker: { m1: 19, m2: 1 } }] }), []);
    assert.deepEqual(diagnose(t, { deliveries: [{ pool: 'monitoring', perWorker: { m1: 130, m2: 70 } }] }), []); // cv 0.30
    assert.deepEqual(kinds(diagnose(t, { deliveries: [{ pool: 'monitoring', perWorker: { m1: 130, m2: 70 } }], thresholds: { lopsidedCv: 0.25 } })), ['lopsided-pool:monitoring']);
    // single worker: nothing to compare
    assert.deepEqual(diagnose(t, { deliveries: [{ pool: 'audit', perWorker: { a1: 500 } }] }), []);
  });

  it('lopsided-pool is silent for a single-active-consumer pool (lopsided by design)', () => {
    const t = topo([{ name: 'ordered', sac: true, workers: [{ tag: 'o1', app: 'ordered' }] }]);
    assert.deepEqual(diagnose(t, { deliveries: [{ pool: 'ordered', perWorker: { o1: 500, o2: 0 } }] }), []);
  });

  it('per-worker windows from channel stats: only pools whose workers are alone on their channels', () => {
    const t = topo([
      { name: 'p', workers: [{ tag: 'w1', app: 'a', channel: 'c1' }, { tag: 'w2', app: 'a', channel: 'c2' }] },
      { name: 'q', workers: [{ tag: 'x1', app: 'b', channel: 'c3' }, { tag: 'x2', app: 'b', channel: 'c3' }] },
    ]);
    const ch = (name: string, deliver?: number, noAck = 0): ApiChannel => ({ name, ...(deliver === undefined ? {} : { message_stats: { deliver, deliver_no_ack: noAck } }) });
    const w = deliveryWindowsFromChannels(t, [ch('c1', 100), ch('c2'), ch('c3', 5)], [ch('c1', 290), ch('c2', 0, 10), ch('c3', 500)], 6);
    assert.deepEqual(w, [{ pool: 'p', perWorker: { w1: 190, w2: 10 }, seconds: 6, source: 'management' }]);
    assert.deepEqual(kinds(diagnose(t, { deliveries: w })), ['lopsided-pool:p']);
    assert.deepEqual(deliveryWindowsFromChannels(t, [ch('c1', 100)], [ch('c1', 290), ch('c2', 10)]), [], 'c2 appeared during the window');
  });

  it('sorts by severity and serialises with pool always present', () => {
    const t = topo([
      { name: 'ordered', sac: true, workers: [{ tag: 'o1', app: 'o' }, { tag: 'o2', app: 'o' }] },
      { name: 'shared', workers: [{ tag: 's1', app: 'a', prefetch: 0 }, { tag: 's2', app: 'b' }] },
    ]);
    const fs = diagnose(t, { keys: [{ exchange: 'nova', routingKey: 'nothing.here' }] });
    assert.deepEqual(fs.map((f) => f.severity), ['error', 'error', 'warning', 'info']);
    assert.deepEqual(kinds(fs), ['shared-pool:shared', 'unroutable-key:nova/nothing.here', 'no-prefetch:shared', 'single-active-consumer:ordered']);
    const j = findingJson(fs[1]);
    assert.equal(j.pool, null);
    assert.equal(j.exchange, 'nova');
    assert.ok(atLeast('error', 'warning') && atLeast('warning', 'warning') && !atLeast('info', 'warning'));
  });
});
