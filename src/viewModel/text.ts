/**
 * Making broker-supplied names inert in the tree. Names come from whoever can declare a queue, so they may hold HTML
 * (`<img src=x onerror=…>`), Markdown, bidi controls that reorder what is shown, or thousands of characters.
 * Labels are plain text in VS Code, but bidi controls would still spoof them; tooltips are Markdown and must be escaped.
 * Which characters are unsafe is decided once, in the core (broker/text.ts).
 */
import { inertText } from '../broker/text';

export { plural } from '../broker/text';

export const MAX_LABEL = 120;

/** A tree label: bidi, control and invisible characters shown as ⟨U+XXXX⟩, very long names cut with "…" (the tooltip has the whole name). */
export function plainLabel(name: string, max = MAX_LABEL): string {
  const safe = inertText(name);
  return safe.length > max ? safe.slice(0, max - 1) + '…' : safe;
}

/**
 * Escapes text for a MarkdownString (isTrusted false, supportHtml false): HTML special characters become entities and every
 * Markdown syntax character is backslash-escaped, so a name can neither inject markup nor links nor command URIs.
 */
export function escapeMarkdown(text: string): string {
  return inertText(text)
    .replace(/[\\`*_{}[\]()#+\-.!|~:$]/g, '\\$&')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

/** A tooltip built line by line from escaped values: `**Label:** value`. */
export class TooltipBuilder {
  private readonly lines: string[] = [];

  title(text: string, icon?: string): this {
    this.lines.push(`${icon ? `$(${icon}) ` : ''}**${escapeMarkdown(text)}**`);
    return this;
  }

  field(label: string, value: string | number | boolean | undefined): this {
    if (value === undefined || value === '') { return this; }
    this.lines.push(`${escapeMarkdown(label)}: ${escapeMarkdown(String(value))}`);
    return this;
  }

  text(value: string): this {
    this.lines.push(escapeMarkdown(value));
    return this;
  }

  rule(): this {
    this.lines.push('---');
    return this;
  }

  build(): string {
    // Two trailing spaces = a line break inside one paragraph; `---` needs blank lines around it.
    return this.lines.map((l) => (l === '---' ? '\n---\n' : l + '  ')).join('\n');
  }
}

export function rate(r: number | undefined): string | undefined {
  if (r === undefined || !Number.isFinite(r)) { return undefined; }
  return `${r >= 10 ? r.toFixed(0) : r.toFixed(1)}/s`;
}

/** Escapes a literal for the management API's use_regex filter (Erlang re / PCRE). Non-ASCII is left as is. */
export function regexLiteral(s: string): string {
  return s.replace(/[\\^$.|?*+()[\]{}\-/#\s]/g, (c) => (/\s/.test(c) ? `\\x{${c.charCodeAt(0).toString(16)}}` : '\\' + c));
}
