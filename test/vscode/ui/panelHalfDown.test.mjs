// UI: the Delivery Counts panel when one half of the broker is unreachable, read from the REAL page (the webview's DOM in
// the real workbench), not from a copy of how the page applies messages. The broker's AMQP and management URLs go through
// two cuttable TCP proxies in front of the main broker (cutting a proxy leaves the broker alone), named in the opened
// folder's .vscode/settings.json (workspace trust is off on this server). Tree auto-refresh is off: only the panel polls.
//   management API cut → the freshness line names the management API as the down half, the local pool keeps counting
//   exactly over AMQP (the table's delivered cell, the per-worker bars), and the line clears by itself once the API
//   answers again (the panel's own polling, nothing refreshed by the test);
//   AMQP cut → the pool's row (tooltip) and card say the AMQP connection was lost, that the workers reconnect by themselves
//   and that the management API still answers (the ready cell keeps moving), and the note clears after the reconnect.
import { test, before, after, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import {
  CuttableProxy, amqpVhost, api, launchWorkbench, notification, openContainer, runCommand, screenshot, treeRow, until, webviewFrame,
} from './helpers.mjs';

const VHOST = `rmqp-ui-half-down-${randomBytes(4).toString('hex')}`;
const BROKER = `half-down-${randomBytes(3).toString('hex')}`;
const EXCHANGE = 'nova';
const KEY = 'notifications.info';
const POOL = 'ceilometer';
const enc = encodeURIComponent;

let wb;
let folder;
let http;
let amqpProxy;
const amqp = amqpVhost(VHOST);
let publisher;

/** Publishes `count` messages straight to the broker (not through the proxies), with publisher confirms. */
async function publish(count) {
  for (let i = 0; i < count; i++) { publisher.publish(EXCHANGE, KEY, Buffer.from(JSON.stringify({ i }))); }
  await publisher.waitForConfirms();
}

before(async () => {
  await api('PUT', `vhosts/${enc(VHOST)}`, {});
  await api('PUT', `permissions/${enc(VHOST)}/guest`, { configure: '.*', write: '.*', read: '.*' });
  await api('PUT', `exchanges/${enc(VHOST)}/${EXCHANGE}`, { type: 'topic', durable: false });
  publisher = await (await amqp.connect('half-down-ui-publisher')).createConfirmChannel();
  http = await new CuttableProxy(15672).open();
  amqpProxy = await new CuttableProxy(5672).open();
  folder = mkdtempSync(path.join(os.tmpdir(), 'rmqp-half-down-ws-'));
  mkdirSync(path.join(folder, '.vscode'));
  writeFileSync(path.join(folder, '.vscode', 'settings.json'), JSON.stringify({
    'rabbitmqPools.brokers': [{ name: BROKER, amqpUrl: `amqp://guest@127.0.0.1:${amqpProxy.port}`, managementUrl: `http://127.0.0.1:${http.port}`, vhost: VHOST }],
    'rabbitmqPools.refreshSeconds': 0,
  }, null, 2));
  wb = await launchWorkbench({ folder });
});

after(async () => {
  await http?.open().catch(() => undefined);
  await amqpProxy?.open().catch(() => undefined);
  if (wb) {
    await runCommand(wb.page, 'RabbitMQ: Stop Local Pools (test)').catch(() => undefined);
    await wb.close();
  }
  await http?.cut();
  await amqpProxy?.cut();
  await amqp.close();
  await api('DELETE', `vhosts/${enc(VHOST)}`).catch(() => undefined);
  if (folder) { rmSync(folder, { recursive: true, force: true }); }
});

// A test that fails half-way must not leave a half of the broker cut for the next one.
afterEach(async () => {
  if (http && !http.isOpen) { await http.open(); }
  if (amqpProxy && !amqpProxy.isOpen) { await amqpProxy.open(); }
});

// ---- the real page ----
const frame = () => webviewFrame(wb.page);
const row = () => frame().locator(`tr.pool-row[data-pool="${POOL}"]`);
const card = () => frame().locator(`article.card[data-pool="${POOL}"]`);
const cell = async (col) => { const v = await row().locator(`td[data-col="${col}"]`).getAttribute('data-value'); return v === null ? undefined : Number(v); };
const freshness = async () => (await frame().locator('#freshness').textContent()) ?? '';
const freshnessIsError = async () => (await frame().locator('#freshness').getAttribute('class'))?.split(' ').includes('error') ?? false;
/** The pool's note as the page shows it: the row's tooltip and the card's warning line (both, or neither). */
async function note() {
  const title = await row().getAttribute('title');
  const onCard = card().locator('p.note');
  const text = (await onCard.count()) ? await onCard.first().textContent() : null;
  assert.equal(text, title, 'the row\'s tooltip and the card say the same');
  return title ?? undefined;
}
const barsTotal = () => card().locator('rect.bar').evaluateAll((els) => els.reduce((n, e) => n + Number(e.getAttribute('data-delivered')), 0));
const HEALTHY = /^Pools with local workers: exact, live\. Ready \/ unacked: from the management API, \d+ s ago\.$/;

test('the panel opens on the proxied broker with its local pool, the management API answering', async () => {
  const { page, lap } = wb;
  await openContainer(page, undefined, { timeout: 90_000 });
  await treeRow(page, BROKER).waitFor({ timeout: 60_000 });
  await runCommand(page, 'RabbitMQ: Start Local Pools (test)');
  await page.locator('.quick-input-widget input.input').fill(JSON.stringify({ broker: BROKER, vhost: VHOST, exchange: EXCHANGE, routingKey: KEY, pools: [{ name: POOL, workers: 2 }] }));
  await page.keyboard.press('Enter');
  await notification(page, 'Started local pools').waitFor({ timeout: 60_000 });
  await runCommand(page, 'RabbitMQ: Show Delivery Counts');
  // One broker (its vhost set) and one binding key: only the exchange is asked.
  await page.locator('.quick-input-widget .quick-input-title', { hasText: 'exchange' }).waitFor({ timeout: 30_000 });
  await page.locator('.quick-input-widget input.input').fill(EXCHANGE);
  await page.locator('.quick-input-list .monaco-list-row', { hasText: EXCHANGE }).first().waitFor({ timeout: 15_000 });
  await page.keyboard.press('Enter');
  await row().waitFor({ timeout: 60_000 });
  await until(async () => HEALTHY.test(await freshness()), 'a first management API answer on the page', 30_000);
  assert.equal(await note(), undefined);
  assert.equal(await freshnessIsError(), false);
  lap('panel open on the proxied broker');
});

test('management API cut while AMQP works: the page names the management API, the local pool keeps counting, the line clears by itself', async () => {
  const { page } = wb;
  const before = await cell('delivered');
  assert.equal(typeof before, 'number');

  await http.cut();
  const down = await until(async () => { const t = await freshness(); return /could not be read/.test(t) ? t : undefined; }, 'the page to say that the management API cannot be read', 30_000);
  console.log(`      page, management API down: ${down}`);
  assert.match(down, /^The management API \(HTTP\) could not be read; the panel retries by itself every few seconds: /, 'it starts with the down half');
  assert.match(down, new RegExp(`The management API at http://127\\.0\\.0\\.1:${http.port} answered \\d+ s ago but now refuses connections`), 'the error names the management URL and that it worked before');
  assert.match(down, new RegExp(`still answers on AMQP \\(127\\.0\\.0\\.1:${amqpProxy.port}\\)`), 'and says that AMQP answers');
  assert.match(down, /It may be restarting/, 'no advice to enable a plugin that was working a moment ago, first');
  assert.match(down, / Pools with local workers: still exact and live \(counted over AMQP\)\. /);
  assert.match(down, /Ready \/ unacked: last read from the management API \d+ s ago\.$/);
  assert.equal(await freshnessIsError(), true, 'the line is shown as an error');
  assert.equal(await note(), undefined, 'AMQP is not said to be down');
  await screenshot(page, 'panel-management-down');

  // AMQP still works: the local pool counts new publishes, exactly, on the page.
  await publish(500);
  await until(async () => (await cell('delivered')) === before + 500, `${before + 500} delivered on the page while the management API is down`, 30_000);
  assert.match(await freshness(), /could not be read/, 'the management API is still reported down (nothing cleared it by accident)');
  await until(async () => (await barsTotal()) === before + 500, 'the per-worker bars to add up to the delivered count', 10_000);

  // The API answers again: the panel's own polling clears the line (the test refreshes nothing).
  await http.open();
  const back = await until(async () => { const t = await freshness(); return HEALTHY.test(t) ? t : undefined; }, 'the page\'s management error to clear by itself', 30_000);
  console.log(`      page, management API back: ${back}`);
  assert.equal(await freshnessIsError(), false);
});

test('AMQP cut while the management API works: the pool\'s row says AMQP was lost and reconnects, the note clears and counts go on', async () => {
  const { page } = wb;
  assert.equal(await note(), undefined);
  const before = await cell('delivered');
  const readyBefore = (await cell('ready')) ?? 0;

  await amqpProxy.cut();
  // The note reflects a management poll after the cut (it says whether the API still answers).
  const lost = await until(async () => { const n = await note(); return n && /management API/.test(n) ? n : undefined; }, 'the pool\'s row to say that AMQP was lost and that the management API answers', 30_000);
  console.log(`      page, AMQP down, pool note: ${lost}`);
  assert.match(lost, /^AMQP connection lost: the workers reconnect by themselves; counts so far are kept\./);
  assert.match(lost, / The management API still answers\./);
  assert.match(lost, new RegExp(`Pool "${POOL}" lost its connection`), 'with the pool\'s own message');
  assert.doesNotMatch(await freshness(), /could not be read/, 'the management API is not said to be down');
  assert.match(await row().getAttribute('aria-label'), new RegExp(`^Pool ${POOL}: [\\d,]+ delivered\\. AMQP connection lost`), 'screen readers hear it too');
  await screenshot(page, 'panel-amqp-down');

  // The management API half works: messages published straight to the broker wait in the queue, and the page's ready
  // count (from the API) shows them while the workers are away.
  await publish(300);
  await until(async () => (await cell('ready')) === readyBefore + 300, `ready = ${readyBefore + 300} on the page, from the management API`, 45_000);
  assert.equal(await cell('delivered'), before, 'nothing was delivered while AMQP was down');
  assert.match((await note()) ?? '', /^AMQP connection lost/, 'still reconnecting');

  // AMQP back: the workers reconnect by themselves (backoff up to 15 s), the note goes and the waiting messages arrive.
  await amqpProxy.open();
  await until(async () => (await note()) === undefined && (await cell('delivered')) === before + 300, `the note to clear and ${before + 300} delivered on the page`, 60_000);
  await publish(200);
  await until(async () => (await cell('delivered')) === before + 500, `${before + 500} delivered on the page after the reconnect`, 30_000);
  assert.equal(await cell('duplicates'), 0);
  assert.equal(await note(), undefined);
  assert.doesNotMatch(await freshness(), /could not be read/);
});
