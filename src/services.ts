/** The container of services that commands, the tree and the webview share. Built once in activate(). */
import * as vscode from 'vscode';
import { BROKERS_VIEW, LOG_NAME } from './constants';
import { channelLogger } from './logger';
import type { Logger } from './broker/logger';
import { BrokersTreeProvider } from './tree/brokersTreeProvider';

export interface Services {
  context: vscode.ExtensionContext;
  channel: vscode.LogOutputChannel;
  log: Logger;
  tree: BrokersTreeProvider;
  treeView: vscode.TreeView<unknown>;
}

export function createServices(context: vscode.ExtensionContext): Services {
  const channel = vscode.window.createOutputChannel(LOG_NAME, { log: true });
  const log = channelLogger(channel);
  const tree = new BrokersTreeProvider(log);
  const treeView = vscode.window.createTreeView(BROKERS_VIEW, { treeDataProvider: tree, showCollapseAll: true });
  context.subscriptions.push(channel, tree, treeView);
  return { context, channel, log, tree, treeView: treeView as vscode.TreeView<unknown> };
}
