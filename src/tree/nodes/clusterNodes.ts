/**
 * A cluster in the tree: the "Nodes" folder under a broker with more than one node (each node running or down, with its
 * memory / disk alarms and partitions), and the "Members" folder under a quorum or stream pool (leader, online/offline).
 */
import * as vscode from 'vscode';
import type { Pool } from '../../broker/topology';
import type { BrokerSession } from '../../viewModel/brokerSession';
import { ClusterNodeView, MemberView, poolPlacement } from '../../viewModel/cluster';
import { TooltipBuilder, plainLabel } from '../../viewModel/text';
import { InfoNode } from './messageNodes';
import { TreeNode, segment, tooltip } from './treeNode';

export const ClusterContextValues = {
  nodesFolder: 'rabbitmqPools.clusterNodes',
  node: 'rabbitmqPools.clusterNode',
  nodeDown: 'rabbitmqPools.clusterNode.down',
  membersFolder: 'rabbitmqPools.poolMembers',
  member: 'rabbitmqPools.poolMember',
} as const;

const NODE_ICON: Record<ClusterNodeView['state'], vscode.ThemeIcon> = {
  running: new vscode.ThemeIcon('vm-running', new vscode.ThemeColor('testing.iconPassed')),
  down: new vscode.ThemeIcon('vm-outline', new vscode.ThemeColor('errorForeground')),
  alarm: new vscode.ThemeIcon('warning', new vscode.ThemeColor('problemsWarningIcon.foreground')),
  partitioned: new vscode.ThemeIcon('debug-disconnect', new vscode.ThemeColor('errorForeground')),
};

/** "Nodes" under a broker: one child per cluster node. */
export class ClusterFolderNode extends TreeNode {
  constructor(parent: TreeNode, private readonly sessionValue: BrokerSession) {
    super(parent, 'nodes');
  }

  override get session(): BrokerSession { return this.sessionValue; }

  getTreeItem(): vscode.TreeItem {
    const c = this.sessionValue.peekCluster();
    const item = this.item('Nodes', vscode.TreeItemCollapsibleState.Collapsed, ClusterContextValues.nodesFolder, 'server');
    item.description = c?.summary;
    const t = new TooltipBuilder().title(c?.name ? `Cluster ${c.name}` : 'Cluster', 'server').field('Nodes', c?.summary).field('Management', c?.endpoint);
    item.tooltip = tooltip(t.build());
    return item;
  }

  async getChildren(): Promise<TreeNode[]> {
    const c = await this.sessionValue.cluster();
    if (!c.nodes.length) { return [new InfoNode(this, 'The nodes cannot be read (the user needs the "monitoring" tag)')]; }
    return c.nodes.map((n) => new ClusterMemberNode(this, this.sessionValue, n));
  }
}

/** One node of the cluster. */
export class ClusterMemberNode extends TreeNode {
  constructor(parent: TreeNode, private readonly sessionValue: BrokerSession, readonly node: ClusterNodeView) {
    super(parent, segment('n', node.name));
  }

  override get session(): BrokerSession { return this.sessionValue; }
  override get objectName(): string { return this.node.name; }

  getTreeItem(): vscode.TreeItem {
    const n = this.node;
    const item = this.item(plainLabel(n.name), vscode.TreeItemCollapsibleState.None, n.running ? ClusterContextValues.node : ClusterContextValues.nodeDown, NODE_ICON[n.state]);
    item.description = n.description + (n.answering ? ' · answering' : '');
    item.tooltip = tooltip(new TooltipBuilder().title(n.name, 'server').field('State', n.running ? 'running' : 'down')
      .field('Memory alarm', n.memAlarm || undefined).field('Disk alarm', n.diskAlarm || undefined)
      .field('Partitioned from', n.partitions.join(', ') || undefined).field('Details', n.description)
      .field('Management API', n.answering ? 'answered through this node' : undefined).build());
    return item;
  }
}

/** "Members" under a quorum or stream pool: the leader first in the description, each member online or offline. */
export class PoolMembersNode extends TreeNode {
  constructor(parent: TreeNode, private readonly sessionValue: BrokerSession, readonly pool: Pool) {
    super(parent, 'members');
  }

  override get session(): BrokerSession { return this.sessionValue; }

  private placement() { return poolPlacement(this.pool, this.sessionValue.peekNodes() ?? []); }

  getTreeItem(): vscode.TreeItem {
    const pl = this.placement();
    const item = this.item('Members', vscode.TreeItemCollapsibleState.Collapsed, ClusterContextValues.membersFolder, 'organization');
    item.description = pl.summary;
    item.tooltip = tooltip(new TooltipBuilder().title(`Members of ${this.pool.name}`, 'organization').field('Queue type', pl.type)
      .field('Leader', pl.leader ?? 'none').field('Online', `${pl.online} of ${pl.members.length}`).build());
    return item;
  }

  getChildren(): Promise<TreeNode[]> {
    return Promise.resolve(this.placement().members.map((m) => new PoolMemberNode(this, this.sessionValue, m)));
  }
}

export class PoolMemberNode extends TreeNode {
  constructor(parent: TreeNode, private readonly sessionValue: BrokerSession, readonly member: MemberView) {
    super(parent, segment('m', member.name));
  }

  override get session(): BrokerSession { return this.sessionValue; }
  override get objectName(): string { return this.member.name; }

  getTreeItem(): vscode.TreeItem {
    const m = this.member;
    const icon = !m.online ? new vscode.ThemeIcon('circle-slash', new vscode.ThemeColor('errorForeground'))
      : m.leader ? new vscode.ThemeIcon('star-full', new vscode.ThemeColor('testing.iconPassed')) : new vscode.ThemeIcon('circle-filled', new vscode.ThemeColor('testing.iconPassed'));
    const item = this.item(plainLabel(m.name), vscode.TreeItemCollapsibleState.None, ClusterContextValues.member, icon);
    item.description = m.description;
    item.tooltip = tooltip(new TooltipBuilder().title(m.name, 'server').field('Role', m.leader ? 'leader' : 'follower').field('State', m.online ? 'online' : 'offline').build());
    return item;
  }
}
