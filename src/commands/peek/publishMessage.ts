/**
 * Publish Message…: publishes the one message of a JSON template (broker/messageTemplate.ts) with a publisher confirm.
 * Run with a template open in the active editor, it publishes that; otherwise it opens an example template to edit (the
 * exchange and key of the tree node it was run on) and says how to send it. The shared-broker consent and read-only
 * refusal of every publish apply (safePublish.ts). Scripts pass `{ broker?, vhost?, template }` (text or object).
 */
import * as vscode from 'vscode';
import { parseTemplate, templateText } from '../../broker/messageTemplate';
import { PublishMessageResult, publishMessage } from '../../broker/publishMessage';
import { assertWritable } from '../../broker/receivers';
import { Commands } from '../../constants';
import type { Services } from '../../services';
import type { CommandDef } from '../command';
import { confirmPublish } from '../pools/safePublish';
import { DEFAULT_ROUTING_KEY, isPoolArgs, targetFor } from '../pools/target';

/** The active editor's text when it looks like a message template (a JSON object with "exchange" and "routingKey"). */
function activeTemplate(): string | undefined {
  const doc = vscode.window.activeTextEditor?.document;
  if (!doc) { return undefined; }
  const text = doc.getText();
  try {
    const v = JSON.parse(text) as Record<string, unknown>;
    return v && typeof v === 'object' && 'exchange' in v && 'routingKey' in v ? text : undefined;
  } catch {
    return undefined;
  }
}

export const publishMessageCommand: CommandDef = {
  id: Commands.publishMessage,
  title: 'Publish Message',
  async run(s: Services, arg?: unknown): Promise<PublishMessageResult | undefined> {
    const scripted = isPoolArgs(arg) && (arg as { interactive?: unknown }).interactive !== true;
    const given = scripted ? (arg as { template?: unknown }).template : undefined;
    const t = await targetFor(s, arg);
    if (!t) { return undefined; }
    assertWritable(t.config, 'Publish Message');
    const text = typeof given === 'string' ? given : given !== undefined ? JSON.stringify(given) : activeTemplate();
    if (text === undefined) {
      const doc = await vscode.workspace.openTextDocument({ language: 'json', content: templateText(t.args.exchange ?? 'nova', t.args.routingKey ?? DEFAULT_ROUTING_KEY) });
      await vscode.window.showTextDocument(doc, { preview: false });
      void vscode.window.showInformationMessage('Edit the message template, then run "RabbitMQ: Publish Message…" again with it open to send it.');
      return undefined;
    }
    const plan = parseTemplate(text);
    const headers = plan.options.headers as Record<string, string | number | boolean> | undefined;
    if (!await confirmPublish(s, t.config, { what: 'Publish Message', exchange: plan.exchange, routingKey: plan.routingKey, count: 1, headers }, !scripted)) { return undefined; }
    const r = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: `Publishing 1 message to ${plan.exchange || '(default exchange)'} / ${plan.routingKey}` },
      () => publishMessage(t.config, plan));
    s.log.info(`Published message ${r.messageId} (${r.bytes} bytes) to ${r.exchange} / ${r.routingKey} on broker "${t.config.name}": ${r.confirmed ? 'confirmed' : 'nacked'}${r.routed ? '' : ', unroutable'}`);
    if (!scripted) {
      if (!r.confirmed) {
        void vscode.window.showErrorMessage(`The broker refused (nacked) the message to ${r.exchange} / ${r.routingKey}: check queue length limits and the broker's alarms.`);
      } else if (!r.routed) {
        void vscode.window.showWarningMessage(`The message was confirmed but unroutable: no pool is bound to "${r.routingKey}" on "${r.exchange || '(default exchange)'}".`);
      } else {
        void vscode.window.showInformationMessage(`Published 1 message (${r.bytes} bytes) to ${r.exchange || '(default exchange)'} / ${r.routingKey}: confirmed.`);
      }
    }
    s.tree.refresh();
    return r;
  },
};
