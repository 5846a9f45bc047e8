/** A small, strict argument parser: no dependency, errors that name the flag at fault (exit code 2). */

export class UsageError extends Error {
  constructor(message: string, readonly hint = 'Run with --help to see the options') {
    super(message);
    this.name = 'UsageError';
  }
}

export interface FlagSpec {
  /** 'string' flags take a value; 'boolean' flags do not; 'list' flags may repeat. */
  type: 'string' | 'boolean' | 'list';
  description: string;
  valueName?: string;
  /** The command refuses to run without it (the usage line shows it without brackets). */
  required?: boolean;
  /** Flags of one group are alternatives: the usage line shows them as [--a N | --b S]. */
  oneOf?: string;
}

export interface ParsedArgs {
  positionals: string[];
  flags: Record<string, string | boolean | string[] | undefined>;
}

export function parseArgs(argv: string[], specs: Record<string, FlagSpec>): ParsedArgs {
  const positionals: string[] = [];
  const flags: ParsedArgs['flags'] = {};
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--') { positionals.push(...argv.slice(i + 1)); break; }
    if (!a.startsWith('--') || a === '--') { positionals.push(a); continue; }
    const eq = a.indexOf('=');
    const name = a.slice(2, eq === -1 ? undefined : eq);
    const spec = specs[name];
    if (!spec) { throw new UsageError(`Unknown option --${name}`); }
    if (spec.type === 'boolean') {
      if (eq !== -1) { throw new UsageError(`--${name} takes no value`); }
      flags[name] = true;
      continue;
    }
    let value: string;
    if (eq !== -1) {
      value = a.slice(eq + 1);
    } else {
      if (i + 1 >= argv.length) { throw new UsageError(`--${name} needs a value (${spec.valueName ?? 'VALUE'})`); }
      value = argv[++i];
    }
    if (spec.type === 'list') {
      const prev = (flags[name] as string[] | undefined) ?? [];
      flags[name] = [...prev, value];
    } else {
      flags[name] = value;
    }
  }
  return { positionals, flags };
}

/** A whole number within [min, max], with an error naming the flag. */
export function intFlag(flags: ParsedArgs['flags'], name: string, def: number | undefined, min: number, max: number): number | undefined {
  const v = flags[name];
  if (v === undefined) { return def; }
  if (typeof v !== 'string' || !/^[+-]?\d+$/.test(v.trim())) {
    throw new UsageError(`--${name} must be a whole number, got "${String(v)}"`, `Use a number from ${min} to ${max}`);
  }
  const n = Number(v);
  if (!Number.isSafeInteger(n) || n < min || n > max) {
    throw new UsageError(`--${name} must be between ${min} and ${max}, got ${v}`, `Use a number from ${min} to ${max}`);
  }
  return n;
}

/** A positive decimal number (rates, seconds), with an error naming the flag. */
export function numberFlag(flags: ParsedArgs['flags'], name: string, def: number | undefined, min: number, max: number): number | undefined {
  const v = flags[name];
  if (v === undefined) { return def; }
  const n = typeof v === 'string' && /^\s*\d+(\.\d+)?\s*$/.test(v) ? Number(v) : NaN;
  if (!Number.isFinite(n) || n < min || n > max) {
    throw new UsageError(`--${name} must be a number between ${min} and ${max}, got "${String(v)}"`, `Use e.g. --${name} ${Math.max(min, 1)}`);
  }
  return n;
}

export function stringFlag(flags: ParsedArgs['flags'], name: string): string | undefined {
  const v = flags[name];
  return typeof v === 'string' ? v : undefined;
}

export function requireFlag(flags: ParsedArgs['flags'], name: string, valueName: string): string {
  const v = stringFlag(flags, name);
  if (v === undefined) { throw new UsageError(`--${name} ${valueName} is required`); }
  return v;
}

/** "--count N", "--raw", "--header K=V ..." */
function flagText(name: string, s: FlagSpec): string {
  return `--${name}${s.type === 'boolean' ? '' : ` ${s.valueName ?? 'VALUE'}`}${s.type === 'list' ? ' ...' : ''}`;
}

/**
 * A command's usage line, made from its flag table so that it cannot drift from what the parser accepts: the words and
 * positionals, required flags, then the optional ones in brackets (alternatives of one `oneOf` group in one bracket), then
 * the options every command takes.
 */
export function usageLine(name: string, positionals: string | undefined, specs: Record<string, FlagSpec>, common: string): string {
  const parts = [name, ...(positionals ? [positionals] : [])];
  const groups = new Set<string>();
  for (const [n, s] of Object.entries(specs)) { if (s.required) { parts.push(flagText(n, s)); } }
  for (const [n, s] of Object.entries(specs)) {
    if (s.required) { continue; }
    if (s.oneOf) {
      if (groups.has(s.oneOf)) { continue; }
      groups.add(s.oneOf);
      parts.push(`[${Object.entries(specs).filter(([, x]) => x.oneOf === s.oneOf).map(([m, x]) => flagText(m, x)).join(' | ')}]`);
    } else {
      parts.push(`[${flagText(n, s)}]`);
    }
  }
  return [...parts, common].filter(Boolean).join(' ');
}

export function helpText(usage: string, summary: string, specs: Record<string, FlagSpec>): string {
  const rows = Object.entries(specs).map(([n, s]) => [`--${n}${s.type === 'boolean' ? '' : ' ' + (s.valueName ?? 'VALUE')}`, s.description]);
  const w = Math.max(...rows.map(([a]) => a.length));
  return `Usage: ${usage}\n\n${summary}\n\nOptions:\n${rows.map(([a, d]) => `  ${a.padEnd(w)}  ${d}`).join('\n')}\n`;
}
