// Figure 5: sizes of the production bundles and the .vsix, and activation time.
// The production build runs in a copy of the working tree (bench/.build/prod, node_modules linked) so that the shared
// dist/ that other test runs use is not rewritten under them: there, `node esbuild.mjs --production` and
// `npm run package` exactly as in the project. Activation: bench/activate-probe.cjs in a fresh process per repetition
// (require dist/extension.js + activate() with a fake `vscode` injected through Module._load).
import { execFileSync, execFile } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, rmSync, statSync, symlinkSync } from 'node:fs';
import * as path from 'node:path';
import { BENCH, BUILD, ROOT, summary } from './common.mjs';

export const PROD = path.join(BUILD, 'prod');

/** Copies the working tree (tracked + untracked, not ignored; bench/ left out) and builds it for production. */
export function productionBuild() {
  rmSync(PROD, { recursive: true, force: true });
  mkdirSync(PROD, { recursive: true });
  const files = execFileSync('git', ['ls-files', '-co', '--exclude-standard', '-z'], { cwd: ROOT, encoding: 'utf8' }).split('\0').filter((f) => f && !f.startsWith('bench/'));
  for (const f of files) {
    const src = path.join(ROOT, f);
    if (!existsSync(src)) { continue; } // deleted in the working tree
    mkdirSync(path.dirname(path.join(PROD, f)), { recursive: true });
    cpSync(src, path.join(PROD, f));
  }
  symlinkSync(path.join(ROOT, 'node_modules'), path.join(PROD, 'node_modules'), 'dir');
  const head = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: ROOT, encoding: 'utf8' }).trim();
  const dirty = execFileSync('git', ['status', '--porcelain', '--untracked-files=normal', '--', 'src', 'media', 'package.json', 'esbuild.mjs'], { cwd: ROOT, encoding: 'utf8' }).trim().split('\n').filter(Boolean).length;
  const t0 = performance.now();
  execFileSync(process.execPath, ['esbuild.mjs', '--production'], { cwd: PROD, stdio: ['ignore', 'ignore', 'inherit'] });
  const buildSeconds = (performance.now() - t0) / 1000;
  const t1 = performance.now();
  let packageNote;
  try {
    execFileSync('npm', ['run', '--silent', 'package'], { cwd: PROD, stdio: ['ignore', 'ignore', 'pipe'] });
  } catch (e) {
    // vsce refuses relative README images without a repository it recognises: the same package with links left as they are.
    packageNote = `npm run package failed (${String(e.stderr ?? e.message).split('\n').find((l) => /ERROR/.test(l))?.trim() ?? 'see above'}); packaged with --no-rewrite-relative-links`;
    execFileSync('npx', ['vsce', 'package', '--no-dependencies', '--allow-missing-repository', '--no-rewrite-relative-links', '--out', 'dist/rabbitmq-pool-inspector.vsix'], { cwd: PROD, stdio: ['ignore', 'ignore', 'inherit'] });
  }
  const packageSeconds = (performance.now() - t1) / 1000;
  const size = (f) => (existsSync(path.join(PROD, f)) ? statSync(path.join(PROD, f)).size : undefined);
  return {
    commit: head, uncommittedFiles: dirty, buildSeconds, packageSeconds, packageNote,
    extensionJs: size('dist/extension.js'), amqplibJs: size('dist/amqplib.js'), commandsJs: size('dist/commands.js'), webviewJs: size('dist/webview.js'), webviewCss: size('dist/webview.css'), cliJs: size('dist/cli.js'),
    vsix: size('dist/rabbitmq-pool-inspector.vsix'),
  };
}

function probe(extensionJs) {
  return new Promise((resolve, reject) => {
    execFile(process.execPath, [path.join(BENCH, 'activate-probe.cjs'), extensionJs], { cwd: ROOT }, (err, stdout, stderr) => {
      if (err) { reject(new Error(`activate-probe: ${stderr.trim() || err.message}`)); return; }
      resolve(JSON.parse(stdout));
    });
  });
}

export async function benchActivation(extensionJs, { reps }) {
  await probe(extensionJs); // warm the file cache
  const runs = [];
  for (let r = 0; r < reps; r++) { runs.push(await probe(extensionJs)); }
  return {
    extensionJs: path.relative(ROOT, extensionJs), total: summary(runs.map((r) => r.totalMs)), require: summary(runs.map((r) => r.requireMs)),
    activate: summary(runs.map((r) => r.activateMs)), commands: runs[0].commands, subscriptions: runs[0].subscriptions,
    loadedAtActivation: runs[0].loadedAtActivation,
  };
}
