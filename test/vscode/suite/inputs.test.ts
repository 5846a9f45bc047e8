/**
 * The multi-step quick inputs inside a real VS Code extension host, against the real broker: Add Broker step by step with a
 * Back that keeps the value entered, a validation message that holds a step; Edit Broker from an authentication-failure node
 * changing only the password (settings untouched, the secret replaced); Create Worker Pool from an exchange node (its exchange
 * step skipped) with Back; and the context key that shows the local-pool commands in the palette only while a pool runs.
 *
 * The extension host cannot type into the workbench: the test sets the value (or the active item) of the quick input on
 * screen through the extension's test handle (ExtensionApi.inputs) and presses Enter and Back through the workbench's own
 * commands (workbench.action.acceptSelectedQuickOpenItem, workbench.action.quickInputBack), as the keys do.
 */
import * as assert from 'assert';
import { randomBytes } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import * as vscode from 'vscode';
import { Commands, ContextKeys, ContextValues, EXTENSION_ID, passwordKey } from '../../../src/constants';
import type { ExtensionApi } from '../../../src/extension';
import { MANAGEMENT_URL, TestVhost, freshVhost, until } from '../../support/broker';
import { treeAccess } from '../../support/tree';

type Node = { id: string };
type Input = vscode.InputBox | vscode.QuickPick<vscode.QuickPickItem & { value: unknown }>;
const KEY = 'notifications.info';
const box = (i: Input) => i as vscode.InputBox;

describe('Multi-step inputs: Add / Edit Broker, Create Worker Pool; the local-pools context key', function () {
  this.timeout(120_000);
  let api: ExtensionApi;
  let vh: TestVhost;
  const tag = randomBytes(4).toString('hex');
  const user = `rmqp-test-inputs-${tag}`;
  const password1 = `S3cret-in-one-${randomBytes(6).toString('hex')}`;
  const password2 = `S3cret-in-two-${randomBytes(6).toString('hex')}`;
  const name = `inputs-${tag}`;

  const config = () => vscode.workspace.getConfiguration('rabbitmqPools');
  const { tree, kids, item, label } = treeAccess<Node>(() => api);
  const setPassword = (pw: string) => vh.client.request('PUT', `api/users/${encodeURIComponent(user)}`, { password: pw, tags: 'management' });
  const settingsFile = () => path.join(api.services.context.globalStorageUri.fsPath, '..', '..', 'settings.json');

  async function child(parent: Node | undefined, text: string): Promise<Node> {
    const c = await kids(parent);
    const found = c.find((n) => label(n) === text);
    assert.ok(found, `no "${text}" under ${parent?.id ?? 'the root'}; found: ${c.map((n) => `${label(n)} [${item(n).contextValue}]`).join(' | ')}`);
    return found;
  }

  /** The quick input showing step `step` (a new one, not `previous`), once its items are loaded. */
  function stepShown(step: number, what: string, previous?: Input): Promise<Input> {
    return until(() => {
      const c = api.inputs.current as Input | undefined;
      return c && c !== previous && c.step === step && !c.busy ? c : undefined;
    }, `step ${step} (${what}) of the quick input; on screen: ${JSON.stringify({ title: api.inputs.current?.title, step: api.inputs.current?.step })}`, 15_000);
  }

  /** The extension host sends quick input changes to the workbench on the next tick: let them arrive before a key press. */
  const settle = () => new Promise((r) => setTimeout(r, 150));

  /** Types `value` into the input box (replacing what is there) and presses Enter. */
  async function enter(input: Input, value?: string): Promise<void> {
    if (value !== undefined) { input.value = value; }
    await settle();
    await vscode.commands.executeCommand('workbench.action.acceptSelectedQuickOpenItem');
  }

  /** Highlights the item with this label in the quick pick and presses Enter. */
  async function choose(input: Input, itemLabel: string): Promise<void> {
    const qp = input as vscode.QuickPick<vscode.QuickPickItem & { value: unknown }>;
    const it = qp.items.find((i) => i.label === itemLabel);
    assert.ok(it, `no item "${itemLabel}" in "${qp.title}": ${qp.items.map((i) => i.label).join(', ')}`);
    qp.activeItems = [it];
    await enter(input);
  }

  async function back(): Promise<void> {
    await settle();
    await vscode.commands.executeCommand('workbench.action.quickInputBack');
  }

  before(async () => {
    api = await vscode.extensions.getExtension<ExtensionApi>(EXTENSION_ID)!.activate();
    await config().update('refreshSeconds', 0, vscode.ConfigurationTarget.Global);
    await config().update('brokers', undefined, vscode.ConfigurationTarget.Global);
    vh = await freshVhost('inputs');
    await setPassword(password1);
    await vh.client.putPermissions(vh.name, user);
    const ch = await (await vh.connect('inputs-setup')).createChannel();
    await ch.assertExchange('nova', 'topic', { durable: true });
  });

  afterEach(() => {
    // A failed test must not leave its quick input open for the next one.
    api.inputs.current?.hide();
  });

  after(async () => {
    for (const e of api.services.localPools.list().filter((x) => x.vhost === vh.name)) { await api.services.localPools.stop(e.id); }
    await api.services.context.secrets.delete(passwordKey(name));
    await config().update('brokers', undefined, vscode.ConfigurationTarget.Global);
    await config().update('refreshSeconds', undefined, vscode.ConfigurationTarget.Global);
    await vh?.client.request('DELETE', `api/users/${encodeURIComponent(user)}`).catch(() => undefined);
    await vh?.cleanup();
  });

  it('Add Broker: one input, step by step; Back keeps the value; a bad URL holds its step; settings without the password, the password in SecretStorage', async () => {
    const done = vscode.commands.executeCommand<boolean>(Commands.addBroker);

    let s = await stepShown(1, 'name');
    assert.strictEqual(s.title, 'Add Broker');
    assert.strictEqual(s.totalSteps, 6, 'name, AMQP URL, management URL, vhost, user name, password (no TLS step for amqp://)');
    assert.deepStrictEqual(s.buttons, [], 'no Back on the first step');
    await enter(s, name);

    s = await stepShown(2, 'AMQP URL', s);
    assert.strictEqual(s.value, 'amqp://127.0.0.1:5672');
    assert.ok(s.buttons.includes(vscode.QuickInputButtons.Back), 'Back on step 2');
    // Back: step 1 again, with the name entered.
    await back();
    s = await stepShown(1, 'name again', s);
    assert.strictEqual(s.value, name, 'Back kept the name');
    await enter(s);

    s = await stepShown(2, 'AMQP URL again', s);
    // A management URL where the AMQP URL goes: the step stays, with a message saying what is wrong.
    await enter(s, 'http://127.0.0.1:15672');
    await until(() => box(s).validationMessage, 'a validation message on the AMQP URL step');
    assert.match(String(box(s).validationMessage), /AMQP URL/);
    assert.strictEqual(api.inputs.current, s, 'the flow stayed on step 2');
    await enter(s, 'amqp://127.0.0.1:5672');

    s = await stepShown(3, 'management URL', s);
    assert.strictEqual(s.value, 'http://127.0.0.1:15672', 'derived from the AMQP URL');
    await enter(s, MANAGEMENT_URL);
    s = await stepShown(4, 'vhost', s);
    await enter(s, vh.name);
    s = await stepShown(5, 'user name', s);
    assert.strictEqual(s.value, 'guest');
    await enter(s, user);
    s = await stepShown(6, 'password', s);
    assert.strictEqual(box(s).password, true, 'the password is not shown while typed');
    assert.strictEqual(s.totalSteps, 6);
    await enter(s, password1);

    assert.strictEqual(await done, true, 'Add Broker saved the broker');
    assert.deepStrictEqual(config().inspect('brokers')?.globalValue, [
      { name, amqpUrl: `amqp://${user}@127.0.0.1:5672`, managementUrl: MANAGEMENT_URL, vhost: vh.name },
    ]);
    assert.strictEqual(await api.services.context.secrets.get(passwordKey(name)), password1);
    const onDisk = await until(() => { const t = fs.readFileSync(settingsFile(), 'utf8'); return t.includes(name) ? t : undefined; }, 'the broker in settings.json');
    assert.ok(!onDisk.includes(password1), 'the password is in settings.json');
  });

  it('Add Broker with an amqps:// URL adds a TLS step, and a CA file step when chosen; Escape saves nothing', async () => {
    const brokersBefore = JSON.stringify(config().inspect('brokers')?.globalValue);
    const done = vscode.commands.executeCommand<boolean>(Commands.addBroker);
    let s = await stepShown(1, 'name');
    await enter(s, `tls-${tag}`);
    s = await stepShown(2, 'AMQP URL', s);
    await enter(s, 'amqps://127.0.0.1:5671');
    s = await stepShown(3, 'management URL', s);
    assert.strictEqual(s.value, 'https://127.0.0.1:15671', 'derived from the amqps:// URL');
    await enter(s);
    s = await stepShown(4, 'vhost', s);
    await enter(s, '');
    s = await stepShown(5, 'TLS', s);
    assert.strictEqual(s.totalSteps, 7, 'a TLS step for amqps://');
    assert.strictEqual((s as vscode.QuickPick<vscode.QuickPickItem>).activeItems[0]?.label, 'Verify the certificate', 'verification on by default');
    await choose(s, 'Verify with a CA file…');
    s = await stepShown(6, 'CA file', s);
    assert.strictEqual(s.totalSteps, 8, 'and a step for the CA file');
    const missing = `/nonexistent-${tag}/ca.pem`;
    await enter(s, missing);
    await until(() => box(s).validationMessage, 'a validation message for a missing CA file');
    assert.match(String(box(s).validationMessage), new RegExp(`No file at "${missing}"`));
    await vscode.commands.executeCommand('workbench.action.closeQuickOpen');
    assert.strictEqual(await done, false, 'Escape cancels Add Broker');
    assert.strictEqual(api.inputs.current, undefined);
    assert.strictEqual(JSON.stringify(config().inspect('brokers')?.globalValue), brokersBefore, 'nothing saved');
  });

  it('Edit Broker from an authentication-failure node changes only the password: settings untouched, the secret replaced', async () => {
    // The broker's password changes under it: the tree shows an authentication failure that offers Edit Broker.
    await setPassword(password2);
    tree().refresh();
    const broker = await child(undefined, name);
    const err = await until(async () => (await kids(broker)).find((n) => item(n).contextValue === ContextValues.errorAuth),
      'an error.auth node under the broker');
    assert.match(label(err), new RegExp(`refused user "${user}"`));
    const menus = (vscode.extensions.getExtension(EXTENSION_ID)!.packageJSON as { contributes: { menus: Record<string, { command: string; when?: string; group?: string }[]> } }).contributes.menus;
    const editOnAuth = menus['view/item/context'].filter((m) => m.command === Commands.editBroker && m.when?.includes(`viewItem == ${ContextValues.errorAuth}`));
    assert.deepStrictEqual(editOnAuth.map((m) => m.group?.split('@')[0]).sort(), ['1_actions', 'inline'], 'Edit Broker inline and in the context menu of error.auth nodes');
    const retry = menus['view/item/context'].filter((m) => m.command === Commands.retry).map((m) => m.when ?? '');
    assert.ok(retry.length >= 2 && retry.every((w) => { const re = /viewItem =~ \/(.*)\/$/.exec(w); return re && new RegExp(re[1]).test(ContextValues.error) && new RegExp(re[1]).test(ContextValues.errorAuth); }),
      `Retry matches both error variants: ${retry.join(' | ')}`);

    const before = JSON.stringify(config().inspect('brokers')?.globalValue);
    const fileBefore = fs.readFileSync(settingsFile(), 'utf8');
    const done = vscode.commands.executeCommand<boolean>(Commands.editBroker, err);

    let s = await stepShown(1, 'what to change');
    assert.strictEqual(s.title, `Edit Broker "${name}"`);
    const qp = s as vscode.QuickPick<vscode.QuickPickItem & { value: unknown }>;
    assert.deepStrictEqual(qp.items.map((i) => i.label), ['Name', 'AMQP URL(s)', 'Management URL(s)', 'Vhost', 'TLS', 'User name', 'Password…', 'All fields']);
    assert.strictEqual(qp.activeItems[0]?.label, 'Password…', 'from an authentication failure, Password… is offered first');
    await choose(s, 'Password…');

    s = await stepShown(2, 'password', s);
    assert.strictEqual(s.totalSteps, 2, 'only what to change and the password');
    assert.strictEqual(box(s).password, true);
    assert.strictEqual(s.value, '', 'no stored password is shown');
    await enter(s, '');
    await until(() => box(s).validationMessage, 'a validation message for an empty new password');
    assert.strictEqual(api.inputs.current, s);
    await enter(s, password2);

    assert.strictEqual(await done, true, 'Edit Broker saved');
    assert.strictEqual(await api.services.context.secrets.get(passwordKey(name)), password2, 'the new password is in SecretStorage');
    assert.strictEqual(JSON.stringify(config().inspect('brokers')?.globalValue), before, 'the broker settings are unchanged');
    assert.strictEqual(fs.readFileSync(settingsFile(), 'utf8'), fileBefore, 'settings.json is unchanged');
    assert.ok(!fileBefore.includes(password2));
    // The tree reads with the new password: the vhost opens again.
    tree().refresh();
    const vhost = await until(async () => (await kids(await child(undefined, name))).find((n) => label(n) === vh.name), 'the vhost under the broker again');
    assert.deepStrictEqual((await kids(vhost)).map(label), ['Exchanges', 'Pools']);
  });

  it('Create Worker Pool from an exchange node: the exchange is not asked, Back keeps the pool name; the context key follows the local pools', async () => {
    const ours = () => api.services.localPools.list();
    assert.deepStrictEqual(ours().map((e) => e.id), [], 'no local pool runs before this test (another test left one running)');
    assert.strictEqual(api.poolsContext.value, false, `${ContextKeys.hasLocalPools} is false with no local pool`);
    const palette = (vscode.extensions.getExtension(EXTENSION_ID)!.packageJSON as { contributes: { menus: { commandPalette: { command: string; when?: string }[] } } }).contributes.menus.commandPalette;
    for (const id of [Commands.addWorker, Commands.stopWorker, Commands.stopPool]) {
      // Add Worker writes: it also leaves the palette when every broker is read-only (src/commands/writeCommands.ts).
      const expected = id === Commands.addWorker ? `${ContextKeys.hasLocalPools} && !${ContextKeys.allBrokersReadOnly}` : ContextKeys.hasLocalPools;
      assert.strictEqual(palette.find((m) => m.command === id)?.when, expected, `${id} is in the palette only while a local pool runs`);
    }

    const exchange = await child(await child(await child(await child(undefined, name), vh.name), 'Exchanges'), 'nova');
    const done = vscode.commands.executeCommand<{ pool: string; workers: string[] }>(Commands.createPool, exchange);

    let s = await stepShown(1, 'binding key');
    assert.strictEqual(s.totalSteps, 5, 'binding key, pool name, workers, prefetch, queue type (the exchange comes from the node)');
    assert.strictEqual(s.value, KEY);
    await enter(s);
    s = await stepShown(2, 'pool name', s);
    await enter(s, 'inputs-pool');
    s = await stepShown(3, 'workers', s);
    assert.strictEqual(s.value, '3');
    await enter(s, '0');
    await until(() => box(s).validationMessage, 'a validation message for 0 workers');
    assert.match(String(box(s).validationMessage), /whole number from 1 to/);
    await back();
    s = await stepShown(2, 'pool name again', s);
    assert.strictEqual(s.value, 'inputs-pool', 'Back kept the pool name');
    await enter(s);
    s = await stepShown(3, 'workers again', s);
    await enter(s, '2');
    s = await stepShown(4, 'prefetch', s);
    assert.strictEqual(s.value, '10');
    await enter(s, '5');
    s = await stepShown(5, 'queue type', s);
    await choose(s, 'classic');

    const r = await done;
    assert.strictEqual(r.pool, 'inputs-pool');
    assert.strictEqual(r.workers.length, 2);
    const entry = ours().find((e) => e.pool.name === 'inputs-pool');
    assert.ok(entry);
    assert.strictEqual(entry.vhost, vh.name);
    assert.deepStrictEqual(entry.pool.routingKeys, [KEY]);
    assert.strictEqual(entry.options.prefetch, 5);
    await until(() => api.poolsContext.value === true, `${ContextKeys.hasLocalPools} true with a local pool`);

    await vscode.commands.executeCommand(Commands.stopPool, { broker: name, vhost: vh.name, pool: 'inputs-pool', deleteQueue: true });
    await until(() => api.poolsContext.value === false, `${ContextKeys.hasLocalPools} false again once the pool stopped`);
  });

  it('scripted Create Worker Pool (an argument object) still asks nothing', async () => {
    const r = await vscode.commands.executeCommand<{ pool: string; workers: string[] }>(Commands.createPool,
      { broker: name, vhost: vh.name, exchange: 'nova', routingKey: KEY, pool: 'inputs-scripted', workers: 1 });
    assert.strictEqual(r.pool, 'inputs-scripted');
    assert.strictEqual(api.inputs.current, undefined, 'no quick input was opened');
    assert.strictEqual(api.poolsContext.value, true);
    await vscode.commands.executeCommand(Commands.stopPool, { broker: name, vhost: vh.name, pool: 'inputs-scripted', deleteQueue: true });
    assert.strictEqual(api.poolsContext.value, false);
  });
});
