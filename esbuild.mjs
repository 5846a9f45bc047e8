// Bundles: dist/extension.js (node, cjs, vscode external; amqplib in dist/amqplib.js, loaded on first use; the test-only commands in dist/testSupport.js, loaded only in test mode), dist/cli.js (node), dist/webview.js (browser).
// Type-checking and lint run before this in `npm run build` (esbuild does not type-check).
import * as esbuild from 'esbuild';
import { existsSync } from 'node:fs';

const production = process.argv.includes('--production');
const watch = process.argv.includes('--watch');

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

const common = { bundle: true, minify: production, sourcemap: !production, logLevel: 'warning', plugins: [problemMatcher] };
const builds = [
  { ...common, entryPoints: ['src/extension.ts'], outfile: 'dist/extension.js', platform: 'node', format: 'cjs', target: 'node20', external: ['vscode'], plugins: [problemMatcher, vscodeOnce, amqplibApart, testSupportApart], supported: { 'dynamic-import': false } },
  { ...common, entryPoints: ['node_modules/amqplib/channel_api.js'], outfile: 'dist/amqplib.js', platform: 'node', format: 'cjs', target: 'node20' },
  // Test-only commands, required by dist/extension.js only in test mode (RMQ_POOLS_TEST=1 or the VS Code test rig).
  { ...common, entryPoints: { testSupport: 'src/testSupport/testCommands.ts' }, outdir: 'dist', platform: 'node', format: 'cjs', target: 'node20', external: ['vscode'], plugins: [problemMatcher, vscodeOnce, amqplibApart], supported: { 'dynamic-import': false } },
  { ...common, entryPoints: ['src/cli/main.ts'], outfile: 'dist/cli.js', platform: 'node', format: 'cjs', target: 'node20', banner: { js: '#!/usr/bin/env node' } },
];
if (existsSync('media/main.ts')) {
  builds.push({ ...common, entryPoints: ['media/main.ts'], outfile: 'dist/webview.js', platform: 'browser', format: 'iife', target: 'es2022' });
}

if (watch) {
  for (const b of builds) { await (await esbuild.context(b)).watch(); }
} else {
  await Promise.all(builds.map((b) => esbuild.build(b)));
}
