// UI: pool health in the real workbench against the real broker. A fresh vhost where pool "metering" (bound to nova /
// notifications.info) has a backlog and two workers: "stuck-worker" takes its prefetch of 5 and never acks, "steady-worker"
// acks one message every 300 ms. With rabbitmqPools.health.stalledAfterSeconds = 8, the Brokers tree marks the stuck worker
// STALLED with an error icon and the pool's description says so; the Delivery Counts panel's Health section names it and
// draws the pool's in and ack rates over time.
// Screenshots: docs/images/health-tree.png, docs/images/health-panel.png (copied from the run's screenshot folder).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { copyFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { launchWorkbench, openContainer, runCommand, screenshot, treeRow, treeRows, api, until, amqpVhost, labelRow, expandRow, hoverTooltip, widenSidebar, webviewFrame, SCREENSHOT_DIR } from './helpers.mjs';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

const VHOST = `rmqp-test-ui-health-${randomBytes(3).toString('hex')}`;
const KEY = 'notifications.info';
const broker = amqpVhost(VHOST);

let wb;
let feed;
before(async () => {
  await api('PUT', `vhosts/${encodeURIComponent(VHOST)}`, {});
  await api('PUT', `permissions/${encodeURIComponent(VHOST)}/guest`, { configure: '.*', write: '.*', read: '.*' });
  const ch = await (await broker.connect('ui-health-setup')).createChannel();
  await ch.assertExchange('nova', 'topic', { durable: false });
  await ch.assertQueue('metering', { durable: false });
  await ch.bindQueue('metering', 'nova', KEY);
  for (let i = 0; i < 400; i++) { ch.publish('nova', KEY, Buffer.from(JSON.stringify({ i })), { timestamp: Math.floor(Date.now() / 1000) }); }
  // A trickle keeps messages waiting, so that holding them is stalling somebody.
  feed = setInterval(() => { for (let i = 0; i < 3; i++) { ch.publish('nova', KEY, Buffer.from('{}'), { timestamp: Math.floor(Date.now() / 1000) }); } }, 1000);
  // Two processes of one application (oslo-style connection names): the pool is not shared, only one of them is stuck.
  const stuck = await (await broker.connect('metering-agent:101:0cd5f39f-1111-4222-8333-944455556661')).createChannel();
  await stuck.prefetch(5);
  await stuck.consume('metering', () => { /* takes its prefetch, never acks */ }, { consumerTag: 'stuck-1' });
  const steady = await (await broker.connect('metering-agent:102:0cd5f39f-1111-4222-8333-944455556662')).createChannel();
  await steady.prefetch(2);
  await steady.consume('metering', (m) => { if (m) { setTimeout(() => { try { steady.ack(m); } catch { /* closed */ } }, 300); } }, { consumerTag: 'steady-1' });
  await until(async () => (await api('GET', `consumers/${encodeURIComponent(VHOST)}`)).length === 2 ? true : undefined, '2 consumers in the management API');
  wb = await launchWorkbench();
});

after(async () => {
  clearInterval(feed);
  await wb?.close();
  await broker.close();
  await api('DELETE', `vhosts/${encodeURIComponent(VHOST)}`).catch(() => {});
});

function keep(name) {
  const dir = path.join(ROOT, 'docs/images');
  mkdirSync(dir, { recursive: true });
  copyFileSync(path.join(SCREENSHOT_DIR, `${name}.png`), path.join(dir, `${name}.png`));
}

test('a stalled worker is marked in the tree and named in the panel', async () => {
  const { page, lap } = wb;
  await openContainer(page, undefined, { timeout: 90_000 });
  await treeRow(page, 'localhost').waitFor({ timeout: 60_000 });
  await runCommand(page, 'RabbitMQ: Start Local Pools (test)');
  await page.locator('.quick-input-widget input.input').waitFor();
  await page.locator('.quick-input-widget input.input').fill(JSON.stringify({ settings: { 'rabbitmqPools.health.stalledAfterSeconds': 8, 'rabbitmqPools.refreshSeconds': 5 } }));
  await page.keyboard.press('Enter');
  lap('health settings');

  await expandRow(page, 'localhost');
  await expandRow(page, VHOST);
  await expandRow(page, 'Exchanges');
  await expandRow(page, 'nova');
  await expandRow(page, KEY);
  const pool = labelRow(page, 'metering');
  await pool.waitFor({ timeout: 30_000 });
  await expandRow(page, 'metering');
  // Health is read at each refresh; the stuck worker has held its prefetch for stalledAfter after a few of them.
  const stuckRow = treeRows(page).filter({ hasText: 'stuck-1' }).first();
  await until(async () => /STALLED/.test(await stuckRow.innerText()) || undefined, 'the stuck worker marked STALLED in the tree', 90_000, 1000);
  await stuckRow.locator('.codicon-error').waitFor({ timeout: 30_000 });
  const steadyRow = treeRows(page).filter({ hasText: 'steady-1' }).first();
  assert.doesNotMatch(await steadyRow.innerText(), /STALLED/, 'the acking worker is not stalled');
  assert.equal(await steadyRow.locator('.codicon-error').count(), 0, 'the acking worker has no error icon');
  // The pool's row is redrawn when its findings change (the next refresh at the latest).
  await until(async () => /1 stalled/.test(await pool.innerText()) || undefined, 'the pool\'s description to count the stalled worker', 30_000, 500);
  // The scene drains (3/s in, ~6/s acked) once the burst that made its backlog has left the trend window.
  await until(async () => /drains in ~/.test(await pool.innerText()) || undefined, 'the pool\'s verdict "drains in"', 60_000, 1000);
  lap('stalled worker marked in the tree');

  await widenSidebar(page, 420);
  await runCommand(page, 'Notifications: Clear All Notifications');
  const hover = await hoverTooltip(page, stuckRow, 'stalled-worker');
  assert.match((await hover.innerText()).replace(/\s+/g, ' '), /Health: stalled/);
  await screenshot(page, 'health-tree');
  keep('health-tree');
  lap('health-tree.png');

  await page.mouse.move(1300, 800);
  await runCommand(page, 'RabbitMQ: Show Delivery Counts');
  const pick = async (title, value) => {
    await page.locator('.quick-input-widget .quick-input-title', { hasText: title }).waitFor({ timeout: 30_000 });
    await page.locator('.quick-input-widget input.input').fill(value);
    await page.locator('.quick-input-list .monaco-list-row', { hasText: value }).first().waitFor({ timeout: 15_000 });
    await page.keyboard.press('Enter');
  };
  // From the palette: the broker (when asked), the vhost, the exchange; nova has one binding key.
  const brokerAsked = await page.locator('.quick-input-widget .quick-input-title', { hasText: 'broker' }).waitFor({ timeout: 5000 }).then(() => true, () => false);
  if (brokerAsked) { await pick('broker', 'localhost'); }
  await pick('vhost', VHOST);
  await pick('exchange', 'nova');
  const frame = webviewFrame(page);
  const named = frame.locator('#health li.state-stalled');
  await named.first().waitFor({ timeout: 60_000 });
  assert.match(await named.first().innerText(), /metering-agent \(stuck-1\)/);
  assert.equal(await frame.locator('#health li.state-stalled', { hasText: 'steady-1' }).count(), 0, 'the acking worker is not named stalled');
  assert.equal(await frame.locator('#health rect.bar[data-state="stalled"]').count(), 1, 'one stalled bar');
  assert.match(await frame.locator('#health svg.backlog').first().getAttribute('aria-label'), /Backlog of pool metering/);
  // Rates over time, drawn with data: in (3/s fed) and ack lines of at least two samples each, under the backlog chart.
  const rates = frame.locator('#health svg.health-rates[data-pool="metering"]');
  await until(async () => Number(await rates.getAttribute('data-points')) >= 2 || undefined, 'the rates chart to hold two samples', 30_000, 1000);
  for (const series of ['publish', 'ack']) {
    const points = (await rates.locator(`polyline[data-series="${series}"]`).evaluateAll((ls) => ls.map((l) => l.getAttribute('points')).join(' '))).trim().split(/\s+/);
    assert.ok(points.length >= 2, `the ${series} line has ${points.length} points`);
    assert.ok(points.every((xy) => /^-?[\d.]+,-?[\d.]+$/.test(xy)), `the ${series} line's points are numbers: ${points.join(' ')}`);
  }
  assert.match(await rates.getAttribute('aria-label'), /In and ack rates of pool metering over the last \d+ s: at the latest sample in [\d.,]+\/s, ack [\d.,]+\/s/);
  // How fresh: the pool's newest sample age, in the same words as the tree's.
  assert.match(await frame.locator('#health .health-card[data-health-pool="metering"] .health-fresh').innerText(), /Newest sample \d+ s old when read, sampled every ~[\d.]+ s/);
  assert.equal(await frame.locator('body').getAttribute('data-csp-violations'), '0', 'no CSP violation');
  await frame.locator('#health-h').scrollIntoViewIfNeeded();
  // The focus out of the webview (its frame would keep the keys), then no toast over the picture.
  await page.locator('.tabs-container .tab.active').first().click();
  await runCommand(page, 'Notifications: Clear All Notifications');
  await until(async () => (await page.locator('.notifications-toasts .notification-toast').count()) === 0 || undefined, 'no toasts', 10_000).catch(() => undefined);
  // The whole card in the picture: verdict, sample age, backlog, rates, worker bars, the stalled worker named.
  await frame.locator('#health .health-card[data-health-pool="metering"]').evaluate((el) => el.scrollIntoView({ block: 'end' }));
  await screenshot(page, 'health-panel');
  keep('health-panel');
  lap('health-panel.png');
});
