/**
 * activate(): build the services, register the tree, the commands and the webview; nothing else.
 */
import * as vscode from 'vscode';
import { createServices } from './services';
import { registerCommands } from './commands/registry';

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  const services = createServices(context);
  registerCommands(context, services);
}

export function deactivate(): void {
  // Everything is in context.subscriptions; local pools stop through their disposables.
}
