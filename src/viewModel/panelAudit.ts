/**
 * Run Audit from the panel is the core's runAudit (src/broker/audit.ts) over the pools already running locally (counted
 * exactly through their message hooks, left running) plus the other bound pools judged from management API deltas
 * (approximate). This file only turns its report into the panel's AuditView. vscode-free.
 */
import type { AuditReport } from '../broker/audit';
import type { AuditView } from './panelProtocol';

export function auditView(r: AuditReport, at = Date.now()): AuditView {
  return {
    at, published: r.published, confirmed: r.confirmed, unroutable: r.unroutable, seconds: r.seconds,
    ok: r.ok, cancelled: r.cancelled, timedOut: r.timedOut,
    pools: r.pools.map((p) => ({
      name: p.name, received: p.received, missing: p.missing, duplicates: p.duplicates, exact: p.exact,
      latencyMs: { count: p.latencyMs.count, p50: p.latencyMs.p50, p95: p.latencyMs.p95, p99: p.latencyMs.p99 }, note: p.note,
    })),
  };
}
