/** Every command, registered from one table; each handler takes (node?, nodes?) so it works from the palette and the tree. */
import * as vscode from 'vscode';
import type { Services } from '../services';
import { addBrokerCommand } from './addBroker';
import type { CommandDef } from './command';
import { copyNameCommand } from './copyName';
import { DEMO_COMMANDS } from './demo';
import { deletePoolCommand } from './deletePool';
import { checkUpgradeCommand, diagnoseCommand } from './diagnose/runDiagnose';
import { revealFindingCommand } from './diagnose/revealFinding';
import { editBrokerCommand } from './editBroker';
import { clearFilterCommand, filterCommand } from './filter';
import { handleErrors } from './handleErrors';
import { POOL_COMMANDS } from './pools';
import { LocalPoolsContext } from './pools/localPoolsContext';
import { loadMoreCommand } from './loadMore';
import { openInManagementUiCommand } from './openInManagementUi';
import { purgePoolCommand } from './purgePool';
import { refreshCommand } from './refresh';
import { removeBrokerCommand } from './removeBroker';
import { retryCommand } from './retry';
import { routePreviewCommand } from './routePreview';
import { selectBrokerCommand } from './selectBroker';
import { showLogCommand } from './showLog';
import { testConnectionCommand } from './testConnection';
import { peekMessagesCommand } from './peek/peekMessages';
import { publishMessageCommand } from './peek/publishMessage';
import { replayDeadLettersCommand } from './deadLetters/replayDeadLetters';
import { checkNodeMaintenanceCommand } from './health/checkNodeMaintenance';
import { ReadOnlyContext, guardWrite } from './writes';

export const COMMANDS: readonly CommandDef[] = [
  refreshCommand, retryCommand, loadMoreCommand, filterCommand, clearFilterCommand, copyNameCommand, openInManagementUiCommand,
  addBrokerCommand, editBrokerCommand, removeBrokerCommand, testConnectionCommand, selectBrokerCommand, showLogCommand,
  purgePoolCommand, deletePoolCommand,
  ...POOL_COMMANDS,
  diagnoseCommand, revealFindingCommand, routePreviewCommand,
  ...DEMO_COMMANDS,
  peekMessagesCommand, publishMessageCommand,
  replayDeadLettersCommand,
  checkNodeMaintenanceCommand,
  checkUpgradeCommand,
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
