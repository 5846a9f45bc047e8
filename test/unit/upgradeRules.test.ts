import * as assert from 'node:assert/strict';
import type { ApiChannel, ApiConnection, ApiConsumer, ApiQueue } from '../../src/broker/management';
import { buildTopology, Pool } from '../../src/broker/topology';
import { upgradeFindings } from '../../src/broker/upgradeRules';

const V = 'v';
const queue = (q: Partial<ApiQueue> & { name: string }): ApiQueue => ({ vhost: V, durable: true, exclusive: false, auto_delete: false, arguments: {}, type: 'classic', ...q });
const pools = (qs: ApiQueue[], consumers: ApiConsumer[] = [], connections: ApiConnection[] = []): Pool[] =>
  buildTopology({ vhost: V, exchanges: [], queues: qs, bindings: [], consumers, connections }).pools;
const kinds = (fs: { kind: string; pool?: string }[]) => fs.map((f) => `${f.kind}:${f.pool ?? '-'}`).sort();

describe('upgrade findings (RabbitMQ 4.x)', () => {
  it('an OpenStack vhost: oslo\'s non-durable pools under the ha-all policy; a durable quorum pool has none', () => {
    const ha = { policy: 'ha-all', effective_policy_definition: { 'ha-mode': 'all', 'ha-sync-mode': 'automatic' } };
    const fs = upgradeFindings({ pools: pools([
      queue({ name: 'ceilometer', durable: false, ...ha }),
      queue({ name: 'notifications.info', durable: false, ...ha }),
      queue({ name: 'metering', type: 'quorum', arguments: { 'x-queue-type': 'quorum' } }),
      queue({ name: 'reply_abc', durable: false, exclusive: true, ...ha }),
    ]) });
    assert.deepEqual(kinds(fs), [
      'classic-mirroring-policy:ceilometer', 'classic-mirroring-policy:notifications.info', 'classic-mirroring-policy:reply_abc',
      'transient-nonexclusive-queue:ceilometer', 'transient-nonexclusive-queue:notifications.info',
    ]);
    const t = fs.find((f) => f.kind === 'transient-nonexclusive-queue')!;
    assert.match(t.message, /RabbitMQ 4\.3 refuses/);
    assert.match(t.action, /amqp_durable_queues = true/);
    assert.match(t.action, /rabbit_quorum_queue = true/);
    assert.match(t.action, /deprecated_features\.permit\.transient_nonexcl_queues = true/);
    const m = fs.find((f) => f.kind === 'classic-mirroring-policy')!;
    assert.match(m.message, /policy "ha-all" \(ha-mode: all, ha-sync-mode: automatic\)/);
    assert.match(m.message, /removed in RabbitMQ 4\.0/);
    assert.match(m.action, /quorum/);
  });

  it('x-ha-policy as a queue argument counts as mirroring; a policy without ha-* keys does not', () => {
    const fs = upgradeFindings({ pools: pools([
      queue({ name: 'old', arguments: { 'x-ha-policy': 'all' } }),
      queue({ name: 'ttl', policy: 'ttl', effective_policy_definition: { 'message-ttl': 60000 } }),
    ]) });
    assert.deepEqual(kinds(fs), ['classic-mirroring-policy:old']);
    assert.match(fs[0].message, /x-ha-policy = "all"/);
  });

  it('x-queue-mode (any value) and x-queue-version 1 are refused in 4.3; version 2 is fine', () => {
    const fs = upgradeFindings({ pools: pools([
      queue({ name: 'lazy', arguments: { 'x-queue-mode': 'lazy' } }),
      queue({ name: 'default-mode', arguments: { 'x-queue-mode': 'default' } }),
      queue({ name: 'v1', arguments: { 'x-queue-version': 1 } }),
      queue({ name: 'v2', arguments: { 'x-queue-version': 2 } }),
    ]) });
    assert.deepEqual(kinds(fs), ['deprecated-queue-argument:default-mode', 'deprecated-queue-argument:lazy', 'deprecated-queue-argument:v1']);
    assert.match(fs.find((f) => f.pool === 'lazy')!.message, /x-queue-mode = "lazy".*RabbitMQ 4\.3/);
  });

  it('global QoS: the workers on a channel with a global prefetch, named by application', () => {
    const conn: ApiConnection = { name: 'c1', user_provided_name: 'legacy-consumer' };
    const consumer = (tag: string, channel: string): ApiConsumer => ({ consumer_tag: tag, queue: { name: 'legacy', vhost: V }, channel_details: { name: channel, connection_name: 'c1' } });
    const channels: ApiChannel[] = [{ name: 'ch-global', global_prefetch_count: 50 }, { name: 'ch-plain', prefetch_count: 10, global_prefetch_count: 0 }];
    const ps = pools([queue({ name: 'legacy' })], [consumer('g1', 'ch-global'), consumer('p1', 'ch-plain')], [conn]);
    const fs = upgradeFindings({ pools: ps, channels });
    assert.deepEqual(kinds(fs), ['global-qos:legacy']);
    assert.deepEqual(fs[0].workers, ['g1']);
    assert.deepEqual(fs[0].applications, ['legacy-consumer']);
    assert.match(fs[0].message, /global prefetch .*50.*RabbitMQ 4\.3 refuses global QoS/);
    assert.deepEqual(upgradeFindings({ pools: ps }), [], 'without channels global QoS is not judged');
  });

  it('the broker\'s own list (3.13+) is reported; none where the broker has no such API', () => {
    const used = [{ name: 'transient_nonexcl_queues', deprecation_phase: 'permitted_by_default', desc: 'Transient non-exclusive queues', doc_url: 'https://www.rabbitmq.com/docs/deprecated-features' }];
    const fs = upgradeFindings({ pools: [], deprecatedUsed: used });
    assert.deepEqual(fs.map((f) => [f.kind, f.severity]), [['deprecated-feature-used', 'info']]);
    assert.match(fs[0].message, /transient_nonexcl_queues in use \(permitted by default\): Transient non-exclusive queues/);
    assert.deepEqual(upgradeFindings({ pools: [], deprecatedUsed: undefined }), []);
    assert.deepEqual(upgradeFindings({ pools: [], deprecatedUsed: [null as never, { desc: 'no name' }] }), [], 'garbage entries are skipped');
  });

  it('unknown queue types are left alone (streams, plugins), and broken API fields never throw', () => {
    const fs = upgradeFindings({ pools: pools([
      queue({ name: 's', type: 'stream', durable: true }),
      queue({ name: 'x', type: 'x-custom', durable: false }),
      { name: 'bare', vhost: V } as ApiQueue,
    ]) });
    assert.deepEqual(kinds(fs), ['transient-nonexclusive-queue:bare'], 'a queue the API says nothing of is classic and non-durable by default');
  });
});
