/**
 * The panel's HTML: a strict CSP (nothing but our bundled script by nonce, our stylesheet from the webview's origin), no
 * inline script or handler, no broker data (the page builds its DOM from messages, as text).
 */
import { randomBytes } from 'crypto';

export function makeNonce(): string {
  return randomBytes(16).toString('base64');
}

export interface HtmlParts {
  cspSource: string;
  nonce: string;
  scriptUri: string;
  styleUri: string;
}

/**
 * style-src: the toolkit's components (FAST) style themselves with constructable stylesheets (adoptedStyleSheets), which
 * CSP does not govern, and set design tokens through the CSSOM, which it allows: no 'unsafe-inline' needed. The one
 * <style> element FAST creates (its :focus-visible feature test) carries the nonce it reads from
 * <meta property="csp-nonce">, hence the nonce in style-src too.
 */
export function contentSecurityPolicy(cspSource: string, nonce: string): string {
  return [`default-src 'none'`, `style-src ${cspSource} 'nonce-${nonce}'`, `font-src ${cspSource}`, `img-src ${cspSource}`, `script-src 'nonce-${nonce}'`,
    `connect-src 'none'`, `form-action 'none'`, `base-uri 'none'`].join('; ');
}

const attr = (s: string) => s.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

export function renderHtml(p: HtmlParts): string {
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${attr(contentSecurityPolicy(p.cspSource, p.nonce))}">
<meta property="csp-nonce" content="${attr(p.nonce)}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" href="${attr(p.styleUri)}">
<title>Pool Delivery Counts</title>
</head>
<body>
<main id="app" aria-busy="true"><p class="loading">Loading delivery counts…</p></main>
<script nonce="${attr(p.nonce)}" src="${attr(p.scriptUri)}"></script>
</body>
</html>
`;
}
