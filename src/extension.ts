/**
 * activate(): build the services, register the commands; nothing else. The returned object is for tests only.
 */
import * as vscode from 'vscode';
import { createServices, Services } from './services';
import { registerCommands } from './commands/registry';
import { registerDeliveryCountsPanel } from './webview/register';
import { ActiveInput, activeInput } from './commands/multiStepInput';
import type { LocalPoolsContext } from './commands/pools/localPoolsContext';
import { lazyCommands, lazyCommandsIfLoaded } from './commands/lazy';

export interface ExtensionApi {
  services: Services;
  /** For tests: the multi-step quick input on screen, and the local-pools context key's value. */
  inputs: ActiveInput;
  poolsContext: LocalPoolsContext;
  /** For tests: what deactivate() does for a running demo (the window stays). */
  stopDemoOnExit(): Promise<void>;
}

let active: Services | undefined;

export function activate(context: vscode.ExtensionContext): ExtensionApi {
  const services = createServices(context);
  active = services;
  const poolsContext = registerCommands(context, services);
  registerDeliveryCountsPanel(context, services);
  return { services, inputs: activeInput, poolsContext, stopDemoOnExit: () => lazyCommands().stopDemoOnExit(services) };
}

/** A running demo is removed and local pools close their channels and connections before the extension host goes (VS Code waits for this promise). */
export async function deactivate(): Promise<void> {
  // The demo first: it stops its own pools and removes its vhost.
  // (A demo can only run once dist/commands.js has loaded.)
  await lazyCommandsIfLoaded()?.stopDemoOnExit(active);
  await active?.localPools.stopAll();
  active = undefined;
}
