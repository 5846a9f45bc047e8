/**
 * Publish Message: a JSON template of one message (exchange, routing key, properties, headers, body, or an oslo envelope)
 * parsed into what amqplib publishes. Pure; every error names the field and what to do. The template is also what a peeked
 * message looks like (the same property names), so a peeked message can be edited and sent again.
 */
import { invalidInput } from './errors';
import { uuidv7 } from './ids';
import { PRIORITIES, encodeBuffer, makeNotification } from './oslo';

export interface TemplateOslo { event_type: string; publisher_id?: string; priority?: string; payload?: unknown }

export interface MessageTemplate {
  exchange: string;
  routingKey: string;
  properties?: Record<string, unknown>;
  headers?: Record<string, unknown>;
  /** A string is sent as text, anything else as JSON; with bodyEncoding "base64" a string of base64. */
  body?: unknown;
  bodyEncoding?: 'json' | 'text' | 'base64';
  oslo?: TemplateOslo;
}

export interface PublishPlan {
  exchange: string;
  routingKey: string;
  content: Buffer;
  options: {
    contentType?: string; contentEncoding?: string; persistent: boolean; priority?: number; expiration?: string; messageId: string;
    correlationId?: string; replyTo?: string; type?: string; appId?: string; userId?: string; timestamp: number; headers?: Record<string, unknown>;
    mandatory: true;
  };
}

/** The document "Publish Message…" opens. */
export function templateText(exchange = 'nova', routingKey = 'notifications.info'): string {
  const t = {
    exchange, routingKey,
    properties: { contentType: 'application/json', deliveryMode: 2 },
    headers: {},
    oslo: { event_type: 'compute.instance.create.end', publisher_id: 'compute.host1', priority: 'INFO', payload: { instance_id: 'example' } },
    '//': 'Publishes one message with publisher confirms. Drop "oslo" and give "body" (JSON, or a string sent as text; "bodyEncoding": "base64" for bytes) to send a plain message.',
  };
  return JSON.stringify(t, null, 2) + '\n';
}

const PROPERTY_NAMES = ['contentType', 'contentEncoding', 'deliveryMode', 'priority', 'expiration', 'messageId', 'correlationId', 'replyTo', 'type', 'appId', 'userId', 'timestamp', 'headers'];
const TOP = ['exchange', 'routingKey', 'properties', 'headers', 'body', 'bodyEncoding', 'oslo', '//'];

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function bad(field: string, what: string): never {
  throw invalidInput(`The message template's "${field}" ${what}`, 'Fix that field in the template (Publish Message… opens an example) and publish again; nothing was sent');
}

function optString(p: Record<string, unknown>, k: string): string | undefined {
  const v = p[k];
  if (v === undefined || v === null) { return undefined; }
  if (typeof v !== 'string') { bad(`properties.${k}`, 'must be a string'); }
  return v;
}

/** Parses and checks a template's text; `now` stamps the AMQP timestamp when the template has none. */
export function parseTemplate(text: string, now = Date.now()): PublishPlan {
  let raw: unknown;
  try { raw = JSON.parse(text); } catch (e) {
    throw invalidInput(`The message template is not valid JSON (${(e as Error).message})`, 'Fix the JSON (an example: Publish Message… with no document open); nothing was sent');
  }
  if (!isObject(raw)) { bad('document', 'must be a JSON object with "exchange" and "routingKey"'); }
  for (const k of Object.keys(raw)) { if (!TOP.includes(k)) { bad(k, `is not a template field (the fields: ${TOP.filter((f) => f !== '//').join(', ')})`); } }
  if (typeof raw.exchange !== 'string') { bad('exchange', 'must be a string (use "" for the default exchange)'); }
  if (typeof raw.routingKey !== 'string') { bad('routingKey', 'must be a string'); }
  if (Buffer.byteLength(raw.routingKey) > 255) { bad('routingKey', 'is longer than 255 bytes'); }
  const p = raw.properties === undefined ? {} : raw.properties;
  if (!isObject(p)) { bad('properties', 'must be an object'); }
  for (const k of Object.keys(p)) { if (!PROPERTY_NAMES.includes(k)) { bad(`properties.${k}`, `is not an AMQP property (the properties: ${PROPERTY_NAMES.join(', ')})`); } }
  if (raw.headers !== undefined && !isObject(raw.headers)) { bad('headers', 'must be an object of header names to values'); }
  if (p.headers !== undefined && !isObject(p.headers)) { bad('properties.headers', 'must be an object'); }
  const headers = { ...(p.headers as Record<string, unknown> | undefined), ...(raw.headers as Record<string, unknown> | undefined) };

  let content: Buffer;
  let contentType = optString(p, 'contentType');
  let messageId = optString(p, 'messageId');
  if (raw.oslo !== undefined) {
    if (raw.body !== undefined) { bad('body', 'cannot be given with "oslo" (the oslo envelope is the body): drop one of them'); }
    const o = raw.oslo;
    if (!isObject(o)) { bad('oslo', 'must be an object with event_type, publisher_id, priority, payload'); }
    if (typeof o.event_type !== 'string' || !o.event_type.trim()) { bad('oslo.event_type', 'must be a non-empty string, e.g. "compute.instance.create.end"'); }
    if (o.publisher_id !== undefined && typeof o.publisher_id !== 'string') { bad('oslo.publisher_id', 'must be a string, e.g. "compute.host1"'); }
    if (o.priority !== undefined && (typeof o.priority !== 'string' || !PRIORITIES.includes(o.priority.toUpperCase() as never))) {
      bad('oslo.priority', `must be one of ${PRIORITIES.join(', ')}`);
    }
    const n = makeNotification({
      event_type: o.event_type, publisher_id: o.publisher_id as string | undefined, priority: (o.priority as string | undefined)?.toUpperCase(),
      payload: o.payload ?? {}, message_id: messageId ?? uuidv7(now),
    });
    messageId = n.message_id;
    content = encodeBuffer(n);
    contentType ??= 'application/json';
  } else {
    if (raw.body === undefined) { bad('body', 'is missing: give "body" (JSON or a string) or an "oslo" notification'); }
    const enc = raw.bodyEncoding ?? (typeof raw.body === 'string' ? 'text' : 'json');
    if (enc !== 'json' && enc !== 'text' && enc !== 'base64') { bad('bodyEncoding', 'must be "json", "text" or "base64"'); }
    if (enc === 'json') {
      content = Buffer.from(JSON.stringify(raw.body), 'utf8');
      contentType ??= 'application/json';
    } else {
      if (typeof raw.body !== 'string') { bad('body', `must be a string with bodyEncoding "${enc}"`); }
      if (enc === 'base64' && !/^[A-Za-z0-9+/\s]*={0,2}\s*$/.test(raw.body)) { bad('body', 'is not base64'); }
      content = Buffer.from(raw.body, enc === 'base64' ? 'base64' : 'utf8');
      if (enc === 'text') { contentType ??= 'text/plain'; }
    }
  }

  const mode = p.deliveryMode ?? 2;
  if (mode !== 1 && mode !== 2) { bad('properties.deliveryMode', 'must be 1 (transient) or 2 (persistent)'); }
  const priority = p.priority;
  if (priority !== undefined && (typeof priority !== 'number' || !Number.isInteger(priority) || priority < 0 || priority > 255)) {
    bad('properties.priority', 'must be a whole number from 0 to 255');
  }
  let expiration: string | undefined;
  if (p.expiration !== undefined) {
    const e = p.expiration;
    if (!(typeof e === 'number' || typeof e === 'string') || !/^\d+$/.test(String(e))) { bad('properties.expiration', 'must be a number of milliseconds, e.g. "60000"'); }
    expiration = String(e);
  }
  let timestamp = Math.floor(now / 1000);
  if (p.timestamp !== undefined) {
    const t = p.timestamp;
    const ms = typeof t === 'number' ? t * 1000 : typeof t === 'string' ? Date.parse(t) : NaN;
    if (!Number.isFinite(ms)) { bad('properties.timestamp', 'must be seconds since 1970 or an ISO 8601 time'); }
    timestamp = Math.floor(ms / 1000);
  }
  const options: PublishPlan['options'] = {
    persistent: mode === 2, messageId: messageId ?? uuidv7(now), timestamp, mandatory: true,
  };
  const set = (k: keyof PublishPlan['options'], v: unknown) => { if (v !== undefined) { (options as Record<string, unknown>)[k] = v; } };
  set('contentType', contentType);
  set('contentEncoding', optString(p, 'contentEncoding'));
  set('priority', priority);
  set('expiration', expiration);
  set('correlationId', optString(p, 'correlationId'));
  set('replyTo', optString(p, 'replyTo'));
  set('type', optString(p, 'type'));
  set('appId', optString(p, 'appId'));
  set('userId', optString(p, 'userId'));
  if (Object.keys(headers).length) { options.headers = headers; }
  return { exchange: raw.exchange, routingKey: raw.routingKey, content, options };
}
