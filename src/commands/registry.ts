/** Every command, registered from one table; each handler takes (node?, nodes?) so it works from the palette and the tree. */
import * as vscode from 'vscode';
import type { Services } from '../services';
import type { CommandDef } from './command';
import { copyNameCommand } from './copyName';
import { clearFilterCommand, filterCommand } from './filter';
import { handleErrors } from './handleErrors';
import { LAZY_STUBS } from './lazy';
import { LocalPoolsContext } from './pools/localPoolsContext';
import { loadMoreCommand } from './loadMore';
import { openInManagementUiCommand } from './openInManagementUi';
import { refreshCommand } from './refresh';
import { retryCommand } from './retry';
import { selectBrokerCommand } from './selectBroker';
import { showLogCommand } from './showLog';
import { ReadOnlyContext, guardWrite } from './writes';

/**
 * The commands the tree needs to draw itself are here; the others (./lazyCommands.ts) are registered at activation by id
 * and title (./lazy.ts) and load with dist/commands.js the first time one runs.
 */
export const COMMANDS: readonly CommandDef[] = [
  refreshCommand, retryCommand, loadMoreCommand, filterCommand, clearFilterCommand, copyNameCommand, openInManagementUiCommand,
  selectBrokerCommand, showLogCommand,
  ...LAZY_STUBS,
];

/** Registers every command; returns the context key that shows the local-pool commands in the palette only while a pool runs. */
export function registerCommands(context: vscode.ExtensionContext, services: Services): LocalPoolsContext {
  for (const { id, title, run } of COMMANDS.map(guardWrite)) {
    context.subscriptions.push(vscode.commands.registerCommand(id, handleErrors(services.log, title, (...args: unknown[]) => run(services, ...args))));
  }
  const poolsContext = new LocalPoolsContext(services.localPools);
  context.subscriptions.push(poolsContext);
  context.subscriptions.push(new ReadOnlyContext(services.store));
  return poolsContext;
}
