/**
 * One peeked message as a person (and a script) reads it: where it was published, its AMQP properties, its body as text
 * when it is text (else base64), its age where a time is known, the decoded oslo notification and its deaths (x-death).
 * Pure: no broker, no clock of its own (`now` is passed in), so every case is unit-tested.
 */
import { Death, readDeaths, secondsOf } from './deaths';
import { timeOfUuidv7 } from './ids';
import { decode } from './oslo';

/** Bodies longer than this are cut in the document (and said so): a 50 MB message should not freeze an editor. */
export const DEFAULT_MAX_BODY_BYTES = 64 * 1024;

export interface MessageProperties {
  messageId?: string;
  /** ISO 8601 of the AMQP timestamp (seconds). */
  timestamp?: string;
  contentType?: string;
  contentEncoding?: string;
  deliveryMode?: number;
  priority?: number;
  expiration?: string;
  headers?: Record<string, unknown>;
  correlationId?: string;
  replyTo?: string;
  type?: string;
  appId?: string;
  userId?: string;
}

export interface MessageBody {
  encoding: 'text' | 'base64';
  data: string;
  /** The whole body's size, also when `data` is cut. */
  bytes: number;
  truncated: boolean;
}

export interface OsloView {
  message_id: string;
  event_type: string;
  publisher_id: string;
  priority: string;
  timestamp: string;
  payload: unknown;
}

export type AgeSource = 'amqp-timestamp' | 'oslo-timestamp' | 'uuidv7-message-id';

export interface PeekedMessage {
  /** 1-based position from the head of the pool at the time of the peek. */
  index: number;
  exchange: string;
  routingKey: string;
  redelivered: boolean;
  properties: MessageProperties;
  body: MessageBody;
  ageSeconds: number | null;
  ageSource?: AgeSource;
  oslo?: OsloView;
  deaths?: Death[];
  /** A quorum queue's x-delivery-count as the peek saw it (before the peek returned the message). */
  deliveryCount?: number;
  /** A stream's offset of the message. */
  streamOffset?: number;
}

/** What amqplib hands for a message (GetMessage / ConsumeMessage), reduced to what the view reads. */
export interface RawMessage {
  content: Buffer;
  fields: { exchange: string; routingKey: string; redelivered: boolean };
  properties: {
    messageId?: unknown; timestamp?: unknown; contentType?: unknown; contentEncoding?: unknown; deliveryMode?: unknown;
    priority?: unknown; expiration?: unknown; headers?: Record<string, unknown> | null; correlationId?: unknown; replyTo?: unknown;
    type?: unknown; appId?: unknown; userId?: unknown;
  };
}

/** Valid UTF-8 without control characters other than tab, CR and LF: shown as text; anything else is base64. */
export function textOf(b: Buffer): string | undefined {
  let s: string;
  try { s = new TextDecoder('utf-8', { fatal: true }).decode(b); } catch { return undefined; }
  // eslint-disable-next-line no-control-regex
  return /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/.test(s) ? undefined : s;
}

export function renderBody(content: Buffer, maxBytes = DEFAULT_MAX_BODY_BYTES): MessageBody {
  const bytes = content.length;
  const truncated = bytes > maxBytes;
  const text = textOf(content);
  if (text !== undefined) {
    if (!truncated) { return { encoding: 'text', data: text, bytes, truncated }; }
    // Cut on a character boundary: decode the first maxBytes leniently and drop a half character at the end.
    const cut = content.subarray(0, maxBytes).toString('utf8').replace(/\uFFFD$/, '');
    return { encoding: 'text', data: cut, bytes, truncated };
  }
  return { encoding: 'base64', data: content.subarray(0, maxBytes).toString('base64'), bytes, truncated };
}

/** oslo's "2026-11-25 17:16:36.123456" (UTC) → epoch ms; also accepts ISO 8601. */
export function osloTimeMs(s: string): number | undefined {
  const m = /^(\d{4}-\d{2}-\d{2})[ T](\d{2}:\d{2}:\d{2})(\.\d+)?(Z|[+-]\d{2}:?\d{2})?$/.exec(s.trim());
  if (!m) { return undefined; }
  const frac = m[3] ? m[3].slice(0, 4) : '';
  const ms = Date.parse(`${m[1]}T${m[2]}${frac}${m[4] ?? 'Z'}`);
  return Number.isFinite(ms) ? ms : undefined;
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' ? v : v === undefined || v === null ? undefined : String(v);
}

function num(v: unknown): number | undefined {
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
}

/** Header values amqplib decodes into objects ({ '!': 'timestamp', value }) become plain JSON values; Buffers become base64. */
function plainHeaders(h: Record<string, unknown>): Record<string, unknown> {
  const plain = (v: unknown): unknown => {
    if (Buffer.isBuffer(v)) { return textOf(v) ?? v.toString('base64'); }
    if (Array.isArray(v)) { return v.map(plain); }
    if (v !== null && typeof v === 'object') {
      const o = v as Record<string, unknown>;
      if (o['!'] === 'timestamp' && typeof o.value === 'number') { return new Date(o.value * 1000).toISOString(); }
      if ('!' in o && 'value' in o) { return plain(o.value); }
      return Object.fromEntries(Object.entries(o).map(([k, x]) => [k, plain(x)]));
    }
    if (typeof v === 'bigint') { return v.toString(); }
    return v;
  };
  return plain(h) as Record<string, unknown>;
}

export function renderProperties(p: RawMessage['properties']): MessageProperties {
  const out: MessageProperties = {};
  const set = <K extends keyof MessageProperties>(k: K, v: MessageProperties[K] | undefined) => { if (v !== undefined) { out[k] = v; } };
  set('messageId', str(p.messageId));
  const ts = secondsOf(p.timestamp);
  set('timestamp', ts === undefined ? undefined : new Date(ts * 1000).toISOString());
  set('contentType', str(p.contentType));
  set('contentEncoding', str(p.contentEncoding));
  set('deliveryMode', num(p.deliveryMode));
  set('priority', num(p.priority));
  set('expiration', str(p.expiration));
  if (p.headers && Object.keys(p.headers).length) { out.headers = plainHeaders(p.headers); }
  set('correlationId', str(p.correlationId));
  set('replyTo', str(p.replyTo));
  set('type', str(p.type));
  set('appId', str(p.appId));
  set('userId', str(p.userId));
  return out;
}

/** The message's age: AMQP timestamp, else the oslo timestamp, else the time in a UUIDv7 message id (ours), else null. */
export function ageOf(p: RawMessage['properties'], oslo: OsloView | undefined, now: number): { ageSeconds: number | null; ageSource?: AgeSource } {
  const age = (ms: number) => Math.max(0, Math.round((now - ms) / 100) / 10);
  const ts = secondsOf(p.timestamp);
  if (ts !== undefined && ts > 0) { return { ageSeconds: age(ts * 1000), ageSource: 'amqp-timestamp' }; }
  const osloMs = oslo ? osloTimeMs(oslo.timestamp) : undefined;
  if (osloMs !== undefined) { return { ageSeconds: age(osloMs), ageSource: 'oslo-timestamp' }; }
  const idMs = timeOfUuidv7(str(p.messageId), now) ?? (oslo ? timeOfUuidv7(oslo.message_id, now) : undefined);
  if (idMs !== undefined) { return { ageSeconds: age(idMs), ageSource: 'uuidv7-message-id' }; }
  return { ageSeconds: null };
}

export function renderMessage(m: RawMessage, index: number, now: number, maxBodyBytes = DEFAULT_MAX_BODY_BYTES): PeekedMessage {
  let oslo: OsloView | undefined;
  // Decoding needs the whole body; a body over 1 MiB is no notification worth parsing in the document.
  if (m.content.length <= 1024 * 1024) {
    const r = decode(m.content);
    if (r.ok) {
      const n = r.notification;
      oslo = { message_id: n.message_id, event_type: n.event_type, publisher_id: n.publisher_id, priority: n.priority, timestamp: n.timestamp, payload: n.payload };
    }
  }
  const headers = m.properties.headers ?? undefined;
  const view: PeekedMessage = {
    index,
    exchange: m.fields.exchange,
    routingKey: m.fields.routingKey,
    redelivered: m.fields.redelivered,
    properties: renderProperties(m.properties),
    body: renderBody(m.content, maxBodyBytes),
    ...ageOf(m.properties, oslo, now),
  };
  if (oslo) { view.oslo = oslo; }
  const deaths = readDeaths(headers);
  if (deaths.length) { view.deaths = deaths; }
  const dc = num(headers?.['x-delivery-count']);
  if (dc !== undefined) { view.deliveryCount = dc; }
  const off = num(headers?.['x-stream-offset']);
  if (off !== undefined) { view.streamOffset = off; }
  return view;
}

export interface DeathGroup {
  reason: string;
  /** The pool that dead-lettered the messages. */
  pool: string;
  /** Peeked messages with such a death. */
  messages: number;
  /** The sum of the deaths' counts (a message dead-lettered three times by that pool counts 3). */
  deaths: number;
}

/** Deaths of the peeked messages, grouped by reason and source pool, most messages first. */
export function groupDeaths(messages: readonly Pick<PeekedMessage, 'deaths'>[]): DeathGroup[] {
  const groups = new Map<string, DeathGroup>();
  for (const m of messages) {
    for (const d of m.deaths ?? []) {
      const key = JSON.stringify([d.reason, d.queue]);
      const g = groups.get(key) ?? { reason: d.reason, pool: d.queue, messages: 0, deaths: 0 };
      g.messages += 1;
      g.deaths += d.count;
      groups.set(key, g);
    }
  }
  return [...groups.values()].sort((a, b) => b.messages - a.messages || a.reason.localeCompare(b.reason) || a.pool.localeCompare(b.pool));
}
