import { AuditProgress, AuditReport, parsePoolSpecs, runAudit } from '../../broker/audit';
import { MAX_AUDIT_COUNT } from '../../broker/limits';
import { MAX_PREFETCH } from '../../broker/workers';
import { UsageError, intFlag, numberFlag, requireFlag, stringFlag } from '../args';
import { CliCommand, refuseIfReadOnly } from '../context';
import { safe, table } from '../output';

export const auditCommand: CliCommand = {
  name: 'audit',
  summary: 'publish N tagged notifications and check that every pool got each exactly once (exact with --pools, else approximate from the management API)',
  flags: {
    exchange: { type: 'string', required: true, valueName: 'X', description: 'exchange, e.g. nova' },
    key: { type: 'string', required: true, valueName: 'K', description: 'routing key, e.g. notifications.info' },
    count: { type: 'string', required: true, valueName: 'N', description: `notifications to publish (1–${MAX_AUDIT_COUNT})` },
    pools: { type: 'string', valueName: 'NAME:WORKERS,...', description: 'run these pools locally and count exactly, e.g. ceilometer:3,audit:1' },
    rate: { type: 'string', valueName: 'R', description: 'messages per second (default: full speed)' },
    'event-type': { type: 'string', valueName: 'T', description: 'oslo event_type (default compute.instance.create.end)' },
    prefetch: { type: 'string', valueName: 'N', description: 'prefetch of the local workers (default 10)' },
    deadline: { type: 'string', valueName: 'S', description: 'seconds to wait for deliveries after publishing (default 30, 45 without --pools)' },
  },
  async run(ctx) {
    refuseIfReadOnly(ctx, 'audit (it publishes)');
    const f = ctx.args.flags;
    if (ctx.args.positionals.length) { throw new UsageError(`Unexpected argument "${ctx.args.positionals[0]}"`); }
    const exchange = requireFlag(f, 'exchange', 'X');
    const routingKey = requireFlag(f, 'key', 'K');
    if (stringFlag(f, 'count') === undefined) { throw new UsageError('--count N is required'); }
    const count = intFlag(f, 'count', undefined, 1, MAX_AUDIT_COUNT) as number;
    const poolsText = stringFlag(f, 'pools');
    let pools;
    try {
      pools = poolsText === undefined ? undefined : parsePoolSpecs(poolsText);
    } catch (e) {
      throw new UsageError(`--pools: ${(e as Error).message}`, 'Write --pools NAME:WORKERS,…, e.g. --pools ceilometer:3,audit:1');
    }
    const rate = numberFlag(f, 'rate', undefined, 0.01, 1_000_000);
    const prefetch = intFlag(f, 'prefetch', 10, 1, MAX_PREFETCH);
    const deadline = numberFlag(f, 'deadline', undefined, 1, 24 * 3600);
    let last = 0;
    const onProgress = ctx.json ? undefined : (p: AuditProgress) => {
      const now = Date.now();
      if (now - last < 1000 && p.phase !== 'done') { return; }
      last = now;
      const rec = Object.entries(p.received).map(([n, v]) => `${n} ${v}`).join(', ');
      ctx.io.err(`${p.phase}: published ${p.publish?.published ?? 0}/${count}${rec ? `; received ${rec}` : ''}\n`);
    };
    const r = await runAudit(ctx.broker(), ctx.client(), {
      exchange, routingKey, count, pools, ratePerSecond: rate, prefetch, eventType: stringFlag(f, 'event-type'),
      deadlineMs: deadline === undefined ? undefined : deadline * 1000, signal: ctx.signal, onProgress,
    });
    if (ctx.json) {
      ctx.io.out(JSON.stringify(auditJson(r)) + '\n');
    } else {
      ctx.io.out(renderAudit(r));
    }
    const bad = r.pools.filter((p) => p.missing > 0 || p.duplicates > 0);
    if (r.cancelled) { ctx.io.err('rmq-pools audit: cancelled\n'); return 1; }
    if (r.pools.length === 0) {
      ctx.io.err(`rmq-pools audit: no pool is bound to "${safe(routingKey)}" on "${safe(exchange)}" (${r.unroutable} of ${r.published} came back unroutable). Run pools locally with --pools NAME:WORKERS\n`);
      return 1;
    }
    if (bad.length) {
      ctx.io.err(`rmq-pools audit: ${bad.map((p) => `${safe(p.name)} missing ${p.missing}, duplicated ${p.duplicates}${p.exact ? '' : ' (approximate)'}`).join('; ')}\n`);
      return 1;
    }
    return 0;
  },
};

export function auditJson(r: AuditReport) {
  return {
    runId: r.runId, exchange: r.exchange, routingKey: r.routingKey, published: r.published, confirmed: r.confirmed, unroutable: r.unroutable,
    seconds: r.seconds, publishSeconds: r.publishSeconds, ok: r.ok, timedOut: r.timedOut, cancelled: r.cancelled,
    pools: r.pools.map((p) => ({
      name: p.name, received: p.received, missing: p.missing, duplicates: p.duplicates, exact: p.exact,
      workers: p.workers, spread: p.spread, latencyMs: { p50: p.latencyMs.p50, p95: p.latencyMs.p95, p99: p.latencyMs.p99, max: p.latencyMs.max, count: p.latencyMs.count },
      ...(p.note ? { note: p.note } : {}),
    })),
    ...(r.notBound.length ? { notBound: r.notBound } : {}),
  };
}

function renderAudit(r: AuditReport): string {
  const rows = r.pools.map((p) => [
    safe(p.name), p.exact ? 'exact' : 'approx.', p.received, p.missing, p.duplicates, p.workers.map((w) => w.delivered).join('/') || '-',
    p.latencyMs.count ? `${p.latencyMs.p50}/${p.latencyMs.p95}/${p.latencyMs.p99}` : '-',
  ]);
  const notes = r.pools.filter((p) => p.note).map((p) => `  ${safe(p.name)}: ${p.note}\n`).join('');
  return `Audit ${r.runId}: ${r.published} published to ${safe(r.exchange)} / ${safe(r.routingKey)} (${r.confirmed} confirmed, ${r.unroutable} unroutable) in ${r.publishSeconds} s; ${r.ok ? 'every pool got every message exactly once' : r.timedOut ? 'the deadline passed' : 'see below'}\n`
    + table(['POOL', 'COUNTS', 'RECEIVED', 'MISSING', 'DUPLICATES', 'PER WORKER', 'LATENCY P50/P95/P99 MS'], rows) + notes;
}
