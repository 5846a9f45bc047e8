/**
 * The publisher builds the oslo envelope of a fixed payload from pieces encoded once per run (publisher.ts, osloFastPath).
 * Whatever the names, payload, id or time, its bytes must be exactly what the general encoder makes.
 */
import * as assert from 'assert';
import { encodeBuffer, makeNotification } from '../../src/broker/oslo';
import { prepareMessages } from '../../src/broker/publisher';
import { uuidv7 } from '../../src/broker/ids';

const stampOf = (now: number) => new Date(now).toISOString().replace('T', ' ').replace('Z', '000');

const names = ['compute.host-1', 'q"uote', 'back\\slash', 'ctl\u0001\u001f\n\t', 'emoji 🐇', 'lone \ud800 surrogate', 'ünïcödé', '</script>', ''];
const payloads: (string | undefined)[] = [
  undefined, '{}', '{"a":1}', '{"text":"q\\"uote \\\\ back"}', '{"e":"🐇","u":"\\u0000\\u2028"}', '[1,2,3]', '"just a string"', '42', '{"pad":"' + 'x'.repeat(900) + '"}',
];
const ids = () => [uuidv7(), '9b2c7a1e-5d3f-4c2b-8a1d-0e9f8c7b6a5d', 'plain-id-42', 'id with space', 'q"id', 'ünï', ''];

describe('publisher: the oslo fast path is byte for byte the general encoder', () => {
  let cases = 0;
  for (const payload of payloads) {
    it(`payload ${payload === undefined ? '(default {"seq":N})' : payload.slice(0, 40)}`, () => {
      for (const name of names) {
        const make = prepareMessages({ exchange: 'nova', routingKey: 'notifications.info', count: 1, payloadTemplate: payload, publisherId: name, eventType: `ev.${name}`, priority: name ? 'WARN' : 'INFO' } as Parameters<typeof prepareMessages>[0]);
        for (const id of ids()) {
          for (const [seq, now] of [[1, 1_764_000_000_000], [123456, 1_764_000_000_001], [7, Date.now()]] as const) {
            const got = make(seq, id, now);
            const want = encodeBuffer(makeNotification({
              message_id: id, publisher_id: name, event_type: `ev.${name}`, priority: name ? 'WARN' : 'INFO',
              payload: payload === undefined ? { seq } : JSON.parse(payload) as unknown, timestamp: stampOf(now),
            }));
            assert.ok(got.equals(want), `${JSON.stringify({ payload: payload?.slice(0, 30), name, id, seq })}\n got  ${got.toString().slice(0, 300)}\n want ${want.toString().slice(0, 300)}`);
            // The publish loop's reused buffer makes the same bytes, and making it again (a re-send) too.
            assert.ok(make.transient, 'a fixed payload has the reusable maker');
            assert.ok(make.transient(seq, id, now).equals(want), 'transient');
            make.transient(seq + 1, 'other-id', now + 5);
            assert.ok(make.transient(seq, id, now).equals(want), 'transient, made again after another message');
            assert.ok(got.equals(want), 'the allocated body is not touched by the reused one');
            cases++;
          }
        }
      }
    });
  }
  after(() => assert.ok(cases >= 1000, `${cases} cases`));
});
