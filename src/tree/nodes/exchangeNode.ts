/** An exchange (type, durable); its binding keys are fetched when it is expanded: one request for this exchange only. */
import * as vscode from 'vscode';
import type { ApiExchange } from '../../broker/management';
import { ContextValues } from '../../constants';
import type { BrokerSession } from '../../viewModel/brokerSession';
import { TooltipBuilder, plainLabel } from '../../viewModel/text';
import { BindingKeyNode } from './bindingKeyNode';
import { InfoNode } from './messageNodes';
import { TreeNode, segment, tooltip } from './treeNode';

const TYPE_ICON: Record<string, string> = { topic: 'symbol-event', direct: 'arrow-right', fanout: 'broadcast', headers: 'list-flat' };

export class ExchangeNode extends TreeNode {
  constructor(parent: TreeNode, private readonly sessionValue: BrokerSession, readonly vhost: string, readonly exchange: ApiExchange) {
    super(parent, segment('e', exchange.name));
  }

  override get session(): BrokerSession { return this.sessionValue; }
  override get objectName(): string { return this.exchange.name; }
  override managementUrl(): string { return this.sessionValue.client.uiUrl('exchange', this.vhost, this.exchange.name); }

  getTreeItem(): vscode.TreeItem {
    const e = this.exchange;
    const label = e.name === '' ? '(default exchange)' : plainLabel(e.name);
    const item = this.item(label, vscode.TreeItemCollapsibleState.Collapsed, ContextValues.exchange, TYPE_ICON[e.type] ?? 'symbol-interface');
    const flags = [e.type, e.durable ? 'durable' : 'transient', e.auto_delete ? 'auto-delete' : '', e.internal ? 'internal' : ''].filter(Boolean);
    item.description = flags.join(' · ');
    const t = new TooltipBuilder().title(e.name || '(default exchange)', 'symbol-event').field('Type', e.type).field('Durable', e.durable ?? false)
      .field('Auto-delete', e.auto_delete ?? false).field('Internal', e.internal ?? false).field('vhost', this.vhost);
    if (e.arguments && Object.keys(e.arguments).length) { t.field('Arguments', JSON.stringify(e.arguments)); }
    item.tooltip = tooltip(t.build());
    return item;
  }

  async getChildren(): Promise<TreeNode[]> {
    const groups = await this.sessionValue.vhost(this.vhost).bindingGroups(this.exchange.name);
    if (!groups.length) { return [new InfoNode(this, 'No bindings on this exchange: messages published to it are dropped')]; }
    return groups.map((g) => new BindingKeyNode(this, this.sessionValue, this.vhost, this.exchange.name, g));
  }
}
