// UI: the release a user installs. scripts/vscode-e2e.sh packages dist/rabbitmq-pool-inspector.vsix (npm run package) and
// installs it into this server; this file checks
//   1. the .vsix itself: LICENSE, CHANGELOG.md, the PNG icon, and a readme whose every image is in the package (each one
//      byte for byte the docs/images/ file README.md names);
//   2. the extension's page in VS Code (Extensions view → RabbitMQ Pool Inspector): its icon renders, and the README in the
//      details webview shows as many images as README.md references, every one loaded (naturalWidth > 0);
//   3. the icons on dark and light themes: the Delivery Counts panel's tab shows panel-dark.svg / panel-light.svg (a tab
//      icon is an image, so one colour cannot suit both), the activity bar's container icon is a mask in the theme's colour,
//      and a view moved to an activity bar entry of its own shows its own icon (media/view-findings.svg).
// Why the packaged readme carries its images as data: URIs (scripts/vsix-readme.mjs): the extension page's webview has the
// CSP "img-src https: data:", so a relative docs/images/x.png (or any file / http URL of the installed extension) is blocked
// there; https URLs need a repository and a network. Test 1 reads the .vsix here rather than in test/unit/ because the
// .vsix is what this run installs: the same file is checked and shown.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { inflateRawSync } from 'node:zlib';
import { fileURLToPath } from 'node:url';
import { randomBytes } from 'node:crypto';
import { api, launchWorkbench, openContainer, runCommand, screenshot, treeRow, until, webviewFrame } from './helpers.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const VSIX = process.env.VSIX ?? path.join(ROOT, 'dist/rabbitmq-pool-inspector.vsix');
const manifest = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
const DISPLAY_NAME = manifest.displayName;

/** Image references in a Markdown text: ![alt](src "title") and <img src="…">. */
function imageRefs(markdown) {
  const refs = [];
  for (const m of markdown.matchAll(/!\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)) { refs.push(m[1]); }
  for (const m of markdown.matchAll(/<img\b[^>]*\bsrc=["']([^"']+)["']/gi)) { refs.push(m[1]); }
  return refs;
}

/** The entries of a .zip (a .vsix) as a Map name → Buffer: enough of the format for what vsce writes (stored or deflated). */
function readZip(file) {
  const buf = readFileSync(file);
  const eocd = buf.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  assert.ok(eocd >= 0, `${file} is not a zip file`);
  const count = buf.readUInt16LE(eocd + 10);
  let p = buf.readUInt32LE(eocd + 16);
  const entries = new Map();
  for (let i = 0; i < count; i++) {
    assert.equal(buf.readUInt32LE(p), 0x02014b50, 'zip central directory entry');
    const method = buf.readUInt16LE(p + 10), size = buf.readUInt32LE(p + 20);
    const nameLen = buf.readUInt16LE(p + 28), extraLen = buf.readUInt16LE(p + 30), commentLen = buf.readUInt16LE(p + 32);
    const local = buf.readUInt32LE(p + 42);
    const name = buf.toString('utf8', p + 46, p + 46 + nameLen);
    const data = local + 30 + buf.readUInt16LE(local + 26) + buf.readUInt16LE(local + 28);
    const raw = buf.subarray(data, data + size);
    entries.set(name, method === 0 ? raw : inflateRawSync(raw));
    p += 46 + nameLen + extraLen + commentLen;
  }
  return entries;
}

test('the packaged .vsix holds LICENSE, CHANGELOG.md, the PNG icon and every README image', () => {
  const zip = readZip(VSIX);
  const names = [...zip.keys()];
  console.log(`${VSIX}: ${names.length} files, ${(readFileSync(VSIX).length / 1024).toFixed(1)} KiB`);
  // vsce stores LICENSE as LICENSE.txt and CHANGELOG.md as changelog.md (VS Code looks them up case-insensitively).
  const find = (re, what) => {
    const n = names.find((x) => re.test(x));
    assert.ok(n, `${what} is missing from the .vsix (it holds: ${names.join(', ')})`);
    return zip.get(n).toString();
  };
  assert.match(find(/^extension\/license(\.txt|\.md)?$/i, 'LICENSE'), /^MIT License/);
  assert.match(find(/^extension\/changelog\.md$/i, 'CHANGELOG.md'), new RegExp(`^## \\[${manifest.version.replace(/\./g, '\\.')}\\]`, 'm'));
  assert.ok(zip.has('extension/package.json'));

  const packaged = JSON.parse(zip.get('extension/package.json').toString());
  assert.ok(packaged.icon, 'package.json has no "icon"');
  const icon = zip.get(`extension/${packaged.icon}`);
  assert.ok(icon, `the icon ${packaged.icon} is missing from the .vsix`);
  assert.equal(icon.readUInt32BE(0), 0x89504e47, 'the icon is a PNG');
  assert.deepEqual([icon.readUInt32BE(16), icon.readUInt32BE(20)], [128, 128], 'the icon is 128×128');
  assert.ok(!JSON.stringify(packaged).includes('example.invalid'), 'package.json still names example.invalid');
  // Every icon the manifest names (view container, views) is in the package.
  const icons = [...packaged.contributes.viewsContainers.activitybar.map((c) => c.icon), ...Object.values(packaged.contributes.views).flat().map((v) => v.icon)];
  for (const i of icons) { assert.ok(i && zip.has(`extension/${i}`), `icon ${i} is missing from the .vsix`); }
  for (const i of ['media/panel-light.svg', 'media/panel-dark.svg']) { assert.ok(zip.has(`extension/${i}`), `${i} is missing from the .vsix`); }

  // The readme VS Code shows (vsce names it extension/readme.md whatever its source) holds each image README.md names.
  const readmeName = names.find((n) => /^extension\/readme\.md$/i.test(n));
  assert.ok(readmeName, 'no readme in the .vsix');
  const sourceRefs = imageRefs(readFileSync(path.join(ROOT, 'README.md'), 'utf8'));
  const packedRefs = imageRefs(zip.get(readmeName).toString());
  assert.ok(sourceRefs.length > 0, 'README.md references no image');
  assert.equal(packedRefs.length, sourceRefs.length, `README.md references ${sourceRefs.length} images, the packaged readme ${packedRefs.length}`);
  sourceRefs.forEach((ref, i) => {
    const want = readFileSync(path.join(ROOT, ref));
    const got = packedRefs[i];
    let bytes;
    if (got.startsWith('data:')) {
      const m = /^data:image\/(png|jpeg|gif|webp);base64,(.+)$/.exec(got);
      assert.ok(m, `${ref}: the packaged readme's data URI is not a base64 PNG/JPEG/GIF/WebP image`);
      bytes = Buffer.from(m[2], 'base64');
    } else {
      bytes = zip.get(`extension/${path.posix.normalize(got)}`);
      assert.ok(bytes, `${ref}: the packaged readme references ${got.slice(0, 80)}, which is not in the .vsix`);
    }
    assert.ok(bytes.equals(want), `${ref}: the packaged image differs from the file in the repository`);
  });
  console.log(`${sourceRefs.length} README images packaged: ${sourceRefs.join(', ')}`);
});

// The workbench starts with the first test that needs it, so the package check alone runs without code-server or chromium:
//   npm run package && node --test --test-name-pattern=vsix test/vscode/ui/extensionPage.test.mjs
let wb;
const workbench = async () => (wb ??= await launchWorkbench({ viewport: { width: 1400, height: 1000 } }));
after(async () => { await wb?.close(); });

test('the extension page shows the icon and every README image', async () => {
  const { page, lap } = await workbench();
  const expected = imageRefs(readFileSync(path.join(ROOT, 'README.md'), 'utf8')).length;

  // "Extensions: Show Installed Extensions" is not in the palette without a gallery: the view lists the installed ones.
  await page.keyboard.press('Control+Shift+X');
  const item = page.locator('.extensions-viewlet .monaco-list-row', { hasText: DISPLAY_NAME }).first();
  await item.waitFor({ timeout: 30_000 });
  lap('extension listed in the Extensions view');
  // The list's own icon: the PNG from the package, not VS Code's default icon.
  const listIcon = item.locator('img.icon');
  await page.waitForFunction((img) => img.complete && img.naturalWidth > 0, await listIcon.elementHandle(), { timeout: 15_000 });
  await item.click();

  const editor = page.locator('.extension-editor');
  await editor.locator('.header .name', { hasText: DISPLAY_NAME }).waitFor({ timeout: 30_000 });
  const headerIcon = editor.locator('.header .icon-container img.icon');
  await page.waitForFunction((img) => img.complete && img.naturalWidth > 0, await headerIcon.elementHandle(), { timeout: 15_000 });
  const iconSrc = await headerIcon.getAttribute('src');
  assert.ok(iconSrc && !/defaultIcon/i.test(iconSrc) && iconSrc.includes(path.basename(manifest.icon)), `the page shows ${iconSrc}, not the extension's icon`);
  const iconSize = await headerIcon.evaluate((img) => [img.naturalWidth, img.naturalHeight]);
  assert.deepEqual(iconSize, [128, 128]);
  lap(`icon shown: ${iconSrc}`);

  // The README in the details webview: as many <img> as README.md references, each loaded.
  // (A webview is laid over its editor, not inside it: the page's only webview here is the README's.)
  const frame = webviewFrame(page);
  await frame.locator('h1', { hasText: DISPLAY_NAME }).waitFor({ timeout: 30_000 }).catch(async (e) => { await screenshot(page, 'extension-page-failed'); throw e; });
  let images = [];
  const deadline = Date.now() + 30_000;
  for (;;) {
    images = await frame.locator('body').evaluate((body) => [...body.querySelectorAll('img')].map((img) => ({
      src: img.getAttribute('src')?.slice(0, 60), alt: img.alt, complete: img.complete, width: img.naturalWidth,
    })));
    if ((images.length === expected && images.every((i) => i.complete && i.width > 0)) || Date.now() > deadline) { break; }
    await page.waitForTimeout(250);
  }
  await frame.locator('img').first().scrollIntoViewIfNeeded().catch(() => {});
  const file = await screenshot(page, 'extension-page');
  lap(`screenshot ${file}`);
  for (const i of images) { console.log(`  img "${i.alt}": complete ${i.complete}, naturalWidth ${i.width}, src ${i.src}…`); }
  assert.equal(images.length, expected, `README.md references ${expected} images; the extension page shows ${images.length}`);
  const broken = images.filter((i) => !i.complete || i.width === 0);
  assert.deepEqual(broken, [], `images not loaded on the extension page: ${broken.map((i) => i.alt).join(', ')}`);

  // The Changelog tab shows CHANGELOG.md (its own webview; the README's may stay behind it, so look in every frame).
  await editor.locator('.navbar .action-label', { hasText: /^changelog$/i }).click();
  const headings = async () => (await Promise.all(page.frames().map((f) => f.evaluate(() => [...document.querySelectorAll('h2')].map((h) => h.textContent)).catch(() => [])))).flat();
  await until(async () => (await headings()).some((h) => /Unreleased/.test(h)) || undefined, 'the Changelog tab with its Unreleased section', 30_000);
  assert.ok((await headings()).some((h) => h.includes(`[${manifest.version}]`)), 'the Changelog tab shows the current version');
  lap(`changelog tab: ${(await screenshot(page, 'extension-page-changelog'))}`);
});

/** Answers the quick pick whose title contains `title`: types `value`, waits for a matching row, presses Enter. */
async function pick(page, title, value) {
  await page.locator('.quick-input-widget .quick-input-title', { hasText: title }).waitFor({ timeout: 30_000 });
  await page.locator('.quick-input-widget input.input').fill(value);
  await page.locator('.quick-input-list .monaco-list-row', { hasText: value }).first().waitFor({ timeout: 15_000 });
  await page.keyboard.press('Enter');
}

/** Switches the colour theme through the test-only command (RMQ_POOLS_TEST=1), as panel.test.mjs does. */
async function setTheme(page, theme, kind) {
  await page.locator('.part.statusbar').click({ position: { x: 600, y: 10 } }).catch(() => {});
  await runCommand(page, 'RabbitMQ: Start Local Pools (test)');
  await page.locator('.quick-input-widget input.input').fill(JSON.stringify({ colorTheme: theme }));
  await page.keyboard.press('Enter');
  await page.locator(`.monaco-workbench.${kind}`).waitFor({ timeout: 15_000 });
  await page.mouse.move(900, 700);
}

/** The tab icon of the editor tab containing `text`: the URL of its ::before background image, and that file's text. */
async function tabIcon(page, text) {
  const label = page.locator('.tabs-container .tab', { hasText: text }).locator('.monaco-icon-label').first();
  const url = await label.evaluate((el) => {
    const m = /url\("?([^")]+)"?\)/.exec(window.getComputedStyle(el, '::before').backgroundImage);
    return m ? new URL(m[1], window.location.href).toString() : undefined;
  });
  const body = url ? await page.evaluate(async (u) => { const r = await fetch(u); return r.ok ? r.text() : `HTTP ${r.status}`; }, url) : undefined;
  return { url, body };
}

test('icons: the panel tab on dark and light themes, the activity bar container, a view\'s own icon', async () => {
  const { page, lap } = await workbench();
  const vhost = `rmqp-ui-release-${randomBytes(3).toString('hex')}`;
  const enc = encodeURIComponent;
  await api('PUT', `vhosts/${enc(vhost)}`, {});
  try {
    await api('PUT', `permissions/${enc(vhost)}/guest`, { configure: '.*', write: '.*', read: '.*' });
    await api('PUT', `exchanges/${enc(vhost)}/nova`, { type: 'topic', durable: false });
    await api('PUT', `queues/${enc(vhost)}/ceilometer`, { durable: false });
    await api('POST', `bindings/${enc(vhost)}/e/nova/q/ceilometer`, { routing_key: 'notifications.info' });

    await page.keyboard.press('Escape');
    await openContainer(page, undefined, { timeout: 60_000 });
    await treeRow(page, 'localhost').waitFor({ timeout: 60_000 });
    // The extension page's webviews (README, changelog) can take the focus as they finish loading, which closes a quick
    // pick (no ignoreFocusOut): close them first, and run the command again if its first pick closed before it was answered.
    await runCommand(page, 'View: Close All Editors');
    for (let attempt = 1; ; attempt++) {
      await runCommand(page, 'RabbitMQ: Show Delivery Counts');
      const shown = await page.locator('.quick-input-widget .quick-input-title', { hasText: 'vhost' }).waitFor({ timeout: 10_000 }).then(() => true, () => false);
      if (shown || attempt === 3) { break; }
      lap(`the vhost pick closed before it was answered (attempt ${attempt}); running the command again`);
      await page.keyboard.press('Escape');
    }
    await pick(page, 'vhost', vhost);
    await pick(page, 'exchange', 'nova');
    const title = 'Delivery Counts: nova';
    await page.locator('.tabs-container .tab', { hasText: title }).waitFor({ timeout: 30_000 });
    lap('panel open');

    const container = page.locator('.part.activitybar .action-item .action-label[aria-label^="RabbitMQ Pools"]').first();
    for (const [theme, kind, file, fill] of [['Default Dark Modern', 'vs-dark', 'panel-dark.svg', '#C5C5C5'], ['Default Light Modern', 'vs', 'panel-light.svg', '#424242']]) {
      await setTheme(page, theme, kind);
      const icon = await until(async () => { const i = await tabIcon(page, title); return i.url?.includes(file) ? i : undefined; }, `the tab icon ${file} in ${theme}`, 15_000)
        .catch(async (e) => { console.log('tab icon:', await tabIcon(page, title)); throw e; });
      assert.match(icon.body, new RegExp(`<svg[^>]*fill="${fill}"`), `${file} as served: ${icon.body.slice(0, 120)}`);
      // The activity bar icon: media/icon.svg as a mask, painted in the theme's activity bar foreground.
      const style = await container.evaluate((el) => {
        const cs = window.getComputedStyle(el);
        const bar = window.getComputedStyle(el.closest('.part.activitybar'));
        return { mask: cs.webkitMaskImage || cs.maskImage, color: cs.backgroundColor, bar: bar.backgroundColor };
      });
      assert.match(decodeURIComponent(style.mask), /media\/icon\.svg/, `the container icon's mask: ${style.mask}`);
      assert.notEqual(style.color, style.bar, `the container icon is painted in ${style.color} on ${style.bar}`);
      assert.notEqual(style.color, 'rgba(0, 0, 0, 0)');
      const shot = await screenshot(page, `release-icons-${kind}`);
      lap(`${theme}: tab icon ${file}, container icon ${style.color} on ${style.bar}; ${shot}`);
    }

    // A view's own icon shows where its name cannot: move Findings to an activity bar entry of its own (View: Move View).
    await page.locator('.part.statusbar').click({ position: { x: 600, y: 10 } }).catch(() => {});
    await page.keyboard.press('F1');
    await page.locator('.quick-input-widget input.input').fill('>View: Move View');
    await page.locator('.quick-input-list .monaco-list-row', { hasText: /^View: Move View$/ }).first().click();
    await page.locator('.quick-input-list .monaco-list-row', { hasText: /^Findings$/ }).first().click({ timeout: 15_000 });
    await page.locator('.quick-input-list .monaco-list-row', { hasText: 'New Side Bar Entry' }).first().click({ timeout: 15_000 });
    const masks = async () => page.locator('.part.activitybar .action-label.uri-icon').evaluateAll((els) => els.map((e) => decodeURIComponent(window.getComputedStyle(e).webkitMaskImage)));
    await until(async () => (await masks()).some((m) => m.includes('media/view-findings.svg')) || undefined, 'the Findings view\'s own icon in the activity bar', 15_000)
      .catch(async (e) => { console.log('activity bar masks:', await masks()); throw e; });
    // The mask's file is served (the same URL the activity bar paints).
    const viewIcon = await page.locator('.part.activitybar .action-label.uri-icon').evaluateAll((els) => els.map((e) => /url\("?([^")]+)"?\)/.exec(window.getComputedStyle(e).webkitMaskImage)?.[1]).find((u) => u && decodeURIComponent(u).includes('media/view-findings.svg')));
    const served = await page.evaluate(async (u) => { const r = await fetch(u); return r.ok ? r.text() : `HTTP ${r.status}`; }, viewIcon);
    assert.match(served, /<svg/, `view-findings.svg as served: ${served.slice(0, 80)}`);
    await page.waitForTimeout(500); // let the activity bar paint the mask before the picture
    lap(`Findings moved: its icon view-findings.svg in the activity bar; ${await screenshot(page, 'release-icons-view')}`);
    await runCommand(page, 'View: Reset View Locations');
    await setTheme(page, 'Default Dark Modern', 'vs-dark');
  } finally {
    await api('DELETE', `vhosts/${enc(vhost)}`).catch(() => {});
  }
});
