/** The oslo.messaging v2 envelope: round trips, every malformed input's typed error, and decode() never throws. */
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { DecodeErrorCode, Notification, OSLO_VERSION, decode, encode, encodeBuffer, makeNotification, messageIdOf, osloTimestamp } from '../../src/broker/oslo';

const sample: Notification = {
  message_id: '0b0e6b2a-1c1f-4f55-9a9e-6f0f4f0c1a11', publisher_id: 'compute.host1', event_type: 'compute.instance.create.end',
  priority: 'INFO', payload: { instance_id: 'i-1', nested: { list: [1, 'two', null, true] } }, timestamp: '2026-11-25 17:16:36.123000',
};
const envelope = (inner: unknown, version: unknown = '2.0') => JSON.stringify({ 'oslo.version': version, 'oslo.message': typeof inner === 'string' ? inner : JSON.stringify(inner) });
const without = (k: keyof Notification) => Object.fromEntries(Object.entries(sample).filter(([f]) => f !== k));

describe('oslo envelope', () => {
  describe('encode/decode round trips', () => {
    it('encode() wraps the notification as a JSON string under oslo.message with version 2.0', () => {
      const e = encode(sample);
      assert.equal(e['oslo.version'], OSLO_VERSION);
      assert.equal(OSLO_VERSION, '2.0');
      assert.deepEqual(JSON.parse(e['oslo.message']), sample);
    });

    it('decode(encodeBuffer(n)) gives n back, enveloped, with the version', () => {
      const r = decode(encodeBuffer(sample));
      assert.deepEqual(r, { ok: true, notification: sample, enveloped: true, version: '2.0' });
    });

    it('decodes a string as well as a Buffer', () => {
      const r = decode(JSON.stringify(encode(sample)));
      assert.ok(r.ok);
      assert.deepEqual(r.notification, sample);
    });

    it('keeps non-ASCII text', () => {
      const n = { ...sample, payload: { name: 'Zoë ✓ 日本 \u{1F600}' } };
      const r = decode(encodeBuffer(n));
      assert.ok(r.ok);
      assert.deepEqual(r.notification.payload, n.payload);
    });

    it('makeNotification fills in a UUID, publisher, INFO, {} payload and an oslo timestamp', () => {
      const n = makeNotification({ event_type: 'test.event' });
      assert.match(n.message_id, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      assert.equal(n.priority, 'INFO');
      assert.deepEqual(n.payload, {});
      assert.match(n.timestamp, /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{6}$/);
      assert.notEqual(makeNotification({ event_type: 'x' }).message_id, n.message_id);
      assert.equal(messageIdOf(encodeBuffer(n)), n.message_id);
    });

    it('osloTimestamp renders UTC with a space and microseconds', () => {
      assert.equal(osloTimestamp(new Date(Date.UTC(2026, 10, 25, 17, 16, 36, 123))), '2026-11-25 17:16:36.123000');
    });

    it('a notification whose payload is undefined still round-trips (as null)', () => {
      const n = { ...sample, payload: undefined };
      const r = decode(encodeBuffer(n));
      assert.ok(r.ok, JSON.stringify(r));
      assert.equal(r.notification.payload, null);
    });

    it('round-trips arbitrary notifications (fast-check)', () => {
      fc.assert(fc.property(
        fc.record({
          message_id: fc.uuid(), publisher_id: fc.string(), event_type: fc.string(), priority: fc.constantFrom('INFO', 'WARN', 'ERROR', 'AUDIT'),
          payload: fc.jsonValue(), timestamp: fc.string(),
        }),
        (n) => {
          const r = decode(encodeBuffer(n));
          assert.ok(r.ok);
          // JSON itself normalises -0 to 0: compare with what JSON keeps
          assert.deepEqual(r.notification, JSON.parse(JSON.stringify(n)));
        },
      ), { numRuns: 300 });
    });
  });

  describe('malformed bodies give a typed error, never an exception', () => {
    const cases: [string, Buffer | string, DecodeErrorCode][] = [
      ['not UTF-8 (lone continuation byte)', Buffer.from([0x7b, 0x80, 0x7d]), 'not-utf8'],
      ['not UTF-8 (truncated multi-byte sequence)', Buffer.from([0xe2, 0x82]), 'not-utf8'],
      ['not UTF-8 (overlong encoding)', Buffer.from([0xc0, 0xaf]), 'not-utf8'],
      ['empty body', Buffer.alloc(0), 'not-json'],
      ['plain text', 'hello', 'not-json'],
      ['truncated JSON', '{"oslo.version": "2.0", "oslo.mess', 'not-json'],
      ['JSON array', '[1,2,3]', 'not-object'],
      ['JSON string', '"oslo"', 'not-object'],
      ['JSON number', '42', 'not-object'],
      ['JSON null', 'null', 'not-object'],
      ['oslo.message missing', JSON.stringify({ 'oslo.version': '2.0' }), 'bad-envelope'],
      ['oslo.version missing', JSON.stringify({ 'oslo.message': JSON.stringify(sample) }), 'bad-envelope'],
      ['oslo.version a number', envelope(sample, 2.0), 'bad-envelope'],
      ['oslo.message an object rather than a string', JSON.stringify({ 'oslo.version': '2.0', 'oslo.message': sample }), 'bad-envelope'],
      ['version 1.0', envelope(sample, '1.0'), 'unsupported-version'],
      ['version 1.5', envelope(sample, '1.5'), 'unsupported-version'],
      ['version 3.0', envelope(sample, '3.0'), 'unsupported-version'],
      ['version "20"', envelope(sample, '20'), 'unsupported-version'],
      ['inner JSON broken', envelope('{"message_id": '), 'bad-message'],
      ['inner JSON an array', envelope('[]'), 'bad-message'],
      ['inner JSON null', envelope('null'), 'bad-message'],
      ['inner JSON a string', envelope('"x"'), 'bad-message'],
      ['missing message_id', envelope(without('message_id')), 'missing-field'],
      ['missing publisher_id', envelope(without('publisher_id')), 'missing-field'],
      ['missing event_type', envelope(without('event_type')), 'missing-field'],
      ['missing priority', envelope(without('priority')), 'missing-field'],
      ['missing payload', envelope(without('payload')), 'missing-field'],
      ['missing timestamp', envelope(without('timestamp')), 'missing-field'],
      ['message_id a number', envelope({ ...sample, message_id: 7 }), 'bad-message'],
      ['event_type null', envelope({ ...sample, event_type: null }), 'bad-message'],
      ['priority an object', envelope({ ...sample, priority: { level: 'INFO' } }), 'bad-message'],
      ['timestamp a number', envelope({ ...sample, timestamp: 1732554996 }), 'bad-message'],
      ['un-enveloped v1 notification without event_type', JSON.stringify(without('event_type')), 'missing-field'],
      ['un-enveloped v1 notification with a numeric publisher_id', JSON.stringify({ ...sample, publisher_id: 1 }), 'bad-message'],
      ['an unrelated JSON object', JSON.stringify({ hello: 'world' }), 'missing-field'],
    ];
    for (const [name, body, code] of cases) {
      it(`${name} → ${code}`, () => {
        const r = decode(body);
        assert.equal(r.ok, false, `expected ${code}, decoded ${JSON.stringify(r)}`);
        if (!r.ok) {
          assert.equal(r.error.code, code, r.error.message);
          assert.ok(r.error.message.length > 0);
        }
        if (Buffer.isBuffer(body)) { assert.equal(messageIdOf(body), undefined); }
      });
    }

    it('an un-enveloped (messaging v1) notification decodes, marked as not enveloped', () => {
      const r = decode(JSON.stringify(sample));
      assert.deepEqual(r, { ok: true, notification: sample, enveloped: false, version: undefined });
    });

    it('a 2.x minor version is accepted', () => {
      const r = decode(envelope(sample, '2.1'));
      assert.ok(r.ok);
      assert.equal(r.version, '2.1');
    });
  });

  describe('decode never throws (fast-check)', () => {
    const check = (body: Buffer | string) => {
      const r = decode(body);
      assert.equal(typeof r.ok, 'boolean');
      if (!r.ok) { assert.equal(typeof r.error.code, 'string'); }
    };
    it('arbitrary strings', () => fc.assert(fc.property(fc.string({ unit: 'binary' }), check), { numRuns: 1000 }));
    it('arbitrary byte buffers', () => fc.assert(fc.property(fc.uint8Array({ maxLength: 300 }), (b) => check(Buffer.from(b))), { numRuns: 1000 }));
    it('arbitrary JSON values', () => fc.assert(fc.property(fc.jsonValue(), (v) => check(JSON.stringify(v) ?? 'null')), { numRuns: 1000 }));
    it('envelopes around arbitrary JSON values and strings', () => fc.assert(fc.property(
      fc.oneof(fc.jsonValue(), fc.string()), fc.oneof(fc.jsonValue(), fc.constantFrom('2.0', '1.0', '2.', '')),
      (inner, version) => check(JSON.stringify({ 'oslo.version': version, 'oslo.message': typeof inner === 'string' ? inner : JSON.stringify(inner) })),
    ), { numRuns: 1000 }));
    it('notifications with fields of arbitrary types', () => fc.assert(fc.property(
      fc.dictionary(fc.constantFrom('message_id', 'publisher_id', 'event_type', 'priority', 'payload', 'timestamp', '__proto__', 'constructor'), fc.jsonValue()),
      fc.boolean(),
      (n, wrap) => check(wrap ? envelope(n) : JSON.stringify(n)),
    ), { numRuns: 1000 }));
    it('deeply nested JSON', () => {
      check('['.repeat(100_000) + ']'.repeat(100_000));
      check(envelope('{"a":'.repeat(50_000) + '1' + '}'.repeat(50_000)));
    });
  });
});
