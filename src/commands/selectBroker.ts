import * as vscode from 'vscode';
import { Commands } from '../constants';
import type { CommandDef } from './command';

/** The status bar's quick pick: every broker with its state; picking one selects it and reveals it in the Brokers view. */
export const selectBrokerCommand: CommandDef = {
  id: Commands.selectBroker,
  title: 'Select Broker',
  run: async (s) => {
    await s.tree.getChildren(); // make sure every configured broker has a session (and a state)
    const items: (vscode.QuickPickItem & { name?: string; command?: string })[] = s.tree.allSessions().map((x) => ({
      label: `$(server-environment) ${x.name}`, description: x.status.state === 'auth' ? 'auth failed' : x.status.state, detail: x.status.detail, name: x.name,
    }));
    items.push({ label: '', kind: vscode.QuickPickItemKind.Separator }, { label: '$(add) Add Broker…', command: Commands.addBroker },
      { label: '$(plug) Test Connection…', command: Commands.testConnection }, { label: '$(output) Show Log', command: Commands.showLog });
    const pick = await vscode.window.showQuickPick(items, { placeHolder: 'RabbitMQ broker' });
    if (!pick) { return; }
    if (pick.command) { await vscode.commands.executeCommand(pick.command, s.statusBar.selected()?.name); return; }
    if (pick.name) {
      await s.statusBar.select(pick.name);
      await s.tree.settled();
      const root = (await s.tree.getChildren()).find((n) => n.session?.name === pick.name);
      if (root) { await s.treeView.reveal(root, { select: true, focus: true, expand: true }); }
    }
  },
};
