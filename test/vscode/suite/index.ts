/**
 * The mocha runner INSIDE the VS Code extension host (code-server's, or a desktop VS Code's through runDesktop.ts).
 * Loads every `*.test.js` next to it, so a new test file in this folder is picked up without touching this one.
 * Prints mocha's spec output and a last line "N passed, N failed" (the e2e runner reads it from the console), writes that
 * line to $RMQ_POOLS_EXT_TEST_RESULT when set, and rejects on any failure, which makes VS Code exit with code 1.
 * An `.only` fails the run (forbidOnly); an unfiltered run with fewer tests than test/floors.json's "vscode-exthost" fails.
 */
import * as fs from 'fs';
import * as path from 'path';
import Mocha from 'mocha';

/** test/floors.json's "vscode-exthost" (this file runs from out/test/vscode/suite/); a missing floor is a failure too. */
function readFloor(): number {
  const file = path.resolve(__dirname, '../../../../test/floors.json');
  const n = (JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, unknown>)['vscode-exthost'];
  if (typeof n !== 'number' || !Number.isInteger(n)) { throw new Error(`${file} has no "vscode-exthost" floor`); }
  return n;
}

export async function run(): Promise<void> {
  // Tests here talk to a real broker and a real workbench: generous timeouts, and no colours (the log is plain text).
  // RMQ_POOLS_TEST_GREP (a regex on test titles) and RMQ_POOLS_TEST_FILES (a regex on file names) narrow a development
  // run (scripts/vscode-e2e.sh's TEST_GREP / TEST_FILES); npm test unsets both.
  const grep = process.env.RMQ_POOLS_TEST_GREP || undefined;
  const mocha = new Mocha({ ui: 'bdd', color: false, timeout: 60_000, slow: 5_000, reporter: 'spec', forbidOnly: true, grep });
  const only = process.env.RMQ_POOLS_TEST_FILES ? new RegExp(process.env.RMQ_POOLS_TEST_FILES) : undefined;
  const filtered = only !== undefined || grep !== undefined;
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

  let floor = 0;
  if (!filtered) {
    try { floor = readFloor(); } catch (e) { summary(0, 1); throw e; }
  }

  // The e2e runner (test/vscode/e2e/runExtTests.mjs) prints the extension host's console from this marker on.
  console.log(`[rmq-pools suite] ${files.length} test file(s): ${files.join(', ')}`);
  await new Promise<void>((resolve, reject) => {
    try {
      const runner = mocha.run(() => {
        const { passes = 0, failures = 0, pending = 0 } = runner.stats ?? {};
        // A skipped test is not a pass: count it with the failures, as scripts/test-all.sh does for the other suites.
        if (pending) { console.log(`${pending} pending (counted as failed)`); }
        // Fewer tests than this suite has (a file that no longer loads its tests, an .only that slipped through): a failure.
        const short = passes + failures + pending < floor ? 1 : 0;
        if (short) { console.log(`only ${passes + failures + pending} tests ran, fewer than the ${floor} that test/floors.json ("vscode-exthost") says this suite has: counted as a failure`); }
        const line = summary(passes, failures + pending + short);
        if (failures + pending + short > 0) { reject(new Error(line)); } else { resolve(); }
      });
    } catch (e) {
      // A test file that throws while loading: nothing ran.
      console.error(e);
      summary(0, 1);
      reject(e);
    }
  });
}
