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
    // The URL is already encoded ("#/queues/%2F/name"). A vscode.Uri would re-encode its fragment ("/" → "%2F", "%" → "%25")
    // and break the management UI's hash route; openExternal also takes the string and then opens it exactly as given.
    await vscode.env.openExternal(url as unknown as vscode.Uri);
  },
};
