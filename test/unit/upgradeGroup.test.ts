/**
 * The upgrade findings as the Findings view groups them ("Upgrade to RabbitMQ 4.x") and the CLI prints them: every kind the
 * upgrade rules produce is an upgrade kind, each names the version where it breaks (the deprecated-features API's own
 * findings name their phase instead), and the JSON carries it.
 */
import * as assert from 'node:assert/strict';
import { UPGRADE_KINDS, findingJson, isUpgradeFinding } from '../../src/broker/findings';
import type { ApiQueue } from '../../src/broker/management';
import { buildTopology } from '../../src/broker/topology';
import { upgradeFindings } from '../../src/broker/upgradeRules';

const V = 'v';
const queue = (q: Partial<ApiQueue> & { name: string }): ApiQueue => ({ vhost: V, durable: true, exclusive: false, auto_delete: false, arguments: {}, type: 'classic', ...q });
const pools = buildTopology({
  vhost: V, exchanges: [], bindings: [], connections: [],
  queues: [
    queue({ name: 'ceilometer', durable: false, policy: 'ha-all', effective_policy_definition: { 'ha-mode': 'all' } }),
    queue({ name: 'lazy', arguments: { 'x-queue-mode': 'lazy' } }),
    queue({ name: 'legacy' }),
  ],
  consumers: [{ consumer_tag: 't1', queue: { name: 'legacy', vhost: V }, channel_details: { name: 'ch1', connection_name: 'c1' } }],
}).pools;
const all = upgradeFindings({
  pools, channels: [{ name: 'ch1', global_prefetch_count: 5 }],
  deprecatedUsed: [{ name: 'transient_nonexcl_queues', deprecation_phase: 'denied_by_default', desc: 'Transient non-exclusive queues' }],
});

describe('upgrade findings: the "Upgrade to RabbitMQ 4.x" group', () => {
  it('every kind produced is an upgrade kind; the severity groups keep the others', () => {
    assert.deepEqual([...new Set(all.map((f) => f.kind))].sort(), [...UPGRADE_KINDS].sort());
    assert.ok(all.every(isUpgradeFinding));
    assert.equal(isUpgradeFinding({ kind: 'shared-pool' }), false);
    assert.equal(isUpgradeFinding({ kind: 'quorum-minority' }), false);
  });

  it('each rule finding names the version where it breaks: mirroring 4.0, the rest 4.3 (release-notes/4.0.1.md, 4.3.0.md)', () => {
    const by = Object.fromEntries(all.map((f) => [f.kind, f.breaksIn]));
    assert.deepEqual(by, {
      'classic-mirroring-policy': '4.0', 'transient-nonexclusive-queue': '4.3', 'deprecated-queue-argument': '4.3', 'global-qos': '4.3',
      'deprecated-feature-used': undefined,
    });
    for (const f of all.filter((x) => x.breaksIn)) { assert.match(f.message, new RegExp(`RabbitMQ ${f.breaksIn!.replace('.', '\\.')}`), f.kind); }
  });

  it('the CLI JSON carries breaksIn where there is one', () => {
    const t = all.find((f) => f.kind === 'transient-nonexclusive-queue')!;
    assert.equal(findingJson(t).breaksIn, '4.3');
    assert.ok(!('breaksIn' in findingJson(all.find((f) => f.kind === 'deprecated-feature-used')!)));
  });
});
