/** The container of services that commands, the tree and the webview share. Built once in activate(). */
import * as vscode from 'vscode';
import { BROKERS_VIEW, FINDINGS_VIEW, LOG_NAME } from './constants';
import { channelLogger } from './logger';
import type { AuditReport } from './broker/audit';
import type { Logger } from './broker/logger';
import { BrokerStore } from './settings/brokerStore';
import { BrokerStatusBar } from './statusBar';
import { BrokersTreeProvider } from './tree/brokersTreeProvider';
import { RefreshManager } from './tree/refreshManager';
import type { TreeNode } from './tree/nodes/treeNode';
import { LocalPools } from './broker/localPools';
import { FindingsStore } from './viewModel/findingsStore';
import { healthThresholdsFromSettings } from './settings/healthSettings';
import { FindingsTreeProvider } from './tree/findingsView';
import { TreeLive } from './tree/treeLive';

/** Dialogs that commands use, replaceable by tests (a modal confirmation cannot be clicked from the extension host). */
export interface Prompts {
  confirm(message: string, detail: string, action: string): Thenable<boolean>;
  /** A modal with several actions: the one picked, undefined when cancelled. */
  choose(message: string, detail: string, actions: string[]): Thenable<string | undefined>;
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
  /** Diagnose findings per vhost: computed with the tree's refreshes, or by Diagnose Pools. */
  findings: FindingsStore;
  /** The Findings view. */
  findingsTree: FindingsTreeProvider;
  findingsView: vscode.TreeView<unknown>;
  /** Redraws local pools' counts and new findings in the tree; shows local pools' notices. */
  live: TreeLive;
  /** Audits finished by Run Delivery Audit (palette, tree): the Delivery Counts panel of the same selection shows them. */
  audits: vscode.EventEmitter<AuditEvent>;
}

/** An audit that ended, with the broker and vhost it ran on. */
export interface AuditEvent { broker: string; vhost: string; report: AuditReport }

export function createServices(context: vscode.ExtensionContext): Services {
  const channel = vscode.window.createOutputChannel(LOG_NAME, { log: true });
  const log = channelLogger(channel);
  const store = new BrokerStore(context.secrets, log);
  const tree = new BrokersTreeProvider(store, log);
  const treeView = vscode.window.createTreeView(BROKERS_VIEW, { treeDataProvider: tree, showCollapseAll: true });
  tree.attachView(treeView, BROKERS_VIEW);
  const refresher = new RefreshManager(tree, treeView);
  const statusBar = new BrokerStatusBar(tree, treeView, context.globalState);
  const prompts: Prompts = {
    confirm: async (message, detail, action) => (await vscode.window.showWarningMessage(message, { modal: true, detail }, action)) === action,
    choose: (message, detail, actions) => vscode.window.showWarningMessage(message, { modal: true, detail }, ...actions),
  };
  const localPools = new LocalPools(log);
  const findings = new FindingsStore(log);
  findings.healthThresholds = healthThresholdsFromSettings;
  findings.localWorkers = (broker, vhost) => localPools.list().filter((e) => e.broker === broker && e.vhost === vhost && e.status !== 'stopped').flatMap((e) => e.pool.snapshot().workers);
  tree.extras.localPools = localPools;
  tree.extras.findings = findings;
  const findingsTree = new FindingsTreeProvider(findings);
  const findingsView = vscode.window.createTreeView(FINDINGS_VIEW, { treeDataProvider: findingsTree });
  findingsTree.attach(findingsView);
  const live = new TreeLive(tree, localPools, findings, log);
  const audits = new vscode.EventEmitter<AuditEvent>();
  context.subscriptions.push(channel, store, tree, treeView, refresher, statusBar, { dispose: () => void localPools.stopAll() },
    findingsTree, findingsView, live, audits);
  return {
    context, channel, log, store, tree, treeView, refresher, statusBar, prompts, localPools, findings, findingsTree,
    findingsView: findingsView as vscode.TreeView<unknown>, live, audits,
  };
}
