/**
 * A finding: what goes wrong with the listeners of a vhost and what to do about it; its kinds, severities, order and
 * the CLI contract's JSON shape. The rules that make findings are in diagnoseRules.ts, the runner in diagnose.ts.
 */

export type Severity = 'error' | 'warning' | 'info';

export const FINDING_KINDS = [
  'shared-pool', 'pool-without-workers', 'unconsumed-default-queue', 'unroutable-key',
  'no-prefetch', 'auto-ack-workers', 'single-active-consumer', 'lopsided-pool',
  'classic-pool-node-down', 'quorum-minority',
  // Upgrade findings (upgradeRules.ts): what breaks, or stops working, on RabbitMQ 4.x.
  'transient-nonexclusive-queue', 'classic-mirroring-policy', 'deprecated-queue-argument', 'global-qos', 'deprecated-feature-used',
  // Dead letters (deadLetterRules.ts).
  'dead-letters-dropped', 'dead-letter-cycle',
  // Pool health (healthRules.ts): who is stuck, whether a pool keeps up.
  'stalled-worker', 'slow-worker', 'pool-falling-behind', 'consumer-timeout-risk',
] as const;
export type FindingKind = typeof FINDING_KINDS[number];

export interface Finding {
  kind: FindingKind;
  severity: Severity;
  /** The pool (queue) concerned; absent for exchange-level findings (unroutable-key). */
  pool?: string;
  exchange?: string;
  routingKey?: string;
  /** Consumer tags of the workers concerned. */
  workers?: string[];
  /** Applications concerned (shared-pool), as topology's applicationsOf() gives them. */
  applications?: string[];
  /** What happens, in one or two sentences. */
  message: string;
  /** What to do. */
  action: string;
  /** Upgrade findings (upgradeRules.ts): the RabbitMQ version from which it breaks or stops working ("4.0", "4.3"). */
  breaksIn?: string;
}

/** The upgrade findings' kinds (upgradeRules.ts): the Findings view groups them apart as "Upgrade to RabbitMQ 4.x". */
export const UPGRADE_KINDS: readonly FindingKind[] = ['transient-nonexclusive-queue', 'classic-mirroring-policy', 'deprecated-queue-argument', 'global-qos', 'deprecated-feature-used'];

export function isUpgradeFinding(f: Pick<Finding, 'kind'>): boolean {
  return UPGRADE_KINDS.includes(f.kind);
}

const SEVERITY_RANK: Record<Severity, number> = { error: 0, warning: 1, info: 2 };

export function severityRank(s: Severity): number { return SEVERITY_RANK[s]; }

/** True when a finding of severity `s` is at or above `threshold` (error > warning > info). */
export function atLeast(s: Severity, threshold: Severity): boolean { return SEVERITY_RANK[s] <= SEVERITY_RANK[threshold]; }

/** By severity, then kind, pool, exchange and routing key. */
export function sortFindings(fs: Finding[]): Finding[] {
  return [...fs].sort((a, b) => SEVERITY_RANK[a.severity] - SEVERITY_RANK[b.severity] || a.kind.localeCompare(b.kind) ||
    (a.pool ?? '').localeCompare(b.pool ?? '') || (a.exchange ?? '').localeCompare(b.exchange ?? '') || (a.routingKey ?? '').localeCompare(b.routingKey ?? ''));
}

/** The CLI contract's JSON shape: `pool` always present (null for exchange-level findings). */
export function findingJson(f: Finding) {
  return {
    kind: f.kind, severity: f.severity, pool: f.pool ?? null, message: f.message, action: f.action,
    ...(f.exchange !== undefined ? { exchange: f.exchange } : {}),
    ...(f.routingKey !== undefined ? { routingKey: f.routingKey } : {}),
    ...(f.workers ? { workers: f.workers } : {}),
    ...(f.applications ? { applications: f.applications } : {}),
    ...(f.breaksIn !== undefined ? { breaksIn: f.breaksIn } : {}),
  };
}
