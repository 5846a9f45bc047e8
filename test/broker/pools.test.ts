/**
 * WorkerPool, the publisher and the audit against the real broker, in a fresh vhost.
 * Every wait is bounded (until / deadlines); nothing sleeps a fixed time to wait for a condition.
 */
import * as assert from 'node:assert/strict';
import { TestVhost, freshVhost, until } from '../support/broker';
import { WorkerCancelledEvent, WorkerPool } from '../../src/broker/workers';
import { NotificationPublisher, publishNotifications } from '../../src/broker/publisher';
import { runAudit } from '../../src/broker/audit';
import { BrokerError } from '../../src/broker/errors';

describe('worker pools (real broker)', function () {
  this.timeout(120_000);
  let vh: TestVhost;
  const pools: WorkerPool[] = [];

  const pool = async (name: string, workers: number, extra: Partial<ConstructorParameters<typeof WorkerPool>[1]> = {}) => {
    const p = new WorkerPool(vh.config, { pool: name, exchange: 'nova', routingKeys: 'notifications.info', workers, ...extra });
    pools.push(p);
    await p.start();
    return p;
  };

  before(async () => {
    vh = await freshVhost('pools');
    const c = await vh.connect('test-setup');
    const ch = await c.createChannel();
    await ch.assertExchange('nova', 'topic', { durable: true });
    await ch.close();
  });
  afterEach(async () => {
    await Promise.all(pools.splice(0).map((p) => p.stop({ deleteQueue: true }).catch(() => undefined)));
  });
  after(async () => { await vh.cleanup(); });

  it('the seed scenario: ceilometer ×3, audit ×1 and notifications.info ×1 each get all 3,000 exactly once', async () => {
    const ceilometer = await pool('ceilometer', 3);
    const audit = await pool('audit', 1);
    const info = await pool('notifications.info', 1);
    const t0 = performance.now();
    const r = await publishNotifications(vh.config, { exchange: 'nova', routingKey: 'notifications.info', count: 3000 });
    assert.equal(r.published, 3000);
    assert.equal(r.confirmed, 3000);
    assert.equal(r.unroutable, 0);
    for (const p of [ceilometer, audit, info]) { await until(() => p.delivered >= 3000, `${p.name} to get 3000`, 30_000, 50); }
    const seconds = (performance.now() - t0) / 1000;
    for (const p of [ceilometer, audit, info]) {
      const s = p.snapshot();
      assert.equal(s.delivered, 3000, `${p.name} delivered`);
      assert.equal(s.uniqueIds, 3000, `${p.name} unique ids`);
      assert.equal(s.duplicates, 0, `${p.name} duplicates`);
      assert.equal(s.acked, 3000, `${p.name} acked`);
      assert.ok(s.latencyMs.count === 3000 && s.latencyMs.p50 > 0, `${p.name} latency measured`);
    }
    const cs = ceilometer.snapshot();
    assert.equal(cs.workers.length, 3);
    for (const w of cs.workers) { assert.ok(w.delivered > 0, `${w.name} got a share (${w.delivered})`); }
    assert.equal(cs.spread.idle, 0);
    console.log(`      3 pools × 3,000: published ${r.ratePerSecond}/s, all delivered in ${seconds.toFixed(2)} s; ceilometer shares ${cs.workers.map((w) => w.delivered).join('/')} (cv ${cs.spread.cv}), p50 ${cs.latencyMs.p50} ms p99 ${cs.latencyMs.p99} ms`);

    // The audit over the same pools, run locally: exact, nothing missing or duplicated.
    await Promise.all(pools.splice(0).map((p) => p.stop()));
    const report = await runAudit(vh.config, vh.client, {
      exchange: 'nova', routingKey: 'notifications.info', count: 3000,
      pools: [{ name: 'ceilometer', workers: 3 }, { name: 'audit', workers: 1 }, { name: 'notifications.info', workers: 1 }],
      deadlineMs: 30_000,
    });
    assert.equal(report.published, 3000);
    assert.equal(report.pools.length, 3);
    for (const p of report.pools) {
      assert.equal(p.exact, true);
      assert.equal(p.received, 3000, `${p.name} received`);
      assert.equal(p.missing, 0, `${p.name} missing`);
      assert.equal(p.duplicates, 0, `${p.name} duplicates`);
    }
    const ceil = report.pools.find((p) => p.name === 'ceilometer');
    assert.ok(ceil && ceil.workers.length === 3 && ceil.workers.every((w) => w.delivered > 0), 'each ceilometer worker got a share in the audit');
    assert.equal(report.ok, true);
    for (const q of ['ceilometer', 'audit', 'notifications.info']) { await vh.client.deleteQueue(vh.name, q); }
  });

  it('throughput: 3 pools × 4 workers keep up with 30,000 notifications', async () => {
    const ps = [await pool('t-a', 4), await pool('t-b', 4), await pool('t-c', 4)];
    const t0 = performance.now();
    const r = await publishNotifications(vh.config, { exchange: 'nova', routingKey: 'notifications.info', count: 30_000 });
    const pubS = (performance.now() - t0) / 1000;
    for (const p of ps) { await until(() => p.delivered >= 30_000, `${p.name} to get 30000`, 60_000, 20); }
    const s = (performance.now() - t0) / 1000;
    for (const p of ps) { assert.equal(p.snapshot().duplicates, 0); }
    console.log(`      publish 30,000 with confirms: ${pubS.toFixed(2)} s (${Math.round(30_000 / pubS)}/s); 3 × 30,000 deliveries in ${s.toFixed(2)} s = ${Math.round(90_000 / s)} deliveries/s`);
    assert.equal(r.confirmed, 30_000);
  });

  it('two applications on one queue steal each other\'s messages: the counts show it', async () => {
    const a = await pool('shared', 1, { connectionName: 'rmq-pools:app-a' });
    const b = await pool('shared', 1, { connectionName: 'rmq-pools:app-b' });
    await publishNotifications(vh.config, { exchange: 'nova', routingKey: 'notifications.info', count: 1000 });
    await until(() => a.delivered + b.delivered >= 1000, 'the shared queue to drain', 20_000, 50);
    const sa = a.snapshot().delivered;
    const sb = b.snapshot().delivered;
    console.log(`      app-a got ${sa}, app-b got ${sb} of 1000`);
    assert.equal(sa + sb, 1000);
    assert.ok(sa < 1000 && sb < 1000 && sa > 0 && sb > 0, 'each application sees only part of the stream');
  });

  it('a key no pool is bound to: every message comes back unroutable', async () => {
    await pool('bound', 1);
    const r = await publishNotifications(vh.config, { exchange: 'nova', routingKey: 'nobody.listens', count: 500 });
    assert.equal(r.published, 500);
    assert.equal(r.unroutable, 500);
    assert.equal(r.confirmed, 500);
  });

  it('cancelling a publish of 100,000 stops within a second and reports what was confirmed', async () => {
    await pool('sink', 2);
    const ac = new AbortController();
    const pub = new NotificationPublisher(vh.config, { exchange: 'nova', routingKey: 'notifications.info', count: 100_000, signal: ac.signal, progressIntervalMs: 20 });
    let abortedAt = 0;
    pub.on('progress', (p) => { if (p.published >= 5000 && !abortedAt) { abortedAt = performance.now(); ac.abort(); } });
    const r = await pub.run();
    const ms = performance.now() - abortedAt;
    console.log(`      cancelled after ${r.published} published / ${r.confirmed} confirmed; run() returned ${ms.toFixed(0)} ms after abort()`);
    assert.ok(abortedAt > 0);
    assert.equal(r.cancelled, true);
    assert.ok(r.published >= 5000 && r.published < 100_000);
    // At most the in-flight window (5,000) can be unconfirmed, and the report accounts for every message published.
    assert.ok(r.confirmed <= r.published && r.published - r.confirmed <= 5000, `published ${r.published}, confirmed ${r.confirmed}`);
    assert.equal(r.confirmed + r.nacked + r.unconfirmed, r.published, 'confirmed + nacked + unconfirmed = published');
    assert.ok(ms < 3000, `stopped in ${ms} ms`);
  });

  it('a publisher whose connection drops mid-run reconnects and re-sends what was not confirmed', async () => {
    const p = await pool('survivor', 2);
    const pub = new NotificationPublisher(vh.config, {
      // 2,000/s: the publish lasts ~10 s, time enough to find the connection in the management API (it lists new ones late).
      exchange: 'nova', routingKey: 'notifications.info', count: 20_000, ratePerSecond: 2000, connectionName: 'rmq-pools:publisher-under-test',
    });
    let closed = false;
    let disconnects = 0;
    pub.on('disconnected', () => { disconnects++; });
    pub.on('progress', (pr) => {
      if (pr.published < 3000 || closed) { return; }
      closed = true;
      void (async () => {
        const conns = await until(async () => {
          const list = (await vh.client.connections(vh.name)).filter((c) => c.client_properties?.connection_name === 'rmq-pools:publisher-under-test');
          return list.length ? list : undefined;
        }, 'the publisher\'s connection', 10_000, 50);
        for (const c of conns) { await vh.client.closeConnection(c.name, 'test: drop the publisher'); }
      })();
    });
    const r = await pub.run();
    console.log(`      publisher: ${r.published} published, ${r.confirmed} confirmed, ${r.resent} re-sent after ${r.reconnects} reconnect(s)`);
    assert.equal(disconnects, 1);
    assert.equal(r.reconnects, 1);
    assert.equal(r.published, 20_000);
    assert.equal(r.confirmed + r.nacked, 20_000);
    assert.equal(r.unconfirmed, 0);
    await until(() => p.snapshot().uniqueIds >= 20_000, 'survivor to see all 20,000 ids', 30_000, 50);
    const s = p.snapshot();
    assert.equal(s.uniqueIds, 20_000, 'nothing lost');
    assert.equal(s.delivered, 20_000 + s.duplicates, 'every extra delivery is a counted duplicate (at-least-once re-send)');
  });

  it('an invalid payload template fails before anything is published', async () => {
    assert.throws(() => new NotificationPublisher(vh.config, { exchange: 'nova', routingKey: 'k', count: 1, payloadTemplate: '{"n": {{seq}}, "id": {{uuid}}}' }),
      (e: unknown) => e instanceof BrokerError && e.kind === 'invalid-input' && /not valid JSON/.test(e.message));
  });

  it('refuses amq.* pool names and a missing exchange with clear errors', async () => {
    assert.throws(() => new WorkerPool(vh.config, { pool: 'amq.mine', exchange: 'nova', routingKeys: 'k' }),
      (e: unknown) => e instanceof BrokerError && e.kind === 'invalid-input' && /amq\./.test(e.message));
    const p = new WorkerPool(vh.config, { pool: 'orphan', exchange: 'no-such-exchange', routingKeys: 'k' });
    await assert.rejects(p.start(), (e: unknown) => e instanceof BrokerError && e.kind === 'not-found' && /no-such-exchange/.test(e.message));
    await assert.rejects(publishNotifications(vh.config, { exchange: 'no-such-exchange', routingKey: 'k', count: 1 }),
      (e: unknown) => e instanceof BrokerError && e.kind === 'not-found');
  });

  it('deleting the pool\'s queue under running workers: a clear event, no crash, stop() works', async () => {
    const p = await pool('doomed', 2);
    const events: WorkerCancelledEvent[] = [];
    p.on('worker-cancelled', (e) => events.push(e));
    await publishNotifications(vh.config, { exchange: 'nova', routingKey: 'notifications.info', count: 100 });
    await until(() => p.delivered >= 100, 'doomed to get 100');
    await vh.client.deleteQueue(vh.name, 'doomed');
    await until(() => events.length === 2, 'two worker-cancelled events');
    assert.ok(events.every((e) => e.queueDeleted && /was deleted/.test(e.message) && /pool run/.test(e.message)), events[0]?.message);
    console.log(`      event: ${events[0].message}`);
    const final = await p.stop();
    assert.equal(final.delivered, 100);
    assert.ok(final.workers.every((w) => w.state === 'cancelled'));
  });

  it('a pool whose connection the broker closes reconnects by itself and keeps counting', async () => {
    const p = await pool('resilient', 2);
    let reconnected = 0;
    let disconnected = 0;
    p.on('reconnected', () => { reconnected++; });
    p.on('disconnected', () => { disconnected++; });
    await publishNotifications(vh.config, { exchange: 'nova', routingKey: 'notifications.info', count: 500 });
    await until(() => p.delivered >= 500, 'resilient to get 500');
    const conns = await until(async () => {
      const list = (await vh.client.connections(vh.name)).filter((c) => c.client_properties?.connection_name === 'rmq-pools:resilient');
      return list.length ? list : undefined;
    }, 'the pool\'s connection in the management API');
    for (const c of conns) { await vh.client.closeConnection(c.name, 'test: broker-side close'); }
    await until(() => reconnected >= 1, 'the pool to reconnect', 20_000, 50);
    await publishNotifications(vh.config, { exchange: 'nova', routingKey: 'notifications.info', count: 500 });
    await until(() => p.delivered >= 1000, 'resilient to get 1000 in total', 20_000, 50);
    const s = p.snapshot();
    assert.equal(disconnected, 1);
    assert.equal(s.reconnects, 1);
    assert.ok(s.delivered >= 1000 && s.uniqueIds === 1000, `delivered ${s.delivered}, unique ${s.uniqueIds}`);
    assert.ok(s.workers.every((w) => w.state === 'consuming' && w.delivered > 0));
  });

  it('audit over pools already running (exact) plus a pool with remote consumers only (approximate)', async () => {
    const mine = await pool('mine', 2);
    const theirs = await pool('theirs', 1, { connectionName: 'some-other-app' });
    const report = await runAudit(vh.config, vh.client, { exchange: 'nova', routingKey: 'notifications.info', count: 400, running: [mine], deadlineMs: 30_000 });
    const m = report.pools.find((p) => p.name === 'mine');
    const t = report.pools.find((p) => p.name === 'theirs');
    assert.ok(m && t, JSON.stringify(report.pools.map((p) => p.name)));
    assert.deepEqual([m.exact, m.received, m.missing, m.duplicates], [true, 400, 0, 0]);
    assert.equal(t.exact, false);
    assert.equal(t.received, 400, t.note);
    assert.equal(theirs.delivered, 400);
    assert.ok(mine.running, 'a running pool is left running');
    assert.equal(report.ok, false, 'approximate results are never "ok"');
  });

  it('addWorker / removeWorker keep the pool\'s totals', async () => {
    const p = await pool('elastic', 1);
    const name = await p.addWorker();
    assert.deepEqual(p.workerNames, ['elastic-1', name]);
    await publishNotifications(vh.config, { exchange: 'nova', routingKey: 'notifications.info', count: 200 });
    await until(() => p.delivered >= 200, 'elastic to get 200');
    await p.removeWorker('elastic-1');
    await publishNotifications(vh.config, { exchange: 'nova', routingKey: 'notifications.info', count: 100 });
    await until(() => p.delivered >= 300, 'elastic to get 300');
    const s = p.snapshot();
    assert.equal(s.delivered, 300);
    assert.equal(s.workers.find((w) => w.name === 'elastic-1')?.state, 'stopped');
  });
});
