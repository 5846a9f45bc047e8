/**
 * The defects a close read found (issue "right on real deployments"), each against the real broker:
 *  - one lookup of "which pools does this key reach" (routeLookup.ts): exchange type, exchange-to-exchange bindings,
 *    alternate exchanges and the default exchange, checked against where the broker really puts a message;
 *  - the audit asks that lookup: a local pool bound with "notifications.*" on a DIRECT exchange is not a receiver (it
 *    was counted as missing everything), a local pool behind an exchange-to-exchange binding is one (it was left out);
 *  - the publisher's memory of returned (unroutable) ids stays within its in-flight window on a long unroutable run;
 *  - ManagementClient.purgeQueue works on this broker (it answered 406 before).
 */
import assert from 'node:assert/strict';
import type { ConfirmChannel } from 'amqplib';
import { runAudit } from '../../src/broker/audit';
import { MAX_AUDIT_COUNT } from '../../src/broker/limits';
import { NotificationPublisher } from '../../src/broker/publisher';
import { lookupRoute, reachableRoutingTable } from '../../src/broker/routeLookup';
import { WorkerPool } from '../../src/broker/workers';
import { TestVhost, freshVhost, runCli, until } from '../support/broker';

describe('right on real deployments', function () {
  this.timeout(90_000);
  let v: TestVhost;
  let ch: ConfirmChannel;
  const pools: WorkerPool[] = [];

  before(async () => {
    v = await freshVhost('realdep');
    ch = await (await v.connect('rmq-pools-test-admin')).createConfirmChannel();
    // direct exchange "events": "exact" bound with notifications.info, "wild" with notifications.* (matches nothing on direct)
    await ch.assertExchange('events', 'direct', { durable: false });
    // topic exchange "nova" forwards notifications.# to topic exchange "audit-x", whose queue "audited" takes notifications.info
    await ch.assertExchange('nova', 'topic', { durable: false });
    await ch.assertExchange('audit-x', 'topic', { durable: false });
    await ch.bindExchange('audit-x', 'nova', 'notifications.#');
    // "events" also forwards notifications.info to fanout "fan" (queue "fanned")
    await ch.assertExchange('fan', 'fanout', { durable: false });
    await ch.bindExchange('fan', 'events', 'notifications.info');
    await ch.assertQueue('fanned', { durable: false });
    await ch.bindQueue('fanned', 'fan', 'ignored-by-fanout');
    // alternate exchange: "with-ae" (direct) sends what matches nothing to fanout "ae", queue "leftovers"
    await ch.assertExchange('ae', 'fanout', { durable: false });
    await ch.assertExchange('with-ae', 'direct', { durable: false, arguments: { 'alternate-exchange': 'ae' } });
    await ch.assertQueue('leftovers', { durable: false });
    await ch.bindQueue('leftovers', 'ae', '');
    await ch.assertQueue('matched', { durable: false });
    await ch.bindQueue('matched', 'with-ae', 'k');
  });

  after(async () => {
    await Promise.all(pools.map((p) => p.stop().catch(() => undefined)));
    await v?.cleanup();
  });

  async function startPool(name: string, exchange: string, key: string): Promise<WorkerPool> {
    const p = new WorkerPool(v.config, { pool: name, exchange, routingKeys: key, workers: 1, prefetch: 50 });
    p.on('error', () => undefined);
    pools.push(p);
    await p.start();
    return p;
  }

  /** Where the broker really puts one message: depth before/after of every queue of the vhost (nobody consumes them). */
  async function brokerRoute(exchange: string, key: string): Promise<string[]> {
    const queues = ['fanned', 'leftovers', 'matched', 'probe-exact', 'probe-wild', 'probe-audited'];
    const depth = async () => Object.fromEntries(await Promise.all(queues.map(async (q) => [q, (await ch.checkQueue(q)).messageCount] as const)));
    const before = await depth();
    ch.publish(exchange, key, Buffer.from('probe'));
    await ch.waitForConfirms();
    const after = await until(async () => { const d = await depth(); return Object.keys(d).some((q) => d[q] !== before[q]) ? d : undefined; }, 'the probe to land', 1_500, 50).catch(() => before);
    const reached = queues.filter((q) => after[q] > before[q]);
    for (const q of reached) { await ch.purgeQueue(q); }
    return reached.sort();
  }

  it('lookupRoute agrees with the broker: direct vs topic patterns, exchange-to-exchange, fanout, alternate exchange, default exchange', async () => {
    await ch.assertQueue('probe-exact', { durable: false });
    await ch.bindQueue('probe-exact', 'events', 'notifications.info');
    await ch.assertQueue('probe-wild', { durable: false });
    await ch.bindQueue('probe-wild', 'events', 'notifications.*');
    await ch.assertQueue('probe-audited', { durable: false });
    await ch.bindQueue('probe-audited', 'audit-x', 'notifications.info');
    const cases: [string, string][] = [
      ['events', 'notifications.info'], ['events', 'notifications.*'], ['events', 'notifications.error'],
      ['nova', 'notifications.info'], ['nova', 'notifications.error'], ['nova', 'compute.x'],
      ['with-ae', 'k'], ['with-ae', 'other'], ['', 'matched'], ['', 'no-such-queue'],
    ];
    for (const [exchange, key] of cases) {
      const predicted = (await lookupRoute(v.client, v.name, exchange, key)).pools;
      assert.deepEqual(predicted, await brokerRoute(exchange, key), `${exchange || '(default)'} / ${key}`);
    }
    for (const q of ['probe-exact', 'probe-wild', 'probe-audited']) { await ch.deleteQueue(q); }
  });

  it('lookupRoute reads only the exchanges a message can pass through', async () => {
    const t = await reachableRoutingTable(v.client, v.name, 'events');
    assert.deepEqual(t.exchanges.map((e) => e.name).sort(), ['events', 'fan']);
    const n = await reachableRoutingTable(v.client, v.name, 'with-ae');
    assert.deepEqual(n.exchanges.map((e) => e.name).sort(), ['ae', 'with-ae'], 'the alternate exchange is followed');
  });

  it('an exchange that does not exist is a clear not-found error, in the core and the CLI', async () => {
    await assert.rejects(lookupRoute(v.client, v.name, 'no-such-exchange', 'k'), (e: Error & { kind?: string }) => {
      assert.equal(e.kind, 'not-found');
      assert.equal(e.message, `There is no exchange "no-such-exchange" in vhost "${v.name}"`);
      return true;
    });
    const r = await runCli(['route', 'no-such-exchange', 'k', '--vhost', v.name]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /There is no exchange "no-such-exchange" in vhost/);
    assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace');
  });

  it('the audit on a direct exchange: a local pool bound with notifications.* is reported as not bound, not as missing everything', async () => {
    const exact = await startPool('exact', 'events', 'notifications.info');
    const wild = await startPool('wild', 'events', 'notifications.*');
    const report = await runAudit(v.config, v.client, { exchange: 'events', routingKey: 'notifications.info', count: 50, running: [exact, wild], remote: false, deadlineMs: 20_000 });
    assert.deepEqual(report.notBound, ['wild']);
    assert.deepEqual(report.pools.map((p) => [p.name, p.received, p.missing]), [['exact', 50, 0]]);
    assert.equal(report.ok, true);
    assert.equal(wild.delivered, 0, 'the broker indeed gave it nothing');
    await Promise.all([exact.stop(), wild.stop()]);
  });

  it('the audit follows exchange-to-exchange bindings: a local pool behind one is counted', async () => {
    const behind = await startPool('behind', 'audit-x', 'notifications.info');
    const report = await runAudit(v.config, v.client, { exchange: 'nova', routingKey: 'notifications.info', count: 40, running: [behind], remote: false, deadlineMs: 20_000 });
    assert.deepEqual(report.pools.map((p) => [p.name, p.received, p.missing, p.exact]), [['behind', 40, 0, true]]);
    assert.deepEqual(report.notBound, [], 'a pool on another exchange is not called "not bound"');
    await behind.stop();
  });

  it('one audit limit for every caller', async () => {
    await assert.rejects(runAudit(v.config, v.client, { exchange: 'events', routingKey: 'k', count: MAX_AUDIT_COUNT + 1 }), /not a whole number from 1 to 1000000/);
    const r = await runCli(['audit', '--exchange', 'events', '--key', 'k', '--count', String(MAX_AUDIT_COUNT + 1), '--vhost', v.name]);
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /--count/);
  });

  it('the publisher remembers returned ids only while they are unconfirmed (a long unroutable run stays small)', async () => {
    const p = new NotificationPublisher(v.config, { exchange: 'events', routingKey: 'nobody.listens', count: 20_000, maxInFlight: 500, connectionName: 'rmq-pools-test:returns' });
    let peak = 0;
    p.on('progress', () => { peak = Math.max(peak, p.trackedReturns); });
    const r = await p.run();
    assert.equal(r.unroutable, 20_000, 'each unroutable message counted once');
    assert.equal(p.trackedReturns, 0, 'nothing remembered once every message is confirmed');
    assert.ok(peak <= 500, `at most the in-flight window remembered at once (peak ${peak})`);
  });

  it('ManagementClient.purgeQueue empties a queue on this broker', async () => {
    await ch.assertQueue('to-purge', { durable: false });
    for (let i = 0; i < 25; i++) { ch.sendToQueue('to-purge', Buffer.from(String(i))); }
    await ch.waitForConfirms();
    assert.equal((await ch.checkQueue('to-purge')).messageCount, 25);
    await v.client.purgeQueue(v.name, 'to-purge');
    assert.equal((await ch.checkQueue('to-purge')).messageCount, 0);
  });
});
