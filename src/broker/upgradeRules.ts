/**
 * Upgrade findings: what works on today's broker and breaks, or silently stops working, on RabbitMQ 4.x. Each names the
 * version where it changes and the fix. Pure: the caller passes the pools (with their effective policy), the vhost's
 * channels and, where the broker has the API (3.13+), its own list of deprecated features in use.
 *
 * Sources of the version facts (checked against RabbitMQ's own notes and code):
 *  - transient non-exclusive queues denied by default from 4.3.0: rabbitmq-server GitHub release v4.3.0, "Deprecated
 *    Features are Now Disabled by Default" (rabbitmq/rabbitmq-server releases/tag/v4.3.0), and PR #17163 ("the deprecated
 *    `transient_nonexcl_queues` feature which moved to `denied_by_default` in 4.3.0"); the setting that permits it again is
 *    `deprecated_features.permit.transient_nonexcl_queues = true` (same notes).
 *  - classic queue mirroring removed in 4.0.0: release notes 4.0.0/4.0.1, "Classic Queues is Now a Non-Replicated Queue
 *    Type … all classic queue mirroring-related parts of policies will have no effect".
 *  - x-queue-mode (any value) and x-queue-version = 1 refused from 4.3.0: release-notes/4.3.0.md, "Classic Queues v1
 *    Storage (CQv1) is Removed".
 *  - global QoS denied by default from 4.3.0: rabbitmq-server PR #15460 "4.3: Mark global_qos as denied_by_default".
 *  - the deprecated features in use: `GET /api/deprecated-features/used` (RabbitMQ 3.13+, HTTP API reference).
 * Re-checked against rabbitmq-server tag v4.3.5 (commit 0dde27bf): release-notes/4.3.0.md "Deprecated Features are Now
 * Disabled by Default" (transient non-exclusive queues rejected; the permit key above), "Classic Queues v1 Storage (CQv1)
 * is Removed" (x-queue-mode any value, x-queue-version 1; "CQv2 … adopted as the default starting with 4.2.0") and
 * "Deprecated Features" (global_qos and transient_nonexcl_queues from permitted_by_default to denied_by_default);
 * release-notes/4.0.1.md "Classic Queues is Now a Non-Replicated Queue Type"; 3.13.0.md still recommends
 * `classic_queue.default_version = 2` (so v2 was not the default on 3.x); deps/rabbitmq_management/src/
 * rabbit_mgmt_wm_deprecated_features.erl serves /api/deprecated-features(/used) (absent on 3.12 and older: 404, or 406
 * when the request accepts only JSON, as the local 3.10.8 answers).
 */
import type { Finding, Severity } from './findings';
import type { ApiChannel, ApiDeprecatedFeature } from './management';

export type { ApiDeprecatedFeature };
import type { Pool } from './topology';

export type UpgradeFinding = Finding;

export interface UpgradeInput {
  pools: readonly Pool[];
  /** The vhost's channels (global_prefetch_count); absent: global QoS is not judged. */
  channels?: readonly ApiChannel[];
  /** What the broker says is in use (3.13+); undefined where the broker has no such API: then nothing is said of it. */
  deprecatedUsed?: readonly ApiDeprecatedFeature[];
}

const PERMIT_TRANSIENT = 'deprecated_features.permit.transient_nonexcl_queues = true';

function haKeys(definition: Record<string, unknown> | undefined): string[] {
  return Object.keys(definition ?? {}).filter((k) => k.startsWith('ha-')).sort();
}

/** "ha-mode: all, ha-sync-mode: automatic" */
function describeKeys(definition: Record<string, unknown>, keys: string[]): string {
  return keys.map((k) => `${k}: ${typeof definition[k] === 'string' ? definition[k] : JSON.stringify(definition[k])}`).join(', ');
}

export function upgradeFindings(i: UpgradeInput): UpgradeFinding[] {
  const out: UpgradeFinding[] = [];
  for (const p of i.pools) {
    const type = String(p.type);
    if (type === 'classic' && !p.durable && !p.exclusive) {
      out.push({
        kind: 'transient-nonexclusive-queue', severity: 'warning', pool: p.name, breaksIn: '4.3',
        message: `Pool "${p.name}" is a non-durable, non-exclusive queue: RabbitMQ 4.3 refuses to declare such queues by default (deprecated feature transient_nonexcl_queues), so whatever declares it (an oslo.messaging listener with amqp_durable_queues = false, its default) fails to start after the upgrade.`,
        action: `oslo.messaging: set [oslo_messaging_rabbit] amqp_durable_queues = true, or rabbit_quorum_queue = true, then delete the old non-durable queue once it is drained (a queue's durability cannot change in place). Other clients: declare the pool durable, or quorum. To keep it for now on 4.3: ${PERMIT_TRANSIENT} on every node.`,
      });
    }
    const policy = p.effectivePolicy ?? {};
    const ha = haKeys(policy);
    const haArg = p.arguments['x-ha-policy'];
    if (type === 'classic' && (ha.length || haArg !== undefined)) {
      const by = ha.length ? `policy "${p.policy ?? '?'}" (${describeKeys(policy, ha)})` : `the queue argument x-ha-policy = ${JSON.stringify(haArg)}`;
      out.push({
        kind: 'classic-mirroring-policy', severity: 'warning', pool: p.name, breaksIn: '4.0',
        message: `Pool "${p.name}" is mirrored by ${by}: classic queue mirroring was removed in RabbitMQ 4.0. There the ${ha.length ? 'policy\'s ha-* keys have' : 'argument has'} no effect and the pool lives on one node only: when that node goes down, its messages are unavailable and its workers stop getting any.`,
        action: `Pools that need replication: quorum queues (oslo.messaging: [oslo_messaging_rabbit] rabbit_quorum_queue = true). ${ha.length ? `Remove the ha-* keys from policy "${p.policy ?? '?'}"` : 'Drop the x-ha-policy argument'} so that nobody counts on mirroring.`,
      });
    }
    const deprecatedArgs: string[] = [];
    if (p.arguments['x-queue-mode'] !== undefined) { deprecatedArgs.push(`x-queue-mode = ${JSON.stringify(p.arguments['x-queue-mode'])}`); }
    const version = p.arguments['x-queue-version'];
    if (version === 1 || version === '1') { deprecatedArgs.push('x-queue-version = 1'); }
    if (deprecatedArgs.length) {
      out.push({
        kind: 'deprecated-queue-argument', severity: 'warning', pool: p.name, breaksIn: '4.3',
        message: `Pool "${p.name}" is declared with ${deprecatedArgs.join(' and ')}: RabbitMQ 4.3 removed classic queue storage v1 and refuses to declare a queue with x-queue-mode (any value) or x-queue-version = 1, so the declaring client fails after the upgrade (the existing queue keeps working).`,
        action: 'Declare the pool without x-queue-mode and without x-queue-version = 1 (storage version 2, the default from 4.2.0 and the only one from 4.3.0; on 3.13 set classic_queue.default_version = 2), and remove them from the code or configuration that declares it.',
      });
    }
  }
  out.push(...globalQos(i));
  for (const f of i.deprecatedUsed ?? []) {
    if (typeof f?.name !== 'string') { continue; }
    const phase = typeof f.deprecation_phase === 'string' ? f.deprecation_phase : 'deprecated';
    const severity: Severity = phase === 'permitted_by_default' ? 'info' : 'warning';
    out.push({
      kind: 'deprecated-feature-used', severity,
      message: `The broker reports the deprecated feature ${f.name} in use (${phase.replace(/_/g, ' ')})${f.desc ? `: ${f.desc}` : ''}.`,
      action: `See ${f.doc_url || 'https://www.rabbitmq.com/docs/deprecated-features'} for what replaces it before upgrading.`,
    });
  }
  return out;
}

/** Channels consuming from the vhost's pools with a global prefetch (basic.qos global = true). */
function globalQos(i: UpgradeInput): UpgradeFinding[] {
  if (!i.channels) { return []; }
  const global = new Map(i.channels.filter((c) => typeof c?.name === 'string' && (c.global_prefetch_count ?? 0) > 0).map((c) => [c.name, c.global_prefetch_count ?? 0]));
  if (!global.size) { return []; }
  const out: UpgradeFinding[] = [];
  for (const p of i.pools) {
    const ws = p.workers.filter((w) => global.has(w.channel));
    if (!ws.length) { continue; }
    const apps = [...new Set(ws.map((w) => w.application))].sort();
    out.push({
      kind: 'global-qos', severity: 'warning', pool: p.name, breaksIn: '4.3', workers: ws.map((w) => w.id), applications: apps,
      message: `${ws.length === 1 ? 'A worker' : `${ws.length} workers`} of pool "${p.name}" (${apps.join(', ')}) consume on a channel with a global prefetch (basic.qos global = true, ${[...new Set(ws.map((w) => global.get(w.channel)))].join('/')}): RabbitMQ 4.3 refuses global QoS by default (deprecated feature global_qos), so the client's basic.qos fails there.`,
      action: 'Set the prefetch per consumer (basic.qos with global = false; amqplib: channel.prefetch(n) without the global flag).',
    });
  }
  return out;
}
