/** An exchange (type, durable); its binding keys are fetched when it is expanded: one request for this exchange only. */
import * as vscode from 'vscode';
import type { ApiExchange } from '../../broker/management';
import { ContextValues } from '../../constants';
import type { BrokerSession } from '../../viewModel/brokerSession';
import { TooltipBuilder, plainLabel } from '../../viewModel/text';
import { BindingKeyNode } from './bindingKeyNode';
import { InfoNode, LoadMoreNode, Pageable } from './messageNodes';
import { TreeNode, segment, tooltip } from './treeNode';

const TYPE_ICON: Record<string, string> = { topic: 'symbol-event', direct: 'arrow-right', fanout: 'broadcast', headers: 'list-flat' };

export class ExchangeNode extends TreeNode implements Pageable {
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

  /** One more page of binding keys (an RPC exchange has one per host: thousands); they are in memory already. */
  loadMore(): void { this.sessionValue.vhost(this.vhost).loadMoreExchangeKeys(this.exchange.name); }

  async getChildren(): Promise<TreeNode[]> {
    const v = this.sessionValue.vhost(this.vhost);
    const groups = await v.bindingGroups(this.exchange.name);
    if (!groups.length) { return [new InfoNode(this, 'No bindings on this exchange: messages published to it are dropped')]; }
    const page = v.exchangeKeys(this.exchange.name, groups);
    const out: TreeNode[] = page.items.map((g) => new BindingKeyNode(this, this.sessionValue, this.vhost, this.exchange.name, g));
    if (page.hasMore) { out.push(new LoadMoreNode(this, page.shown, page.total)); }
    return out;
  }
}
