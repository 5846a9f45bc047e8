/**
 * Diagnose in the editor, inside a real VS Code extension host against the real broker: a pool consumed by two
 * applications gets a shared-pool error icon and tooltip in the Brokers tree (its workers too) and a finding in the
 * Findings view that reveals the pool; a healthy oslo-style layout gets none; Diagnose Pools fills the view on demand.
 */
import * as assert from 'assert';
import * as vscode from 'vscode';
import type { DiagnoseResult } from '../../../src/broker/diagnose';
import { Commands, ContextValues, EXTENSION_ID } from '../../../src/constants';
import type { ExtensionApi } from '../../../src/extension';
import type { FindingItem, SeverityGroup } from '../../../src/tree/findingsView';
import { AMQP_URL, MANAGEMENT_URL, TestVhost, freshVhost, until } from '../../support/broker';
import { treeAccess } from '../../support/tree';

type Node = { id: string };
const plainText = (md: string) => md.replace(/\\([\\`*_{}[\]()#+\-.!|~:$])/g, '$1').replace(/&#39;/g, "'").replace(/&quot;/g, '"')
  .replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
const BAD = 'findings-shared';
const OK = 'findings-healthy';
const KEY = 'notifications.info';

describe('Findings in the tree and the Findings view', function () {
  this.timeout(120_000);
  let api: ExtensionApi;
  let bad: TestVhost;
  let ok: TestVhost;
  let previousBrokers: unknown;
  const config = () => vscode.workspace.getConfiguration('rabbitmqPools');
  const { tree, kids, item, label, ctx } = treeAccess<Node>(() => api);
  /** The tooltip's text with the Markdown escapes undone (every value is escaped: model/text.ts). */
  const tip = (n: Node) => { const t = item(n).tooltip; return plainText(typeof t === 'string' ? t : t?.value ?? ''); };
  const icon = (n: Node) => (item(n).iconPath as vscode.ThemeIcon | undefined)?.id;

  async function child(parent: Node | undefined, text: string): Promise<Node> {
    const c = await kids(parent);
    const found = c.find((n) => label(n) === text);
    assert.ok(found, `no "${text}" under ${parent?.id ?? 'the root'}; found: ${c.map((n) => `${label(n)} [${ctx(n)}]`).join(' | ')}`);
    return found;
  }
  async function path(...labels: string[]): Promise<Node> {
    let n: Node | undefined;
    for (const l of labels) { n = await child(n, l); }
    return n!;
  }

  /** exchange nova; `layout`: pool → [application, workers][] consuming it with prefetch 10 and manual acks. */
  async function build(v: TestVhost, layout: Record<string, [string, number][]>): Promise<void> {
    const ch = await (await v.connect('findings-setup')).createChannel();
    await ch.assertExchange('nova', 'topic', { durable: true });
    let n = 0;
    for (const [pool, apps] of Object.entries(layout)) {
      await ch.assertQueue(pool, { durable: true });
      await ch.bindQueue(pool, 'nova', KEY);
      for (const [app, workers] of apps) {
        const conn = await v.connect(app);
        for (let i = 0; i < workers; i++) {
          const c = await conn.createChannel();
          await c.prefetch(10);
          await c.consume(pool, () => undefined, { consumerTag: `${app}-${i}` });
          n++;
        }
      }
    }
    await until(async () => (await v.client.consumers(v.name)).length === n, `${n} consumers in the management API`, 30_000);
  }

  before(async () => {
    api = await vscode.extensions.getExtension<ExtensionApi>(EXTENSION_ID)!.activate();
    await config().update('refreshSeconds', 0, vscode.ConfigurationTarget.Global);
    bad = await freshVhost('findings-bad');
    ok = await freshVhost('findings-ok');
    // The seed's failure: two applications (different connection_names) on one queue steal each other's messages.
    await build(bad, { ceilometer: [['ceilometer-agent-notification', 2], ['aodh-listener', 1]] });
    // The healthy oslo layout: each application its own pool on the same key.
    await build(ok, { ceilometer: [['ceilometer-agent-notification', 2]], audit: [['audit-logger', 1]], 'notifications.info': [['oslo-notifier', 1]] });
    previousBrokers = config().inspect('brokers')?.globalValue;
    const amqpUrl = AMQP_URL.replace(/\/\/([^:@/]*)(:[^@/]*)?@/, '//$1@');
    await config().update('brokers', [
      { name: BAD, amqpUrl, managementUrl: MANAGEMENT_URL, vhost: bad.name },
      { name: OK, amqpUrl, managementUrl: MANAGEMENT_URL, vhost: ok.name },
    ], vscode.ConfigurationTarget.Global);
  });

  after(async () => {
    await config().update('brokers', previousBrokers, vscode.ConfigurationTarget.Global);
    await config().update('refreshSeconds', undefined, vscode.ConfigurationTarget.Global);
    await bad?.cleanup();
    await ok?.cleanup();
  });

  it('puts a shared-pool error icon and tooltip on the pool and its workers', async () => {
    tree().refresh();
    const pool = await path(BAD, bad.name, 'Exchanges', 'nova', KEY, 'ceilometer');
    // Findings are computed once per refresh, in the background, when the tree draws the vhost's pools.
    await until(() => icon(pool) === 'error', 'an error icon on ceilometer').catch((e: Error) => {
      throw new Error(`${e.message}; icon ${icon(pool)}; store: ${JSON.stringify(api.services.findings.get(BAD, bad.name))}`);
    });
    assert.strictEqual(ctx(pool), ContextValues.pool);
    const t = tip(pool);
    assert.match(t, /shared-pool \(error\)/);
    assert.match(t, /steal each other/);
    assert.match(t, /What to do: Give each application its own pool/);
    const workers = await kids(pool);
    assert.strictEqual(workers.length, 3);
    for (const w of workers) {
      assert.strictEqual(icon(w), 'error', `${label(w)}'s icon`);
      assert.match(tip(w), /shared-pool/);
    }
  });

  it('lists the finding in the Findings view, by severity, and a click reveals the pool', async () => {
    const view = api.services.findingsTree;
    const found = await until(() => view.items().find((i) => i.broker === BAD && i.finding.kind === 'shared-pool'), 'the shared-pool finding in the view');
    assert.strictEqual(found.finding.pool, 'ceilometer');
    assert.deepStrictEqual(found.finding.applications, ['aodh-listener', 'ceilometer-agent-notification']);
    const groups = view.getChildren() as SeverityGroup[];
    assert.strictEqual(groups[0].severity, 'error');
    assert.ok((view.getChildren(groups[0]) as FindingItem[]).includes(found));
    const ti = view.getTreeItem(found);
    assert.strictEqual(ti.label, 'ceilometer');
    assert.match(String(ti.description), /^shared-pool/);
    assert.strictEqual((ti.iconPath as vscode.ThemeIcon).id, 'error');
    assert.match((ti.tooltip as vscode.MarkdownString).value, /steal each other/);
    assert.strictEqual(ti.command?.command, Commands.revealFinding);
    const revealed = await vscode.commands.executeCommand<string>(Commands.revealFinding, ...(ti.command?.arguments ?? []));
    assert.ok(revealed?.endsWith('/p:ceilometer'), `revealed ${revealed}`);
    assert.ok(revealed.includes(encodeURIComponent(bad.name)));
  });

  it('gives a healthy oslo layout no findings and no finding icons', async () => {
    const key = await path(OK, ok.name, 'Exchanges', 'nova', KEY);
    const pools = await kids(key);
    assert.deepStrictEqual(pools.map(label), ['audit', 'ceilometer', 'notifications.info']);
    const computed = await until(() => api.services.findings.get(OK, ok.name), 'the healthy vhost\'s findings');
    assert.deepStrictEqual(computed.findings.map((f) => f.kind), []);
    for (const p of pools) {
      assert.strictEqual(icon(p), 'inbox', `${label(p)}'s icon`);
      assert.doesNotMatch(tip(p), /\(error\)|\(warning\)/);
      for (const w of await kids(p)) { assert.strictEqual(icon(w), 'person'); }
    }
    assert.ok(!api.services.findingsTree.items().some((i) => i.broker === OK), 'nothing about the healthy vhost in the view');
  });

  it('Diagnose Pools runs runDiagnose on demand and fills the view', async () => {
    const r = await vscode.commands.executeCommand<DiagnoseResult>(Commands.diagnose, { broker: BAD, vhost: bad.name });
    assert.ok(r, 'a result');
    assert.deepStrictEqual(r.findings.map((f) => `${f.kind}:${f.pool}`), ['shared-pool:ceilometer']);
    assert.strictEqual(api.services.findings.get(BAD, bad.name)?.source, 'command');
    assert.ok(api.services.findingsTree.items().some((i) => i.broker === BAD && i.finding.kind === 'shared-pool'));
    const healthy = await vscode.commands.executeCommand<DiagnoseResult>(Commands.diagnose, { broker: OK, vhost: ok.name });
    assert.deepStrictEqual(healthy.findings, []);
  });
});
