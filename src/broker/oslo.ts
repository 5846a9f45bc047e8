/**
 * The oslo.messaging notification envelope (messaging v2):
 *   {"oslo.version": "2.0", "oslo.message": "<JSON string of the notification>"}
 * The notification has message_id, publisher_id, event_type, priority, payload and timestamp.
 * decode() never throws: it returns a typed result, so hostile or truncated bodies cannot crash a worker.
 */
import { randomUUID } from 'node:crypto';

export const OSLO_VERSION = '2.0';
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
    publisher_id: fields.publisher_id ?? 'rmq-pools.test',
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
