/**
 * Password redaction. Every log line and every error message goes through redact(): it masks the password in any
 * `scheme://user:password@host` URL and every secret registered with registerSecret() (passwords taken from
 * SecretStorage, the CLI's URL or the environment), wherever they appear in the text: raw, or percent-encoded in
 * any mix (URLs encode "@" but not "$", encodeURIComponent encodes both, hex digits may be upper or lower case).
 */
const secrets = new Map<string, RegExp>();

export const REDACTED = '***';

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&');
}

/** A pattern that matches the secret with each character either as itself or as its UTF-8 percent-encoding. */
function secretPattern(secret: string): RegExp {
  const parts: string[] = [];
  for (const ch of secret) {
    const encoded = [...Buffer.from(ch, 'utf8')].map((b) => '%' + b.toString(16).padStart(2, '0')).join('');
    const alternatives = [escapeRegExp(ch), encoded.replace(/[a-f]/g, (h) => `[${h}${h.toUpperCase()}]`)];
    if (ch === ' ') { alternatives.push('\\+'); } // form encoding
    parts.push(`(?:${alternatives.join('|')})`);
  }
  return new RegExp(parts.join(''), 'g');
}

/** Remembers a secret so that redact() masks it anywhere it shows up. Secrets shorter than 3 characters are masked in URLs only. */
export function registerSecret(secret: string | undefined): void {
  if (secret && secret.length >= 3 && !secrets.has(secret)) { secrets.set(secret, secretPattern(secret)); }
}

// The password runs to the last "@" before the host: passwords with an unencoded "@" are masked whole.
const URL_CREDENTIALS = /\b([a-z][a-z0-9+.-]*:\/\/)([^:/?#@\s]*):([^/?#\s]*)@/gi;

export function redact(text: string): string {
  let out = String(text).replace(URL_CREDENTIALS, (_m, scheme: string, user: string) => `${scheme}${user}:${REDACTED}@`);
  // Longest first, so that a secret containing another one is masked whole.
  for (const [, pattern] of [...secrets].sort(([a], [b]) => b.length - a.length)) {
    out = out.replace(pattern, REDACTED);
  }
  return out;
}
