// Drives one code-server workbench (CS_URL): shows the RabbitMQ Pools view (activates the extension), then opens
// "Developer: Show Running Extensions" and reads our row's activation time, and from the extension's own log (CS_PROFILE)
// what of it was the extension's own code. Prints {activationMs, text, own: {evaluateMs, activateMs}, others} as JSON.
import { readFileSync, readdirSync } from 'node:fs';
import * as path from 'node:path';
import { launchWorkbench, openContainer, runCommand, treeRows } from '../test/vscode/ui/helpers.mjs';

/** The extension's own share, from its log's "Activated:" line (src/extension.ts) in the profile CS_PROFILE. */
async function ownShare(page) {
  const dir = process.env.CS_PROFILE;
  if (!dir) { return undefined; }
  const find = (d) => readdirSync(d, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? find(path.join(d, e.name)) : e.name === 'RabbitMQ Pools.log' ? [path.join(d, e.name)] : []));
  for (let i = 0; i < 20; i++) {
    for (const f of find(dir)) {
      const m = /Activated: activate\(\) ([\d.]+) ms(?:, dist\/extension.js evaluated in ([\d.]+) ms)?/.exec(readFileSync(f, 'utf8'));
      if (m) { return { activateMs: Number(m[1]), evaluateMs: m[2] === undefined ? undefined : Number(m[2]) }; }
    }
    await page.waitForTimeout(250);
  }
  return undefined;
}

// SETTLE_MS > 0: let the workbench finish starting (built-in extensions activate, Chromium renders) before the view opens,
// as when a user opens it later; 0 (default): open it right away, as when the view is restored with the window.
const settleMs = Number(process.env.SETTLE_MS ?? 0);
const wb = await launchWorkbench({ timeout: 120_000 });
try {
  const { page } = wb;
  if (settleMs > 0) { await page.waitForTimeout(settleMs); }
  await openContainer(page);
  await treeRows(page).first().waitFor({ timeout: 60_000 }); // the Brokers view drew: the extension is active
  await runCommand(page, 'Developer: Show Running Extensions');
  const row = page.locator('.runtime-extensions-editor .monaco-list-row', { hasText: 'RabbitMQ Pool Inspector' }).first();
  await row.waitFor({ timeout: 30_000 });
  const time = row.locator('.activation-time').first();
  await time.waitFor({ timeout: 30_000 });
  const text = (await time.textContent())?.trim() ?? '';
  const m = /([\d.]+)\s*ms/.exec(text);
  if (!m) { throw new Error(`no activation time in "${text}"`); }
  const others = await page.locator('.runtime-extensions-editor .monaco-list-row').evaluateAll((rows) => rows.map((r) => r.textContent.replace(/\s+/g, ' ').trim().slice(0, 120)));
  const own = await ownShare(page);
  console.log(JSON.stringify({ activationMs: Number(m[1]), settleMs, text, own, others }));
} finally {
  await wb.close();
}
