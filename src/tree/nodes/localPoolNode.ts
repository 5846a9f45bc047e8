/**
 * Pools and workers started by this extension (LocalPools), marked as local: their own context values (Add Worker, Stop
 * Worker, Stop Pool match them), a green icon, and the exact delivery counts in their descriptions, read live from the
 * local pool at each draw. The broker's side (ready / unacked, consumer list) comes from the tree's data as for any pool;
 * local workers the management API does not list yet are shown from the local pool.
 */
import * as vscode from 'vscode';
import type { LocalPoolEntry } from '../../broker/localPools';
import { Pool, Worker, applicationKey, emptyPool } from '../../broker/topology';
import type { WorkerCounts } from '../../broker/counts';
import { ContextValues } from '../../constants';
import type { BrokerSession } from '../../viewModel/brokerSession';
import { TooltipBuilder, plural, rate } from '../../viewModel/text';
import { extrasOf, findingsOf, localEntryOf, trackPoolNode } from '../treeExtras';
import { InfoNode } from './messageNodes';
import { PoolNode, PoolPlace } from './poolNode';
import type { TreeNode } from './treeNode';
import { WorkerNode } from './workerNode';

const LOCAL_COLOR = new vscode.ThemeColor('charts.green');
const STATUS_TEXT: Record<LocalPoolEntry['status'], string> = {
  running: '', reconnecting: 'reconnecting…', 'queue-deleted': 'queue deleted', failed: 'failed', stopped: 'stopped',
};

/** "3 local workers · 3,000 delivered · 120/s" (with the status first when it is not running). */
export function localPoolSummary(e: LocalPoolEntry): string {
  const c = e.pool.snapshot();
  const parts = [STATUS_TEXT[e.status], plural(e.pool.workerNames.length, 'local worker'), `${c.delivered.toLocaleString('en-US')} delivered`];
  if (c.ratePerSecond > 0) { parts.push(rate(c.ratePerSecond)!); }
  if (c.duplicates) { parts.push(plural(c.duplicates, 'duplicate')); }
  return parts.filter(Boolean).join(' · ');
}

export class LocalPoolNode extends PoolNode {
  constructor(parent: TreeNode, session: BrokerSession, vhost: string, pool: Pool, place: PoolPlace, missing: boolean, readonly local: LocalPoolEntry) {
    super(parent, session, vhost, pool, place, missing);
  }

  protected override get contextValue(): string { return ContextValues.poolLocal; }

  /** The entry as it is now (a recreated pool is a new entry under the same id). */
  private get entry(): LocalPoolEntry { return localEntryOf(this.session, this.vhost, this.pool.name) ?? this.local; }

  override getTreeItem(): vscode.TreeItem {
    const item = super.getTreeItem();
    const e = this.entry;
    const p = this.pool;
    const bad = e.status !== 'running';
    if (!findingsOf(this.session, this.vhost, p.name).length) {
      item.iconPath = bad ? new vscode.ThemeIcon('warning', new vscode.ThemeColor('problemsWarningIcon.foreground')) : new vscode.ThemeIcon('inbox', LOCAL_COLOR);
    }
    const broker = this.missing ? 'not on the broker yet' : `${p.ready.toLocaleString('en-US')} ready · ${p.unacked.toLocaleString('en-US')} unacked`;
    item.description = `${localPoolSummary(e)} · ${broker}`;
    const c = e.pool.snapshot();
    const t = new TooltipBuilder().title('Local pool (started by this extension)', 'vm-running')
      .field('Status', e.status).field('Exchange', e.pool.exchange).field('Binding keys', e.pool.routingKeys.join(', '))
      .field('Local workers', e.pool.workerNames.length).field('Delivered', c.delivered.toLocaleString('en-US'))
      .field('Acked', c.acked.toLocaleString('en-US')).field('Redelivered', c.redelivered || undefined).field('Duplicates', c.duplicates || undefined)
      .field('Rate', c.ratePerSecond > 0 ? rate(c.ratePerSecond) : undefined).field('Reconnects', c.reconnects || undefined).field('Last event', bad ? e.lastMessage : undefined);
    if (item.tooltip instanceof vscode.MarkdownString) { item.tooltip.appendMarkdown('\n\n---\n\n' + t.build()); }
    return item;
  }

  protected override workerNode(w: Worker): TreeNode {
    const counts = this.entry.pool.snapshot().workers.find((c) => c.consumerTag === w.consumerTag);
    return counts ? new LocalWorkerNode(this, this.session, this.vhost, this.pool.name, w, this.entry) : super.workerNode(w);
  }

  override async getChildren(): Promise<TreeNode[]> {
    const out = await super.getChildren();
    // Workers the management API does not list yet (it lags a few seconds): shown from the local pool.
    const listed = new Set([...this.pool.workers, ...out.filter((n): n is WorkerNode => n instanceof WorkerNode).map((n) => n.worker)].map((w) => w.consumerTag));
    const e = this.entry;
    const extra = e.pool.snapshot().workers.filter((c) => c.consumerTag && !listed.has(c.consumerTag) && e.pool.workerNames.includes(c.name))
      .map((c) => new LocalWorkerNode(this, this.session, this.vhost, this.pool.name, localWorker(e, c), e));
    if (!extra.length) { return out; }
    return [...out.filter((n) => !(n instanceof InfoNode && (n.text.startsWith('No consumers') || n.text.startsWith('This pool no longer')))), ...extra];
  }
}

function localWorker(e: LocalPoolEntry, c: WorkerCounts): Worker {
  return {
    consumerTag: c.consumerTag!, id: c.consumerTag!, application: applicationKey(e.pool.connectionName), clientName: e.pool.connectionName, connection: '', channel: '', prefetch: e.options.prefetch ?? 10,
    ackRequired: true, active: true, exclusive: false,
  };
}

export class LocalWorkerNode extends WorkerNode {
  constructor(parent: TreeNode, session: BrokerSession, vhost: string, pool: string, worker: Worker, readonly local: LocalPoolEntry) {
    super(parent, session, vhost, pool, worker);
  }

  protected override get contextValue(): string { return ContextValues.workerLocal; }

  /** This worker's counts now; undefined once it was stopped. */
  get counts(): WorkerCounts | undefined {
    const e = localEntryOf(this.session, this.vhost, this.pool) ?? this.local;
    return e.pool.snapshot().workers.find((c) => c.consumerTag === this.worker.consumerTag);
  }

  override getTreeItem(): vscode.TreeItem {
    const item = super.getTreeItem();
    const c = this.counts;
    if (!c) { return item; }
    if (!(item.iconPath instanceof vscode.ThemeIcon && item.iconPath.id !== 'person')) {
      item.iconPath = new vscode.ThemeIcon('person', c.state === 'consuming' ? LOCAL_COLOR : new vscode.ThemeColor('problemsWarningIcon.foreground'));
    }
    item.label = `${c.name} (local)`;
    item.description = [`${c.delivered.toLocaleString('en-US')} delivered`, c.state === 'consuming' ? '' : c.state, String(item.description ?? '')].filter(Boolean).join(' · ');
    const t = new TooltipBuilder().title(`Local worker ${c.name}`, 'vm-running').field('State', c.state).field('Delivered', c.delivered.toLocaleString('en-US'))
      .field('Acked', c.acked.toLocaleString('en-US')).field('Redelivered', c.redelivered || undefined).field('Duplicates', c.duplicates || undefined)
      .field('Latency p50 / p99', c.latencyMs.count ? `${c.latencyMs.p50.toFixed(1)} / ${c.latencyMs.p99.toFixed(1)} ms` : undefined);
    if (item.tooltip instanceof vscode.MarkdownString) { item.tooltip.appendMarkdown('\n\n---\n\n' + t.build()); }
    return item;
  }
}

/** A pool node of the right class: local when this extension runs workers on it. Tracked for redraws. */
export function poolNodeFor(parent: TreeNode, session: BrokerSession, vhost: string, pool: Pool, place: PoolPlace, missing = false): PoolNode {
  const local = localEntryOf(session, vhost, pool.name);
  const n = local ? new LocalPoolNode(parent, session, vhost, pool, place, missing, local) : new PoolNode(parent, session, vhost, pool, place, missing);
  trackPoolNode(n);
  return n;
}

/** Local pools of this vhost bound to (exchange, key) that the broker's lists do not show yet, as empty pools. */
export function unlistedLocalPools(session: BrokerSession, vhost: string, listed: readonly string[], where?: { exchange: string; routingKey: string }): Pool[] {
  const all = localPoolsOf(session, vhost);
  return all.filter((e) => !listed.includes(e.pool.name) && (!where || (e.pool.exchange === where.exchange && e.pool.routingKeys.includes(where.routingKey))))
    .map((e) => emptyPool(e.pool.name, vhost));
}

function localPoolsOf(session: BrokerSession, vhost: string): LocalPoolEntry[] {
  return (extrasOf(session)?.localPools?.list() ?? []).filter((e) => e.broker === session.name && e.vhost === vhost && e.status !== 'stopped');
}
