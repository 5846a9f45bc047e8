// Bundles: dist/extension.js (node, cjs, vscode external), dist/cli.js (node), dist/webview.js (browser).
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

const common = { bundle: true, minify: production, sourcemap: !production, logLevel: 'warning', plugins: [problemMatcher] };
const builds = [
  { ...common, entryPoints: ['src/extension.ts'], outfile: 'dist/extension.js', platform: 'node', format: 'cjs', target: 'node20', external: ['vscode'] },
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
