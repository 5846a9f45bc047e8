/**
 * A binding key of one exchange: the pools bound with it and exchange-to-exchange bindings. The pools' names come with the
 * exchange's bindings, so a page of them (rabbitmqPools.pageSize, then "Load more…") is drawn at once; their details are read
 * one queue each (keyPools.ts) and, unless they arrive within DETAIL_GRACE_MS, fill in by a redraw of this key.
 */
import * as vscode from 'vscode';
import { BindingGroup, bindingGroupKey } from '../../broker/topology';
import { ContextValues } from '../../constants';
import type { BrokerSession } from '../../viewModel/brokerSession';
import { TooltipBuilder, plainLabel, plural } from '../../viewModel/text';
import { sleep } from '../../broker/time';
import { InfoNode, LoadMoreNode, Pageable } from './messageNodes';
import { poolNodeFor, unlistedLocalPools } from './localPoolNode';
import { PendingPoolNode } from './pendingPoolNode';
import { TreeNode, segment, tooltip } from './treeNode';

/** A page of at most this many pools waits for its details (a few single-queue requests): drawn complete, as before. */
const WAIT_FOR_DETAILS_UP_TO = 40;
/** A larger page draws its names at once, waiting at most this long for the first chunk's details; the rest fill in. */
const DETAIL_GRACE_MS = 150;
/** Details are read (and the key redrawn) this many pools at a time, from the top: what is in view fills in first. */
const DETAIL_CHUNK = 50;

export class BindingKeyNode extends TreeNode implements Pageable {
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

  private get level(): string { return this.sessionValue.vhost(this.vhost).levelId('k', this.exchange, this.binding); }

  loadMore(): void { this.sessionValue.vhost(this.vhost).loadMoreKeyPools(this.exchange, this.binding); }

  async getChildren(): Promise<TreeNode[]> {
    const b = this.binding;
    const v = this.sessionValue.vhost(this.vhost);
    const failed = v.takeDetailError(this.level);
    if (failed) { throw failed; }
    const page = v.keyPools(this.exchange, b);
    let known = v.peekEach(page.items);
    let unread = page.items.filter((_, i) => !known.pools[i]);
    if (unread.length) {
      const first = page.items.length <= WAIT_FOR_DETAILS_UP_TO ? unread : unread.slice(0, DETAIL_CHUNK);
      const read = v.pools(first);
      await (first === unread ? read : Promise.race([read.catch(() => undefined), sleep(DETAIL_GRACE_MS)]));
      known = v.peekEach(page.items);
      unread = page.items.filter((_, i) => !known.pools[i]);
      // Names now; the rest redraw this key chunk by chunk as their details arrive (or show the failure with Retry).
      if (unread.length) { v.fillDetails(this.level, unread, DETAIL_CHUNK, () => this.sessionValue.redraw(this)); }
    }
    const out: TreeNode[] = page.items.map((n, i) => {
      const p = known.pools[i];
      return p ? poolNodeFor(this, this.sessionValue, this.vhost, p, 'binding', known.missing.has(n)) : new PendingPoolNode(this, this.sessionValue, this.vhost, n);
    });
    if (page.hasMore) { out.push(new LoadMoreNode(this, page.shown, page.total)); }
    // Local pools just created with this key: shown before the broker's binding list has them.
    const unlisted = unlistedLocalPools(this.sessionValue, this.vhost, b.pools.map((p) => p.name), { exchange: this.exchange, routingKey: b.routingKey });
    out.push(...unlisted.map((p) => poolNodeFor(this, this.sessionValue, this.vhost, p, 'binding', true)));
    for (const x of b.exchanges) { out.push(new InfoNode(this, `→ exchange ${plainLabel(x)}`, 'arrow-right', segment('x', x))); }
    return out.length ? out : [new InfoNode(this, 'No pools bound with this key')];
  }
}
