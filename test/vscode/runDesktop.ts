/**
 * `npm run test:desktop`: the same extension-host mocha suite (suite/index.ts) in a desktop VS Code that @vscode/test-electron
 * downloads. Needs internet (the download); offline machines use `npm run test:vscode` (code-server) instead.
 * Env: VSCODE_VERSION (default "stable"; the extension's engines.vscode is ^1.100.0).
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { runTests } from '@vscode/test-electron';

async function main(): Promise<void> {
  // Compiled to out/test/vscode/runDesktop.js: three levels up is the project root.
  const root = path.resolve(__dirname, '../../..');
  const workspace = fs.mkdtempSync(path.join(os.tmpdir(), 'rmq-pools-desktop-'));
  try {
    await runTests({
      version: process.env.VSCODE_VERSION ?? 'stable',
      extensionDevelopmentPath: root,
      extensionTestsPath: path.resolve(__dirname, 'suite/index'),
      launchArgs: [workspace, '--disable-extensions', '--disable-workspace-trust', '--skip-welcome', '--skip-release-notes'],
    });
  } finally {
    fs.rmSync(workspace, { recursive: true, force: true });
  }
}

main().catch((e: unknown) => {
  console.error(`VS Code desktop tests failed: ${e instanceof Error ? e.message : String(e)}`);
  process.exit(1);
});
