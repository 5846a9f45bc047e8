/** Publish Message (`rmq-pools publish --file F`): a template's one message reaches the pool as written; refusals send nothing. */
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Channel } from 'amqplib';
import { peekMessages } from '../../src/broker/peek';
import { TestVhost, freshVhost, runCli } from '../support/broker';

describe('publish a message from a template', function () {
  this.timeout(60_000);
  let v: TestVhost;
  let ch: Channel;
  const dir = mkdtempSync(path.join(tmpdir(), 'rmq-pools-publish-'));
  const file = (name: string, doc: unknown) => {
    const p = path.join(dir, name);
    writeFileSync(p, typeof doc === 'string' ? doc : JSON.stringify(doc));
    return p;
  };
  const depth = async (q: string) => (await ch.checkQueue(q)).messageCount;

  before(async () => {
    v = await freshVhost('publishmsg');
    ch = await (await v.connect('publish-message-setup')).createChannel();
    await ch.assertExchange('nova', 'topic', { durable: true });
    await ch.assertQueue('ceilometer', { durable: true });
    await ch.bindQueue('ceilometer', 'nova', 'notifications.*');
  });
  after(async () => { await v?.cleanup(); });

  it('--file with an oslo notification: round trip through peek, properties and headers as written', async () => {
    const f = file('oslo.json', {
      exchange: 'nova', routingKey: 'notifications.info', headers: { tenant: 'acme', retry: 2 },
      properties: { priority: 3, correlationId: 'corr-1', appId: 'nova-compute', expiration: '600000' },
      oslo: { event_type: 'compute.instance.resize.end', publisher_id: 'compute.host9', priority: 'warn', payload: { flavor: 'm1.small' } },
    });
    const r = await runCli(['publish', '--file', f, '--vhost', v.name, '--json']);
    assert.equal(r.code, 0, r.stderr);
    const doc = r.json as { confirmed: boolean; routed: boolean; messageId: string; exchange: string };
    assert.equal(doc.confirmed, true);
    assert.equal(doc.routed, true);
    assert.equal(doc.exchange, 'nova');
    const peeked = await peekMessages(v.config, v.client, { pool: 'ceilometer', count: 5 });
    assert.equal(peeked.messages.length, 1);
    const m = peeked.messages[0];
    assert.equal(m.routingKey, 'notifications.info');
    assert.equal(m.oslo?.event_type, 'compute.instance.resize.end');
    assert.equal(m.oslo?.publisher_id, 'compute.host9');
    assert.equal(m.oslo?.priority, 'WARN');
    assert.deepEqual(m.oslo?.payload, { flavor: 'm1.small' });
    assert.equal(m.oslo?.message_id, doc.messageId);
    assert.deepEqual(m.properties.headers, { tenant: 'acme', retry: 2 });
    assert.equal(m.properties.priority, 3);
    assert.equal(m.properties.correlationId, 'corr-1');
    assert.equal(m.properties.appId, 'nova-compute');
    assert.equal(m.properties.deliveryMode, 2);
    assert.equal(m.ageSource, 'amqp-timestamp');
    await ch.purgeQueue('ceilometer');
  });

  it('--file with a text body, --key overriding the template; unroutable is reported, not lost silently', async () => {
    const f = file('text.json', { exchange: 'nova', routingKey: 'nowhere', body: 'hello' });
    const r = await runCli(['publish', '--file', f, '--key', 'notifications.error', '--vhost', v.name]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^Published 1 message \(5 bytes, id .*\) to nova \/ notifications\.error: confirmed\n$/);
    const m = await ch.get('ceilometer', { noAck: true });
    assert.ok(m);
    assert.equal(m.content.toString(), 'hello');
    assert.equal(m.properties.contentType, 'text/plain');
    const lost = await runCli(['publish', '--file', f, '--vhost', v.name, '--json']);
    assert.equal(lost.code, 0, lost.stderr);
    assert.equal((lost.json as { routed: boolean }).routed, false);
  });

  it('refusals send nothing: read-only, a bad field, an unknown exchange, a flag that does not go with --file', async () => {
    const good = file('good.json', { exchange: 'nova', routingKey: 'notifications.info', body: { a: 1 } });
    const ro = await runCli(['publish', '--file', good, '--vhost', v.name], { RMQ_POOLS_READ_ONLY: '1' });
    assert.equal(ro.code, 2);
    assert.match(ro.stderr, /is read-only: publish was refused, nothing was sent/);
    const badField = await runCli(['publish', '--file', file('bad.json', { exchange: 'nova', routingKey: 'k', body: 1, properties: { deliveryMode: 3 } }), '--vhost', v.name]);
    assert.equal(badField.code, 2);
    assert.match(badField.stderr, /^rmq-pools publish: The message template's "properties\.deliveryMode" must be 1 \(transient\) or 2 \(persistent\)\. .*nothing was sent\n$/);
    const noEx = await runCli(['publish', '--file', file('noex.json', { exchange: 'no-such-exchange', routingKey: 'k', body: 1 }), '--vhost', v.name]);
    assert.equal(noEx.code, 1);
    assert.match(noEx.stderr, /Exchange "no-such-exchange" does not exist in vhost/);
    const clash = await runCli(['publish', '--file', good, '--count', '5', '--vhost', v.name]);
    assert.equal(clash.code, 2);
    assert.match(clash.stderr, /--count does not go with --file/);
    const notJson = await runCli(['publish', '--file', file('nj.json', '{ nope'), '--vhost', v.name]);
    assert.equal(notJson.code, 2);
    assert.match(notJson.stderr, /not valid JSON/);
    assert.equal(await depth('ceilometer'), 0, 'nothing reached the pool');
  });

  it('the existing flags still work: --exchange --key --count', async () => {
    const r = await runCli(['publish', '--exchange', 'nova', '--key', 'notifications.info', '--count', '3', '--vhost', v.name, '--json']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal((r.json as { confirmed: number }).confirmed, 3);
    assert.equal(await depth('ceilometer'), 3);
  });
});
