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

export function helpText(usage: string, summary: string, specs: Record<string, FlagSpec>): string {
  const rows = Object.entries(specs).map(([n, s]) => [`--${n}${s.type === 'boolean' ? '' : ' ' + (s.valueName ?? 'VALUE')}`, s.description]);
  const w = Math.max(...rows.map(([a]) => a.length));
  return `Usage: ${usage}\n\n${summary}\n\nOptions:\n${rows.map(([a, d]) => `  ${a.padEnd(w)}  ${d}`).join('\n')}\n`;
}
