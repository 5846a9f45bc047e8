// UI: the first run. In the real workbench (code-server + Chromium, dark theme), against the real broker:
//  1. "Welcome: Open Walkthrough…" opens the extension's walkthrough; its "Start the demo" step's button runs Start Demo…,
//     which builds the demo in vhost rmq-pools-demo of the local broker and reveals it: the Brokers tree shows the demo's
//     pools with live counts that increase, the step is checked, and "Stop Demo" appears in the palette only now;
//  2. the README's pictures, all from the demo (no test fixtures): the tree, a pool's tooltip, a local pool's menu, the Delivery Counts
//     panel in Default Dark Modern (webview body .vscode-dark) and Default Light Modern (.vscode-light), the Findings view
//     with the shared pool: in test-results/screenshots/, and in docs/images/ with RMQ_POOLS_DOCS_IMAGES=1;
//  3. Stop Demo removes the vhost and hides itself from the palette again.
// The broker is configured (through the test-only command) as the local one showing only the demo's vhost, so that the
// pictures do not show other vhosts of a shared test broker.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { launchWorkbench, openContainer, runCommand, notification, screenshot, treeRows, viewHeader, webviewFrame, api, until, MGMT } from './helpers.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const DOCS = path.join(ROOT, 'docs/images');
const VHOST = 'rmq-pools-demo';
const DEMO_TAG = 'rmq-pools-demo';
const BROKER = 'localhost';
const TEST_COMMAND = 'RabbitMQ: Start Local Pools (test)';
const enc = encodeURIComponent;

/** The demo vhost as the management API shows it, or undefined. */
async function demoVhost() {
  const r = await fetch(`${MGMT}/api/vhosts/${enc(VHOST)}`, { headers: { authorization: 'Basic ' + Buffer.from('guest:guest').toString('base64') } });
  return r.status === 404 ? undefined : r.json();
}

/** Deletes the demo vhost, but only one the demo made (tagged), never somebody else's. */
async function removeDemoVhost() {
  const v = await demoVhost();
  if (v && (v.tags ?? []).includes(DEMO_TAG)) { await api('DELETE', `vhosts/${enc(VHOST)}`); }
}

let wb;
before(async () => {
  const v = await demoVhost();
  assert.ok(!v || (v.tags ?? []).includes(DEMO_TAG), `vhost ${VHOST} exists and is not the demo's: this test leaves it alone`);
  await removeDemoVhost(); // a leftover of an interrupted run
  wb = await launchWorkbench();
});

after(async () => {
  if (wb) {
    await palette(wb.page, 'RabbitMQ: Stop Demo').catch(() => undefined);
    await new Promise((r) => setTimeout(r, 3000));
    await wb.close();
  }
  await removeDemoVhost().catch(() => undefined);
});

/** A tree row by its exact label. */
function row(page, label, nth = 0) {
  return treeRows(page).filter({ has: page.locator('.label-name', { hasText: new RegExp(`^${label.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`) }) }).nth(nth);
}
const text = async (loc) => (await loc.innerText({ timeout: 5_000 })).replace(/\s+/g, ' ');

async function expand(page, label, nth = 0) {
  const r = row(page, label, nth);
  await r.waitFor({ timeout: 30_000 });
  if (await r.getAttribute('aria-expanded') !== 'true') { await r.locator('.label-name').click(); }
  await until(async () => (await r.getAttribute('aria-expanded')) === 'true' || undefined, `${label} expanded`, 15_000);
}

/** Runs a palette command with the focus on the workbench, not inside a webview (its frame would keep the keys). */
async function palette(page, title) {
  const tab = page.locator('.tabs-container .tab.active').first();
  if (await tab.count()) { await tab.click(); }
  await page.keyboard.press('Escape');
  await runCommand(page, title);
}

/** The rows the command palette lists for `query`, after the row `expect` shows (so that the list is complete). */
async function paletteRows(page, query, expect) {
  await page.keyboard.press('F1');
  const input = page.locator('.quick-input-widget input.input');
  await input.waitFor({ timeout: 15_000 });
  await input.fill('>' + query);
  await page.locator('.quick-input-list .monaco-list-row', { hasText: expect }).first().waitFor({ timeout: 15_000 });
  const rows = await page.locator('.quick-input-list .monaco-list-row').allInnerTexts();
  await page.keyboard.press('Escape');
  return rows.map((r) => r.replace(/\s+/g, ' '));
}

/** The test-only command takes JSON: a colour theme or user settings. */
async function testCommand(page, spec) {
  await palette(page, TEST_COMMAND);
  const input = page.locator('.quick-input-widget input.input');
  await input.waitFor();
  await input.fill(JSON.stringify(spec));
  await page.keyboard.press('Enter');
  await page.locator('.quick-input-widget').waitFor({ state: 'hidden', timeout: 15_000 }).catch(() => undefined);
}

async function setTheme(page, theme, kind) {
  await testCommand(page, { colorTheme: theme });
  await page.locator(`.monaco-workbench.${kind}`).waitFor({ timeout: 15_000 });
  await page.mouse.move(900, 780);
  await page.waitForTimeout(1500);
}

/** Answers the quick pick whose title contains `title`. */
async function pick(page, title, value) {
  await page.locator('.quick-input-widget .quick-input-title', { hasText: title }).waitFor({ timeout: 30_000 });
  await page.locator('.quick-input-widget input.input').fill(value);
  await page.locator('.quick-input-list .monaco-list-row', { hasText: value }).first().waitFor({ timeout: 15_000 });
  await page.keyboard.press('Enter');
}

/** Hovers a row until its tooltip (containing `text`) shows: an auto-refresh that redraws the row can close a hover. */
async function hoverTooltip(page, rowLocator, textInHover) {
  const hover = page.locator('.monaco-hover, .workbench-hover').filter({ hasText: textInHover }).first();
  for (let attempt = 1; ; attempt++) {
    await page.mouse.move(1300, 780);
    await page.waitForTimeout(300);
    await rowLocator.locator('.label-name').hover({ position: { x: 10 + attempt, y: 5 } });
    try {
      await hover.waitFor({ timeout: 3_000 });
      return hover;
    } catch (e) {
      if (attempt === 8) { await screenshot(page, 'demo-hover-failed'); throw e; }
    }
  }
}

/** Drags the sidebar's edge until it is `width` pixels wide. */
/**
 * Hovers a row and takes the picture while its tooltip shows; the tree's auto-refresh can close a tooltip at any moment,
 * so the picture counts only when the tooltip is still there after it. Returns the tooltip's text.
 */
async function hoverShot(page, rowLocator, textInHover, name) {
  for (let attempt = 1; ; attempt++) {
    const hover = await hoverTooltip(page, rowLocator, textInHover);
    const t = await text(hover).catch(() => undefined);
    if (t !== undefined) {
      await docShot(page, name);
      if (await hover.isVisible()) { return t; }
    }
    if (attempt === 5) { throw new Error(`the tooltip "${textInHover}" kept closing before its picture was taken`); }
  }
}

async function sidebarWidth(page, width) {
  const side = await page.locator('#workbench\\.parts\\.sidebar').boundingBox();
  if (!side || Math.abs(side.width - width) < 4) { return; }
  const x = side.x + side.width - 1, y = side.y + side.height / 2;
  await page.mouse.move(x, y);
  await page.mouse.down();
  await page.mouse.move(x + (width - side.width), y, { steps: 8 });
  await page.mouse.up();
  await page.mouse.move(1300, 780);
  await page.waitForTimeout(800); // the sash's hover highlight fades
}

/**
 * Saves the picture under test-results/screenshots; with RMQ_POOLS_DOCS_IMAGES=1 also as the README's docs/images/<name>.png.
 * Not by default: a test run must not change tracked files (extensionPage.test.mjs compares the packaged images with them).
 */
async function docShot(page, name) {
  const file = await screenshot(page, name);
  if (process.env.RMQ_POOLS_DOCS_IMAGES === '1') {
    mkdirSync(DOCS, { recursive: true });
    copyFileSync(file, path.join(DOCS, `${name}.png`));
  }
  return file;
}

const delivered = (t, what) => { const m = new RegExp(`${what} · ([\\d,]+) delivered`).exec(t); return m ? Number(m[1].replace(/,/g, '')) : undefined; };

test('the walkthrough\'s demo step starts the demo; the tree shows its pools with live counts', async () => {
  try {
    await walkthroughSteps();
  } catch (e) {
    await screenshot(wb.page, 'demo-walkthrough-failed');
    throw e;
  }
});

async function walkthroughSteps() {
  const { page, lap } = wb;
  // Opening the view activates the extension (and the test-only command with it).
  await openContainer(page, undefined, { timeout: 90_000 });
  await row(page, BROKER).waitFor({ timeout: 60_000 });
  const before = await paletteRows(page, 'RabbitMQ: Demo', 'Start Demo');
  assert.ok(before.some((r) => /RabbitMQ: Start Demo…/.test(r)), `Start Demo in the palette (${before})`);
  assert.ok(!before.some((r) => /Stop Demo/.test(r)), `no Stop Demo while no demo runs (${before})`);

  await setTheme(page, 'Default Dark Modern', 'vs-dark');
  await testCommand(page, { settings: { 'rabbitmqPools.brokers': [{ name: BROKER, amqpUrl: 'amqp://guest@127.0.0.1:5672', managementUrl: MGMT, vhost: VHOST }] } });
  lap('dark theme; the local broker shows the demo vhost only');

  await runCommand(page, 'Welcome: Open Walkthrough');
  const input = page.locator('.quick-input-widget input.input');
  await input.waitFor({ timeout: 15_000 });
  await input.fill('RabbitMQ Worker Pools');
  await page.locator('.quick-input-list .monaco-list-row', { hasText: 'RabbitMQ Worker Pools' }).first().waitFor({ timeout: 15_000 });
  await page.keyboard.press('Enter');
  const step = page.locator('button.getting-started-step', { hasText: 'Start the demo' });
  await step.waitFor({ timeout: 30_000 });
  assert.equal(await page.locator('button.getting-started-step').count(), 7, 'seven steps');
  await step.click();
  await until(async () => (await step.getAttribute('aria-expanded')) === 'true' || undefined, 'the demo step expanded');
  const check = step.locator('[role=checkbox]');
  assert.equal(await check.getAttribute('aria-checked'), 'false', 'the demo step is not done yet');
  lap('walkthrough open at its demo step');

  const startButton = step.locator('.monaco-button, .button-link, a', { hasText: /^\s*Start Demo\s*$/ }).first();
  const box = page.locator('.quick-input-widget .quick-input-title', { hasText: 'Start Demo' });
  for (let attempt = 1; ; attempt++) {
    await startButton.click();
    try {
      await box.waitFor({ timeout: 10_000 });
      break;
    } catch (e) {
      if (attempt === 3) { throw e; }
      lap(`the Start Demo box did not show (attempt ${attempt}); clicking the step's button again`);
    }
  }
  assert.equal(await page.locator('.quick-input-widget input.input').inputValue(), VHOST, 'the default demo vhost');
  // Enter while the box is still validating its first value is ignored: press again until the box closes.
  for (let attempt = 1; ; attempt++) {
    // The walkthrough takes the focus back after its button ran the command (the box stays: ignoreFocusOut).
    await page.locator('.quick-input-widget input.input').click();
    await page.keyboard.press('Enter');
    try {
      await page.locator('.quick-input-widget').waitFor({ state: 'hidden', timeout: 3_000 });
      break;
    } catch (e) {
      if (attempt === 5) { throw e; }
    }
  }
  await notification(page, `Demo running in vhost "${VHOST}"`).waitFor({ timeout: 90_000 });
  lap('demo running');
  assert.ok(((await demoVhost())?.tags ?? []).includes(DEMO_TAG), 'the vhost exists, tagged as the demo\'s');
  await until(async () => (await check.getAttribute('aria-checked')) === 'true' || undefined, 'the demo step checked', 15_000);

  // Revealed: broker → vhost → Exchanges → nova → notifications.info → the pools, with live counts.
  const ceilometer = row(page, 'ceilometer');
  await ceilometer.waitFor({ timeout: 30_000 });
  const n1 = await until(async () => delivered(await text(ceilometer), '3 local workers'), 'ceilometer marked local with a count', 30_000);
  const a1 = delivered(await text(row(page, 'audit')), '1 local worker');
  assert.notEqual(a1, undefined, 'audit is a local pool with a count');
  await until(async () => (delivered(await text(ceilometer), '3 local workers') ?? 0) >= n1 + 6 || undefined, 'ceilometer\'s count increasing', 30_000);
  await until(async () => (delivered(await text(row(page, 'audit')), '1 local worker') ?? 0) >= a1 + 6 || undefined, 'audit\'s count increasing', 30_000);
  await until(async () => /2 workers/.test(await text(row(page, 'monitoring'))) || undefined, 'monitoring with its 2 workers', 30_000);
  await until(async () => /\d+ ready/.test(await text(row(page, 'notifications.info', 1))) || undefined, 'the default queue', 30_000);
  assert.equal(await row(page, 'nova').getAttribute('aria-expanded'), 'true', 'nova revealed and expanded');
  lap('the tree shows the demo with increasing counts');

  const during = await paletteRows(page, 'RabbitMQ: Demo', 'Stop Demo');
  assert.ok(during.some((r) => /RabbitMQ: Stop Demo/.test(r)), `Stop Demo in the palette while the demo runs (${during})`);
  await runCommand(page, 'Notifications: Clear All Notifications');
  await page.mouse.move(1300, 780);
  await page.waitForTimeout(500);
  await docShot(page, 'walkthrough');
}

test('pictures from the demo: tree, local pool, Delivery Counts (dark and light), findings', async () => {
  const { page, lap } = wb;
  await palette(page, 'View: Close All Editors');
  await sidebarWidth(page, 560);
  for (const p of ['ceilometer', 'audit', 'monitoring']) { await expand(page, p); }
  await until(async () => (await treeRows(page).filter({ hasText: '(local)' }).count()) === 4 || undefined, 'four local worker rows');
  await until(async () => (await treeRows(page).filter({ hasText: /aodh-listener|panko-listener/ }).count()) === 2 || undefined, 'the two applications of monitoring');
  await row(page, 'monitoring').locator('.codicon-error').waitFor({ timeout: 30_000 });
  await page.mouse.click(1100, 700);
  await page.mouse.move(1300, 780);
  await page.waitForTimeout(800);
  await docShot(page, 'tree');
  lap('picture tree.png');

  // A pool's tooltip: the shared pool, with its two applications and the finding.
  const tip = await hoverShot(page, row(page, 'monitoring'), 'Applications', 'tree-tooltip');
  assert.match(tip, /Applications: aodh-listener, panko-listener /, 'one application per program (oslo-style names)');
  assert.match(tip, /shared-pool/);
  lap('picture tree-tooltip.png');

  // A local pool's actions (its tooltip cannot be hovered while it counts: each live redraw closes it).
  // Right-clicked near the row's end, so that the menu leaves the workers' counts in sight.
  const box = await row(page, 'ceilometer').boundingBox();
  await page.mouse.click(box.x + box.width - 90, box.y + box.height / 2, { button: 'right' });
  const menu = page.locator('.context-view .monaco-menu');
  await menu.waitFor({ timeout: 15_000 });
  const items = (await menu.locator('.action-label').allInnerTexts()).map((t) => t.trim()).filter(Boolean);
  for (const a of ['Add Worker', 'Stop Pool', 'Show Delivery Counts']) { assert.ok(items.includes(a), `${a} in the local pool's menu (${items})`); }
  await page.waitForTimeout(500);
  await docShot(page, 'local-pools');
  await page.keyboard.press('Escape');
  lap('picture local-pools.png');
  await page.mouse.move(1300, 780);

  // The Delivery Counts panel on nova / notifications.info, with room for its table.
  await sidebarWidth(page, 330);
  await palette(page, 'RabbitMQ: Show Delivery Counts');
  await pick(page, 'exchange', 'nova');
  const frame = webviewFrame(page);
  const prow = (name) => frame.locator(`tr.pool-row[data-pool="${name}"]`);
  for (const p of ['ceilometer', 'audit', 'monitoring', 'notifications.info']) { await prow(p).waitFor({ timeout: 60_000 }); }
  const num = async (loc) => Number(await loc.getAttribute('data-value'));
  const d1 = await num(prow('ceilometer').locator('td[data-col="delivered"]'));
  await until(async () => (await num(prow('ceilometer').locator('td[data-col="delivered"]'))) > d1 || undefined, 'the panel\'s ceilometer count increasing', 30_000);
  assert.match(await frame.locator('body').getAttribute('class'), /\bvscode-dark\b/, 'the webview has the dark theme');
  await until(async () => (await frame.locator('#rates polyline').count()) >= 3 || undefined, 'rate lines', 30_000);
  await runCommand(page, 'Notifications: Clear All Notifications').catch(() => undefined);
  await page.mouse.move(1300, 780);
  await page.waitForTimeout(800);
  await docShot(page, 'panel-dark');
  await setTheme(page, 'Default Light Modern', 'vs');
  await until(async () => /\bvscode-light\b/.test(await frame.locator('body').getAttribute('class')) || undefined, 'the webview in the light theme', 15_000);
  await docShot(page, 'panel-light');
  await setTheme(page, 'Default Dark Modern', 'vs-dark');
  lap('picture panel-dark.png, panel-light.png');

  // Findings: the shared pool (and the default queue the trickle fills) for the demo's vhost.
  await palette(page, 'View: Close All Editors');
  await sidebarWidth(page, 560);
  await viewHeader(page, 'Findings').waitFor({ timeout: 15_000 });
  const finding = treeRows(page).filter({ hasText: 'shared-pool' }).first();
  await finding.waitFor({ timeout: 60_000 });
  assert.match(await text(finding), /monitoring/);
  await treeRows(page, 'Errors (1)').first().waitFor({ timeout: 15_000 });
  await treeRows(page).filter({ hasText: 'unconsumed-default-queue' }).first().waitFor({ timeout: 60_000 });
  for (const p of ['ceilometer', 'audit']) { await row(page, p).locator('.label-name').click(); } // collapse: room for the findings
  await page.mouse.click(1100, 700); // the focus off the tree: its selection in a quiet colour
  const fhover = await hoverShot(page, finding, 'What to do', 'findings');
  assert.match(fhover, /Applications: aodh-listener, panko-listener/);
  lap('picture findings.png');
});

test('Stop Demo removes the vhost and hides itself again', async () => {
  const { page, lap } = wb;
  await page.mouse.move(1300, 780);
  await palette(page, 'RabbitMQ: Stop Demo');
  await notification(page, `Demo stopped and vhost "${VHOST}" removed`).waitFor({ timeout: 60_000 });
  assert.equal(await demoVhost(), undefined, 'the vhost is gone');
  await until(async () => (await row(page, 'ceilometer').count()) === 0 || undefined, 'the demo\'s pools gone from the tree', 30_000);
  const after = await paletteRows(page, 'RabbitMQ: Demo', 'Start Demo');
  assert.ok(!after.some((r) => /Stop Demo/.test(r)), `Stop Demo hidden again (${after})`);
  lap('demo stopped and removed');
});
