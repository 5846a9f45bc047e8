#!/usr/bin/env node
// Renders SVG sources to PNG offline with Debian's chromium (playwright-core drives it; never `npx playwright install`):
//   node scripts/render-icon.mjs                 media/src/icon.svg → media/icon.png (the extension's 128×128 icon)
//   node scripts/render-icon.mjs IN.svg OUT.png [SIZE]
// Transparent background, device scale 1, so the PNG is exactly SIZE×SIZE. Commit the SVG and the PNG together.
// Env: CHROMIUM (default /usr/bin/chromium).
import { chromium } from 'playwright-core';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const [svgPath = path.join(ROOT, 'media/src/icon.svg'), pngPath = path.join(ROOT, 'media/icon.png'), sizeArg = '128'] = process.argv.slice(2);
const size = Number(sizeArg);

const svg = readFileSync(svgPath, 'utf8').replace(/^<\?xml[^>]*>\s*/, '');
const browser = await chromium.launch({ executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium', headless: true, args: ['--no-sandbox', '--disable-gpu'] });
try {
  const page = await browser.newPage({ viewport: { width: size, height: size }, deviceScaleFactor: 1 });
  await page.setContent(`<!DOCTYPE html><html><head><style>html,body{margin:0;padding:0;background:transparent;overflow:hidden}
    svg{display:block;width:${size}px;height:${size}px}</style></head><body>${svg}</body></html>`);
  const png = await page.screenshot({ omitBackground: true, clip: { x: 0, y: 0, width: size, height: size } });
  const [w, h] = [png.readUInt32BE(16), png.readUInt32BE(20)];
  if (w !== size || h !== size) { throw new Error(`chromium made a ${w}×${h} PNG, not ${size}×${size}`); }
  writeFileSync(pngPath, png);
  console.log(`render-icon: ${path.relative(ROOT, svgPath)} → ${path.relative(ROOT, pngPath)} (${w}×${h}, ${png.length} bytes)`);
} finally {
  await browser.close();
}
