/**
 * Auto-refresh, after vscode-docker's RefreshManager: poll only while the view is visible, coalesce requests (debounce),
 * skip a tick while the previous refresh is still loading, and stop for good on dispose.
 */
import * as vscode from 'vscode';
import { CONFIG_SECTION, Settings } from '../constants';
import type { BrokersTreeProvider } from './brokersTreeProvider';

export class RefreshManager implements vscode.Disposable {
  private timer?: NodeJS.Timeout;
  private debounce?: NodeJS.Timeout;
  private disposed = false;
  private readonly disposables: vscode.Disposable[] = [];

  constructor(private readonly tree: BrokersTreeProvider, private readonly view: vscode.TreeView<unknown>, private readonly debounceMs = 300) {
    this.disposables.push(
      view.onDidChangeVisibility(() => this.schedule()),
      vscode.workspace.onDidChangeConfiguration((e) => { if (e.affectsConfiguration(`${CONFIG_SECTION}.${Settings.refreshSeconds}`)) { this.schedule(); } }),
    );
    this.schedule();
  }

  get seconds(): number {
    const s = vscode.workspace.getConfiguration(CONFIG_SECTION).get<number>(Settings.refreshSeconds, 5);
    return Number.isFinite(s) && s > 0 ? Math.max(1, s) : 0;
  }

  /** True while the timer runs (visible view, refreshSeconds > 0). */
  get running(): boolean { return this.timer !== undefined; }

  /** A refresh request from a button or an event: several within debounceMs become one. */
  request(): void {
    if (this.disposed) { return; }
    clearTimeout(this.debounce);
    this.debounce = setTimeout(() => { this.debounce = undefined; this.tree.refresh(); }, this.debounceMs);
  }

  private schedule(): void {
    clearInterval(this.timer);
    this.timer = undefined;
    if (this.disposed || !this.view.visible || this.seconds === 0) { return; }
    this.timer = setInterval(() => {
      // A slow broker must not pile up refreshes: skip while the last one is still being drawn.
      if (!this.tree.busy) { this.request(); }
    }, this.seconds * 1000);
  }

  dispose(): void {
    this.disposed = true;
    clearInterval(this.timer);
    clearTimeout(this.debounce);
    this.timer = undefined;
    for (const d of this.disposables) { d.dispose(); }
  }
}
