/**
 * activate(): build the services, register the commands; nothing else. The returned object is for tests only.
 */
import * as vscode from 'vscode';
import { createServices, Services } from './services';
import { registerCommands } from './commands/registry';
import { registerDeliveryCountsPanel } from './webview/register';
import { stopDemoOnExit } from './commands/demo/demoController';

export interface ExtensionApi {
  services: Services;
  /** What deactivate() does for a running demo (tests call it; the window stays). */
  stopDemoOnExit(): Promise<void>;
}

let active: Services | undefined;

export function activate(context: vscode.ExtensionContext): ExtensionApi {
  const services = createServices(context);
  active = services;
  registerCommands(context, services);
  registerDeliveryCountsPanel(context, services);
  return { services, stopDemoOnExit: () => stopDemoOnExit(services) };
}

/** A running demo is removed and local pools close their channels and connections before the extension host goes (VS Code waits for this promise). */
export async function deactivate(): Promise<void> {
  // The demo first: it stops its own pools and removes its vhost.
  await stopDemoOnExit(active);
  await active?.localPools.stopAll();
  active = undefined;
}
