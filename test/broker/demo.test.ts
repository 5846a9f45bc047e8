/**
 * The demo against the real broker, through the core (Demo.up / stop / removeDemo) and the CLI (rmq-pools demo up|down):
 * the seed's pools exist and are bound, the workers consume the trickle, diagnose finds exactly the shared pool (and the
 * unconsumed default queue the scenario holds on purpose), down removes the vhost, up twice is fine, and the demo refuses
 * what it must not touch. Every demo runs in its own rmqp-test-demo-* vhost, deleted afterwards.
 */
import * as assert from 'node:assert/strict';
import { ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { brokerConfig } from '../../src/broker/connection';
import { DEMO_TAG, Demo, DemoStep, DemoSummary, removeDemo } from '../../src/broker/demo';
import { runDiagnose } from '../../src/broker/diagnose';
import { BrokerError } from '../../src/broker/errors';
import { ManagementClient } from '../../src/broker/management';
import { AMQP_URL, CLI, MANAGEMENT_URL, runCli, until } from '../support/broker';

const config = brokerConfig({ amqpUrl: AMQP_URL, managementUrl: MANAGEMENT_URL });
const client = new ManagementClient(config);
const made: string[] = [];
const newVhost = () => { const v = `rmqp-test-demo-${randomBytes(4).toString('hex')}`; made.push(v); return v; };
const POOLS = ['audit', 'ceilometer', 'monitoring', 'notifications.info'];

async function vhostExists(v: string): Promise<boolean> {
  try { await client.vhost(v); return true; } catch (e) { if (e instanceof BrokerError && e.kind === 'not-found') { return false; } throw e; }
}

/** Consumers per queue, once every consumer's connection is resolved (the stats database lags behind AMQP). */
async function consumersByQueue(v: string): Promise<Map<string, string[]>> {
  const conns = new Map((await client.connections(v)).map((c) => [c.name, c]));
  const out = new Map<string, string[]>();
  for (const c of await client.consumers(v)) {
    const cn = (c.channel_details as { connection_name?: string } | undefined)?.connection_name;
    const conn = cn ? conns.get(cn) : undefined;
    const app = (conn?.client_properties as { connection_name?: string } | undefined)?.connection_name ?? '?';
    const q = c.queue?.name ?? '?';
    out.set(q, [...(out.get(q) ?? []), app]);
  }
  return out;
}

const seedConsumers = (v: string) => until(async () => {
  const m = await consumersByQueue(v);
  const n = [...m.values()].reduce((a, l) => a + l.length, 0);
  return n === 6 && ![...m.values()].flat().includes('?') ? m : undefined;
}, `the demo's 6 consumers in ${v}`, 30_000);

const kinds = (fs: { kind: string; pool?: string }[]) => fs.map((f) => `${f.kind}:${f.pool}`).sort();

describe('the demo on a real broker', function () {
  this.timeout(90_000);

  after(async () => {
    for (const v of made) { await client.deleteVhost(v).catch(() => undefined); }
    client.dispose();
  });

  it('up builds the seed\'s scenario, the workers consume the trickle, diagnose finds the shared pool, stop removes it all', async () => {
    const vhost = newVhost();
    const steps: DemoStep[] = [];
    const demo = await Demo.up(config, { vhost, ratePerSecond: 10, onStep: (s) => steps.push(s) });
    try {
      assert.deepEqual(steps, ['checking the broker', 'creating the vhost', 'declaring the exchange and queues', 'starting the workers', 'starting the trickle']);
      const info = await client.get<{ tags: string[] }>(`api/vhosts/${encodeURIComponent(vhost)}`);
      assert.ok(info.tags.includes(DEMO_TAG), 'the vhost is tagged as the demo\'s');
      const nova = await client.exchange(vhost, 'nova');
      assert.equal(nova.type, 'topic');
      const bindings = (await client.exchangeBindings(vhost, 'nova')).map((b) => `${b.destination}<-${b.routing_key}`).sort();
      assert.deepEqual(bindings, POOLS.map((p) => `${p}<-notifications.info`));

      const byQueue = await seedConsumers(vhost);
      assert.deepEqual(byQueue.get('ceilometer'), ['rmq-pools:ceilometer', 'rmq-pools:ceilometer', 'rmq-pools:ceilometer']);
      assert.deepEqual(byQueue.get('audit'), ['rmq-pools:audit']);
      assert.deepEqual((byQueue.get('monitoring') ?? []).map((a) => a.replace(/:\d+:[0-9a-f-]{36}$/, ':PID:UUID')).sort(), ['aodh-listener:PID:UUID', 'panko-listener:PID:UUID']);
      assert.equal(byQueue.get('notifications.info'), undefined, 'oslo\'s default queue has no consumer');

      // The trickle reaches every pool; each pool gets every notification once, the default queue keeps them.
      const first = await until(() => { const p = demo.pools(); return p.every((x) => x.kind === 'default-queue' || x.delivered >= 5) ? p : undefined; }, 'every pool consuming', 20_000);
      const later = await until(() => { const p = demo.pools(); return p.find((x) => x.name === 'ceilometer')!.delivered > first.find((x) => x.name === 'ceilometer')!.delivered + 5 ? p : undefined; }, 'counts increasing', 20_000);
      assert.ok(demo.published() >= later.find((x) => x.name === 'audit')!.delivered);
      const held = await until(async () => { const q = await client.queue(vhost, 'notifications.info'); return (q.messages ?? 0) > 0 ? q.messages : undefined; }, 'notifications.info filling up', 30_000);
      assert.ok(held > 0);

      const { findings } = await runDiagnose(client, vhost);
      assert.deepEqual(kinds(findings), ['shared-pool:monitoring', 'unconsumed-default-queue:notifications.info']);
      const shared = findings.find((f) => f.kind === 'shared-pool')!;
      assert.equal(shared.severity, 'error');
      assert.deepEqual(shared.applications, ['aodh-listener', 'panko-listener']);
    } finally {
      const s = await demo.stop();
      assert.equal(s.reason, 'stopped');
      assert.equal(s.removed, true);
      assert.ok(s.published > 0 && s.confirmed > 0);
      assert.deepEqual(s.pools.map((p) => [p.name, p.kind, p.workers, p.local]),
        [['ceilometer', 'pool', 3, true], ['audit', 'pool', 1, true], ['monitoring', 'shared-pool', 2, false], ['notifications.info', 'default-queue', 0, false]]);
    }
    assert.equal(await vhostExists(vhost), false, 'stop deleted the vhost');
    assert.equal(demo.running, false);
    assert.deepEqual(await demo.stop(), await demo.stop(), 'stop is idempotent');
  });

  it('up twice on one vhost: the second resets it, the first notices and stops; down after stop finds nothing', async () => {
    const vhost = newVhost();
    const one = await Demo.up(config, { vhost });
    const ended = new Promise<DemoSummary>((r) => one.once('ended', r));
    await seedConsumers(vhost);
    const two = await Demo.up(config, { vhost });
    try {
      const e = await ended;
      assert.match(e.reason, /^(replaced|removed)$/, 'the first demo saw its vhost go');
      assert.equal(one.running, false);
      await seedConsumers(vhost); // the second demo's 6 consumers, and only those
      assert.equal(two.running, true);
      // The first one's stop must not delete the vhost the second one runs in.
      const s1 = await one.stop();
      assert.equal(s1.reason, e.reason);
      assert.equal(await vhostExists(vhost), true);
    } finally {
      await two.stop();
    }
    assert.equal(await vhostExists(vhost), false);
    assert.deepEqual(await removeDemo(config, vhost), { vhost, removed: false, pools: [] });
  });

  it('refuses a vhost it did not make, the default vhost and a remote broker; cancelling leaves nothing behind', async () => {
    const foreign = newVhost();
    await client.putVhost(foreign);
    await client.putPermissions(foreign, config.username);
    await client.request('PUT', `api/queues/${encodeURIComponent(foreign)}/precious`, { durable: false });
    await assert.rejects(Demo.up(config, { vhost: foreign }), (e: BrokerError) => e.kind === 'precondition' && /was not made by the demo/.test(e.message));
    await assert.rejects(removeDemo(config, foreign), (e: BrokerError) => e.kind === 'precondition');
    assert.equal((await client.queue(foreign, 'precious')).name, 'precious', 'the foreign vhost and its queue are untouched');

    await assert.rejects(Demo.up(config, { vhost: '/' }), (e: BrokerError) => e.kind === 'invalid-input' && /default vhost/.test(e.message));
    const remote = brokerConfig({ amqpUrl: 'amqp://guest:guest@192.0.2.10:5672', managementUrl: 'http://192.0.2.10:15672' });
    await assert.rejects(Demo.up(remote, { vhost: 'x' }), (e: BrokerError) => e.kind === 'invalid-input' && /only on a local broker/.test(e.message));
    await assert.rejects(removeDemo(remote), (e: BrokerError) => e.kind === 'invalid-input');

    const vhost = newVhost();
    const ac = new AbortController();
    await assert.rejects(Demo.up(config, { vhost, signal: ac.signal, onStep: (s) => { if (s === 'starting the workers') { ac.abort(); } } }),
      (e: BrokerError) => e.kind === 'cancelled');
    assert.equal(await vhostExists(vhost), false, 'a cancelled up removed its vhost');
    assert.equal((await client.connections()).filter((c) => c.vhost === vhost).length, 0, 'and closed its connections');
  });

  it('CLI: demo up runs until demo down removes its vhost; up twice and SIGINT; clear errors', async () => {
    const vhost = newVhost();
    const upOnce = startCli(['demo', 'up', '--vhost', vhost, '--json', '--rate', '5']);
    await seedConsumers(vhost);
    const cli = await runCli(['diagnose', '--json', '--vhost', vhost]);
    assert.equal(cli.code, 0, cli.stderr);
    assert.ok(kinds((cli.json as { findings: { kind: string; pool?: string }[] }).findings).includes('shared-pool:monitoring'));
    const topo = await runCli(['topology', '--json', '--vhost', vhost]);
    const nova = (topo.json as { exchanges: { name: string; bindings: { routingKey: string; pools: { name: string; workers: unknown[] }[] }[] }[] }).exchanges.find((e) => e.name === 'nova')!;
    assert.deepEqual(nova.bindings[0].pools.map((p) => [p.name, p.workers.length]).sort(), [['audit', 1], ['ceilometer', 3], ['monitoring', 2], ['notifications.info', 0]]);

    // Up a second time on the same vhost (resets it), then down: both up processes end, down reports what it removed.
    const upTwice = startCli(['demo', 'up', '--vhost', vhost, '--json']);
    const first = await upOnce.exit;
    assert.equal(first.code, 0, first.stderr);
    assert.match((JSON.parse(first.stdout) as { stoppedBy: string }).stoppedBy, /^(replaced|removed)$/);
    await seedConsumers(vhost);
    const down = await runCli(['demo', 'down', '--vhost', vhost, '--json']);
    assert.equal(down.code, 0, down.stderr);
    assert.deepEqual(down.json, { vhost, exchange: 'nova', pools: POOLS, removed: true });
    const second = await upTwice.exit;
    assert.equal(second.code, 0, second.stderr);
    const doc = JSON.parse(second.stdout) as { vhost: string; exchange: string; pools: { name: string; delivered: number }[]; stoppedBy: string; published: number };
    assert.equal(doc.vhost, vhost);
    assert.equal(doc.exchange, 'nova');
    assert.equal(doc.stoppedBy, 'removed');
    assert.deepEqual(doc.pools.map((p) => p.name), ['ceilometer', 'audit', 'monitoring', 'notifications.info']);
    assert.equal(await vhostExists(vhost), false);
    assert.deepEqual((await runCli(['demo', 'down', '--vhost', vhost, '--json'])).json, { vhost, exchange: 'nova', pools: [], removed: false });

    // SIGINT: the workers and the trickle stop, the vhost stays for a look until demo down.
    const upAgain = startCli(['demo', 'up', '--vhost', vhost]);
    await seedConsumers(vhost);
    await until(async () => /Ctrl\+C to stop/.test(upAgain.stderr()), 'the human start-up text');
    upAgain.child.kill('SIGINT');
    const third = await upAgain.exit;
    assert.equal(third.code, 0, third.stderr);
    assert.match(third.stdout, /stopped \(signal\)/);
    assert.match(third.stdout, /monitoring\s+shared-pool\s+2\s+aodh-listener, panko-listener/);
    assert.match(third.stdout, /remove it with: rmq-pools demo down --vhost /);
    assert.equal(await vhostExists(vhost), true);
    await until(async () => (await client.consumers(vhost)).length === 0, 'no consumers left after SIGINT');
    assert.equal((await runCli(['demo', 'down', '--vhost', vhost])).code, 0);
    assert.equal(await vhostExists(vhost), false);

    // Help: the group and each subcommand.
    const group = await runCli(['demo', '--help']);
    assert.equal(group.code, 0);
    assert.match(group.stdout, /\n {2}up {4}build the seed's scenario/);
    assert.match(group.stdout, /\n {2}down {2}remove the demo/);
    const upHelp = await runCli(['demo', 'up', '--help']);
    assert.match(upHelp.stdout, /--vhost V +the demo's scratch vhost \(default "rmq-pools-demo"/);
    assert.match(upHelp.stdout, /--seconds S/);

    // Errors: one line, the right exit code, what to do.
    const noMgmt = await runCli(['demo', 'up', '--vhost', newVhost(), '--management-url', 'http://127.0.0.1:1']);
    assert.equal(noMgmt.code, 1);
    assert.match(noMgmt.stderr, /^rmq-pools demo up: .*management API .*rabbitmq-plugins enable rabbitmq_management.*\n$/);
    const slash = await runCli(['demo', 'down', '--vhost', '/']);
    assert.equal(slash.code, 2);
    assert.equal(slash.stderr.split('\n').filter(Boolean).length, 1);
    const badRate = await runCli(['demo', 'up', '--rate', 'fast']);
    assert.equal(badRate.code, 2);
    assert.match(badRate.stderr, /--rate must be a number/);
    const remote = await runCli(['demo', 'up', '--url', 'amqp://guest:guest@192.0.2.10:5672', '--json']);
    assert.equal(remote.code, 2);
    assert.match((remote.json as { error: { message: string } }).error.message, /only on a local broker/);
    assert.doesNotMatch(remote.stderr + remote.stdout, /guest:guest/, 'no password in errors');
  });
});

/** Starts `node dist/cli.js ARGS` in the background; `exit` resolves when it ends (killed after 60 s at the latest). */
function startCli(args: string[]): { child: ChildProcess; stderr: () => string; exit: Promise<{ code: number | null; stdout: string; stderr: string }> } {
  const child = spawn(process.execPath, [CLI, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout!.on('data', (d: Buffer) => { out += d.toString(); });
  child.stderr!.on('data', (d: Buffer) => { err += d.toString(); });
  const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
  const exit = new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
    child.on('close', (code) => { clearTimeout(timer); resolve({ code, stdout: out, stderr: err }); });
  });
  return { child, stderr: () => err, exit };
}
