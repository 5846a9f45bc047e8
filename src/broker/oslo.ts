/**
 * The oslo.messaging notification envelope (messaging v2):
 *   {"oslo.version": "2.0", "oslo.message": "<JSON string of the notification>"}
 * The notification has message_id, publisher_id, event_type, priority, payload and timestamp.
 * decode() never throws: it returns a typed result, so hostile or truncated bodies cannot crash a worker.
 */
import { randomUUID } from 'node:crypto';

export const OSLO_VERSION = '2.0';
export const DEFAULT_PUBLISHER_ID = 'rmq-pools.test';
export type Priority = 'AUDIT' | 'CRITICAL' | 'DEBUG' | 'INFO' | 'WARN' | 'ERROR' | 'SAMPLE';
export const PRIORITIES: readonly Priority[] = ['AUDIT', 'CRITICAL', 'DEBUG', 'INFO', 'WARN', 'ERROR', 'SAMPLE'];

export interface Notification {
  message_id: string;
  publisher_id: string;
  event_type: string;
  priority: string;
  payload: unknown;
  /** oslo's format: "2026-11-25 17:16:36.123456" (UTC, space separator). */
  timestamp: string;
}

export interface Envelope {
  'oslo.version': string;
  'oslo.message': string;
}

export type DecodeErrorCode = 'not-utf8' | 'not-json' | 'not-object' | 'bad-envelope' | 'bad-message' | 'missing-field' | 'unsupported-version';

export interface DecodeError {
  code: DecodeErrorCode;
  message: string;
}

export type DecodeResult =
  | { ok: true; notification: Notification; enveloped: boolean; version?: string }
  | { ok: false; error: DecodeError };

/** "2026-11-25 17:16:36.123000", as oslo_utils.timeutils.utcnow() renders in notifications. */
export function osloTimestamp(d = new Date()): string {
  return d.toISOString().replace('T', ' ').replace('Z', '000');
}

export function makeNotification(fields: Partial<Notification> & Pick<Notification, 'event_type'>): Notification {
  return {
    message_id: fields.message_id ?? randomUUID(),
    publisher_id: fields.publisher_id ?? DEFAULT_PUBLISHER_ID,
    event_type: fields.event_type,
    priority: fields.priority ?? 'INFO',
    payload: fields.payload ?? {},
    timestamp: fields.timestamp ?? osloTimestamp(),
  };
}

export function encode(n: Notification): Envelope {
  // JSON.stringify drops an undefined payload, and decode() then rejects the body for lacking one: send null.
  return { 'oslo.version': OSLO_VERSION, 'oslo.message': JSON.stringify(n.payload === undefined ? { ...n, payload: null } : n) };
}

export function encodeBuffer(n: Notification): Buffer {
  return Buffer.from(JSON.stringify(encode(n)), 'utf8');
}

const REQUIRED: (keyof Notification)[] = ['message_id', 'publisher_id', 'event_type', 'priority', 'payload', 'timestamp'];

function fail(code: DecodeErrorCode, message: string): DecodeResult {
  return { ok: false, error: { code, message } };
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function checkNotification(v: unknown, enveloped: boolean, version?: string): DecodeResult {
  if (!isObject(v)) { return fail('bad-message', 'The notification is not a JSON object'); }
  for (const f of REQUIRED) {
    if (!(f in v)) { return fail('missing-field', `The notification has no "${f}"`); }
  }
  for (const f of ['message_id', 'publisher_id', 'event_type', 'priority', 'timestamp'] as const) {
    if (typeof v[f] !== 'string') { return fail('bad-message', `The notification's "${f}" is not a string`); }
  }
  return { ok: true, notification: v as unknown as Notification, enveloped, version };
}

/** Decodes an AMQP body: a v2 envelope, or an un-enveloped (messaging v1) notification. */
export function decode(body: Buffer | string): DecodeResult {
  let text: string;
  if (typeof body === 'string') {
    text = body;
  } else {
    try {
      text = new TextDecoder('utf-8', { fatal: true }).decode(body);
    } catch {
      return fail('not-utf8', 'The body is not UTF-8 text');
    }
  }
  let outer: unknown;
  try { outer = JSON.parse(text); } catch { return fail('not-json', 'The body is not JSON'); }
  if (!isObject(outer)) { return fail('not-object', 'The body is JSON but not an object'); }
  if (!('oslo.version' in outer) && !('oslo.message' in outer)) {
    return checkNotification(outer, false);
  }
  const version = outer['oslo.version'];
  const inner = outer['oslo.message'];
  if (typeof version !== 'string' || typeof inner !== 'string') {
    return fail('bad-envelope', 'The envelope needs "oslo.version" and "oslo.message" as strings');
  }
  if (!/^2\./.test(version)) { return fail('unsupported-version', `Envelope version ${version} is not supported (expected 2.x)`); }
  let msg: unknown;
  try { msg = JSON.parse(inner); } catch { return fail('bad-message', '"oslo.message" is not a JSON string'); }
  return checkNotification(msg, true, version);
}

/** message_id of an oslo body, or undefined; cheap enough for the delivery path (one parse of the envelope). */
export function messageIdOf(body: Buffer): string | undefined {
  const r = decode(body);
  return r.ok ? r.notification.message_id : undefined;
}

/**
 * Writes envelopes whose payload is fixed: `(seq, id, now)` → body. `transient` writes into one reused buffer, valid
 * until its next call (for a publish loop whose client copies the body at once).
 */
export type EnvelopeWriter = ((seq: number, id: string, now: number) => Buffer) & { transient: (seq: number, id: string, now: number) => Buffer };

/**
 * The oslo envelope of a payload that is the same for every message (`payloadJson`, or `{"seq":N}` when undefined), byte for
 * byte what encodeBuffer(makeNotification(…)) gives, assembled from pieces escaped once per run: only the message id, the seq
 * and the timestamp change, and none of them needs escaping. Stringifying the notification and then the envelope for each
 * message was the publisher's largest CPU cost (26 µs a message against 13.5 µs for a raw amqplib loop; bench/, BENCHMARKS.md).
 */
export function osloEnvelopeWriter(publisherId: string, eventType: string, priority: string, payloadJson: string | undefined): EnvelopeWriter {
  const esc = (s: string) => JSON.stringify(s).slice(1, -1); // as the text appears inside the envelope's "oslo.message" string
  const head = `{"oslo.version":"${OSLO_VERSION}","oslo.message":"` + esc('{"message_id":"');
  const middle = esc(`","publisher_id":${JSON.stringify(publisherId)},"event_type":${JSON.stringify(eventType)},"priority":${JSON.stringify(priority)},"payload":`);
  const payload = payloadJson === undefined ? undefined : esc(payloadJson);
  const seqHead = esc('{"seq":');
  const seqTail = esc('}');
  const stamp = esc(',"timestamp":"');
  const tail = esc('"}') + '"}';
  // The constant parts are UTF-8 encoded once; per message only the id, the sequence number and the time (all ASCII) are
  // written between them into one buffer: no 1 KiB string to build, encode and collect per message (26–28 → 19–21 µs of
  // client CPU per message at 1 KiB with the reused buffer; BENCHMARKS.md, figure 2).
  const A = Buffer.from(head);
  const B = Buffer.from(middle + (payload ?? seqHead));
  const C = Buffer.from((payload === undefined ? seqTail : '') + stamp);
  const D = Buffer.from(tail);
  const fixedLength = A.length + B.length + C.length + D.length;
  let lastNow = NaN;
  let lastStamp = '';
  const slow = (seq: number, id: string) => Buffer.from(head + esc(JSON.stringify(id).slice(1, -1)) + middle + (payload ?? seqHead + String(seq) + seqTail) + stamp + lastStamp + tail, 'utf8');
  let scratch = Buffer.alloc(0);
  const build = (seq: number, id: string, now: number, reuse: boolean): Buffer => {
    if (now !== lastNow) { lastNow = now; lastStamp = osloTimestamp(new Date(now)); }
    if (!/^[0-9A-Za-z-]*$/.test(id)) { return slow(seq, id); }
    const seqText = payload === undefined ? String(seq) : '';
    const length = fixedLength + id.length + seqText.length + lastStamp.length;
    let buf: Buffer;
    if (reuse) {
      if (scratch.length < length) { scratch = Buffer.allocUnsafe(length * 2); }
      buf = scratch;
    } else {
      buf = Buffer.allocUnsafe(length);
    }
    let at = A.copy(buf, 0);
    at += buf.write(id, at, 'latin1');
    at += B.copy(buf, at);
    if (seqText) { at += buf.write(seqText, at, 'latin1'); }
    at += C.copy(buf, at);
    at += buf.write(lastStamp, at, 'latin1');
    D.copy(buf, at);
    return reuse ? buf.subarray(0, length) : buf;
  };
  const make: EnvelopeWriter = (seq, id, now) => build(seq, id, now, false);
  make.transient = (seq, id, now) => build(seq, id, now, true);
  return make;
}
