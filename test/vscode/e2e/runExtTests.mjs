// Runs the mocha suite INSIDE code-server's Node extension host, the way VS Code's own browser integration tests do: the
// workbench URL carries a `payload` with extensionDevelopmentPath / extensionTestsPath (vscode-remote URIs), the extension
// host forwards its console to window.codeAutomationLog(type, args), and calls window.codeAutomationExit(code) when the
// test runner (test/vscode/suite/index.ts) is done: 0 when every test passed.
//
//   node test/vscode/e2e/runExtTests.mjs --url http://127.0.0.1:18080/ --dev . --tests out/test/vscode/suite/index.js \
//        [--folder DIR] [--timeout 180000] [--summary FILE] [--screenshot FILE]
//
// Prints the mocha output, then "N passed, N failed" (also written to --summary FILE). Exits 0 only when the suite passed.
// Env: CHROMIUM (default /usr/bin/chromium), VERBOSE=1 also prints the browser console.
import { chromium } from 'playwright-core';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { format, parseArgs } from 'node:util';

const { values: opt } = parseArgs({
  options: {
    url: { type: 'string', default: process.env.CS_URL ?? 'http://127.0.0.1:18080/' },
    dev: { type: 'string', default: '.' },
    tests: { type: 'string', default: 'out/test/vscode/suite/index.js' },
    folder: { type: 'string' },
    timeout: { type: 'string', default: process.env.EXT_TEST_TIMEOUT_MS ?? '180000' },
    summary: { type: 'string' },
    screenshot: { type: 'string' },
  },
});

const base = new URL(opt.url);
const devPath = path.resolve(opt.dev);
// The extension host require()s this path: without ".js", like VS Code's own --extensionTestsPath.
const testsPath = path.resolve(opt.tests).replace(/\.js$/, '');
const remote = (p) => `vscode-remote://${base.host}${p}`;
const payload = [['extensionDevelopmentPath', remote(devPath)], ['extensionTestsPath', remote(testsPath)], ['skipWelcome', 'true']];
const url = new URL(base);
if (opt.folder) { url.searchParams.set('folder', path.resolve(opt.folder)); }
url.searchParams.set('payload', JSON.stringify(payload));
const timeoutMs = Number(opt.timeout);

const SUMMARY = /^(\d+) passed, (\d+) failed\b/;
const SUITE_START = '[rmq-pools suite]';
let suiteStarted = false;
const t0 = Date.now();
const secs = () => ((Date.now() - t0) / 1000).toFixed(1);
let summary;

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
  headless: true,
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
    '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage'],
});
let code;
try {
  const page = await browser.newPage({ viewport: { width: 1400, height: 850 } });
  const exited = new Promise((resolve) => {
    void page.exposeFunction('codeAutomationLog', (type, args) => {
      const text = format(...(Array.isArray(args) ? args : [args]));
      for (const line of text.split('\n')) {
        const m = SUMMARY.exec(line.trim());
        if (m) { summary = { passed: Number(m[1]), failed: Number(m[2]) }; }
      }
      // Everything arrives as "info": the workbench's own chatter is shown only with VERBOSE, the suite's lines (from its
      // start marker on, see suite/index.ts) and errors always.
      if (text.startsWith(SUITE_START)) { suiteStarted = true; }
      if (process.env.VERBOSE || suiteStarted || type === 'error') { console.log(text.replace(/\s+$/, '')); }
    });
    void page.exposeFunction('codeAutomationExit', (c) => resolve(c));
  });
  page.on('console', (m) => { if (process.env.VERBOSE) { console.log(`[browser:${m.type()}] ${m.text()}`); } });
  page.on('pageerror', (e) => console.log('[pageerror]', e.message));
  await page.goto(url.toString());
  let timer;
  code = await Promise.race([exited, new Promise((r) => { timer = setTimeout(() => r('timeout'), timeoutMs); })]);
  clearTimeout(timer);
  if (code === 'timeout') {
    console.log(`extension-host tests did not finish within ${timeoutMs} ms (--timeout / EXT_TEST_TIMEOUT_MS)`);
    if (opt.screenshot) {
      mkdirSync(path.dirname(opt.screenshot), { recursive: true });
      await page.screenshot({ path: opt.screenshot }).catch(() => undefined);
      console.log(`screenshot of the stuck workbench: ${opt.screenshot}`);
    }
  }
} finally {
  await browser.close();
}

// No summary (the suite never loaded, crashed or timed out) or an exit code that disagrees: count one failure.
if (!summary) { summary = { passed: 0, failed: 1 }; }
if (code !== 0 && summary.failed === 0) { summary.failed = 1; }
const line = `${summary.passed} passed, ${summary.failed} failed`;
console.log(`extension-host tests: exit=${code} in ${secs()} s: ${line}`);
if (opt.summary) {
  mkdirSync(path.dirname(path.resolve(opt.summary)), { recursive: true });
  writeFileSync(opt.summary, line + '\n');
}
process.exit(code === 0 && summary.failed === 0 ? 0 : 1);
