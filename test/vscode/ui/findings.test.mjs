// UI: findings and local pools in the real workbench against the real broker. A fresh vhost where pool "ceilometer" is
// consumed by two applications (connection_names ceilometer-agent-notification and aodh-listener) and "audit" by one;
// the broker is added through the Add Broker input boxes. The Brokers tree shows a shared-pool error on ceilometer (icon
// and tooltip) and the Findings view lists it (screenshot findings-fixture.png). Then Create Worker Pool… and Publish Test
// Notifications… from the palette: the local pool with its live counts (local-pools-fixture.png). The README's pictures
// come from the demo (demo.test.mjs).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { launchWorkbench, openContainer, runCommand, notification, screenshot, treeRows, viewHeader, api, until, amqpVhost, labelRow, expandRow, hoverTooltip, widenSidebar, answer, runExact, addBrokerThroughInput } from './helpers.mjs';

const VHOST = `rmqp-test-ui-diag-${randomBytes(3).toString('hex')}`;
const BROKER = 'diag-ui';
const KEY = 'notifications.info';

const broker = amqpVhost(VHOST);
const connect = (name) => broker.connect(name);

let wb;
before(async () => {
  await api('PUT', `vhosts/${encodeURIComponent(VHOST)}`, {});
  await api('PUT', `permissions/${encodeURIComponent(VHOST)}/guest`, { configure: '.*', write: '.*', read: '.*' });
  const ch = await (await connect('ui-diag-setup')).createChannel();
  await ch.assertExchange('nova', 'topic', { durable: true });
  for (const q of ['ceilometer', 'audit']) {
    await ch.assertQueue(q, { durable: true });
    await ch.bindQueue(q, 'nova', KEY);
  }
  // Two applications on one pool: each sees only part of the notifications.
  for (const [q, app, n] of [['ceilometer', 'ceilometer-agent-notification', 2], ['ceilometer', 'aodh-listener', 1], ['audit', 'audit-logger', 1]]) {
    const c = await connect(app);
    for (let i = 0; i < n; i++) {
      const wch = await c.createChannel();
      await wch.prefetch(10);
      await wch.consume(q, (m) => m && wch.ack(m), { consumerTag: `${app}-${i + 1}` });
    }
  }
  await until(async () => (await api('GET', `consumers/${encodeURIComponent(VHOST)}`)).length === 4 ? true : undefined, '4 consumers in the management API');
  wb = await launchWorkbench();
});

after(async () => {
  await wb?.close();
  await broker.close();
  await api('DELETE', `vhosts/${encodeURIComponent(VHOST)}`).catch(() => {});
});

test('a shared pool shows an error in the tree and in the Findings view', async () => {
  const { page, lap } = wb;
  await openContainer(page);
  await addBrokerThroughInput(page, BROKER, VHOST);
  lap('broker added');

  await expandRow(page, BROKER);
  await expandRow(page, VHOST);
  await expandRow(page, 'Exchanges');
  await expandRow(page, 'nova');
  await expandRow(page, KEY);
  const ceilometer = labelRow(page, 'ceilometer');
  await ceilometer.waitFor({ timeout: 30_000 });
  // Findings are computed in the background when the pools are drawn; the pool's row is redrawn with them.
  await ceilometer.locator('.codicon-error').waitFor({ timeout: 30_000 });
  assert.equal(await labelRow(page, 'audit').locator('.codicon-error, .codicon-warning').count(), 0, 'the healthy pool has no finding icon');
  await expandRow(page, 'ceilometer');
  await until(async () => (await treeRows(page).filter({ hasText: 'aodh-listener' }).locator('.codicon-error').count()) === 1 || undefined, 'the error icon on the aodh worker');
  lap('error icons on the pool and its workers');

  // The Findings view lists it, errors first.
  await viewHeader(page, 'Findings').waitFor({ timeout: 15_000 });
  const finding = treeRows(page).filter({ hasText: 'shared-pool' }).first();
  await finding.waitFor({ timeout: 30_000 });
  assert.match((await finding.innerText()).replace(/\s+/g, ' '), /ceilometer/);
  await treeRows(page, 'Errors (1)').first().waitFor({ timeout: 15_000 });
  lap('the Findings view lists the shared-pool finding');

  await widenSidebar(page, 420);
  await runCommand(page, 'Notifications: Clear All Notifications');
  const hover = await hoverTooltip(page, ceilometer, 'shared-pool');
  const text = (await hover.innerText()).replace(/\s+/g, ' ');
  assert.match(text, /shared-pool \(error\)/);
  assert.match(text, /steal each other/);
  assert.match(text, /Give each application its own pool/);
  await screenshot(page, 'findings-tree-tooltip');
  // The picture: the tree's error icons above, the finding's tooltip in the Findings view below.
  const findingHover = await hoverTooltip(page, finding, 'What to do');
  assert.match((await findingHover.innerText()).replace(/\s+/g, ' '), /Applications: aodh-listener, ceilometer-agent-notification/);
  await screenshot(page, 'findings-fixture');
  lap('findings-fixture.png');

  // Clicking the finding reveals and selects the pool in the Brokers view.
  await page.mouse.move(1300, 800);
  await labelRow(page, 'ceilometer').locator('.label-name').click(); // collapse, so that the reveal has something to do
  await finding.locator('.label-name').click();
  await until(async () => (await labelRow(page, 'ceilometer').getAttribute('aria-selected')) === 'true' || undefined, 'ceilometer selected in the Brokers view');
  lap('a click on the finding selects the pool');
});

test('a local pool shows its live counts', async () => {
  // The previous test's reveal moves the focus into the Brokers view: wait until it has landed there.
  await until(() => wb.page.evaluate(() => !!document.activeElement?.closest('#workbench\\.parts\\.sidebar .monaco-list')) || undefined, 'the focus in the Brokers view after the reveal', 10_000);
  try {
    await localPoolSteps();
  } catch (e) {
    await screenshot(wb.page, 'local-pools-failed');
    throw e;
  }
});

async function localPoolSteps() {
  const { page, lap } = wb;
  await page.mouse.move(1300, 800);
  await runExact(page, 'RabbitMQ: Create Worker Pool…');
  await answer(page, 'exchange the pool listens to', 'nova');
  await answer(page, 'Binding key', undefined);
  await answer(page, 'shared queue', 'metering');
  await answer(page, 'How many workers', '3');
  await answer(page, 'Prefetch', undefined); // 10, the default
  await answer(page, 'queue type of pool', undefined); // classic, the default
  await notification(page, 'Pool "metering" is running with 3 local workers').waitFor({ timeout: 30_000 });
  lap('pool created from the palette');

  const metering = labelRow(page, 'metering');
  await metering.waitFor({ timeout: 30_000 });
  // An auto-refresh can draw the new queue as a plain pool a moment before the local pool is registered: wait for the redraw.
  await until(async () => /3 local workers · 0 delivered/.test((await metering.innerText()).replace(/\s+/g, ' ')) || undefined, 'metering marked as a local pool', 15_000);
  await expandRow(page, 'metering');
  await until(async () => (await treeRows(page).filter({ hasText: '(local)' }).count()) === 3 || undefined, 'three local worker rows');

  await runExact(page, 'RabbitMQ: Publish Test Notifications…');
  await answer(page, 'Publish to which exchange', 'nova');
  await answer(page, 'Routing key of the test notifications', undefined);
  await answer(page, 'How many test notifications', '3000');
  await answer(page, 'Messages per second', '600');
  await answer(page, 'Event type', undefined);
  // nova / notifications.info also reaches ceilometer and audit, which other applications consume: asked first.
  const consent = page.locator('.monaco-dialog-box').filter({ hasText: 'reach pools other applications consume' });
  await consent.waitFor({ timeout: 15_000 });
  const asked = (await consent.innerText()).replace(/\s+/g, ' ');
  assert.match(asked, /ceilometer \(aodh-listener, ceilometer-agent-notification\)/, asked);
  assert.match(asked, /audit \(audit-logger\)/, asked);
  assert.doesNotMatch(asked, /metering \(/, 'the tool\'s own local pool is not another application\'s');
  await consent.locator('.monaco-button', { hasText: /^Publish$/ }).click();
  // Mid-way: a rate in the description, counts growing.
  await until(async () => {
    const t = (await metering.innerText()).replace(/\s+/g, ' ');
    const m = /3 local workers · ([\d,]+) delivered · \d+\/s/.exec(t);
    return m && Number(m[1].replace(/,/g, '')) >= 1000 || undefined;
  }, 'metering counting with a rate', 30_000);
  await screenshot(page, 'local-pools-counting');
  await until(async () => /3 local workers · 3,000 delivered/.test((await metering.innerText()).replace(/\s+/g, ' ')) || undefined, 'metering at 3,000', 30_000);
  // The picture once both of the pool's rows (under its key and in Pools) show the final count.
  await until(async () => (await treeRows(page).filter({ hasText: '3 local workers · 3,000 delivered' }).count()) === 2 || undefined, 'both metering rows at 3,000', 15_000);
  // …and once the rate has decayed in both (each row is redrawn on the pool's own snapshots, not at the same instant).
  await until(async () => (await treeRows(page).filter({ hasText: '3 local workers · 3,000 delivered · 0 ready' }).count()) === 2 || undefined, 'both rows without a rate', 15_000)
    .catch(() => lap('the rate had not decayed in both rows; picture taken anyway'));
  await runCommand(page, 'Notifications: Clear All Notifications');
  // Move the selection off the pool (a selected row paints its icon in one colour): collapse and expand its binding key.
  for (let i = 0; i < 2; i++) {
    const was = await labelRow(page, KEY).getAttribute('aria-expanded');
    await labelRow(page, KEY).locator('.label-name').click();
    await until(async () => (await labelRow(page, KEY).getAttribute('aria-expanded')) !== was || undefined, `${KEY} ${was === 'true' ? 'collapsed' : 'expanded'}`, 10_000);
  }
  await labelRow(page, 'metering-1 (local)').waitFor({ timeout: 15_000 });
  await page.mouse.click(1100, 700);
  const poolHover = await hoverTooltip(page, labelRow(page, 'metering', 1), 'Local pool');
  assert.match((await poolHover.innerText()).replace(/\s+/g, ' '), /Local workers: 3 Delivered: 3,000 Acked: 3,000/);
  await screenshot(page, 'local-pools-fixture');
  lap('local-pools-fixture.png');
  const workerTexts = await treeRows(page).filter({ hasText: '(local)' }).allInnerTexts();
  const counts = workerTexts.map((t) => Number(/([\d,]+) delivered/.exec(t)?.[1].replace(/,/g, '') ?? NaN));
  assert.equal(counts.reduce((a, b) => a + b, 0), 3000, `per-worker counts ${counts}`);
  await screenshot(page, 'local-pools-done');
  lap('3,000 delivered, per worker counts add up');

  // Stop it (and delete its queue), then remove the broker: the next UI test starts from the local default broker.
  await runExact(page, 'RabbitMQ: Stop Pool');
  const dialog = page.locator('.monaco-dialog-box');
  await dialog.filter({ hasText: 'Stop the 3 local workers of pool "metering"?' }).waitFor({ timeout: 15_000 });
  await dialog.locator('.monaco-button', { hasText: /^Stop and Delete Queue$/ }).click();
  await notification(page, 'Pool "metering" stopped').waitFor({ timeout: 30_000 });
  await runExact(page, 'RabbitMQ: Remove Broker');
  await dialog.filter({ hasText: `Remove broker "${BROKER}"?` }).waitFor({ timeout: 15_000 });
  await dialog.locator('.monaco-button', { hasText: /^Remove$/ }).click();
  await labelRow(page, 'localhost').waitFor({ timeout: 30_000 });
  lap('pool stopped, broker removed');
}
