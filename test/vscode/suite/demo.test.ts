/**
 * The demo inside a real VS Code extension host against the real broker: Start Demo runs the demo's local pools in the
 * extension's LocalPools (the tree marks them local with live counts) and reveals its exchange; Stop Demo removes the
 * vhost, with a pool the user started in it; the demo ends by itself when its vhost is deleted from outside
 * (`rmq-pools demo down`); two starts at once give one demo; what deactivate() does (VS Code closing) removes it too.
 */
import * as assert from 'assert';
import { randomBytes } from 'crypto';
import * as vscode from 'vscode';
import { brokerConfig } from '../../../src/broker/connection';
import { DemoSummary, removeDemo } from '../../../src/broker/demo';
import { BrokerError } from '../../../src/broker/errors';
import { ManagementClient } from '../../../src/broker/management';
import type { StartDemoResult } from '../../../src/commands/demo/startDemo';
import { Commands, ContextValues, EXTENSION_ID } from '../../../src/constants';
import type { ExtensionApi } from '../../../src/extension';
import { AMQP_URL, MANAGEMENT_URL, until } from '../../support/broker';

const BROKER = 'demo-test-local';

type Node = { id: string };

describe('The demo in the extension host', function () {
  this.timeout(120_000);
  let api: ExtensionApi;
  let previousBrokers: unknown;
  const vhost = `rmqp-test-exthost-demo-${randomBytes(4).toString('hex')}`;
  const client = new ManagementClient(brokerConfig({ amqpUrl: AMQP_URL, managementUrl: MANAGEMENT_URL }));
  const config = () => vscode.workspace.getConfiguration('rabbitmqPools');
  const tree = () => api.services.tree;
  const item = (n: Node) => tree().getTreeItem(n as never);
  const label = (n: Node) => { const l = item(n).label; return typeof l === 'string' ? l : l?.label ?? ''; };
  const local = () => api.services.localPools.list().filter((e) => e.vhost === vhost).map((e) => `${e.pool.name}×${e.pool.workerNames.length}`).sort();
  const vhostExists = () => client.vhost(vhost).then(() => true, (e: unknown) => { if (e instanceof BrokerError && e.kind === 'not-found') { return false; } throw e; });
  const start = () => vscode.commands.executeCommand<StartDemoResult>(Commands.startDemo, { broker: BROKER, vhost, ratePerSecond: 10 });

  async function child(parent: Node | undefined, text: string): Promise<Node> {
    const c = (await tree().getChildren(parent as never)) as Node[];
    const found = c.find((n) => label(n) === text);
    assert.ok(found, `no "${text}" under ${parent?.id ?? 'the root'}; found: ${c.map(label).join(' | ')}`);
    return found;
  }

  before(async () => {
    api = await vscode.extensions.getExtension<ExtensionApi>(EXTENSION_ID)!.activate();
    await config().update('refreshSeconds', 0, vscode.ConfigurationTarget.Global);
    previousBrokers = config().inspect('brokers')?.globalValue;
    const amqpUrl = AMQP_URL.replace(/\/\/([^:@/]*)(:[^@/]*)?@/, '//$1@');
    await config().update('brokers', [{ name: BROKER, amqpUrl, managementUrl: MANAGEMENT_URL, vhost }], vscode.ConfigurationTarget.Global);
  });

  after(async () => {
    await vscode.commands.executeCommand(Commands.stopDemo, { quiet: true });
    await config().update('brokers', previousBrokers, vscode.ConfigurationTarget.Global);
    await config().update('refreshSeconds', undefined, vscode.ConfigurationTarget.Global);
    await client.deleteVhost(vhost).catch(() => undefined);
    client.dispose();
  });

  it('Start Demo: local pools with live counts in the tree, the exchange revealed; Stop Demo removes it all', async () => {
    const r = await start();
    assert.ok(r, 'Start Demo returned its result');
    assert.deepEqual(r.pools, ['ceilometer', 'audit', 'monitoring', 'notifications.info']);
    assert.strictEqual(r.revealed, true);
    assert.deepEqual(local(), ['audit×1', 'ceilometer×3']);
    const selected = api.services.treeView.selection[0] as Node | undefined;
    assert.ok(selected && label(selected) === 'nova', `the exchange nova is revealed and selected (${selected && label(selected)})`);

    const key = await child(await child(await child(await child(await child(undefined, BROKER), vhost), 'Exchanges'), 'nova'), 'notifications.info');
    const pool = await child(key, 'ceilometer');
    assert.strictEqual(item(pool).contextValue, ContextValues.poolLocal);
    const count = () => Number(/3 local workers · ([\d,]+) delivered/.exec(String(tree().getTreeItem(pool as never).description))?.[1].replace(/,/g, '') ?? NaN);
    const first = await until(() => count() > 0 ? count() : undefined, 'ceilometer counting');
    await until(() => count() >= first + 5, 'ceilometer\'s count increasing');
    assert.notStrictEqual(item(await child(key, 'monitoring')).contextValue, ContextValues.poolLocal, 'the shared pool\'s applications are not local workers');

    // A pool the user starts in the demo's vhost goes with the demo.
    await vscode.commands.executeCommand(Commands.createPool, { broker: BROKER, vhost, exchange: 'nova', routingKey: 'notifications.info', pool: 'metering', workers: 2 });
    assert.deepEqual(local(), ['audit×1', 'ceilometer×3', 'metering×2']);

    const s = await vscode.commands.executeCommand<DemoSummary>(Commands.stopDemo, { quiet: true });
    assert.ok(s, 'Stop Demo returned its summary');
    assert.strictEqual(s.reason, 'stopped');
    assert.strictEqual(s.removed, true);
    assert.ok(s.published > 0);
    assert.deepEqual(local(), [], 'no local pool left in the demo vhost');
    assert.strictEqual(await vhostExists(), false, 'the vhost is gone');
    assert.strictEqual(await vscode.commands.executeCommand(Commands.stopDemo, { quiet: true }), undefined, 'nothing left to stop');
  });

  it('ends by itself when "rmq-pools demo down" deletes its vhost; deactivate removes a running demo', async () => {
    // Two starts at once (a double click): one demo, the other start refused.
    const both = await Promise.all([start(), start()]);
    assert.strictEqual(both.filter((r) => r !== undefined).length, 1, 'exactly one start went through');
    assert.deepEqual(local(), ['audit×1', 'ceilometer×3']);
    // What `rmq-pools demo down` does, from outside the extension.
    const down = await removeDemo(brokerConfig({ amqpUrl: AMQP_URL, managementUrl: MANAGEMENT_URL }), vhost);
    assert.strictEqual(down.removed, true);
    await until(() => local().length === 0, 'the demo\'s local pools stopped after its vhost went', 30_000);
    assert.strictEqual(await vscode.commands.executeCommand(Commands.stopDemo, { quiet: true }), undefined, 'the demo is no longer running');

    // Start again (a fresh vhost), then what deactivate() does when VS Code closes.
    const again = await start();
    assert.strictEqual(again.vhost, vhost);
    assert.strictEqual(await vhostExists(), true);
    await api.stopDemoOnExit();
    assert.deepEqual(local(), []);
    assert.strictEqual(await vhostExists(), false, 'closing VS Code removes the demo\'s vhost');
  });
});
