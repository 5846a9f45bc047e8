/**
 * Availability: the extension host keeps working while one of its local pools is under 30,000 messages/s of load.
 * An external publisher (the CLI, its own process) offers 30k/s to the pool while the test refreshes the Brokers tree
 * over and over and measures the extension host's event-loop lag. Bounds are generous (2 cores shared with the broker
 * and the publisher): what must not happen is a tree that stops refreshing or an event loop blocked for seconds.
 */
import * as assert from 'assert';
import { execFile } from 'child_process';
import * as path from 'path';
import * as vscode from 'vscode';
import { Commands } from '../../../src/constants';
import type { ExtensionApi } from '../../../src/extension';
import type { TreeNode } from '../../../src/tree/nodes/treeNode';
import { MANAGEMENT_URL, TestVhost, freshVhost, until } from '../../broker/helpers';

const EXTENSION_ID = 'rmq-pools.rabbitmq-pool-inspector';
const KEY = 'load.info';
const RATE = 30_000;
const COUNT = 150_000;

describe('Availability: the tree refreshes while a local pool is flooded (30,000 messages/s offered)', function () {
  this.timeout(240_000);
  let api: ExtensionApi;
  let vh: TestVhost;
  let previousBrokers: unknown;
  const broker = 'load-test';
  const config = () => vscode.workspace.getConfiguration('rabbitmqPools');

  before(async () => {
    api = await vscode.extensions.getExtension<ExtensionApi>(EXTENSION_ID)!.activate();
    vh = await freshVhost('load');
    const ch = await (await vh.connect('load-test-setup')).createChannel();
    await ch.assertExchange('nova', 'topic', { durable: true });
    await ch.close();
    previousBrokers = config().inspect('brokers')?.globalValue;
    await config().update('refreshSeconds', 0, vscode.ConfigurationTarget.Global);
    await config().update('brokers', [{ name: broker, amqpUrl: 'amqp://guest@127.0.0.1:5672', managementUrl: MANAGEMENT_URL, vhost: vh.name }], vscode.ConfigurationTarget.Global);
  });
  after(async () => {
    for (const e of api?.services.localPools.list() ?? []) {
      if (e.vhost === vh?.name) { await api.services.localPools.stop(e.id); }
    }
    await config().update('brokers', previousBrokers, vscode.ConfigurationTarget.Global);
    await config().update('refreshSeconds', undefined, vscode.ConfigurationTarget.Global);
    await vh?.cleanup();
  });

  /** One full refresh: drop the caches, then read the broker → vhost → folders → exchanges levels again. */
  async function refreshTree(): Promise<number> {
    const t0 = performance.now();
    api.services.tree.refresh();
    const walk = async (node: TreeNode | undefined, depth: number): Promise<void> => {
      for (const c of await api.services.tree.getChildren(node)) {
        const item = api.services.tree.getTreeItem(c);
        if (depth > 0 && item.collapsibleState !== vscode.TreeItemCollapsibleState.None) { await walk(c, depth - 1); }
      }
    };
    await walk(undefined, 4);
    return performance.now() - t0;
  }

  it('tree refreshes keep completing and the event loop stays responsive; the pool gets every message', async () => {
    await vscode.commands.executeCommand(Commands.createPool, { broker, vhost: vh.name, exchange: 'nova', routingKey: KEY, pool: 'load-pool', workers: 4, prefetch: 200 });
    const entry = api.services.localPools.list().find((e) => e.vhost === vh.name && e.pool.name === 'load-pool');
    assert.ok(entry?.pool.running, 'the pool runs in the extension host');
    const idle = await refreshTree();

    // Event-loop lag: how late a 50 ms timer fires.
    let maxLag = 0;
    let expected = performance.now() + 50;
    const lagTimer = setInterval(() => {
      const now = performance.now();
      maxLag = Math.max(maxLag, now - expected);
      expected = now + 50;
    }, 50);

    const cli = path.join(api.services.context.extensionUri.fsPath, 'dist', 'cli.js');
    let publisherDone = false;
    const published = new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
      execFile(process.execPath, [cli, 'publish', '--exchange', 'nova', '--key', KEY, '--count', String(COUNT), '--rate', String(RATE), '--in-flight', '20000', '--transient', '--json', '--vhost', vh.name],
        { env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' }, timeout: 120_000, maxBuffer: 1 << 20 }, (err, stdout, stderr) => {
          publisherDone = true;
          resolve({ code: err ? 1 : 0, stdout, stderr });
        });
    });
    const refreshes: number[] = [];
    try {
      await until(() => entry.pool.delivered > 1000, 'the load to reach the pool', 30_000, 50);
      while (!publisherDone) {
        refreshes.push(await refreshTree());
        await new Promise((r) => setTimeout(r, 100));
      }
    } finally {
      clearInterval(lagTimer);
    }
    const r = await published;
    assert.strictEqual(r.code, 0, r.stderr);
    const doc = JSON.parse(r.stdout) as { confirmed: number; seconds: number; ratePerSecond: number };
    assert.strictEqual(doc.confirmed, COUNT);
    await until(() => entry.pool.snapshot().uniqueIds >= COUNT, `the pool to get all ${COUNT}`, 90_000, 100);
    const s = entry.pool.snapshot();
    const sorted = [...refreshes].sort((a, b) => a - b);
    const p95 = sorted[Math.floor(sorted.length * 0.95)] ?? NaN;
    console.log(`      publisher ${doc.ratePerSecond}/s for ${doc.seconds} s; pool ${s.delivered} delivered (${s.duplicates} duplicates); `
      + `${refreshes.length} tree refreshes under load: median ${Math.round(sorted[Math.floor(sorted.length / 2)])} ms, p95 ${Math.round(p95)} ms, max ${Math.round(sorted[sorted.length - 1])} ms (idle ${Math.round(idle)} ms); event-loop lag max ${Math.round(maxLag)} ms`);
    // 30k/s is offered; on 2 shared cores the publisher (with confirms) reaches less while the broker and this extension
    // host share the CPU: the figure is printed above, and the bound only checks that the load was heavy.
    assert.ok(doc.ratePerSecond >= 5000, `the load was real: ${doc.ratePerSecond}/s`);
    assert.ok(refreshes.length >= 5, `the tree kept refreshing: ${refreshes.length} refreshes in ${doc.seconds} s`);
    assert.ok(sorted[sorted.length - 1] < 5000, `every refresh completed within 5 s (max ${Math.round(sorted[sorted.length - 1])} ms)`);
    assert.ok(maxLag < 1000, `the event loop was never blocked for a second (max lag ${Math.round(maxLag)} ms)`);
    assert.strictEqual(s.duplicates, 0);
  });
});
