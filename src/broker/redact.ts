/**
 * Password redaction. Every log line and every error message goes through redact(): it masks the password in any
 * `scheme://user:password@host` URL and every secret registered with registerSecret() (passwords taken from
 * SecretStorage, the CLI's URL or the environment), wherever they appear in the text.
 */
const secrets = new Set<string>();

export const REDACTED = '***';

/** Remembers a secret so that redact() masks it anywhere it shows up. Secrets shorter than 3 characters are masked in URLs only. */
export function registerSecret(secret: string | undefined): void {
  if (secret && secret.length >= 3) { secrets.add(secret); }
}

const URL_CREDENTIALS = /\b([a-z][a-z0-9+.-]*:\/\/)([^:/?#@\s]*):([^@/?#\s]*)@/gi;

export function redact(text: string): string {
  let out = text.replace(URL_CREDENTIALS, (_m, scheme: string, user: string) => `${scheme}${user}:${REDACTED}@`);
  for (const s of secrets) {
    if (out.includes(s)) { out = out.split(s).join(REDACTED); }
    const enc = encodeURIComponent(s);
    if (enc !== s && out.includes(enc)) { out = out.split(enc).join(REDACTED); }
  }
  return out;
}
