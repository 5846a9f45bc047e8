/**
 * diagnose against the real broker: a healthy oslo-style layout stays in the vhost for the whole file (and must give
 * no findings); each test adds one broken situation to it, expects exactly that finding for the whole vhost, and
 * removes it again.
 */
import * as assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import type * as amqp from 'amqplib';
import { DeliveryWindow, Finding, diagnose, runDiagnose } from '../../src/broker/diagnose';
import { fetchTopology } from '../../src/broker/topology';
import { TestVhost, freshVhost, runCli, until } from '../support/broker';

const EXCHANGE = 'nova';
const KEY = 'notifications.info';

interface Scene { conns: amqp.ChannelModel[]; queues: string[] }

describe('diagnose on a real broker', function () {
  this.timeout(60_000);
  let v: TestVhost;
  let admin: amqp.ConfirmChannel;
  let healthyConsumers = 0;
  let scene: Scene = { conns: [], queues: [] };

  const kinds = (fs: { kind: string; pool?: string | null; exchange?: string; routingKey?: string }[]) =>
    fs.map((f) => `${f.kind}:${f.pool ?? `${f.exchange}/${f.routingKey}`}`);

  /** Starts one worker on its own connection named `app` (its application); returns its consumer tag. */
  async function worker(app: string, queue: string, o: { prefetch?: number; noAck?: boolean; ackDelayMs?: number; counts?: Map<string, number> } = {}): Promise<string> {
    const conn = await v.connect(app);
    scene.conns.push(conn);
    const ch = await conn.createChannel();
    if (o.prefetch !== undefined) { await ch.prefetch(o.prefetch); }
    let tag = '';
    const r = await ch.consume(queue, (m) => {
      if (!m) { return; }
      o.counts?.set(tag, (o.counts.get(tag) ?? 0) + 1);
      if (o.noAck) { return; }
      if (o.ackDelayMs) { setTimeout(() => { try { ch.ack(m); } catch { /* closed */ } }, o.ackDelayMs); } else { ch.ack(m); }
    }, { noAck: o.noAck ?? false });
    tag = r.consumerTag;
    return tag;
  }

  async function pool(name: string, key: string, args: Record<string, unknown> = {}): Promise<void> {
    await admin.assertQueue(name, { durable: false, arguments: args });
    await admin.bindQueue(name, EXCHANGE, key);
    scene.queues.push(name);
  }

  async function publish(key: string, n: number): Promise<void> {
    for (let i = 0; i < n; i++) { admin.publish(EXCHANGE, key, Buffer.from(JSON.stringify({ 'oslo.version': '2.0', n: i }))); }
    await admin.waitForConfirms();
  }

  /**
   * n consumers in the management API, each with its channel's connection resolved and listed: right after a consumer
   * appears its channel_details can still be empty (the stats database lags), and diagnose then cannot name its application.
   */
  const consumersShown = (n: number) => until(async () => {
    const cs = await v.client.consumers(v.name);
    if (cs.length !== n) { return false; }
    const names = cs.map((c) => (c.channel_details as { connection_name?: string } | undefined)?.connection_name);
    if (names.some((x) => !x)) { return false; }
    const listed = new Set((await v.client.connections(v.name)).map((c) => c.name));
    return names.every((x) => listed.has(x as string));
  }, `${n} consumers with their connections in the management API`);
  const messagesShown = (queue: string, n: number) => until(async () => (await v.client.queue(v.name, queue)).messages === n, `${n} messages on ${queue} in the management API`);

  before(async () => {
    v = await freshVhost('diagnose');
    const c = await v.connect('diagnose-test-setup');
    admin = await c.createConfirmChannel();
    await admin.assertExchange(EXCHANGE, 'topic', { durable: false });
    // The healthy oslo layout: each listener kind its own pool on nova/notifications.info, prefetch set, manual acks.
    // Two processes of ceilometer, named the way oslo.messaging names connections ("<program>:<pid>:<uuid>").
    for (const p of ['ceilometer', 'audit', 'monitoring']) {
      await admin.assertQueue(p, { durable: false });
      await admin.bindQueue(p, EXCHANGE, KEY);
    }
    await worker(`ceilometer-agent-notification:4101:${randomUUID()}`, 'ceilometer', { prefetch: 10 });
    await worker(`ceilometer-agent-notification:4102:${randomUUID()}`, 'ceilometer', { prefetch: 10 });
    await worker('audit', 'audit', { prefetch: 10 });
    await worker('monitoring', 'monitoring', { prefetch: 50 });
    await worker('monitoring', 'monitoring', { prefetch: 50 });
    healthyConsumers = 5;
    scene = { conns: [], queues: [] }; // the healthy layout stays for the whole file
    await publish(KEY, 30);
    await consumersShown(healthyConsumers);
    for (const p of ['ceilometer', 'audit', 'monitoring']) { await messagesShown(p, 0); }
  });

  afterEach(async () => {
    for (const c of scene.conns) { await c.close().catch(() => undefined); }
    for (const q of scene.queues) { await v.client.deleteQueue(v.name, q).catch(() => undefined); }
    scene = { conns: [], queues: [] };
    await consumersShown(healthyConsumers);
  });

  after(async () => { await v?.cleanup(); });

  it('a healthy oslo-style topology gives no findings (library and CLI)', async () => {
    const r = await runDiagnose(v.client, v.name, { keys: [{ exchange: EXCHANGE, routingKey: KEY }] });
    assert.deepEqual(r.findings, []);
    const cli = await runCli(['diagnose', '--json', '--vhost', v.name, '--key', `${EXCHANGE}:${KEY}`, '--fail-on', 'info']);
    assert.equal(cli.code, 0, cli.stderr);
    assert.deepEqual(cli.json, { vhost: v.name, sampledSeconds: 0, findings: [] });
    const human = await runCli(['diagnose', '--vhost', v.name]);
    assert.equal(human.code, 0);
    assert.match(human.stdout, /no findings/);
  });

  it('shared-pool: two applications consuming one queue', async () => {
    await pool('shared', 'notifications.error');
    const a = await worker('ceilometer', 'shared', { prefetch: 10 });
    const b = await worker('audit', 'shared', { prefetch: 10 });
    await consumersShown(healthyConsumers + 2);
    const { findings } = await runDiagnose(v.client, v.name);
    assert.deepEqual(kinds(findings), ['shared-pool:shared']);
    assert.deepEqual(findings[0].applications, ['audit', 'ceilometer']);
    assert.deepEqual([...(findings[0].workers ?? [])].sort(), [a, b].sort());

    const cli = await runCli(['diagnose', '--json', '--vhost', v.name]);
    assert.equal(cli.code, 0, 'findings alone do not fail the command');
    const doc = cli.json as { vhost: string; findings: Finding[] };
    assert.equal(doc.vhost, v.name);
    assert.deepEqual(kinds(doc.findings), ['shared-pool:shared']);
    assert.equal(doc.findings[0].severity, 'error');
    assert.match(doc.findings[0].message, /steal each other's messages/);
    assert.equal((await runCli(['diagnose', '--json', '--vhost', v.name, '--fail-on', 'error'])).code, 1);
    const human = await runCli(['diagnose', '--vhost', v.name]);
    assert.match(human.stdout, /ERROR\s+shared-pool\s+shared/);
    assert.match(human.stdout, /What to do:\n {2}1\. Give each application its own pool/);
  });

  it('pool-without-workers: by growth between two snapshots, and by the backlog threshold', async () => {
    await pool('orphan', 'notifications.warn');
    await publish('notifications.warn', 30);
    await messagesShown('orphan', 30);
    const first = await fetchTopology(v.client, v.name, { includeSystemExchanges: true });
    assert.deepEqual(diagnose(first), [], '30 messages, no earlier snapshot: below the default threshold');
    await publish('notifications.warn', 20);
    await messagesShown('orphan', 50);
    const second = await fetchTopology(v.client, v.name, { includeSystemExchanges: true });
    const grew = diagnose(second, { previous: first });
    assert.deepEqual(kinds(grew), ['pool-without-workers:orphan']);
    assert.match(grew[0].message, /grew by 20 messages to 50/);

    const cli = await runCli(['diagnose', '--json', '--vhost', v.name, '--backlog', '40']);
    assert.equal(cli.code, 0);
    assert.deepEqual(kinds((cli.json as { findings: Finding[] }).findings), ['pool-without-workers:orphan']);
    const under = await runCli(['diagnose', '--json', '--vhost', v.name, '--backlog', '51']);
    assert.deepEqual(kinds((under.json as { findings: Finding[] }).findings), [], '50 messages, threshold 51, one snapshot');
  });

  it('unconsumed-default-queue: the oslo notifier\'s notifications.info fills up while the pools are consumed', async () => {
    // What the oslo notifier declares: a queue named after the topic.priority, bound with that same key.
    await pool(KEY, KEY);
    await publish(KEY, 12);
    await messagesShown(KEY, 12);
    const { findings } = await runDiagnose(v.client, v.name);
    assert.deepEqual(kinds(findings), [`unconsumed-default-queue:${KEY}`]);
    assert.equal(findings[0].exchange, EXCHANGE);
    assert.equal(findings[0].routingKey, KEY);
    assert.match(findings[0].message, /"ceilometer"/);
    assert.match(findings[0].action, /max-length/);
    const cli = await runCli(['diagnose', '--json', '--vhost', v.name, '--fail-on', 'warning']);
    assert.equal(cli.code, 1, 'a warning fails --fail-on warning');
    assert.equal((await runCli(['diagnose', '--json', '--vhost', v.name, '--fail-on', 'error'])).code, 0, 'but not --fail-on error');
  });

  it('unroutable-key: a key no binding matches (checked against a real mandatory publish), a missing exchange', async () => {
    const keys = [{ exchange: EXCHANGE, routingKey: 'notifications.audit' }, { exchange: EXCHANGE, routingKey: KEY }, { exchange: 'glance', routingKey: KEY }];
    const { findings } = await runDiagnose(v.client, v.name, { keys });
    assert.deepEqual(kinds(findings), ['unroutable-key:glance/notifications.info', 'unroutable-key:nova/notifications.audit']);
    // the broker agrees: a mandatory publish with that key comes back
    const returned: string[] = [];
    const onReturn = (m: amqp.Message) => returned.push(m.fields.routingKey);
    admin.on('return', onReturn);
    admin.publish(EXCHANGE, 'notifications.audit', Buffer.from('{}'), { mandatory: true });
    await admin.waitForConfirms();
    admin.off('return', onReturn);
    assert.deepEqual(returned, ['notifications.audit']);
    const cli = await runCli(['diagnose', '--json', '--vhost', v.name, '--key', 'nova:notifications.audit']);
    assert.deepEqual((cli.json as { findings: Finding[] }).findings.map((f) => [f.kind, f.pool, f.severity]), [['unroutable-key', null, 'error']]);
    assert.equal((await runCli(['diagnose', '--json', '--vhost', v.name, '--key', 'nova'])).code, 2, 'EXCHANGE:KEY is required');
  });

  it('no-prefetch: a worker without a prefetch limit', async () => {
    await pool('greedy', 'notifications.error');
    const tag = await worker('greedy', 'greedy'); // amqplib sets no prefetch by default
    await worker('greedy', 'greedy', { prefetch: 10 });
    await consumersShown(healthyConsumers + 2);
    const { findings } = await runDiagnose(v.client, v.name);
    assert.deepEqual(kinds(findings), ['no-prefetch:greedy']);
    assert.deepEqual(findings[0].workers, [tag]);
  });

  it('auto-ack-workers: a worker that consumes with noAck', async () => {
    await pool('careless', 'notifications.error');
    const tag = await worker('careless', 'careless', { noAck: true });
    await consumersShown(healthyConsumers + 1);
    const { findings } = await runDiagnose(v.client, v.name);
    assert.deepEqual(kinds(findings), ['auto-ack-workers:careless']);
    assert.deepEqual(findings[0].workers, [tag]);
  });

  it('single-active-consumer: extra workers only wait', async () => {
    await pool('ordered', 'notifications.error', { 'x-single-active-consumer': true });
    const first = await worker('ordered', 'ordered', { prefetch: 10 });
    const second = await worker('ordered', 'ordered', { prefetch: 10 });
    await consumersShown(healthyConsumers + 2);
    const { findings } = await runDiagnose(v.client, v.name);
    assert.deepEqual(kinds(findings), ['single-active-consumer:ordered']);
    assert.equal(findings[0].severity, 'info');
    assert.deepEqual(findings[0].workers, [second], `${first} is active, ${second} waits`);
  });

  it('lopsided-pool: a slow worker next to a fast one (exact local counts from a real run)', async () => {
    await pool('uneven', 'notifications.error');
    const counts = new Map<string, number>();
    const fast = await worker('uneven', 'uneven', { prefetch: 1, counts });
    const slow = await worker('uneven', 'uneven', { prefetch: 1, counts, ackDelayMs: 150 });
    await consumersShown(healthyConsumers + 2);
    await publish('notifications.error', 200);
    await until(() => (counts.get(fast) ?? 0) + (counts.get(slow) ?? 0) >= 200, '200 deliveries');
    const window: DeliveryWindow = { pool: 'uneven', perWorker: { [fast]: counts.get(fast) ?? 0, [slow]: counts.get(slow) ?? 0 }, source: 'local' };
    assert.ok(window.perWorker[fast] > window.perWorker[slow], JSON.stringify(window.perWorker));
    const { findings } = await runDiagnose(v.client, v.name, { deliveries: [window] });
    assert.deepEqual(kinds(findings), ['lopsided-pool:uneven']);
    assert.deepEqual(findings[0].workers, [slow]);
  });

  it('--sample-seconds: growth and per-worker spread from two management API samples', async function () {
    this.timeout(90_000);
    await pool('orphan', 'notifications.warn');
    await pool('uneven', 'notifications.error');
    const fast = await worker('uneven', 'uneven', { prefetch: 1 });
    const slow = await worker('uneven', 'uneven', { prefetch: 1, ackDelayMs: 150 });
    await consumersShown(healthyConsumers + 2);
    // Traffic through the whole window: the management API refreshes its counters every 5 s, a 7 s window sees one.
    let stop = false;
    const traffic = (async () => {
      while (!stop) {
        for (let i = 0; i < 20; i++) {
          admin.publish(EXCHANGE, 'notifications.error', Buffer.from('{}'));
          if (i % 5 === 0) { admin.publish(EXCHANGE, 'notifications.warn', Buffer.from('{}')); }
        }
        await admin.waitForConfirms();
        await new Promise((r) => setTimeout(r, 100)); // pacing the traffic, not waiting for a condition
      }
    })();
    try {
      // A new queue's first counters can take up to ~10 s to appear; the window must start after that.
      await until(async () => ((await v.client.queue(v.name, 'orphan')).messages ?? 0) > 0, 'the orphan pool\'s first counters');
      const cli = await runCli(['diagnose', '--json', '--vhost', v.name, '--sample-seconds', '7']);
      assert.equal(cli.code, 0, cli.stderr);
      const raw = cli.json as { sampledSeconds: number; findings: Finding[] };
      assert.ok(raw.sampledSeconds >= 6.9, String(raw.sampledSeconds));
      // The slow worker (prefetch 1, always full, acking far below the fast one) may also be a health finding
      // (healthRules.ts: slow-worker, when the trend window holds enough of its acks); when it is, it names that worker.
      const health = raw.findings.filter((f) => f.kind === 'slow-worker' || f.kind === 'pool-falling-behind');
      for (const f of health.filter((x) => x.kind === 'slow-worker')) { assert.deepEqual(f.workers, [slow], 'the slow-worker finding names the slow worker'); }
      const doc = { ...raw, findings: raw.findings.filter((f) => !health.includes(f)) };
      assert.deepEqual(kinds(doc.findings), ['lopsided-pool:uneven', 'pool-without-workers:orphan']);
      assert.deepEqual(doc.findings[0].workers, [slow], `${fast} should get most messages`);
      assert.match(doc.findings[0].message, /approximate/);
      assert.match(doc.findings[1].message, /grew by \d+ messages in 7 s/);
    } finally {
      stop = true;
      await traffic;
    }
  });

  it('the CLI exits 1 with a one-line error for a vhost that does not exist, 2 for a bad --fail-on', async () => {
    const missing = await runCli(['diagnose', '--json', '--vhost', `${v.name}-missing`]);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /does not exist/);
    assert.equal((await runCli(['diagnose', '--vhost', v.name, '--fail-on', 'fatal'])).code, 2);
  });
});
