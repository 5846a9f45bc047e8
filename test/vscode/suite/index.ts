/**
 * The mocha runner INSIDE the VS Code extension host (code-server's, or a desktop VS Code's through runDesktop.ts).
 * Loads every `*.test.js` next to it, so a new test file in this folder is picked up without touching this one.
 * Prints mocha's spec output and a last line "N passed, N failed" (the e2e runner reads it from the console), writes that
 * line to $RMQ_POOLS_EXT_TEST_RESULT when set, and rejects on any failure, which makes VS Code exit with code 1.
 */
import * as fs from 'fs';
import * as path from 'path';
import Mocha from 'mocha';

export async function run(): Promise<void> {
  // Tests here talk to a real broker and a real workbench: generous timeouts, and no colours (the log is plain text).
  const mocha = new Mocha({ ui: 'bdd', color: false, timeout: 60_000, slow: 5_000, reporter: 'spec' });
  // RMQ_POOLS_TEST_FILES (a regex on file names) narrows a development run; npm test leaves it empty.
  const only = process.env.RMQ_POOLS_TEST_FILES ? new RegExp(process.env.RMQ_POOLS_TEST_FILES) : undefined;
  const files = fs.readdirSync(__dirname).filter((f) => f.endsWith('.test.js') && (!only || only.test(f))).sort();
  for (const f of files) { mocha.addFile(path.join(__dirname, f)); }

  const summary = (passed: number, failed: number): string => {
    const line = `${passed} passed, ${failed} failed`;
    console.log(line);
    const out = process.env.RMQ_POOLS_EXT_TEST_RESULT;
    if (out) {
      try { fs.writeFileSync(out, line + '\n'); } catch (e) { console.error(`could not write ${out}: ${String(e)}`); }
    }
    return line;
  };

  if (files.length === 0) {
    summary(0, 1);
    throw new Error(`no *.test.js files in ${__dirname}: run \`npm run compile-tests\` first`);
  }

  // The e2e runner (test/vscode/e2e/runExtTests.mjs) prints the extension host's console from this marker on.
  console.log(`[rmq-pools suite] ${files.length} test file(s): ${files.join(', ')}`);
  await new Promise<void>((resolve, reject) => {
    try {
      const runner = mocha.run(() => {
        const { passes = 0, failures = 0, pending = 0 } = runner.stats ?? {};
        // A skipped test is not a pass: count it with the failures, as scripts/test-all.sh does for the other suites.
        if (pending) { console.log(`${pending} pending (counted as failed)`); }
        const line = summary(passes, failures + pending);
        if (failures + pending > 0) { reject(new Error(line)); } else { resolve(); }
      });
    } catch (e) {
      // A test file that throws while loading: nothing ran.
      console.error(e);
      summary(0, 1);
      reject(e);
    }
  });
}
