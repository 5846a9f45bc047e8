/**
 * Add / Edit / Remove Broker round-trip through the settings (no password) and SecretStorage (the password), scripted
 * through the commands' argument objects; the settings file on disk and the "RabbitMQ Pools" log never hold the password.
 */
import * as assert from 'assert';
import { randomBytes } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import * as vscode from 'vscode';
import { Commands, ContextValues, EXTENSION_ID, passwordKey } from '../../../src/constants';
import type { ExtensionApi } from '../../../src/extension';
import { MANAGEMENT_URL, TestVhost, freshVhost, until } from '../../support/broker';

let api: ExtensionApi;

const config = () => vscode.workspace.getConfiguration('rabbitmqPools');
const label = (n: unknown) => { const l = api.services.tree.getTreeItem(n as never).label; return typeof l === 'string' ? l : l?.label ?? ''; };

function settingsFile(): string {
  // <user-data-dir>/User/globalStorage/<extension id> → <user-data-dir>/User/settings.json
  return path.join(api.services.context.globalStorageUri.fsPath, '..', '..', 'settings.json');
}

/** The "RabbitMQ Pools" output channel's log file(s), under the extension host's log folder. */
function logFiles(): string[] {
  const out: string[] = [];
  const walk = (dir: string, depth: number) => {
    let entries: fs.Dirent[] = [];
    try { entries = fs.readdirSync(dir, { withFileTypes: true }); } catch { return; }
    for (const e of entries) {
      const p = path.join(dir, e.name);
      if (e.isDirectory() && depth > 0) { walk(p, depth - 1); } else if (e.isFile() && e.name.endsWith('RabbitMQ Pools.log')) { out.push(p); }
    }
  };
  walk(path.dirname(api.services.context.logUri.fsPath), 3);
  return out;
}

const readLogs = () => logFiles().map((f) => fs.readFileSync(f, 'utf8')).join('\n');

describe('Brokers: add, edit, remove (settings + SecretStorage)', function () {
  this.timeout(90_000);
  let vh: TestVhost;
  const tag = randomBytes(4).toString('hex');
  const user = `rmqp-test-user-${tag}`;
  const password1 = `S3cret-one-${randomBytes(6).toString('hex')}`;
  const password2 = `S3cret-two-${randomBytes(6).toString('hex')}`;
  // Typed by mistake in the first Add Broker: its own text (not password1 with a prefix, which the password1 check would cover).
  const wrongPassword = `Wr0ng-typed-${randomBytes(6).toString('hex')}`;
  const name1 = `staging-${tag}`;
  const name2 = `production-${tag}`;

  const setPassword = (pw: string) => vh.client.request('PUT', `api/users/${encodeURIComponent(user)}`, { password: pw, tags: 'management' });

  before(async () => {
    const ext = vscode.extensions.getExtension<ExtensionApi>(EXTENSION_ID);
    assert.ok(ext);
    api = await ext.activate();
    await config().update('refreshSeconds', 0, vscode.ConfigurationTarget.Global);
    await config().update('brokers', undefined, vscode.ConfigurationTarget.Global);
    vh = await freshVhost('brokers');
    await setPassword(password1);
    await vh.client.putPermissions(vh.name, user);
  });

  after(async () => {
    await config().update('brokers', undefined, vscode.ConfigurationTarget.Global);
    await config().update('refreshSeconds', undefined, vscode.ConfigurationTarget.Global);
    await vh?.client.request('DELETE', `api/users/${encodeURIComponent(user)}`).catch(() => undefined);
    await vh?.cleanup();
  });

  it('Add Broker tests the connection and refuses a wrong password (nothing saved)', async () => {
    const r = await vscode.commands.executeCommand<{ saved: boolean; test?: { ok: boolean; state: string; lines: string[] } }>(Commands.addBroker, {
      name: name1, amqpUrl: 'amqp://127.0.0.1:5672', managementUrl: MANAGEMENT_URL, vhost: vh.name, username: user, password: wrongPassword,
    });
    assert.strictEqual(r.saved, false);
    assert.strictEqual(r.test?.state, 'auth');
    assert.strictEqual(config().inspect('brokers')?.globalValue, undefined);
  });

  it('Add Broker saves the broker to settings and the password to SecretStorage only', async () => {
    const r = await vscode.commands.executeCommand<{ saved: boolean; test?: { ok: boolean; lines: string[] } }>(Commands.addBroker, {
      name: name1, amqpUrl: 'amqp://127.0.0.1:5672', managementUrl: MANAGEMENT_URL, vhost: vh.name, username: user, password: password1,
    });
    assert.strictEqual(r.saved, true, JSON.stringify(r.test));
    assert.strictEqual(r.test?.ok, true);
    assert.deepStrictEqual(config().inspect('brokers')?.globalValue, [
      { name: name1, amqpUrl: `amqp://${user}@127.0.0.1:5672`, managementUrl: MANAGEMENT_URL, vhost: vh.name },
    ]);
    assert.strictEqual(await api.services.context.secrets.get(passwordKey(name1)), password1);
    const onDisk = await until(() => { const t = fs.readFileSync(settingsFile(), 'utf8'); return t.includes(name1) ? t : undefined; }, 'the broker in settings.json');
    assert.ok(!onDisk.includes(password1), 'the password is in settings.json');

    // The tree reads with the stored password: the vhost opens.
    const [broker] = await api.services.tree.getChildren();
    assert.strictEqual(label(broker), name1);
    assert.strictEqual(api.services.tree.getTreeItem(broker).contextValue, ContextValues.broker);
    const [vhost] = await api.services.tree.getChildren(broker);
    assert.deepStrictEqual((await api.services.tree.getChildren(vhost)).map(label), ['Exchanges', 'Pools']);
    assert.match(api.services.statusBar.item.text, new RegExp(`${name1}: connected`));
  });

  it('Edit Broker renames it and moves or replaces the password', async () => {
    await setPassword(password2);
    const r = await vscode.commands.executeCommand<{ saved: boolean }>(Commands.editBroker, name1, {
      name: name2, amqpUrl: 'amqp://127.0.0.1:5672', managementUrl: MANAGEMENT_URL, vhost: vh.name, username: user, password: password2,
    });
    assert.strictEqual(r.saved, true);
    assert.deepStrictEqual((config().inspect<{ name: string }[]>('brokers')?.globalValue ?? []).map((b) => b.name), [name2]);
    assert.strictEqual(await api.services.context.secrets.get(passwordKey(name1)), undefined);
    assert.strictEqual(await api.services.context.secrets.get(passwordKey(name2)), password2);

    // No password given: the stored one is kept.
    const keep = await vscode.commands.executeCommand<{ saved: boolean }>(Commands.editBroker, name2, {
      name: name2, amqpUrl: 'amqp://127.0.0.1:5672', managementUrl: MANAGEMENT_URL, vhost: vh.name, username: user,
    });
    assert.strictEqual(keep.saved, true);
    assert.strictEqual(await api.services.context.secrets.get(passwordKey(name2)), password2);
    const onDisk = fs.readFileSync(settingsFile(), 'utf8');
    assert.ok(!onDisk.includes(password1) && !onDisk.includes(password2), 'a password is in settings.json');
  });

  it('Test Connection reports the state of a configured broker', async () => {
    const r = await vscode.commands.executeCommand<{ ok: boolean; lines: string[] }>(Commands.testConnection, name2);
    assert.strictEqual(r.ok, true, r.lines.join('\n'));
  });

  it('Remove Broker drops the entry and its password', async () => {
    const removed = await vscode.commands.executeCommand<boolean>(Commands.removeBroker, name2, { confirm: false });
    assert.strictEqual(removed, true);
    assert.deepStrictEqual(config().inspect('brokers')?.globalValue ?? [], []);
    assert.strictEqual(await api.services.context.secrets.get(passwordKey(name2)), undefined);
    assert.deepStrictEqual((await api.services.tree.getChildren()).map(label), ['localhost', 'Add Broker…']);
  });

  it('the log has the details but never a password', async () => {
    const log = await until(() => { const t = readLogs(); return t.includes(`Removed broker "${name2}"`) ? t : undefined; },
      `the "RabbitMQ Pools" log file (looked under ${path.dirname(api.services.context.logUri.fsPath)}: ${logFiles().join(', ') || 'none found'})`);
    assert.match(log, new RegExp(`Saved broker "${name1}"`));
    assert.match(log, /Test connection/);
    assert.ok(!log.includes(password1), 'password 1 is in the log');
    assert.ok(!log.includes(password2), 'password 2 is in the log');
    assert.ok(!log.includes(wrongPassword), 'the wrong password (refused, never saved) is in the log');
    for (const pw of [password1, password2, wrongPassword]) {
      assert.ok(!log.includes(encodeURIComponent(pw).replace(/-/g, '%2D')) && !log.includes(Buffer.from(`${user}:${pw}`).toString('base64')), 'a password is in the log, encoded');
    }
  });
});
