/**
 * Keeps the Brokers view current between refreshes without refreshing it: local pools' counts and states, and new
 * findings, redraw only the pool nodes concerned (tree.redraw(node), coalesced over `debounceMs`), never the whole tree.
 * Also tells the user what local pools report (reconnecting, queue deleted with a "Recreate Pool" button).
 */
import * as vscode from 'vscode';
import { LocalPoolNotice, LocalPools, localPoolId } from '../broker/localPools';
import { describeError } from '../broker/errors';
import type { Logger } from '../broker/logger';
import type { BrokersTreeProvider } from './brokersTreeProvider';
import type { FindingsStore, VhostFindings } from '../viewModel/findingsStore';

export const RECREATE_POOL = 'Recreate Pool';

export class TreeLive implements vscode.Disposable {
  private readonly dirty = new Set<string>();
  private timer?: NodeJS.Timeout;
  private knownIds = '';
  private readonly lastNotice = new Map<string, number>();
  private readonly subscriptions: (() => void)[] = [];
  /** Notices shown, for tests (the message and whether Recreate Pool was offered). */
  readonly shown: { severity: string; message: string; recreate: boolean }[] = [];

  constructor(private readonly tree: BrokersTreeProvider, private readonly localPools: LocalPools, findings: FindingsStore,
    private readonly log: Logger, private readonly debounceMs = 250) {
    const onCounts = (id: string) => this.mark((n) => localIdOf(n) === id);
    const onChanged = () => this.localChanged();
    const onNotice = (n: LocalPoolNotice) => this.notice(n);
    const onFindings = (f: VhostFindings, pools: string[]) => this.mark((n) => n.session.name === f.broker && n.vhost === f.vhost && pools.includes(n.pool.name));
    localPools.on('counts', onCounts);
    localPools.on('changed', onChanged);
    localPools.on('notice', onNotice);
    findings.on('changed', onFindings);
    this.subscriptions.push(
      () => localPools.off('counts', onCounts), () => localPools.off('changed', onChanged), () => localPools.off('notice', onNotice),
      () => findings.off('changed', onFindings),
    );
    // A refresh of the whole view (timer, button) recomputes the findings of the vhosts shown so far, once per refresh.
    const sub = tree.onDidChangeTreeData((n) => { if (!n) { findings.refreshWatched((s) => tree.allSessions().includes(s)); } });
    // A removed broker's findings leave the Findings view.
    const sessions = tree.onDidChangeSessions(() => findings.prune((name) => tree.allSessions().some((s) => s.name === name)));
    this.subscriptions.push(() => sub.dispose(), () => sessions.dispose());
  }

  /** Redraws, soon, the pool nodes the predicate selects. */
  private mark(which: (n: PoolNodeLike) => boolean): void {
    for (const [id, list] of this.tree.extras.poolNodes) { if (list.length && which(list[list.length - 1])) { this.dirty.add(id); } }
    if (this.dirty.size && !this.timer) {
      this.timer = setTimeout(() => this.flush(), this.debounceMs);
    }
  }

  private flush(): void {
    this.timer = undefined;
    const ids = [...this.dirty];
    this.dirty.clear();
    for (const id of ids) {
      // Only nodes of the view's current draw: VS Code ignores instances it was not given, and an older one would redraw all.
      for (const n of this.tree.extras.poolNodes.get(id) ?? []) { if (this.tree.isLive(n)) { this.tree.redraw(n); } }
    }
  }

  /** A pool started or stopped: every level redraws (new node classes); a state change redraws that pool's nodes. */
  private localChanged(): void {
    const ids = this.localPools.list().map((e) => e.id).sort().join('\n');
    if (ids !== this.knownIds) {
      this.knownIds = ids;
      // A redraw keeps the caches: pool nodes pick their class again and local pools the broker does not list yet are added.
      this.tree.redraw();
      return;
    }
    const live = new Set(this.localPools.list().map((e) => e.id));
    this.mark((n) => live.has(localIdOf(n)));
  }

  private notice(n: LocalPoolNotice): void {
    this.log[n.severity === 'error' ? 'error' : n.severity === 'warning' ? 'warn' : 'info'](`Local pool "${n.pool}": ${n.message}`);
    // Reconnect storms repeat the same line: once per pool and message every 30 s is enough on screen.
    const key = `${n.id}\n${n.message}`;
    const now = Date.now();
    if (!n.recreate && (this.lastNotice.get(key) ?? 0) > now - 30_000) { return; }
    this.lastNotice.set(key, now);
    this.shown.push({ severity: n.severity, message: n.message, recreate: !!n.recreate });
    const text = `Pool "${n.pool}": ${n.message}`;
    if (n.recreate) {
      void vscode.window.showWarningMessage(text, RECREATE_POOL).then(async (pick) => {
        if (pick !== RECREATE_POOL) { return; }
        try {
          await this.localPools.recreate(n.id);
          void vscode.window.showInformationMessage(`Pool "${n.pool}" was declared and bound again; its workers consume from it (counts start from zero).`);
        } catch (e) {
          void vscode.window.showErrorMessage(`Recreate Pool: ${describeError(e)}`);
        }
        this.tree.refresh();
      });
    } else if (n.severity === 'error') {
      void vscode.window.showErrorMessage(text);
    } else if (n.severity === 'warning') {
      void vscode.window.showWarningMessage(text);
    } else {
      void vscode.window.showInformationMessage(text);
    }
  }

  dispose(): void {
    clearTimeout(this.timer);
    for (const s of this.subscriptions) { s(); }
  }
}

interface PoolNodeLike { readonly id: string; readonly vhost: string; readonly pool: { name: string }; readonly session: { name: string } }

function localIdOf(n: PoolNodeLike): string {
  return localPoolId(n.session.name, n.vhost, n.pool.name);
}
