/**
 * Text shown to people: counted nouns, and broker-supplied names made inert. Names come from whoever can declare a
 * queue, so they may hold terminal escapes, bidi controls that reorder what is shown, invisible characters or line
 * breaks. One set of such characters for every surface (CLI tables, CLI JSON, tree labels and tooltips); each surface
 * only chooses how a character is shown.
 */

/**
 * C0 controls and DEL, C1 controls, the Arabic letter mark, zero-width space / non-joiner / joiner, LRM and RLM, the
 * line and paragraph separators, the bidi embeddings and overrides (LRE RLE PDF LRO RLO), the word joiner and the
 * invisible operators, the bidi isolates (LRI RLI FSI PDI), the deprecated format characters and the zero-width
 * no-break space (BOM).
 */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const UNSAFE = /[\u0000-\u001F\u007F-\u009F\u061C\u200B-\u200F\u2028\u2029\u202A-\u202E\u2060-\u2064\u2066-\u206F\uFEFF]/g;

/** `⟨U+202E⟩`: the character named, so the text reads in its stored order (tree labels, tooltips). */
export function codePointTag(ch: string): string {
  return `⟨U+${ch.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}⟩`;
}

/** U+FFFD: the replacement character (terminal tables). */
export function replacementChar(): string {
  return '\uFFFD';
}

/**
 * `\u202e` written as a JSON escape: the same document for a parser, inert in a terminal. C0 controls stay: in
 * JSON.stringify's output they occur only as whitespace between tokens (inside strings it escapes them itself).
 */
export function jsonEscape(ch: string): string {
  return ch < ' ' ? ch : `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`;
}

/** Every unsafe character of `text` replaced by `show(ch)` (default: `⟨U+XXXX⟩`). */
export function inertText(text: string, show: (ch: string) => string = codePointTag): string {
  return text.replace(UNSAFE, show);
}

/** "1 pool", "2 pools", "1,500 messages". */
export function plural(n: number, one: string, many = one + 's'): string {
  return `${n.toLocaleString('en-US')} ${n === 1 ? one : many}`;
}
