/**
 * The "Findings" view: what diagnose() says about the pools the Brokers view shows, grouped by severity (errors first).
 * Each finding names its pool or exchange; the tooltip holds the message and what to do; clicking one reveals the pool in
 * the Brokers view. Refreshed with the Brokers view (the store computes findings once per refresh); empty → welcome text.
 */
import * as vscode from 'vscode';
import { Finding, Severity, isUpgradeFinding } from '../broker/diagnose';
import { Commands, ContextValues } from '../constants';
import { SEVERITY_ICON } from './findingDecorations';
import type { FindingsStore, VhostFindings } from '../viewModel/findingsStore';
import { TooltipBuilder, plainLabel, plural } from '../viewModel/text';

const SEVERITIES: Severity[] = ['error', 'warning', 'info'];
const GROUP_LABEL: Record<Severity, string> = { error: 'Errors', warning: 'Warnings', info: 'Information' };

export class SeverityGroup {
  constructor(readonly severity: Severity, readonly items: FindingItem[]) {}
  get id(): string { return `sev:${this.severity}`; }
}

/** "Upgrade to RabbitMQ 4.x": the upgrade findings (Check Upgrade to RabbitMQ 4.x, or Diagnose Pools with upgrade findings on). */
export class UpgradeGroup {
  constructor(readonly items: FindingItem[]) {}
  get id(): string { return 'upgrade'; }
}

export const UPGRADE_GROUP_LABEL = 'Upgrade to RabbitMQ 4.x';

export class FindingItem {
  constructor(readonly broker: string, readonly vhost: string, readonly finding: Finding, readonly index: number, private readonly showVhost: boolean) {}

  get id(): string {
    const f = this.finding;
    return `f:${JSON.stringify([this.broker, this.vhost, f.kind, f.pool ?? '', f.exchange ?? '', f.routingKey ?? '', this.index])}`;
  }

  /** "ceilometer" or "nova / compute.#" */
  get subject(): string {
    const f = this.finding;
    return f.pool ?? `${f.exchange ?? ''}${f.routingKey !== undefined ? ` / ${f.routingKey}` : ''}`;
  }

  treeItem(): vscode.TreeItem {
    const f = this.finding;
    const item = new vscode.TreeItem(plainLabel(this.subject), vscode.TreeItemCollapsibleState.None);
    item.id = this.id;
    item.iconPath = SEVERITY_ICON[f.severity];
    item.contextValue = ContextValues.finding;
    const where = [f.breaksIn ? `breaks in ${f.breaksIn}` : '', f.kind, f.pool && f.exchange ? `${f.exchange} / ${f.routingKey ?? ''}` : '', this.showVhost ? `${this.broker} · ${this.vhost}` : ''];
    item.description = plainLabel(where.filter(Boolean).join(' · '));
    const t = new TooltipBuilder().title(`${f.kind} (${f.severity})`, f.severity).field('Pool', f.pool).field('Exchange', f.exchange)
      .field('Routing key', f.routingKey).field('Breaks in', f.breaksIn ? `RabbitMQ ${f.breaksIn}` : undefined).field('Applications', f.applications?.join(', ')).field('Workers', f.workers?.join(', '))
      .field('Broker', this.broker).field('vhost', this.vhost).rule().text(f.message).text(`What to do: ${f.action}`);
    const md = new vscode.MarkdownString(t.build(), true);
    md.isTrusted = false;
    md.supportHtml = false;
    item.tooltip = md;
    item.command = { command: Commands.revealFinding, title: 'Reveal in Brokers View', arguments: [this] };
    return item;
  }
}

type Group = SeverityGroup | UpgradeGroup;
type Element = Group | FindingItem;

export class FindingsTreeProvider implements vscode.TreeDataProvider<Element>, vscode.Disposable {
  private readonly emitter = new vscode.EventEmitter<Element | undefined>();
  readonly onDidChangeTreeData = this.emitter.event;
  private groups: Group[] = [];
  private view?: vscode.TreeView<Element>;
  private readonly onChanged = () => this.update();

  constructor(private readonly store: FindingsStore) {
    store.on('changed', this.onChanged);
    this.update();
  }

  attach(view: vscode.TreeView<Element>): void {
    this.view = view;
    this.update();
  }

  /** Every finding shown, errors first (tests and the Diagnose Pools command read it). */
  items(): FindingItem[] {
    return this.groups.flatMap((g) => g.items);
  }

  private update(): void {
    const all: VhostFindings[] = this.store.all();
    const showVhost = all.filter((v) => v.findings.length).length > 1;
    const items = all.flatMap((v) => v.findings.map((f, i) => new FindingItem(v.broker, v.vhost, f, i, showVhost)));
    const now = items.filter((i) => !isUpgradeFinding(i.finding));
    const upgrade = items.filter((i) => isUpgradeFinding(i.finding));
    this.groups = [
      ...SEVERITIES.map((s) => new SeverityGroup(s, now.filter((i) => i.finding.severity === s))),
      new UpgradeGroup(upgrade),
    ].filter((g) => g.items.length);
    if (this.view) {
      // Upgrade findings are about a future version: listed, not counted in the badge.
      const bad = now.filter((i) => i.finding.severity !== 'info').length;
      this.view.badge = bad ? { value: bad, tooltip: plural(bad, 'pool finding') } : undefined;
      const notes = all.filter((v) => v.note || v.error).map((v) => `${v.broker} · ${v.vhost}: ${v.error ? `not diagnosed (${v.error})` : v.note}`);
      this.view.message = notes.length ? notes.join('\n') : undefined;
    }
    this.emitter.fire(undefined);
  }

  getTreeItem(e: Element): vscode.TreeItem {
    if (e instanceof FindingItem) { return e.treeItem(); }
    if (e instanceof UpgradeGroup) {
      const up = new vscode.TreeItem(`${UPGRADE_GROUP_LABEL} (${e.items.length})`, vscode.TreeItemCollapsibleState.Expanded);
      up.id = e.id;
      up.iconPath = new vscode.ThemeIcon('arrow-circle-up');
      up.tooltip = 'What breaks, or stops working, when this broker is upgraded to RabbitMQ 4.x: each names the version and the fix.';
      return up;
    }
    const item = new vscode.TreeItem(`${GROUP_LABEL[e.severity]} (${e.items.length})`, vscode.TreeItemCollapsibleState.Expanded);
    item.id = e.id;
    item.iconPath = SEVERITY_ICON[e.severity];
    return item;
  }

  getChildren(e?: Element): Element[] {
    if (!e) { return this.groups; }
    return e instanceof FindingItem ? [] : e.items;
  }

  getParent(e: Element): Element | undefined {
    return e instanceof FindingItem ? this.groups.find((g) => g.items.includes(e)) : undefined;
  }

  dispose(): void {
    this.store.off('changed', this.onChanged);
    this.emitter.dispose();
  }
}
