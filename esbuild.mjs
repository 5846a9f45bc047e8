// Bundles: dist/extension.js (node, cjs, vscode external; amqplib in dist/amqplib.js and the commands the tree does not need in
// dist/commands.js, both loaded on first use; the test-only commands in dist/testSupport.js, loaded only in test mode), dist/cli.js
// (node), dist/webview.js (browser).
// Type-checking and lint run before this in `npm run build` (esbuild does not type-check).
import * as esbuild from 'esbuild';
import { existsSync, watch as watchFiles } from 'node:fs';
import * as path from 'node:path';

const production = process.argv.includes('--production');
const watch = process.argv.includes('--watch');
/** `--outdir DIR`: where the bundles go (default dist; test/unit/lazyCommands.test.ts builds into a directory of its own). */
const outdirArg = process.argv.indexOf('--outdir');
const out = outdirArg >= 0 ? process.argv[outdirArg + 1] : 'dist';

/** Prints errors in the `[watch] build finished` format VS Code's esbuild problem matcher understands. */
const problemMatcher = {
  name: 'problem-matcher',
  setup(build) {
    build.onStart(() => { if (watch) { console.log('[watch] build started'); } });
    build.onEnd((result) => {
      for (const { text, location } of result.errors) {
        console.error(`✘ [ERROR] ${text}`);
        if (location) { console.error(`    ${location.file}:${location.line}:${location.column}:`); }
      }
      if (watch) { console.log('[watch] build finished'); }
    });
  },
};

/**
 * One copy of the `vscode` API for the whole bundle. esbuild turns every `import * as vscode from 'vscode'` of an external
 * module into its own `__toESM(require("vscode"))`, which defines a getter for each of the API's ~260 properties: 45
 * files, ~12,000 getters while the extension loads — 60–80 ms of CPU with an API object of that size (bench/, figure 5).
 * Here every import resolves to one module that re-exports the API once.
 */
const vscodeOnce = {
  name: 'vscode-once',
  setup(build) {
    build.onResolve({ filter: /^vscode$/ }, (args) => (args.namespace === 'vscode-once' ? { path: 'vscode', external: true } : { path: 'vscode', namespace: 'vscode-once' }));
    build.onLoad({ filter: /.*/, namespace: 'vscode-once' }, () => ({ contents: 'export * from "vscode";', loader: 'js' }));
  },
};

/**
 * amqplib (40 % of the extension's code) goes to dist/amqplib.js, which `loadAmqplib()` requires on first use (a pool,
 * a publish, Test Connection): VS Code reads and compiles less when the extension activates.
 */
/** The test-only commands stay out of dist/extension.js: it requires dist/testSupport.js, their own bundle, in test mode only. */
const testSupportApart = {
  name: 'test-support-apart',
  setup(build) { build.onResolve({ filter: /testSupport\/testCommands$/ }, () => ({ path: './testSupport.js', external: true })); },
};

const amqplibApart = {
  name: 'amqplib-apart',
  setup(build) { build.onResolve({ filter: /^amqplib$/ }, () => ({ path: './amqplib.js', external: true })); },
};

/** dist/extension.js requires ./commands.js (src/commands/lazyCommands.ts) on the first use of one of its commands. */
const commandsApart = {
  name: 'commands-apart',
  setup(build) { build.onResolve({ filter: /\/lazyCommands$/ }, () => ({ path: './commands.js', external: true })); },
};

/**
 * dist/commands.js does not carry its own copies of what dist/extension.js has: every import of it that resolves to a
 * source file in `mainInputs` (the extension bundle's own inputs) becomes `require("./extension.js").__shared[file]`, the
 * module's namespace that the extension bundle exports (one BrokerError class for `instanceof`, one store, one set of
 * caches). `used` collects those files: the extension bundle exports exactly them (see `buildExtension`).
 */
function sharedWithMain(mainInputs, used) {
  return {
    name: 'shared-with-main',
    setup(build) {
      build.onResolve({ filter: /^\./ }, async (args) => {
        if (args.namespace === 'main-shared') { return { path: './extension.js', external: true }; }
        if (args.pluginData?.sharedWithMain) { return undefined; }
        const r = await build.resolve(args.path, { kind: args.kind, importer: args.importer, resolveDir: args.resolveDir, pluginData: { sharedWithMain: true } });
        if (r.errors.length > 0 || r.external) { return undefined; }
        const file = path.relative(process.cwd(), r.path).split(path.sep).join('/');
        if (!mainInputs.has(file)) { return undefined; }
        used.add(file);
        return { path: file, namespace: 'main-shared' };
      });
      build.onLoad({ filter: /.*/, namespace: 'main-shared' }, (args) => ({
        contents: `module.exports = require("./extension.js").__shared[${JSON.stringify(args.path)}];`, loader: 'js', resolveDir: process.cwd(),
      }));
    },
  };
}

const common = { bundle: true, minify: production, sourcemap: !production, logLevel: 'warning', plugins: [problemMatcher] };
const extensionOptions = { ...common, outfile: `${out}/extension.js`, platform: 'node', format: 'cjs', target: 'node20', external: ['vscode'], plugins: [problemMatcher, vscodeOnce, amqplibApart, testSupportApart, commandsApart], supported: { 'dynamic-import': false } };

/**
 * dist/extension.js and dist/commands.js in three passes: the extension alone (which source files it holds), the commands
 * against it (which of those they import), then the extension again with an entry that also exports those modules'
 * namespaces as `__shared`. The last pass adds no module to the extension: only exports of modules it already has.
 */
async function buildExtension() {
  const first = await esbuild.build({ ...extensionOptions, entryPoints: ['src/extension.ts'], write: false, metafile: true, logLevel: 'silent' });
  const mainInputs = new Set(Object.keys(first.metafile.inputs).filter((f) => f.startsWith('src/')));
  const used = new Set();
  await esbuild.build({ ...common, entryPoints: { commands: 'src/commands/lazyCommands.ts' }, outdir: out, platform: 'node', format: 'cjs', target: 'node20', external: ['vscode'], plugins: [problemMatcher, sharedWithMain(mainInputs, used), vscodeOnce, amqplibApart], supported: { 'dynamic-import': false } });
  const files = [...used].sort();
  const contents = [
    'export * from "./src/extension";',
    ...files.map((f, i) => `import * as m${i} from ${JSON.stringify('./' + f.replace(/\.ts$/, ''))};`),
    `export const __shared = {${files.map((f, i) => `${JSON.stringify(f)}: m${i}`).join(', ')}};`,
  ].join('\n');
  // The banner's time is when the bundle started to evaluate (src/extension.ts logs it in its activation line).
  await esbuild.build({ ...extensionOptions, banner: { js: 'var __rmqpLoadStart = performance.now();' }, stdin: { contents, resolveDir: process.cwd(), sourcefile: 'extension-entry.js', loader: 'js' } });
}

const builds = [
  { ...common, entryPoints: ['node_modules/amqplib/channel_api.js'], outfile: `${out}/amqplib.js`, platform: 'node', format: 'cjs', target: 'node20' },
  // Test-only commands, required by dist/extension.js only in test mode (RMQ_POOLS_TEST=1 or the VS Code test rig).
  { ...common, entryPoints: { testSupport: 'src/testSupport/testCommands.ts' }, outdir: out, platform: 'node', format: 'cjs', target: 'node20', external: ['vscode'], plugins: [problemMatcher, vscodeOnce, amqplibApart], supported: { 'dynamic-import': false } },
  { ...common, entryPoints: ['src/cli/main.ts'], outfile: `${out}/cli.js`, platform: 'node', format: 'cjs', target: 'node20', banner: { js: '#!/usr/bin/env node' } },
];
if (existsSync('media/main.ts')) {
  builds.push({ ...common, entryPoints: ['media/main.ts'], outfile: `${out}/webview.js`, platform: 'browser', format: 'iife', target: 'es2022' });
}

if (watch) {
  for (const b of builds) { await (await esbuild.context(b)).watch(); }
  // The extension's three passes have no esbuild context of their own: rebuilt whole (about a second) when src/ changes.
  let pending;
  const rebuild = () => {
    console.log('[watch] build started');
    buildExtension().catch((e) => console.error(`✘ [ERROR] ${e.message}`)).finally(() => console.log('[watch] build finished'));
  };
  rebuild();
  watchFiles('src', { recursive: true }, () => { clearTimeout(pending); pending = setTimeout(rebuild, 100); });
} else {
  await Promise.all([buildExtension(), ...builds.map((b) => esbuild.build(b))]);
}
