/**
 * A pool (queue): ready, unacked, workers, rates and queue type. Under a binding key its children are its workers; under the
 * Pools folder also its bindings, so a pool reached through several keys or exchanges is seen in one place.
 */
import * as vscode from 'vscode';
import type { Pool, Worker } from '../../broker/topology';
import { ContextValues } from '../../constants';
import type { BrokerSession } from '../../viewModel/brokerSession';
import { poolPlacement } from '../../viewModel/cluster';
import { PoolMembersNode } from './clusterNodes';
import { TooltipBuilder, plainLabel, plural, rate } from '../../viewModel/text';
import { InfoNode } from './messageNodes';
import { PoolBindingNode } from './poolBindingNode';
import { TreeNode, segment, tooltip } from './treeNode';
import { WorkerNode } from './workerNode';
import { decorateWithFindings } from '../findingDecorations';
import { findingsOf } from '../treeExtras';
import { deadLetterNodes } from './deadLetterNodes';
import { addPoolHealth, poolHealthLine, poolHealthOf } from '../healthText';

export type PoolPlace = 'binding' | 'folder';

export class PoolNode extends TreeNode {
  constructor(parent: TreeNode, private readonly sessionValue: BrokerSession, readonly vhost: string, readonly pool: Pool,
    readonly place: PoolPlace, readonly missing = false) {
    super(parent, segment('p', pool.name));
  }

  override get session(): BrokerSession { return this.sessionValue; }
  override get objectName(): string { return this.pool.name; }
  override managementUrl(): string { return this.sessionValue.client.uiUrl('queue', this.vhost, this.pool.name); }

  /** The context value; LocalPoolNode overrides it with ContextValues.poolLocal. */
  protected get contextValue(): string { return ContextValues.pool; }

  getTreeItem(): vscode.TreeItem {
    const p = this.pool;
    const mixed = p.applications.length > 1;
    const icon = this.missing ? new vscode.ThemeIcon('warning', new vscode.ThemeColor('problemsWarningIcon.foreground'))
      : mixed ? new vscode.ThemeIcon('inbox', new vscode.ThemeColor('problemsWarningIcon.foreground')) : new vscode.ThemeIcon('inbox');
    const item = this.item(plainLabel(p.name), vscode.TreeItemCollapsibleState.Collapsed, this.contextValue, icon);
    if (this.missing) {
      item.description = 'vanished: bound, but the queue no longer exists';
    } else {
      // The queue's consumer count and the consumer list are sampled apart and can disagree for a few seconds: the children
      // are the list, so the description counts the list when it has any.
      const parts = p.statsUnavailable && !p.workers.length ? ['no counts: statistics off, or not sampled yet']
        : [plural(p.workers.length || p.consumers, 'worker'), `${p.ready.toLocaleString('en-US')} ready`, `${p.unacked.toLocaleString('en-US')} unacked`];
      const r = rate(p.deliverRate);
      if (r && p.deliverRate) { parts.push(r); }
      const placement = this.sessionValue.isCluster ? poolPlacement(p, this.sessionValue.peekNodes()) : undefined;
      if (placement) { parts.push(placement.summary); } else if (p.type !== 'classic') { parts.push(p.type); }
      const health = poolHealthLine(poolHealthOf(this.sessionValue, this.vhost, p.name));
      if (health) { parts.push(health); }
      item.description = parts.join(' · ');
    }
    const t = new TooltipBuilder().title(p.name, 'inbox').field('Queue type', p.type).field('vhost', this.vhost)
      .field('Messages', `${p.messages} (${p.ready} ready, ${p.unacked} unacked)`).field('Workers', p.workers.length || p.consumers)
      .field('Applications', p.applications.join(', ') || undefined)
      .field('Publish rate', rate(p.publishRate)).field('Deliver rate', rate(p.deliverRate)).field('Ack rate', rate(p.ackRate))
      .field('Durable', p.durable).field('Auto-delete', p.autoDelete || undefined).field('Exclusive', p.exclusive || undefined)
      .field('Single active consumer', p.singleActiveConsumer || undefined).field('Node', p.leader ?? p.node)
      .field('Members', p.members?.map((m) => `${m}${p.online && !p.online.includes(m) ? ' (offline)' : ''}`).join(', '));
    if (Object.keys(p.arguments).length) { t.field('Arguments', JSON.stringify(p.arguments)); }
    if (mixed) { t.rule().text(`${p.applications.length} applications share this pool: they take each other's messages.`); }
    else if (p.applications.length === 1 && p.workers.length > 1) { t.rule().text(`${p.workers.length} workers of one application share the load.`); }
    if (!this.missing) { addPoolHealth(t, poolHealthOf(this.sessionValue, this.vhost, p.name)); }
    item.tooltip = tooltip(t.build());
    return decorateWithFindings(item, findingsOf(this.sessionValue, this.vhost, p.name));
  }

  /** One worker's node; local pools give their own workers the local class. */
  protected workerNode(w: Worker): TreeNode { return new WorkerNode(this, this.sessionValue, this.vhost, this.pool.name, w); }

  async getChildren(): Promise<TreeNode[]> {
    const out: TreeNode[] = [];
    // Read alongside the bindings and workers (deadLetterNodes never rejects, and waits for the vhost-wide index briefly only).
    const deadLetters = this.missing ? undefined : deadLetterNodes(this, this.sessionValue, this.vhost, this.pool);
    if (this.pool.members?.length && String(this.pool.type) !== 'classic') { out.push(new PoolMembersNode(this, this.sessionValue, this.pool)); }
    if (this.place === 'folder') {
      const bindings = await this.sessionValue.vhost(this.vhost).poolBindings(this.pool.name);
      out.push(...bindings.map((b) => new PoolBindingNode(this, this.sessionValue, this.vhost, b)));
      if (!bindings.length) { out.push(new InfoNode(this, 'No bindings: only the default exchange reaches this pool', 'info', 'noBindings')); }
    }
    if (deadLetters) { out.push(...await deadLetters); }
    // Drawn from a page's consumer count only (a large broker's Pools folder): the workers are read now (once per refresh).
    const workers = this.place === 'folder' && !this.pool.workers.length && this.pool.consumers > 0 && !this.missing
      ? await this.sessionValue.vhost(this.vhost).workersOf(this.pool.name) : this.pool.workers;
    out.push(...workers.map((w) => this.workerNode(w)));
    if (!workers.length) { out.push(new InfoNode(this, this.missing ? 'This pool no longer exists' : 'No consumers on this pool')); }
    return out;
  }
}
