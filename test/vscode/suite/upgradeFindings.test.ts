/**
 * RabbitMQ 4.x upgrade findings in the Findings view, in a real extension host against the real broker: an OpenStack-style
 * vhost (the ha-all policy, a non-durable pool) checked with "Check Upgrade to RabbitMQ 4.x" gets an "Upgrade to RabbitMQ
 * 4.x" group whose items name the version where each breaks and the fix; a durable quorum pool gets none; Diagnose Pools
 * without the setting keeps them out; on this 3.10 broker nothing is said of the deprecated-features API (3.13+).
 */
import * as assert from 'assert';
import * as vscode from 'vscode';
import type { DiagnoseResult } from '../../../src/broker/diagnose';
import { Commands, EXTENSION_ID } from '../../../src/constants';
import type { ExtensionApi } from '../../../src/extension';
import { type FindingItem, UPGRADE_GROUP_LABEL } from '../../../src/tree/findingsView';
import { AMQP_URL, MANAGEMENT_URL, TestVhost, freshVhost, until } from '../../support/broker';

const BROKER = 'upgrade-findings';

describe('Upgrade to RabbitMQ 4.x in the Findings view', function () {
  this.timeout(90_000);
  let api: ExtensionApi;
  let v: TestVhost;
  let previousBrokers: unknown;
  const config = () => vscode.workspace.getConfiguration('rabbitmqPools');

  before(async () => {
    api = await vscode.extensions.getExtension<ExtensionApi>(EXTENSION_ID)!.activate();
    v = await freshVhost('vscode-upgrade');
    await v.client.request('PUT', `api/policies/${encodeURIComponent(v.name)}/ha-all`, { pattern: '^(?!amq\\.).*', definition: { 'ha-mode': 'all' }, 'apply-to': 'queues', priority: 0 });
    const ch = await (await v.connect('upgrade-setup')).createChannel();
    await ch.assertExchange('nova', 'topic', { durable: false });
    await ch.assertQueue('ceilometer', { durable: false });
    await ch.bindQueue('ceilometer', 'nova', 'notifications.info');
    await ch.assertQueue('metering', { durable: true, arguments: { 'x-queue-type': 'quorum' } });
    await ch.bindQueue('metering', 'nova', 'notifications.info');
    await until(async () => (await v.client.queues(v.name, ['name', 'policy'])).find((q) => q.name === 'ceilometer')?.policy === 'ha-all', 'the policy applied', 20_000, 250);
    previousBrokers = config().inspect('brokers')?.globalValue;
    const amqpUrl = AMQP_URL.replace(/\/\/([^:@/]*)(:[^@/]*)?@/, '//$1@');
    await config().update('brokers', [{ name: BROKER, amqpUrl, managementUrl: MANAGEMENT_URL, vhost: v.name }], vscode.ConfigurationTarget.Global);
  });

  after(async () => {
    await config().update('brokers', previousBrokers, vscode.ConfigurationTarget.Global);
    await v.cleanup();
  });

  it('Diagnose Pools alone (setting off) reports no upgrade finding', async () => {
    const r = await vscode.commands.executeCommand<DiagnoseResult>(Commands.diagnose, { broker: BROKER, vhost: v.name });
    assert.ok(r);
    assert.deepStrictEqual(r.findings.filter((f) => f.breaksIn !== undefined), []);
    assert.strictEqual(r.deprecatedFeaturesApi, undefined);
  });

  it('Check Upgrade: a group "Upgrade to RabbitMQ 4.x" naming the version and the fix, nothing for the quorum pool', async () => {
    const r = await vscode.commands.executeCommand<DiagnoseResult>(Commands.checkUpgrade, { broker: BROKER, vhost: v.name });
    assert.ok(r);
    const of = (kind: string) => r.findings.filter((f) => f.kind === kind);
    assert.deepStrictEqual(of('transient-nonexclusive-queue').map((f) => [f.pool, f.breaksIn]), [['ceilometer', '4.3']]);
    assert.deepStrictEqual(of('classic-mirroring-policy').map((f) => [f.pool, f.breaksIn]), [['ceilometer', '4.0']]);
    assert.ok(!r.findings.some((f) => f.pool === 'metering'), 'nothing for the durable quorum pool');
    // 3.10 has no GET /api/deprecated-features/used: nothing is said of it.
    assert.strictEqual(r.deprecatedFeaturesApi, false);
    assert.deepStrictEqual(of('deprecated-feature-used'), []);

    const view = api.services.findingsTree;
    const group = view.getChildren().find((g) => String(view.getTreeItem(g).label ?? '').startsWith(UPGRADE_GROUP_LABEL));
    assert.ok(group, 'the upgrade group');
    assert.strictEqual(view.getTreeItem(group).label, `${UPGRADE_GROUP_LABEL} (2)`);
    const items = view.getChildren(group) as FindingItem[];
    assert.deepStrictEqual(items.map((i) => i.finding.kind).sort(), ['classic-mirroring-policy', 'transient-nonexclusive-queue']);
    const transient = view.getTreeItem(items.find((i) => i.finding.kind === 'transient-nonexclusive-queue')!);
    assert.match(String(transient.description), /^breaks in 4\.3 · transient-nonexclusive-queue/);
    const tip = (transient.tooltip as vscode.MarkdownString).value;
    assert.match(tip, /RabbitMQ 4\\?\.3/);
    assert.match(tip, /amqp\\?_durable\\?_queues = true/);
    // The severity groups hold no upgrade finding: they are about today's broker.
    for (const g of view.getChildren().filter((x) => x !== group)) {
      assert.ok(!(view.getChildren(g) as FindingItem[]).some((i) => i.finding.breaksIn !== undefined && i.broker === BROKER));
    }
  });
});
