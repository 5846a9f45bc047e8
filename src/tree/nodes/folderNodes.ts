/** The two folders under a vhost. Both page through the management API and take a name filter (Filter…). */
import * as vscode from 'vscode';
import type { ApiExchange, ApiQueue } from '../../broker/management';
import { Worker, poolFrom } from '../../broker/topology';
import { isLocalBroker } from '../../broker/demoScenario';
import { Commands, ContextValues } from '../../constants';
import type { BrokerSession, VhostData } from '../../viewModel/brokerSession';
import type { Filter, PagedList } from '../../viewModel/pagedList';
import { TooltipBuilder } from '../../viewModel/text';
import { ExchangeNode } from './exchangeNode';
import { InfoNode, LoadMoreNode, Pageable } from './messageNodes';
import { PoolNode } from './poolNode';
import { poolNodeFor, unlistedLocalPools } from './localPoolNode';
import { TreeNode, tooltip } from './treeNode';

export abstract class FolderNode<T> extends TreeNode implements Pageable {
  protected abstract readonly label: string;
  protected abstract readonly contextBase: string;
  protected abstract readonly icon: string;
  protected abstract readonly what: string;

  constructor(parent: TreeNode, protected readonly sessionValue: BrokerSession, readonly vhost: string, key: string) {
    super(parent, key);
  }

  override get session(): BrokerSession { return this.sessionValue; }
  protected get data(): VhostData { return this.sessionValue.vhost(this.vhost); }
  protected abstract get list(): PagedList<T>;
  protected abstract child(item: T): TreeNode;

  get filter(): Filter | undefined { return this.list.filter; }
  setFilter(f: Filter | undefined): void { this.list.setFilter(f); }
  loadMore(): void { this.list.loadMore(); }

  getTreeItem(): vscode.TreeItem {
    const f = this.list.filter;
    const item = this.item(this.label, vscode.TreeItemCollapsibleState.Collapsed, this.contextBase + (f ? ContextValues.filteredSuffix : ''), this.icon);
    item.description = f ? `filter: ${f.text}` : undefined;
    const t = new TooltipBuilder().title(this.label, this.icon).field('vhost', this.vhost);
    if (f) { t.field('Filter', `${f.text}${f.regex ? ' (regular expression)' : ''}`); }
    t.text(`Shown ${this.list.pageSize} at a time (rabbitmqPools.pageSize).`);
    item.tooltip = tooltip(t.build());
    return item;
  }

  /** Data every child of one page shares, fetched alongside the page. */
  protected prepare(): Promise<void> { return Promise.resolve(); }

  async getChildren(): Promise<TreeNode[]> {
    const [v] = await Promise.all([this.list.view(), this.prepare()]);
    if (!v.items.length) {
      if (this.list.filter) { return [new InfoNode(this, `No ${this.what} match "${this.list.filter.text}"`)]; }
      // An empty vhost of the local broker: something to try rather than nothing to see.
      const demo = isLocalBroker(this.sessionValue.config)
        ? { command: Commands.startDemo, title: 'Start Demo…', tooltip: 'Nothing to look at yet: click to start the demo (exchange nova, worker pools, test notifications) in a scratch vhost of this broker' }
        : undefined;
      return [new InfoNode(this, `No ${this.what} in this vhost${demo ? ': click to start the demo' : ''}`, demo ? 'play' : 'info', 'info', demo)];
    }
    const out = v.items.map((i) => this.child(i));
    if (v.hasMore) { out.push(new LoadMoreNode(this, v.items.length, v.matching)); }
    return out;
  }
}

export class ExchangesFolderNode extends FolderNode<ApiExchange> {
  protected readonly label = 'Exchanges';
  protected readonly contextBase = ContextValues.exchangesFolder;
  protected readonly icon = 'symbol-interface';
  protected readonly what = 'exchanges';

  constructor(parent: TreeNode, session: BrokerSession, vhost: string) {
    super(parent, session, vhost, 'ex');
  }

  protected get list() { return this.data.exchanges; }
  protected child(e: ApiExchange): TreeNode { return new ExchangeNode(this, this.sessionValue, this.vhost, e); }
}

export class PoolsFolderNode extends FolderNode<ApiQueue> {
  protected readonly label = 'Pools';
  protected readonly contextBase = ContextValues.poolsFolder;
  protected readonly icon = 'inbox';
  protected readonly what = 'pools';

  constructor(parent: TreeNode, session: BrokerSession, vhost: string) {
    super(parent, session, vhost, 'pools');
  }

  protected get list() { return this.data.queues; }
  private workers = new Map<string, Worker[]>();

  // The vhost's consumers once for the whole page (and shared with every other node of this refresh). On a broker of more
  // than POOLS_FOLDER_COUNTS_ONLY_QUEUES queues the page's consumer counts only: a pool reads its workers when expanded
  // (PoolNode), so a refresh costs the broker about what the management UI's queues page does (BENCHMARKS.md figure 8).
  protected override async prepare(): Promise<void> {
    this.workers = await this.data.countsOnly() ? new Map() : await this.data.workers();
  }

  protected child(q: ApiQueue): TreeNode {
    return poolNodeFor(this, this.sessionValue, this.vhost, poolFrom(q, [...(this.workers.get(q.name) ?? [])]), 'folder');
  }

  override async getChildren(): Promise<TreeNode[]> {
    const out = await super.getChildren();
    // Local pools the broker's list does not show yet (first page, no filter): at the end, until the next refresh lists them.
    if (this.list.filter) { return out; }
    const listed = out.filter((n): n is PoolNode => n instanceof PoolNode).map((n) => n.pool.name);
    const unlisted = unlistedLocalPools(this.sessionValue, this.vhost, listed).filter(() => !out.some((n) => n instanceof LoadMoreNode));
    if (!unlisted.length) { return out; }
    return [...out.filter((n) => !(n instanceof InfoNode)), ...unlisted.map((p) => poolNodeFor(this, this.sessionValue, this.vhost, p, 'folder', true))];
  }
}
