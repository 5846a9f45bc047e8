import * as vscode from 'vscode';
import { Commands } from '../constants';
import type { CommandDef } from './command';
import { confirmPoolAction } from './poolActions';

/** Purge Pool: deletes the ready messages of a queue after a modal confirmation naming it and its message count. */
export const purgePoolCommand: CommandDef = {
  id: Commands.purgePool,
  title: 'Purge Pool',
  run: async (s, node) => {
    const pool = await confirmPoolAction(s, node, 'Purge');
    if (!pool) { return; }
    await pool.session.client.purgeQueue(pool.vhost, pool.pool.name);
    s.log.info(`Purged pool "${pool.pool.name}" in vhost "${pool.vhost}" on broker "${pool.session.name}"`);
    void vscode.window.showInformationMessage(`Purged pool "${pool.pool.name}".`);
    s.tree.refresh(pool.parent);
  },
};
