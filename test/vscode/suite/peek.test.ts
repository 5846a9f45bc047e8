/**
 * Peek Messages… and Publish Message… in the extension host: a scripted peek opens a read-only JSON document naming the
 * pool with the oslo fields, and leaves the pool as it was; an unknown pool opens nothing; Publish Message… sends a
 * template's message, and a read-only broker refuses it (depth unchanged).
 */
import * as assert from 'assert';
import * as vscode from 'vscode';
import type { Channel } from 'amqplib';
import { Commands, EXTENSION_ID } from '../../../src/constants';
import type { ExtensionApi } from '../../../src/extension';
import { encodeBuffer, makeNotification } from '../../../src/broker/oslo';
import type { PeekCommandResult } from '../../../src/commands/peek/peekMessages';
import { PEEK_SCHEME } from '../../../src/commands/peek/peekDocuments';
import { AMQP_URL, MANAGEMENT_URL, TestVhost, freshVhost, until } from '../../support/broker';

const BROKER = 'peek-test';
const READ_ONLY = 'peek-test-read-only';

describe('Peek Messages and Publish Message', function () {
  this.timeout(60_000);
  let v: TestVhost;
  let ch: Channel;
  let previousBrokers: unknown;
  const config = () => vscode.workspace.getConfiguration('rabbitmqPools');
  const depth = async (q: string) => (await ch.checkQueue(q)).messageCount;

  before(async () => {
    await vscode.extensions.getExtension<ExtensionApi>(EXTENSION_ID)!.activate();
    v = await freshVhost('vscode-peek');
    ch = await (await v.connect('peek-setup')).createChannel();
    await ch.assertExchange('nova', 'topic', { durable: true });
    await ch.assertQueue('ceilometer', { durable: true });
    await ch.bindQueue('ceilometer', 'nova', 'notifications.info');
    for (const e of ['compute.instance.create.end', 'compute.instance.delete.end']) {
      ch.sendToQueue('ceilometer', encodeBuffer(makeNotification({ event_type: e, publisher_id: 'compute.host1' })), { contentType: 'application/json' });
    }
    await until(async () => (await depth('ceilometer')) === 2, 'two notifications queued');
    previousBrokers = config().inspect('brokers')?.globalValue;
    const amqpUrl = AMQP_URL.replace(/\/\/([^:@/]*)(:[^@/]*)?@/, '//$1@');
    await config().update('brokers', [
      { name: BROKER, amqpUrl, managementUrl: MANAGEMENT_URL, vhost: v.name },
      { name: READ_ONLY, amqpUrl, managementUrl: MANAGEMENT_URL, vhost: v.name, readOnly: true },
    ], vscode.ConfigurationTarget.Global);
  });

  after(async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    await config().update('brokers', previousBrokers, vscode.ConfigurationTarget.Global);
    await v.cleanup();
  });

  it('a scripted peek opens a read-only JSON document with the oslo event types; the pool keeps its messages', async () => {
    const r = await vscode.commands.executeCommand<PeekCommandResult>(Commands.peekMessages, { broker: BROKER, vhost: v.name, pool: 'ceilometer', count: 5 });
    assert.ok(r, 'the peek returned its result');
    assert.deepStrictEqual(r.result.messages.map((m) => m.oslo?.event_type), ['compute.instance.create.end', 'compute.instance.delete.end']);
    const doc = vscode.workspace.textDocuments.find((d) => d.uri.toString() === r.uri);
    assert.ok(doc, 'the document is open');
    assert.strictEqual(doc.uri.scheme, PEEK_SCHEME);
    assert.strictEqual(doc.languageId, 'json');
    assert.match(doc.uri.path, /Peek ceilometer\.json$/);
    const json = JSON.parse(doc.getText()) as { broker: string; pool: string; vhost: string; messages: { oslo: { event_type: string } }[] };
    assert.strictEqual(json.broker, BROKER);
    assert.strictEqual(json.pool, 'ceilometer');
    assert.strictEqual(json.vhost, v.name);
    assert.strictEqual(json.messages[1].oslo.event_type, 'compute.instance.delete.end');
    assert.strictEqual(vscode.window.activeTextEditor?.document.uri.toString(), r.uri, 'shown in the active editor');
    // A content provider's document cannot be saved over: VS Code opens it read-only.
    assert.strictEqual(vscode.workspace.fs.isWritableFileSystem(PEEK_SCHEME), undefined);
    assert.strictEqual(await depth('ceilometer'), 2);
  });

  it('an unknown pool or a count out of range opens no document', async () => {
    const before = vscode.workspace.textDocuments.filter((d) => d.uri.scheme === PEEK_SCHEME).length;
    assert.strictEqual(await vscode.commands.executeCommand(Commands.peekMessages, { broker: BROKER, vhost: v.name, pool: 'no-such-pool' }), undefined);
    assert.strictEqual(await vscode.commands.executeCommand(Commands.peekMessages, { broker: BROKER, vhost: v.name, pool: 'ceilometer', count: 10_000_000 }), undefined);
    assert.strictEqual(vscode.workspace.textDocuments.filter((d) => d.uri.scheme === PEEK_SCHEME).length, before);
    assert.strictEqual(await depth('ceilometer'), 2);
  });

  it('Publish Message sends a template\'s message; a read-only broker refuses it and nothing arrives', async () => {
    const template = { exchange: 'nova', routingKey: 'notifications.info', oslo: { event_type: 'compute.instance.reboot.end', publisher_id: 'compute.host2' } };
    assert.strictEqual(await vscode.commands.executeCommand(Commands.publishMessage, { broker: READ_ONLY, vhost: v.name, template }), undefined);
    assert.strictEqual(await depth('ceilometer'), 2, 'nothing was published on the read-only broker');
    const r = await vscode.commands.executeCommand<{ confirmed: boolean; routed: boolean }>(Commands.publishMessage, { broker: BROKER, vhost: v.name, template });
    assert.ok(r && r.confirmed && r.routed, JSON.stringify(r));
    await until(async () => (await depth('ceilometer')) === 3, 'the published message queued');
    const peek = await vscode.commands.executeCommand<PeekCommandResult>(Commands.peekMessages, { broker: BROKER, vhost: v.name, pool: 'ceilometer', count: 3 });
    assert.strictEqual(peek.result.messages[2].oslo?.event_type, 'compute.instance.reboot.end');
  });

  it('Publish Message… without a template open opens the example; run again with it open, it publishes that', async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    const before = await depth('ceilometer');
    const args = { broker: BROKER, vhost: v.name, exchange: 'nova', routingKey: 'notifications.info', interactive: true };
    assert.strictEqual(await vscode.commands.executeCommand(Commands.publishMessage, args), undefined);
    const editor = vscode.window.activeTextEditor;
    assert.ok(editor, 'the example template is open');
    assert.strictEqual(editor.document.languageId, 'json');
    const example = JSON.parse(editor.document.getText()) as { exchange: string; routingKey: string; oslo: { event_type: string } };
    assert.deepStrictEqual([example.exchange, example.routingKey], ['nova', 'notifications.info'], 'the node\'s exchange and key');
    assert.strictEqual(await depth('ceilometer'), before, 'opening the example sent nothing');
    await editor.edit((e) => e.replace(new vscode.Range(0, 0, editor.document.lineCount, 0),
      JSON.stringify({ ...example, oslo: { ...example.oslo, event_type: 'compute.instance.shelve.end' } })));
    const r = await vscode.commands.executeCommand<{ confirmed: boolean; routed: boolean }>(Commands.publishMessage, { broker: BROKER, vhost: v.name, interactive: true });
    assert.ok(r && r.confirmed && r.routed, JSON.stringify(r));
    await until(async () => (await depth('ceilometer')) === before + 1, 'the edited template\'s message queued');
    const peek = await vscode.commands.executeCommand<PeekCommandResult>(Commands.peekMessages, { broker: BROKER, vhost: v.name, pool: 'ceilometer', count: 10 });
    assert.strictEqual(peek.result.messages[before].oslo?.event_type, 'compute.instance.shelve.end');
    // The example is an untitled, edited document: revert it so that closing it asks nothing.
    await vscode.window.showTextDocument(editor.document);
    await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
  });
});
