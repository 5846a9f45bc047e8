/**
 * Registers the Delivery Counts panel: the command (palette and tree context menus), the serializer that brings the panel
 * back after a reload with its selection, and — only when RMQ_POOLS_TEST=1 or the VS Code test rig runs
 * (RMQ_POOLS_EXT_TEST_RESULT) — a test-only command that starts local pools from a JSON spec.
 */
import * as vscode from 'vscode';
import { Commands } from '../constants';
import { handleErrors } from '../commands/handleErrors';
import type { Services } from '../services';
import { lazyCommands, lazyCommandsIfLoaded } from '../commands/lazy';
import { PANEL_VIEW_TYPE, isPersistedState } from '../viewModel/panelProtocol';

export const PANEL_COMMAND = Commands.showDeliveryCounts;

export function registerDeliveryCountsPanel(context: vscode.ExtensionContext, services: Services): void {
  context.subscriptions.push(
    // The panel's code is in dist/commands.js (../commands/lazyCommands.ts), loaded when the first panel opens.
    vscode.commands.registerCommand(PANEL_COMMAND, handleErrors(services.log, 'Show Delivery Counts', (arg?: unknown) => lazyCommands().showDeliveryCounts(services, arg))),
    vscode.window.registerWebviewPanelSerializer(PANEL_VIEW_TYPE, {
      async deserializeWebviewPanel(panel: vscode.WebviewPanel, state: unknown) {
        if (!isPersistedState(state)) {
          // Nothing to restore (the page never saved a selection): close rather than show an empty panel.
          panel.dispose();
          return;
        }
        lazyCommands().restoreDeliveryCounts(services, panel, state.selection);
      },
    }),
    { dispose: () => lazyCommandsIfLoaded()?.disposePanels() },
  );
  if (testModeEnabled()) {
    // The test-only commands are a bundle of their own (dist/testSupport.js), loaded only here: not in the product's code.
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- esbuild maps it to the external ./testSupport.js
    (require('../testSupport/testCommands') as typeof import('../testSupport/testCommands')).registerTestCommands(context, services);
  }
}

/** RMQ_POOLS_TEST=1 (the UI tests' servers) or the VS Code test rig (RMQ_POOLS_EXT_TEST_RESULT set). */
export function testModeEnabled(env: NodeJS.ProcessEnv = process.env): boolean {
  return env.RMQ_POOLS_TEST === '1' || !!env.RMQ_POOLS_EXT_TEST_RESULT;
}
