/**
 * Interop with the real oslo.messaging client (the seed's own scenario, no imitation): three processes of one program in
 * pool "ceilometer", another program in pool "audit", the non-pooled listener (queue notifications.info), and the real
 * Notifier, on the real broker. The tool must name one application per program, find no shared pool there, find one when
 * two different programs share a queue, publish test notifications oslo decodes, and join a pool oslo made.
 */
import * as assert from 'node:assert/strict';
import { publishNotifications } from '../../src/broker/publisher';
import { WorkerPool } from '../../src/broker/workers';
import { TestVhost, freshVhost, runCli, until } from '../support/broker';
import { OsloListener, notify, startListener, stopAll } from './osloPeers';

const CEILOMETER = 'ceilometer-agent-notification';
const AUDIT = 'audit-listener';
const DEFAULT = 'oslo-default-listener';
const CLIENT_NAME = /^ceilometer-agent-notification:\d+:[0-9a-f-]{36}$/;

interface PoolJson { name: string; applications: string[]; workers: { consumerTag: string; application: string; clientName?: string }[] }
interface TopologyJson { exchanges: { name: string; type: string; bindings: { routingKey: string; pools: PoolJson[] }[] }[]; pools: PoolJson[] }
interface FindingJson { kind: string; severity: string; pool?: string; applications?: string[] }

describe('interop with the real oslo.messaging client', function () {
  this.timeout(180_000);
  let vh: TestVhost;
  let v: string[];
  let ceilometer: OsloListener[] = [];
  let audit: OsloListener;
  let plain: OsloListener;

  const topology = async () => {
    const r = await runCli(['topology', '--json', ...v]);
    assert.equal(r.code, 0, r.stderr);
    return r.json as TopologyJson;
  };
  const poolOf = (t: TopologyJson, name: string) => {
    const p = t.pools.find((x) => x.name === name);
    assert.ok(p, `pool ${name} in ${JSON.stringify(t.pools.map((x) => x.name))}`);
    return p;
  };
  /** The management API lists consumers with their connections resolved a little after AMQP has them. */
  const topologyWith = (counts: Record<string, number>) => until(async () => {
    const t = await topology();
    return Object.entries(counts).every(([name, n]) => {
      const p = t.pools.find((x) => x.name === name);
      // Every worker's connection resolved: oslo names each one <program>:<pid>:<uuid>, so each shows its client name.
      return p && p.workers.length === n && p.workers.every((w) => w.clientName);
    }) ? t : undefined;
  }, `consumers ${JSON.stringify(counts)} with their connections`, 30_000, 500);
  const received = (ls: OsloListener[]) => ls.reduce((n, l) => n + l.received.length, 0);
  const reset = () => { for (const l of [...ceilometer, audit, plain]) { l.received.length = 0; } };

  before(async () => {
    vh = await freshVhost('oslo');
    v = ['--vhost', vh.name];
    ceilometer = await Promise.all([1, 2, 3].map(() => startListener(vh.name, CEILOMETER, 'ceilometer')));
    audit = await startListener(vh.name, AUDIT, 'audit');
    plain = await startListener(vh.name, DEFAULT, '');
    await topologyWith({ ceilometer: 3, audit: 1, 'notifications.info': 1 });
  });

  after(async () => {
    await stopAll();
    await vh?.cleanup();
  });

  it('oslo declared what the seed says: exchange nova, pools bound to notifications.info, non-durable queues', async () => {
    const t = await topology();
    const nova = t.exchanges.find((e) => e.name === 'nova');
    assert.ok(nova, 'exchange nova');
    assert.equal(nova.type, 'topic');
    const key = nova.bindings.find((b) => b.routingKey === 'notifications.info');
    assert.deepEqual(key?.pools.map((p) => p.name).sort(), ['audit', 'ceilometer', 'notifications.info']);
    for (const q of ['ceilometer', 'audit', 'notifications.info']) {
      assert.equal((await vh.client.queue(vh.name, q)).durable, false, `${q} is non-durable (amqp_durable_queues = false)`);
    }
  });

  it('topology names one application per program: three processes of ceilometer are one, each worker keeps its full client name', async () => {
    const t = await topology();
    const c = poolOf(t, 'ceilometer');
    assert.deepEqual(c.applications, [CEILOMETER]);
    assert.deepEqual(c.workers.map((w) => w.application), [CEILOMETER, CEILOMETER, CEILOMETER]);
    for (const w of c.workers) { assert.match(w.clientName ?? '', CLIENT_NAME); }
    const pids = new Set(c.workers.map((w) => w.clientName?.split(':')[1]));
    assert.deepEqual([...pids].sort(), ceilometer.map((l) => String(l.pid)).sort(), 'the three oslo processes, by pid');
    assert.deepEqual(poolOf(t, 'audit').applications, [AUDIT]);
    assert.deepEqual(poolOf(t, 'notifications.info').applications, [DEFAULT]);

    let last = '';
    const row = await until(async () => {
      const human = await runCli(['topology', ...v]);
      last = human.stdout + human.stderr;
      const r = human.code === 0 ? human.stdout.split('\n').find((l) => /^nova\s+topic\s+notifications\.info\s+ceilometer\s/.test(l)) : undefined;
      return r?.includes(CEILOMETER) ? r : undefined; // the API resolves consumers' connections a moment after listing them
    }, `the table row of nova / notifications.info / ceilometer naming ${CEILOMETER}`, 20_000, 500).catch((e) => { throw new Error(`${e.message}\n${last}`); });
    assert.doesNotMatch(row, /:\d+:[0-9a-f]{8}-/, 'the table names the application, not each process');
    assert.equal(row.split(CEILOMETER).length - 1, 1, `one application in the row: ${row}`);
  });

  it('diagnose finds no shared pool among oslo\'s own pools', async () => {
    const r = await runCli(['diagnose', '--json', '--fail-on', 'error', ...v]);
    assert.equal(r.code, 0, `no error-level finding: ${r.stdout}`);
    const findings = (r.json as { findings: (FindingJson & { action: string })[] }).findings;
    assert.deepEqual(findings.filter((f) => f.kind === 'shared-pool'), []);
    // oslo's default rabbit_qos_prefetch_count = 0 is unlimited: a real warning, whose fix names oslo's own option.
    const noPrefetch = findings.filter((f) => f.kind === 'no-prefetch');
    assert.deepEqual(noPrefetch.map((f) => f.pool).sort(), ['audit', 'ceilometer', 'notifications.error', 'notifications.info', 'notifications.warn']);
    for (const f of noPrefetch) { assert.match(f.action, /\[oslo_messaging_rabbit\] rabbit_qos_prefetch_count/); }
  });

  it('diagnose finds a shared pool when a second program listens in pool "ceilometer"', async () => {
    const aodh = await startListener(vh.name, 'aodh-listener', 'ceilometer');
    try {
      await topologyWith({ ceilometer: 4 });
      const r = await runCli(['diagnose', '--json', '--fail-on', 'error', ...v]);
      assert.equal(r.code, 1, 'an error-level finding fails the run');
      const shared = (r.json as { findings: FindingJson[] }).findings.filter((f) => f.kind === 'shared-pool');
      assert.deepEqual(shared.map((f) => [f.pool, f.severity, f.applications]), [['ceilometer', 'error', ['aodh-listener', CEILOMETER]]]);
      assert.deepEqual(poolOf(await topology(), 'ceilometer').applications, ['aodh-listener', CEILOMETER], 'topology and diagnose agree');
    } finally {
      await aodh.stop();
    }
    await topologyWith({ ceilometer: 3 });
  });

  it('the real Notifier: every pool gets every notification once, the three ceilometer processes share them', async () => {
    reset();
    await notify(vh.name, 90);
    await until(() => received(ceilometer) >= 90 && audit.received.length >= 90 && plain.received.length >= 90, 'every pool to get 90', 60_000);
    const seqs = (ls: OsloListener[]) => ls.flatMap((l) => l.received.map((m) => (m.payload as { seq: number }).seq)).sort((a, b) => a - b);
    const all = Array.from({ length: 90 }, (_, i) => i);
    assert.deepEqual(seqs(ceilometer), all, 'ceilometer: each once across its processes');
    assert.deepEqual(seqs([audit]), all);
    assert.deepEqual(seqs([plain]), all);
    assert.ok(ceilometer.filter((l) => l.received.length > 0).length >= 2, `the load is shared: ${ceilometer.map((l) => l.received.length).join('/')}`);
  });

  it('real oslo listeners decode the tool\'s test notifications', async () => {
    reset();
    const r = await publishNotifications(vh.config, {
      exchange: 'nova', routingKey: 'notifications.info', count: 30, eventType: 'compute.instance.delete.end', publisherId: 'compute.interop',
      payloadTemplate: '{"seq": {{seq}}, "instance_id": "i-{{seq}}"}', connectionName: 'rmq-pools:interop',
    });
    assert.equal(r.confirmed, 30);
    await until(() => received(ceilometer) >= 30 && audit.received.length >= 30, 'oslo to handle 30 test notifications', 30_000);
    const got = ceilometer.flatMap((l) => l.received);
    assert.equal(got.length, 30, 'ceilometer handled each once');
    for (const m of [...got, ...audit.received]) {
      assert.equal(m.event_type, 'compute.instance.delete.end');
      assert.equal(m.publisher_id, 'compute.interop');
      assert.equal(m.priority, 'info');
      assert.match(m.message_id, /^[0-9a-f-]{36}$/);
      assert.match(m.timestamp, /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{6}$/, 'oslo\'s own timestamp format');
      const p = m.payload as { seq: number; instance_id: string };
      assert.equal(p.instance_id, `i-${p.seq}`);
    }
    assert.deepEqual(got.map((m) => (m.payload as { seq: number }).seq).sort((a, b) => a - b), Array.from({ length: 30 }, (_, i) => i + 1));
  });

  it('a pool of the tool joins the pool oslo made (non-durable queue) and the two share the load', async () => {
    reset();
    const pool = new WorkerPool(vh.config, { pool: 'ceilometer', exchange: 'nova', routingKeys: 'notifications.info', workers: 2, prefetch: 1 });
    pool.on('error', () => undefined);
    await pool.start();
    try {
      assert.equal((await vh.client.queue(vh.name, 'ceilometer')).durable, false, 'the queue oslo declared is kept as it is');
      await until(async () => (await vh.client.queue(vh.name, 'ceilometer')).consumers === 5, '3 oslo + 2 tool workers on ceilometer', 30_000, 300);
      await notify(vh.name, 200);
      await until(() => received(ceilometer) + pool.delivered >= 200, 'ceilometer to take 200 between oslo and the tool', 60_000);
      await until(() => audit.received.length >= 200, 'audit to get all 200', 30_000);
      assert.equal(received(ceilometer) + pool.delivered, 200, 'each message once in the pool');
      assert.ok(pool.delivered > 0 && received(ceilometer) > 0, `both share: tool ${pool.delivered}, oslo ${received(ceilometer)}`);
      assert.equal(pool.snapshot().duplicates, 0);
    } finally {
      await pool.stop();
    }
  });
});
