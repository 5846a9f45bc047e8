/**
 * Bad input, table-driven, through the core (a BrokerError whose message says what was wrong and whose hint says what to
 * do) and the CLI (exit 2 for a usage error, 1 for a broker error, one line on stderr, no stack trace, no password).
 * After every case the test vhost holds exactly the queues it held before: nothing is half-created.
 * Broker cases run in a fresh vhost of the main broker (users are created and deleted by this file); TLS cases against the
 * scratch node's TLS ports (scripts/scratch-node.sh), which use a locally generated CA.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import * as net from 'node:net';
import { brokerConfig, BrokerInput } from '../../src/broker/connection';
import { BrokerError, BrokerErrorKind } from '../../src/broker/errors';
import { LocalPools } from '../../src/broker/localPools';
import { ManagementClient } from '../../src/broker/management';
import { NotificationPublisher, PublishOptions, publishNotifications } from '../../src/broker/publisher';
import { runAudit } from '../../src/broker/audit';
import { WorkerPool, WorkerPoolOptions } from '../../src/broker/workers';
import { AMQP_URL, CliResult, MANAGEMENT_URL, ROOT, TestVhost, freshVhost, runCli, until } from './helpers';
import { SCRATCH, ensureScratchNode } from './faultsScratch';

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

interface Case {
  name: string;
  /** Must throw (or reject with) a BrokerError of `kind`. */
  core?: () => unknown;
  kind?: BrokerErrorKind;
  /** CLI arguments (the test vhost and --json are not added: each case says what it needs). */
  cli?: () => string[];
  /** CLI exit code (default: 2 for invalid-input, else 1). */
  code?: number;
  /** Matched against the core's describe() and the CLI's line. */
  message: RegExp;
  /** Matched against the core's hint (what to do). */
  hint?: RegExp;
  /** Strings that must appear nowhere (passwords). */
  secrets?: string[];
}

describe('bad input: a clear message, no stack trace, no crash, nothing half-created (core and CLI)', function () {
  this.timeout(120_000);
  let vh: TestVhost;
  let baseline: string[];
  const admin = new ManagementClient(brokerConfig({ amqpUrl: AMQP_URL, managementUrl: MANAGEMENT_URL }));
  const users: string[] = [];
  const pw = `Bad-Input-${randomBytes(6).toString('hex')}`;
  let noPerm: string;
  let readLimited: string;
  let free: number;

  const cfg = (input: BrokerInput = {}) => brokerConfig({ amqpUrl: AMQP_URL, managementUrl: MANAGEMENT_URL, vhost: vh.name, timeoutMs: 5000, ...input });
  const poolOpts = (o: Partial<WorkerPoolOptions> = {}): WorkerPoolOptions => ({ pool: 'bi-pool', exchange: 'nova', routingKeys: 'notifications.info', workers: 1, recovery: { initialMaxRetries: 0 }, ...o });
  const startPool = (c: ReturnType<typeof cfg>, o: Partial<WorkerPoolOptions> = {}) => new WorkerPool(c, poolOpts(o)).start();
  const pubOpts = (o: Partial<PublishOptions> = {}): PublishOptions => ({ exchange: 'nova', routingKey: 'notifications.info', count: 10, ...o });
  const v = () => ['--vhost', vh.name];
  const userUrl = (user: string, password: string, port = 5672) => `amqp://${user}:${password}@127.0.0.1:${port}/`;

  async function createUser(perms?: { configure: string; write: string; read: string }): Promise<string> {
    const name = `rmqp-test-bi-${randomBytes(3).toString('hex')}`;
    await admin.request('PUT', `api/users/${encodeURIComponent(name)}`, { password: pw, tags: 'management' });
    users.push(name);
    if (perms) { await admin.putPermissions(vh.name, name, perms); }
    return name;
  }
  const queueNames = async () => (await vh.client.queues(vh.name, ['name'])).map((q) => q.name).sort();

  before(async () => {
    execFileSync(process.execPath, ['esbuild.mjs'], { cwd: ROOT, stdio: 'pipe' });
    await ensureScratchNode();
    vh = await freshVhost('badinput');
    const c = await vh.connect('test-setup');
    const ch = await c.createChannel();
    await ch.assertExchange('nova', 'topic', { durable: true });
    // A sink bound to everything: "nothing was published" is checked on it.
    await ch.assertQueue('bi-sink', { durable: true });
    await ch.bindQueue('bi-sink', 'nova', '#');
    // A quorum queue with a length limit, and an exclusive queue owned by this test's connection.
    await ch.assertQueue('bi-quorum', { durable: true, arguments: { 'x-queue-type': 'quorum', 'x-max-length': 10 } });
    await ch.assertQueue('bi-exclusive', { exclusive: true });
    await ch.close();
    noPerm = await createUser();
    // May configure and write everything but read only bi-* queues: declaring works, binding to "nova" is refused.
    readLimited = await createUser({ configure: '.*', write: '.*', read: '^bi-.*' });
    free = await freePort();
    baseline = await queueNames();
  });
  after(async () => {
    for (const u of users) { await admin.request('DELETE', `api/users/${encodeURIComponent(u)}`).catch(() => undefined); }
    admin.dispose();
    await vh?.cleanup();
  });

  const long = 'k'.repeat(256);
  const cases: Case[] = [
    // ---- URLs ----
    { name: 'a malformed URL', core: () => cfg({ amqpUrl: 'amqp://a b' }), kind: 'invalid-input', cli: () => ['topology', '--url', 'amqp://a b'], message: /AMQP URL "amqp:\/\/a b" is not a valid URL/ },
    { name: 'a URL with the wrong scheme', core: () => cfg({ amqpUrl: 'mqtt://127.0.0.1:1883' }), kind: 'invalid-input', cli: () => ['counts', '--url', 'mqtt://127.0.0.1:1883'], message: /scheme "mqtt:".*amqp:\/\//, hint: /amqp:\/\/ or amqps:\/\// },
    { name: 'a URL without a scheme', core: () => cfg({ amqpUrl: '127.0.0.1:5672' }), kind: 'invalid-input', cli: () => ['topology', '--url', '127.0.0.1:5672'], message: /has no scheme/, hint: /Start it with amqp:\/\// },
    { name: 'a URL without a host', core: () => cfg({ amqpUrl: 'amqp://:5672' }), kind: 'invalid-input', cli: () => ['topology', '--url', 'amqp://:5672'], message: /"amqp:\/\/:5672" has no host/ },
    { name: 'a URL with port 70000', core: () => cfg({ amqpUrl: 'amqp://127.0.0.1:70000' }), kind: 'invalid-input', cli: () => ['topology', '--url', 'amqp://127.0.0.1:70000'], message: /port "70000", which is not a number from 1 to 65535/ },
    { name: 'a URL with port 0', core: () => cfg({ amqpUrl: 'amqp://127.0.0.1:0' }), kind: 'invalid-input', cli: () => ['topology', '--url', 'amqp://127.0.0.1:0'], message: /port 0, outside 1–65535/ },
    { name: 'an IPv6 host without its "]"', core: () => cfg({ amqpUrl: 'amqp://[::1' }), kind: 'invalid-input', cli: () => ['topology', '--url', 'amqp://[::1'], message: /IPv6 address without its closing "\]"/ },
    { name: 'a management URL with an AMQP scheme', core: () => cfg({ managementUrl: 'amqp://127.0.0.1:15672' }), kind: 'invalid-input', cli: () => ['counts', '--management-url', 'amqp://127.0.0.1:15672'], message: /management URL .* scheme "amqp:"/, hint: /http:\/\/ or https:\/\// },
    { name: 'a malformed percent-encoding in the password', core: () => cfg({ amqpUrl: 'amqp://guest:%zz@127.0.0.1' }), kind: 'invalid-input', cli: () => ['topology', '--url', 'amqp://guest:%zz@127.0.0.1'], message: /malformed percent-encoding in its password/, hint: /%25/ },
    // ---- credentials, vhost, reachability ----
    { name: 'a wrong password (AMQP)', core: () => startPool(cfg({ password: pw })), kind: 'auth', cli: () => ['pool', 'run', '--exchange', 'nova', '--key', 'k', '--pool', 'bi-pool', '--count', '1', '--url', userUrl('guest', pw), ...v()], message: /refused user "guest": wrong user name or password/, secrets: [pw] },
    { name: 'an unknown user (AMQP)', core: () => publishNotifications(cfg({ username: 'nobody-here', password: pw }), pubOpts()), kind: 'auth', cli: () => ['publish', '--exchange', 'nova', '--key', 'k', '--count', '1', '--url', userUrl('nobody-here', pw), ...v()], message: /refused user "nobody-here"/, secrets: [pw] },
    { name: 'an unknown vhost (AMQP)', core: () => startPool(cfg({ vhost: 'no-such-vhost-bi' })), kind: 'not-found', cli: () => ['pool', 'run', '--exchange', 'nova', '--key', 'k', '--pool', 'bi-pool', '--count', '1', '--vhost', 'no-such-vhost-bi'], message: /vhost "no-such-vhost-bi" does not exist/, hint: /list_vhosts/ },
    { name: 'no permission on the vhost (AMQP)', core: () => startPool(cfg({ username: noPerm, password: pw })), kind: 'forbidden', cli: () => ['publish', '--exchange', 'nova', '--key', 'k', '--count', '1', '--url', userUrl(noPerm, pw), ...v()], message: /may not use vhost "rmqp-test-badinput/, hint: /set_permissions/, secrets: [pw] },
    { name: 'an unreachable host', core: () => startPool(cfg({ amqpUrl: 'amqp://127.0.0.1:1', managementUrl: 'http://127.0.0.1:1' })), kind: 'unreachable', cli: () => ['pool', 'run', '--exchange', 'nova', '--key', 'k', '--pool', 'bi-pool', '--count', '1', '--url', 'amqp://127.0.0.1:1'], message: /No AMQP broker answers at amqp:\/\/127\.0\.0\.1:1/, hint: /Start RabbitMQ|fix the AMQP URL/ },
    { name: 'the management plugin off (a free port, AMQP alive)', core: () => new ManagementClient(cfg({ managementUrl: `http://127.0.0.1:${free}` })).overview(), kind: 'plugin-off', cli: () => ['diagnose', '--management-url', `http://127.0.0.1:${free}`, ...v()], message: /answers on AMQP .* management API/, hint: /rabbitmq-plugins enable rabbitmq_management/ },
    { name: 'HTTPS with a certificate from an unknown CA (no CA file)', core: () => new ManagementClient(cfg({ amqpUrl: SCRATCH.amqpUrl, managementUrl: SCRATCH.httpsUrl, vhost: '/' })).overview(), kind: 'tls', cli: () => ['counts', '--url', SCRATCH.amqpUrl, '--management-url', SCRATCH.httpsUrl], message: /TLS certificate of https:\/\/127\.0\.0\.1:15677 cannot be verified/, hint: /"tls\.caFile".*--ca-file/ },
    { name: 'AMQPS with a certificate from an unknown CA (no CA file)', core: () => startPool(cfg({ amqpUrl: SCRATCH.amqpsUrl, managementUrl: SCRATCH.httpsUrl, vhost: '/' })), kind: 'tls', cli: () => ['publish', '--exchange', 'amq.topic', '--key', 'k', '--count', '1', '--url', SCRATCH.amqpsUrl], message: /TLS with amqps:\/\/127\.0\.0\.1:5677 failed/, hint: /--ca-file.*tls\.caFile/ },
    { name: 'a CA file that does not exist', core: () => new ManagementClient(cfg({ managementUrl: SCRATCH.httpsUrl, tls: { caFile: '/nonexistent/ca.pem' } })), kind: 'tls', cli: () => ['counts', '--management-url', SCRATCH.httpsUrl, '--ca-file', '/nonexistent/ca.pem'], message: /CA file "\/nonexistent\/ca\.pem" cannot be read \(ENOENT\)/, hint: /tls\.caFile.*--ca-file/ },
    // ---- names and keys ----
    { name: 'a routing key over 255 bytes (publish)', core: () => new NotificationPublisher(cfg(), pubOpts({ routingKey: long })), kind: 'invalid-input', cli: () => ['publish', '--exchange', 'nova', '--key', long, '--count', '1', ...v()], message: /routing key is missing or longer than 255 bytes/ },
    { name: 'a binding key over 255 bytes (pool)', core: () => new WorkerPool(cfg(), poolOpts({ routingKeys: ['ok', long] })), kind: 'invalid-input', cli: () => ['pool', 'run', '--exchange', 'nova', '--key', long, '--pool', 'bi-pool', '--count', '1', ...v()], message: /binding key "k{40}…" is longer than 255 bytes/ },
    { name: 'a pool name over 255 bytes (128 two-byte characters)', core: () => new WorkerPool(cfg(), poolOpts({ pool: 'é'.repeat(128) })), kind: 'invalid-input', cli: () => ['pool', 'run', '--exchange', 'nova', '--key', 'k', '--pool', 'é'.repeat(128), '--count', '1', ...v()], message: /pool name .* is longer than 255 bytes/ },
    { name: 'a blank pool name', core: () => new WorkerPool(cfg(), poolOpts({ pool: '   ' })), kind: 'invalid-input', cli: () => ['pool', 'run', '--exchange', 'nova', '--key', 'k', '--pool', '   ', '--count', '1', ...v()], message: /pool name is empty/ },
    { name: 'a reserved amq.* pool name (LocalPools registers nothing)', core: async () => { const l = new LocalPools(); try { await l.start(cfg(), poolOpts({ pool: 'amq.gen-mine' })); } finally { assert.equal(l.list().length, 0); } }, kind: 'invalid-input', cli: () => ['pool', 'run', '--exchange', 'nova', '--key', 'k', '--pool', 'amq.gen-mine', '--count', '1', ...v()], message: /starts with "amq\.", which RabbitMQ reserves/ },
    { name: 'an empty exchange name for a pool', core: () => new WorkerPool(cfg(), poolOpts({ exchange: '' })), kind: 'invalid-input', cli: () => ['pool', 'run', '--exchange', '', '--key', 'k', '--pool', 'bi-pool', '--count', '1', ...v()], message: /exchange name is empty: the default exchange cannot be bound/ },
    { name: 'a pool name taken by another connection\'s exclusive queue', core: () => startPool(cfg(), { pool: 'bi-exclusive' }), kind: 'precondition', cli: () => ['pool', 'run', '--exchange', 'nova', '--key', 'k', '--pool', 'bi-exclusive', '--count', '1', ...v()], message: /exclusive queue of another connection/, hint: /another pool name/ },
    { name: 'binding refused midway (no read permission on the exchange): the queue it created is deleted again', core: () => startPool(cfg({ username: readLimited, password: pw }), { pool: 'bi-halfway' }), kind: 'forbidden', cli: () => ['pool', 'run', '--exchange', 'nova', '--key', 'k', '--pool', 'bi-halfway', '--count', '1', '--url', userUrl(readLimited, pw), ...v()], message: /Binding queue "bi-halfway" to exchange "nova" .* failed: .*deleted again; nothing was left behind/, hint: /permissions/, secrets: [pw] },
    // ---- payload, numbers, rates, headers ----
    { name: 'a payload template that is not JSON', core: () => publishNotifications(cfg(), pubOpts({ payloadTemplate: '[1, 2' })), kind: 'invalid-input', cli: () => ['publish', '--exchange', 'nova', '--key', 'k', '--count', '5', '--payload', '[1, 2', ...v()], message: /payload template is not valid JSON/, hint: /nothing was published/ },
    { name: 'a publish count of 0', core: () => publishNotifications(cfg(), pubOpts({ count: 0 })), kind: 'invalid-input', message: /message count 0 is not a whole number from 1/ },
    { name: 'a negative publish count', core: () => publishNotifications(cfg(), pubOpts({ count: -3 })), kind: 'invalid-input', message: /message count -3 is not a whole number/ },
    { name: 'a fractional publish count', core: () => publishNotifications(cfg(), pubOpts({ count: 2.5 })), kind: 'invalid-input', cli: () => ['publish', '--exchange', 'nova', '--key', 'k', '--count', '2.5', ...v()], message: /count.*2\.5/ },
    { name: 'a huge publish count', core: () => publishNotifications(cfg(), pubOpts({ count: 1e12 })), kind: 'invalid-input', cli: () => ['publish', '--exchange', 'nova', '--key', 'k', '--count', '10000001', ...v()], message: /count.*(1000000000000|10000001)/ },
    { name: 'an audit count of 0 starts no pool', core: () => runAudit(cfg(), vh.client, { exchange: 'nova', routingKey: 'k', count: 0, pools: [{ name: 'bi-audit', workers: 1 }] }), kind: 'invalid-input', cli: () => ['audit', '--exchange', 'nova', '--key', 'k', '--count', '0', '--pools', 'bi-audit:1', ...v()], message: /count.*0/ },
    { name: 'zero workers', core: () => new WorkerPool(cfg(), poolOpts({ workers: 0 })), kind: 'invalid-input', message: /worker count 0 is not a whole number from 1 to 1000/ },
    { name: 'a negative worker count', core: () => new WorkerPool(cfg(), poolOpts({ workers: -2 })), kind: 'invalid-input', cli: () => ['pool', 'run', '--exchange', 'nova', '--key', 'k', '--pool', 'bi-pool', '--workers', '-2', ...v()], message: /worker.*-2/ },
    { name: 'a fractional worker count', core: () => new WorkerPool(cfg(), poolOpts({ workers: 1.5 })), kind: 'invalid-input', cli: () => ['pool', 'run', '--exchange', 'nova', '--key', 'k', '--pool', 'bi-pool', '--workers', '1.5', ...v()], message: /worker.*1\.5/ },
    { name: 'a huge worker count', core: () => new WorkerPool(cfg(), poolOpts({ workers: 1e6 })), kind: 'invalid-input', cli: () => ['pool', 'run', '--exchange', 'nova', '--key', 'k', '--pool', 'bi-pool', '--workers', '1000000', ...v()], message: /worker.*1000000/ },
    { name: 'a prefetch of 0', core: () => new WorkerPool(cfg(), poolOpts({ prefetch: 0 })), kind: 'invalid-input', cli: () => ['pool', 'run', '--exchange', 'nova', '--key', 'k', '--pool', 'bi-pool', '--prefetch', '0', ...v()], message: /prefetch.*0/ },
    { name: 'a rate that is not a number', core: () => publishNotifications(cfg(), pubOpts({ ratePerSecond: NaN })), kind: 'invalid-input', cli: () => ['publish', '--exchange', 'nova', '--key', 'k', '--count', '5', '--rate', 'fast', ...v()], message: /rate.*(NaN|fast)/ },
    { name: 'an infinite rate', core: () => publishNotifications(cfg(), pubOpts({ ratePerSecond: Infinity })), kind: 'invalid-input', cli: () => ['publish', '--exchange', 'nova', '--key', 'k', '--count', '5', '--rate', 'Infinity', ...v()], message: /rate.*Infinity/ },
    { name: 'a rate given as a string (JavaScript callers)', core: () => publishNotifications(cfg(), pubOpts({ ratePerSecond: '500' as unknown as number })), kind: 'invalid-input', message: /rate 500 is not a positive number/ },
    { name: 'a header value that is a function', core: () => publishNotifications(cfg(), pubOpts({ headers: { region: (() => 'eu') as unknown as string } })), kind: 'invalid-input', message: /header "region" has a value that is not text, a number or true\/false \(function\)/, hint: /nothing was published/ },
    { name: 'a header value that is an object', core: () => publishNotifications(cfg(), pubOpts({ headers: { region: { name: 'eu' } as unknown as string } })), kind: 'invalid-input', message: /header "region" .* \(object\)/ },
    { name: 'a header value that is a BigInt', core: () => publishNotifications(cfg(), pubOpts({ headers: { n: 10n as unknown as number } })), kind: 'invalid-input', message: /header "n" .* \(bigint\)/ },
    { name: 'a negative timeout', core: () => cfg({ timeoutMs: -5 }), kind: 'invalid-input', cli: () => ['topology', '--timeout', '-5'], message: /timeout.*-5/ },
  ];

  it(`the table has at least 30 cases (${cases.length})`, () => {
    assert.ok(cases.length >= 30);
  });

  for (const c of cases) {
    it(c.name, async () => {
      if (c.core) {
        let err: unknown;
        try {
          await c.core();
        } catch (e) { err = e; }
        assert.ok(err instanceof BrokerError, `core: expected a BrokerError, got ${err === undefined ? 'success' : String((err as Error)?.stack ?? err)}`);
        assert.equal(err.kind, c.kind, err.describe());
        assert.match(err.describe(), c.message);
        assert.ok(err.hint.length > 5, `a hint saying what to do: ${err.describe()}`);
        if (c.hint) { assert.match(err.hint, c.hint); }
        assert.doesNotMatch(err.describe(), /\n|\.ts:\d+|\.js:\d+/);
        for (const s of c.secrets ?? []) { assert.ok(!err.describe().includes(s), `core leaked a secret: ${err.describe()}`); }
      }
      if (c.cli) {
        const args = c.cli();
        for (const json of [false, true]) {
          const r: CliResult = await runCli(json ? [...args, '--json'] : args, { RABBITMQ_URL: '', RABBITMQ_MANAGEMENT_URL: '' });
          const code = c.code ?? (c.kind === 'invalid-input' ? 2 : 1);
          assert.equal(r.code, code, `exit ${r.code} (want ${code}): ${r.stderr}`);
          const lines = r.stderr.split('\n').filter((l) => l !== '');
          assert.equal(lines.length, 1, `one line on stderr: ${r.stderr}`);
          assert.match(lines[0], /^rmq-pools [a-z ]+: \S/);
          assert.match(lines[0], c.message);
          assert.match(lines[0], /\. \S/, 'what was wrong, then what to do');
          assert.doesNotMatch(r.stderr, /^\s+at |\.ts:\d+|\.js:\d+/m, 'no stack trace');
          for (const s of c.secrets ?? []) { assert.ok(!r.stdout.includes(s) && !r.stderr.includes(s), 'CLI leaked a secret'); }
          if (json) {
            const doc = JSON.parse(r.stdout) as { error: { kind: string; message: string } };
            assert.equal(doc.error.kind, code === 2 && c.kind !== 'invalid-input' ? 'usage' : c.kind === 'invalid-input' ? doc.error.kind : c.kind);
            assert.match(doc.error.message, c.message);
          }
        }
      }
      assert.deepEqual(await queueNames(), baseline, 'nothing half-created: the vhost holds the same queues as before');
      assert.equal((await vh.client.queue(vh.name, 'bi-sink')).messages ?? 0, 0, 'nothing was published');
    });
  }

  it('an empty routing key is legal AMQP: published, every message reported unroutable with what to do', async () => {
    // bi-sink is bound with "#", which matches the empty key too: unbind it for this case, then bind it again.
    const c = await vh.connect('test-empty-key');
    const ch = await c.createChannel();
    await ch.unbindQueue('bi-sink', 'nova', '#');
    try {
      const r = await publishNotifications(cfg(), pubOpts({ routingKey: '', count: 5 }));
      assert.equal(r.published, 5);
      assert.equal(r.unroutable, 5);
      const cli = await runCli(['publish', '--exchange', 'nova', '--key', '', '--count', '3', ...v()]);
      assert.equal(cli.code, 0, cli.stderr);
      assert.match(cli.stdout, /Every message came back unroutable: no pool is bound to "" on "nova"\. Start one: rmq-pools pool run/);
    } finally {
      await ch.bindQueue('bi-sink', 'nova', '#');
      await ch.close();
    }
  });

  it('a pool name already used by a quorum queue with x-max-length: joined as it is, its type and arguments untouched', async () => {
    const p = new WorkerPool(cfg(), poolOpts({ pool: 'bi-quorum', queueType: 'classic' }));
    await p.start();
    try {
      const q = await vh.client.queue(vh.name, 'bi-quorum');
      assert.equal(q.type, 'quorum');
      assert.equal(q.arguments?.['x-max-length'], 10);
      assert.equal(q.arguments?.['x-queue-type'], 'quorum');
    } finally {
      await p.stop();
    }
    // …and the binding it added is the only change: remove it so that the table's baseline holds.
    const c = await vh.connect('test-quorum-unbind');
    const ch = await c.createChannel();
    await ch.unbindQueue('bi-quorum', 'nova', 'notifications.info');
    await ch.close();
  });
});

/** Control characters (but newline), and the bidi overrides / isolates that reorder what a terminal shows. */
// eslint-disable-next-line no-control-regex
const UNSAFE = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;

describe('CLI output: no password anywhere, hostile broker names inert', function () {
  this.timeout(180_000);
  let vh: TestVhost;
  const admin = new ManagementClient(brokerConfig({ amqpUrl: AMQP_URL, managementUrl: MANAGEMENT_URL }));
  const user = `rmqp-test-sec-${randomBytes(3).toString('hex')}`;
  // Characters that URLs must encode, so that the raw, encoded and mixed forms are all tried.
  const password = `Zq9-s3cr3t@:/%ü-${randomBytes(4).toString('hex')}`;
  const forms = [password, encodeURIComponent(password), Buffer.from(`${user}:${password}`).toString('base64'), password.slice(0, 12)];
  const url = () => `amqp://${user}:${encodeURIComponent(password)}@127.0.0.1:5672/`;
  const hostileExchange = '<img src=x onerror=alert(1)>';
  const hostilePool = '"><script>alert(1)</script>\u202Egpj.exe';
  const escapePool = 'pool\u001b[31mRED\u001b[0m\u0007';
  const longPool = 'L'.repeat(255);
  const hostileApp = 'app\u001b]0;pwned\u0007\u2067rtl';
  const hostileKey = 'key.\u202E.\u0008back';

  before(async () => {
    execFileSync(process.execPath, ['esbuild.mjs'], { cwd: ROOT, stdio: 'pipe' });
    vh = await freshVhost('security');
    await admin.request('PUT', `api/users/${encodeURIComponent(user)}`, { password, tags: 'management' });
    await admin.putPermissions(vh.name, user);
    const c = await vh.connect(hostileApp);
    const ch = await c.createChannel();
    await ch.assertExchange('nova', 'topic', { durable: true });
    await ch.assertExchange(hostileExchange, 'topic', { durable: true });
    for (const q of [hostilePool, escapePool, longPool]) {
      await ch.assertQueue(q, { durable: true });
      await ch.bindQueue(q, hostileExchange, hostileKey);
      await ch.bindQueue(q, 'nova', 'notifications.info');
      await ch.consume(q, () => undefined, { noAck: true });
    }
    await ch.assertQueue('idle.pool', { durable: true });
    await ch.bindQueue('idle.pool', hostileExchange, '#');
    ch.publish(hostileExchange, 'x', Buffer.from('{}'));
  });
  after(async () => {
    await admin.request('DELETE', `api/users/${encodeURIComponent(user)}`).catch(() => undefined);
    admin.dispose();
    await vh?.cleanup();
  });

  function assertNoSecret(r: CliResult, what: string): void {
    for (const f of forms) {
      assert.ok(!r.stdout.includes(f) && !r.stderr.includes(f), `${what}: the password (as "${f}") leaked:\n${r.stdout}\n${r.stderr}`);
    }
  }

  it('the password in --url and in RABBITMQ_URL appears in no output of any command, failing or not', async () => {
    const v = ['--vhost', vh.name];
    const commands: [string[], number][] = [
      [['topology', ...v], 0], [['topology', '--json', ...v], 0], [['diagnose', ...v], 0], [['counts', '--json', ...v], 0],
      [['route', 'nova', 'notifications.info', ...v], 0],
      [['publish', '--exchange', 'nova', '--key', 'nobody', '--count', '5', ...v], 0],
      [['audit', '--exchange', 'nova', '--key', 'sec.audit', '--count', '20', '--pools', 'sec-audit:1', '--json', ...v], 0],
      [['pool', 'run', '--exchange', 'nova', '--key', 'k', '--pool', 'sec-pool', '--seconds', '0.5', '--delete-on-stop', ...v], 0],
      // failing ones
      [['topology', '--vhost', 'no-such-vhost-sec'], 1],
      [['publish', '--exchange', 'no-such-exchange', '--key', 'k', '--count', '1', ...v], 1],
      [['pool', 'run', '--exchange', 'nova', '--key', 'k', '--pool', 'p', '--count', '1', '--vhost', 'no-such-vhost-sec'], 1],
      [['counts', '--management-url', 'http://127.0.0.1:1', ...v], 1],
      [['topology', '--bogus', ...v], 2],
    ];
    let runs = 0;
    for (const [args, code] of commands) {
      for (const how of ['flag', 'env'] as const) {
        const r = how === 'flag' ? await runCli([...args, '--url', url()]) : await runCli(args, { RABBITMQ_URL: url(), RMQ_POOLS_DEBUG: '1' });
        assert.equal(r.code, code, `${how} ${args.join(' ')}: exit ${r.code}\n${r.stderr}`);
        assertNoSecret(r, `${how} ${args.join(' ')}`);
        runs++;
      }
    }
    // A wrong password that contains the right one, a malformed URL and a management URL carrying the credentials.
    const extra: string[][] = [
      ['topology', '--url', `amqp://${user}:${encodeURIComponent(password)}x@127.0.0.1:5672/`, '--vhost', vh.name],
      ['topology', '--url', `amqp://${user}:${encodeURIComponent(password)}@127.0.0.1:99999/`],
      ['topology', '--url', `amqp://${user}:${encodeURIComponent(password)}@127.0.0.1:5672/`, '--management-url', `http://${user}:${encodeURIComponent(password)}@127.0.0.1:1`],
      ['publish', '--exchange', 'nova', '--key', 'k', '--count', '1', '--url', `amqp://${user}:${password}@127.0.0.1:5672/`],
    ];
    for (const args of extra) {
      for (const json of [false, true]) {
        const r = await runCli(json ? [...args, '--json'] : args);
        assert.notEqual(r.code, 0, `${args.join(' ')} should fail`);
        assertNoSecret(r, args.join(' '));
        runs++;
      }
    }
    console.log(`      ${runs} CLI runs, the password in none of their outputs`);
  });

  it('hostile names (markup, escape sequences, RTL overrides, 255 bytes) print inert in human output and exact in --json', async () => {
    const v = ['--vhost', vh.name];
    await until(async () => (await vh.client.consumers(vh.name)).length >= 3, 'the hostile consumers in the management API');
    for (const args of [['topology', ...v], ['diagnose', ...v], ['counts', ...v], ['route', hostileExchange, hostileKey, ...v]]) {
      const r = await runCli(args);
      assert.equal(r.code, 0, `${args.join(' ')}: ${r.stderr}`);
      assert.doesNotMatch(r.stdout, UNSAFE, `${args[0]}: a control or bidi character reached the terminal`);
      assert.doesNotMatch(r.stderr, UNSAFE);
      assert.ok(r.stdout.includes('<img src=x onerror=alert(1)>') || args[0] === 'counts' || args[0] === 'diagnose', `${args[0]} shows the exchange name as text`);
    }
    // The consumers' connections (their application names) show up in the API a moment after the consumers.
    const t = await until(async () => {
      const x = await runCli(['topology', '--json', ...v]);
      return x.code === 0 && x.stdout.includes('pwned') ? x : undefined;
    }, 'topology --json to show the hostile application', 20_000, 500);
    assert.doesNotMatch(t.stdout, UNSAFE, 'JSON escapes control characters and bidi overrides too');
    const doc = t.json as { exchanges: { name: string; bindings: { routingKey: string; pools: { name: string; applications: string[] }[] }[] }[] };
    const ex = doc.exchanges.find((e) => e.name === hostileExchange);
    assert.ok(ex, 'the exchange name survives exactly');
    const pools = ex.bindings.flatMap((b) => b.pools.map((p) => p.name));
    for (const p of [hostilePool, escapePool, longPool]) { assert.ok(pools.includes(p), `pool ${JSON.stringify(p)} survives exactly`); }
    assert.ok(ex.bindings.some((b) => b.routingKey === hostileKey));
    const apps = ex.bindings.flatMap((b) => b.pools.flatMap((p) => p.applications));
    assert.ok(apps.includes(hostileApp), `the application name survives exactly: ${JSON.stringify(apps)}`);
    const r = await runCli(['route', hostileExchange, hostileKey, '--json', ...v]);
    assert.deepEqual((r.json as { pools: string[] }).pools.sort(), [hostilePool, escapePool, longPool, 'idle.pool'].sort());
  });

  it('the core handles hostile names exactly: per-object API calls encode them, the model keeps them', async () => {
    for (const q of [hostilePool, escapePool, longPool]) {
      const got = await vh.client.queue(vh.name, q);
      assert.equal(got.name, q);
      const bindings = await vh.client.queueBindings(vh.name, q);
      assert.ok(bindings.some((b) => b.source === hostileExchange && b.routing_key === hostileKey));
    }
    const ex = await vh.client.exchange(vh.name, hostileExchange);
    assert.equal(ex.name, hostileExchange);
    const page = await vh.client.queuesPage(vh.name, { name: '"><script>', pageSize: 10 });
    assert.deepEqual(page.items.map((q) => q.name), [hostilePool]);
  });
});
