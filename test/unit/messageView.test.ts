import * as assert from 'assert';
import { encodeBuffer, makeNotification } from '../../src/broker/oslo';
import { uuidv7 } from '../../src/broker/ids';
import { ageOf, groupDeaths, osloTimeMs, renderBody, renderMessage, renderProperties } from '../../src/broker/messageView';
import { DEFAULT_PEEK_COUNT, deliveryLimitOf, pastLimit, peekCount, queueTypeOf, sideEffectsOf } from '../../src/broker/peekRules';
import { parseTemplate, templateText } from '../../src/broker/messageTemplate';

const NOW = Date.parse('2026-12-07T12:00:00Z');
const raw = (content: Buffer, properties: Record<string, unknown> = {}) => ({
  content, fields: { exchange: 'nova', routingKey: 'notifications.info', redelivered: false }, properties,
});

describe('message view: a peeked message as a person reads it', () => {
  it('a UTF-8 body without control characters is text; bytes are counted, not characters', () => {
    assert.deepStrictEqual(renderBody(Buffer.from('héllo\n\tok')), { encoding: 'text', data: 'héllo\n\tok', bytes: 10, truncated: false });
  });

  it('invalid UTF-8 or control characters make a base64 body', () => {
    assert.deepStrictEqual(renderBody(Buffer.from([0xff, 0xfe])), { encoding: 'base64', data: '//4=', bytes: 2, truncated: false });
    assert.strictEqual(renderBody(Buffer.from('a\u0000b')).encoding, 'base64');
    assert.strictEqual(renderBody(Buffer.from('bell\u0007')).encoding, 'base64');
  });

  it('a large body is cut at the limit and says so, on a character boundary for text', () => {
    const b = renderBody(Buffer.from('é'.repeat(10)), 5);
    assert.deepStrictEqual(b, { encoding: 'text', data: 'éé', bytes: 20, truncated: true });
    const bin = renderBody(Buffer.alloc(100, 0), 6);
    assert.deepStrictEqual(bin, { encoding: 'base64', data: 'AAAAAAAA', bytes: 100, truncated: true });
  });

  it('age: the AMQP timestamp first, then the oslo timestamp, then a UUIDv7 message id, else null', () => {
    assert.deepStrictEqual(ageOf({ timestamp: NOW / 1000 - 90 }, undefined, NOW), { ageSeconds: 90, ageSource: 'amqp-timestamp' });
    const oslo = { message_id: 'x', event_type: 'e', publisher_id: 'p', priority: 'INFO', timestamp: '2026-12-07 11:59:00.500000', payload: {} };
    assert.deepStrictEqual(ageOf({}, oslo, NOW), { ageSeconds: 59.5, ageSource: 'oslo-timestamp' });
    assert.deepStrictEqual(ageOf({ messageId: uuidv7(NOW - 3000) }, undefined, NOW), { ageSeconds: 3, ageSource: 'uuidv7-message-id' });
    assert.deepStrictEqual(ageOf({ messageId: 'f47ac10b-58cc-4372-a567-0e02b2c3d479' }, undefined, NOW), { ageSeconds: null });
    assert.strictEqual(osloTimeMs('not a time'), undefined);
    assert.strictEqual(osloTimeMs('2026-12-07T11:00:00Z'), Date.parse('2026-12-07T11:00:00Z'));
  });

  it('an oslo envelope is decoded: message_id, event_type, publisher_id, priority, timestamp, payload', () => {
    const n = makeNotification({ event_type: 'compute.instance.create.end', publisher_id: 'compute.host1', payload: { id: 1 }, timestamp: '2026-12-07 11:00:00.000000' });
    const m = renderMessage(raw(encodeBuffer(n), { contentType: 'application/json', deliveryMode: 2 }), 1, NOW);
    assert.deepStrictEqual(m.oslo, { message_id: n.message_id, event_type: 'compute.instance.create.end', publisher_id: 'compute.host1', priority: 'INFO', timestamp: '2026-12-07 11:00:00.000000', payload: { id: 1 } });
    assert.strictEqual(m.ageSeconds, 3600);
    assert.deepStrictEqual(m.properties, { contentType: 'application/json', deliveryMode: 2 });
    assert.strictEqual(renderMessage(raw(Buffer.from('{"a":1}')), 2, NOW).oslo, undefined);
  });

  it('properties: every AMQP property that is set, header timestamps and buffers as plain JSON', () => {
    const p = renderProperties({
      messageId: 'm', timestamp: 1_765_000_000, contentType: 't', contentEncoding: 'gzip', deliveryMode: 1, priority: 4, expiration: '100',
      headers: { at: { '!': 'timestamp', value: 1_765_000_000 }, bin: Buffer.from([0xff]), txt: Buffer.from('hi'), n: 3 },
      correlationId: 'c', replyTo: 'r', type: 'ty', appId: 'a', userId: 'guest',
    });
    assert.deepStrictEqual(p, {
      messageId: 'm', timestamp: '2025-12-06T05:46:40.000Z', contentType: 't', contentEncoding: 'gzip', deliveryMode: 1, priority: 4, expiration: '100',
      headers: { at: '2025-12-06T05:46:40.000Z', bin: '/w==', txt: 'hi', n: 3 }, correlationId: 'c', replyTo: 'r', type: 'ty', appId: 'a', userId: 'guest',
    });
  });

  it('deaths from x-death, and grouped by reason and source pool (most messages first)', () => {
    const xd = (reason: string, queue: string, count: number) => ({ reason, queue, exchange: 'nova', 'routing-keys': ['k'], count });
    const a = renderMessage(raw(Buffer.from('a'), { headers: { 'x-death': [xd('rejected', 'work', 2)] } }), 1, NOW);
    const b = renderMessage(raw(Buffer.from('b'), { headers: { 'x-death': [xd('expired', 'retry', 1), xd('rejected', 'work', 1)] } }), 2, NOW);
    assert.deepStrictEqual(a.deaths, [{ reason: 'rejected', queue: 'work', exchange: 'nova', routingKeys: ['k'], count: 2 }]);
    assert.deepStrictEqual(groupDeaths([a, b, { deaths: undefined }]), [
      { reason: 'rejected', pool: 'work', messages: 2, deaths: 3 },
      { reason: 'expired', pool: 'retry', messages: 1, deaths: 1 },
    ]);
    assert.strictEqual(renderMessage(raw(Buffer.from('c')), 3, NOW).deaths, undefined);
  });
});

describe('peek rules: count, queue type, side effects', () => {
  it('count: default 10, 1 … 500; 0, 10,000,000, fractions and words are refused naming the range', () => {
    assert.strictEqual(peekCount(undefined), DEFAULT_PEEK_COUNT);
    assert.strictEqual(peekCount('1'), 1);
    assert.strictEqual(peekCount(500), 500);
    for (const bad of [0, '0', 501, '10000000', 2.5, 'ten', '-1']) {
      assert.throws(() => peekCount(bad), /The peek count must be a whole number from 1 to 500/, String(bad));
    }
  });

  it('queue type and delivery limit from the management API (argument or policy, the lower wins)', () => {
    assert.strictEqual(queueTypeOf({ type: 'quorum' }), 'quorum');
    assert.strictEqual(queueTypeOf({ arguments: { 'x-queue-type': 'stream' } }), 'stream');
    assert.strictEqual(queueTypeOf({}), 'classic');
    assert.strictEqual(deliveryLimitOf({ arguments: { 'x-delivery-limit': 5 }, effective_policy_definition: { 'delivery-limit': 3 } }), 3);
    assert.strictEqual(deliveryLimitOf({ arguments: {} }), undefined);
    assert.strictEqual(pastLimit(1, 1), true);
    assert.strictEqual(pastLimit(0, 1), false);
    assert.strictEqual(pastLimit(9, undefined), false);
  });

  it('side effects: only a quorum queue with a delivery limit needs consent; a stream changes nothing', () => {
    assert.strictEqual(sideEffectsOf('classic').needsConsent, false);
    assert.strictEqual(sideEffectsOf('classic').redeliveredSet, true);
    assert.strictEqual(sideEffectsOf('quorum').deliveryCountRaised, true);
    assert.strictEqual(sideEffectsOf('quorum').needsConsent, false);
    const limited = sideEffectsOf('quorum', 3);
    assert.strictEqual(limited.needsConsent, true);
    assert.match(limited.summary, /delivery limit of 3/);
    assert.deepStrictEqual({ ...sideEffectsOf('stream'), summary: '' }, { removes: false, orderKept: true, redeliveredSet: false, deliveryCountRaised: false, needsConsent: false, summary: '' });
  });
});

describe('message template: Publish Message…', () => {
  it('the example template parses into an oslo notification with a UUIDv7 id and a timestamp', () => {
    const p = parseTemplate(templateText('nova', 'notifications.info'), NOW);
    assert.strictEqual(p.exchange, 'nova');
    assert.strictEqual(p.routingKey, 'notifications.info');
    const body = JSON.parse(JSON.parse(p.content.toString())['oslo.message']);
    assert.strictEqual(body.event_type, 'compute.instance.create.end');
    assert.strictEqual(body.message_id, p.options.messageId);
    assert.match(p.options.messageId, /^[0-9a-f]{8}-[0-9a-f]{4}-7/);
    assert.strictEqual(p.options.timestamp, NOW / 1000);
    assert.strictEqual(p.options.persistent, true);
    assert.strictEqual(p.options.contentType, 'application/json');
  });

  it('plain bodies: JSON, text, base64; headers merged; properties as given', () => {
    const j = parseTemplate(JSON.stringify({ exchange: '', routingKey: 'q', body: { a: 1 }, headers: { h: 1 }, properties: { deliveryMode: 1, priority: 2, expiration: 5000, messageId: 'mine', timestamp: '2026-12-07T11:00:00Z' } }), NOW);
    assert.strictEqual(j.content.toString(), '{"a":1}');
    assert.deepStrictEqual(j.options.headers, { h: 1 });
    assert.strictEqual(j.options.persistent, false);
    assert.strictEqual(j.options.priority, 2);
    assert.strictEqual(j.options.expiration, '5000');
    assert.strictEqual(j.options.messageId, 'mine');
    assert.strictEqual(j.options.timestamp, NOW / 1000 - 3600);
    assert.strictEqual(parseTemplate('{"exchange":"x","routingKey":"k","body":"hi"}').options.contentType, 'text/plain');
    assert.deepStrictEqual([...parseTemplate('{"exchange":"x","routingKey":"k","body":"/w==","bodyEncoding":"base64"}').content], [0xff]);
  });

  it('errors name the field and what to do', () => {
    const cases: [unknown, RegExp][] = [
      ['[1]', /"document" must be a JSON object/],
      [{ routingKey: 'k', body: 1 }, /"exchange" must be a string/],
      [{ exchange: 'x', body: 1 }, /"routingKey" must be a string/],
      [{ exchange: 'x', routingKey: 'k' }, /"body" is missing/],
      [{ exchange: 'x', routingKey: 'k', body: 1, oslo: { event_type: 'e' } }, /"body" cannot be given with "oslo"/],
      [{ exchange: 'x', routingKey: 'k', oslo: { event_type: '' } }, /"oslo\.event_type" must be a non-empty string/],
      [{ exchange: 'x', routingKey: 'k', oslo: { event_type: 'e', priority: 'LOUD' } }, /"oslo\.priority" must be one of AUDIT/],
      [{ exchange: 'x', routingKey: 'k', body: 1, properties: { priority: 300 } }, /"properties\.priority" must be a whole number from 0 to 255/],
      [{ exchange: 'x', routingKey: 'k', body: 1, properties: { colour: 'red' } }, /"properties\.colour" is not an AMQP property/],
      [{ exchange: 'x', routingKey: 'k', body: 1, extra: 1 }, /"extra" is not a template field/],
      [{ exchange: 'x', routingKey: 'k', body: 'a', bodyEncoding: 'hex' }, /"bodyEncoding" must be "json", "text" or "base64"/],
    ];
    for (const [doc, re] of cases) {
      assert.throws(() => parseTemplate(typeof doc === 'string' ? doc : JSON.stringify(doc)), (e: Error & { hint?: string }) => re.test(e.message) && /nothing was sent/.test(e.hint ?? ''), JSON.stringify(doc));
    }
    assert.throws(() => parseTemplate('{ nope'), /not valid JSON/);
  });
});
