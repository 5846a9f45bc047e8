/** A binding key of one exchange: the pools bound with it (their details in one filtered request) and exchange-to-exchange bindings. */
import * as vscode from 'vscode';
import { BindingGroup, bindingGroupKey } from '../../broker/topology';
import { ContextValues } from '../../constants';
import type { BrokerSession } from '../../viewModel/brokerSession';
import { TooltipBuilder, plainLabel, plural } from '../../viewModel/text';
import { InfoNode } from './messageNodes';
import { poolNodeFor, unlistedLocalPools } from './localPoolNode';
import { TreeNode, segment, tooltip } from './treeNode';

export class BindingKeyNode extends TreeNode {
  constructor(parent: TreeNode, private readonly sessionValue: BrokerSession, readonly vhost: string, readonly exchange: string, readonly binding: BindingGroup) {
    super(parent, segment('k', bindingGroupKey(binding.routingKey, binding.arguments)));
  }

  override get session(): BrokerSession { return this.sessionValue; }
  override get objectName(): string { return this.binding.routingKey; }
  override managementUrl(): string { return this.sessionValue.client.uiUrl('exchange', this.vhost, this.exchange); }

  private get args(): string {
    const a = this.binding.arguments;
    return Object.keys(a).length ? JSON.stringify(a) : '';
  }

  getTreeItem(): vscode.TreeItem {
    const b = this.binding;
    const label = b.routingKey === '' ? '(empty key)' : plainLabel(b.routingKey);
    const item = this.item(label, vscode.TreeItemCollapsibleState.Collapsed, ContextValues.bindingKey, 'key');
    const parts = [plural(b.pools.length, 'pool')];
    if (b.exchanges.length) { parts.push(plural(b.exchanges.length, 'exchange')); }
    if (this.args) { parts.push(plainLabel(this.args, 60)); }
    item.description = parts.join(' · ');
    const t = new TooltipBuilder().title(b.routingKey === '' ? '(empty key)' : b.routingKey, 'key').field('Exchange', this.exchange)
      .field('Arguments', this.args || undefined).field('Pools', b.pools.map((p) => p.name).join(', ') || 'none')
      .field('Exchanges', b.exchanges.join(', ') || undefined);
    if (b.pools.length > 1) { t.text('A message published with this key reaches every pool once; inside a pool one worker gets it.'); }
    item.tooltip = tooltip(t.build());
    return item;
  }

  async getChildren(): Promise<TreeNode[]> {
    const b = this.binding;
    const { pools, missing } = await this.sessionValue.vhost(this.vhost).pools(b.pools.map((p) => p.name));
    const out: TreeNode[] = pools.map((p) => poolNodeFor(this, this.sessionValue, this.vhost, p, 'binding', missing.has(p.name)));
    // Local pools just created with this key: shown before the broker's binding list has them.
    const unlisted = unlistedLocalPools(this.sessionValue, this.vhost, pools.map((p) => p.name), { exchange: this.exchange, routingKey: b.routingKey });
    out.push(...unlisted.map((p) => poolNodeFor(this, this.sessionValue, this.vhost, p, 'binding', true)));
    for (const x of b.exchanges) { out.push(new InfoNode(this, `→ exchange ${plainLabel(x)}`, 'arrow-right', segment('x', x))); }
    return out.length ? out : [new InfoNode(this, 'No pools bound with this key')];
  }
}
