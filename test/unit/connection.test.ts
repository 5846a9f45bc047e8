/** Broker URLs (errors that say what to do) and password redaction. */
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { BrokerConfig, amqpConnectArgs, brokerConfig, describeBroker, hostPort, parseUrl } from '../../src/broker/connection';
import { BrokerError, describeError } from '../../src/broker/errors';
import { REDACTED, redact, registerSecret } from '../../src/broker/redact';

/** Asserts that fn throws an invalid-input BrokerError whose message matches `message` and whose hint matches `hint`. */
function throwsInput(fn: () => unknown, message: RegExp, hint: RegExp): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof BrokerError, `not a BrokerError: ${String(e)}`);
    assert.equal(e.kind, 'invalid-input');
    assert.match(e.message, message);
    assert.match(e.hint, hint);
    return true;
  });
}

describe('connection', () => {
  describe('parseUrl / brokerConfig: malformed URLs', () => {
    const amqpCases: [string, string, RegExp, RegExp][] = [
      ['empty', '', /is empty/, /amqp:\/\/127\.0\.0\.1:5672/],
      ['blank', '   ', /is empty/, /amqp:\/\//],
      ['no scheme (host:port)', '127.0.0.1:5672', /has no scheme/, /Start it with amqp:\/\/ or amqps:\/\//],
      ['no scheme (name:port)', 'rabbit:5672', /has no scheme/, /amqp:\/\//],
      ['wrong scheme http', 'http://127.0.0.1:5672', /scheme "http:"/, /Use amqp:\/\/ or amqps:\/\//],
      ['wrong scheme ftp', 'ftp://host', /scheme "ftp:"/, /amqp:\/\//],
      ['missing host', 'amqp://', /has no host/, /Write it as amqp:\/\/127\.0\.0\.1:5672/],
      ['missing host with a vhost', 'amqp:///vh', /has no host/, /amqp:\/\//],
      ['port 0', 'amqp://host:0', /port 0/, /broker's port/],
      ['port 65536', 'amqp://host:65536', /port "65536", which is not a number from 1 to 65535/, /broker's port/],
      ['port 99999', 'amqp://host:99999', /port "99999"/, /broker's port/],
      ['non-numeric port', 'amqp://host:abc', /port "abc", which is not a number/, /broker's port, e\.g\. amqp:\/\/127\.0\.0\.1:5672/],
      ['negative port', 'amqp://host:-1', /port "-1"/, /broker's port/],
      ['malformed percent-encoding in the vhost', 'amqp://host/%zz', /malformed percent-encoding in its path/, /%2F/],
      ['malformed percent-encoding in the password', 'amqp://user:100%@host', /malformed percent-encoding in its password/, /%25/],
      ['malformed percent-encoding in the user name', 'amqp://us%zzer:x@host', /malformed percent-encoding in its user name/, /%40/],
    ];
    for (const [name, url, message, hint] of amqpCases) {
      it(`AMQP URL: ${name}`, () => throwsInput(() => brokerConfig({ amqpUrl: url }), message, hint));
    }

    it('management URL: wrong scheme, with an http example', () =>
      throwsInput(() => brokerConfig({ managementUrl: 'amqp://127.0.0.1:15672' }), /management URL .* scheme "amqp:"/, /Use http:\/\/ or https:\/\/, e\.g\. http:\/\/127\.0\.0\.1:15672/));
    it('management URL: bad port', () =>
      throwsInput(() => brokerConfig({ managementUrl: 'http://127.0.0.1:1567200' }), /management URL .*port "1567200"/, /http:\/\/127\.0\.0\.1:15672/));
    it('management URL: no scheme', () => throwsInput(() => brokerConfig({ managementUrl: 'localhost:15672' }), /has no scheme/, /http:\/\//));
    it('a vhost longer than 255 characters', () => throwsInput(() => brokerConfig({ vhost: 'v'.repeat(256) }), /longer than 255/, /existing vhost/));
    it('a timeout that is not positive', () => throwsInput(() => brokerConfig({ timeoutMs: 0 }), /timeout 0/, /10000/));

    it('a password in a malformed URL is not repeated in the error', () => {
      assert.throws(() => brokerConfig({ amqpUrl: 'amqp://user:Hunter2-secret@host:99999' }), (e: unknown) => {
        assert.ok(e instanceof BrokerError);
        assert.ok(!describeError(e).includes('Hunter2-secret'), describeError(e));
        assert.match(e.message, /user:\*\*\*@host/);
        return true;
      });
    });

    it('never throws anything but an invalid-input BrokerError (fast-check)', () => {
      // No "@": a URL with credentials would register its password, and the registry is global to the process.
      const urls = fc.tuple(fc.constantFrom('', 'amqp://', 'amqps://', 'amqp://h:', 'amqp://[', 'http://', 'amqp://h/'), fc.string()).map(([p, s]) => p + s).filter((u) => !u.includes('@'));
      fc.assert(fc.property(urls, (url) => {
        try {
          brokerConfig({ amqpUrl: url });
        } catch (e) {
          assert.ok(e instanceof BrokerError && e.kind === 'invalid-input', `${JSON.stringify(url)} threw ${String(e)}`);
        }
      }), { numRuns: 500 });
    });
  });

  describe('parseUrl / brokerConfig: well-formed URLs', () => {
    it('defaults: guest on 127.0.0.1, vhost "/", management on 15672', () => {
      const c = brokerConfig();
      assert.equal(c.amqpUrl, 'amqp://127.0.0.1:5672');
      assert.equal(c.managementUrl, 'http://127.0.0.1:15672');
      assert.equal(c.vhost, '/');
      assert.equal(c.username, 'guest');
      assert.equal(c.password, 'guest');
      assert.equal(c.tls.rejectUnauthorized, true);
    });

    it('credentials in the URL are taken out of it, percent-decoded', () => {
      const c = brokerConfig({ amqpUrl: 'amqp://alice:p%40ss%3Aw0rd@rabbit.example:5673/' });
      assert.equal(c.username, 'alice');
      assert.equal(c.password, 'p@ss:w0rd');
      assert.equal(c.amqpUrl, 'amqp://rabbit.example:5673');
      assert.ok(!c.amqpUrl.includes('alice') && !c.managementUrl.includes('alice'));
    });

    it('explicit username/password win over the URL\'s', () => {
      const c = brokerConfig({ amqpUrl: 'amqp://alice:one-secret-1@h', username: 'bob', password: 'two-secret' });
      assert.equal(c.username, 'bob');
      assert.equal(c.password, 'two-secret');
    });

    it('a user other than guest without a password gets an empty one, not guest\'s', () => {
      assert.equal(brokerConfig({ amqpUrl: 'amqp://alice@h' }).password, '');
    });

    const vhosts: [string, string][] = [
      ['amqp://h', '/'],
      ['amqp://h/', '/'],
      ['amqp://h/%2F', '/'],
      ['amqp://h/%2f', '/'],
      ['amqp://h/prod', 'prod'],
      ['amqp://h/a%2Fb', 'a/b'],
      ['amqp://h/caf%C3%A9', 'café'],
      ['amqp://h/with%20space', 'with space'],
    ];
    for (const [url, vhost] of vhosts) {
      it(`vhost of ${url} is ${JSON.stringify(vhost)}`, () => assert.equal(brokerConfig({ amqpUrl: url }).vhost, vhost));
    }
    it('an explicit vhost wins over the URL path', () => assert.equal(brokerConfig({ amqpUrl: 'amqp://h/prod', vhost: 'dev' }).vhost, 'dev'));

    it('IPv6 hosts keep their brackets in URLs and lose them as host names', () => {
      const c = brokerConfig({ amqpUrl: 'amqp://[::1]:5673/%2F' });
      assert.equal(c.amqpUrl, 'amqp://[::1]:5673');
      assert.equal(c.managementUrl, 'http://[::1]:15672');
      assert.deepEqual(hostPort(c.amqpUrl), { host: '::1', port: 5673 });
      assert.equal(parseUrl('amqp://[fe80::1]', ['amqp'], 'AMQP URL').host, 'fe80::1');
    });

    it('default ports per scheme', () => {
      assert.equal(parseUrl('amqp://h', ['amqp', 'amqps'], 'x').port, 5672);
      assert.equal(parseUrl('amqps://h', ['amqp', 'amqps'], 'x').port, 5671);
      assert.equal(parseUrl('http://h', ['http', 'https'], 'x').port, 15672);
      assert.equal(parseUrl('https://h', ['http', 'https'], 'x').port, 15671);
      assert.equal(parseUrl('AMQP://h', ['amqp', 'amqps'], 'x').protocol, 'amqp');
    });

    it('the default management URL follows the AMQP URL: amqp → http:15672, amqps → https:15671, same host', () => {
      assert.equal(brokerConfig({ amqpUrl: 'amqp://rabbit.example:5999' }).managementUrl, 'http://rabbit.example:15672');
      assert.equal(brokerConfig({ amqpUrl: 'amqps://rabbit.example' }).managementUrl, 'https://rabbit.example:15671');
      assert.equal(brokerConfig({ amqpUrl: 'amqps://rabbit.example' }).amqpUrl, 'amqps://rabbit.example:5671');
    });

    it('a management URL keeps its path prefix without a trailing slash', () => {
      assert.equal(brokerConfig({ managementUrl: 'https://lb.example/rabbitmq/' }).managementUrl, 'https://lb.example:15671/rabbitmq');
    });

    it('takes the user from the management URL when the AMQP URL has none', () => {
      const c = brokerConfig({ amqpUrl: 'amqp://h', managementUrl: 'http://carol:mgmt-pass-1@h:15672' });
      assert.equal(c.username, 'carol');
      assert.equal(c.password, 'mgmt-pass-1');
      assert.equal(c.managementUrl, 'http://h:15672');
    });

    it('amqplib gets the password in an object, and every connection a connection_name', () => {
      const c: BrokerConfig = brokerConfig({ amqpUrl: 'amqp://dave:obj-pass-9@h:5673/prod' });
      const { url, socketOptions } = amqpConnectArgs(c, 'rmq-pools:test');
      assert.deepEqual({ ...url }, { protocol: 'amqp', hostname: 'h', port: 5673, username: 'dave', password: 'obj-pass-9', vhost: 'prod', heartbeat: 30, frameMax: 0 });
      assert.deepEqual((socketOptions.clientProperties as Record<string, unknown>).connection_name, 'rmq-pools:test');
    });

    it('describeBroker shows no password', () => {
      const c = brokerConfig({ amqpUrl: 'amqp://erin:describe-pw-7@h/' });
      const text = describeBroker(c);
      assert.ok(!text.includes('describe-pw-7'));
      assert.match(text, /erin@amqp:\/\/h:5672/);
    });
  });

  describe('redact', () => {
    it('masks the password in any scheme://user:password@host URL', () => {
      assert.equal(redact('connect amqp://u:s3cret@h:5672/v failed'), `connect amqp://u:${REDACTED}@h:5672/v failed`);
      assert.equal(redact('http://admin:pw@10.0.0.1:15672/api'), `http://admin:${REDACTED}@10.0.0.1:15672/api`);
      assert.equal(redact('AMQPS://u:x@h'), `AMQPS://u:${REDACTED}@h`);
      assert.equal(redact('amqp://u:p%40ss@h'), `amqp://u:${REDACTED}@h`);
    });

    it('masks a password with an unencoded "@" whole', () => {
      assert.equal(redact('amqp://user:pa@ss@host/x'), `amqp://user:${REDACTED}@host/x`);
    });

    it('masks two URLs on one line', () => {
      assert.equal(redact('a amqp://u:one@h b http://v:two@k c'), `a amqp://u:${REDACTED}@h b http://v:${REDACTED}@k c`);
    });

    it('masks a registered secret anywhere, raw or percent-encoded in any mix and case', () => {
      const secret = 'Zq9 b$c@d/é';
      registerSecret(secret);
      const forms = [
        secret,
        encodeURIComponent(secret),
        encodeURIComponent(secret).toLowerCase().replace(/zq9/, 'Zq9'), // lower-case hex digits
        new URL(`http://u:${encodeURIComponent(secret)}@h`).password, // what URL keeps
        'Zq9%20b$c%40d%2F%C3%A9',
        'Zq9+b$c@d/é', // form encoding of the space
      ];
      for (const f of forms) {
        assert.equal(redact(`before ${f} after`), `before ${REDACTED} after`, f);
      }
    });

    it('masks a registered secret in JSON, headers and stack-like text', () => {
      registerSecret('Tok-en-55aa');
      assert.equal(redact('{"password":"Tok-en-55aa"}'), `{"password":"${REDACTED}"}`);
      assert.equal(redact('Tok-en-55aaTok-en-55aa'), REDACTED + REDACTED);
    });

    it('leaves everything else alone', () => {
      registerSecret('Unrelated-77');
      const texts = [
        'amqp://127.0.0.1:5672',
        'amqp://user@host:5672/vhost',
        'http://h:15672/api/queues/%2F?columns=name',
        'connection 127.0.0.1:54321 -> 127.0.0.1:5672',
        'user:password without a scheme',
        'time 12:30@noon',
        'Unrelated-7 and nrelated-77',
        '',
      ];
      for (const t of texts) { assert.equal(redact(t), t); }
    });

    it('does not mask the well-known default guest/guest, so the user name "guest" stays readable in errors', () => {
      brokerConfig();
      brokerConfig({ amqpUrl: 'amqp://guest:guest@127.0.0.1:5672/' });
      assert.equal(redact('The broker refused user "guest"'), 'The broker refused user "guest"');
      assert.equal(redact('amqp://guest:guest@h'), `amqp://guest:${REDACTED}@h`);
    });

    it('does not register secrets shorter than 3 characters (they would mask everything)', () => {
      registerSecret('ab');
      registerSecret('');
      registerSecret(undefined);
      assert.equal(redact('abc ab a'), 'abc ab a');
    });

    it('a secret with regular-expression characters is masked literally', () => {
      registerSecret('(.*)+[x]?');
      assert.equal(redact('p=(.*)+[x]? q=anything'), `p=${REDACTED} q=anything`);
    });

    it('BrokerError messages and hints pass through redact', () => {
      registerSecret('Err-pass-321');
      const e = new BrokerError('auth', 'login with Err-pass-321 failed', 'try amqp://u:Err-pass-321@h');
      assert.ok(!e.describe().includes('Err-pass-321'));
      assert.ok(!describeError(new Error('x Err-pass-321')).includes('Err-pass-321'));
    });

    it('masks every registered secret in arbitrary surrounding text (fast-check)', () => {
      // A distinctive prefix: registered secrets are global to the process and must not mask other tests' text.
      fc.assert(fc.property(fc.string({ minLength: 2, maxLength: 20 }).map((s) => `ZZfc${s}`), fc.string(), fc.string(), (secret, a, b) => {
        registerSecret(secret);
        const out = redact(`${a}${secret}${b}`);
        assert.ok(!out.includes(secret), JSON.stringify({ secret, out }));
        assert.ok(!out.includes(encodeURIComponent(secret)) || encodeURIComponent(secret) === secret);
      }), { numRuns: 200 });
    });
  });
});
