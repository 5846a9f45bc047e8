// UI: workspace trust, for real. A folder whose .vscode/settings.json names a broker opens in Restricted Mode (answering
// "No" to VS Code's own trust prompt): the Brokers view ignores that broker and shows the user's. Trusting the folder
// (Workspaces: Manage Workspace Trust → Trust) adds it at once, without a reload. Screenshots: trust-*.png in SCREENSHOT_DIR.
// The line below makes scripts/vscode-e2e.sh start this file's code-server with workspace trust on (the others run without).
// vscode-e2e: workspace-trust
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { BROKERS_VIEW_NAME, launchWorkbench, openContainer, runCommand, notification, screenshot, treeRows, MGMT } from './helpers.mjs';

const ID = randomBytes(3).toString('hex');
const WS_BROKER = `from-workspace-${ID}`;
const USER_BROKER = `from-user-${ID}`;

let wb;
let folder;
before(async () => {
  // A folder of its own (a new path, so VS Code has no trust decision for it yet), opened with ?folder=.
  folder = mkdtempSync(path.join(os.tmpdir(), 'rmqp-trust-ws-'));
  mkdirSync(path.join(folder, '.vscode'));
  writeFileSync(path.join(folder, '.vscode', 'settings.json'), JSON.stringify({
    'rabbitmqPools.brokers': [{ name: WS_BROKER, amqpUrl: 'amqp://guest@127.0.0.1:5672', managementUrl: MGMT, vhost: '/' }],
  }, null, 2));
  writeFileSync(path.join(folder, 'README.md'), 'A cloned repository that names its own broker in .vscode/settings.json.\n');
  wb = await launchWorkbench({ folder });
});

after(async () => {
  await wb?.close();
  if (folder) { rmSync(folder, { recursive: true, force: true }); }
});

/** A Brokers tree row by its exact label (a row's text also holds its description). */
function row(page, label) {
  const exact = new RegExp(`^${label.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`);
  return treeRows(page).filter({ has: page.locator('.label-name', { hasText: exact }) });
}

/** The brokers (top-level rows of the Brokers tree, but the "Add Broker…" one) by label, in order. */
async function brokerRows(page) {
  const labels = await page.locator(`#workbench\\.parts\\.sidebar .monaco-list[aria-label="${BROKERS_VIEW_NAME}"] .monaco-list-row[aria-level="1"] .label-name`).allInnerTexts();
  return labels.filter((l) => !l.startsWith('Add Broker'));
}

const restrictedStatus = (page) => page.locator('.part.statusbar .statusbar-item', { hasText: 'Restricted Mode' });

async function answerStep(page, step, value) {
  await page.locator('.quick-input-widget .quick-input-title', { hasText: `(${step}/6)` }).waitFor({ timeout: 15_000 });
  await page.locator('.quick-input-widget input.input').fill(value);
  await page.keyboard.press('Enter');
}

test('an untrusted folder opens in Restricted Mode: its broker is ignored, the user\'s brokers are shown', async () => {
  const { page, lap } = wb;
  const prompt = page.locator('.monaco-dialog-box', { hasText: 'Do you trust the authors of the files in this folder?' });
  try {
    await prompt.waitFor({ timeout: 30_000 });
  } catch (e) {
    await screenshot(page, 'trust-no-prompt');
    throw new Error('no workspace trust prompt: this file needs code-server WITH workspace trust (scripts/vscode-e2e.sh starts it so for the '
      + '"// vscode-e2e: workspace-trust" line; no --disable-workspace-trust, security.workspace.trust.enabled true)', { cause: e });
  }
  await screenshot(page, 'trust-prompt');
  await prompt.locator('.monaco-button', { hasText: 'No, I don\'t trust the authors' }).click();
  await prompt.waitFor({ state: 'hidden', timeout: 15_000 });
  await restrictedStatus(page).waitFor({ timeout: 15_000 });
  lap('Restricted Mode');

  // No user broker yet: the workspace's list is ignored, so the local default broker stands in.
  await openContainer(page);
  await row(page, 'localhost').waitFor({ timeout: 30_000 });
  assert.deepEqual(await brokerRows(page), ['localhost']);
  lap('only the local default broker');

  // A broker of the user's own (Add Broker writes the user settings) counts in Restricted Mode.
  await runCommand(page, 'RabbitMQ: Add Broker');
  await answerStep(page, 1, USER_BROKER);
  await answerStep(page, 2, 'amqp://127.0.0.1:5672');
  await answerStep(page, 3, MGMT);
  await answerStep(page, 4, '/');
  await answerStep(page, 5, 'guest');
  await answerStep(page, 6, 'guest');
  await notification(page, `Saved broker "${USER_BROKER}"`).waitFor({ timeout: 30_000 });
  await row(page, USER_BROKER).waitFor({ timeout: 30_000 });
  await row(page, 'localhost').waitFor({ state: 'detached', timeout: 15_000 });
  assert.deepEqual(await brokerRows(page), [USER_BROKER]);
  assert.equal(await row(page, WS_BROKER).count(), 0);
  await runCommand(page, 'Notifications: Clear All Notifications');
  await page.mouse.move(900, 700);
  await screenshot(page, 'trust-restricted');
  lap(`Restricted Mode: ${USER_BROKER} shown, ${WS_BROKER} ignored`);
});

test('trusting the folder adds its broker without a reload', async () => {
  const { page, lap } = wb;
  // Survives only if the page is not reloaded.
  await page.evaluate(() => { window.__rmqpNoReload = true; });
  await runCommand(page, 'Workspaces: Manage Workspace Trust');
  const editor = page.locator('.workspace-trust-editor');
  await editor.waitFor({ timeout: 15_000 });
  await screenshot(page, 'trust-editor');
  await editor.locator('.workspace-trust-buttons-row .monaco-button', { hasText: /^Trust$/ }).first().click();
  await restrictedStatus(page).waitFor({ state: 'detached', timeout: 15_000 });
  lap('folder trusted');

  await openContainer(page);
  await row(page, WS_BROKER).waitFor({ timeout: 30_000 });
  assert.deepEqual(await brokerRows(page), [WS_BROKER, USER_BROKER]);
  assert.equal(await page.evaluate(() => window.__rmqpNoReload), true, 'the workbench was reloaded');
  // Both point at the local broker: wait until each shows its version (connected) for the picture.
  for (const name of [WS_BROKER, USER_BROKER]) {
    await row(page, name).filter({ hasText: /RabbitMQ \d/ }).waitFor({ timeout: 30_000 });
  }
  await page.mouse.move(900, 700);
  await screenshot(page, 'trust-trusted');
  lap(`trusted: ${WS_BROKER} and ${USER_BROKER} shown`);
});
