/** A vhost, with two folders: Exchanges (exchange → binding key → pool → worker) and Pools (every queue in one place). */
import * as vscode from 'vscode';
import { ContextValues } from '../../constants';
import type { BrokerSession } from '../../viewModel/brokerSession';
import { TooltipBuilder, plainLabel } from '../../viewModel/text';
import { ExchangesFolderNode, PoolsFolderNode } from './folderNodes';
import { TreeNode, segment, tooltip } from './treeNode';

export class VhostNode extends TreeNode {
  constructor(parent: TreeNode, private readonly sessionValue: BrokerSession, readonly vhost: string, private readonly only: boolean) {
    super(parent, segment('v', vhost));
  }

  override get session(): BrokerSession { return this.sessionValue; }
  override get objectName(): string { return this.vhost; }
  override managementUrl(): string { return this.sessionValue.client.uiUrl('vhost', this.vhost); }

  getTreeItem(): vscode.TreeItem {
    const state = this.only ? vscode.TreeItemCollapsibleState.Expanded : vscode.TreeItemCollapsibleState.Collapsed;
    const item = this.item(plainLabel(this.vhost), state, ContextValues.vhost, 'folder-library');
    item.description = 'vhost';
    item.tooltip = tooltip(new TooltipBuilder().title(this.vhost, 'folder-library').field('vhost on', this.sessionValue.name).build());
    return item;
  }

  async getChildren(): Promise<TreeNode[]> {
    await this.sessionValue.vhost(this.vhost).info(); // a vanished vhost or a missing permission shows here, once
    return [new ExchangesFolderNode(this, this.sessionValue, this.vhost), new PoolsFolderNode(this, this.sessionValue, this.vhost)];
  }
}
