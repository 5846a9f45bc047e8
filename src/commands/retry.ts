import { Commands } from '../constants';
import { TreeNode } from '../tree/nodes/treeNode';
import type { CommandDef } from './command';

/** Retry on an error node: asks its parent for its children again (failed reads are never cached). */
export const retryCommand: CommandDef = {
  id: Commands.retry,
  title: 'Retry',
  run: (s, node) => s.tree.retry(node instanceof TreeNode ? node : undefined),
};
