/**
 * Security inside the real extension host: after a whole session of use with a known, distinctive password (Add Broker
 * with its script argument, tree expansion with tooltips, Test Connection, Create Worker Pool, Publish, Run Audit, a
 * failing command, a broker that cannot be reached, the Delivery Counts panel), the password is nowhere: not in
 * settings.json, not in any log file of the session (our channel's and the extension host's), not in the tree, the
 * commands' results, the error lines or the panel's state and HTML. Also: a broker with certificate verification off
 * gets a warning, and workspace broker settings count only in a trusted workspace.
 */
import * as assert from 'assert';
import { execFileSync } from 'child_process';
import { randomBytes } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import * as vscode from 'vscode';
import type { AuditReport } from '../../../src/broker/audit';
import type { PublishResult } from '../../../src/broker/publisher';
import { BrokerStore } from '../../../src/settings/brokerStore';
import { Commands, ContextValues, EXTENSION_ID } from '../../../src/constants';
import type { ExtensionApi } from '../../../src/extension';
import type { TreeNode } from '../../../src/tree/nodes/treeNode';
import { MANAGEMENT_URL, TestVhost, freshVhost, until } from '../../support/broker';

const KEY = 'notifications.info';

describe('Security: the password nowhere after a full session; TLS warning; untrusted workspaces', function () {
  this.timeout(240_000);
  let api: ExtensionApi;
  let vh: TestVhost;
  let previousBrokers: unknown;
  const tag = randomBytes(3).toString('hex');
  const user = `rmqp-test-sec-${tag}`;
  // Distinctive, with characters that URLs and JSON encode.
  const password = `Xk7-Sec/@:%"ü-${randomBytes(5).toString('hex')}`;
  const forms = [password, encodeURIComponent(password), JSON.stringify(password).slice(1, -1), Buffer.from(`${user}:${password}`).toString('base64')];
  const broker = `sec-${tag}`;
  const deadBroker = `sec-dead-${tag}`;
  const insecureBroker = `sec-insecure-${tag}`;
  const verifiedBroker = `sec-verified-${tag}`;
  const config = () => vscode.workspace.getConfiguration('rabbitmqPools');
  const seen: string[] = [];
  const record = (what: string, v: unknown) => { seen.push(`${what}: ${typeof v === 'string' ? v : JSON.stringify(v)}`); };

  function userDir(): string {
    // <user-data-dir>/User/globalStorage/<extension id> → <user-data-dir>/User
    return path.join(api.services.context.globalStorageUri.fsPath, '..', '..');
  }

  /** Every file of this session's logs folder (our LogOutputChannel's file, the extension host's log, …). */
  function logFiles(): string[] {
    const out: string[] = [];
    const walk = (dir: string, depth: number) => {
      let entries: fs.Dirent[] = [];
      try { entries = fs.readdirSync(dir, { withFileTypes: true }); } catch { return; }
      for (const e of entries) {
        const p = path.join(dir, e.name);
        if (e.isDirectory() && depth > 0) { walk(p, depth - 1); } else if (e.isFile()) { out.push(p); }
      }
    };
    // logUri = <logs>/<session>/exthost*/<extension id>: walk the whole session.
    walk(path.join(api.services.context.logUri.fsPath, '..', '..'), 4);
    return out;
  }

  /** The text of every tree node under `node`, down to `depth` levels: labels, descriptions, tooltips. */
  async function walkTree(node: TreeNode | undefined, depth: number, out: string[]): Promise<void> {
    const children = await api.services.tree.getChildren(node);
    for (const c of children) {
      const item = api.services.tree.getTreeItem(c);
      const tooltip = item.tooltip instanceof vscode.MarkdownString ? item.tooltip.value : item.tooltip;
      const label = typeof item.label === 'string' ? item.label : item.label?.label;
      out.push([label, item.description, tooltip, item.id].filter((x) => x !== undefined).join(' | '));
      if (depth > 0 && item.collapsibleState !== vscode.TreeItemCollapsibleState.None) { await walkTree(c, depth - 1, out); }
    }
  }

  function assertNowhere(text: string, where: string): void {
    for (const f of forms) { assert.ok(!text.includes(f), `the password (as ${JSON.stringify(f)}) is in ${where}`); }
  }

  before(async () => {
    const ext = vscode.extensions.getExtension<ExtensionApi>(EXTENSION_ID);
    assert.ok(ext);
    api = await ext.activate();
    previousBrokers = config().inspect('brokers')?.globalValue;
    await config().update('refreshSeconds', 0, vscode.ConfigurationTarget.Global);
    vh = await freshVhost('security');
    await vh.client.request('PUT', `api/users/${encodeURIComponent(user)}`, { password, tags: 'management' });
    await vh.client.putPermissions(vh.name, user);
    const ch = await (await vh.connect('security-test-setup')).createChannel();
    await ch.assertExchange('nova', 'topic', { durable: true });
    await ch.close();
  });

  after(async () => {
    for (const e of api?.services.localPools.list() ?? []) {
      if (e.vhost === vh?.name) { await api.services.localPools.stop(e.id); }
    }
    for (const b of [broker, deadBroker, insecureBroker, verifiedBroker]) { await vscode.commands.executeCommand(Commands.removeBroker, b, { confirm: false }); }
    await config().update('brokers', previousBrokers, vscode.ConfigurationTarget.Global);
    await config().update('refreshSeconds', undefined, vscode.ConfigurationTarget.Global);
    await vh?.client.request('DELETE', `api/users/${encodeURIComponent(user)}`).catch(() => undefined);
    await vh?.cleanup();
  });

  it('a full session of use leaves the password in no setting, log, tree item, result, error or panel state', async () => {
    // Add Broker (its script argument: what the input boxes collect), with a connection test.
    const added = await vscode.commands.executeCommand<{ saved: boolean; test?: { ok: boolean; lines: string[] } }>(Commands.addBroker, {
      name: broker, amqpUrl: 'amqp://127.0.0.1:5672', managementUrl: MANAGEMENT_URL, vhost: vh.name, username: user, password,
    });
    assert.strictEqual(added.saved, true, JSON.stringify(added.test));
    record('add broker', added);
    // The same password on a broker that cannot be reached: its errors carry URLs and the user name.
    const dead = await vscode.commands.executeCommand<{ saved: boolean }>(Commands.addBroker, {
      name: deadBroker, amqpUrl: 'amqp://127.0.0.1:1', managementUrl: 'http://127.0.0.1:1', vhost: vh.name, username: user, password, test: false,
    });
    assert.strictEqual(dead.saved, true);
    assert.strictEqual(await api.services.store.password(broker), password, 'the password is in the secret storage');

    // Tree: expand everything a few levels deep (tooltips included), for the working and the dead broker.
    await until(() => api.services.store.find(broker) && api.services.store.find(deadBroker), 'both brokers in the store');
    api.services.tree.refresh();
    const tree: string[] = [];
    await walkTree(undefined, 6, tree);
    assert.ok(tree.some((t) => t.includes(broker)), 'the tree shows the broker');
    assert.ok(tree.some((t) => t.includes('nova')), `the tree was expanded down to the exchange: ${tree.slice(0, 8).join(' / ')}`);
    // The dead broker's row, and under it the error that says why (its own label would not do: it names the broker only).
    const deadNode = (await api.services.tree.getChildren()).find((n) => api.services.tree.getTreeItem(n).label === deadBroker);
    assert.ok(deadNode, `the dead broker has a row: ${tree.slice(0, 4).join(' / ')}`);
    const deadChildren = (await api.services.tree.getChildren(deadNode)).map((n) => ({ item: api.services.tree.getTreeItem(n), kind: (n as { kind?: string }).kind }));
    assert.deepStrictEqual(deadChildren.map((c) => c.item.contextValue), [ContextValues.error], 'under it, one error row');
    const deadLabel = String(typeof deadChildren[0].item.label === 'string' ? deadChildren[0].item.label : deadChildren[0].item.label?.label);
    assert.strictEqual(deadChildren[0].kind, 'unreachable', deadLabel);
    assert.match(deadLabel, /127\.0\.0\.1:1\b/, 'the error names the address that does not answer');
    record('tree', tree);

    const test = await vscode.commands.executeCommand<{ ok: boolean; lines: string[] }>(Commands.testConnection, broker);
    assert.strictEqual(test.ok, true, test.lines.join(' | '));
    record('test connection', test);
    const deadTest = await vscode.commands.executeCommand<{ ok: boolean; lines: string[] }>(Commands.testConnection, deadBroker);
    assert.strictEqual(deadTest.ok, false);
    record('test connection (dead)', deadTest);

    const run = <T>(id: string, args: object) => vscode.commands.executeCommand<T>(id, { broker, vhost: vh.name, ...args });
    await run(Commands.createPool, { exchange: 'nova', routingKey: KEY, pool: 'sec-pool', workers: 2 });
    const entry = api.services.localPools.list().find((e) => e.vhost === vh.name && e.pool.name === 'sec-pool');
    assert.ok(entry?.pool.running, 'the pool runs');
    const published = await run<PublishResult>(Commands.publishTestNotifications, { exchange: 'nova', routingKey: KEY, count: 300 });
    assert.strictEqual(published.confirmed, 300);
    record('publish', published);
    const audit = await run<AuditReport>(Commands.runAudit, { exchange: 'nova', routingKey: KEY, count: 100 });
    assert.ok(audit && audit.pools.every((p) => p.missing === 0), JSON.stringify(audit?.pools));
    record('audit', audit);

    // The tree again, now with the local pool, its workers and their tooltips.
    api.services.tree.refresh();
    const tree2: string[] = [];
    await until(async () => { tree2.length = 0; await walkTree(undefined, 8, tree2); return tree2.some((t) => t.includes('sec-pool-1')); }, 'the pool\'s workers in the tree', 20_000, 500);
    tree.push(...tree2);
    record('tree with pools', tree2);

    // Failing actions: a missing exchange (an error notification + its log line) and a pool on the dead broker.
    const failed = await run(Commands.createPool, { exchange: 'no-such-exchange', routingKey: KEY, pool: 'sec-fails', workers: 1 });
    assert.strictEqual(failed, undefined, 'the command failed (handled)');
    const failedDead = await vscode.commands.executeCommand(Commands.createPool, { broker: deadBroker, vhost: vh.name, exchange: 'nova', routingKey: KEY, pool: 'sec-dead', workers: 1 });
    assert.strictEqual(failedDead, undefined);

    // The Delivery Counts panel: its state and everything sent to the page.
    const panel = await vscode.commands.executeCommand<{ panel: vscode.WebviewPanel; sent: unknown[]; whenInitialized(): Promise<void>; state(): unknown; dispose(): void } | undefined>(
      'rabbitmqPools.panel.show', { broker, vhost: vh.name, exchange: 'nova', routingKey: KEY });
    assert.ok(panel && panel.panel, 'the panel opened');
    try {
      await panel.whenInitialized();
      await until(() => JSON.stringify(panel.state()).includes('sec-pool'), 'the panel to show the pool');
      record('panel state', panel.state());
      record('panel messages', panel.sent);
      record('panel html', panel.panel.webview.html);
    } finally {
      panel.dispose();
    }

    // ---- now search ----
    const settings = fs.readFileSync(path.join(userDir(), 'settings.json'), 'utf8');
    assert.ok(settings.includes(broker), 'this is the settings file the brokers were saved to');
    assertNowhere(settings, 'settings.json');
    const wsSettings = vscode.workspace.workspaceFolders?.map((f) => path.join(f.uri.fsPath, '.vscode', 'settings.json')).filter((f) => fs.existsSync(f)) ?? [];
    for (const f of wsSettings) { assertNowhere(fs.readFileSync(f, 'utf8'), f); }

    // Log lines are written asynchronously: wait until the failing command's line is on disk.
    const files = logFiles();
    const ours = await until(() => {
      const text = logFiles().filter((f) => f.endsWith('RabbitMQ Pools.log')).map((f) => fs.readFileSync(f, 'utf8')).join('\n');
      return /no-such-exchange/.test(text) && text.includes(`Saved broker "${broker}"`) ? text : undefined;
    }, 'the log file to hold the session\'s lines (saved broker, the failing command)', 20_000, 250);
    assert.match(ours, /Create Worker Pool: .*no-such-exchange.* does not exist/, 'the error line as the notification showed it');
    for (const f of files) {
      let text: string;
      try { text = fs.readFileSync(f, 'utf8'); } catch { continue; }
      assertNowhere(text, f);
    }
    assertNowhere(seen.join('\n'), 'the tree, the commands\' results or the panel');
    console.log(`      searched settings.json, ${wsSettings.length} workspace settings file(s), ${files.length} log file(s) (${ours.split('\n').length} lines of ours), ${tree.length} tree items, 6 command results, the panel's state, messages and HTML`);
  });

  it('a broker with certificate verification off works only when set explicitly, and gets a warning', async () => {
    execFileSync('bash', [path.join(api.services.context.extensionUri.fsPath, 'scripts/scratch-node.sh'), 'up'], { timeout: 180_000, stdio: 'pipe' });
    const current = (config().inspect('brokers')?.globalValue as unknown[] | undefined) ?? [];
    await config().update('brokers', [...current, {
      name: insecureBroker, amqpUrl: 'amqps://guest@127.0.0.1:5677', managementUrl: 'https://127.0.0.1:15677', tls: { rejectUnauthorized: false },
    }], vscode.ConfigurationTarget.Global);
    const entry = await until(() => api.services.store.find(insecureBroker), 'the insecure broker in the store');
    const cfg = await api.services.store.config(entry);
    assert.strictEqual(cfg.tls.rejectUnauthorized, false);
    const warning = BrokerStore.tlsWarning(cfg);
    assert.ok(warning && /TLS certificate verification is off for broker/.test(warning) && /"tls\.rejectUnauthorized": false/.test(warning), warning);
    const test = await vscode.commands.executeCommand<{ ok: boolean; lines: string[] }>(Commands.testConnection, insecureBroker);
    assert.strictEqual(test.ok, true, `it works: ${test.lines.join(' | ')}`);
    await until(() => logFiles().filter((f) => f.endsWith('RabbitMQ Pools.log')).some((f) => fs.readFileSync(f, 'utf8').includes(`TLS certificate verification is off for broker "${insecureBroker}"`)),
      'the warning in the log', 20_000, 250);
    // Verification is on unless turned off: the same broker without the setting is refused, naming the CA setting.
    const verified = await api.services.store.config({ ...entry, setting: { ...entry.setting, tls: undefined } });
    assert.strictEqual(verified.tls.rejectUnauthorized, true);
    assert.strictEqual(BrokerStore.tlsWarning(verified), undefined);
    // …and a connection is really attempted and refused: the same URLs as a broker of their own, without the setting.
    await config().update('brokers', [...current, { name: verifiedBroker, amqpUrl: 'amqps://guest@127.0.0.1:5677', managementUrl: 'https://127.0.0.1:15677' }], vscode.ConfigurationTarget.Global);
    await until(() => api.services.store.find(verifiedBroker), 'the verifying broker in the store');
    const refused = await vscode.commands.executeCommand<{ ok: boolean; state: string; lines: string[] }>(Commands.testConnection, verifiedBroker);
    assert.strictEqual(refused.ok, false, `without "tls.rejectUnauthorized": false the broker's self-signed certificate is refused: ${refused.lines.join(' | ')}`);
    assert.strictEqual(refused.state, 'unreachable', refused.lines.join(' | '));
    assert.ok(refused.lines.some((l) => l.startsWith('The TLS certificate of https://127.0.0.1:15677 cannot be verified') && l.includes('"tls.caFile"')), `the management API is refused, naming the CA setting: ${refused.lines.join(' | ')}`);
    assert.ok(refused.lines.some((l) => /^AMQP amqps:\/\/(guest@)?127\.0\.0\.1:5677: TLS with amqps:\/\/127\.0\.0\.1:5677 failed: /.test(l)), `AMQPS is refused too: ${refused.lines.join(' | ')}`);
  });

  it('untrusted workspaces: declared in package.json; workspace broker settings are ignored until the workspace is trusted', async () => {
    const pkg = vscode.extensions.getExtension(EXTENSION_ID)!.packageJSON as { capabilities?: { untrustedWorkspaces?: { supported?: unknown; restrictedConfigurations?: string[] } } };
    const u = pkg.capabilities?.untrustedWorkspaces;
    assert.strictEqual(u?.supported, 'limited');
    assert.ok(u?.restrictedConfigurations?.includes('rabbitmqPools.brokers'), 'the brokers setting is restricted');
    assert.ok(vscode.workspace.workspaceFolders?.length, 'a workspace folder is open (workspace settings can be written)');
    const fromWorkspace = `from-workspace-${tag}`;
    await config().update('brokers', [{ name: fromWorkspace, amqpUrl: 'amqp://127.0.0.1:1', managementUrl: 'http://127.0.0.1:1' }], vscode.ConfigurationTarget.Workspace);
    const untrusted = new BrokerStore(api.services.context.secrets, api.services.log, () => false);
    const trusted = new BrokerStore(api.services.context.secrets, api.services.log, () => true);
    try {
      await until(() => trusted.list().some((e) => e.setting.name === fromWorkspace), 'the workspace setting to be visible');
      assert.strictEqual(trusted.list().find((e) => e.setting.name === fromWorkspace)?.source, 'workspace');
      assert.ok(!untrusted.list().some((e) => e.setting.name === fromWorkspace), 'ignored while the workspace is untrusted');
      assert.ok(untrusted.list().some((e) => e.setting.name === broker), 'the user\'s own brokers still count');
      // This test host runs with trust on: the real store takes it.
      assert.strictEqual(vscode.workspace.isTrusted, true);
      assert.ok(api.services.store.list().some((e) => e.setting.name === fromWorkspace));
    } finally {
      untrusted.dispose();
      trusted.dispose();
      await config().update('brokers', undefined, vscode.ConfigurationTarget.Workspace);
    }
  });
});
