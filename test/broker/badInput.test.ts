/**
 * Bad input, table-driven, through the core (a BrokerError whose message says what was wrong and whose hint says what to
 * do) and the CLI (exit 2 for a usage error, 1 for a broker error, one line on stderr, no stack trace, no password).
 * After every case the test vhost holds exactly the queues, exchanges and bindings it held before, the unknown vhost a case
 * names still does not exist, and (TLS cases) the scratch node's vhost "/" is unchanged: nothing is half-created. Messages
 * and hints are compared exactly (patterns only around the broker's or V8's own words), and so is the --json error kind.
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
import { AMQP_URL, CliResult, MANAGEMENT_URL, ROOT, TestVhost, freshVhost, runCli, until } from '../support/broker';
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

/** Expected text: exact (a string, or a function for text with this run's random names), or a pattern only where the
 * text quotes the broker's or V8's own words. */
type Text = string | RegExp | (() => string | RegExp);

interface Case {
  name: string;
  /** Must throw (or reject with) a BrokerError of `kind`. */
  core?: () => unknown;
  kind?: BrokerErrorKind;
  /** CLI arguments (the test vhost and --json are not added: each case says what it needs). */
  cli?: () => string[];
  /** CLI exit code (default: 2 for invalid-input, else 1). */
  code?: number;
  /** The core's message (BrokerError.message). */
  message: Text;
  /** The core's hint (what to do). */
  hint?: Text;
  /** The CLI's line after "rmq-pools <command>: " (also the --json error message); default `${message}. ${hint}`. */
  cliLine?: Text;
  /** The --json error kind; default `kind` ('usage' where the CLI's own argument checks refuse the value first). */
  jsonKind?: 'usage' | BrokerErrorKind;
  /** Strings that must appear nowhere (passwords). */
  secrets?: string[];
  /** Runs against the scratch node (TLS): its vhost "/" must hold the same queues, exchanges and bindings afterwards. */
  scratch?: boolean;
}

const textOf = (t: Text): string | RegExp => (typeof t === 'function' ? t() : t);

/** Exact equality for a string, a match for a pattern. */
function assertText(actual: string, expected: Text, what: string): void {
  const e = textOf(expected);
  if (typeof e === 'string') { assert.equal(actual, e, what); } else { assert.match(actual, e, `${what}: ${JSON.stringify(actual)}`); }
}

/** The CLI's expected line (after "rmq-pools <command>: "): given, or the core's message and hint joined as describe() does. */
function expectedCliLine(c: Case): Text {
  if (c.cliLine !== undefined) { return c.cliLine; }
  const m = textOf(c.message);
  const h = c.hint === undefined ? undefined : textOf(c.hint);
  if (typeof m === 'string' && typeof h === 'string') { return `${m}. ${h}`; }
  throw new Error(`case "${c.name}": a message or hint given as a pattern needs its cliLine`);
}

describe('bad input: a clear message, no stack trace, no crash, nothing half-created (core and CLI)', function () {
  this.timeout(120_000);
  let vh: TestVhost;
  let baseline: { queues: string[]; exchanges: string[]; bindings: string[] };
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
  /** What a vhost holds: its queues, exchanges and bindings, each as one sorted line (the state "nothing half-created" compares). */
  async function contents(client: ManagementClient, vhost: string): Promise<{ queues: string[]; exchanges: string[]; bindings: string[] }> {
    const queues = (await client.queues(vhost, ['name', 'durable', 'auto_delete', 'arguments'])).map((q) => JSON.stringify([q.name, q.durable, q.auto_delete, q.arguments])).sort();
    const exchanges = (await client.exchanges(vhost, ['name', 'type', 'durable', 'auto_delete', 'arguments'])).map((e) => JSON.stringify([e.name, e.type, e.durable, e.auto_delete, e.arguments])).sort();
    const bindings = (await client.bindings(vhost)).map((b) => JSON.stringify([b.source, b.destination_type, b.destination, b.routing_key, b.arguments])).sort();
    return { queues, exchanges, bindings };
  }
  /** Vhosts that cases name but that do not exist: no case may create one (the broker is shared: only these are compared). */
  const ABSENT_VHOSTS = ['no-such-vhost-bi'];
  const presentOf = async (names: string[]) => (await admin.vhosts()).map((x) => x.name).filter((n) => names.includes(n));
  let scratchAdmin: ManagementClient | undefined;
  let scratchBaseline: Awaited<ReturnType<typeof contents>> | undefined;

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
    baseline = await contents(vh.client, vh.name);
    assert.deepEqual(await presentOf(ABSENT_VHOSTS), [], 'the vhosts the cases name as unknown do not exist');
  });
  after(async () => {
    for (const u of users) { await admin.request('DELETE', `api/users/${encodeURIComponent(u)}`).catch(() => undefined); }
    admin.dispose();
    scratchAdmin?.dispose();
    await vh?.cleanup();
  });

  const long = 'k'.repeat(256);
  const URL_HINT = 'Write it as amqp://127.0.0.1:5672';
  const PORT_HINT = 'Use the broker\'s port, e.g. amqp://127.0.0.1:5672';
  const AUTH_HINT = 'Check the user name and password';
  const COUNT = (n: string) => `The message count ${n} is not a whole number from 1 to 10000000`;
  const WORKERS = (n: string) => `The worker count ${n} is not a whole number from 1 to 1000`;
  const RATE = (n: string) => `The rate ${n} is not a positive number of messages per second`;
  const RATE_HINT = 'Use e.g. 500, or no rate for full speed';
  const HEADER = (h: string, type: string) => `The header "${h}" has a value that is not text, a number or true/false (${type})`;
  const HEADER_HINT = 'Give header values as text, numbers or true/false, e.g. { region: "eu" }; nothing was published';
  const cases: Case[] = [
    // ---- URLs ----
    { name: 'a malformed URL', core: () => cfg({ amqpUrl: 'amqp://a b' }), kind: 'invalid-input', cli: () => ['topology', '--url', 'amqp://a b'], message: 'The AMQP URL "amqp://a b" is not a valid URL', hint: URL_HINT },
    { name: 'a URL with the wrong scheme', core: () => cfg({ amqpUrl: 'mqtt://127.0.0.1:1883' }), kind: 'invalid-input', cli: () => ['counts', '--url', 'mqtt://127.0.0.1:1883'], message: 'The AMQP URL "mqtt://127.0.0.1:1883" uses the scheme "mqtt:"', hint: 'Use amqp:// or amqps://, e.g. amqp://127.0.0.1:5672' },
    { name: 'a URL without a scheme', core: () => cfg({ amqpUrl: '127.0.0.1:5672' }), kind: 'invalid-input', cli: () => ['topology', '--url', '127.0.0.1:5672'], message: 'The AMQP URL "127.0.0.1:5672" has no scheme', hint: 'Start it with amqp:// or amqps://, e.g. amqp://127.0.0.1:5672' },
    { name: 'a URL without a host', core: () => cfg({ amqpUrl: 'amqp://:5672' }), kind: 'invalid-input', cli: () => ['topology', '--url', 'amqp://:5672'], message: 'The AMQP URL "amqp://:5672" has no host', hint: URL_HINT },
    { name: 'a URL with port 70000', core: () => cfg({ amqpUrl: 'amqp://127.0.0.1:70000' }), kind: 'invalid-input', cli: () => ['topology', '--url', 'amqp://127.0.0.1:70000'], message: 'The AMQP URL "amqp://127.0.0.1:70000" has port "70000", which is not a number from 1 to 65535', hint: PORT_HINT },
    { name: 'a URL with port 0', core: () => cfg({ amqpUrl: 'amqp://127.0.0.1:0' }), kind: 'invalid-input', cli: () => ['topology', '--url', 'amqp://127.0.0.1:0'], message: 'The AMQP URL "amqp://127.0.0.1:0" has port 0, outside 1–65535', hint: PORT_HINT },
    { name: 'an IPv6 host without its "]"', core: () => cfg({ amqpUrl: 'amqp://[::1' }), kind: 'invalid-input', cli: () => ['topology', '--url', 'amqp://[::1'], message: 'The AMQP URL "amqp://[::1" has an IPv6 address without its closing "]"', hint: 'Write it as amqp://[::1]:5672' },
    { name: 'a management URL with an AMQP scheme', core: () => cfg({ managementUrl: 'amqp://127.0.0.1:15672' }), kind: 'invalid-input', cli: () => ['counts', '--management-url', 'amqp://127.0.0.1:15672'], message: 'The management URL "amqp://127.0.0.1:15672" uses the scheme "amqp:"', hint: 'Use http:// or https://, e.g. http://127.0.0.1:15672' },
    { name: 'a malformed percent-encoding in the password', core: () => cfg({ amqpUrl: 'amqp://guest:%zz@127.0.0.1' }), kind: 'invalid-input', cli: () => ['topology', '--url', 'amqp://guest:%zz@127.0.0.1'], message: 'The AMQP URL "amqp://guest:***@127.0.0.1" has a malformed percent-encoding in its password', hint: 'Encode special characters in the user name and password, e.g. "%" as %25, "@" as %40, ":" as %3A' },
    // ---- credentials, vhost, reachability ----
    { name: 'a wrong password (AMQP)', core: () => startPool(cfg({ password: pw })), kind: 'auth', cli: () => ['pool', 'run', '--exchange', 'nova', '--key', 'k', '--pool', 'bi-pool', '--count', '1', '--url', userUrl('guest', pw), ...v()], message: 'The broker at amqp://127.0.0.1:5672 refused user "guest": wrong user name or password', hint: AUTH_HINT, secrets: [pw] },
    { name: 'an unknown user (AMQP)', core: () => publishNotifications(cfg({ username: 'nobody-here', password: pw }), pubOpts()), kind: 'auth', cli: () => ['publish', '--exchange', 'nova', '--key', 'k', '--count', '1', '--url', userUrl('nobody-here', pw), ...v()], message: 'The broker at amqp://127.0.0.1:5672 refused user "nobody-here": wrong user name or password', hint: AUTH_HINT, secrets: [pw] },
    { name: 'an unknown vhost (AMQP)', core: () => startPool(cfg({ vhost: 'no-such-vhost-bi' })), kind: 'not-found', cli: () => ['pool', 'run', '--exchange', 'nova', '--key', 'k', '--pool', 'bi-pool', '--count', '1', '--vhost', 'no-such-vhost-bi'], message: 'The vhost "no-such-vhost-bi" does not exist on amqp://127.0.0.1:5672', hint: 'Pick an existing vhost (--vhost, or the broker\'s vhost setting); list them with: rabbitmqctl list_vhosts' },
    { name: 'no permission on the vhost (AMQP)', core: () => startPool(cfg({ username: noPerm, password: pw })), kind: 'forbidden', cli: () => ['publish', '--exchange', 'nova', '--key', 'k', '--count', '1', '--url', userUrl(noPerm, pw), ...v()], message: () => `User "${noPerm}" may not use vhost "${vh.name}" on amqp://127.0.0.1:5672: the vhost does not exist, or the user has no permission on it`, hint: () => `Pick an existing vhost (rabbitmqctl list_vhosts), or grant access: rabbitmqctl set_permissions -p ${vh.name} ${noPerm} ".*" ".*" ".*"`, secrets: [pw] },
    { name: 'an unreachable host', core: () => startPool(cfg({ amqpUrl: 'amqp://127.0.0.1:1', managementUrl: 'http://127.0.0.1:1' })), kind: 'unreachable', cli: () => ['pool', 'run', '--exchange', 'nova', '--key', 'k', '--pool', 'bi-pool', '--count', '1', '--url', 'amqp://127.0.0.1:1'], message: 'No AMQP broker answers at amqp://127.0.0.1:1 (ECONNREFUSED)', hint: 'Start RabbitMQ (rabbitmq-server -detached) or fix the AMQP URL',
      // The CLI also asks the management API (the default URL, which answers) and says so.
      cliLine: 'No AMQP broker answers at amqp://127.0.0.1:1 (ECONNREFUSED), though the management API at http://127.0.0.1:15672 answers. Check the AMQP URL and port (the management port is not the AMQP listener), the broker\'s AMQP listener (listeners.tcp) and any firewall in between' },
    { name: 'the management plugin off (a free port, AMQP alive)', core: () => new ManagementClient(cfg({ managementUrl: `http://127.0.0.1:${free}` })).overview(), kind: 'plugin-off', cli: () => ['diagnose', '--management-url', `http://127.0.0.1:${free}`, ...v()], message: () => `The broker answers on AMQP (127.0.0.1:5672) but its management API at http://127.0.0.1:${free} refuses connections`, hint: 'Enable the management plugin: rabbitmq-plugins enable rabbitmq_management (or fix the management URL)' },
    { name: 'HTTPS with a certificate from an unknown CA (no CA file)', scratch: true, core: () => new ManagementClient(cfg({ amqpUrl: SCRATCH.amqpUrl, managementUrl: SCRATCH.httpsUrl, vhost: '/' })).overview(), kind: 'tls', cli: () => ['counts', '--url', SCRATCH.amqpUrl, '--management-url', SCRATCH.httpsUrl], message: 'The TLS certificate of https://127.0.0.1:15677 cannot be verified (SELF_SIGNED_CERT_IN_CHAIN)', hint: 'Set the broker\'s "tls.caFile" setting (rabbitmqPools.brokers) or --ca-file to the CA that signed it; only turn off "tls.rejectUnauthorized" for a test broker' },
    { name: 'AMQPS with a certificate from an unknown CA (no CA file)', scratch: true, core: () => startPool(cfg({ amqpUrl: SCRATCH.amqpsUrl, managementUrl: SCRATCH.httpsUrl, vhost: '/' })), kind: 'tls', cli: () => ['publish', '--exchange', 'amq.topic', '--key', 'k', '--count', '1', '--url', SCRATCH.amqpsUrl], // Node's (OpenSSL's) own words after "failed: ".
      message: /^TLS with amqps:\/\/127\.0\.0\.1:5677 failed: self[- ]signed certificate in certificate chain$/, hint: 'Set --ca-file (or tls.caFile) to the CA that signed the broker\'s certificate',
      cliLine: /^TLS with amqps:\/\/127\.0\.0\.1:5677 failed: self[- ]signed certificate in certificate chain\. Set --ca-file \(or tls\.caFile\) to the CA that signed the broker's certificate$/ },
    { name: 'a CA file that does not exist', core: () => new ManagementClient(cfg({ managementUrl: SCRATCH.httpsUrl, tls: { caFile: '/nonexistent/ca.pem' } })), kind: 'tls', cli: () => ['counts', '--management-url', SCRATCH.httpsUrl, '--ca-file', '/nonexistent/ca.pem'], message: 'The CA file "/nonexistent/ca.pem" cannot be read (ENOENT)', hint: 'Fix the path in the broker\'s "tls.caFile" setting (rabbitmqPools.brokers) or the --ca-file option' },
    // ---- names and keys ----
    { name: 'a routing key over 255 bytes (publish)', core: () => new NotificationPublisher(cfg(), pubOpts({ routingKey: long })), kind: 'invalid-input', cli: () => ['publish', '--exchange', 'nova', '--key', long, '--count', '1', ...v()], message: 'The routing key is missing or longer than 255 bytes', hint: 'Use e.g. notifications.info' },
    { name: 'a binding key over 255 bytes (pool)', core: () => new WorkerPool(cfg(), poolOpts({ routingKeys: ['ok', long] })), kind: 'invalid-input', cli: () => ['pool', 'run', '--exchange', 'nova', '--key', long, '--pool', 'bi-pool', '--count', '1', ...v()], message: `The binding key "${'k'.repeat(40)}…" is longer than 255 bytes`, hint: 'AMQP limits routing keys to 255 bytes' },
    { name: 'a pool name over 255 bytes (128 two-byte characters)', core: () => new WorkerPool(cfg(), poolOpts({ pool: 'é'.repeat(128) })), kind: 'invalid-input', cli: () => ['pool', 'run', '--exchange', 'nova', '--key', 'k', '--pool', 'é'.repeat(128), '--count', '1', ...v()], message: `The pool name "${'é'.repeat(40)}…" is longer than 255 bytes`, hint: 'Use a shorter name' },
    { name: 'a blank pool name', core: () => new WorkerPool(cfg(), poolOpts({ pool: '   ' })), kind: 'invalid-input', cli: () => ['pool', 'run', '--exchange', 'nova', '--key', 'k', '--pool', '   ', '--count', '1', ...v()], message: 'The pool name is empty', hint: 'Name the pool after the listener kind, e.g. "ceilometer"' },
    { name: 'a reserved amq.* pool name (LocalPools registers nothing)', core: async () => { const l = new LocalPools(); try { await l.start(cfg(), poolOpts({ pool: 'amq.gen-mine' })); } finally { assert.equal(l.list().length, 0); } }, kind: 'invalid-input', cli: () => ['pool', 'run', '--exchange', 'nova', '--key', 'k', '--pool', 'amq.gen-mine', '--count', '1', ...v()], message: 'The pool name "amq.gen-mine" starts with "amq.", which RabbitMQ reserves for itself', hint: 'Pick a name without the "amq." prefix, e.g. the listener kind "ceilometer"' },
    { name: 'an empty exchange name for a pool', core: () => new WorkerPool(cfg(), poolOpts({ exchange: '' })), kind: 'invalid-input', cli: () => ['pool', 'run', '--exchange', '', '--key', 'k', '--pool', 'bi-pool', '--count', '1', ...v()], message: 'The exchange name is empty: the default exchange cannot be bound', hint: 'Name the exchange the notifications are published to, e.g. "nova"' },
    // The broker's own words (RabbitMQ's text) between the tool's: a pattern for those, the rest exact.
    { name: 'a pool name taken by another connection\'s exclusive queue', core: () => startPool(cfg(), { pool: 'bi-exclusive' }), kind: 'precondition', cli: () => ['pool', 'run', '--exchange', 'nova', '--key', 'k', '--pool', 'bi-exclusive', '--count', '1', ...v()], message: /^The broker refused: cannot obtain exclusive access to locked queue 'bi-exclusive' in vhost 'rmqp-test-badinput-[0-9a-f]{8}'\. .*" \(an exclusive queue of another connection\)$/, hint: 'Pick another pool name, or stop the application that owns the exclusive queue',
      cliLine: /^The broker refused: cannot obtain exclusive access to locked queue 'bi-exclusive' in vhost 'rmqp-test-badinput-[0-9a-f]{8}'\. .*" \(an exclusive queue of another connection\)\. Pick another pool name, or stop the application that owns the exclusive queue$/ },
    { name: 'binding refused midway (no read permission on the exchange): the queue it created is deleted again', core: () => startPool(cfg({ username: readLimited, password: pw }), { pool: 'bi-halfway' }), kind: 'forbidden', cli: () => ['pool', 'run', '--exchange', 'nova', '--key', 'k', '--pool', 'bi-halfway', '--count', '1', '--url', userUrl(readLimited, pw), ...v()],
      message: /^Binding queue "bi-halfway" to exchange "nova" with key "notifications\.info" failed: The broker refused an operation: .*ACCESS_REFUSED - access to exchange 'nova' in vhost 'rmqp-test-badinput-[0-9a-f]{8}' refused for user 'rmqp-test-bi-[0-9a-f]{6}'"\. The queue created for pool "bi-halfway" was deleted again; nothing was left behind$/,
      hint: () => `Grant user "${readLimited}" configure/write/read permissions on vhost "${vh.name}"`,
      cliLine: () => new RegExp(`^Binding queue "bi-halfway" to exchange "nova" with key "k" failed: The broker refused an operation: .*ACCESS_REFUSED - access to exchange 'nova' in vhost '${vh.name}' refused for user '${readLimited}'"\\. The queue created for pool "bi-halfway" was deleted again; nothing was left behind\\. Grant user "${readLimited}" configure/write/read permissions on vhost "${vh.name}"$`), secrets: [pw] },
    // ---- payload, numbers, rates, headers ----
    { name: 'a payload template that is not JSON', core: () => publishNotifications(cfg(), pubOpts({ payloadTemplate: '[1, 2' })), kind: 'invalid-input', cli: () => ['publish', '--exchange', 'nova', '--key', 'k', '--count', '5', '--payload', '[1, 2', ...v()],
      // V8's own JSON.parse text in the parenthesis.
      message: /^The payload template is not valid JSON after substituting \{\{seq\}\}, \{\{uuid\}\} and \{\{now\}\} \([^)]+\)$/, hint: 'Quote string placeholders, e.g. {"instance_id": "{{uuid}}", "n": {{seq}}, "at": "{{now}}"}; nothing was published',
      cliLine: /^The payload template is not valid JSON after substituting \{\{seq\}\}, \{\{uuid\}\} and \{\{now\}\} \([^)]+\)\. Quote string placeholders, e\.g\. \{"instance_id": "\{\{uuid\}\}", "n": \{\{seq\}\}, "at": "\{\{now\}\}"\}; nothing was published$/ },
    { name: 'a publish count of 0', core: () => publishNotifications(cfg(), pubOpts({ count: 0 })), kind: 'invalid-input', message: COUNT('0'), hint: 'Use e.g. 1000' },
    { name: 'a negative publish count', core: () => publishNotifications(cfg(), pubOpts({ count: -3 })), kind: 'invalid-input', message: COUNT('-3'), hint: 'Use e.g. 1000' },
    // The CLI's own argument checks refuse these before the core sees them: kind "usage", their own text.
    { name: 'a fractional publish count', core: () => publishNotifications(cfg(), pubOpts({ count: 2.5 })), kind: 'invalid-input', cli: () => ['publish', '--exchange', 'nova', '--key', 'k', '--count', '2.5', ...v()], message: COUNT('2.5'), hint: 'Use e.g. 1000', jsonKind: 'usage', cliLine: '--count must be a whole number, got "2.5". Use a number from 1 to 10000000' },
    { name: 'a huge publish count', core: () => publishNotifications(cfg(), pubOpts({ count: 1e12 })), kind: 'invalid-input', cli: () => ['publish', '--exchange', 'nova', '--key', 'k', '--count', '10000001', ...v()], message: COUNT('1000000000000'), hint: 'Use e.g. 1000', jsonKind: 'usage', cliLine: '--count must be between 1 and 10000000, got 10000001. Use a number from 1 to 10000000' },
    { name: 'an audit count of 0 starts no pool', core: () => runAudit(cfg(), vh.client, { exchange: 'nova', routingKey: 'k', count: 0, pools: [{ name: 'bi-audit', workers: 1 }] }), kind: 'invalid-input', cli: () => ['audit', '--exchange', 'nova', '--key', 'k', '--count', '0', '--pools', 'bi-audit:1', ...v()], message: 'The audit count 0 is not a positive whole number', hint: 'Use e.g. 1000', jsonKind: 'usage', cliLine: '--count must be between 1 and 10000000, got 0. Use a number from 1 to 10000000' },
    { name: 'zero workers', core: () => new WorkerPool(cfg(), poolOpts({ workers: 0 })), kind: 'invalid-input', message: WORKERS('0'), hint: 'Use e.g. 3' },
    { name: 'a negative worker count', core: () => new WorkerPool(cfg(), poolOpts({ workers: -2 })), kind: 'invalid-input', cli: () => ['pool', 'run', '--exchange', 'nova', '--key', 'k', '--pool', 'bi-pool', '--workers', '-2', ...v()], message: WORKERS('-2'), hint: 'Use e.g. 3', jsonKind: 'usage', cliLine: '--workers must be between 1 and 1000, got -2. Use a number from 1 to 1000' },
    { name: 'a fractional worker count', core: () => new WorkerPool(cfg(), poolOpts({ workers: 1.5 })), kind: 'invalid-input', cli: () => ['pool', 'run', '--exchange', 'nova', '--key', 'k', '--pool', 'bi-pool', '--workers', '1.5', ...v()], message: WORKERS('1.5'), hint: 'Use e.g. 3', jsonKind: 'usage', cliLine: '--workers must be a whole number, got "1.5". Use a number from 1 to 1000' },
    { name: 'a huge worker count', core: () => new WorkerPool(cfg(), poolOpts({ workers: 1e6 })), kind: 'invalid-input', cli: () => ['pool', 'run', '--exchange', 'nova', '--key', 'k', '--pool', 'bi-pool', '--workers', '1000000', ...v()], message: WORKERS('1000000'), hint: 'Use e.g. 3', jsonKind: 'usage', cliLine: '--workers must be between 1 and 1000, got 1000000. Use a number from 1 to 1000' },
    { name: 'a prefetch of 0', core: () => new WorkerPool(cfg(), poolOpts({ prefetch: 0 })), kind: 'invalid-input', cli: () => ['pool', 'run', '--exchange', 'nova', '--key', 'k', '--pool', 'bi-pool', '--prefetch', '0', ...v()], message: 'The prefetch 0 is not a whole number from 1 to 65535', hint: 'Use e.g. 10', jsonKind: 'usage', cliLine: '--prefetch must be between 1 and 65535, got 0. Use a number from 1 to 65535' },
    { name: 'a rate that is not a number', core: () => publishNotifications(cfg(), pubOpts({ ratePerSecond: NaN })), kind: 'invalid-input', cli: () => ['publish', '--exchange', 'nova', '--key', 'k', '--count', '5', '--rate', 'fast', ...v()], message: RATE('NaN'), hint: RATE_HINT, jsonKind: 'usage', cliLine: '--rate must be a number between 0.01 and 1000000, got "fast". Use e.g. --rate 1' },
    { name: 'an infinite rate', core: () => publishNotifications(cfg(), pubOpts({ ratePerSecond: Infinity })), kind: 'invalid-input', cli: () => ['publish', '--exchange', 'nova', '--key', 'k', '--count', '5', '--rate', 'Infinity', ...v()], message: RATE('Infinity'), hint: RATE_HINT, jsonKind: 'usage', cliLine: '--rate must be a number between 0.01 and 1000000, got "Infinity". Use e.g. --rate 1' },
    { name: 'a rate given as a string (JavaScript callers)', core: () => publishNotifications(cfg(), pubOpts({ ratePerSecond: '500' as unknown as number })), kind: 'invalid-input', message: RATE('500'), hint: RATE_HINT },
    { name: 'a header value that is a function', core: () => publishNotifications(cfg(), pubOpts({ headers: { region: (() => 'eu') as unknown as string } })), kind: 'invalid-input', message: HEADER('region', 'function'), hint: HEADER_HINT },
    { name: 'a header value that is an object', core: () => publishNotifications(cfg(), pubOpts({ headers: { region: { name: 'eu' } as unknown as string } })), kind: 'invalid-input', message: HEADER('region', 'object'), hint: HEADER_HINT },
    { name: 'a header value that is a BigInt', core: () => publishNotifications(cfg(), pubOpts({ headers: { n: 10n as unknown as number } })), kind: 'invalid-input', message: HEADER('n', 'bigint'), hint: HEADER_HINT },
    { name: 'a negative timeout', core: () => cfg({ timeoutMs: -5 }), kind: 'invalid-input', cli: () => ['topology', '--timeout', '-5'], message: 'The timeout -5 is not a positive number of milliseconds', hint: 'Use e.g. 10000', jsonKind: 'usage', cliLine: '--timeout must be between 1 and 600000, got -5. Use a number from 1 to 600000' },
  ];

  it(`the table has at least 30 cases (${cases.length})`, () => {
    assert.ok(cases.length >= 30);
  });

  for (const c of cases) {
    it(c.name, async () => {
      if (c.scratch) {
        // The TLS cases talk to the scratch node's vhost "/": it must hold afterwards what it held before.
        await ensureScratchNode();
        scratchAdmin ??= new ManagementClient(brokerConfig({ amqpUrl: SCRATCH.amqpUrl, managementUrl: SCRATCH.managementUrl }));
        scratchBaseline = await contents(scratchAdmin, '/');
      }
      if (c.core) {
        let err: unknown;
        try {
          await c.core();
        } catch (e) { err = e; }
        assert.ok(err instanceof BrokerError, `core: expected a BrokerError, got ${err === undefined ? 'success' : String((err as Error)?.stack ?? err)}`);
        assert.equal(err.kind, c.kind, err.describe());
        assertText(err.message, c.message, 'core: the message');
        assert.ok(err.hint.length > 5, `a hint saying what to do: ${err.describe()}`);
        if (c.hint !== undefined) { assertText(err.hint, c.hint, 'core: the hint'); }
        assert.doesNotMatch(err.describe(), /\n|\.ts:\d+|\.js:\d+/);
        for (const s of c.secrets ?? []) { assert.ok(!err.describe().includes(s), `core leaked a secret: ${err.describe()}`); }
      }
      if (c.cli) {
        const args = c.cli();
        const want = expectedCliLine(c);
        for (const json of [false, true]) {
          const r: CliResult = await runCli(json ? [...args, '--json'] : args, { RABBITMQ_URL: '', RABBITMQ_MANAGEMENT_URL: '' });
          const code = c.code ?? (c.kind === 'invalid-input' ? 2 : 1);
          assert.equal(r.code, code, `exit ${r.code} (want ${code}): ${r.stderr}`);
          const lines = r.stderr.split('\n').filter((l) => l !== '');
          assert.equal(lines.length, 1, `one line on stderr: ${r.stderr}`);
          const m = /^rmq-pools ([a-z ]+): (.*)$/.exec(lines[0]);
          assert.ok(m, `"rmq-pools <command>: …": ${lines[0]}`);
          assert.equal(m[1], args[0] === 'pool' ? `pool ${args[1]}` : args[0], 'the line names the command');
          assertText(m[2], want, 'CLI: the line');
          assert.match(m[2], /\. \S/, 'what was wrong, then what to do');
          assert.doesNotMatch(r.stderr, /^\s+at |\.ts:\d+|\.js:\d+/m, 'no stack trace');
          for (const s of c.secrets ?? []) { assert.ok(!r.stdout.includes(s) && !r.stderr.includes(s), 'CLI leaked a secret'); }
          if (json) {
            const doc = JSON.parse(r.stdout) as { error: { kind: string; message: string } };
            assert.equal(doc.error.kind, c.jsonKind ?? c.kind, `--json: the error kind (${doc.error.message})`);
            assert.equal(doc.error.message, m[2], '--json: the same message as the line on stderr');
          }
        }
      }
      // Nothing half-created: the test vhost holds the same queues, exchanges and bindings; no vhost was created
      // (the unknown-vhost cases); the scratch node's "/" is as it was (the TLS cases).
      assert.deepEqual(await contents(vh.client, vh.name), baseline, 'nothing half-created in the test vhost (queues, exchanges, bindings)');
      assert.deepEqual(await presentOf(ABSENT_VHOSTS), [], 'no vhost was created');
      if (c.scratch && scratchAdmin) { assert.deepEqual(await contents(scratchAdmin, '/'), scratchBaseline, 'nothing half-created on the scratch node\'s vhost "/"'); }
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
