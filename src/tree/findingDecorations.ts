/** Findings on pool and worker items of the Brokers tree: an error / warning icon and one tooltip section per finding. */
import * as vscode from 'vscode';
import type { Finding, Severity } from '../broker/diagnose';
import { severityRank } from '../broker/diagnose';
import { TooltipBuilder } from '../viewModel/text';

export const SEVERITY_ICON: Record<Severity, vscode.ThemeIcon> = {
  error: new vscode.ThemeIcon('error', new vscode.ThemeColor('problemsErrorIcon.foreground')),
  warning: new vscode.ThemeIcon('warning', new vscode.ThemeColor('problemsWarningIcon.foreground')),
  info: new vscode.ThemeIcon('info', new vscode.ThemeColor('problemsInfoIcon.foreground')),
};

export function worstSeverity(fs: readonly Finding[]): Severity | undefined {
  let worst: Severity | undefined;
  for (const f of fs) { if (!worst || severityRank(f.severity) < severityRank(worst)) { worst = f.severity; } }
  return worst;
}

/** The tooltip lines of some findings (escaped): `kind (severity): message`, then what to do. */
export function findingsMarkdown(fs: readonly Finding[]): string {
  const t = new TooltipBuilder();
  for (const f of fs) {
    t.title(`${f.kind} (${f.severity})`, f.severity === 'info' ? 'info' : f.severity).text(f.message).text(`What to do: ${f.action}`);
  }
  return t.build();
}

/** Puts the worst finding's icon on the item and appends the findings to its tooltip. Returns the item. */
export function decorateWithFindings(item: vscode.TreeItem, fs: readonly Finding[]): vscode.TreeItem {
  const worst = worstSeverity(fs);
  if (!worst) { return item; }
  item.iconPath = SEVERITY_ICON[worst];
  const md = findingsMarkdown(fs);
  if (item.tooltip instanceof vscode.MarkdownString) {
    item.tooltip.appendMarkdown('\n\n---\n\n' + md);
  } else {
    const t = new vscode.MarkdownString((item.tooltip ? String(item.tooltip) + '\n\n---\n\n' : '') + md, true);
    t.isTrusted = false;
    t.supportHtml = false;
    item.tooltip = t;
  }
  return item;
}
