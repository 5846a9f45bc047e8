/** Export of the panel's numbers: JSON (everything) or CSV (one row per pool and per worker). Pure, vscode-free. */
import type { AuditView, PanelSelection, PoolRow, RatePoint } from './panelProtocol';

export interface ExportData {
  selection: PanelSelection;
  pools: PoolRow[];
  history: RatePoint[];
  audit?: AuditView;
  exportedAt: number;
}

export function toJson(d: ExportData): string {
  return JSON.stringify({
    exportedAt: new Date(d.exportedAt).toISOString(),
    broker: d.selection.broker, vhost: d.selection.vhost, exchange: d.selection.exchange, routingKey: d.selection.routingKey,
    pools: d.pools.map((p) => ({
      name: p.name, exact: !p.approximate, source: p.source, workers: p.workers, delivered: p.delivered, acked: p.acked,
      redelivered: p.redelivered, duplicates: p.duplicates ?? null, ratePerSecond: p.ratePerSecond, ready: p.ready ?? null,
      unacked: p.unacked ?? null, at: new Date(p.at).toISOString(), spread: p.spread ?? null,
      workerCounts: p.workerCounts.map((w) => ({ name: w.name, delivered: w.delivered, state: w.state })), note: p.note ?? null,
    })),
    rates: d.history,
    audit: d.audit ?? null,
  }, null, 2) + '\n';
}

const CSV_COLUMNS = ['kind', 'pool', 'worker', 'source', 'workers', 'delivered', 'acked', 'redelivered', 'duplicates', 'messagesPerSecond',
  'ready', 'unacked', 'approximate', 'at'] as const;

/**
 * One CSV field (RFC 4180): quoted when it holds a quote, comma, CR or LF; quotes doubled. A text field that a
 * spreadsheet would run as a formula (=, +, -, @, tab, CR first) is prefixed with ' — pool names come from the broker.
 */
export function csvField(v: string | number | boolean | undefined | null): string {
  if (v === undefined || v === null) { return ''; }
  if (typeof v !== 'string') { return String(v); }
  let s = v;
  if (/^[=+\-@\t\r]/.test(s)) { s = `'${s}`; }
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function toCsv(d: ExportData): string {
  const lines = [CSV_COLUMNS.join(',')];
  for (const p of d.pools) {
    const at = new Date(p.at).toISOString();
    lines.push([
      'pool', p.name, '', p.source, p.workers, p.delivered, p.acked, p.redelivered, p.duplicates, p.ratePerSecond, p.ready, p.unacked, p.approximate, at,
    ].map(csvField).join(','));
    for (const w of p.workerCounts) {
      lines.push(['worker', p.name, w.name, p.source, '', w.delivered, '', '', '', '', '', '', p.approximate, at].map(csvField).join(','));
    }
  }
  return lines.join('\r\n') + '\r\n';
}
