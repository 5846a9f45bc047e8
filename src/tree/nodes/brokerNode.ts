/** A broker: version, cluster name and nodes in the tooltip; its vhosts as children. */
import * as vscode from 'vscode';
import { ContextValues } from '../../constants';
import type { BrokerEntry } from '../../settings/brokerStore';
import type { BrokerSession } from '../../viewModel/brokerSession';
import { TooltipBuilder, plainLabel } from '../../viewModel/text';
import { ClusterFolderNode } from './clusterNodes';
import { ErrorNode } from './messageNodes';
import { TreeNode, segment, tooltip } from './treeNode';
import { VhostNode } from './vhostNode';

const STATE_ICON: Record<string, vscode.ThemeIcon> = {
  connected: new vscode.ThemeIcon('server-environment', new vscode.ThemeColor('testing.iconPassed')),
  unreachable: new vscode.ThemeIcon('debug-disconnect', new vscode.ThemeColor('errorForeground')),
  auth: new vscode.ThemeIcon('lock', new vscode.ThemeColor('errorForeground')),
  error: new vscode.ThemeIcon('warning', new vscode.ThemeColor('problemsWarningIcon.foreground')),
  unknown: new vscode.ThemeIcon('server-environment'),
};

export class BrokerNode extends TreeNode {
  constructor(readonly entry: BrokerEntry, private readonly sessionValue: BrokerSession | undefined, private readonly configError?: unknown) {
    super(undefined, segment('b', entry.setting.name));
  }

  override get session(): BrokerSession | undefined { return this.sessionValue; }
  override get objectName(): string { return this.entry.setting.name; }
  override managementUrl(): string | undefined { return this.sessionValue?.client.uiUrl('overview'); }

  getTreeItem(): vscode.TreeItem {
    const s = this.sessionValue;
    const ctx = this.entry.source === 'default' ? ContextValues.brokerDefault : ContextValues.broker;
    const state = this.configError ? 'error' : s?.status.state ?? 'unknown';
    const item = this.item(plainLabel(this.entry.setting.name), vscode.TreeItemCollapsibleState.Expanded, ctx, STATE_ICON[state]);
    const o = s?.peekOverview();
    const t = new TooltipBuilder().title(this.entry.setting.name, 'server-environment');
    if (this.configError || !s) {
      item.description = 'invalid settings';
    } else if (o) {
      item.description = `RabbitMQ ${o.rabbitmq_version ?? '?'}${o.cluster_name ? ` · ${o.cluster_name}` : ''}`;
      const nodes = s.peekNodes() ?? [];
      const cluster = s.isCluster ? s.peekCluster() : undefined;
      if (cluster) { item.description += ` · ${cluster.summary}`; }
      t.field('RabbitMQ', o.rabbitmq_version).field('Erlang', o.erlang_version).field('Cluster', o.cluster_name)
        .field('Nodes', nodes.length ? nodes.map((n) => `${n.name}${n.running === false ? ' (down)' : ''}${n.mem_alarm || n.disk_free_alarm ? ' (alarm)' : ''}`).join(', ') : o.node);
      const tot = o.object_totals;
      if (tot) {
        const counts = ([['queues', tot.queues], ['exchanges', tot.exchanges], ['consumers', tot.consumers], ['connections', tot.connections]] as const)
          .filter(([, n]) => n !== undefined).map(([what, n]) => `${n} ${what}`);
        if (counts.length) { t.field('Objects', counts.join(', ')); }
      }
      if (cluster) { t.field('Cluster state', cluster.summary).field('Management API', cluster.endpoint); }
    } else if (state === 'unreachable' || state === 'auth' || state === 'error') {
      item.description = state === 'auth' ? 'auth failed' : state;
    } else {
      item.description = new URL(s.config.amqpUrl).host;
    }
    if (s) {
      t.rule().field('AMQP', `${s.config.username}@${s.config.amqpUrl}`).field('Management', s.config.managementUrl).field('vhost', this.entry.setting.vhost ?? 'all')
        .field('Settings', this.entry.source === 'default' ? 'none configured: the local broker' : this.entry.source);
      if (s.status.state !== 'connected' && s.status.state !== 'unknown') { t.rule().text(s.status.detail); }
    }
    if (this.entry.setting.readOnly) {
      item.description = `${item.description ? `${String(item.description)} · ` : ''}read-only`;
      t.rule().text('Read-only: publishing, creating or changing pools, purge, delete and the demo are refused on this broker (setting "readOnly").');
    }
    item.tooltip = tooltip(t.build());
    return item;
  }

  async getChildren(): Promise<TreeNode[]> {
    if (this.configError || !this.sessionValue) { return [new ErrorNode(this, this.configError)]; }
    const s = this.sessionValue;
    const [vhosts, nodes] = await Promise.all([s.vhosts(), s.nodes()]);
    const out: TreeNode[] = nodes.length > 1 ? [new ClusterFolderNode(this, s)] : [];
    return [...out, ...vhosts.map((v) => new VhostNode(this, s, v, vhosts.length === 1))];
  }
}
