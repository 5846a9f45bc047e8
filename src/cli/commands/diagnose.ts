import { Finding, KeyQuery, Severity, atLeast, findingJson, runDiagnose } from '../../broker/diagnose';
import { plural } from '../../broker/text';
import { UsageError, intFlag, numberFlag, stringFlag } from '../args';
import type { CliCommand } from '../context';
import { safe, table } from '../output';
import { HEALTH_THRESHOLD_FLAGS, healthThresholdFlags } from './health';

/** "nova:notifications.info" → {exchange, routingKey}. Split at the first ":" (routing keys may hold ":"). */
export function parseKeyFlag(v: string): KeyQuery {
  const i = v.indexOf(':');
  if (i < 0) { throw new UsageError(`--key "${v}" is not of the form EXCHANGE:ROUTING_KEY`, 'Write e.g. --key nova:notifications.info (":key" for the default exchange)'); }
  return { exchange: v.slice(0, i), routingKey: v.slice(i + 1) };
}

function failOnFlag(v: string | undefined): Severity | undefined {
  if (v === undefined) { return undefined; }
  if (v !== 'error' && v !== 'warning' && v !== 'info') {
    throw new UsageError(`--fail-on must be error, warning or info, got "${v}"`, 'Use --fail-on warning to fail CI on warnings and errors');
  }
  return v;
}

export const diagnoseCommand: CliCommand = {
  name: 'diagnose',
  summary: 'findings: applications sharing a pool, pools without workers, the unconsumed oslo default queue, unroutable keys, prefetch/ack problems',
  flags: {
    key: { type: 'list', valueName: 'EXCHANGE:KEY', description: 'a routing key you publish with (repeatable): reported when it reaches no pool' },
    'sample-seconds': { type: 'string', valueName: 'S', description: 'sample twice, S seconds apart, to see queues grow and per-worker spread (management stats refresh every 5 s: use ≥ 6)' },
    backlog: { type: 'string', valueName: 'N', description: 'report a bound pool without workers once it holds N messages, growing or not (default 1000)' },
    upgrade: { type: 'boolean', description: 'also what breaks or stops working on RabbitMQ 4.x: transient non-exclusive queues, classic mirroring policies, x-queue-mode / x-queue-version 1, global QoS, and the deprecated features the broker (3.13+) says are in use' },
    'fail-on': { type: 'string', valueName: 'SEVERITY', description: 'exit 1 when a finding at or above this severity exists (for CI); without it, findings still exit 0' },
    ...HEALTH_THRESHOLD_FLAGS,
  },
  async run(ctx) {
    const f = ctx.args.flags;
    if (ctx.args.positionals.length) { throw new UsageError(`diagnose takes no arguments, got "${ctx.args.positionals.join(' ')}"`); }
    const keys = ((f.key as string[] | undefined) ?? []).map(parseKeyFlag);
    const sampleSeconds = numberFlag(f, 'sample-seconds', 0, 0, 3600) ?? 0;
    const backlog = intFlag(f, 'backlog', undefined, 1, Number.MAX_SAFE_INTEGER);
    const failOn = failOnFlag(stringFlag(f, 'fail-on'));
    const { vhost } = ctx.broker();
    const r = await runDiagnose(ctx.client(), vhost, {
      keys, sampleSeconds, signal: ctx.signal, upgrade: f.upgrade === true, thresholds: backlog !== undefined ? { backlogMessages: backlog } : undefined,
      health: healthThresholdFlags(f),
    });
    const failed = failOn !== undefined && r.findings.some((x) => atLeast(x.severity, failOn));
    if (ctx.json) {
      ctx.io.out(JSON.stringify({ vhost, sampledSeconds: r.sampledSeconds, findings: r.findings.map(findingJson) }) + '\n');
    } else {
      ctx.io.out(humanReport(vhost, r.findings, r.topology.pools.length, r.sampledSeconds));
    }
    return failed ? 1 : 0;
  },
};

function humanReport(vhost: string, findings: Finding[], pools: number, sampled: number): string {
  const window = sampled ? `, sampled over ${sampled} s` : '';
  if (findings.length === 0) { return `vhost ${safe(vhost)}: ${pools} pools, no findings${window}.\n`; }
  const counts = (['error', 'warning', 'info'] as const).map((s) => [s, findings.filter((x) => x.severity === s).length] as const).filter(([, n]) => n > 0);
  let out = `vhost ${safe(vhost)}: ${pools} pools, ${counts.map(([s, n]) => plural(n, s)).join(', ')}${window}\n\n`;
  out += table(['#', 'SEVERITY', 'KIND', 'POOL', 'WHAT HAPPENS'], findings.map((x, i) => [
    i + 1, x.severity.toUpperCase(), x.kind, safe(x.pool ?? (x.exchange !== undefined ? `${x.exchange}:${x.routingKey ?? ''}` : '')), safe(x.message),
  ]));
  out += '\nWhat to do:\n' + findings.map((x, i) => `  ${i + 1}. ${safe(x.action)}\n`).join('');
  return out;
}
