/**
 * Check Node Maintenance…: what stopping one cluster node would do to the vhost's pools (maintenance.ts), from a node of
 * the tree's Nodes folder or the palette (broker, then node, picked). The verdict is a notification (a warning when it
 * is not safe) with the details in a plain-text document; scripts and tests get the verdict back. Read-only.
 */
import * as vscode from 'vscode';
import { MaintenanceVerdict, checkNodeMaintenance, maintenanceText } from '../../broker/maintenance';
import { ManagementClient } from '../../broker/management';
import type { Services } from '../../services';
import { TreeNode } from '../../tree/nodes/treeNode';
import type { CommandDef } from '../command';
import { Commands } from '../../constants';
import { isPoolArgs, targetFor } from '../pools/target';

/** The node a tree item stands for (ClusterMemberNode has `node.name`). */
function nodeNameOf(arg: unknown): string | undefined {
  if (arg instanceof TreeNode) { const n = (arg as unknown as { node?: { name?: unknown } }).node; return typeof n?.name === 'string' ? n.name : undefined; }
  if (isPoolArgs(arg)) { const n = (arg as { node?: unknown }).node; return typeof n === 'string' ? n : undefined; }
  return undefined;
}

export const checkNodeMaintenanceCommand: CommandDef = {
  id: Commands.checkNodeMaintenance,
  title: 'Check Node Maintenance',
  async run(s: Services, arg?: unknown): Promise<MaintenanceVerdict | undefined> {
    const t = await targetFor(s, arg);
    if (!t) { return undefined; }
    const client = new ManagementClient(t.config);
    try {
      let node = nodeNameOf(arg);
      if (!node) {
        const nodes = await client.nodes();
        node = await vscode.window.showQuickPick(nodes.map((n) => n.name), { title: 'Which node would go down?', placeHolder: 'a cluster node' });
        if (!node) { return undefined; }
      }
      const picked = node;
      const v = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `Checking what stopping ${picked} would do…` },
        () => checkNodeMaintenance(client, t.config.vhost, picked));
      s.log.info(`Check Node Maintenance ${t.config.name} / ${t.config.vhost}: ${v.summary}`);
      if (!isPoolArgs(arg)) {
        const show = (m: string, ...a: string[]) => (v.safe ? vscode.window.showInformationMessage(m, ...a) : vscode.window.showWarningMessage(m, ...a));
        void show(v.summary, 'Show Details').then(async (c) => {
          if (c) { await vscode.window.showTextDocument(await vscode.workspace.openTextDocument({ content: maintenanceText(v), language: 'plaintext' })); }
        });
      }
      return v;
    } finally {
      client.dispose();
    }
  },
};
