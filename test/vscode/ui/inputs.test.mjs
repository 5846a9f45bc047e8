// UI: the multi-step quick inputs and the local-pool commands' palette entries, in the real workbench against the real broker.
//  1. With no local pool, "RabbitMQ: Add Worker", "Stop Worker" and "Stop Pool" are not in the command palette (the context
//     key rabbitmqPools.hasLocalPools is false), while the other RabbitMQ commands are.
//  2. Add Broker is one quick input with a step counter: typing a name, going on, clicking its Back button shows the name
//     again; the broker is saved after the last step.
//  3. Create Worker Pool… from the palette: one input (exchange, binding key, pool name, workers, prefetch, queue type), Back
//     keeps what was entered; once the pool runs, the local-pool commands are in the palette; Stop Pool hides them again.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { launchWorkbench, openContainer, runCommand, notification, screenshot, treeRow, api, until, amqpVhost, MGMT } from './helpers.mjs';

const VHOST = `rmqp-test-ui-inputs-${randomBytes(3).toString('hex')}`;
const BROKER = 'inputs-ui';
const LOCAL_POOL_COMMANDS = ['RabbitMQ: Add Worker', 'RabbitMQ: Stop Worker', 'RabbitMQ: Stop Pool'];
const broker = amqpVhost(VHOST);

let wb;
before(async () => {
  await api('PUT', `vhosts/${encodeURIComponent(VHOST)}`, {});
  await api('PUT', `permissions/${encodeURIComponent(VHOST)}/guest`, { configure: '.*', write: '.*', read: '.*' });
  const ch = await (await broker.connect('ui-inputs-setup')).createChannel();
  await ch.assertExchange('nova', 'topic', { durable: true });
  wb = await launchWorkbench();
  await openContainer(wb.page);
  // The extension is active once the tree shows the local broker (the test-only commands are registered then).
  await treeRow(wb.page, 'localhost').waitFor({ timeout: 30_000 });
});

after(async () => {
  await wb?.close();
  await broker.close();
  await api('DELETE', `vhosts/${encodeURIComponent(VHOST)}`).catch(() => {});
});

const widget = (page) => page.locator('.quick-input-widget');
const inputBox = (page) => page.locator('.quick-input-widget input.input');

/** Waits for step N of M in the quick input's title ("Add Broker (2/6)"). */
async function atStep(page, step, total) {
  await page.locator('.quick-input-widget .quick-input-title', { hasText: `(${step}/${total})` }).waitFor({ timeout: 20_000 });
}

/** At step N/M: types `value` (or keeps what is there) and presses Enter. */
async function answer(page, step, total, value) {
  await atStep(page, step, total);
  if (value !== undefined) { await inputBox(page).fill(value); }
  await page.waitForTimeout(150);
  await page.keyboard.press('Enter');
}

/** Whether the command palette lists the command titled exactly `title` when that title is typed. */
async function inPalette(page, title) {
  return (await palette(page, title, false));
}

/** Runs the command titled exactly `title` from the palette (a click on its row: Enter may run a similar, recent one). */
async function runExact(page, title) {
  assert.ok(await palette(page, title, true), `"${title}" is not in the palette`);
}

async function palette(page, title, run) {
  await page.keyboard.press('Escape');
  for (let attempt = 1; ; attempt++) {
    await page.keyboard.press('F1');
    try { await inputBox(page).waitFor({ timeout: 5_000 }); break; } catch (e) {
      if (attempt >= 3) { throw e; }
      await page.locator('.part.statusbar').click({ position: { x: 600, y: 10 } }).catch(() => {});
    }
  }
  await inputBox(page).fill('>' + title);
  const rows = page.locator('.quick-input-list .monaco-list-row .label-name');
  // The list has answered the query once it shows rows for it or says that nothing matches.
  await until(async () => (await rows.count()) > 0 || /No matching commands/.test(await widget(page).innerText()) || undefined, `the palette's answer to "${title}"`, 15_000);
  await page.waitForTimeout(500);
  const labels = (await rows.allInnerTexts()).map((t) => t.replace(/\s+/g, ' ').trim());
  const at = labels.indexOf(title);
  if (run && at >= 0) {
    await rows.nth(at).click();
    return true;
  }
  await page.keyboard.press('Escape');
  return at >= 0;
}

async function localPoolCommandsInPalette(page) {
  const shown = [];
  for (const c of LOCAL_POOL_COMMANDS) { if (await inPalette(page, c)) { shown.push(c); } }
  return shown;
}

test('no local pool: Add Worker, Stop Worker and Stop Pool are not in the palette', async () => {
  // The same query finds the commands that are always there: the check can see a command when it is listed.
  assert.equal(await inPalette(wb.page, 'RabbitMQ: Create Worker Pool…'), true);
  assert.equal(await inPalette(wb.page, 'RabbitMQ: Stop Local Pools (test)'), true);
  assert.deepEqual(await localPoolCommandsInPalette(wb.page), []);
});

test('Add Broker: one input with a step counter; its Back button returns to the name, kept', async () => {
  const { page, lap } = wb;
  await runCommand(page, 'RabbitMQ: Add Broker');
  await answer(page, 1, 6, BROKER);
  await atStep(page, 2, 6);
  assert.equal(await inputBox(page).inputValue(), 'amqp://127.0.0.1:5672');
  await screenshot(page, 'inputs-add-broker-step2');
  await page.locator('.quick-input-widget .codicon-quick-input-back').click();
  await atStep(page, 1, 6);
  assert.equal(await inputBox(page).inputValue(), BROKER, 'Back kept the name');
  await page.keyboard.press('Enter');
  // A wrong scheme holds the step with a message.
  await answer(page, 2, 6, 'http://127.0.0.1:5672');
  await until(async () => /AMQP URL/.test(await widget(page).innerText()) || undefined, 'a validation message on the AMQP URL step', 10_000);
  await atStep(page, 2, 6);
  await answer(page, 2, 6, 'amqp://127.0.0.1:5672');
  await answer(page, 3, 6, MGMT);
  await answer(page, 4, 6, VHOST);
  await answer(page, 5, 6, 'guest');
  await answer(page, 6, 6, 'guest');
  await notification(page, `Saved broker "${BROKER}"`).waitFor({ timeout: 30_000 });
  await treeRow(page, BROKER).waitFor({ timeout: 30_000 });
  lap('broker added through the multi-step input, with a Back');
});

test('Create Worker Pool… from the palette with Back; the local-pool commands are in the palette only while it runs', async () => {
  const { page, lap } = wb;
  await runCommand(page, 'RabbitMQ: Create Worker Pool…');
  await atStep(page, 1, 6);
  await page.locator('.quick-input-list .monaco-list-row', { hasText: 'nova' }).first().waitFor({ timeout: 20_000 });
  await answer(page, 1, 6, 'nova');
  await answer(page, 2, 6, undefined); // notifications.info
  await answer(page, 3, 6, 'ui-pool');
  await atStep(page, 4, 6);
  await inputBox(page).fill('2');
  await page.locator('.quick-input-widget .codicon-quick-input-back').click();
  await atStep(page, 3, 6);
  assert.equal(await inputBox(page).inputValue(), 'ui-pool', 'Back kept the pool name');
  await page.keyboard.press('Enter');
  await atStep(page, 4, 6);
  assert.equal(await inputBox(page).inputValue(), '2', 'what was typed in the step left with Back is still there');
  await screenshot(page, 'inputs-create-pool-step4');
  await page.keyboard.press('Enter');
  await answer(page, 5, 6, undefined); // prefetch 10
  await answer(page, 6, 6, undefined); // classic
  await notification(page, 'Pool "ui-pool" is running with 2 local workers').waitFor({ timeout: 30_000 });
  lap('pool created through the multi-step input');

  await until(async () => (await localPoolCommandsInPalette(page)).length === 3 || undefined, 'the local-pool commands in the palette', 15_000);

  await runExact(page, 'RabbitMQ: Stop Pool');
  const dialog = page.locator('.monaco-dialog-box');
  await dialog.filter({ hasText: 'Stop the 2 local workers of pool "ui-pool"?' }).waitFor({ timeout: 15_000 });
  await dialog.locator('.monaco-button', { hasText: /^Stop and Delete Queue$/ }).click();
  await notification(page, 'Pool "ui-pool" stopped').waitFor({ timeout: 30_000 });
  await until(async () => (await localPoolCommandsInPalette(page)).length === 0 || undefined, 'the local-pool commands gone from the palette', 15_000);
  lap('stopped: hidden again');
});
