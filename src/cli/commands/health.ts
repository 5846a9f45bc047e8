import { findingJson, atLeast, Severity } from '../../broker/findings';
import { DEFAULT_HEALTH_THRESHOLDS, HealthReport, HealthThresholds, durationWords, healthJson, runHealth } from '../../broker/health';
import { MaintenanceVerdict, checkNodeMaintenance, maintenanceText } from '../../broker/maintenance';
import { UsageError, numberFlag, stringFlag } from '../args';
import type { CliCommand } from '../context';
import { safe, table } from '../output';

function failOnFlag(v: string | undefined): Severity | undefined {
  if (v === undefined) { return undefined; }
  if (v !== 'error' && v !== 'warning') {
    throw new UsageError(`--fail-on must be error or warning, got "${v}"`, 'Use --fail-on error to fail CI on stalled workers, --fail-on warning also on slow workers and growing pools');
  }
  return v;
}

/** --stalled-after, --consumer-timeout, --window: the health thresholds as flags (shared with diagnose). */
export function healthThresholdFlags(f: Record<string, unknown>): Partial<HealthThresholds> {
  const fl = f as Parameters<typeof numberFlag>[0];
  const out: Partial<HealthThresholds> = {};
  const s = numberFlag(fl, 'stalled-after', undefined, 1, 86_400);
  if (s !== undefined) { out.stalledAfterSeconds = s; }
  const c = numberFlag(fl, 'consumer-timeout', undefined, 1, 7 * 86_400);
  if (c !== undefined) { out.consumerTimeoutSeconds = c; }
  const w = numberFlag(fl, 'window', undefined, 5, 600);
  if (w !== undefined) { out.windowSeconds = w; }
  return out;
}

export const HEALTH_THRESHOLD_FLAGS = {
  'stalled-after': { type: 'string', valueName: 'S', description: `a worker holding unacked messages that acked nothing for S seconds while its pool has messages waiting is stalled (default ${DEFAULT_HEALTH_THRESHOLDS.stalledAfterSeconds})` },
  'consumer-timeout': { type: 'string', valueName: 'S', description: 'the broker\'s consumer_timeout in seconds, which the management API does not show (default 1800, RabbitMQ\'s); warn at 80 % of it' },
} as const;

const dash = (v: number | null, unit = '') => (v === null ? '-' : `${Math.round(v * 10) / 10}${unit}`);

export const healthCommand: CliCommand = {
  name: 'health',
  summary: 'per pool: capacity, backlog trend, drain time or growth, oldest message; per worker: unacked/prefetch, ack rate, last ack, state; --node: can that node go down',
  flags: {
    pool: { type: 'string', valueName: 'NAME', description: 'only this pool (queue)' },
    node: { type: 'string', valueName: 'NODE', description: 'instead: what stopping this cluster node would do (pools that stop, quorum pools losing the majority, workers dropped); exit 1 when not safe' },
    ...HEALTH_THRESHOLD_FLAGS,
    window: { type: 'string', valueName: 'S', description: `rates and trends over the last S seconds of the broker's samples (default ${DEFAULT_HEALTH_THRESHOLDS.windowSeconds})` },
    'sample-seconds': { type: 'string', valueName: 'S', description: 'rates need two samples: read again after S seconds, one statistics interval (default 5; 0 = read once, from the broker\'s own sample history)' },
    'fail-on': { type: 'string', valueName: 'SEVERITY', description: 'exit 1 when a finding at or above error or warning exists (for CI)' },
  },
  async run(ctx) {
    const f = ctx.args.flags;
    if (ctx.args.positionals.length) { throw new UsageError(`health takes no arguments, got "${ctx.args.positionals.join(' ')}"`, 'Name a pool with --pool NAME'); }
    const pool = stringFlag(f, 'pool');
    if (pool !== undefined && !pool) { throw new UsageError('--pool is empty', 'Give a queue name, e.g. --pool notifications.info'); }
    const node = stringFlag(f, 'node');
    if (node !== undefined && !node) { throw new UsageError('--node is empty', 'Give a cluster node name, e.g. --node rabbit@host1'); }
    const failOn = failOnFlag(stringFlag(f, 'fail-on'));
    const thresholds = healthThresholdFlags(f);
    const sampleSeconds = numberFlag(f, 'sample-seconds', 5, 0, 600) ?? 5;
    const { vhost } = ctx.broker();
    if (node !== undefined) {
      const v = await checkNodeMaintenance(ctx.client(), vhost, node);
      ctx.io.out(ctx.json ? JSON.stringify(v) + '\n' : maintenanceReport(v));
      return v.safe ? 0 : 1;
    }
    if (!ctx.json && sampleSeconds > 0) { ctx.io.err(`Reading twice, ${sampleSeconds} s apart (the management API refreshes its statistics every ~5 s)…\n`); }
    const r = await runHealth(ctx.client(), vhost, { pool, sampleSeconds, thresholds, signal: ctx.signal });
    const failed = failOn !== undefined && r.findings.some((x) => atLeast(x.severity, failOn));
    ctx.io.out(ctx.json ? JSON.stringify(healthJson(r, findingJson)) + '\n' : humanReport(r));
    return failed ? 1 : 0;
  },
};

function humanReport(r: HealthReport): string {
  let out = `vhost ${safe(r.vhost)}: ${r.pools.length} pool${r.pools.length === 1 ? '' : 's'}. ${r.note}\n\n`;
  out += table(['POOL', 'CAPACITY', 'READY', 'UNACKED', 'IN/S', 'ACK/S', 'VERDICT', 'OLDEST'], r.pools.map((p) => [
    safe(p.name), p.capacity === null ? '-' : `${Math.round(p.capacity * 100)} %`, p.ready, p.unacked, dash(p.publishRate), dash(p.ackRate), p.verdict,
    p.oldestAgeSeconds === null ? (p.ready ? 'unknown' : '-') : durationWords(p.oldestAgeSeconds),
  ]));
  const workers = r.pools.flatMap((p) => p.workers.map((w) => ({ p, w })));
  if (workers.length) {
    out += '\n' + table(['POOL', 'WORKER', 'APPLICATION', 'STATE', 'UNACKED/PREFETCH', 'ACK/S', 'LAST ACK', 'NODE'], workers.map(({ p, w }) => [
      safe(p.name), safe(w.consumerTag), safe(w.application), w.state.toUpperCase(), `${w.unacked ?? '-'}/${w.prefetch ?? '∞'}`, dash(w.ackRate),
      w.lastAckSecondsAgo === null ? 'never/unknown' : `≥ ${durationWords(w.lastAckSecondsAgo)} ago`, safe(w.node ?? '-'),
    ]));
  }
  if (r.findings.length) {
    out += '\n' + r.findings.map((x, i) => `${i + 1}. ${x.severity.toUpperCase()} ${x.kind} ${safe(x.pool ?? '')}: ${safe(x.message)}\n   What to do: ${safe(x.action)}\n`).join('');
  } else {
    out += '\nNo health findings.\n';
  }
  return out;
}

function maintenanceReport(v: MaintenanceVerdict): string {
  return maintenanceText(v, safe);
}
