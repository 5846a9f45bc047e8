/**
 * The base of every node of the Brokers tree: one class per node kind (brokerNode.ts, vhostNode.ts, …).
 *
 * Ids are paths of `kind:name` segments from the broker down (`b:local/v:%2F/ex/e:nova/k:notifications.info/p:audit`), so
 * they stay the same across refreshes and VS Code keeps expansion and selection; the same pool under two binding keys
 * gets two ids. Names are percent-encoded so that "/" or ":" in a name cannot collide with the separators.
 */
import * as vscode from 'vscode';
import type { BrokerSession } from '../../viewModel/brokerSession';

export abstract class TreeNode {
  readonly id: string;

  constructor(readonly parent: TreeNode | undefined, segment: string) {
    this.id = parent ? `${parent.id}/${segment}` : segment;
  }

  abstract getTreeItem(): vscode.TreeItem;

  /** Children; a thrown error becomes an error node with Retry (the provider catches it). */
  getChildren(): Promise<TreeNode[]> {
    return Promise.resolve([]);
  }

  /** The object's own name, for Copy Name; undefined when the node is not a broker object. */
  get objectName(): string | undefined { return undefined; }

  /** The broker session this node belongs to. */
  get session(): BrokerSession | undefined { return this.parent?.session; }

  /** The page of the broker's management UI that shows this object. */
  managementUrl(): string | undefined { return undefined; }

  protected item(label: string, state: vscode.TreeItemCollapsibleState, contextValue: string, icon?: string | vscode.ThemeIcon): vscode.TreeItem {
    const item = new vscode.TreeItem(label, state);
    item.id = this.id;
    item.contextValue = this.session?.config.readOnly === true && READ_ONLY_KINDS.test(contextValue) ? `${contextValue}.readOnly` : contextValue;
    if (icon) { item.iconPath = typeof icon === 'string' ? new vscode.ThemeIcon(icon) : icon; }
    return item;
  }
}

/** The items of a read-only broker that carry the `.readOnly` token (src/constants.ts): the broker's own objects. */
const READ_ONLY_KINDS = /^rabbitmqPools\.(broker|vhost|exchangesFolder|poolsFolder|exchange|bindingKey|pool|poolBinding|worker|deadLetterPath|deadLetterSources)(\.|$)/;

export function segment(kind: string, name: string): string {
  return `${kind}:${encodeURIComponent(name)}`;
}

/** A Markdown tooltip that cannot run anything: not trusted, no HTML; callers escape every value (model/text.ts). */
export function tooltip(markdown: string): vscode.MarkdownString {
  const md = new vscode.MarkdownString(markdown, true);
  md.isTrusted = false;
  md.supportHtml = false;
  return md;
}
