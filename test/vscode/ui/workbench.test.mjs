// UI: the installed .vsix in the real workbench: the RabbitMQ Pools container, its Brokers view and the local broker's row.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { BROKERS_VIEW_NAME, launchWorkbench, openContainer, screenshot, treeRow, treeRows } from './helpers.mjs';

let wb;
before(async () => { wb = await launchWorkbench(); });
after(async () => { await wb?.close(); });

test('the RabbitMQ Pools container shows the Brokers view with the local broker', async () => {
  const { page, lap } = wb;
  await openContainer(page);
  // With one view in the container VS Code merges the view's title into the container's ("RABBITMQ POOLS: BROKERS")
  // instead of showing a pane header; the tree's aria-label is the view's name either way.
  await page.locator(`#workbench\\.parts\\.sidebar .monaco-list[aria-label="${BROKERS_VIEW_NAME}"]`).waitFor({ timeout: 30_000 });
  lap('Brokers view visible');
  await treeRow(page, 'localhost').waitFor({ timeout: 30_000 });
  assert.ok(await treeRows(page).count() >= 1);
  lap(`tree rows: ${await treeRows(page).count()}`);
  // Wait for the broker's children (exchanges, or a message/error node) so the screenshot shows a loaded tree.
  await treeRows(page).nth(1).waitFor({ timeout: 30_000 });
  const file = await screenshot(page, 'workbench');
  lap(`screenshot ${file}`);
});
