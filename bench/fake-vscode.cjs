// A minimal stand-in for the `vscode` module, enough for activate() to run outside VS Code (bench/activate-probe.cjs).
// Real behaviour where the extension's start-up logic depends on it (enums, EventEmitter, configuration defaults, the
// classes it constructs); everything else is a do-nothing object that answers any property or call.
'use strict';
const handler = {
  get(_t, prop) {
    if (prop === 'then' || prop === Symbol.iterator || prop === Symbol.asyncIterator) { return undefined; }
    if (prop === Symbol.toPrimitive) { return () => ''; }
    if (prop === 'dispose') { return () => undefined; }
    return any();
  },
  apply() { return any(); },
  construct() { return any(); },
};
function any() { return new Proxy(function () {}, handler); }

class Disposable {
  constructor(fn) { this.fn = fn; }
  static from(...ds) { return new Disposable(() => ds.forEach((d) => d?.dispose?.())); }
  dispose() { this.fn?.(); this.fn = undefined; }
}
class EventEmitter {
  constructor() { this.listeners = new Set(); this.event = (l, thisArg) => { const f = thisArg ? l.bind(thisArg) : l; this.listeners.add(f); return new Disposable(() => this.listeners.delete(f)); }; }
  fire(e) { for (const l of [...this.listeners]) { l(e); } }
  dispose() { this.listeners.clear(); }
}
class TreeItem { constructor(label, collapsibleState) { this.label = label; this.collapsibleState = collapsibleState; } }
class ThemeIcon { constructor(id, color) { this.id = id; this.color = color; } }
ThemeIcon.File = new ThemeIcon('file'); ThemeIcon.Folder = new ThemeIcon('folder');
class ThemeColor { constructor(id) { this.id = id; } }
class MarkdownString { constructor(value = '') { this.value = value; } appendMarkdown(s) { this.value += s; return this; } appendText(s) { this.value += s; return this; } appendCodeblock(s) { this.value += s; return this; } }
class CancellationError extends Error {}
class Uri {
  constructor(scheme, path) { this.scheme = scheme; this.path = path; this.fsPath = path; }
  static parse(s) { const u = new URL(s); return new Uri(u.protocol.replace(':', ''), u.pathname); }
  static file(p) { return new Uri('file', p); }
  static joinPath(u, ...ps) { return new Uri(u.scheme, [u.path, ...ps].join('/')); }
  with() { return this; }
  toString() { return `${this.scheme}://${this.path}`; }
}
const event = () => new Disposable();
const configuration = { get: (_k, d) => d, has: () => false, inspect: () => undefined, update: async () => undefined };
const channel = () => ({ name: 'log', logLevel: 2, onDidChangeLogLevel: event, append() {}, appendLine() {}, replace() {}, clear() {}, show() {}, hide() {}, dispose() {}, trace() {}, debug() {}, info() {}, warn() {}, error() {} });
const treeView = () => ({ visible: true, selection: [], onDidChangeVisibility: event, onDidChangeSelection: event, onDidExpandElement: event, onDidCollapseElement: event, onDidChangeCheckboxState: event, reveal: async () => undefined, dispose() {}, message: undefined, title: undefined, description: undefined, badge: undefined });
const statusBarItem = () => ({ text: '', tooltip: undefined, command: undefined, show() {}, hide() {}, dispose() {} });

const vscode = new Proxy({
  version: '1.100.3',
  Disposable, EventEmitter, TreeItem, ThemeIcon, ThemeColor, MarkdownString, CancellationError, Uri,
  TreeItemCollapsibleState: { None: 0, Collapsed: 1, Expanded: 2 },
  StatusBarAlignment: { Left: 1, Right: 2 },
  ProgressLocation: { SourceControl: 1, Window: 10, Notification: 15 },
  ConfigurationTarget: { Global: 1, Workspace: 2, WorkspaceFolder: 3 },
  ViewColumn: { Active: -1, Beside: -2, One: 1, Two: 2 },
  QuickPickItemKind: { Separator: -1, Default: 0 },
  ExtensionMode: { Production: 1, Development: 2, Test: 3 },
  LogLevel: { Off: 0, Trace: 1, Debug: 2, Info: 3, Warning: 4, Error: 5 },
  env: { clipboard: { writeText: async () => undefined }, openExternal: async () => true, language: 'en', machineId: 'bench', sessionId: 'bench', uiKind: 1 },
  workspace: new Proxy({ getConfiguration: () => configuration, onDidChangeConfiguration: event, onDidGrantWorkspaceTrust: event, isTrusted: true, workspaceFolders: undefined }, { get: (t, p) => (p in t ? t[p] : (String(p).startsWith('onDid') ? event : any())) }),
  window: new Proxy({ createOutputChannel: channel, createTreeView: treeView, createStatusBarItem: statusBarItem, registerWebviewPanelSerializer: () => new Disposable(), registerTreeDataProvider: () => new Disposable(), state: { focused: true } },
    { get: (t, p) => (p in t ? t[p] : (String(p).startsWith('onDid') ? event : any())) }),
  commands: { registerCommand: () => new Disposable(), executeCommand: async () => undefined, getCommands: async () => [] },
}, { get: (t, p) => (p in t ? t[p] : any()) });

// The real API object has one property per top-level export of the `vscode` module (about 260 in @types/vscode 1.x):
// the fake gets the same number, because what a bundle does per API property (esbuild's __toESM copies each of them for
// every importing file) is part of the loading time measured here.
try {
  const dts = require('node:fs').readFileSync(require.resolve('@types/vscode/index.d.ts'), 'utf8');
  for (const m of dts.matchAll(/^\texport (?:class|enum|namespace|const|let|function|var) (\w+)/gm)) {
    if (!Reflect.getOwnPropertyDescriptor(vscode, m[1])) { Reflect.defineProperty(vscode, m[1], { value: class {}, enumerable: true, configurable: true, writable: true }); }
  }
} catch { /* no @types/vscode: the smaller fake */ }

module.exports = vscode;
