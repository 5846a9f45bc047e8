/**
 * The "Pool Delivery Counts" webview panel (extension side): one panel per (broker, vhost, exchange, routing key).
 * It owns a CountsSource (the numbers), an UpdateThrottle (≤ 4 messages a second to the page) and the actions behind the
 * page's buttons. The page (media/main.ts) only renders what it is sent and asks for actions: protocol.ts.
 */
import * as vscode from 'vscode';
import type { BrokerConfig } from '../broker/connection';
import { describeError } from '../broker/errors';
import { ManagementClient } from '../broker/management';
import { publishNotifications } from '../broker/publisher';
import type { Services } from '../services';
import { CountsSource } from '../viewModel/countsSource';
import { ExportData, toCsv, toJson } from '../viewModel/panelExport';
import { makeNonce, renderHtml } from './html';
import { auditView } from '../viewModel/panelAudit';
import { runAudit } from '../broker/audit';
import {
  AuditView, BusyView, DEFAULT_COUNT, ExportFormat, HostMessage, MAX_UPDATES_PER_SECOND, PANEL_VIEW_TYPE, PageMessage, PanelSelection,
  PanelState, isPageMessage,
} from '../viewModel/panelProtocol';
import { configFor } from './selection';
import { Commands } from '../constants';
import { confirmPublish } from '../commands/pools/safePublish';
import { UpdateThrottle } from '../viewModel/throttle';
import { PanelHealthFeed } from './healthFeed';
import { healthThresholdsFromSettings } from '../settings/healthSettings';

/** Dialogs the panel uses; tests replace them (a save dialog cannot be answered from the extension host). */
export interface PanelDialogs {
  saveFile(defaultName: string, format: ExportFormat): Thenable<vscode.Uri | undefined>;
}

const defaultDialogs: PanelDialogs = {
  saveFile: (defaultName, format) => vscode.window.showSaveDialog({
    title: 'Export Delivery Counts',
    defaultUri: vscode.workspace.workspaceFolders?.[0] ? vscode.Uri.joinPath(vscode.workspace.workspaceFolders[0].uri, defaultName) : undefined,
    filters: format === 'json' ? { JSON: ['json'] } : { CSV: ['csv'] },
    saveLabel: 'Export',
  }),
};

export function selectionKey(s: PanelSelection): string {
  return JSON.stringify([s.broker, s.vhost, s.exchange, s.routingKey]);
}

export function panelTitle(s: PanelSelection): string {
  return `Delivery Counts: ${s.exchange || '(default)'} / ${s.routingKey || '(empty key)'}`;
}

export function webviewOptions(extensionUri: vscode.Uri): vscode.WebviewOptions & vscode.WebviewPanelOptions {
  return { enableScripts: true, localResourceRoots: [vscode.Uri.joinPath(extensionUri, 'dist')], retainContextWhenHidden: false, enableFindWidget: true };
}

export class DeliveryCountsPanel implements vscode.Disposable {
  static readonly panels = new Map<string, DeliveryCountsPanel>();

  /** Every message posted to the page, with its time (tests check the rate; cheap: a ring of the last 2,000). */
  readonly sent: { type: HostMessage['type']; at: number }[] = [];
  /** CSP violations the page reported (there should be none). */
  readonly cspViolations: string[] = [];
  /** Tests: sees every message as it is posted to the page (to check what the page is told, not only the panel's state). */
  onPost: ((m: HostMessage) => void) | undefined;
  dialogs: PanelDialogs = defaultDialogs;
  private selection: PanelSelection;
  private source: CountsSource | undefined;
  private health: PanelHealthFeed | undefined;
  private client: ManagementClient | undefined;
  private config: BrokerConfig | undefined;
  private readonly throttle: UpdateThrottle;
  private readonly disposables: vscode.Disposable[] = [];
  private busy: BusyView | undefined;
  private abort: AbortController | undefined;
  private audit: AuditView | undefined;
  private ready = false;
  private disposed = false;
  private readonly initializing: Promise<void>;

  constructor(private readonly services: Services, readonly panel: vscode.WebviewPanel, selection: PanelSelection) {
    this.selection = selection;
    DeliveryCountsPanel.panels.set(selectionKey(selection), this);
    const extUri = services.context.extensionUri;
    panel.webview.options = webviewOptions(extUri);
    panel.title = panelTitle(selection);
    // A tab icon is drawn as an image (not a mask like the activity bar's): one colour per theme kind.
    panel.iconPath = { light: vscode.Uri.joinPath(extUri, 'media', 'panel-light.svg'), dark: vscode.Uri.joinPath(extUri, 'media', 'panel-dark.svg') };
    this.throttle = new UpdateThrottle((b) => this.post({ type: 'update', ...b }), MAX_UPDATES_PER_SECOND);
    this.throttle.setPaused(true); // until the page says 'ready' (it gets a full snapshot then)
    const dist = vscode.Uri.joinPath(extUri, 'dist');
    panel.webview.html = renderHtml({
      cspSource: panel.webview.cspSource, nonce: makeNonce(),
      scriptUri: panel.webview.asWebviewUri(vscode.Uri.joinPath(dist, 'webview.js')).toString(),
      styleUri: panel.webview.asWebviewUri(vscode.Uri.joinPath(dist, 'webview.css')).toString(),
    });
    this.disposables.push(
      panel.onDidDispose(() => this.dispose()),
      panel.webview.onDidReceiveMessage((m: unknown) => this.receive(m)),
      panel.onDidChangeViewState((e) => this.visibility(e.webviewPanel.visible)),
      // An audit run from the palette or the tree shows here too when it is about this panel's selection.
      this.services.audits.event(({ broker, vhost, report }) => {
        const s = this.selection;
        if (broker !== s.broker || vhost !== s.vhost || report.exchange !== s.exchange || report.routingKey !== s.routingKey) { return; }
        this.audit = auditView(report);
        this.post({ type: 'audit', audit: this.audit });
      }),
    );
    this.initializing = this.init();
  }

  /** Opens (or reveals) the panel for a selection. */
  static show(services: Services, selection: PanelSelection): DeliveryCountsPanel {
    const existing = DeliveryCountsPanel.panels.get(selectionKey(selection));
    if (existing) {
      existing.panel.reveal();
      if (selection.pool !== undefined) { existing.selectPool(selection.pool); }
      return existing;
    }
    const panel = vscode.window.createWebviewPanel(PANEL_VIEW_TYPE, panelTitle(selection), vscode.ViewColumn.Active, webviewOptions(services.context.extensionUri));
    return new DeliveryCountsPanel(services, panel, selection);
  }

  get currentSelection(): PanelSelection { return { ...this.selection }; }
  /** Resolves once the broker's config is read and the source runs (or failed). */
  whenInitialized(): Promise<void> { return this.initializing; }

  state(): PanelState {
    return {
      selection: this.currentSelection, pools: this.source?.list() ?? [], history: this.source?.rateHistory() ?? [], audit: this.audit,
      busy: this.busy, managementAt: this.source?.managementAt, managementError: this.source?.managementError, defaultCount: DEFAULT_COUNT,
      health: this.health?.latest,
    };
  }

  exportData(): ExportData {
    const s = this.state();
    return { selection: s.selection, pools: s.pools, history: s.history, audit: s.audit, exportedAt: Date.now() };
  }

  /** Writes the export to `uri` (the Export button picks it with a save dialog). */
  async exportTo(uri: vscode.Uri, format: ExportFormat): Promise<void> {
    const text = format === 'json' ? toJson(this.exportData()) : toCsv(this.exportData());
    await vscode.workspace.fs.writeFile(uri, Buffer.from(text, 'utf8'));
  }

  selectPool(pool: string | undefined): void {
    this.selection = { ...this.selection, pool };
  }

  /** Publishes test notifications with a cancellable progress notification; resolves with the result line. */
  /** `interactive`: from the page's button, which asks before reaching other applications' pools. */
  async publish(count: number, interactive = false): Promise<string | undefined> {
    const config = await this.needConfig();
    if (this.busy) { throw new Error('An action is already running in this panel: wait for it or cancel it'); }
    const { exchange, routingKey } = this.selection;
    if (!await confirmPublish(this.services, config, { what: 'Publish Test Notifications', exchange, routingKey, count }, interactive)) { return undefined; }
    return this.withBusy('publish', count, `Publishing ${count.toLocaleString('en-US')} test notifications to ${exchange} / ${routingKey}`, async (signal, report) => {
      const r = await publishNotifications(config, { exchange, routingKey, count, signal, logger: this.services.log }, report);
      void this.source?.refresh();
      const line = `${r.cancelled ? 'Cancelled after' : 'Published'} ${r.published.toLocaleString('en-US')} test notifications to ${exchange} / ${routingKey}: `
        + `${r.confirmed.toLocaleString('en-US')} confirmed, ${r.unroutable.toLocaleString('en-US')} unroutable, in ${r.seconds.toFixed(1)} s`;
      this.services.log.info(line);
      this.notice('info', line);
      return line;
    });
  }

  async runAudit(count: number, interactive = false): Promise<AuditView | undefined> {
    const config = await this.needConfig();
    if (this.busy) { throw new Error('An action is already running in this panel: wait for it or cancel it'); }
    if (!await confirmPublish(this.services, config, { what: 'Run Delivery Audit', ...this.selection, count }, interactive)) { return undefined; }
    const source = this.source;
    const client = this.client;
    if (!source || !client) { return undefined; }
    await source.refresh();
    const running = source.localEntries().map((e) => e.pool);
    const { exchange, routingKey } = this.selection;
    return this.withBusy('audit', count, `Auditing ${exchange} / ${routingKey} with ${count.toLocaleString('en-US')} test notifications`, async (signal, report) => {
      const audit = auditView(await runAudit(config, client, {
        exchange, routingKey, count, running, signal, logger: this.services.log, onProgress: (p) => { if (p.publish) { report(p.publish); } },
      }));
      this.audit = audit;
      this.post({ type: 'audit', audit });
      const bad = audit.pools.filter((p) => p.missing || p.duplicates);
      this.services.log.info(`Audit of ${exchange} / ${routingKey}: ${audit.ok ? 'every pool got every message once' : `${bad.length} pool(s) with missing or duplicated messages`}`);
      return audit;
    });
  }

  reset(): void {
    this.source?.reset();
    this.audit = undefined;
    this.sendSnapshot();
  }

  cancel(): void { this.abort?.abort(); }

  dispose(): void {
    if (this.disposed) { return; }
    this.disposed = true;
    this.abort?.abort();
    if (DeliveryCountsPanel.panels.get(selectionKey(this.selection)) === this) { DeliveryCountsPanel.panels.delete(selectionKey(this.selection)); }
    this.throttle.dispose();
    this.source?.dispose();
    this.health?.dispose();
    this.client?.dispose();
    for (const d of this.disposables) { d.dispose(); }
    this.panel.dispose();
  }

  // ---- internals ----

  private async init(): Promise<void> {
    try {
      this.config = await configFor(this.services, this.selection.broker, this.selection.vhost);
      if (this.disposed) { return; }
      this.client = new ManagementClient(this.config);
      const source = new CountsSource({ selection: this.selection, config: this.config, client: this.client, localPools: this.services.localPools, log: this.services.log });
      source.onRow = (row) => this.throttle.pool(row);
      source.onRemoved = (name) => this.throttle.remove(name);
      source.onPoint = (p) => this.throttle.point(p);
      source.onManagement = (at, err) => this.throttle.management(at, err);
      this.throttle.beforeFlush = () => source.refreshLocal();
      this.source = source;
      this.health = new PanelHealthFeed(this.client, this.selection.vhost, () => source.list().map((p) => p.name), healthThresholdsFromSettings,
        (health) => this.throttle.health(health)); // through the throttle: at most 4 messages a second in all
      source.setVisible(this.panel.visible);
      const health = this.health;
      // After the first refresh (a failed one too: the source tries again) the feed reads the pools the source listed;
      // it skips a poll while there are none.
      try { await source.refresh(); } finally { if (!this.disposed) { health.setVisible(this.panel.visible); } }
      if (this.panel.visible && !this.disposed) { void health.poll(); }
    } catch (e) {
      this.notice('error', describeError(e));
      this.services.log.error(`Delivery Counts: ${describeError(e)}`);
    }
    if (this.ready) { this.sendSnapshot(); }
  }

  private async needConfig(): Promise<BrokerConfig> {
    await this.initializing;
    if (!this.config) { throw new Error(`The broker "${this.selection.broker}" could not be read: see the log`); }
    return this.config;
  }

  private visibility(visible: boolean): void {
    this.source?.setVisible(visible);
    this.health?.setVisible(visible);
    // A hidden webview is destroyed (no retainContextWhenHidden): when it shows again it sends 'ready' and gets a snapshot.
    if (!visible) {
      this.ready = false;
      this.throttle.setPaused(true);
    }
  }

  private async withBusy<T>(action: BusyView['action'], total: number, title: string,
    fn: (signal: AbortSignal, report: (p: { published: number; confirmed: number }) => void) => Promise<T>): Promise<T | undefined> {
    const abort = new AbortController();
    this.abort = abort;
    this.busy = { action, total, published: 0, confirmed: 0 };
    this.throttle.busy(this.busy);
    try {
      return await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title, cancellable: true }, async (progress, token) => {
        token.onCancellationRequested(() => abort.abort());
        let shown = 0;
        return fn(abort.signal, (p) => {
          const pct = Math.floor((p.confirmed / Math.max(1, total)) * 100);
          if (pct > shown) { progress.report({ increment: pct - shown, message: `${p.confirmed.toLocaleString('en-US')} of ${total.toLocaleString('en-US')} confirmed` }); shown = pct; }
          this.busy = { action, total, published: p.published, confirmed: p.confirmed };
          this.throttle.busy(this.busy);
        });
      });
    } finally {
      if (this.abort === abort) { this.abort = undefined; }
      this.busy = undefined;
      this.throttle.busy(undefined);
    }
  }

  private receive(raw: unknown): void {
    if (!isPageMessage(raw)) {
      this.services.log.warn('Delivery Counts: ignored a malformed message from the panel');
      return;
    }
    const m: PageMessage = raw;
    const act = (what: string, p: Promise<unknown>) => void p.catch((e: unknown) => {
      const line = describeError(e);
      this.services.log.error(`Delivery Counts: ${what}: ${line}`);
      this.notice('error', `${what}: ${line}`);
      void vscode.window.showErrorMessage(`${what}: ${line}`);
    });
    switch (m.type) {
      case 'ready':
        this.ready = true;
        this.sendSnapshot();
        this.throttle.setPaused(!this.panel.visible);
        break;
      case 'publish': act('Publish Test Notifications', this.publish(m.count, true)); break;
      case 'audit': act('Run Audit', this.runAudit(m.count, true)); break;
      case 'reset': this.reset(); break;
      case 'cancel': this.cancel(); break;
      case 'export': act('Export', this.exportWithDialog(m.format)); break;
      case 'selectPool': this.selectPool(m.pool); break;
      case 'peek': act('Peek Messages', Promise.resolve(vscode.commands.executeCommand(Commands.peekMessages, { ...this.poolArgs(), pool: m.pool, interactive: true }))); break;
      case 'publishMessage': act('Publish Message', Promise.resolve(vscode.commands.executeCommand(Commands.publishMessage, { ...this.poolArgs(), interactive: true }))); break;
      case 'cspViolation':
        this.cspViolations.push(`${m.directive} ${m.blocked}`);
        this.services.log.warn(`Delivery Counts: the page reported a CSP violation: ${m.directive} blocked ${m.blocked}`);
        break;
    }
  }

  /** The selection as a command's argument object (Peek Messages…, Publish Message…). */
  private poolArgs() {
    const s = this.selection;
    return { broker: s.broker, vhost: s.vhost, exchange: s.exchange, routingKey: s.routingKey };
  }

  private async exportWithDialog(format: ExportFormat): Promise<void> {
    const s = this.selection;
    const safe = (x: string) => x.replace(/[^A-Za-z0-9._-]+/g, '_').slice(0, 60) || '_';
    const uri = await this.dialogs.saveFile(`delivery-counts-${safe(s.exchange)}-${safe(s.routingKey)}.${format}`, format);
    if (!uri) { return; }
    await this.exportTo(uri, format);
    this.notice('info', `Exported the delivery counts to ${uri.fsPath}`);
  }

  private sendSnapshot(): void {
    if (!this.ready) { return; }
    this.throttle.clear();
    this.post({ type: 'snapshot', state: this.state() });
  }

  private notice(severity: 'info' | 'error', message: string): void {
    this.post({ type: 'notice', severity, message });
  }

  private post(m: HostMessage): void {
    if (this.disposed) { return; }
    this.sent.push({ type: m.type, at: Date.now() });
    if (this.sent.length > 2000) { this.sent.splice(0, this.sent.length - 2000); }
    this.onPost?.(m);
    void this.panel.webview.postMessage(m);
  }
}
