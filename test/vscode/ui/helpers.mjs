// Shared helpers for the Playwright UI tests (test/vscode/ui/*.test.mjs): they drive the real VS Code workbench that
// code-server serves, in Debian's Chromium. scripts/vscode-e2e.sh sets CS_URL (the server) and SCREENSHOT_DIR.
//
//   const wb = await launchWorkbench();          // { browser, page, lap, close }
//   await openContainer(wb.page);                // the "RabbitMQ Pools" view container
//   await treeRow(wb.page, 'localhost').waitFor();
//   await runCommand(wb.page, 'RabbitMQ: Refresh');
//   await notification(wb.page, 'Published').waitFor();
//   webviewFrame(wb.page).locator('#title');
//   await screenshot(wb.page, 'pools');          // test-results/screenshots/pools.png
import { chromium } from 'playwright-core';
import { mkdirSync } from 'node:fs';
import net from 'node:net';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
export const CS_URL = process.env.CS_URL ?? 'http://127.0.0.1:18080/';
export const SCREENSHOT_DIR = process.env.SCREENSHOT_DIR ?? path.join(ROOT, 'test-results/screenshots');
export const CONTAINER_TITLE = 'RabbitMQ Pools';
export const BROKERS_VIEW_NAME = 'Brokers';

// What works for Debian's chromium here (shared/TESTING.md); never `npx playwright install`.
export const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage'];

/** Starts Chromium, opens the workbench (optionally `?folder=`) and waits until the activity bar shows. */
export async function launchWorkbench({ url = CS_URL, folder, viewport = { width: 1400, height: 850 }, timeout = 60_000 } = {}) {
  const t0 = Date.now();
  const lap = (msg) => console.log(`[${((Date.now() - t0) / 1000).toFixed(2)}s] ${msg}`);
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    headless: true,
    args: [...CHROMIUM_ARGS, ...(process.env.CHROMIUM_EXTRA_ARGS ?? '').split(' ').filter(Boolean)],
  });
  try {
    const context = await browser.newContext({ viewport });
    const page = await context.newPage();
    page.on('pageerror', (e) => console.log('[pageerror]', e.message));
    const target = new URL(url);
    if (folder) { target.searchParams.set('folder', folder); }
    await page.goto(target.toString());
    await page.locator('.monaco-workbench .part.activitybar').waitFor({ timeout });
    lap('workbench visible');
    return { browser, page, lap, close: () => browser.close() };
  } catch (e) {
    await browser.close();
    throw e;
  }
}

/** Shows a view container. Its tab is a toggle: clicking it while selected HIDES the sidebar, so click only if needed. */
export async function openContainer(page, title = CONTAINER_TITLE, { timeout = 30_000 } = {}) {
  const tab = page.getByRole('tab', { name: title });
  await tab.waitFor({ timeout });
  if (await tab.getAttribute('aria-selected') !== 'true') { await tab.click(); }
  await page.locator('#workbench\\.parts\\.sidebar').waitFor({ timeout });
  return tab;
}

/** The sidebar's tree/list rows, optionally only those whose text contains `text` (string or RegExp). */
export function treeRows(page, text) {
  const rows = page.locator('#workbench\\.parts\\.sidebar .monaco-list-row');
  return text === undefined ? rows : rows.filter({ hasText: text });
}

/** The first sidebar row whose text contains `text`. */
export function treeRow(page, text) {
  return treeRows(page, text).first();
}

/** A pane header in the sidebar (a view's title bar), e.g. "Brokers". Hidden when a container has a single view. */
export function viewHeader(page, name) {
  return page.locator('#workbench\\.parts\\.sidebar .pane-header', { hasText: name });
}

/** Runs a command from the palette by its full title ("RabbitMQ: Refresh"). */
export async function runCommand(page, title, { timeout = 15_000 } = {}) {
  const input = page.locator('.quick-input-widget input.input');
  const row = page.locator('.quick-input-list .monaco-list-row', { hasText: title }).first();
  // F1 can be swallowed, or the palette closed again, while focus is moving (e.g. into a webview that is still loading or
  // redrawing): give the workbench the focus back (the status bar) and open it again, a few times, before giving up.
  for (let attempt = 1; ; attempt++) {
    await page.keyboard.press('F1');
    try {
      const t = attempt < 3 ? 5_000 : timeout;
      await input.waitFor({ timeout: t });
      await input.fill('>' + title, { timeout: t });
      await row.waitFor({ timeout });
      break;
    } catch (e) {
      if (attempt >= 3) { throw e; }
      await page.keyboard.press('Escape');
      await page.locator('.part.statusbar').click({ position: { x: 600, y: 10 } }).catch(() => {});
    }
  }
  await page.keyboard.press('Enter');
}

/** Answers an open quick pick / input box: types `value` and presses Enter. */
export async function answerQuickInput(page, value, { timeout = 15_000 } = {}) {
  const input = page.locator('.quick-input-widget input.input');
  await input.waitFor({ timeout });
  await input.fill(value);
  await page.keyboard.press('Enter');
}

/** A notification toast containing `text`. */
export function notification(page, text) {
  return page.locator('.notifications-toasts .notification-toast', { hasText: text });
}

/** The content frame of the (active) webview panel. */
export function webviewFrame(page) {
  return page.frameLocator('iframe.webview.ready').frameLocator('#active-frame');
}

/** Saves a PNG of the page to SCREENSHOT_DIR/<name>.png and returns its path. Look at it. */
export async function screenshot(page, name) {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  const file = path.join(SCREENSHOT_DIR, name.endsWith('.png') ? name : `${name}.png`);
  await page.screenshot({ path: file });
  return file;
}

// ---- the broker side of UI tests: a fresh vhost over the management API and AMQP connections into it ----
export const MGMT = (process.env.RABBITMQ_MANAGEMENT_URL ?? 'http://127.0.0.1:15672').replace(/\/$/, '');
const AUTH = 'Basic ' + Buffer.from('guest:guest').toString('base64');

/** A management API call as guest; 404 is not an error (deleting what is gone). */
export async function api(method, p, body) {
  const r = await fetch(`${MGMT}/api/${p}`, { method, headers: { authorization: AUTH, 'content-type': 'application/json' }, body: body && JSON.stringify(body) });
  if (!r.ok && r.status !== 404) { throw new Error(`${method} ${p}: HTTP ${r.status} ${await r.text()}`); }
  return r.status === 204 || r.status === 201 ? undefined : r.json().catch(() => undefined);
}

/** Polls fn (sync or async) until it returns something truthy, or throws after the deadline, naming the last value or error. */
export async function until(fn, what, timeoutMs = 30_000, everyMs = 250) {
  const deadline = Date.now() + timeoutMs;
  let last;
  for (;;) {
    try {
      const v = await fn();
      if (v) { return v; }
      last = v;
    } catch (e) { last = e; }
    if (Date.now() > deadline) { throw new Error(`timed out waiting for ${what} (last: ${last instanceof Error ? last.message : JSON.stringify(last)})`); }
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/** AMQP connections into one vhost, each with its connection_name; close() closes them all. */
export function amqpVhost(vhost) {
  const amqp = createRequire(import.meta.url)('amqplib');
  const conns = [];
  return {
    async connect(name) {
      const c = await amqp.connect({ protocol: 'amqp', hostname: '127.0.0.1', port: 5672, username: 'guest', password: 'guest', vhost },
        { clientProperties: { connection_name: name } });
      c.on('error', () => {});
      conns.push(c);
      return c;
    },
    async close() {
      for (const c of conns.splice(0)) { await c.close().catch(() => {}); }
    },
  };
}

/**
 * A TCP proxy in front of a broker port that a test can cut (every connection dropped, the port refused) and open again
 * on the same port, to take one half of a broker (AMQP or HTTP) away without touching the broker itself.
 */
export class CuttableProxy {
  #server;
  #sockets = new Set();
  port = 0;

  constructor(target) { this.target = target; }

  get isOpen() { return this.#server !== undefined; }

  async open() {
    const server = net.createServer((client) => {
      const upstream = net.connect({ host: '127.0.0.1', port: this.target });
      for (const s of [client, upstream]) {
        this.#sockets.add(s);
        s.on('close', () => this.#sockets.delete(s));
        s.on('error', () => { client.destroy(); upstream.destroy(); });
      }
      client.pipe(upstream).pipe(client);
    });
    await new Promise((resolve, reject) => { server.once('error', reject); server.listen(this.port, '127.0.0.1', () => resolve()); });
    this.port = server.address().port;
    this.#server = server;
    return this;
  }

  async cut() {
    const s = this.#server;
    this.#server = undefined;
    for (const sock of this.#sockets) { sock.destroy(); }
    this.#sockets.clear();
    if (s) { await new Promise((r) => s.close(() => r())); }
  }
}

/** A tree row by its exact label (a row's text also holds its description, so match the label element). */
export function labelRow(page, label, nth = 0) {
  return treeRows(page).filter({ has: page.locator('.label-name', { hasText: new RegExp(`^${label.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`) }) }).nth(nth);
}

/** Expands a tree row (by its exact label) unless it is expanded, and waits until it is. */
export async function expandRow(page, label, nth = 0) {
  const r = labelRow(page, label, nth);
  await r.waitFor({ timeout: 30_000 });
  if (await r.getAttribute('aria-expanded') !== 'true') { await r.locator('.label-name').click(); }
  // Poll the locator, not an element handle: a live-count redraw may replace the row's element meanwhile.
  await until(async () => (await r.getAttribute('aria-expanded')) === 'true' || undefined, `${label} expanded`, 15_000);
}

/** Hovers a row until its tooltip (containing `text`) shows: an auto-refresh that redraws the row can close a hover. */
export async function hoverTooltip(page, rowLocator, text) {
  const hover = page.locator('.monaco-hover, .workbench-hover').filter({ hasText: text }).first();
  for (let attempt = 1; ; attempt++) {
    await page.mouse.move(1300, 800);
    await until(async () => (await page.locator('.monaco-hover:visible, .workbench-hover:visible').count()) === 0 || undefined, 'an earlier hover to close', 5_000);
    await rowLocator.locator('.label-name').hover({ position: { x: 10 + attempt, y: 5 } });
    try {
      await hover.waitFor({ timeout: 3_000 });
      return hover;
    } catch (e) {
      if (attempt === 8) { await screenshot(page, 'hover-failed'); throw e; }
    }
  }
}

/** Drags the sidebar's right edge by `by` pixels: room for the tree's descriptions in a picture. */
export async function widenSidebar(page, by) {
  const side = await page.locator('#workbench\\.parts\\.sidebar').boundingBox();
  if (!side) { return; }
  const x = side.x + side.width - 1, y = side.y + side.height / 2;
  await page.mouse.move(x, y);
  await page.mouse.down();
  await page.mouse.move(x + by, y, { steps: 8 });
  await page.mouse.up();
  await page.mouse.move(1300, 800);
}

/** Answers the next step of a multi-step input: waits for its "(N/6)" title so the text never lands in the previous box. */
export async function answerStep(page, step, value) {
  await page.locator('.quick-input-widget .quick-input-title', { hasText: `(${step}/6)` }).waitFor({ timeout: 15_000 });
  const input = page.locator('.quick-input-widget input.input');
  await input.fill(value);
  await page.keyboard.press('Enter');
}

/** Answers a quick input whose title or placeholder mentions `hint`: fills `value` (or keeps the default) and presses Enter. */
export async function answer(page, hint, value) {
  const widget = page.locator('.quick-input-widget');
  await until(async () => (await widget.isVisible()) && (await widget.innerText()).includes(hint) ||
    (await widget.locator('input.input').getAttribute('placeholder') ?? '').includes(hint) || undefined, `the input "${hint}"`, 15_000);
  const input = widget.locator('input.input');
  if (value !== undefined) {
    await input.fill(value);
    await until(async () => (await input.inputValue()) === value || undefined, `"${value}" in the input "${hint}"`, 5_000);
  }
  // What the widget asks now: after Enter it must ask something else (the next step) or close.
  const asked = async () => `${await widget.innerText().catch(() => '')}\u0000${await input.getAttribute('placeholder').catch(() => '')}`;
  const before = await asked();
  await page.keyboard.press('Enter');
  await until(async () => !(await widget.isVisible()) || (await asked()) !== before || undefined, `the input "${hint}" to be answered`, 15_000);
}

/** Runs a palette command by clicking the row whose label is exactly `title` (Enter may pick a similar, recently used one). */
export async function runExact(page, title) {
  const exact = page.locator('.quick-input-list .monaco-list-row').filter({ has: page.locator('.label-name', { hasText: new RegExp(`^${title.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`) }) });
  // A focus change that lands late (a reveal) closes the palette: open it again then.
  for (let attempt = 1; ; attempt++) {
    try {
      await page.keyboard.press('F1');
      const input = page.locator('.quick-input-widget input.input');
      await input.waitFor({ timeout: 10_000 });
      await input.fill('>' + title, { timeout: 5_000 });
      await exact.first().click({ timeout: 10_000 });
      return;
    } catch (e) {
      if (attempt === 3) { throw e; }
      await page.keyboard.press('Escape');
      await page.waitForTimeout(500);
    }
  }
}

/** Add Broker through its multi-step input (guest on the local broker, the given vhost); waits for "Saved broker". */
export async function addBrokerThroughInput(page, name, vhost) {
  await runCommand(page, 'RabbitMQ: Add Broker');
  await answerStep(page, 1, name);
  await answerStep(page, 2, 'amqp://127.0.0.1:5672');
  await answerStep(page, 3, MGMT);
  await answerStep(page, 4, vhost);
  await answerStep(page, 5, 'guest');
  await answerStep(page, 6, 'guest');
  await notification(page, `Saved broker "${name}"`).waitFor({ timeout: 30_000 });
}
