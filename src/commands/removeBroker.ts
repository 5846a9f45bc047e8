import * as vscode from 'vscode';
import { Commands } from '../constants';
import type { CommandDef } from './command';
import { brokerEntryFor } from './pickers';

/** Remove Broker: from the settings and its password from the secret storage, after a confirmation (skipped when scripted). */
export const removeBrokerCommand: CommandDef = {
  id: Commands.removeBroker,
  title: 'Remove Broker',
  run: async (s, arg, options) => {
    const entry = await brokerEntryFor(s, arg, 'Broker to remove', false);
    if (!entry) { return false; }
    if (entry.source === 'default') {
      void vscode.window.showInformationMessage('The local broker is shown because no broker is configured; it cannot be removed.');
      return false;
    }
    const scripted = !!options && typeof options === 'object' && (options as { confirm?: boolean }).confirm === false;
    if (!scripted && !(await s.prompts.confirm(`Remove broker "${entry.setting.name}"?`, 'Its entry leaves the settings and its password leaves the secret storage. Nothing changes on the broker.', 'Remove'))) {
      return false;
    }
    return s.store.remove(entry.setting.name);
  },
};
