/**
 * activate(): build the services, register the commands; nothing else. The returned object is for tests only.
 */
import * as vscode from 'vscode';
import { createServices, Services } from './services';
import { registerCommands } from './commands/registry';
import { registerDeliveryCountsPanel } from './webview/register';

export interface ExtensionApi {
  services: Services;
}

export function activate(context: vscode.ExtensionContext): ExtensionApi {
  const services = createServices(context);
  registerCommands(context, services);
  registerDeliveryCountsPanel(context, services);
  return { services };
}

export function deactivate(): void {
  // Everything is in context.subscriptions; local pools stop through their disposables.
}
