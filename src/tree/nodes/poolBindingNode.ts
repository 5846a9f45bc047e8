/** One binding of a pool (source exchange + routing key), under Pools → pool. */
import * as vscode from 'vscode';
import type { ApiBinding } from '../../broker/management';
import { bindingGroupKey } from '../../broker/topology';
import { ContextValues } from '../../constants';
import type { BrokerSession } from '../../viewModel/brokerSession';
import { TooltipBuilder, plainLabel } from '../../viewModel/text';
import { TreeNode, segment, tooltip } from './treeNode';

export class PoolBindingNode extends TreeNode {
  constructor(parent: TreeNode, private readonly sessionValue: BrokerSession, readonly vhost: string, readonly binding: ApiBinding) {
    super(parent, segment('bind', `${binding.source}\u0000${bindingGroupKey(binding.routing_key, binding.arguments)}`));
  }

  override get session(): BrokerSession { return this.sessionValue; }
  override get objectName(): string { return this.binding.routing_key; }
  override managementUrl(): string { return this.sessionValue.client.uiUrl('exchange', this.vhost, this.binding.source); }

  getTreeItem(): vscode.TreeItem {
    const b = this.binding;
    const source = b.source === '' ? '(default exchange)' : plainLabel(b.source, 60);
    const item = this.item(`${source} → ${b.routing_key === '' ? '(empty key)' : plainLabel(b.routing_key, 80)}`, vscode.TreeItemCollapsibleState.None, ContextValues.poolBinding, 'link');
    item.description = 'binding';
    const args = b.arguments && Object.keys(b.arguments).length ? JSON.stringify(b.arguments) : undefined;
    item.tooltip = tooltip(new TooltipBuilder().title('Binding', 'link').field('Exchange', b.source || '(default exchange)')
      .field('Routing key', b.routing_key || '(empty)').field('Arguments', args).field('Pool', b.destination).build());
    return item;
  }
}
