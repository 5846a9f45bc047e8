/**
 * Run Audit from the panel: publish N tagged test notifications and judge every pool of the selection. Unlike the core's
 * runAudit (which starts its own local pools, and would then steal messages from the pools already running), this counts
 * the pools that are ALREADY running locally, per message, through their onMessage hook; the other bound pools are judged
 * from management API deltas (approximate). vscode-free.
 */
import { randomUUID } from 'crypto';
import type { BrokerConfig } from '../broker/connection';
import { AuditPoolResult, AuditTally, approximateAuditResult } from '../broker/counts';
import type { LocalPoolEntry } from '../broker/localPools';
import type { Logger } from '../broker/logger';
import type { ApiQueue, ManagementClient } from '../broker/management';
import { NotificationPublisher, PublishProgress } from '../broker/publisher';
import { RUN_ID_HEADER } from '../broker/workers';
import type { AuditView } from './protocol';

export interface PanelAuditOptions {
  config: BrokerConfig;
  client: ManagementClient;
  exchange: string;
  routingKey: string;
  count: number;
  local: LocalPoolEntry[];
  /** Pools bound to the key that are not local (judged from the API). */
  remote: string[];
  signal?: AbortSignal;
  onProgress?: (p: PublishProgress) => void;
  deadlineMs?: number;
  log?: Logger;
}

export async function runPanelAudit(o: PanelAuditOptions): Promise<AuditView> {
  const runId = randomUUID();
  const t0 = Date.now();
  const expected = new Set<string>();
  const tallies = o.local.map((e) => ({ e, tally: new AuditTally(e.pool.name, e.pool.workerNames) }));
  const unhook = tallies.map(({ e, tally }) => e.pool.onMessage((d) => {
    if (d.messageId !== undefined && d.headers?.[RUN_ID_HEADER] === runId) { tally.record(d.worker, d.messageId, d.latencyMs ?? NaN); }
  }));
  const readRemote = async () => Promise.all(o.remote.map(async (name) => {
    try {
      const q = await o.client.get<ApiQueue>(`api/queues/${encodeURIComponent(o.config.vhost)}/${encodeURIComponent(name)}`, { columns: ['name', 'consumers', 'message_stats'] });
      return { name, deliverGet: q.message_stats?.deliver_get, consumers: q.consumers ?? 0 };
    } catch {
      return { name, deliverGet: undefined, consumers: 0 };
    }
  }));
  try {
    const before = await readRemote();
    const publisher = new NotificationPublisher(o.config, {
      exchange: o.exchange, routingKey: o.routingKey, count: o.count, runId, signal: o.signal, connectionName: 'rmq-pools:panel-audit',
      logger: o.log, onPublished: (id) => { expected.add(id); },
    });
    if (o.onProgress) { publisher.on('progress', o.onProgress); }
    const pub = await publisher.run();
    const routable = pub.unroutable >= expected.size ? 0 : expected.size;
    const deadline = Date.now() + (o.deadlineMs ?? 30_000);
    let timedOut = false;
    while (!o.signal?.aborted && routable > 0 && !tallies.every(({ tally }) => tally.complete(expected))) {
      if (Date.now() > deadline) { timedOut = true; break; }
      await sleep(50);
    }
    if (!timedOut && routable > 0 && tallies.length) { await sleep(100); }
    const results: AuditPoolResult[] = tallies.map(({ tally }) => tally.result(expected));
    if (o.remote.length) {
      // The API's counters lag ~5 s: poll a little for them to cover the run, without holding the panel for long.
      const until = Date.now() + Math.min(12_000, o.deadlineMs ?? 12_000);
      let after = await readRemote();
      const settled = () => after.every((a, i) => a.consumers === 0 || a.deliverGet === undefined || (a.deliverGet - (before[i].deliverGet ?? 0)) >= routable);
      while (!settled() && Date.now() < until && !o.signal?.aborted) { await sleep(1000); after = await readRemote(); }
      after.forEach((a, i) => {
        const b = before[i].deliverGet;
        results.push(approximateAuditResult(a.name, routable, a.deliverGet === undefined ? undefined : a.deliverGet - (b ?? 0), a.consumers));
      });
    }
    const cancelled = pub.cancelled || o.signal?.aborted === true;
    return {
      at: Date.now(), published: pub.published, confirmed: pub.confirmed, unroutable: pub.unroutable, seconds: Math.round((Date.now() - t0) / 100) / 10,
      ok: !cancelled && !timedOut && results.length > 0 && results.every((r) => r.exact && r.missing === 0 && r.duplicates === 0),
      cancelled, timedOut,
      pools: results.map((r) => ({
        name: r.name, received: r.received, missing: r.missing, duplicates: r.duplicates, exact: r.exact,
        latencyMs: { count: r.latencyMs.count, p50: r.latencyMs.p50, p95: r.latencyMs.p95, p99: r.latencyMs.p99 }, note: r.note,
      })),
    };
  } finally {
    for (const u of unhook) { u(); }
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
