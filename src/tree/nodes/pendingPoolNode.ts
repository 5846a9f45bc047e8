/**
 * A pool under a binding key drawn from its name alone, while its details (depths, workers, type) are read: a key of 500
 * pools shows its first page of names as soon as the exchange's bindings are known. When the details arrive the binding
 * key redraws and this node is replaced by a PoolNode with the same id (VS Code keeps its expansion and selection).
 */
import * as vscode from 'vscode';
import { ContextValues } from '../../constants';
import type { BrokerSession } from '../../viewModel/brokerSession';
import { TooltipBuilder, plainLabel } from '../../viewModel/text';
import { poolNodeFor } from './localPoolNode';
import { TreeNode, segment, tooltip } from './treeNode';

export class PendingPoolNode extends TreeNode {
  constructor(parent: TreeNode, private readonly sessionValue: BrokerSession, readonly vhost: string, readonly name: string) {
    super(parent, segment('p', name));
  }

  override get session(): BrokerSession { return this.sessionValue; }
  override get objectName(): string { return this.name; }
  override managementUrl(): string { return this.sessionValue.client.uiUrl('queue', this.vhost, this.name); }

  getTreeItem(): vscode.TreeItem {
    const item = this.item(plainLabel(this.name), vscode.TreeItemCollapsibleState.Collapsed, ContextValues.poolPending, 'inbox');
    item.description = 'reading details…';
    item.tooltip = tooltip(new TooltipBuilder().title(this.name, 'inbox').field('vhost', this.vhost)
      .text('Its depths and workers are being read from the management API; this line updates when they arrive.').build());
    return item;
  }

  /** Expanded before its details arrived: waits for this one pool, then shows what a PoolNode shows. */
  override async getChildren(): Promise<TreeNode[]> {
    const { pools, missing } = await this.sessionValue.vhost(this.vhost).pools([this.name]);
    return poolNodeFor(this.parent!, this.sessionValue, this.vhost, pools[0], 'binding', missing.has(this.name)).getChildren();
  }
}
