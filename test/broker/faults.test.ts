/**
 * Broker faults during a pool run and a publish of 20,000 notifications, on the scratch node (scripts/scratch-node.sh;
 * the main broker is never disturbed): connections closed from the broker side, the node's app restarted, the pool's
 * queue deleted; and one half of a broker (management HTTP or AMQP) unreachable while the other works.
 * Every wait is bounded (until / the audit's deadline).
 */
import * as assert from 'node:assert/strict';
import { brokerConfig } from '../../src/broker/connection';
import { BrokerError } from '../../src/broker/errors';
import { LocalPoolNotice, LocalPools } from '../../src/broker/localPools';
import { runAudit, AuditReport } from '../../src/broker/audit';
import { NotificationPublisher } from '../../src/broker/publisher';
import { WorkerPool } from '../../src/broker/workers';
import { testConnection } from '../../src/broker/connectionTest';
import { BrokerSession } from '../../src/viewModel/brokerSession';
import { TestVhost, until } from '../support/broker';
import { CuttableProxy, SCRATCH, closeConnectionsNamed, ensureScratchNode, scratchCtl, scratchVhost } from './faultsScratch';

const EXCHANGE = 'nova';
const KEY = 'notifications.info';
const COUNT = 20_000;
const quietLog = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };

describe('faults on a scratch broker: closed connections, app restart, deleted queue, half a broker down', function () {
  this.timeout(180_000);
  let vh: TestVhost;
  const pools: WorkerPool[] = [];
  const fast = { initialDelay: 100, maxDelay: 1000 };

  const startPool = async (name: string, workers: number) => {
    const p = new WorkerPool(vh.config, { pool: name, exchange: EXCHANGE, routingKeys: KEY, workers, prefetch: 50, recovery: fast, logger: quietLog });
    pools.push(p);
    await p.start();
    return p;
  };

  before(async () => {
    await ensureScratchNode();
    vh = await scratchVhost('faults');
    const c = await vh.connect('test-setup');
    const ch = await c.createChannel();
    await ch.assertExchange(EXCHANGE, 'topic', { durable: true });
    await ch.close();
  });
  afterEach(async () => {
    await Promise.all(pools.splice(0).map((p) => p.stop({ deleteQueue: true }).catch(() => undefined)));
  });
  after(async () => {
    // A test that failed between stop_app and start_app must not leave the node down for the next file.
    await scratchCtl('start_app').catch(() => undefined);
    await vh?.cleanup();
  });

  /** Runs the audit over the running pools, calling `fault` once when `at` notifications are published. */
  async function auditWithFault(running: WorkerPool[], at: number, fault: () => Promise<void>): Promise<{ report: AuditReport; faultMs: number }> {
    let fired = false;
    let faultDone: Promise<number> | undefined;
    const report = await runAudit(vh.config, vh.client, {
      exchange: EXCHANGE, routingKey: KEY, count: COUNT, ratePerSecond: 4000, running, remote: false, deadlineMs: 60_000, logger: quietLog,
      onProgress: (p) => {
        if (fired || p.phase !== 'publishing' || (p.publish?.published ?? 0) < at) { return; }
        fired = true;
        const t0 = Date.now();
        faultDone = fault().then(() => Date.now() - t0);
        faultDone.catch(() => undefined); // awaited below; keeps Node from reporting it as unhandled meanwhile
      },
    });
    assert.ok(fired, 'the fault was injected during the publish');
    return { report, faultMs: await faultDone! };
  }

  function assertNothingLost(report: AuditReport, running: WorkerPool[]): void {
    assert.equal(report.published, COUNT);
    assert.equal(report.publish.unconfirmed, 0, 'the publisher re-sent until everything was confirmed');
    assert.equal(report.confirmed + report.publish.nacked, COUNT);
    assert.equal(report.timedOut, false);
    assert.equal(report.pools.length, running.length);
    for (const r of report.pools) {
      assert.equal(r.exact, true);
      assert.equal(r.missing, 0, `${r.name}: ${r.missing} missing`);
      assert.equal(r.received, COUNT, `${r.name} received`);
      // Redeliveries and duplicates are counted and shown, never hidden: the pool's own counts agree with the audit's.
      const s = running.find((p) => p.name === r.name)!.snapshot();
      assert.equal(s.delivered, s.uniqueIds + s.duplicates, `${r.name}: every extra delivery is a counted duplicate`);
      assert.ok(r.duplicates <= s.duplicates, `${r.name}: audit duplicates ${r.duplicates} ≤ pool duplicates ${s.duplicates}`);
      assert.ok(r.workers.reduce((n, w) => n + w.delivered, 0) === r.received + r.duplicates, `${r.name}: per-worker counts add up`);
    }
  }

  it('(a) the broker closes the pools\' and the publisher\'s connections mid-run: they reconnect, 0 missing, duplicates counted', async () => {
    const a = await startPool('fa-ceilometer', 3);
    const b = await startPool('fa-audit', 1);
    const disconnects = { a: 0, b: 0 };
    a.on('disconnected', () => { disconnects.a++; });
    b.on('disconnected', () => { disconnects.b++; });
    const { report } = await auditWithFault([a, b], 5000, async () => {
      const closed = await Promise.all([
        closeConnectionsNamed(vh.client, vh.name, 'rmq-pools:fa-ceilometer', 'test: fault (a)'),
        closeConnectionsNamed(vh.client, vh.name, 'rmq-pools:fa-audit', 'test: fault (a)'),
        closeConnectionsNamed(vh.client, vh.name, 'rmq-pools:audit', 'test: fault (a)'),
      ]);
      assert.deepEqual(closed, [1, 1, 1], 'each connection was found by its connection_name and closed');
    });
    console.log(`      (a) ${report.published} published in ${report.publishSeconds} s, ${report.publish.resent} re-sent after ${report.publish.reconnects} reconnect(s); `
      + report.pools.map((r) => `${r.name}: ${r.received} received, ${r.missing} missing, ${r.duplicates} duplicates`).join('; ')
      + `; redelivered ${a.snapshot().redelivered}/${b.snapshot().redelivered}`);
    assert.equal(report.publish.reconnects, 1, 'the publisher reconnected once');
    assert.equal(disconnects.a, 1);
    assert.equal(disconnects.b, 1);
    assert.equal(a.snapshot().reconnects, 1);
    assert.equal(b.snapshot().reconnects, 1);
    assertNothingLost(report, [a, b]);
    assert.ok(a.snapshot().workers.every((w) => w.state === 'consuming'), 'every worker consumes again');
  });

  it('(b) the node\'s app is restarted (stop_app / start_app) mid-run: durable queue + persistent messages, nothing lost', async () => {
    const a = await startPool('fb-ceilometer', 3);
    const b = await startPool('fb-audit', 1);
    const reconnecting: number[] = [];
    a.on('reconnecting', (e) => reconnecting.push(e.delayMs));
    const { report, faultMs } = await auditWithFault([a, b], 5000, async () => {
      await scratchCtl('stop_app');
      await scratchCtl('start_app');
    });
    console.log(`      (b) app down and up in ${(faultMs / 1000).toFixed(1)} s; publisher: ${report.publish.resent} re-sent, ${report.publish.reconnects} reconnect(s); `
      + `ceilometer reconnect attempts with delays ${reconnecting.slice(0, 6).join(', ')} ms…; `
      + report.pools.map((r) => `${r.name}: ${r.received} received, ${r.missing} missing, ${r.duplicates} duplicates`).join('; ')
      + `; redelivered ${a.snapshot().redelivered}/${b.snapshot().redelivered}`);
    assert.ok(report.publish.reconnects >= 1, 'the publisher reconnected');
    assert.ok(a.snapshot().reconnects >= 1 && b.snapshot().reconnects >= 1, 'both pools reconnected');
    assert.ok(reconnecting.length >= 1, 'reconnects were scheduled with backoff');
    assertNothingLost(report, [a, b]);
  });

  it('(c) the pool\'s queue is deleted mid-publish: a notice offering to recreate, and LocalPools.recreate(id) brings it back in one call', async () => {
    const local = new LocalPools(quietLog);
    const notices: LocalPoolNotice[] = [];
    local.on('notice', (n) => notices.push(n));
    const entry = await local.start(vh.config, { pool: 'fc-doomed', exchange: EXCHANGE, routingKeys: KEY, workers: 2, recovery: fast });
    try {
      let deleted = false;
      const pub = new NotificationPublisher(vh.config, { exchange: EXCHANGE, routingKey: KEY, count: COUNT, ratePerSecond: 4000, connectionName: 'rmq-pools:fc-publisher' });
      pub.on('progress', (p) => {
        if (deleted || p.published < 5000) { return; }
        deleted = true;
        void vh.client.deleteQueue(vh.name, 'fc-doomed');
      });
      const running = pub.run();
      const notice = await until(() => notices.find((n) => n.recreate), 'a notice with recreate: true', 30_000, 50);
      assert.equal(notice.id, entry.id);
      assert.equal(notice.severity, 'warning');
      assert.match(notice.message, /queue "fc-doomed" of pool "fc-doomed" was deleted/);
      assert.match(notice.message, /Recreate/);
      assert.equal(local.get(entry.id)?.status, 'queue-deleted');
      const before = entry.pool.delivered;

      const again = await local.recreate(entry.id);
      assert.equal(again.status, 'running');
      assert.ok(again.pool.running);
      assert.equal(again.pool.workerNames.length, 2, 'the same number of workers');
      const q = await vh.client.queue(vh.name, 'fc-doomed');
      assert.equal(q.durable, true);
      const bindings = await vh.client.queueBindings(vh.name, 'fc-doomed');
      assert.ok(bindings.some((x) => x.source === EXCHANGE && x.routing_key === KEY), 'declared and bound again');

      const r = await running;
      assert.equal(r.published, COUNT);
      assert.equal(r.confirmed, COUNT, 'returned (unroutable) messages are confirmed too');
      assert.ok(r.unroutable > 0, 'while the queue was gone, messages came back unroutable and were counted');
      // Routed to the new queue after the recreate: all of it is consumed (the queue drains to 0).
      await until(async () => (await vh.client.queue(vh.name, 'fc-doomed')).messages === 0 && again.pool.delivered > 0, 'the recreated pool to drain its queue', 30_000, 250);
      const s = again.pool.snapshot();
      const lost = COUNT - before - r.unroutable - s.uniqueIds;
      console.log(`      (c) ${before} delivered before the delete, ${r.unroutable} unroutable while it was gone, ${s.uniqueIds} after recreate, ${lost} went down with the deleted queue (ready or unacked in it); notice: ${notice.message.slice(0, 80)}…`);
      assert.ok(s.delivered > 0, 'the recreated pool consumes');
      assert.ok(lost >= 0 && lost <= COUNT / 2, `messages in the queue when it was deleted: ${lost}`);
      // And it is a normal pool again: the next 1,000 all arrive, exactly once.
      const base = s.uniqueIds;
      await new NotificationPublisher(vh.config, { exchange: EXCHANGE, routingKey: KEY, count: 1000 }).run();
      await until(() => again.pool.snapshot().uniqueIds >= base + 1000, 'the recreated pool to get the next 1,000', 20_000, 50);
      assert.equal(again.pool.snapshot().duplicates, 0);
    } finally {
      await local.stopAll();
      await vh.client.deleteQueue(vh.name, 'fc-doomed').catch(() => undefined);
    }
  });

  describe('one half of the broker unreachable (a cuttable proxy in front of it)', () => {
    let http: CuttableProxy;
    let amqpProxy: CuttableProxy;
    before(async () => {
      http = await new CuttableProxy(SCRATCH.httpPort).open();
      amqpProxy = await new CuttableProxy(SCRATCH.amqpPort).open();
    });
    after(async () => { await http.cut(); await amqpProxy.cut(); });

    const proxied = () => brokerConfig({
      name: 'proxied', amqpUrl: `amqp://guest:guest@127.0.0.1:${amqpProxy.port}`, managementUrl: `http://127.0.0.1:${http.port}`, vhost: vh.name, timeoutMs: 3000,
    });

    it('management API down while AMQP works: plugin-off says so, the pool keeps consuming, the tree recovers on the next refresh', async () => {
      const config = proxied();
      const session = new BrokerSession(config, () => ({ pageSize: 100, showSystemExchanges: false }), quietLog, vh.name);
      const p = new WorkerPool(config, { pool: 'fh-mgmt', exchange: EXCHANGE, routingKeys: KEY, workers: 1, recovery: fast, logger: quietLog });
      pools.push(p);
      try {
        await session.overview();
        assert.equal(session.status.state, 'connected');
        await p.start();
        await http.cut();
        session.invalidate();
        const e = await session.overview().then(() => undefined, (x: unknown) => x);
        assert.ok(e instanceof BrokerError, String(e));
        assert.equal(e.kind, 'plugin-off');
        assert.match(e.describe(), /answers on AMQP/);
        assert.match(e.describe(), /management API/);
        assert.match(e.describe(), /rabbitmq-plugins enable rabbitmq_management/);
        assert.equal(session.status.state, 'unreachable');
        assert.match(session.status.detail, /management API/);
        const t = await testConnection(config);
        assert.equal(t.ok, false);
        assert.ok(t.lines.some((l) => /AMQP .*connected/.test(l)), t.lines.join(' | '));
        // AMQP still works: the pool keeps counting.
        await new NotificationPublisher(config, { exchange: EXCHANGE, routingKey: KEY, count: 200 }).run();
        await until(() => p.delivered >= 200, 'the pool to consume while the HTTP API is down');
        await http.open();
        session.invalidate();
        await until(() => session.overview().then(() => true), 'the tree session to recover', 10_000);
        assert.equal(session.status.state, 'connected');
      } finally {
        session.dispose();
        if (!(http as unknown as { server?: unknown }).server) { await http.open().catch(() => undefined); }
      }
    });

    it('AMQP down while the management API works: the pool says it lost AMQP and reconnects by itself; the tree stays connected', async () => {
      const config = proxied();
      const session = new BrokerSession(config, () => ({ pageSize: 100, showSystemExchanges: false }), quietLog, vh.name);
      const p = new WorkerPool(config, { pool: 'fh-amqp', exchange: EXCHANGE, routingKeys: KEY, workers: 2, recovery: fast, logger: quietLog });
      pools.push(p);
      let lost: BrokerError | undefined;
      p.on('disconnected', (ev) => { lost = ev.error; });
      try {
        await p.start();
        await amqpProxy.cut();
        await until(() => lost, 'the pool to report its lost connection', 10_000, 50);
        assert.match(lost!.describe(), /lost its connection/);
        assert.match(lost!.describe(), /reconnects by itself/);
        // A new AMQP client fails with a message about AMQP, not HTTP.
        const e = await new WorkerPool(config, { pool: 'fh-amqp-2', exchange: EXCHANGE, routingKeys: KEY, recovery: { initialMaxRetries: 0 } }).start().then(() => undefined, (x: unknown) => x);
        assert.ok(e instanceof BrokerError, String(e));
        assert.equal(e.kind, 'unreachable');
        assert.match(e.describe(), /AMQP/);
        assert.match(e.describe(), new RegExp(`127\\.0\\.0\\.1:${amqpProxy.port}`));
        assert.match(e.describe(), /though the management API at http:\/\/127\.0\.0\.1:\d+ answers/, 'it says which half is down');
        assert.doesNotMatch(e.hint, /Start RabbitMQ/, 'not the advice for a broker that is down');
        // The tree (management API) still works.
        session.invalidate();
        await session.overview();
        assert.equal(session.status.state, 'connected');
        const t = await testConnection(config);
        assert.equal(t.ok, false);
        assert.equal(t.state, 'unreachable');
        assert.ok(t.lines.some((l) => /^Management API .*RabbitMQ/.test(l)), t.lines.join(' | '));
        assert.ok(t.lines.some((l) => /^AMQP .*No AMQP broker answers/.test(l)), t.lines.join(' | '));
        await amqpProxy.open();
        await until(() => p.snapshot().reconnects >= 1, 'the pool to reconnect by itself', 20_000, 50);
        await until(() => p.snapshot().workers.every((w) => w.state === 'consuming'), 'every worker to consume again', 10_000, 50);
        await new NotificationPublisher(config, { exchange: EXCHANGE, routingKey: KEY, count: 300 }).run();
        await until(() => p.snapshot().uniqueIds >= 300, 'the pool to get 300 after AMQP came back', 20_000, 50);
      } finally {
        session.dispose();
      }
    });
  });
});
