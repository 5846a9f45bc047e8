import * as vscode from 'vscode';
import { Commands } from '../constants';
import { testConnection } from '../broker/connectionTest';
import type { CommandDef } from './command';
import { brokerEntryFor } from './pickers';

/** Test Connection: management API, vhost and AMQP, with a verdict per check; the tree is refreshed with the result. */
export const testConnectionCommand: CommandDef = {
  id: Commands.testConnection,
  title: 'Test Connection',
  run: async (s, arg) => {
    const entry = await brokerEntryFor(s, arg, 'Broker to test');
    if (!entry) { return undefined; }
    const config = await s.store.config(entry);
    const r = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `Testing "${config.name}"…` }, () => testConnection(config));
    for (const l of r.lines) { (r.ok ? s.log.info : s.log.warn)(`Test connection "${config.name}": ${l}`); }
    const text = `${config.name}: ${r.ok ? 'connected' : r.state === 'auth' ? 'authentication failed' : r.state}. ${r.lines.join(' — ')}`;
    if (r.ok) { void vscode.window.showInformationMessage(text); } else { void vscode.window.showWarningMessage(text, 'Show Log').then((p) => p && s.channel.show(true)); }
    s.tree.refresh();
    return r;
  },
};
