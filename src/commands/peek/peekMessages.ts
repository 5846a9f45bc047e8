/**
 * Peek Messages…: up to N messages from the head of a pool (every one put back), opened as a read-only JSON document.
 * From a pool in the tree, the palette (pick a pool) or the Delivery Counts panel. The first peek of each pool (per broker)
 * asks first, stating what a peek does to that pool (peekRules.ts); a quorum pool with a delivery limit is asked every time.
 */
import * as vscode from 'vscode';
import { ManagementClient } from '../../broker/management';
import { PeekResult, peekMessages, peekPlan } from '../../broker/peek';
import { DEFAULT_PEEK_COUNT, MAX_PEEK_COUNT } from '../../broker/peekRules';
import { Commands } from '../../constants';
import type { Services } from '../../services';
import type { CommandDef } from '../command';
import { askWholeNumber, cancelled, isPoolArgs, targetFor } from '../pools/target';
import { peekDocuments } from './peekDocuments';

export const PEEK = 'Peek';
export const PEEK_ANYWAY = 'Peek Anyway';

export function peekConsentKey(broker: string, vhost: string, pool: string): string {
  return `rabbitmqPools.peekConsent.${JSON.stringify([broker, vhost, pool])}`;
}

/** What a scripted call (tests, other extensions) gets back. */
export interface PeekCommandResult { result: PeekResult; uri: string }

/** The vhost's pools from the live broker, for the palette. */
async function pickPool(client: ManagementClient, vhost: string): Promise<string> {
  const queues = await client.queues(vhost, ['name', 'messages', 'type']);
  if (!queues.length) {
    void vscode.window.showInformationMessage(`The vhost "${vhost}" has no pools to peek.`);
    return cancelled();
  }
  const pick = await vscode.window.showQuickPick(
    queues.map((q) => ({ label: q.name, description: `${q.type ?? 'classic'} · ${q.messages ?? 0} messages` })),
    { placeHolder: 'Peek which pool?', matchOnDescription: true });
  return pick?.label ?? cancelled();
}

export const peekMessagesCommand: CommandDef = {
  id: Commands.peekMessages,
  title: 'Peek Messages',
  async run(s: Services, arg?: unknown): Promise<PeekCommandResult | undefined> {
    const t = await targetFor(s, arg);
    if (!t) { return undefined; }
    // The panel passes its selection with `interactive: true`: asked like a click in the tree.
    const scripted = isPoolArgs(arg) && (arg as { interactive?: unknown }).interactive !== true;
    const a = t.args as typeof t.args & { acceptDeliveryCount?: boolean };
    const client = new ManagementClient(t.config);
    try {
      const pool = a.pool ?? await pickPool(client, t.config.vhost);
      const plan = await peekPlan(client, t.config.vhost, pool);
      const count = a.count ?? (scripted ? DEFAULT_PEEK_COUNT
        : await askWholeNumber('Peek Messages', `How many messages from the head of "${pool}"? (1–${MAX_PEEK_COUNT}; all are put back)`, DEFAULT_PEEK_COUNT, 1, MAX_PEEK_COUNT));
      let accept = a.acceptDeliveryCount === true;
      if (!scripted) {
        const key = peekConsentKey(t.config.name, t.config.vhost, pool);
        if (plan.sideEffects.needsConsent || !s.context.globalState.get<boolean>(key)) {
          const action = plan.sideEffects.needsConsent ? PEEK_ANYWAY : PEEK;
          const ok = await s.prompts.confirm(`Peek up to ${count} messages of pool "${pool}" (${plan.queueType})?`, plan.sideEffects.summary, action);
          if (!ok) { return undefined; }
          accept = plan.sideEffects.needsConsent;
          if (!plan.sideEffects.needsConsent) { await s.context.globalState.update(key, true); }
        }
      }
      const result = await vscode.window.withProgress(
        { location: vscode.ProgressLocation.Notification, title: `Peeking ${count} messages of pool "${pool}"`, cancellable: true },
        async (progress, token) => {
          const ac = new AbortController();
          const sub = token.onCancellationRequested(() => ac.abort());
          try {
            return await peekMessages(t.config, client, {
              pool, count, acceptDeliveryCount: accept, signal: ac.signal,
              onProgress: (n, total) => progress.report({ increment: 100 / total, message: `${n} of ${total}` }),
            });
          } finally {
            sub.dispose();
          }
        });
      const docs = peekDocuments(s.context);
      const uri = docs.add(pool, JSON.stringify({ broker: t.config.name, ...result }, null, 2) + '\n');
      const doc = await vscode.workspace.openTextDocument(uri);
      await vscode.window.showTextDocument(doc, { preview: false });
      s.log.info(`Peeked ${result.messages.length} of ${count} messages of pool "${pool}" in vhost "${t.config.vhost}" on broker "${t.config.name}"${result.cancelled ? ' (cancelled)' : ''}`);
      if (result.pastDeliveryLimit > 0) {
        void vscode.window.showWarningMessage(`${result.pastDeliveryLimit} peeked message(s) of "${pool}" passed the delivery limit (${plan.deliveryLimit}) and were dead-lettered or dropped by the broker.`);
      } else if (!result.messages.length) {
        void vscode.window.showInformationMessage(`Pool "${pool}" has no ready messages to peek.`);
      }
      return { result, uri: uri.toString() };
    } finally {
      client.dispose();
    }
  },
};
