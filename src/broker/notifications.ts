/**
 * Test notifications: the bodies the tool publishes (an oslo.messaging v2 envelope by default, or raw JSON / text), the
 * payload template with its placeholders, and the headers a test notification may carry.
 */
import { randomUUID } from 'node:crypto';
import { invalidInput } from './errors';
import { DEFAULT_PUBLISHER_ID, encodeBuffer, makeNotification, osloEnvelopeWriter, osloTimestamp } from './oslo';

/** Header with a publish time (epoch ms) that workers turn into a latency when another tool sets it; our publisher's UUIDv7 ids carry it instead (ids.ts). */
export const PUBLISHED_AT_HEADER = 'x-rmqp-published-at';
/** Header carrying an audit run id. */
export const RUN_ID_HEADER = 'x-rmqp-run';

export type MessageFormat = 'oslo' | 'json' | 'text';
export const DEFAULT_EVENT_TYPE = 'compute.instance.create.end';
export { DEFAULT_PUBLISHER_ID };

const PLACEHOLDER = /\{\{(seq|uuid|now)\}\}/g;

/** Substitutes {{seq}}, {{uuid}}, {{now}} in a template. */
export function renderTemplate(template: string, seq: number, now = new Date()): string {
  let uuid: string | undefined;
  return template.replace(PLACEHOLDER, (_m, name: string) => {
    if (name === 'seq') { return String(seq); }
    if (name === 'uuid') { return (uuid ??= randomUUID()); }
    return now.toISOString();
  });
}

/**
 * Makes message bodies. `transient`, when there, makes the same bytes into one reused buffer, valid until its next call:
 * for the publish loop, whose amqplib copies the body into its frame at once (no 1 KiB buffer per message to collect);
 * it is deterministic, so a message re-sent after a reconnect is made again byte for byte.
 */
export type MessageMaker = ((seq: number, id: string, now: number) => Buffer) & { transient?: (seq: number, id: string, now: number) => Buffer };

/** How the bodies are made: the publish options that shape them. */
export interface MessageOptions {
  /** Default 'oslo' (v2 envelope). 'json': the rendered template as the body; 'text': the template as text. */
  format?: MessageFormat;
  eventType?: string;
  publisherId?: string;
  /** oslo priority (default INFO). */
  priority?: string;
  /**
   * Payload template (oslo/json: JSON after substitution). Placeholders: {{seq}} (1..N, unquoted number),
   * {{uuid}} (a fresh UUID per message), {{now}} (ISO time). Checked before anything is published.
   */
  payloadTemplate?: string;
}

/** Checks the format, event type and template (throws 'invalid-input' naming the field) and returns the body factory. */
export function messageMaker(o: MessageOptions): MessageMaker {
  const format = o.format ?? 'oslo';
  if (format !== 'oslo' && format !== 'json' && format !== 'text') { throw invalidInput(`The format "${String(format)}" is unknown`, 'Use oslo, json or text'); }
  const eventType = o.eventType ?? DEFAULT_EVENT_TYPE;
  if (format === 'oslo' && !eventType.trim()) { throw invalidInput('The event type is empty', `Use e.g. ${DEFAULT_EVENT_TYPE}`); }
  const template = o.payloadTemplate;
  if (template !== undefined && format !== 'text') {
    const sample = renderTemplate(template, 1);
    try {
      JSON.parse(sample);
    } catch (e) {
      throw invalidInput(`The payload template is not valid JSON after substituting {{seq}}, {{uuid}} and {{now}} (${(e as Error).message})`,
        'Quote string placeholders, e.g. {"instance_id": "{{uuid}}", "n": {{seq}}, "at": "{{now}}"}; nothing was published');
    }
  }
  const hasPlaceholders = template !== undefined && /\{\{(seq|uuid|now)\}\}/.test(template);
  const fixed = template !== undefined && !hasPlaceholders && format !== 'text' ? JSON.parse(template) as unknown : undefined;
  const payloadOf = (seq: number, now: number): unknown => {
    if (template === undefined) { return { seq }; }
    if (!hasPlaceholders) { return fixed; }
    return JSON.parse(renderTemplate(template, seq, new Date(now)));
  };
  if (format === 'oslo') {
    const publisherId = o.publisherId ?? DEFAULT_PUBLISHER_ID;
    const priority = o.priority ?? 'INFO';
    if (!hasPlaceholders && fixed !== null) { return osloEnvelopeWriter(publisherId, eventType, priority, template === undefined ? undefined : JSON.stringify(fixed)); }
    return (seq, id, now) => encodeBuffer(makeNotification({
      message_id: id, event_type: eventType, publisher_id: publisherId, priority, payload: payloadOf(seq, now),
      timestamp: osloTimestamp(new Date(now)),
    }));
  }
  if (format === 'json') {
    if (template === undefined) { return (seq, id) => Buffer.from(JSON.stringify({ message_id: id, seq })); }
    return (seq, _id, now) => Buffer.from(renderTemplate(template, seq, new Date(now)));
  }
  const text = template ?? 'test notification {{seq}}';
  return (seq, _id, now) => Buffer.from(renderTemplate(text, seq, new Date(now)));
}
