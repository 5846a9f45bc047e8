/**
 * DOM builders for the page. Broker data (pool, worker, exchange names) only ever becomes text (textContent / text nodes)
 * or a plain attribute value; event-handler and style attributes are refused, and nothing is parsed as HTML.
 */
export type Child = Node | string | number | undefined | null | false;
type Attrs = Record<string, string | number | boolean | undefined>;

const SVG_NS = 'http://www.w3.org/2000/svg';

function setAttrs(el: Element, attrs: Attrs): void {
  for (const [k, v] of Object.entries(attrs)) {
    if (/^on/i.test(k) || k.toLowerCase() === 'style') { throw new Error(`refusing attribute ${k}`); }
    if (v === undefined || v === false) { continue; }
    el.setAttribute(k, v === true ? '' : String(v));
  }
}

function append(el: Element, children: Child[]): void {
  for (const c of children) {
    if (c === undefined || c === null || c === false) { continue; }
    el.append(typeof c === 'string' || typeof c === 'number' ? document.createTextNode(String(c)) : c);
  }
}

export function h<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Attrs = {}, ...children: Child[]): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  setAttrs(el, attrs);
  append(el, children);
  return el;
}

export function svg<K extends keyof SVGElementTagNameMap>(tag: K, attrs: Attrs = {}, ...children: Child[]): SVGElementTagNameMap[K] {
  const el = document.createElementNS(SVG_NS, tag);
  setAttrs(el, attrs);
  append(el, children);
  return el;
}

export function clear(el: Element): void {
  while (el.firstChild) { el.firstChild.remove(); }
}

export function fmt(n: number | undefined): string {
  return n === undefined ? '—' : n.toLocaleString('en-US', { maximumFractionDigits: 1 });
}

/** Shortens a long name for a chart label (the full name goes into a <title>). */
export function shorten(s: string, max = 22): string {
  return s.length > max ? s.slice(0, max - 1) + '…' : s;
}
