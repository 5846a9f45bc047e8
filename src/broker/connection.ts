/**
 * Broker configuration: AMQP URL, management URL, vhost, credentials and TLS options, parsed with errors that say
 * what was wrong and what to do. A BrokerConfig keeps the password apart from the URLs, which never carry it.
 */
import { readFileSync } from 'node:fs';
import * as net from 'node:net';
import { BrokerError, invalidInput } from './errors';
import { redact, registerSecret } from './redact';

export interface TlsOptions {
  /** Path to a PEM file with the CA certificate(s) to trust (besides the system's). */
  caFile?: string;
  /** Verify the broker's certificate (default true). Turning it off is insecure and must be explicit. */
  rejectUnauthorized?: boolean;
}

export interface BrokerConfig {
  name: string;
  /** AMQP URL without credentials, e.g. amqp://127.0.0.1:5672 (the vhost is kept separately). */
  amqpUrl: string;
  /** Management HTTP API base URL without credentials and without a trailing slash. */
  managementUrl: string;
  vhost: string;
  username: string;
  password: string;
  tls: TlsOptions;
  /** HTTP timeout for management calls, ms. */
  timeoutMs: number;
  /**
   * A cluster: every node's AMQP URL, the first being `amqpUrl`. Connections fail over from one to the next.
   * Absent (or one entry) for a single node; read it through amqpUrlsOf().
   */
  amqpUrls?: string[];
  /** A cluster: every node's management URL, the first being `managementUrl`; the client moves on when one is down. */
  managementUrls?: string[];
  /** A broker other teams use, to look at only: every write (publish, pools, purge, delete, demo) is refused. */
  readOnly?: boolean;
}

export interface BrokerInput {
  name?: string;
  /** One AMQP URL, or several separated by commas (the nodes of a cluster). */
  amqpUrl?: string;
  /** One management URL, or several separated by commas. */
  managementUrl?: string;
  /** More nodes of the same cluster (after amqpUrl, duplicates dropped). */
  amqpUrls?: readonly string[];
  managementUrls?: readonly string[];
  vhost?: string;
  username?: string;
  password?: string;
  tls?: TlsOptions;
  timeoutMs?: number;
  readOnly?: boolean;
}

export const DEFAULT_AMQP_URL = 'amqp://127.0.0.1:5672';
export const DEFAULT_MANAGEMENT_URL = 'http://127.0.0.1:15672';
export const DEFAULT_USER = 'guest';

export interface ParsedUrl {
  protocol: 'amqp' | 'amqps' | 'http' | 'https';
  host: string;
  port: number;
  username?: string;
  password?: string;
  /** Path without the leading slash, percent-decoded (for AMQP URLs: the vhost). */
  path: string;
}

const DEFAULT_PORTS: Record<ParsedUrl['protocol'], number> = { amqp: 5672, amqps: 5671, http: 15672, https: 15671 };

/** Parses an AMQP or HTTP URL strictly, with an error naming the field at fault. */
export function parseUrl(raw: string, allowed: ParsedUrl['protocol'][], what: string): ParsedUrl {
  const text = (raw ?? '').trim();
  const example = allowed[0].startsWith('amqp') ? 'amqp://127.0.0.1:5672' : 'http://127.0.0.1:15672';
  if (!text) { throw invalidInput(`The ${what} is empty`, `Enter a URL such as ${example}`); }
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(text)?.[1].toLowerCase();
  if (scheme === undefined) {
    throw invalidInput(`The ${what} "${redact(text)}" has no scheme`, `Start it with ${allowed.map((p) => p + '://').join(' or ')}, e.g. ${example}`);
  }
  if (!allowed.includes(scheme as ParsedUrl['protocol'])) {
    throw invalidInput(`The ${what} "${redact(text)}" uses the scheme "${scheme}:"`, `Use ${allowed.map((p) => p + '://').join(' or ')}, e.g. ${example}`);
  }
  let u: URL;
  try {
    u = new URL(text);
  } catch {
    const authority = /^[a-z][a-z0-9+.-]*:\/\/(?:[^@/?#]*@)?([^/?#]*)/i.exec(text)?.[1] ?? '';
    if (authority.startsWith('[') && !authority.includes(']')) {
      throw invalidInput(`The ${what} "${redact(text)}" has an IPv6 address without its closing "]"`, `Write it as ${allowed[0]}://[::1]:${DEFAULT_PORTS[allowed[0]]}`);
    }
    if (authority === '' || authority.startsWith(':')) {
      throw invalidInput(`The ${what} "${redact(text)}" has no host`, `Write it as ${example}`);
    }
    // The most common reason: a port that is not a number in 1–65535 (URL rejects "abc", "-1", "65536").
    const port = /^[a-z][a-z0-9+.-]*:\/\/(?:[^@/?#]*@)?(?:\[[^\]]*\]|[^:/?#]*):([^/?#]*)/i.exec(text)?.[1];
    if (port !== undefined && (!/^\d{1,5}$/.test(port) || Number(port) > 65535)) {
      throw invalidInput(`The ${what} "${redact(text)}" has port "${redact(port)}", which is not a number from 1 to 65535`, `Use the broker's port, e.g. ${example}`);
    }
    throw invalidInput(`The ${what} "${redact(text)}" is not a valid URL`, `Write it as ${example}`);
  }
  const protocol = u.protocol.replace(/:$/, '') as ParsedUrl['protocol'];
  if (!allowed.includes(protocol)) {
    throw invalidInput(`The ${what} "${redact(text)}" uses the scheme "${protocol}:"`, `Use ${allowed.map((p) => p + '://').join(' or ')}, e.g. ${example}`);
  }
  if (!u.hostname) { throw invalidInput(`The ${what} "${redact(text)}" has no host`, `Write it as ${example}`); }
  // URL accepts ports 0..65535 and rejects larger ones above; port 0 is never a broker.
  const port = u.port ? Number(u.port) : DEFAULT_PORTS[protocol];
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    throw invalidInput(`The ${what} "${redact(text)}" has port ${u.port}, outside 1–65535`, `Use the broker's port, e.g. ${example}`);
  }
  let path: string;
  try {
    path = decodeURIComponent(u.pathname.replace(/^\//, ''));
  } catch {
    throw invalidInput(`The ${what} "${redact(text)}" has a malformed percent-encoding in its path`, 'Encode "/" in a vhost as %2F');
  }
  const host = u.hostname.replace(/^\[(.*)\]$/, '$1');
  const credential = (raw: string, field: string): string | undefined => {
    if (!raw) { return undefined; }
    try {
      return decodeURIComponent(raw);
    } catch {
      throw invalidInput(`The ${what} "${redact(text)}" has a malformed percent-encoding in its ${field}`,
        'Encode special characters in the user name and password, e.g. "%" as %25, "@" as %40, ":" as %3A');
    }
  };
  const username = credential(u.username, 'user name');
  const password = credential(u.password, 'password');
  rememberPassword(username ?? DEFAULT_USER, password);
  return { protocol, host, port, path, username, password };
}

/**
 * Registers a password for redaction, except RabbitMQ's well-known default guest/guest: masking "guest" would also
 * mask the user name "guest" in every message of every broker (the registry is process-wide), and hides nothing.
 */
function rememberPassword(username: string, password: string | undefined): void {
  if (username === DEFAULT_USER && password === DEFAULT_USER) { return; }
  registerSecret(password);
}

function formatHost(host: string): string {
  return net.isIPv6(host) ? `[${host}]` : host;
}

/**
 * Builds a BrokerConfig from user input (settings, CLI flags, environment). Credentials may come inside the AMQP URL
 * (amqp://user:pass@host) or separately; a vhost in the URL path is used when no vhost is given.
 */
export function brokerConfig(input: BrokerInput = {}): BrokerConfig {
  const amqpList = urlList(input.amqpUrl, input.amqpUrls, /,\s*(?=amqps?:\/\/)/i);
  const amqpAll = (amqpList.length ? amqpList : [DEFAULT_AMQP_URL]).map((u, i) => parseUrl(u, ['amqp', 'amqps'], i === 0 ? 'AMQP URL' : `AMQP URL ${i + 1}`));
  const amqp = amqpAll[0];
  const mgmtList = urlList(input.managementUrl, input.managementUrls, /,\s*(?=https?:\/\/)/i);
  const mgmtAll = (mgmtList.length ? mgmtList : [defaultManagementUrl(amqp)]).map((u, i) => parseUrl(u, ['http', 'https'], i === 0 ? 'management URL' : `management URL ${i + 1}`));
  const username = input.username ?? amqpAll.find((u) => u.username)?.username ?? mgmtAll.find((u) => u.username)?.username ?? DEFAULT_USER;
  const password = input.password ?? amqpAll.find((u) => u.password)?.password ?? mgmtAll.find((u) => u.password)?.password ?? (username === DEFAULT_USER ? DEFAULT_USER : '');
  rememberPassword(username, password);
  let vhost = input.vhost ?? (amqp.path !== '' ? amqp.path : '/');
  if (vhost === '') { vhost = '/'; }
  if (vhost.length > 255) { throw invalidInput('The vhost name is longer than 255 characters', 'Use the name of an existing vhost, e.g. "/"'); }
  const timeoutMs = input.timeoutMs ?? 10_000;
  if (!Number.isFinite(timeoutMs) || timeoutMs <= 0) { throw invalidInput(`The timeout ${timeoutMs} is not a positive number of milliseconds`, 'Use e.g. 10000'); }
  const amqpUrls = [...new Set(amqpAll.map((u) => `${u.protocol}://${formatHost(u.host)}:${u.port}`))];
  const managementUrls = [...new Set(mgmtAll.map((u) => `${u.protocol}://${formatHost(u.host)}:${u.port}${u.path ? '/' + u.path.replace(/\/+$/, '') : ''}`))];
  const config: BrokerConfig = {
    name: input.name?.trim() || `${amqp.host}:${amqp.port}`,
    amqpUrl: amqpUrls[0],
    managementUrl: managementUrls[0],
    vhost,
    username,
    password,
    tls: { rejectUnauthorized: input.tls?.rejectUnauthorized ?? true, caFile: input.tls?.caFile },
    timeoutMs,
  };
  if (input.readOnly) { config.readOnly = true; }
  if (amqpUrls.length > 1) { config.amqpUrls = amqpUrls; }
  if (managementUrls.length > 1) { config.managementUrls = managementUrls; }
  return config;
}

/** `first` (possibly a comma-separated list) followed by `more`, trimmed, empty entries dropped. */
function urlList(first: string | undefined, more: readonly string[] | undefined, separator: RegExp): string[] {
  const out: string[] = [];
  for (const raw of [first, ...(more ?? [])]) {
    if (raw === undefined) { continue; }
    for (const part of String(raw).split(separator)) { if (part.trim()) { out.push(part.trim()); } }
  }
  // An explicitly empty amqpUrl must still be reported as empty, not replaced by the default.
  if (!out.length && first !== undefined) { out.push(first); }
  return out;
}

/** "amqp://a:5672, amqp://b:5672" → ["amqp://a:5672", "amqp://b:5672"] (a single URL → itself). */
export function splitUrls(text: string): string[] {
  const parts = String(text ?? '').split(/,\s*(?=(?:amqps?|https?):\/\/)/i).map((s) => s.trim()).filter(Boolean);
  return parts.length ? parts : [text];
}

/** Every node's AMQP URL (one for a single node), in failover order. */
export function amqpUrlsOf(c: BrokerConfig): string[] {
  return c.amqpUrls?.length ? c.amqpUrls : [c.amqpUrl];
}

/** Every node's management URL (one for a single node), in failover order. */
export function managementUrlsOf(c: BrokerConfig): string[] {
  return c.managementUrls?.length ? c.managementUrls : [c.managementUrl];
}

/** The management API usually sits on the same host: 15672 for amqp, 15671 for amqps. */
function defaultManagementUrl(amqp: ParsedUrl): string {
  return amqp.protocol === 'amqps' ? `https://${formatHost(amqp.host)}:15671` : `http://${formatHost(amqp.host)}:15672`;
}

/** The config as it may be shown or logged: URLs without secrets, no password field. */
export function describeBroker(c: BrokerConfig): string {
  const more = (n: number) => (n > 1 ? ` +${n - 1} more node${n > 2 ? 's' : ''}` : '');
  return redact(`${c.name} (${c.username}@${c.amqpUrl}${more(amqpUrlsOf(c).length)}, vhost ${c.vhost}, management ${c.managementUrl}${more(managementUrlsOf(c).length)})`);
}

export function hostPort(url: string): { host: string; port: number } {
  const u = new URL(url);
  const protocol = u.protocol.replace(/:$/, '') as ParsedUrl['protocol'];
  return { host: u.hostname.replace(/^\[(.*)\]$/, '$1'), port: u.port ? Number(u.port) : DEFAULT_PORTS[protocol] };
}

/** Reads the CA file named in the TLS options, with an error that names the setting. */
export function readCa(tls: TlsOptions): Buffer | undefined {
  if (!tls.caFile) { return undefined; }
  try {
    return readFileSync(tls.caFile);
  } catch (e) {
    throw new BrokerError('tls', `The CA file "${tls.caFile}" cannot be read (${(e as NodeJS.ErrnoException).code ?? 'error'})`,
      'Fix the path in the broker\'s "tls.caFile" setting (rabbitmqPools.brokers) or the --ca-file option');
  }
}

/**
 * Connection options for amqplib: the password goes in the object, never into a URL string that could be logged.
 * `node` picks one of a cluster's AMQP URLs (amqpUrlsOf(c), modulo their number); default the first.
 */
export function amqpConnectArgs(c: BrokerConfig, connectionName: string, node = 0): {
  url: { protocol: string; hostname: string; port: number; username: string; password: string; vhost: string; heartbeat: number; frameMax: number };
  socketOptions: Record<string, unknown>;
} {
  const urls = amqpUrlsOf(c);
  const target = urls[((node % urls.length) + urls.length) % urls.length];
  const { host, port } = hostPort(target);
  const protocol = target.startsWith('amqps') ? 'amqps' : 'amqp';
  const socketOptions: Record<string, unknown> = {
    clientProperties: { connection_name: connectionName, product: 'rabbitmq-pool-inspector' },
    timeout: c.timeoutMs,
    noDelay: true,
  };
  if (protocol === 'amqps') {
    socketOptions.servername = net.isIP(host) ? undefined : host;
    socketOptions.rejectUnauthorized = c.tls.rejectUnauthorized !== false;
    const ca = readCa(c.tls);
    if (ca) { socketOptions.ca = [ca]; }
  }
  return {
    url: { protocol, hostname: host, port, username: c.username, password: c.password, vhost: c.vhost, heartbeat: 30, frameMax: 0 },
    socketOptions,
  };
}

/** True when something accepts TCP connections at host:port within timeoutMs. */
export function tcpReachable(host: string, port: number, timeoutMs = 1500): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect({ host, port });
    const done = (ok: boolean) => { s.destroy(); resolve(ok); };
    s.setTimeout(timeoutMs, () => done(false));
    s.once('connect', () => done(true));
    s.once('error', () => done(false));
  });
}

/**
 * The warning to show while certificate verification is off for a broker that uses TLS (amqps:// or https://), or
 * undefined. `setting` names how it was turned off (--insecure, "tls.rejectUnauthorized": false).
 */
export function insecureTlsWarning(c: BrokerConfig, setting: string): string | undefined {
  if (c.tls.rejectUnauthorized !== false) { return undefined; }
  const tls = [...amqpUrlsOf(c), ...managementUrlsOf(c)].filter((u) => /^(amqps|https):/.test(u));
  if (!tls.length) { return undefined; }
  return redact(`TLS certificate verification is off for broker "${c.name}" (${setting}): anyone between you and ${tls.join(', ')} can read its traffic and password. `
    + 'Trust the broker\'s CA instead ("tls.caFile" setting or --ca-file) and turn verification back on');
}
