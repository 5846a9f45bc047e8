// node bench/activate-probe.cjs <dist/extension.js>: loads the bundle with a fake `vscode` (Module._load hook), calls
// activate() with a minimal ExtensionContext and prints {requireMs, activateMs, totalMs, commands, loadedAtActivation} as JSON
// (loadedAtActivation: the bundle's files under dist/ that were loaded by then). One cold
// process per measurement; an approximation of VS Code's "code loading + activate() call" times.
'use strict';
const Module = require('node:module');
const path = require('node:path');
const fake = require('./fake-vscode.cjs');
const { fakeContext } = require('./fake-context.cjs');
let commands = 0;
const realRegister = fake.commands.registerCommand;
fake.commands.registerCommand = (...a) => { commands++; return realRegister(...a); };
const load = Module._load;
Module._load = function (request, parent, isMain) { return request === 'vscode' ? fake : load.call(this, request, parent, isMain); };

const target = path.resolve(process.argv[2]);
const ctx = fakeContext(path.dirname(path.dirname(target)));
(async () => {
  const t0 = performance.now();
  const ext = require(target);
  const t1 = performance.now();
  await ext.activate(ctx);
  const t2 = performance.now();
  process.stdout.write(JSON.stringify({ requireMs: t1 - t0, activateMs: t2 - t1, totalMs: t2 - t0, commands, subscriptions: ctx.subscriptions.length, loadedAtActivation: Object.keys(require.cache).filter((f) => path.dirname(f) === path.dirname(target)).map((f) => path.basename(f)).sort() }) + '\n');
  for (const d of ctx.subscriptions) { try { d.dispose(); } catch { /* */ } }
  process.exit(0);
})().catch((e) => { console.error(e?.stack ?? e); process.exit(1); });
