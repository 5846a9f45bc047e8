/**
 * The commands the tree does not need to draw itself, and the Delivery Counts panel: the entry of dist/commands.js, which
 * dist/extension.js requires on the first use of any of them (./lazy.ts), so VS Code reads and compiles about half the
 * extension's code only when a user asks for it, not at activation (BENCHMARKS.md, figure 5).
 *
 * This file and what only it imports go to dist/commands.js; every module that dist/extension.js also contains is taken
 * from dist/extension.js itself, not copied (esbuild.mjs, `sharedWithMain`): one BrokerError class for `instanceof`, one
 * broker store, one set of caches. Ids and titles: LAZY_COMMAND_TITLES in ./lazy.ts (a unit test keeps the two equal).
 */
import type * as vscode from 'vscode';
import type { Services } from '../services';
import type { CommandDef } from './command';
import { addBrokerCommand } from './addBroker';
import { DEMO_COMMANDS } from './demo';
import { stopDemoOnExit } from './demo/demoController';
import { deletePoolCommand } from './deletePool';
import { checkUpgradeCommand, diagnoseCommand } from './diagnose/runDiagnose';
import { revealFindingCommand } from './diagnose/revealFinding';
import { editBrokerCommand } from './editBroker';
import { POOL_COMMANDS } from './pools';
import { purgePoolCommand } from './purgePool';
import { removeBrokerCommand } from './removeBroker';
import { routePreviewCommand } from './routePreview';
import { testConnectionCommand } from './testConnection';
import { peekMessagesCommand } from './peek/peekMessages';
import { publishMessageCommand } from './peek/publishMessage';
import { replayDeadLettersCommand } from './deadLetters/replayDeadLetters';
import { checkNodeMaintenanceCommand } from './health/checkNodeMaintenance';
import { DeliveryCountsPanel } from '../webview/deliveryCountsPanel';
import { isSelection, resolveSelection } from '../webview/selection';
import type { PanelSelection } from '../viewModel/panelProtocol';

export const LAZY_COMMANDS: readonly CommandDef[] = [
  addBrokerCommand, editBrokerCommand, removeBrokerCommand, testConnectionCommand,
  purgePoolCommand, deletePoolCommand,
  ...POOL_COMMANDS,
  diagnoseCommand, revealFindingCommand, routePreviewCommand,
  ...DEMO_COMMANDS,
  peekMessagesCommand, publishMessageCommand,
  replayDeadLettersCommand,
  checkNodeMaintenanceCommand,
  checkUpgradeCommand,
];

/** Show Delivery Counts: the panel of a selection (asked for when there is none). */
export async function showDeliveryCounts(services: Services, arg?: unknown): Promise<DeliveryCountsPanel | undefined> {
  const selection = await resolveSelection(services, arg);
  if (!selection) { return undefined; }
  const panel = DeliveryCountsPanel.show(services, selection);
  // Called with a selection object (tests in this extension host) the panel itself is returned; from the palette or the
  // tree nothing is, since VS Code would try to serialize it for the window.
  return isSelection(arg) ? panel : undefined;
}

/** A panel VS Code brings back after a reload, with the selection it had saved. */
export function restoreDeliveryCounts(services: Services, panel: vscode.WebviewPanel, selection: PanelSelection): void {
  new DeliveryCountsPanel(services, panel, selection);
}

/** Closes every Delivery Counts panel (the extension goes). */
export function disposePanels(): void {
  for (const p of [...DeliveryCountsPanel.panels.values()]) { p.dispose(); }
}

export { stopDemoOnExit };
