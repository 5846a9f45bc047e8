import { TreeNode } from '../tree/nodes/treeNode';
import type { CommandDef } from './command';
import { Commands } from '../constants';

/** Refresh: the whole view from the title bar, or one node (and what is below it) from its context menu. */
export const refreshCommand: CommandDef = {
  id: Commands.refresh,
  title: 'Refresh',
  run: (s, node) => s.tree.refresh(node instanceof TreeNode ? node : undefined),
};
