// Shared plumbing of the benchmarks: the bundle of the project's code, statistics, AMQP/HTTP helpers and the cleanup
// registry that removes what a run created (also on failure and Ctrl-C).
import { createRequire } from 'node:module';
import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const BENCH = path.join(ROOT, 'bench');
export const BUILD = path.join(BENCH, '.build');
export const require = createRequire(path.join(ROOT, 'package.json'));
export const amqp = (() => {
  try { return require('amqplib'); } catch {
    console.error('bench: the project\'s dependencies are not installed: run `npm ci` (and `npm run build`) first');
    process.exit(2);
  }
})();

export const AMQP_URL = process.env.RABBITMQ_URL ?? 'amqp://guest:guest@127.0.0.1:5672';
export const MANAGEMENT_URL = process.env.RABBITMQ_MANAGEMENT_URL ?? 'http://127.0.0.1:15672';

/**
 * Bundles bench/targets.ts (the project's vscode-free code) with esbuild, node20/cjs like dist/, amqplib external so that
 * the raw baselines and the project's code share one amqplib; returns the loaded module.
 */
export async function loadTargets(name = 'targets') {
  const esbuild = require('esbuild');
  mkdirSync(BUILD, { recursive: true });
  const outfile = path.join(BUILD, `${name}.cjs`);
  await esbuild.build({
    entryPoints: [path.join(BENCH, `${name}.ts`)], outfile, bundle: true, platform: 'node', format: 'cjs', target: 'node20',
    external: ['amqplib', 'vscode'], logLevel: 'silent',
  });
  return require(outfile);
}

// ---- statistics ----
export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
export function median(a) {
  if (!a.length) { return NaN; }
  const s = [...a].sort((x, y) => x - y);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}
/** Nearest-rank percentile of raw samples. */
export function percentile(a, p) {
  if (!a.length) { return NaN; }
  const s = [...a].sort((x, y) => x - y);
  return s[Math.min(s.length, Math.max(1, Math.ceil((p / 100) * s.length))) - 1];
}
export function summary(samples) {
  return { median: median(samples), min: Math.min(...samples), max: Math.max(...samples), n: samples.length, samples };
}

/** Polls fn until truthy or the deadline passes (never a fixed sleep). */
export async function until(fn, what, timeoutMs = 60_000, everyMs = 100) {
  const deadline = Date.now() + timeoutMs;
  let last;
  for (;;) {
    try {
      const v = await fn();
      if (v) { return v; }
      last = v;
    } catch (e) { last = e; }
    if (Date.now() > deadline) { throw new Error(`timed out after ${timeoutMs} ms waiting for ${what} (last: ${last instanceof Error ? last.message : JSON.stringify(last)})`); }
    await sleep(everyMs);
  }
}

// ---- machine ----
export function machineInfo() {
  const sh = (cmd, args) => { try { return execFileSync(cmd, args, { encoding: 'utf8' }).trim(); } catch { return '?'; } };
  return {
    nproc: Number(sh('nproc', [])),
    memTotalMiB: Math.round(Number(/MemTotal:\s+(\d+)/.exec(sh('cat', ['/proc/meminfo']))?.[1] ?? 0) / 1024),
    cpu: /model name\s*:\s*(.*)/.exec(sh('cat', ['/proc/cpuinfo']))?.[1] ?? '?',
    node: process.version,
    os: sh('uname', ['-sr']),
  };
}
/** 1/5/15-minute load averages now. */
export function loadAvg() {
  const s = execFileSync('cat', ['/proc/loadavg'], { encoding: 'utf8' }).split(' ');
  return [Number(s[0]), Number(s[1]), Number(s[2])];
}

// ---- cleanup registry ----
const cleanups = [];
/** Registers fn to run at the end (last registered runs first); returns a function that runs and unregisters it now. */
export function onCleanup(fn) {
  const entry = { fn, done: false };
  cleanups.push(entry);
  return async () => {
    if (entry.done) { return; }
    entry.done = true;
    await fn();
  };
}
let cleaning;
/** Runs every registered cleanup once; concurrent callers (Ctrl-C during the normal end) wait for the same run. */
export function runCleanups() {
  cleaning ??= (async () => {
    while (cleanups.length) {
      const e = cleanups.pop();
      if (e.done) { continue; }
      e.done = true;
      try { await e.fn(); } catch (err) { console.error(`cleanup: ${err?.message ?? err}`); }
    }
  })().finally(() => { cleaning = undefined; });
  return cleaning;
}

/** An amqplib connection into the bench vhost, closed at cleanup unless closed before. */
export async function connect(vhost, name) {
  const u = new URL(AMQP_URL);
  const c = await amqp.connect({
    protocol: u.protocol.replace(':', ''), hostname: u.hostname, port: Number(u.port || 5672),
    username: decodeURIComponent(u.username || 'guest'), password: decodeURIComponent(u.password || 'guest'), vhost, heartbeat: 30, frameMax: 0,
  }, { clientProperties: { connection_name: name }, noDelay: true });
  c.on('error', () => undefined);
  let closed = false;
  c.on('close', () => { closed = true; });
  const close = onCleanup(async () => { if (!closed) { await c.close().catch(() => undefined); } });
  c.closeNow = close;
  return c;
}

// ---- formatting ----
export const fmtMs = (ms) => (ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${ms >= 100 ? ms.toFixed(0) : ms.toFixed(1)} ms`);
export const fmtBytes = (b) => (b >= 1 << 20 ? `${(b / (1 << 20)).toFixed(2)} MiB` : b >= 1024 ? `${(b / 1024).toFixed(1)} KiB` : `${b} B`);
export const fmtRate = (r) => `${(r / 1000).toFixed(1)}k msg/s`;
