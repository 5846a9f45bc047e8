import * as vscode from 'vscode';
import { Commands } from '../constants';
import { TreeNode } from '../tree/nodes/treeNode';
import type { CommandDef } from './command';

/** Copy Name: the object's exact name (not the label, which may be shortened or show bidi marks). */
export const copyNameCommand: CommandDef = {
  id: Commands.copyName,
  title: 'Copy Name',
  run: async (_s, node) => {
    const name = node instanceof TreeNode ? node.objectName : undefined;
    if (name === undefined) { return; }
    await vscode.env.clipboard.writeText(name);
  },
};
