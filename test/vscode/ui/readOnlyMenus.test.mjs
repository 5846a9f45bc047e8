// UI: a read-only broker (the workspace folder's .vscode/settings.json says "readOnly": true; workspace trust is off on
// this server). Its row says "read-only"; right-clicking its pool and its exchange shows the reading commands (Copy Name,
// Show Delivery Counts, Who Receives…?) and none of the writes (Purge, Delete, Create Worker Pool, Publish, Audit); with
// every broker read-only the writes leave the palette too (Diagnose stays). This is what VS Code makes of package.json's
// `when` clauses (`!(viewItem =~ /\.readOnly\b/)`, `!rabbitmqPools.allBrokersReadOnly`), not only what the unit test reads.
// The control: a writable broker added beside it on the same vhost has Purge / Delete, and Publish is back in the palette.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, mkdirSync, writeFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { launchWorkbench, openContainer, screenshot, api, amqpVhost, labelRow, expandRow, addBrokerThroughInput, MGMT } from './helpers.mjs';

const VHOST = `rmqp-test-ui-readonly-${randomBytes(3).toString('hex')}`;
const BROKER = 'read-only-ui';
const WRITABLE = 'writable-ui';
const enc = encodeURIComponent;
const broker = amqpVhost(VHOST);
const WRITES = [/^Purge Pool$/, /^Delete Pool$/, /^Create Worker Pool/, /^Publish Test Notifications/, /^Run Delivery Audit/, /^Add Worker$/];
let wb;
let folder;

before(async () => {
  await api('PUT', `vhosts/${enc(VHOST)}`, {});
  await api('PUT', `permissions/${enc(VHOST)}/guest`, { configure: '.*', write: '.*', read: '.*' });
  const ch = await (await broker.connect('ui-readonly-setup')).createChannel();
  await ch.assertExchange('nova', 'topic', { durable: true });
  await ch.assertQueue('probe', { durable: true });
  await ch.bindQueue('probe', 'nova', 'notifications.info');
  folder = mkdtempSync(path.join(os.tmpdir(), 'rmqp-readonly-ws-'));
  mkdirSync(path.join(folder, '.vscode'));
  writeFileSync(path.join(folder, '.vscode', 'settings.json'), JSON.stringify({
    'rabbitmqPools.brokers': [{ name: BROKER, amqpUrl: 'amqp://guest@127.0.0.1:5672', managementUrl: MGMT, vhost: VHOST, readOnly: true }],
    'rabbitmqPools.refreshSeconds': 0,
  }, null, 2));
  wb = await launchWorkbench({ folder });
});

after(async () => {
  await wb?.close();
  await broker.close();
  await api('DELETE', `vhosts/${enc(VHOST)}`).catch(() => {});
  if (folder) { rmSync(folder, { recursive: true, force: true }); }
});

/** The context menu's item labels for a row. */
async function menuOf(page, row) {
  await row.locator('.label-name').click({ button: 'right' });
  const menu = page.locator('.context-view .monaco-menu');
  await menu.waitFor({ timeout: 15_000 });
  const items = (await menu.locator('.action-label').allInnerTexts()).map((t) => t.trim()).filter(Boolean);
  return items;
}

/** The palette's command rows for a filter text (empty when no command matches). */
async function paletteRows(page, text) {
  await page.keyboard.press('F1');
  const input = page.locator('.quick-input-widget input.input');
  await input.waitFor({ timeout: 10_000 });
  await input.fill('>' + text);
  await page.waitForTimeout(800);
  const rows = (await page.locator('.quick-input-list .monaco-list-row .label-name').allInnerTexts()).map((t) => t.trim());
  await page.keyboard.press('Escape');
  return rows;
}

test('a read-only broker: its row says so, its pool and exchange menus hold no write, the palette neither', async () => {
  const { page, lap } = wb;
  await openContainer(page);
  const b = labelRow(page, BROKER);
  await b.waitFor({ timeout: 30_000 });
  assert.match(await b.innerText(), /read-only/, 'the broker row says read-only');
  await expandRow(page, VHOST);
  await expandRow(page, 'Pools');
  const pool = labelRow(page, 'probe');
  await pool.waitFor({ timeout: 30_000 });
  lap('tree shown');

  const poolMenu = await menuOf(page, pool);
  await screenshot(page, 'read-only-pool-menu');
  await page.keyboard.press('Escape');
  assert.ok(poolMenu.includes('Copy Name'), `reading commands stay (${poolMenu})`);
  assert.ok(poolMenu.includes('Show Delivery Counts'), `reading commands stay (${poolMenu})`);
  for (const w of WRITES) { assert.ok(!poolMenu.some((i) => w.test(i)), `${w} is not in the pool's menu (${poolMenu})`); }

  await expandRow(page, 'Exchanges');
  const nova = labelRow(page, 'nova');
  await nova.waitFor({ timeout: 30_000 });
  const exMenu = await menuOf(page, nova);
  await page.keyboard.press('Escape');
  assert.ok(exMenu.some((i) => /^Who Receives/.test(i)), `Who Receives…? stays (${exMenu})`);
  for (const w of WRITES) { assert.ok(!exMenu.some((i) => w.test(i)), `${w} is not in the exchange's menu (${exMenu})`); }
  lap('menus checked');

  assert.ok((await paletteRows(page, 'RabbitMQ: Diagnose Pools')).some((r) => /Diagnose Pools/.test(r)), 'Diagnose Pools is in the palette');
  for (const t of ['RabbitMQ: Publish Test Notifications', 'RabbitMQ: Create Worker Pool', 'RabbitMQ: Run Delivery Audit', 'RabbitMQ: Start Demo']) {
    const rows = await paletteRows(page, t);
    assert.ok(!rows.some((r) => r.includes(t.replace('RabbitMQ: ', ''))), `${t} is not in the palette (${rows})`);
  }
  lap('palette checked');

  // The control: a second, writable broker on the same vhost (added through Add Broker) gets the writes, in its menus and
  // (no longer every broker read-only) the palette, while the read-only one still has none: the checks above are the
  // when clauses at work, not menus that never show them.
  await addBrokerThroughInput(page, WRITABLE, VHOST);
  await labelRow(page, WRITABLE).waitFor({ timeout: 30_000 });
  await expandRow(page, VHOST, 1);
  await expandRow(page, 'Pools', 1);
  await labelRow(page, 'probe', 1).waitFor({ timeout: 30_000 });
  const writable = await menuOf(page, labelRow(page, 'probe', 1));
  await page.keyboard.press('Escape');
  assert.ok(writable.includes('Purge Pool') && writable.includes('Delete Pool'), `the writable broker's pool menu: ${writable}`);
  const stillReadOnly = await menuOf(page, labelRow(page, 'probe', 0));
  await page.keyboard.press('Escape');
  assert.ok(!stillReadOnly.includes('Purge Pool'), `the read-only broker's pool menu: ${stillReadOnly}`);
  assert.ok((await paletteRows(page, 'RabbitMQ: Publish Test Notifications')).some((r) => r.includes('Publish Test Notifications')), 'Publish is back in the palette');
  lap('writable control checked');
});
