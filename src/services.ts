/** The container of services that commands, the tree and the webview share. Built once in activate(). */
import * as vscode from 'vscode';
import { BROKERS_VIEW, LOG_NAME } from './constants';
import { channelLogger } from './logger';
import type { Logger } from './broker/logger';
import { BrokerStore } from './brokers/brokerStore';
import { BrokerStatusBar } from './statusBar';
import { BrokersTreeProvider } from './tree/brokersTreeProvider';
import { RefreshManager } from './tree/refreshManager';
import type { TreeNode } from './tree/nodes/treeNode';
import { LocalPools } from './broker/localPools';

/** Dialogs that commands use, replaceable by tests (a modal confirmation cannot be clicked from the extension host). */
export interface Prompts {
  confirm(message: string, detail: string, action: string): Thenable<boolean>;
}

export interface Services {
  context: vscode.ExtensionContext;
  channel: vscode.LogOutputChannel;
  log: Logger;
  store: BrokerStore;
  tree: BrokersTreeProvider;
  treeView: vscode.TreeView<TreeNode>;
  refresher: RefreshManager;
  statusBar: BrokerStatusBar;
  prompts: Prompts;
  /** Pools of local workers started by this extension (stopped on deactivate). */
  localPools: LocalPools;
}

export function createServices(context: vscode.ExtensionContext): Services {
  const channel = vscode.window.createOutputChannel(LOG_NAME, { log: true });
  const log = channelLogger(channel);
  const store = new BrokerStore(context.secrets, log);
  const tree = new BrokersTreeProvider(store, log);
  const treeView = vscode.window.createTreeView(BROKERS_VIEW, { treeDataProvider: tree, showCollapseAll: true });
  const refresher = new RefreshManager(tree, treeView);
  const statusBar = new BrokerStatusBar(tree, treeView, context.globalState);
  const prompts: Prompts = {
    confirm: async (message, detail, action) => (await vscode.window.showWarningMessage(message, { modal: true, detail }, action)) === action,
  };
  const localPools = new LocalPools(log);
  context.subscriptions.push(channel, store, tree, treeView, refresher, statusBar, { dispose: () => void localPools.stopAll() });
  return { context, channel, log, store, tree, treeView, refresher, statusBar, prompts, localPools };
}
