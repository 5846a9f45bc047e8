/** Every command, registered from one table; each handler takes (node?, nodes?) so it works from the palette and the tree. */
import * as vscode from 'vscode';
import { Commands } from '../constants';
import type { Services } from '../services';
import { handleErrors } from './handleErrors';

type Handler = (services: Services, ...args: unknown[]) => unknown;

const TABLE: Record<string, { title: string; run: Handler }> = {
  [Commands.refresh]: { title: 'Refresh', run: (s) => s.tree.refresh() },
  [Commands.showLog]: { title: 'Show Log', run: (s) => s.channel.show(true) },
  [Commands.addBroker]: { title: 'Add Broker', run: () => vscode.window.showInformationMessage('Add Broker: edit the rabbitmqPools.brokers setting (a guided flow arrives with the Brokers tree).') },
};

export function registerCommands(context: vscode.ExtensionContext, services: Services): void {
  for (const [id, { title, run }] of Object.entries(TABLE)) {
    context.subscriptions.push(vscode.commands.registerCommand(id, handleErrors(services.log, title, (...args: unknown[]) => run(services, ...args))));
  }
}
