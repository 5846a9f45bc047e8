/**
 * Local pools in the Brokers tree, inside a real VS Code extension host against the real broker: a pool started with
 * Create Worker Pool is marked local (context value, description with its exact counts, local worker nodes with their
 * own counts), counts update by redrawing the pool's nodes only, a deleted queue shows as such with a "Recreate Pool"
 * notice, and a stopped pool is an ordinary pool again.
 */
import * as assert from 'assert';
import * as vscode from 'vscode';
import type { PublishResult } from '../../../src/broker/publisher';
import { Commands, ContextValues, EXTENSION_ID } from '../../../src/constants';
import type { ExtensionApi } from '../../../src/extension';
import { AMQP_URL, MANAGEMENT_URL, TestVhost, freshVhost, until } from '../../support/broker';
import { treeAccess } from '../../support/tree';

type Node = { id: string };
const plainText = (md: string) => md.replace(/\\([\\`*_{}[\]()#+\-.!|~:$])/g, '$1').replace(/&#39;/g, "'").replace(/&quot;/g, '"')
  .replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
const BROKER = 'local-pools-test';
const KEY = 'notifications.info';

describe('Local pools in the Brokers tree', function () {
  this.timeout(120_000);
  let api: ExtensionApi;
  let v: TestVhost;
  let previousBrokers: unknown;
  const config = () => vscode.workspace.getConfiguration('rabbitmqPools');
  const { tree, kids, item, label, desc, ctx } = treeAccess<Node>(() => api);
  /** The tooltip's text with the Markdown escapes undone (every value is escaped: model/text.ts). */
  const tip = (n: Node) => { const t = item(n).tooltip; return plainText(typeof t === 'string' ? t : t?.value ?? ''); };
  const icon = (n: Node) => (item(n).iconPath as vscode.ThemeIcon | undefined);
  const run = <T>(id: string, args: object) => vscode.commands.executeCommand<T>(id, { broker: BROKER, vhost: v.name, ...args });
  const local = (name: string) => api.services.localPools.list().find((e) => e.vhost === v.name && e.pool.name === name);

  async function child(parent: Node | undefined, text: string): Promise<Node> {
    const c = await kids(parent);
    const found = c.find((n) => label(n) === text);
    assert.ok(found, `no "${text}" under ${parent?.id ?? 'the root'}; found: ${c.map((n) => `${label(n)} [${ctx(n)}] ${desc(n)}`).join(' | ')}`);
    return found;
  }
  async function path(...labels: string[]): Promise<Node> {
    let n: Node | undefined;
    for (const l of labels) { n = await child(n, l); }
    return n!;
  }
  const poolUnderKey = (pool: string) => path(BROKER, v.name, 'Exchanges', 'nova', KEY, pool);

  before(async () => {
    api = await vscode.extensions.getExtension<ExtensionApi>(EXTENSION_ID)!.activate();
    await config().update('refreshSeconds', 0, vscode.ConfigurationTarget.Global);
    v = await freshVhost('vscode-local');
    const ch = await (await v.connect('local-pools-setup')).createChannel();
    await ch.assertExchange('nova', 'topic', { durable: true });
    previousBrokers = config().inspect('brokers')?.globalValue;
    const amqpUrl = AMQP_URL.replace(/\/\/([^:@/]*)(:[^@/]*)?@/, '//$1@');
    await config().update('brokers', [{ name: BROKER, amqpUrl, managementUrl: MANAGEMENT_URL, vhost: v.name }], vscode.ConfigurationTarget.Global);
  });

  after(async () => {
    for (const e of api.services.localPools.list().filter((x) => x.vhost === v.name)) { await api.services.localPools.stop(e.id); }
    await config().update('brokers', previousBrokers, vscode.ConfigurationTarget.Global);
    await config().update('refreshSeconds', undefined, vscode.ConfigurationTarget.Global);
    await v.cleanup();
  });

  it('marks a created pool as local, with its local workers, under its binding key and in the Pools folder', async () => {
    await run(Commands.createPool, { exchange: 'nova', routingKey: KEY, pool: 'ceilometer', workers: 3 });
    tree().refresh();
    const pool = await poolUnderKey('ceilometer');
    assert.strictEqual(ctx(pool), ContextValues.poolLocal);
    assert.match(desc(pool), /^3 local workers · 0 delivered · \d+ ready · \d+ unacked$/);
    assert.strictEqual(icon(pool)?.id, 'inbox');
    assert.strictEqual((icon(pool)?.color as vscode.ThemeColor | undefined)?.id, 'charts.green');
    assert.match(tip(pool), /Local pool \(started by this extension\)/);
    // Local workers show at once, even before the management API lists the consumers.
    const workers = await kids(pool);
    assert.strictEqual(workers.length, 3, workers.map(label).join(', '));
    for (const w of workers) {
      assert.strictEqual(ctx(w), ContextValues.workerLocal);
      assert.match(label(w), /\(local\)$/);
      assert.match(desc(w), /^0 delivered · /);
    }
    const inFolder = await path(BROKER, v.name, 'Pools', 'ceilometer');
    assert.strictEqual(ctx(inFolder), ContextValues.poolLocal);
  });

  it('shows live counts after a publish, redrawing only the pool\'s nodes', async () => {
    // Shown in the view: a redraw goes to the nodes the view holds (VS Code ignores others), so reveal the pool first.
    const pool = await poolUnderKey('ceilometer');
    await api.services.treeView.reveal(pool as never, { select: false, focus: false, expand: true });
    const fired: (string | undefined)[] = [];
    const sub = tree().onDidChangeTreeData((n) => fired.push(n?.id));
    try {
      const r = await run<PublishResult>(Commands.publishTestNotifications, { exchange: 'nova', routingKey: KEY, count: 3000 });
      assert.strictEqual(r.confirmed, 3000);
      await until(() => /^3 local workers · 3,000 delivered/.test(desc(pool)), `"3,000 delivered" in "${desc(pool)}"`);
      assert.ok(fired.includes(pool.id), `the pool node was redrawn: ${fired.join(', ')}`);
      // Counts redraw nodes; only the publish command's own refresh at its end redraws everything.
      assert.ok(fired.filter((x) => x === undefined).length <= 1, `node redraws, not refreshes: ${fired.join(', ')}`);
    } finally {
      sub.dispose();
    }
    const workers = await kids(pool);
    const counts = workers.map((w) => Number(/^([\d,]+) delivered/.exec(desc(w))?.[1].replace(/,/g, '')));
    assert.strictEqual(counts.reduce((a, b) => a + b, 0), 3000, `per-worker counts ${counts}`);
    assert.ok(counts.every((n) => n > 0), `every worker got a share: ${counts}`);
    assert.match(tip(workers[0]), /Delivered: /);
  });

  it('shows a deleted queue and offers to recreate it', async () => {
    await run(Commands.createPool, { exchange: 'nova', routingKey: KEY, pool: 'doomed', workers: 1 });
    const shownBefore = api.services.live.shown.length;
    await v.client.deleteQueue(v.name, 'doomed');
    await until(() => local('doomed')?.status === 'queue-deleted', 'the queue-deleted status');
    await until(() => api.services.live.shown.slice(shownBefore).find((n) => n.recreate), 'a notice with "Recreate Pool"');
    // The broker no longer binds it: it is shown from the local pool, marked.
    tree().refresh();
    const node = await poolUnderKey('doomed');
    assert.strictEqual(ctx(node), ContextValues.poolLocal);
    assert.match(desc(node), /^queue deleted · 1 local worker · /);
    assert.strictEqual(icon(node)?.id, 'warning');
    await api.services.localPools.recreate(local('doomed')!.id);
    await until(() => local('doomed')?.status === 'running', 'the recreated pool running');
    tree().refresh();
    assert.match(desc(await poolUnderKey('doomed')), /^1 local worker · /);
    await run(Commands.stopPool, { pool: 'doomed', deleteQueue: true });
  });

  it('drops the local marking when the pool stops (the queue stays, an ordinary pool)', async () => {
    await run(Commands.stopPool, { pool: 'ceilometer', deleteQueue: false });
    assert.strictEqual(local('ceilometer'), undefined);
    tree().refresh();
    const pool = await poolUnderKey('ceilometer');
    assert.strictEqual(ctx(pool), ContextValues.pool);
    assert.doesNotMatch(desc(pool), /local/);
    for (const w of await kids(pool)) { assert.notStrictEqual(ctx(w), ContextValues.workerLocal); }
  });
});
