import * as vscode from 'vscode';
import { Commands } from '../constants';
import type { CommandDef } from './command';
import { confirmPoolAction } from './poolActions';

/** Delete Pool: deletes a queue (and its bindings) after a modal confirmation naming it and its message count. */
export const deletePoolCommand: CommandDef = {
  id: Commands.deletePool,
  title: 'Delete Pool',
  run: async (s, node) => {
    const pool = await confirmPoolAction(s, node, 'Delete');
    if (!pool) { return; }
    await pool.session.client.deleteQueue(pool.vhost, pool.pool.name);
    s.log.info(`Deleted pool "${pool.pool.name}" in vhost "${pool.vhost}" on broker "${pool.session.name}"`);
    void vscode.window.showInformationMessage(`Deleted pool "${pool.pool.name}".`);
    s.tree.refresh(pool.parent);
  },
};
