/**
 * RabbitMQ 4.x upgrade findings on an OpenStack-style vhost made by the real oslo.messaging client: the classic `ha-all`
 * policy of OpenStack install guides (pattern ^(?!amq\.).*, ha-mode all) and oslo's default non-durable pools. diagnose
 * must report classic-mirroring-policy and transient-nonexclusive-queue for exactly those pools, none for a durable quorum
 * pool beside them, and global-qos for a consumer that sets a global prefetch.
 */
import * as assert from 'node:assert/strict';
import { TestVhost, freshVhost, runCli, until } from '../support/broker';
import { startListener, stopAll } from './osloPeers';

interface FindingJson { kind: string; severity: string; pool: string | null; message: string; action: string; workers?: string[] }

describe('upgrade findings on an OpenStack-style vhost (real oslo.messaging)', function () {
  this.timeout(120_000);
  let vh: TestVhost;

  before(async () => {
    vh = await freshVhost('oslo-upgrade');
    await vh.client.request('PUT', `api/policies/${encodeURIComponent(vh.name)}/ha-all`, { pattern: '^(?!amq\\.).*', definition: { 'ha-mode': 'all' }, 'apply-to': 'all', priority: 0 });
    await Promise.all([startListener(vh.name, 'ceilometer-agent-notification', 'ceilometer'), startListener(vh.name, 'audit-listener', 'audit')]);
    const conn = await vh.connect('metering-qq');
    const ch = await conn.createChannel();
    await ch.assertQueue('metering', { durable: true, arguments: { 'x-queue-type': 'quorum' } });
    await ch.bindQueue('metering', 'nova', 'notifications.info');
    await ch.prefetch(10);
    await ch.consume('metering', (m) => m && ch.ack(m));
    const legacy = await (await vh.connect('legacy-global-qos')).createChannel();
    await legacy.assertQueue('legacy', { durable: true });
    await legacy.prefetch(20, true); // basic.qos global = true
    await legacy.consume('legacy', (m) => m && legacy.ack(m));
    // Policies apply a moment after the queues exist; the consumers' channels show in the API after a statistics interval.
    await until(async () => {
      const qs = await vh.client.queues(vh.name, ['name', 'policy']);
      const chs = await vh.client.channels(vh.name);
      return ['ceilometer', 'audit', 'legacy'].every((n) => qs.find((q) => q.name === n)?.policy === 'ha-all') && chs.some((c) => (c.global_prefetch_count ?? 0) > 0);
    }, 'the policy applied and the global-QoS channel listed', 30_000, 500);
  });

  after(async () => {
    await stopAll();
    await vh?.cleanup();
  });

  it('classic-mirroring-policy and transient-nonexclusive-queue for exactly oslo\'s pools (and the mirrored classic one), none for the quorum pool', async () => {
    const r = await runCli(['diagnose', '--upgrade', '--json', '--vhost', vh.name]);
    assert.equal(r.code, 0, r.stderr);
    const findings = (r.json as { findings: FindingJson[] }).findings;
    const of = (kind: string) => findings.filter((f) => f.kind === kind).map((f) => f.pool).sort();
    // oslo's pools (and the default queues its listeners bind for their priorities) are non-durable; "legacy" is durable.
    const osloQueues = (await vh.client.queues(vh.name, ['name', 'durable'])).filter((q) => !q.durable).map((q) => q.name).sort();
    assert.ok(osloQueues.includes('ceilometer') && osloQueues.includes('audit'), JSON.stringify(osloQueues));
    assert.deepEqual(of('transient-nonexclusive-queue'), osloQueues);
    assert.deepEqual(of('classic-mirroring-policy'), [...osloQueues, 'legacy'].sort());
    assert.ok(!findings.some((f) => f.pool === 'metering' && /mirroring|transient|deprecated|global/.test(f.kind)), 'nothing for the durable quorum pool');
    const m = findings.find((f) => f.kind === 'classic-mirroring-policy' && f.pool === 'ceilometer')!;
    assert.match(m.message, /policy "ha-all" \(ha-mode: all\).*removed in RabbitMQ 4\.0/);
    const t = findings.find((f) => f.kind === 'transient-nonexclusive-queue' && f.pool === 'ceilometer')!;
    assert.match(t.action, /\[oslo_messaging_rabbit\] amqp_durable_queues = true/);
  });

  it('global-qos for the consumer with a global prefetch, and only for it', async () => {
    const r = await runCli(['diagnose', '--upgrade', '--json', '--vhost', vh.name]);
    const g = (r.json as { findings: FindingJson[] }).findings.filter((f) => f.kind === 'global-qos');
    assert.deepEqual(g.map((f) => f.pool), ['legacy']);
    assert.match(g[0].message, /legacy-global-qos/);
  });

  it('says nothing of the deprecated-features API on a broker that does not have it (3.10 here)', async () => {
    const version = (await vh.client.overview()).rabbitmq_version ?? '';
    const r = await runCli(['diagnose', '--upgrade', '--json', '--vhost', vh.name]);
    const used = (r.json as { findings: FindingJson[] }).findings.filter((f) => f.kind === 'deprecated-feature-used');
    if (/^3\.(1[0-2]|[0-9])\./.test(version)) {
      assert.deepEqual(used, [], `RabbitMQ ${version} has no /api/deprecated-features/used`);
    } else {
      assert.ok(used.length > 0, `RabbitMQ ${version} reports transient_nonexcl_queues in use`);
    }
  });
});
