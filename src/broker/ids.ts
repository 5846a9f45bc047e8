/**
 * Message ids for test notifications: UUID version 7 (RFC 9562) — a 48-bit Unix time in ms, then random bits, written
 * like any UUID (`0190f3c2-7a1b-7c3d-9e4f-…`), so oslo.messaging consumers accept it as a `message_id` like the uuid4s
 * they make themselves. The publish time travels inside the id: a worker reads the latency from `messageId` alone,
 * without a header per message. A header table costs the broker a decode per message (it looks for CC/BCC); with
 * the old `x-rmqp-published-at` header the publisher ran at 84 % of a bare raw loop, without it at ≥ 90 % (BENCHMARKS.md,
 * figure 2). Workers still honour that header when another tool sends it.
 */
import { randomFillSync } from 'node:crypto';

const HEX: string[] = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));
const POOL_IDS = 256;
const pool = Buffer.alloc(16 * POOL_IDS);
let next = POOL_IDS;

/** A UUIDv7 string for the time `ms` (epoch milliseconds). */
export function uuidv7(ms: number = Date.now()): string {
  if (next === POOL_IDS) { randomFillSync(pool); next = 0; }
  const o = 16 * next++;
  const b = pool;
  // 48 bits of time, big-endian (2^48 ms reaches the year 10889).
  const t = Math.max(0, Math.floor(ms));
  const hi = Math.floor(t / 0x1000000);
  const lo = t % 0x1000000;
  b[o] = (hi >>> 16) & 0xff; b[o + 1] = (hi >>> 8) & 0xff; b[o + 2] = hi & 0xff;
  b[o + 3] = (lo >>> 16) & 0xff; b[o + 4] = (lo >>> 8) & 0xff; b[o + 5] = lo & 0xff;
  b[o + 6] = (b[o + 6] & 0x0f) | 0x70; // version 7
  b[o + 8] = (b[o + 8] & 0x3f) | 0x80; // variant 10
  return HEX[b[o]] + HEX[b[o + 1]] + HEX[b[o + 2]] + HEX[b[o + 3]] + '-' + HEX[b[o + 4]] + HEX[b[o + 5]] + '-'
    + HEX[b[o + 6]] + HEX[b[o + 7]] + '-' + HEX[b[o + 8]] + HEX[b[o + 9]] + '-'
    + HEX[b[o + 10]] + HEX[b[o + 11]] + HEX[b[o + 12]] + HEX[b[o + 13]] + HEX[b[o + 14]] + HEX[b[o + 15]];
}

const V7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/i;

/**
 * The time (epoch ms) inside a UUIDv7 message id, or undefined for anything else (uuid4s, free text, undefined).
 * Only plausible times count (2020 … now + 1 day), so a random id that happens to look like v7 is not read as one.
 */
export function timeOfUuidv7(id: unknown, now: number = Date.now()): number | undefined {
  if (typeof id !== 'string' || id.length !== 36 || id.charCodeAt(14) !== 0x37 /* '7' */ || !V7.test(id)) { return undefined; }
  const ms = parseInt(id.slice(0, 8), 16) * 0x10000 + parseInt(id.slice(9, 13), 16);
  return ms >= 1_577_836_800_000 && ms <= now + 86_400_000 ? ms : undefined;
}
