/**
 * TLS against the scratch node's listeners (AMQPS 5677, HTTPS 15677; scripts/scratch-node.sh makes a CA and a server
 * certificate for 127.0.0.1/localhost with openssl): verification is on by default, a CA file makes it work, and turning
 * verification off works only when asked for explicitly and always comes with a warning.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { brokerConfig, insecureTlsWarning } from '../../src/broker/connection';
import { BrokerError } from '../../src/broker/errors';
import { ManagementClient } from '../../src/broker/management';
import { publishNotifications } from '../../src/broker/publisher';
import { WorkerPool } from '../../src/broker/workers';
import { testConnection } from '../../src/broker/connectionTest';
import { ROOT, TestVhost, runCli, until } from '../support/broker';
import { SCRATCH, ensureScratchNode, scratchVhost } from './faultsScratch';

const AMQPS = 'amqps://guest:guest@127.0.0.1:5677';
const AMQPS_LOCALHOST = 'amqps://guest:guest@localhost:5677';
const HTTPS = SCRATCH.httpsUrl;

describe('TLS: amqps:// and https:// with a locally generated CA (scratch node)', function () {
  this.timeout(120_000);
  let vh: TestVhost;
  let tmp: string;
  let otherCa: string;

  before(async () => {
    execFileSync(process.execPath, ['esbuild.mjs'], { cwd: ROOT, stdio: 'pipe' });
    await ensureScratchNode();
    vh = await scratchVhost('tls');
    const c = await vh.connect('test-setup');
    const ch = await c.createChannel();
    await ch.assertExchange('nova', 'topic', { durable: true });
    await ch.close();
    // A CA that did not sign the broker's certificate: trusting it must not be enough.
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'rmqp-tls-'));
    otherCa = path.join(tmp, 'other-ca.pem');
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=not the broker CA', '-keyout', path.join(tmp, 'k.pem'), '-out', otherCa], { stdio: 'pipe' });
  });
  after(async () => {
    await vh?.cleanup();
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  const tlsConfig = (tls: { caFile?: string; rejectUnauthorized?: boolean }, amqpUrl = AMQPS) => brokerConfig({ amqpUrl, managementUrl: HTTPS, vhost: vh.name, tls, timeoutMs: 5000 });

  it('verification is on by default', () => {
    assert.equal(brokerConfig({ amqpUrl: AMQPS }).tls.rejectUnauthorized, true);
    assert.equal(insecureTlsWarning(brokerConfig({ amqpUrl: AMQPS }), '--insecure'), undefined);
  });

  it('with the CA file: the management API over https and a pool + publish over amqps work (IP and host name)', async () => {
    for (const url of [AMQPS, AMQPS_LOCALHOST]) {
      const config = tlsConfig({ caFile: SCRATCH.caFile }, url);
      const client = new ManagementClient(config);
      try {
        const o = await client.overview();
        assert.match(o.rabbitmq_version ?? '', /^\d+\.\d+/);
      } finally { client.dispose(); }
      const pool = new WorkerPool(config, { pool: 'tls-pool', exchange: 'nova', routingKeys: 'tls.k', workers: 2 });
      await pool.start();
      try {
        const r = await publishNotifications(config, { exchange: 'nova', routingKey: 'tls.k', count: 500 });
        assert.equal(r.confirmed, 500);
        await until(() => pool.snapshot().uniqueIds >= 500, 'the pool to get 500 over amqps', 20_000, 50);
      } finally {
        await pool.stop({ deleteQueue: true });
      }
      const t = await testConnection(config);
      assert.equal(t.ok, true, t.lines.join(' | '));
    }
  });

  it('without the CA file, or with a CA that did not sign it: refused, naming the CA setting', async () => {
    for (const tls of [{}, { caFile: otherCa }]) {
      const config = tlsConfig(tls);
      const client = new ManagementClient(config);
      const e = await client.overview().then(() => undefined, (x: unknown) => x);
      client.dispose();
      assert.ok(e instanceof BrokerError && e.kind === 'tls', String(e));
      assert.match(e.describe(), /cannot be verified/);
      assert.match(e.hint, /"tls\.caFile".*--ca-file/);
      const p = await new WorkerPool(config, { pool: 'tls-refused', exchange: 'nova', routingKeys: 'k', recovery: { initialMaxRetries: 0 } }).start().then(() => undefined, (x: unknown) => x);
      assert.ok(p instanceof BrokerError && p.kind === 'tls', String(p));
      assert.match(p.hint, /--ca-file.*tls\.caFile/);
    }
    assert.ok(!(await vh.client.queues(vh.name, ['name'])).some((q) => q.name === 'tls-refused'), 'nothing was declared');
  });

  it('rejectUnauthorized false works, but always with a warning naming what turned it off', async () => {
    const config = tlsConfig({ rejectUnauthorized: false });
    const client = new ManagementClient(config);
    try { await client.overview(); } finally { client.dispose(); }
    const r = await publishNotifications(config, { exchange: 'nova', routingKey: 'nobody', count: 10 });
    assert.equal(r.confirmed, 10);
    const w = insecureTlsWarning(config, '"tls.rejectUnauthorized": false');
    assert.ok(w);
    assert.match(w, /TLS certificate verification is off for broker/);
    assert.match(w, /"tls\.rejectUnauthorized": false/);
    assert.match(w, /"tls\.caFile" setting or --ca-file/);
    assert.ok(!w.includes('guest:guest'));
    // Plain amqp:// and http:// have nothing to verify: no warning.
    assert.equal(insecureTlsWarning(brokerConfig({ tls: { rejectUnauthorized: false } }), 'x'), undefined);
  });

  describe('CLI', () => {
    const common = ['--url', AMQPS, '--management-url', HTTPS, '--vhost', () => vh.name] as const;
    const args = (...a: string[]) => [...common.map((x) => (typeof x === 'function' ? x() : x)), ...a];

    it('--ca-file: topology, publish and pool run over TLS exit 0 with no warning', async () => {
      const t = await runCli(['topology', '--json', ...args('--ca-file', SCRATCH.caFile)]);
      assert.equal(t.code, 0, t.stderr);
      assert.equal(t.stderr, '');
      const run = runCli(['pool', 'run', '--exchange', 'nova', '--key', 'cli.tls', '--pool', 'tls-cli', '--count', '50', '--json', '--delete-on-stop', ...args('--ca-file', SCRATCH.caFile)]);
      await until(async () => (await vh.client.consumers(vh.name)).some((c) => c.queue?.name === 'tls-cli'), 'the CLI pool to consume', 20_000);
      const p = await runCli(['publish', '--exchange', 'nova', '--key', 'cli.tls', '--count', '50', '--json', ...args('--ca-file', SCRATCH.caFile)]);
      assert.equal(p.code, 0, p.stderr);
      assert.equal((p.json as { confirmed: number }).confirmed, 50);
      const r = await run;
      assert.equal(r.code, 0, r.stderr);
      assert.equal((r.json as { delivered: number }).delivered, 50);
    });

    it('without --ca-file: exit 1, one line naming --ca-file / tls.caFile', async () => {
      for (const cmd of [['topology'], ['publish', '--exchange', 'nova', '--key', 'k', '--count', '1']]) {
        const r = await runCli([...cmd, ...args()]);
        assert.equal(r.code, 1, r.stderr);
        assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
        assert.match(r.stderr, /--ca-file/);
        assert.match(r.stderr, /tls\.caFile/);
      }
    });

    it('--insecure: works, with a warning on stderr; no warning for plain amqp:// and http://', async () => {
      const r = await runCli(['topology', '--json', ...args('--insecure')]);
      assert.equal(r.code, 0, r.stderr);
      assert.ok(r.json, 'a JSON document on stdout');
      assert.match(r.stderr, /^rmq-pools: warning: TLS certificate verification is off .*\(--insecure\)/);
      assert.ok(!r.stderr.includes('guest:guest'));
      const plain = await runCli(['topology', '--json', '--insecure', '--url', SCRATCH.amqpUrl, '--management-url', SCRATCH.managementUrl, '--vhost', vh.name]);
      assert.equal(plain.code, 0, plain.stderr);
      assert.equal(plain.stderr, '');
    });
  });
});
