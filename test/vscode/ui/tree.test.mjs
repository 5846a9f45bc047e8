// UI: the Brokers tree in the real workbench against the real broker. Creates the oslo notification layout in a fresh vhost
// (exchange nova, pools ceilometer ×3 / audit ×1 / notifications.info ×1 bound with notifications.info), adds the broker
// through the Add Broker input boxes, expands broker → vhost → Exchanges → nova → notifications.info → pools → workers,
// and saves test-results/screenshots/tree-fixture.png and tree-fixture-tooltip.png (the README's pictures come from the demo:
// demo.test.mjs).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { launchWorkbench, openContainer, runCommand, screenshot, treeRows, api, until, amqpVhost, labelRow, expandRow, hoverTooltip, widenSidebar, addBrokerThroughInput } from './helpers.mjs';

const VHOST = `rmqp-test-ui-${randomBytes(3).toString('hex')}`;
const BROKER = 'oslo-ui';
const HOSTILE = '<img src=x onerror=alert(1)>';

const broker = amqpVhost(VHOST);
const connect = (name) => broker.connect(name);

let wb;
before(async () => {
  await api('PUT', `vhosts/${encodeURIComponent(VHOST)}`, {});
  await api('PUT', `permissions/${encodeURIComponent(VHOST)}/guest`, { configure: '.*', write: '.*', read: '.*' });
  const ch = await (await connect('ui-test-setup')).createChannel();
  await ch.assertExchange('nova', 'topic', { durable: true });
  for (const q of ['ceilometer', 'audit', 'notifications.info']) {
    await ch.assertQueue(q, { durable: true });
    await ch.bindQueue(q, 'nova', 'notifications.info');
  }
  await ch.assertQueue(HOSTILE, { durable: false });
  await ch.bindQueue(HOSTILE, 'nova', 'compute.#');
  for (let i = 0; i < 7; i++) { ch.sendToQueue('audit', Buffer.from('{"oslo.version":"2.0"}')); }
  for (const [q, app, n] of [['ceilometer', 'ceilometer-collector', 3], ['audit', 'audit-logger', 1], ['notifications.info', 'oslo-notifier', 1]]) {
    const c = await connect(app);
    for (let i = 0; i < n; i++) {
      const wch = await c.createChannel();
      await wch.prefetch(q === 'audit' ? 0 : 10);
      // audit: never acks, so its messages stay "unacked" in the picture.
      await wch.consume(q, () => {}, { consumerTag: `${app}-${i + 1}` });
    }
  }
  await until(async () => (await api('GET', `consumers/${encodeURIComponent(VHOST)}`)).length === 5 ? true : undefined, '5 consumers in the management API');
  await until(async () => (await api('GET', `queues/${encodeURIComponent(VHOST)}/audit`)).messages_unacknowledged === 7 ? true : undefined, 'audit\'s 7 unacked messages');
  wb = await launchWorkbench();
});

after(async () => {
  await wb?.close();
  await broker.close();
  await api('DELETE', `vhosts/${encodeURIComponent(VHOST)}`).catch(() => {});
});

test('Add Broker through its input boxes, then browse the oslo pools and workers', async () => {
  const { page, lap } = wb;
  await openContainer(page);
  await labelRow(page, 'localhost').waitFor({ timeout: 30_000 });
  lap('local default broker shown');

  await addBrokerThroughInput(page, BROKER, VHOST);
  lap('broker added through the wizard');

  // The configured broker replaces the local default one; it and its only vhost open by themselves.
  await labelRow(page, BROKER).waitFor({ timeout: 30_000 });
  await expandRow(page, BROKER);
  await expandRow(page, VHOST);
  await expandRow(page, 'Exchanges');
  await expandRow(page, 'nova');
  await expandRow(page, 'notifications.info', 0); // the binding key (the pool of that name comes below it)
  for (const pool of ['audit', 'ceilometer']) { await expandRow(page, pool); }
  await expandRow(page, 'notifications.info', 1);
  lap('expanded down to the workers');

  const workers = { 'ceilometer-collector': 3, 'audit-logger': 1, 'oslo-notifier': 1 };
  for (const [app, n] of Object.entries(workers)) {
    await until(async () => (await treeRows(page).filter({ has: page.locator('.label-name', { hasText: new RegExp(`^${app}$`) }) }).count()) === n || undefined, `${n} × ${app}`);
  }
  const text = async (label, nth = 0) => (await labelRow(page, label, nth).innerText()).replace(/\s+/g, ' ');
  assert.match(await text('ceilometer'), /3 workers/);
  assert.match(await text('audit'), /1 worker · 0 ready · 7 unacked/);
  assert.match(await text('notifications.info', 1), /1 worker/);
  assert.match(await text('notifications.info', 0), /3 pools/);
  assert.match(await text('nova'), /topic · durable/);

  // Give the sidebar room for the descriptions (drag its right edge), and clear the "Saved broker" toast, before the picture.
  await widenSidebar(page, 300);

  await runCommand(page, 'Notifications: Clear All Notifications');
  await page.mouse.move(900, 700);
  await until(async () => (await page.locator('.monaco-sash.hover, .monaco-sash.active').count()) === 0 || undefined, 'the sash\'s hover highlight to fade', 10_000);
  await screenshot(page, 'tree-fixture');
  lap('tree-fixture.png');
});

test('tooltips: pool details in Markdown; a hostile name stays text', async () => {
  const { page, lap } = wb;
  const hover = await hoverTooltip(page, labelRow(page, 'ceilometer'), 'Queue type');
  const t = (await hover.innerText()).replace(/\s+/g, ' ');
  assert.match(t, /Queue type: classic/);
  assert.match(t, /Applications: ceilometer-collector/);
  await screenshot(page, 'tree-fixture-tooltip');
  lap('tree-fixture-tooltip.png');

  // The hostile pool under compute.#: its label is the literal text and its tooltip holds no <img> element.
  await page.mouse.move(900, 700);
  await expandRow(page, 'compute.#');
  const evil = labelRow(page, HOSTILE);
  await evil.waitFor({ timeout: 15_000 });
  assert.equal(await evil.locator('img').count(), 0);
  const evilHover = await hoverTooltip(page, evil, 'onerror');
  assert.ok((await evilHover.innerText()).includes(HOSTILE));
  assert.equal(await evilHover.locator('img').count(), 0);
  await screenshot(page, 'tree-hostile-tooltip');
  lap('hostile name inert');
});

test('Remove Broker (modal confirmation) puts the local broker back', async () => {
  const { page, lap } = wb;
  await page.mouse.move(900, 700);
  await runCommand(page, 'RabbitMQ: Remove Broker');
  const dialog = page.locator('.monaco-dialog-box');
  await dialog.filter({ hasText: `Remove broker "${BROKER}"?` }).waitFor({ timeout: 15_000 });
  await dialog.locator('.monaco-button', { hasText: /^Remove$/ }).click();
  await labelRow(page, 'localhost').waitFor({ timeout: 30_000 });
  assert.equal(await labelRow(page, BROKER).count(), 0);
  lap('broker removed; the local broker is back');
});
