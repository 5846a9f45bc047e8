/**
 * The Brokers view: broker → vhost → Exchanges → exchange → binding key → pool → worker, and vhost → Pools → pool.
 *
 * Nodes are classes (nodes/*.ts) that read through a vscode-free BrokerSession per broker (model/brokerSession.ts), which
 * caches reads for one refresh. Nothing thrown reaches VS Code: a failing level becomes an ErrorNode with Retry, logged
 * once (redacted) to the "RabbitMQ Pools" channel.
 */
import * as vscode from 'vscode';
import { describeError } from '../broker/errors';
import type { Logger } from '../broker/logger';
import type { ManagementClientOptions } from '../broker/management';
import { sleep } from '../broker/time';
import { BrokerEntry, BrokerStore } from '../settings/brokerStore';
import { CONFIG_SECTION, Settings } from '../constants';
import { BrokerSession, TreeOptions } from '../viewModel/brokerSession';
import { BrokerNode } from './nodes/brokerNode';
import { AddBrokerNode, ErrorNode } from './nodes/messageNodes';
import { TreeNode } from './nodes/treeNode';
import { TreeExtras, attachExtras, newTreeExtras } from './treeExtras';

export function treeOptions(): TreeOptions {
  const c = vscode.workspace.getConfiguration(CONFIG_SECTION);
  return {
    pageSize: Math.min(Math.max(1, c.get<number>(Settings.pageSize, 100)), 500),
    showSystemExchanges: c.get<boolean>(Settings.showSystemExchanges, false),
  };
}

export class BrokersTreeProvider implements vscode.TreeDataProvider<TreeNode>, vscode.Disposable {
  private readonly emitter = new vscode.EventEmitter<TreeNode | undefined>();
  readonly onDidChangeTreeData = this.emitter.event;
  private readonly sessionsEmitter = new vscode.EventEmitter<void>();
  /** Fires when the set of broker sessions or one's status changes (the status bar listens). */
  readonly onDidChangeSessions = this.sessionsEmitter.event;
  private sessions = new Map<string, { key: string; session: BrokerSession; status: { dispose(): void } }>();
  private roots: TreeNode[] = [];
  private readonly disposables: vscode.Disposable[] = [];
  private pending = 0;
  /** For benchmarks and tests: counts every management request of every session. */
  clientOptions: ManagementClientOptions = {};
  /** Local pools and findings shown in the tree (services.ts fills them in); every session gets them. */
  readonly extras: TreeExtras = newTreeExtras();

  constructor(private readonly store: BrokerStore, private readonly log: Logger, private readonly options: () => TreeOptions = treeOptions) {
    this.disposables.push(
      this.emitter, this.sessionsEmitter,
      store.onDidChange(() => this.refresh()),
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (e.affectsConfiguration(`${CONFIG_SECTION}.${Settings.pageSize}`) || e.affectsConfiguration(`${CONFIG_SECTION}.${Settings.showSystemExchanges}`)) { this.refresh(); }
      }),
    );
  }

  dispose(): void {
    for (const d of this.disposables) { d.dispose(); }
    for (const s of this.sessions.values()) { s.status.dispose(); s.session.dispose(); }
    this.sessions.clear();
  }

  /** True while some getChildren call is still waiting for the broker (auto-refresh skips a tick then). */
  get busy(): boolean { return this.pending > 0; }

  /** Drops every cached read and redraws; expansion, selection, pages shown and filters stay (stable ids). */
  refresh(node?: TreeNode): void {
    if (node?.session) {
      node.session.invalidate();
    } else {
      for (const s of this.sessions.values()) { s.session.invalidate(); }
    }
    this.emitter.fire(node && this.isLive(node) ? node : undefined);
  }

  /** Redraws one node without dropping caches (failed reads are never cached, so this retries them). */
  redraw(node?: TreeNode): void {
    this.emitter.fire(node && this.isLive(node) ? node : undefined);
  }

  retry(node: ErrorNode | TreeNode | undefined): void {
    const target = node instanceof ErrorNode ? node.parent : node;
    this.redraw(target);
  }

  /** The root nodes last given to the view (walks start from them so that the view's own nodes stay the live ones). */
  get shownRoots(): readonly TreeNode[] { return this.roots; }

  /** True when the node belongs to the nodes last given to the view (not to an older refresh). */
  isLive(node: TreeNode): boolean {
    let n: TreeNode | undefined = node;
    while (n?.parent) { n = n.parent; }
    return !!n && this.roots.includes(n);
  }

  getTreeItem(node: TreeNode): vscode.TreeItem {
    try {
      return node.getTreeItem();
    } catch (e) {
      this.log.error(`Brokers view: cannot draw ${node.id}: ${describeError(e)}`);
      return new vscode.TreeItem(node.id);
    }
  }

  getParent(node: TreeNode): TreeNode | undefined {
    return node.parent;
  }

  async getChildren(node?: TreeNode): Promise<TreeNode[]> {
    this.pending++;
    try {
      if (!node) { return await this.rootNodes(); }
      return await node.getChildren();
    } catch (e) {
      this.log.error(`Brokers view: ${node ? node.id : 'brokers'}: ${describeError(e)}`);
      return [new ErrorNode(node, e)];
    } finally {
      this.pending--;
    }
  }

  /** The sessions, for the status bar and commands (one per configured broker, or the local default broker). */
  allSessions(): BrokerSession[] {
    return [...this.sessions.values()].map((s) => s.session);
  }

  /** The session of a broker by name, creating sessions first if the tree has not been drawn yet. */
  async session(name: string): Promise<BrokerSession | undefined> {
    if (!this.sessions.has(name)) { await this.syncSessions(); }
    return this.sessions.get(name)?.session;
  }

  private async syncSessions(): Promise<{ entry: BrokerEntry; session?: BrokerSession; error?: unknown }[]> {
    const entries = this.store.list();
    const out: { entry: BrokerEntry; session?: BrokerSession; error?: unknown }[] = [];
    const keep = new Set<string>();
    for (const entry of entries) {
      const name = entry.setting.name;
      try {
        const config = await this.store.config(entry);
        // A changed setting or password means a new session (new client, new caches); otherwise keep it and its pages.
        const key = JSON.stringify([config, entry.setting.vhost ?? null]);
        let s = this.sessions.get(name);
        if (!s || s.key !== key) {
          if (s) { s.status.dispose(); s.session.dispose(); }
          const session = new BrokerSession(config, this.options, this.log, entry.setting.vhost, this.clientOptions);
          attachExtras(session, this.extras);
          session.redrawHook = (n) => this.redraw(n as TreeNode);
          s = { key, session, status: session.onStatus(() => this.sessionsEmitter.fire()) };
          this.sessions.set(name, s);
        }
        keep.add(name);
        out.push({ entry, session: s.session });
      } catch (e) {
        this.log.error(`Broker "${name}": invalid settings: ${describeError(e)}`);
        out.push({ entry, error: e });
      }
    }
    for (const [name, s] of this.sessions) {
      if (!keep.has(name)) { s.status.dispose(); s.session.dispose(); this.sessions.delete(name); }
    }
    this.sessionsEmitter.fire();
    return out;
  }

  private async rootNodes(): Promise<TreeNode[]> {
    const brokers = await this.syncSessions();
    const nodes: TreeNode[] = brokers.map((b) => new BrokerNode(b.entry, b.session, b.error));
    // Wait briefly for the overviews so the first draw already says "RabbitMQ 3.10.8" or "unreachable"; slow ones redraw later.
    // Overview and nodes side by side; the vhost list (the levels below) starts now too instead of after the overview.
    for (const b of brokers) { void b.session?.vhosts().catch(() => undefined); }
    const overviews = brokers.map((b, i) => b.session ? Promise.all([b.session.overview(), b.session.nodes()]).then(() => i, () => i) : Promise.resolve(i));
    const late = new Set(overviews.map((_, i) => i));
    await Promise.race([Promise.all(overviews.map((p) => p.then((i) => late.delete(i)))), sleep(1500)]);
    for (const i of late) { void overviews[i].then(() => this.redraw(nodes[i])); }
    if (brokers.length === 1 && brokers[0].entry.source === 'default') { nodes.push(new AddBrokerNode()); }
    this.roots = nodes;
    return nodes;
  }
}
