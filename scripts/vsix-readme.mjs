#!/usr/bin/env node
// Writes dist/README.md, the readme that `npm run package` puts into the .vsix (vsce --readme-path): README.md with every
// relative image inlined as a data: URI, and relative links to repository files (not in the package) left as plain text.
//
// Why: VS Code renders an installed extension's README in a webview whose CSP is "img-src https: data:" (extensionEditor.ts,
// unchanged in code-server 4.100.3). A relative docs/images/x.png resolves against the webview, not the extension's folder,
// and a file: / vscode-remote: / http: URL is blocked: the image shows broken even when the PNG is in the .vsix
// (test/vscode/ui/extensionPage.test.mjs found naturalWidth 0 for all six). An https URL needs a public repository and a
// network. A data: URI needs neither, and the PNGs travel inside the readme itself. README.md keeps its relative links, so
// GitHub (and any clone) shows the same files.
//
//   node scripts/vsix-readme.mjs [IN.md] [OUT.md]      defaults: README.md → dist/README.md
import { mkdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const [input = path.join(ROOT, 'README.md'), output = path.join(ROOT, 'dist/README.md')] = process.argv.slice(2);
const base = path.dirname(input);
const MIME = { '.png': 'image/png', '.jpg': 'image/jpeg', '.jpeg': 'image/jpeg', '.gif': 'image/gif', '.webp': 'image/webp' };

const isRelative = (link) => !/^[a-z][a-z0-9+.-]*:/i.test(link) && !link.startsWith('#') && !link.startsWith('/');

function dataUri(link) {
  const file = path.resolve(base, decodeURI(link.replace(/[?#].*$/, '')));
  const mime = MIME[path.extname(file).toLowerCase()];
  // vsce refuses SVG images in a readme, and the extension page's sanitizer drops data:image/svg+xml: name the file.
  if (!mime) { throw new Error(`${path.relative(ROOT, input)}: image ${link}: only ${Object.keys(MIME).join(' ')} can be inlined`); }
  if (!existsSync(file)) { throw new Error(`${path.relative(ROOT, input)}: image ${link} does not exist (${file})`); }
  return `data:${mime};base64,${readFileSync(file).toString('base64')}`;
}

let images = 0, links = 0;
const text = readFileSync(input, 'utf8')
  // ![alt](src "title"): a relative src becomes a data: URI.
  .replace(/!\[([^\]]*)\]\(\s*<?([^)\s>]+)>?(\s+"[^"]*")?\s*\)/g, (all, alt, src, title = '') => {
    if (!isRelative(src)) { return all; }
    images++;
    return `![${alt}](${dataUri(src)}${title})`;
  })
  // <img src="…">
  .replace(/(<img\b[^>]*\bsrc=["'])([^"']+)(["'])/gi, (all, pre, src, post) => {
    if (!isRelative(src)) { return all; }
    images++;
    return pre + dataUri(src) + post;
  })
  // [text](relative.md): the extension page opens only http(s), mailto and command links; the file is not packaged anyway.
  .replace(/(?<!!)\[([^\]]+)\]\(\s*([^)\s]+)\s*\)/g, (all, label, href) => {
    if (!isRelative(href)) { return all; }
    links++;
    return label;
  });

mkdirSync(path.dirname(output), { recursive: true });
writeFileSync(output, text);
console.log(`vsix-readme: ${path.relative(ROOT, input)} → ${path.relative(ROOT, output)} (${images} images inlined, ${links} relative links made text, ${(text.length / 1024).toFixed(0)} KiB)`);
