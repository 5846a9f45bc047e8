/** Leaf nodes that are not broker objects: an error with Retry, an info line for an empty level, and "Load more…". */
import * as vscode from 'vscode';
import { BrokerError, describeError } from '../../broker/errors';
import { Commands, ContextValues } from '../../constants';
import { TooltipBuilder, plainLabel } from '../../viewModel/text';
import { TreeNode, tooltip } from './treeNode';

/** A failure shown in place of a level's children. Clicking it (or its inline Retry) asks the parent again. */
export class ErrorNode extends TreeNode {
  readonly message: string;
  readonly kind: string;

  constructor(parent: TreeNode | undefined, readonly error: unknown) {
    super(parent, 'error');
    this.message = describeError(error);
    this.kind = error instanceof BrokerError ? error.kind : 'error';
  }

  /**
   * What Edit Broker fixes here, when the failure's hint says "Edit Broker": the password for a refused login, the vhost for
   * one that is missing or not permitted; undefined for other failures (those offer Retry only).
   */
  get brokerFix(): 'password' | 'vhost' | 'settings' | undefined {
    const e = this.error;
    if (!(e instanceof BrokerError)) { return undefined; }
    if (e.kind === 'auth') { return 'password'; }
    if (!/\bEdit Broker\b/.test(e.hint)) { return undefined; }
    return /\bvhost\b/i.test(e.message) ? 'vhost' : 'settings';
  }

  getTreeItem(): vscode.TreeItem {
    const e = this.error;
    const short = e instanceof BrokerError ? e.message : this.message;
    const item = this.item(plainLabel(short, 200), vscode.TreeItemCollapsibleState.None, this.brokerFix ? ContextValues.errorAuth : ContextValues.error,
      new vscode.ThemeIcon('error', new vscode.ThemeColor('errorForeground')));
    item.description = 'Retry';
    const t = new TooltipBuilder().title('Failed', 'error').text(short);
    if (e instanceof BrokerError && e.hint) { t.text(e.hint); }
    t.text(this.brokerFix ? 'Click to retry, or fix it with Edit Broker (the pencil). The "RabbitMQ Pools" output channel has the details.'
      : 'Click to retry. The "RabbitMQ Pools" output channel has the details.');
    item.tooltip = tooltip(t.build());
    item.command = { command: Commands.retry, title: 'Retry', arguments: [this] };
    return item;
  }
}

export class InfoNode extends TreeNode {
  constructor(parent: TreeNode | undefined, readonly text: string, private readonly icon = 'info', key = 'info', private readonly action?: vscode.Command) {
    super(parent, key);
  }

  getTreeItem(): vscode.TreeItem {
    const item = this.item(this.text, vscode.TreeItemCollapsibleState.None, ContextValues.info, this.icon);
    item.tooltip = this.action?.tooltip ?? this.text;
    if (this.action) { item.command = this.action; }
    return item;
  }
}

/** Anything that shows a paged level: the folder that owns the list. */
export interface Pageable {
  loadMore(): void;
}

export class LoadMoreNode extends TreeNode {
  constructor(readonly owner: TreeNode & Pageable, private readonly shown: number, private readonly matching: number) {
    super(owner, 'loadMore');
  }

  getTreeItem(): vscode.TreeItem {
    const item = this.item('Load more…', vscode.TreeItemCollapsibleState.None, ContextValues.loadMore, 'ellipsis');
    item.description = `${this.shown.toLocaleString('en-US')} of ${this.matching.toLocaleString('en-US')} shown`;
    item.tooltip = `Show the next page (rabbitmqPools.pageSize items). ${this.shown} of ${this.matching} are shown.`;
    item.command = { command: Commands.loadMore, title: 'Load more', arguments: [this] };
    return item;
  }
}

export class AddBrokerNode extends TreeNode {
  constructor() {
    super(undefined, 'addBroker');
  }

  getTreeItem(): vscode.TreeItem {
    const item = this.item('Add Broker…', vscode.TreeItemCollapsibleState.None, ContextValues.addBroker, 'add');
    item.description = 'none configured: showing the local broker';
    item.tooltip = 'Add a broker (its password goes to VS Code\'s secret storage). Until then the local broker is shown.';
    item.command = { command: Commands.addBroker, title: 'Add Broker' };
    return item;
  }
}
