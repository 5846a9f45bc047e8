/**
 * What a person sees when something is wrong, through the core (BrokerError kinds) and the CLI (exit code, one line on
 * stderr that names the problem and what to do, no password anywhere): wrong password, nothing listening, unknown vhost,
 * management plugin off (simulated with a free local port, the real plugin stays on), no permission, usage errors.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import * as net from 'node:net';
import { brokerConfig } from '../../src/broker/connection';
import { BrokerError, BrokerErrorKind } from '../../src/broker/errors';
import { ManagementClient } from '../../src/broker/management';
import { fetchTopology } from '../../src/broker/topology';
import { AMQP_URL, CliResult, MANAGEMENT_URL, ROOT, TestVhost, freshVhost, runCli } from '../support/broker';

/** A local TCP port nothing listens on (bound, then released). */
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

async function coreError(fn: () => Promise<unknown>): Promise<BrokerError> {
  try {
    await fn();
  } catch (e) {
    assert.ok(e instanceof BrokerError, `not a BrokerError: ${String(e)}`);
    return e;
  }
  assert.fail('expected a BrokerError');
}

/** exit code, one line on stderr prefixed with the command, nothing leaked. */
function assertOneLine(r: CliResult, code: number, secrets: string[] = []): string {
  assert.equal(r.code, code, `exit ${r.code}, stderr: ${r.stderr}`);
  const lines = r.stderr.split('\n').filter((l) => l !== '');
  assert.equal(lines.length, 1, `stderr: ${r.stderr}`);
  assert.match(lines[0], /^rmq-pools \w+/);
  for (const s of secrets) {
    assert.ok(!r.stdout.includes(s) && !r.stderr.includes(s), `the secret leaked: ${r.stdout} ${r.stderr}`);
  }
  return lines[0];
}

describe('errors on the real broker (core and CLI)', function () {
  let v: TestVhost;
  const users: string[] = [];
  const admin = new ManagementClient(brokerConfig({ amqpUrl: AMQP_URL, managementUrl: MANAGEMENT_URL }));

  /** A user created through the API, deleted in after(). */
  async function createUser(tags: string): Promise<{ name: string; password: string }> {
    const name = `rmqp-test-user-${randomBytes(3).toString('hex')}`;
    const password = `Pw-${randomBytes(6).toString('hex')}`;
    await admin.request('PUT', `api/users/${encodeURIComponent(name)}`, { password, tags });
    users.push(name);
    return { name, password };
  }

  before(async function () {
    this.timeout(120_000);
    execFileSync(process.execPath, ['esbuild.mjs'], { cwd: ROOT, stdio: 'pipe' });
    v = await freshVhost('errors');
  });
  after(async () => {
    for (const u of users) { await admin.request('DELETE', `api/users/${encodeURIComponent(u)}`).catch(() => undefined); }
    admin.dispose();
    await v?.cleanup();
  });

  describe('a wrong password', () => {
    const password = `Wr0ng-${randomBytes(6).toString('hex')}`;
    const url = `amqp://guest:${password}@127.0.0.1:5672/`;

    it('core: kind auth, naming the user, without the password', async () => {
      const client = new ManagementClient(brokerConfig({ amqpUrl: url, managementUrl: MANAGEMENT_URL, vhost: v.name }));
      try {
        const e = await coreError(() => fetchTopology(client, v.name));
        assert.equal(e.kind, 'auth');
        assert.equal(e.status, 401);
        assert.match(e.describe(), /"guest"/);
        assert.match(e.describe(), /password/);
        assert.ok(!e.describe().includes(password));
      } finally { client.dispose(); }
    });

    it('CLI: exit 1, one line naming the user and what to do, no password in stdout or stderr', async () => {
      const r = await runCli(['topology', '--url', url, '--vhost', v.name]);
      const line = assertOneLine(r, 1, [password, encodeURIComponent(password)]);
      assert.match(line, /refused user "guest": wrong user name or password/);
      assert.match(line, /Check the user name and password/);
    });

    it('CLI --json: the error as JSON on stdout, no password', async () => {
      const r = await runCli(['topology', '--json', '--url', url, '--vhost', v.name]);
      assertOneLine(r, 1, [password]);
      assert.deepEqual(Object.keys(r.json as object), ['error']);
      assert.equal((r.json as { error: { kind: string } }).error.kind, 'auth');
    });

    it('CLI: a password given in RABBITMQ_URL is not leaked either', async () => {
      const r = await runCli(['route', 'nova', 'k', '--vhost', v.name], { RABBITMQ_URL: url });
      const line = assertOneLine(r, 1, [password]);
      assert.match(line, /"guest"/);
    });
  });

  describe('nothing listening (AMQP and HTTP both dead on 127.0.0.1:1)', () => {
    const dead = ['--url', 'amqp://guest:guest@127.0.0.1:1/', '--management-url', 'http://127.0.0.1:1'];

    it('core: kind unreachable', async () => {
      const client = new ManagementClient(brokerConfig({ amqpUrl: 'amqp://127.0.0.1:1', managementUrl: 'http://127.0.0.1:1' }));
      try {
        const e = await coreError(() => client.overview());
        assert.equal(e.kind, 'unreachable');
        assert.match(e.message, /Nothing answers at http:\/\/127\.0\.0\.1:1/);
      } finally { client.dispose(); }
    });

    it('CLI: exit 1, says nothing answers and to start RabbitMQ or fix the URLs', async () => {
      const line = assertOneLine(await runCli(['topology', ...dead]), 1);
      assert.match(line, /Nothing answers at http:\/\/127\.0\.0\.1:1 .*AMQP at 127\.0\.0\.1:1/);
      assert.match(line, /Start RabbitMQ .* or fix the broker URLs/);
    });
  });

  describe('a vhost that does not exist', () => {
    const missing = `rmqp-test-missing-${randomBytes(3).toString('hex')}`;

    it('core: kind not-found, saying the vhost does not exist', async () => {
      const client = new ManagementClient(brokerConfig({ amqpUrl: AMQP_URL, managementUrl: MANAGEMENT_URL, vhost: missing }));
      try {
        const e = await coreError(() => fetchTopology(client, missing));
        assert.equal(e.kind, 'not-found');
        assert.match(e.message, new RegExp(`The vhost "${missing}" does not exist`));
      } finally { client.dispose(); }
    });

    for (const cmd of [['topology'], ['route', 'nova', 'k']]) {
      it(`CLI ${cmd[0]}: exit 1, says the vhost does not exist and how to list them`, async () => {
        const line = assertOneLine(await runCli([...cmd, '--vhost', missing]), 1);
        assert.match(line, new RegExp(`vhost "${missing}" does not exist`));
        assert.match(line, /list_vhosts/);
      });
    }
  });

  describe('the management plugin off (AMQP alive, nothing on the management port)', () => {
    it('core: kind plugin-off', async () => {
      const port = await freePort();
      const client = new ManagementClient(brokerConfig({ amqpUrl: AMQP_URL, managementUrl: `http://127.0.0.1:${port}` }));
      try {
        const e = await coreError(() => fetchTopology(client, '/'));
        assert.equal(e.kind, 'plugin-off');
        assert.match(e.describe(), /answers on AMQP/);
      } finally { client.dispose(); }
    });

    it('CLI: exit 1, "enable the management plugin"', async () => {
      const port = await freePort();
      const line = assertOneLine(await runCli(['topology', '--url', AMQP_URL, '--management-url', `http://127.0.0.1:${port}`]), 1);
      assert.match(line, /enable the management plugin/i);
      assert.match(line, /rabbitmq-plugins enable rabbitmq_management/);
    });
  });

  describe('a user without permission', () => {
    it('a management user with no permission on the vhost: forbidden, naming user and vhost, with the fix', async () => {
      const u = await createUser('management');
      const client = new ManagementClient(brokerConfig({ amqpUrl: AMQP_URL, managementUrl: MANAGEMENT_URL, username: u.name, password: u.password, vhost: v.name }));
      try {
        const e = await coreError(() => fetchTopology(client, v.name));
        assert.equal(e.kind, 'forbidden');
        assert.match(e.message, new RegExp(`User "${u.name}" has no permission on vhost "${v.name}"`));
        assert.match(e.hint, /set_permissions/);
      } finally { client.dispose(); }
      const r = await runCli(['topology', '--url', `amqp://${u.name}:${u.password}@127.0.0.1:5672/`, '--vhost', v.name]);
      const line = assertOneLine(r, 1, [u.password]);
      assert.match(line, /has no permission on vhost/);
    });

    it('a user without the management tag: forbidden, says to add the tag', async () => {
      const u = await createUser('');
      await admin.putPermissions(v.name, u.name);
      const client = new ManagementClient(brokerConfig({ amqpUrl: AMQP_URL, managementUrl: MANAGEMENT_URL, username: u.name, password: u.password, vhost: v.name }));
      try {
        const e = await coreError(() => fetchTopology(client, v.name));
        assert.equal(e.kind, 'forbidden');
        assert.match(e.message, /may not use the management API/);
        assert.match(e.hint, /set_user_tags .* management/);
      } finally { client.dispose(); }
      const r = await runCli(['topology', '--json', '--url', `amqp://${u.name}:${u.password}@127.0.0.1:5672/`, '--vhost', v.name]);
      assertOneLine(r, 1, [u.password]);
      assert.equal((r.json as { error: { kind: BrokerErrorKind } }).error.kind, 'forbidden');
    });

    it('the same user with the right password but a wrong one is still auth, not forbidden', async () => {
      const u = await createUser('management');
      const r = await runCli(['topology', '--url', `amqp://${u.name}:not-${u.password}@127.0.0.1:5672/`, '--vhost', v.name]);
      const line = assertOneLine(r, 1, [u.password]);
      assert.match(line, /wrong user name or password/);
    });
  });

  describe('usage errors: exit 2', () => {
    const cases: [string, string[], RegExp][] = [
      ['an unknown option', ['topology', '--bogus'], /Unknown option --bogus/],
      ['a missing option value', ['topology', '--vhost'], /--vhost needs a value/],
      ['route without a routing key', ['route', 'nova'], /route needs exactly EXCHANGE and ROUTING_KEY/],
      ['a malformed --header', ['route', 'nova', 'k', '--header', 'nokey'], /key=value/],
      ['a URL with the wrong scheme', ['topology', '--url', 'http://127.0.0.1:5672'], /scheme "http:".*Use amqp:\/\//],
      ['a URL with a bad port', ['topology', '--url', 'amqp://127.0.0.1:99999'], /port "99999"/],
      ['a timeout that is not a number', ['topology', '--timeout', 'soon'], /--timeout must be a whole number/],
    ];
    for (const [name, args, message] of cases) {
      it(name, async () => {
        const line = assertOneLine(await runCli(args), 2);
        assert.match(line, message);
      });
    }
    it('an unknown command', async () => {
      const r = await runCli(['frobnicate']);
      assert.equal(r.code, 2);
      assert.match(r.stderr, /unknown command "frobnicate".*--help/);
    });
  });
});
