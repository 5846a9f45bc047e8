/**
 * rmq-pools pool run / publish / audit / counts through the bundled CLI (node dist/cli.js … --json), against the real
 * broker in a fresh vhost. Every wait is bounded.
 */
import * as assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { CLI, ROOT, TestVhost, freshVhost, runCli, until, untilConsumers } from '../support/broker';
import { WorkerPool } from '../../src/broker/workers';

interface PoolRunJson { pool: string; exchange: string; routingKey: string; delivered: number; redelivered: number; duplicates: number; stoppedBy: string; workers: { name: string; delivered: number }[] }
interface PublishJson { published: number; confirmed: number; unroutable: number; seconds: number; cancelled: boolean }
interface AuditJson { published: number; ok: boolean; pools: { name: string; received: number; missing: number; duplicates: number; exact: boolean; workers: { name: string; delivered: number }[]; latencyMs: { p50: number; p95: number; p99: number } }[] }
interface CountsJson { pools: { name: string; consumers: number; delivered: number | null; acked: number | null; redelivered: number | null; ratePerSecond: number | null }[] }

describe('rmq-pools pool run / publish / audit / counts (CLI, real broker)', function () {
  this.timeout(120_000);
  let vh: TestVhost;
  let v: string[];

  before(async () => {
    execFileSync(process.execPath, ['esbuild.mjs'], { cwd: ROOT, stdio: 'inherit' });
    vh = await freshVhost('clipools');
    v = ['--vhost', vh.name];
    const c = await vh.connect('test-setup');
    const ch = await c.createChannel();
    await ch.assertExchange('nova', 'topic', { durable: true });
    await ch.close();
  });
  after(async () => { await vh.cleanup(); });

  it('pool run --count stops after exactly N deliveries shared by its workers; publish confirms them; counts shows the pool', async () => {
    const run = runCli(['pool', 'run', '--exchange', 'nova', '--key', 'notifications.info', '--pool', 'ceilometer', '--workers', '3', '--count', '600', '--json', ...v]);
    await untilConsumers(vh.client, vh.name, 'ceilometer', 3);
    const pub = await runCli(['publish', '--exchange', 'nova', '--key', 'notifications.info', '--count', '600', '--json', ...v]);
    assert.equal(pub.code, 0, pub.stderr);
    const pj = pub.json as PublishJson;
    assert.equal(pj.published, 600);
    assert.equal(pj.confirmed, 600);
    assert.equal(pj.unroutable, 0);
    const r = await run;
    assert.equal(r.code, 0, r.stderr);
    const j = r.json as PoolRunJson;
    assert.equal(j.pool, 'ceilometer');
    assert.equal(j.exchange, 'nova');
    assert.equal(j.routingKey, 'notifications.info');
    assert.equal(j.delivered, 600);
    assert.equal(j.duplicates, 0);
    assert.equal(j.stoppedBy, 'count');
    assert.equal(j.workers.length, 3);
    assert.equal(j.workers.reduce((a, w) => a + w.delivered, 0), 600);
    assert.ok(j.workers.every((w) => w.delivered > 0), JSON.stringify(j.workers));

    // The management API's counters lag ~5 s: poll until they show the 600 deliveries.
    const counts = await until(async () => {
      const c = await runCli(['counts', '--json', ...v]);
      const p = (c.json as CountsJson | undefined)?.pools.find((x) => x.name === 'ceilometer');
      // Every counter lags, each on its own (the ack count can trail the delivery count by a statistics cycle): wait for the
      // deliveries, the acks, and for the stopped workers to leave the consumer count.
      return c.code === 0 && p && p.delivered !== null && p.delivered >= 600 && p.acked !== null && p.acked >= 600 && p.consumers === 0 ? p : undefined;
    }, 'counts to show 600 deliveries and acks and no consumers on ceilometer', 30_000, 1000);
    assert.equal(counts.consumers, 0);
    assert.ok(counts.acked !== null && counts.acked >= 600);
    assert.ok(typeof counts.ratePerSecond === 'number');
    const human = await runCli(['counts', ...v]);
    assert.equal(human.code, 0);
    assert.match(human.stdout, /ceilometer/);
  });

  it('pool run --seconds stops by itself and prints a table in human mode', async () => {
    const r = await runCli(['pool', 'run', '--exchange', 'nova', '--key', 'notifications.info', '--pool', 'short', '--workers', '2', '--seconds', '1', '--delete-on-stop', ...v]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /Pool "short" stopped \(seconds\)/);
    assert.match(r.stdout, /short-1/);
    const q = await vh.client.queues(vh.name, ['name']);
    assert.ok(!q.some((x) => x.name === 'short'), '--delete-on-stop deleted the queue');
  });

  it('pool run stops on SIGINT, reports and exits 0', async () => {
    const child = spawn(process.execPath, [CLI, 'pool', 'run', '--exchange', 'nova', '--key', 'notifications.info', '--pool', 'interrupted', '--workers', '2', '--json', '--delete-on-stop', ...v]);
    let out = '';
    child.stdout.on('data', (d: Buffer) => { out += d.toString(); });
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    try {
      await untilConsumers(vh.client, vh.name, 'interrupted', 2);
      await runCli(['publish', '--exchange', 'nova', '--key', 'notifications.info', '--count', '100', ...v]);
      const ch = await (await vh.connect('test-check')).createChannel();
      await until(async () => (await ch.checkQueue('interrupted')).messageCount === 0, 'the workers to take all 100');
      const t0 = performance.now();
      child.kill('SIGINT');
      const code = await Promise.race([exited, new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), 10_000))]);
      assert.equal(code, 0, `exit ${String(code)} after ${(performance.now() - t0).toFixed(0)} ms`);
      const j = JSON.parse(out) as PoolRunJson;
      assert.equal(j.stoppedBy, 'signal');
      assert.equal(j.delivered, 100);
    } finally {
      if (child.exitCode === null) { child.kill('SIGKILL'); }
    }
  });

  it('audit --pools runs the pools locally: every pool gets every message exactly once', async () => {
    const r = await runCli(['audit', '--exchange', 'nova', '--key', 'notifications.info', '--count', '1500', '--pools', 'ceilometer:3,audit:1,notifications.info:1', '--json', ...v]);
    assert.equal(r.code, 0, r.stderr);
    const j = r.json as AuditJson;
    assert.equal(j.published, 1500);
    assert.equal(j.ok, true);
    assert.deepEqual(j.pools.map((p) => p.name).sort(), ['audit', 'ceilometer', 'notifications.info']);
    for (const p of j.pools) {
      assert.equal(p.exact, true);
      assert.equal(p.received, 1500, p.name);
      assert.equal(p.missing, 0, p.name);
      assert.equal(p.duplicates, 0, p.name);
      assert.ok(p.latencyMs.p50 > 0 && p.latencyMs.p99 >= p.latencyMs.p50);
    }
    const ceil = j.pools.find((p) => p.name === 'ceilometer');
    assert.ok(ceil && ceil.workers.length === 3 && ceil.workers.every((w) => w.delivered > 0));
  });

  it('audit without --pools judges the bound pools from management API deltas (exact: false)', async () => {
    // Other pools from the earlier tests are bound but have no consumers: remove them to judge only the running one.
    for (const q of ['ceilometer', 'audit', 'notifications.info']) { await vh.client.deleteQueue(vh.name, q).catch(() => undefined); }
    const remote = new WorkerPool(vh.config, { pool: 'remote-pool', exchange: 'nova', routingKeys: 'notifications.info', workers: 2, connectionName: 'someone-else' });
    await remote.start();
    try {
      const r = await runCli(['audit', '--exchange', 'nova', '--key', 'notifications.info', '--count', '300', '--deadline', '25', '--json', ...v]);
      const j = r.json as AuditJson;
      assert.ok(j, r.stderr);
      assert.equal(j.pools.length, 1);
      assert.equal(j.pools[0].name, 'remote-pool');
      assert.equal(j.pools[0].exact, false);
      assert.equal(j.ok, false, 'approximate results are never "ok"');
      assert.equal(remote.delivered, 300, 'the remote pool really got them');
      console.log(`      approximate audit: received ${j.pools[0].received}, missing ${j.pools[0].missing} (exit ${r.code})`);
      assert.equal(j.pools[0].received, 300);
      assert.equal(r.code, 0, r.stderr);
    } finally {
      await remote.stop({ deleteQueue: true });
    }
  });

  it('publish to a key no pool is bound to: every message unroutable, said in human mode too', async () => {
    const r = await runCli(['publish', '--exchange', 'nova', '--key', 'nobody.listens', '--count', '50', '--json', ...v]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal((r.json as PublishJson).unroutable, 50);
    const h = await runCli(['publish', '--exchange', 'nova', '--key', 'nobody.listens', '--count', '5', ...v]);
    assert.match(h.stdout, /no pool is bound to "nobody.listens" on "nova"/);
  });

  it('broker errors exit 1 with one line', async () => {
    const r = await runCli(['publish', '--exchange', 'no-such-exchange', '--key', 'k', '--count', '1', ...v]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /exchange "no-such-exchange" does not exist/);
    assert.equal(r.stderr.trim().split('\n').length, 1);
    const p = await runCli(['pool', 'run', '--exchange', 'no-such-exchange', '--key', 'k', '--pool', 'x', '--count', '1', '--json', ...v]);
    assert.equal(p.code, 1);
    assert.equal((p.json as { error: { kind: string } }).error.kind, 'not-found');
  });

  it('bad numbers and usage errors exit 2 with a message naming the flag', async () => {
    const base = ['--exchange', 'nova', '--key', 'k', ...v];
    const cases: [string[], RegExp][] = [
      [['publish', ...base, '--count', '0'], /--count/],
      [['publish', ...base, '--count', '-5'], /--count/],
      [['publish', ...base, '--count', '1.5'], /--count/],
      [['publish', ...base, '--count', 'many'], /--count/],
      [['publish', ...base, '--count', '99999999999999999999'], /--count/],
      [['publish', ...base], /--count/],
      [['publish', ...base, '--count', '10', '--rate', '0'], /--rate/],
      [['publish', ...base, '--count', '10', '--rate', '-3'], /--rate/],
      [['publish', ...base, '--count', '1', '--payload', '{"id": {{uuid}}}'], /payload template is not valid JSON/],
      [['pool', 'run', ...base, '--pool', 'p', '--workers', '0'], /--workers/],
      [['pool', 'run', ...base, '--pool', 'p', '--workers', '1001'], /--workers/],
      [['pool', 'run', ...base, '--pool', 'p', '--prefetch', '2.5'], /--prefetch/],
      [['pool', 'run', ...base, '--pool', 'p', '--seconds', '0'], /--seconds/],
      [['pool', 'run', ...base, '--pool', 'p', '--count', '5', '--seconds', '5'], /--count or --seconds/],
      [['pool', 'run', ...base, '--pool', 'amq.mine'], /amq\./],
      [['pool', 'run', ...base, '--pool', 'p', '--queue-type', 'stream'], /--queue-type/],
      [['pool', 'run', '--exchange', 'nova', '--pool', 'p', ...v], /--key/],
      [['audit', ...base, '--count', '10', '--pools', 'ceilometer:0'], /--pools/],
      [['audit', ...base, '--count', '10', '--pools', 'ceilometer:x'], /--pools/],
      [['audit', ...base, '--count', 'x'], /--count/],
      [['counts', '--bogus', ...v], /--bogus/],
    ];
    for (const [args, re] of cases) {
      const r = await runCli([...args, '--json']);
      assert.equal(r.code, 2, `${args.join(' ')} → ${r.code} ${r.stderr}`);
      assert.match(r.stderr, re, args.join(' '));
      assert.equal(r.stderr.trim().split('\n').length, 1, `one line: ${r.stderr}`);
      assert.equal((r.json as { error: { kind: string } }).error.kind === 'usage' || (r.json as { error: { kind: string } }).error.kind === 'invalid-input', true);
    }
  });
  it('pool --help lists the pool subcommands with a summary each (exit 0); a bare "pool" or a wrong subcommand is a usage error (exit 2)', async () => {
    const help = await runCli(['pool', '--help']);
    assert.equal(help.code, 0, help.stderr);
    assert.equal(help.stderr, '');
    assert.match(help.stdout, /^Usage: rmq-pools pool SUBCOMMAND/);
    assert.match(help.stdout, /^ {2}run {2}join or create pool P with N local workers/m, help.stdout);
    assert.match(help.stdout, /rmq-pools pool SUBCOMMAND --help/);
    assert.doesNotMatch(help.stdout + help.stderr, /unknown command/);
    // Every "pool …" command of the CLI is listed, one line each.
    const global = await runCli(['--help']);
    const subs = [...global.stdout.matchAll(/^ {2}pool (\S+)/gm)].map((m) => m[1]);
    assert.ok(subs.length >= 1, global.stdout);
    for (const sub of subs) { assert.match(help.stdout, new RegExp(`^ {2}${sub} +\\S`, 'm'), `"${sub}" is missing from pool --help`); }

    const short = await runCli(['pool', '-h']);
    assert.equal(short.code, 0);
    assert.equal(short.stdout, help.stdout);

    const bare = await runCli(['pool']);
    assert.equal(bare.code, 2);
    assert.equal(bare.stdout, help.stdout, 'a bare "pool" prints the same list');
    assert.match(bare.stderr, /^rmq-pools pool: a subcommand is needed \(run.*\)\. Run "rmq-pools pool --help"/);
    assert.equal(bare.stderr.trim().split('\n').length, 1, 'one line on stderr');

    const wrong = await runCli(['pool', 'sprint']);
    assert.equal(wrong.code, 2);
    assert.equal(wrong.stdout, '');
    assert.match(wrong.stderr, /unknown subcommand "sprint" \(the subcommands are: run.*\)/);
  });
});
