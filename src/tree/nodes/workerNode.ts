/** A worker: one consumer on a pool, labelled with its application (from its connection's name). */
import * as vscode from 'vscode';
import type { Worker } from '../../broker/topology';
import { ContextValues } from '../../constants';
import type { BrokerSession } from '../../viewModel/brokerSession';
import { workerNodeLabel } from '../../viewModel/cluster';
import { TooltipBuilder, plainLabel } from '../../viewModel/text';
import { TreeNode, segment, tooltip } from './treeNode';
import { decorateWithFindings } from '../findingDecorations';
import { workerFindingsOf } from '../treeExtras';
import { addWorkerHealth, workerHealthLine, workerHealthOf } from '../healthText';

export class WorkerNode extends TreeNode {
  constructor(parent: TreeNode, private readonly sessionValue: BrokerSession, readonly vhost: string, readonly pool: string, readonly worker: Worker) {
    // A consumer tag is unique per channel only (oslo's processes all tag their consumer "1"): with its channel it is
    // unique; a consumer whose channel is not known yet has its pool-unique id.
    super(parent, segment('w', worker.channel ? `${worker.channel}\u0000${worker.consumerTag}` : worker.id));
  }

  override get session(): BrokerSession { return this.sessionValue; }
  override get objectName(): string { return this.worker.consumerTag; }
  override managementUrl(): string | undefined {
    return this.worker.connection ? this.sessionValue.client.uiUrl('connection', this.vhost, this.worker.connection) : undefined;
  }

  /** Workers started by this tool (LocalWorkerNode) override it with ContextValues.workerLocal. */
  protected get contextValue(): string { return ContextValues.worker; }

  getTreeItem(): vscode.TreeItem {
    const w = this.worker;
    const icon = w.active ? new vscode.ThemeIcon('person') : new vscode.ThemeIcon('person', new vscode.ThemeColor('disabledForeground'));
    const item = this.item(plainLabel(w.application), vscode.TreeItemCollapsibleState.None, this.contextValue, icon);
    const health = workerHealthOf(this.sessionValue, this.vhost, this.pool, w);
    item.description = [workerHealthLine(health), plainLabel(w.consumerTag, 40), `prefetch ${w.prefetch || '∞'}`, w.ackRequired ? 'manual ack' : 'auto ack', w.active ? '' : 'inactive',
      this.sessionValue.isCluster ? workerNodeLabel(w) : ''].filter(Boolean).join(' · ');
    const tip = (new TooltipBuilder().title(w.application, 'person').field('Consumer tag', w.consumerTag).field('Pool', this.pool)
      .field('Prefetch', w.prefetch || 'unlimited').field('Ack mode', w.ackRequired ? 'manual ack' : 'auto ack (no ack)')
      .field('Active', w.active).field('Exclusive', w.exclusive || undefined)
      .field('Client name', w.clientName !== w.application ? w.clientName : undefined).field('Connection', w.connection).field('Channel', w.channel)
      .field('Peer', w.peer).field('Node', w.node));
    addWorkerHealth(tip, health);
    item.tooltip = tooltip(tip.build());
    return decorateWithFindings(item, workerFindingsOf(this.sessionValue, this.vhost, this.pool, w));
  }
}
