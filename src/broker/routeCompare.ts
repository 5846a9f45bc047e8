/**
 * "Publish one and compare": one mandatory test notification (publisher confirms), then where it really went, per pool:
 *  - a pool without consumers: its depth (AMQP checkQueue) before and after: exact, unless someone else publishes meanwhile;
 *  - a pool with local workers: their delivered count goes up: exact;
 *  - a pool with remote consumers: its management `message_stats.publish` counter goes up (lags by the statistics interval,
 *    ~5 s by default; absent with rates_mode = none → "unknown").
 * The broker's basic.return says "reached no pool" for certain. No vscode import: tests and the CLI could use it.
 */
import type * as amqp from 'amqplib';
import { randomUUID } from 'node:crypto';
import { amqpConnectArgs, BrokerConfig } from './connection';
import type { ManagementClient } from './management';
import { encodeBuffer, makeNotification } from './oslo';
import type { HeaderValue } from './routing';
import { loadAmqplib } from './recovering';
import { sleep } from './time';

export type Evidence = 'depth' | 'local' | 'stats';

export interface RouteComparison {
  /** The broker returned the message: it reached no pool. */
  returned: boolean;
  reached: string[];
  notReached: string[];
  /** Pools whose delivery could not be observed (remote consumers without statistics, checks that failed). */
  unknown: string[];
  /** How each pool's answer was found. */
  evidence: Record<string, Evidence>;
  /** The preview and the broker agree on every pool that could be observed. */
  matches: boolean;
  /** Pools the preview named that the broker did not reach, and the other way round. */
  missed: string[];
  unexpected: string[];
  messageId: string;
}

export interface CompareOptions {
  exchange: string;
  routingKey: string;
  headers?: Record<string, HeaderValue>;
  predicted: readonly string[];
  /** The vhost's queues with their consumer counts (at most `maxQueues` are checked; predicted ones always). */
  queues: readonly { name: string; consumers?: number }[];
  /** A local pool's total deliveries, for pools with local workers. */
  localDelivered?: (queue: string) => number | undefined;
  statsTimeoutMs?: number;
  maxQueues?: number;
}

export async function publishAndCompare(config: BrokerConfig, client: ManagementClient, o: CompareOptions): Promise<RouteComparison> {
  const max = o.maxQueues ?? 200;
  const predicted = new Set(o.predicted);
  const names = [...new Set([...o.predicted, ...o.queues.slice(0, max).map((q) => q.name)])];
  const { url, socketOptions } = amqpConnectArgs(config, 'rmq-pools:route-preview');
  const conn = await (await loadAmqplib()).connect(url, socketOptions);
  conn.on('error', () => undefined);
  const evidence: Record<string, Evidence> = {};
  const reached = new Set<string>();
  const notReached = new Set<string>();
  const unknown = new Set<string>();
  const messageId = randomUUID();
  try {
    // checkQueue on a queue that vanished closes the channel: open another one then.
    let ch: amqp.Channel | undefined;
    const check = async (q: string) => {
      try {
        if (!ch) {
          ch = await conn.createChannel();
          ch.on('error', () => undefined);
        }
        return await ch.checkQueue(q);
      } catch {
        ch = undefined;
        return undefined;
      }
    };
    const before = new Map<string, { depth: number; consumers: number }>();
    for (const q of names) {
      const r = await check(q);
      if (r) { before.set(q, { depth: r.messageCount, consumers: r.consumerCount }); } else { unknown.add(q); }
    }
    const local = new Map<string, number>();
    const statsBefore = new Map<string, number | undefined>();
    for (const [q, b] of before) {
      if (b.consumers === 0) { continue; }
      const l = o.localDelivered?.(q);
      if (l !== undefined) { local.set(q, l); continue; }
      statsBefore.set(q, await publishCount(client, config.vhost, q));
    }

    const pub = await conn.createConfirmChannel();
    let returned = false;
    pub.on('return', (m: amqp.Message) => { if (m.properties.messageId === messageId) { returned = true; } });
    const body = encodeBuffer(makeNotification({ event_type: 'rmq_pools.route_preview', message_id: messageId, payload: { routePreview: true } }));
    pub.publish(o.exchange, o.routingKey, body, {
      mandatory: true, messageId, headers: o.headers, contentType: 'application/json', appId: 'rmq-pools', expiration: '60000',
    });
    await pub.waitForConfirms(); // basic.return comes before the confirm

    for (const [q, b] of before) {
      if (b.consumers > 0) { continue; }
      const r = await check(q);
      if (!r) { unknown.add(q); continue; }
      evidence[q] = 'depth';
      (r.messageCount > b.depth ? reached : notReached).add(q);
    }
    // Local workers count at once; give them a moment to receive.
    const deadlineLocal = Date.now() + 3000;
    for (const [q, n] of local) {
      evidence[q] = 'local';
      while ((o.localDelivered?.(q) ?? n) <= n && predicted.has(q) && Date.now() < deadlineLocal) { await sleep(50); }
      ((o.localDelivered?.(q) ?? n) > n ? reached : notReached).add(q);
    }
    // Statistics: wait until the predicted pools' counters moved (or the deadline), then read all once more.
    if (statsBefore.size) {
      const deadline = Date.now() + (o.statsTimeoutMs ?? 8000);
      const moved = async (q: string) => { const a = await publishCount(client, config.vhost, q); const b = statsBefore.get(q); return a !== undefined && (b ?? 0) < a; };
      const waitFor = [...statsBefore.keys()].filter((q) => predicted.has(q));
      while (waitFor.length && Date.now() < deadline) {
        const still: string[] = [];
        for (const q of waitFor) { if (!(await moved(q))) { still.push(q); } }
        if (!still.length) { break; }
        waitFor.splice(0, waitFor.length, ...still);
        await sleep(500);
      }
      for (const [q, b] of statsBefore) {
        const a = await publishCount(client, config.vhost, q);
        if (a === undefined) { unknown.add(q); continue; }
        evidence[q] = 'stats';
        (a > (b ?? 0) ? reached : notReached).add(q);
      }
    }
    await pub.close().catch(() => undefined);
    const missed = [...predicted].filter((q) => notReached.has(q));
    const unexpected = [...reached].filter((q) => !predicted.has(q));
    const matches = missed.length === 0 && unexpected.length === 0 && returned === (predicted.size === 0);
    return {
      returned, reached: [...reached].sort(), notReached: [...notReached].filter((q) => predicted.has(q) || evidence[q] !== undefined).sort(),
      unknown: [...unknown].sort(), evidence, matches, missed, unexpected, messageId,
    };
  } finally {
    await conn.close().catch(() => undefined);
  }
}

async function publishCount(client: ManagementClient, vhost: string, queue: string): Promise<number | undefined> {
  try {
    const q = await client.queue(vhost, queue, ['message_stats.publish']);
    return q.message_stats?.publish;
  } catch {
    return undefined;
  }
}
