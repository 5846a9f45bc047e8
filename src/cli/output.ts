/** Human output: aligned text tables; JSON output: one document on stdout. */
import { inertText, jsonEscape, replacementChar } from '../broker/text';

export function table(headers: string[], rows: (string | number)[][]): string {
  const cells = [headers, ...rows.map((r) => r.map((c) => String(c)))];
  const widths = headers.map((_, i) => Math.max(...cells.map((r) => (r[i] ?? '').length)));
  const line = (r: string[]) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]))).join('  ').trimEnd();
  return [line(cells[0]), line(widths.map((w) => '-'.repeat(w))), ...cells.slice(1).map(line)].join('\n') + '\n';
}

/** Broker-provided names before printing: control, bidi and invisible characters (broker/text.ts) become U+FFFD. */
export function safe(s: string): string {
  return inertText(s, replacementChar);
}

/** JSON text with the unsafe characters (broker/text.ts) written as \uXXXX escapes: the same document, inert in a terminal. */
export function inertJson(text: string): string {
  return inertText(text, jsonEscape);
}

export interface Io {
  out: (s: string) => void;
  err: (s: string) => void;
}

export const processIo: Io = {
  out: (s) => process.stdout.write(s),
  err: (s) => process.stderr.write(s),
};
