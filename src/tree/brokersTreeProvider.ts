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

/** A refresh tells the view at the latest this long after it started reading (a slow level then draws as it arrives). */
export const WARM_MAX_MS = 3000;
/** A refresh still reading after this long shows the view's progress bar. */
const PROGRESS_AFTER_MS = 300;

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
  /**
   * The children last given to the view, by parent id ('' for the roots). VS Code asks only for the children of expanded
   * nodes, so these are the levels on screen: a refresh reads them again (warm) before it tells the view.
   */
  private readonly given = new Map<string, TreeNode[]>();
  /** Refreshes being read before the view is told (busy meanwhile, so that auto-refresh skips its tick). */
  private warming = 0;
  /** The refreshes being read, for settled(). */
  private readonly inFlight = new Set<Promise<void>>();
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

  /** True while some getChildren call is still waiting for the broker, or a refresh is being read (auto-refresh skips a tick then). */
  get busy(): boolean { return this.pending > 0 || this.warming > 0; }

  /** The view, for collapse events (a collapsed level is no longer read ahead) and the refresh's progress bar. */
  attachView(view: vscode.TreeView<TreeNode>, viewId: string): void {
    this.viewId = viewId;
    this.disposables.push(view.onDidCollapseElement((e) => this.given.delete(e.element.id)));
  }
  private viewId?: string;

  /**
   * Drops every cached read and redraws; expansion, selection, pages shown and filters stay (stable ids). The levels on
   * screen are read again first and the view is told afterwards (at most WARM_MAX_MS later), so that it redraws from fresh
   * caches in a few milliseconds. Telling it first left every row unknown to the extension host until the broker had
   * answered for its level: a context-menu command chosen meanwhile got no node (VS Code passes `undefined` for a row it
   * cannot resolve), and every auto-refresh blinked the tree. Resolves once the view has been told: a caller that reveals
   * a node afterwards must wait for it, or the telling lands in the middle of the reveal and collapses what it expanded.
   */
  refresh(node?: TreeNode): Promise<void> {
    if (node?.session) {
      node.session.invalidate();
    } else {
      for (const s of this.sessions.values()) { s.session.invalidate(); }
    }
    const target = node && this.isLive(node) ? node : undefined;
    this.warming++;
    const warm = this.warm(target);
    // The view's progress bar only for a slow read: a quick one (most auto-refreshes) would blink it every few seconds.
    const viewId = this.viewId;
    const progress = viewId ? setTimeout(() => { void vscode.window.withProgress({ location: { viewId } }, () => warm); }, PROGRESS_AFTER_MS) : undefined;
    // Every refresh tells the view (two overlapping ones tell it twice, the second from caches): none is lost.
    const told = warm.finally(() => {
      clearTimeout(progress);
      this.warming--;
      this.inFlight.delete(told);
      this.emitter.fire(target);
    });
    this.inFlight.add(told);
    return told;
  }

  /** Resolves when no refresh is being read: a reveal waits for it so that a refresh's telling cannot land in its middle. */
  async settled(): Promise<void> {
    while (this.inFlight.size) { await Promise.all([...this.inFlight]); }
  }

  /** Reads again what the view shows under `target` (every level when undefined), from the view's own nodes; never throws. */
  private async warm(target?: TreeNode): Promise<void> {
    const level = (nodes: readonly TreeNode[]): Promise<unknown> => Promise.all(nodes.map(async (n) => {
      const shown = this.given.get(n.id);
      if (!shown) { return; }
      // The view's read of this level reports a failure (an ErrorNode); here it only means nothing is read below it.
      await n.getChildren().catch(() => undefined);
      await level(shown);
    }));
    const work = target ? level([target]) : (async () => {
      await Promise.all(this.allSessions().map((s) => Promise.all([s.overview(), s.nodes(), s.vhosts()]).catch(() => undefined)));
      await level(this.roots);
    })();
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([work.catch(() => undefined), new Promise((resolve) => { timer = setTimeout(resolve, WARM_MAX_MS); })]);
    } finally {
      clearTimeout(timer);
    }
  }

  /**
   * Redraws one node without dropping caches (failed reads are never cached, so this retries them). A node of an older
   * refresh (a background read it started finished after the view took new nodes) redraws the view's node with its id.
   */
  redraw(node?: TreeNode): void {
    const live = node && (this.isLive(node) ? node : this.liveById(node.id));
    this.emitter.fire(live);
  }

  /** The view's node with this id, if the view holds one. */
  private liveById(id: string): TreeNode | undefined {
    for (const children of this.given.values()) {
      const n = children.find((c) => c.id === id);
      if (n && this.isLive(n)) { return n; }
    }
    return undefined;
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
      const children = node ? await node.getChildren() : await this.rootNodes();
      this.given.set(node?.id ?? '', children);
      return children;
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
