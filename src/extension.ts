/**
 * activate(): build the services, register the commands; nothing else. The returned object is for tests only.
 */
import * as vscode from 'vscode';
import { createServices, Services } from './services';
import { registerCommands } from './commands/registry';
import { registerDeliveryCountsPanel } from './webview/register';
import { ActiveInput, activeInput } from './commands/multiStepInput';
import type { LocalPoolsContext } from './commands/pools/localPoolsContext';

export interface ExtensionApi {
  services: Services;
  /** For tests: the multi-step quick input on screen, and the local-pools context key's value. */
  inputs: ActiveInput;
  poolsContext: LocalPoolsContext;
}

let active: Services | undefined;

export function activate(context: vscode.ExtensionContext): ExtensionApi {
  const services = createServices(context);
  active = services;
  const poolsContext = registerCommands(context, services);
  registerDeliveryCountsPanel(context, services);
  return { services, inputs: activeInput, poolsContext };
}

/** Local pools close their channels and connections before the extension host goes (VS Code waits for this promise). */
export async function deactivate(): Promise<void> {
  await active?.localPools.stopAll();
  active = undefined;
}
