// A minimal vscode.ExtensionContext for the bundle loaded outside VS Code with ./fake-vscode.cjs: in-memory mementos and
// secret storage. Used by bench/activate-probe.cjs and test/unit/lazyCommands.test.ts.
'use strict';
const path = require('node:path');
const fake = require('./fake-vscode.cjs');

const memento = () => { const m = new Map(); return { get: (k, d) => (m.has(k) ? m.get(k) : d), update: async (k, v) => { m.set(k, v); }, keys: () => [...m.keys()], setKeysForSync() {} }; };
const secrets = () => { const m = new Map(); return { get: async (k) => m.get(k), store: async (k, v) => { m.set(k, v); }, delete: async (k) => { m.delete(k); }, onDidChange: () => new fake.Disposable() }; };

/** The context of an extension installed at `root`, its storage and log under `storage`. */
function fakeContext(root, storage = '/tmp') {
  return {
    subscriptions: [], workspaceState: memento(), globalState: memento(), secrets: secrets(),
    extensionUri: fake.Uri.file(root), extensionPath: root, asAbsolutePath: (p) => path.join(root, p), extensionMode: 1,
    globalStorageUri: fake.Uri.file(path.join(storage, 'g')), storageUri: undefined, logUri: fake.Uri.file(path.join(storage, 'l')),
    environmentVariableCollection: {}, extension: { id: 'rmq-pools.rabbitmq-pool-inspector', packageJSON: {} },
  };
}

module.exports = { fakeContext };
