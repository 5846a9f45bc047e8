/** Shared helpers: which broker or pool a command is about, from the tree node it was run on or from a quick pick. */
import * as vscode from 'vscode';
import { BrokerEntry } from '../settings/brokerStore';
import type { Services } from '../services';
import { BrokerNode } from '../tree/nodes/brokerNode';
import { TreeNode } from '../tree/nodes/treeNode';

/** The broker a command applies to: the node's broker, a name given by a script, or one picked from a list. */
export async function brokerEntryFor(s: Services, arg: unknown, placeHolder: string, includeDefault = true): Promise<BrokerEntry | undefined> {
  if (arg instanceof TreeNode) {
    let n: TreeNode | undefined = arg;
    while (n && !(n instanceof BrokerNode)) { n = n.parent; }
    if (n instanceof BrokerNode) { return n.entry; }
  }
  if (typeof arg === 'string') { return s.store.find(arg); }
  if (arg && typeof arg === 'object' && typeof (arg as { name?: unknown }).name === 'string') { return s.store.find((arg as { name: string }).name); }
  const entries = s.store.list().filter((e) => includeDefault || e.source !== 'default');
  if (!entries.length) {
    void vscode.window.showInformationMessage('No broker is configured: add one with "RabbitMQ: Add Broker".');
    return undefined;
  }
  if (entries.length === 1) { return entries[0]; }
  const pick = await vscode.window.showQuickPick(entries.map((e) => ({ label: e.setting.name, description: e.setting.amqpUrl, entry: e })), { placeHolder });
  return pick?.entry;
}

export function nodeArg<T extends TreeNode>(arg: unknown, cls: abstract new (...a: never[]) => T): T | undefined {
  return arg instanceof cls ? arg : undefined;
}
