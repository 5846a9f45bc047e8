/**
 * Just enough of the `vscode` module for the tree's node classes (TreeItem, ThemeIcon, ThemeColor, MarkdownString,
 * TreeItemCollapsibleState) to run under plain mocha: the cluster tests walk the real node classes of src/tree/nodes
 * against the real cluster without starting VS Code. Import this module before any src/tree/nodes file.
 */
import { Module } from 'node:module';

class ThemeColor { constructor(readonly id: string) {} }
class ThemeIcon { constructor(readonly id: string, readonly color?: ThemeColor) {} }
class MarkdownString {
  isTrusted = false;
  supportHtml = false;
  constructor(public value = '', readonly supportThemeIcons = false) {}
}
enum TreeItemCollapsibleState { None = 0, Collapsed = 1, Expanded = 2 }
class TreeItem {
  id?: string;
  description?: string | boolean;
  tooltip?: string | MarkdownString;
  contextValue?: string;
  iconPath?: ThemeIcon;
  command?: unknown;
  constructor(readonly label: string, readonly collapsibleState: TreeItemCollapsibleState = TreeItemCollapsibleState.None) {}
}

export const vscodeStub = { ThemeColor, ThemeIcon, MarkdownString, TreeItemCollapsibleState, TreeItem };

type Resolve = (request: string, parent: unknown, ...rest: unknown[]) => string;
const mod = Module as unknown as { _resolveFilename: Resolve; _cache: Record<string, unknown> };
const original = mod._resolveFilename;
const STUB_ID = '\0vscode-stub';
mod._resolveFilename = function (request: string, parent: unknown, ...rest: unknown[]): string {
  return request === 'vscode' ? STUB_ID : original.call(this, request, parent, ...rest);
};
mod._cache[STUB_ID] = { id: STUB_ID, filename: STUB_ID, loaded: true, exports: vscodeStub } as unknown;
