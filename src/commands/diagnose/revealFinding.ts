/** Clicking a finding (Findings view): reveal and select its pool in the Brokers view, or its exchange for exchange-level findings. */
import * as vscode from 'vscode';
import type { Finding } from '../../broker/diagnose';
import { Commands } from '../../constants';
import type { Services } from '../../services';
import { FindingItem } from '../../tree/findingsView';
import type { TreeNode } from '../../tree/nodes/treeNode';
import { exchangeNode, poolNode } from '../../tree/treeWalk';
import type { CommandDef } from '../command';

export interface RevealFindingArgs { broker: string; vhost: string; finding: Pick<Finding, 'pool' | 'exchange' | 'routingKey'> }

export const revealFindingCommand: CommandDef = {
  id: Commands.revealFinding,
  title: 'Reveal in Brokers View',
  async run(s: Services, arg?: unknown): Promise<string | undefined> {
    const a = arg instanceof FindingItem ? { broker: arg.broker, vhost: arg.vhost, finding: arg.finding } : arg as RevealFindingArgs | undefined;
    if (!a?.finding) { return undefined; }
    const f = a.finding;
    let node: TreeNode | undefined;
    await s.tree.settled(); // a refresh's telling must not land in the middle of the walk and the reveal
    if (f.pool !== undefined) {
      node = await poolNode(s.tree, a.broker, a.vhost, f.pool, { exchange: f.exchange, routingKey: f.routingKey });
    } else if (f.exchange !== undefined) {
      node = await exchangeNode(s.tree, a.broker, a.vhost, f.exchange);
    }
    if (!node) {
      void vscode.window.showInformationMessage(`"${f.pool ?? f.exchange}" is not among the items the Brokers view shows (filtered, or beyond "Load more…").`);
      return undefined;
    }
    await s.treeView.reveal(node, { select: true, focus: true, expand: false });
    return node.id;
  },
};
