import * as vscode from 'vscode';
import { Commands } from '../constants';
import { TreeNode } from '../tree/nodes/treeNode';
import type { CommandDef } from './command';

/** Open in Management UI: the broker's own page for the object (queue, exchange, vhost, connection or overview). */
export const openInManagementUiCommand: CommandDef = {
  id: Commands.openInManagementUi,
  title: 'Open in Management UI',
  run: async (_s, node) => {
    const url = node instanceof TreeNode ? node.managementUrl() : undefined;
    if (!url) { return; }
    // parse(…, true): the URL is already encoded ("%2F" for the "/" vhost must stay encoded).
    await vscode.env.openExternal(vscode.Uri.parse(url, true));
  },
};
