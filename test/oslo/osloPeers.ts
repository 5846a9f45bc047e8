/**
 * The real oslo.messaging client (Debian's python3-oslo.messaging, run with /usr/bin/python3) as processes the interop
 * suite starts and stops: notification listeners in pools and the Notifier. scripts/deps.sh oslo installs it.
 *
 * oslo names each connection "<program>:<pid>:<uuid>" with program = basename(argv[0]): each listener runs
 * test/oslo/oslo_peer.py through a symlink named after the program it plays, as a deployed service would.
 */
import { ChildProcess, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { AMQP_URL, until } from '../support/broker';

export const OSLO_PYTHON = process.env.OSLO_PYTHON ?? '/usr/bin/python3';
const PEER = path.join(__dirname, 'oslo_peer.py');
const BIN = fs.mkdtempSync(path.join(os.tmpdir(), 'rmq-pools-oslo-'));

/** What a listener printed for one notification it handled. */
export interface Received {
  pool: string;
  pid: number;
  priority: string;
  publisher_id: string;
  event_type: string;
  payload: unknown;
  message_id: string;
  timestamp: string;
}

export interface OsloListener {
  program: string;
  pool: string;
  pid: number;
  received: Received[];
  stderr: () => string;
  stop(): Promise<void>;
}

/** rabbit://user:pass@host:port/<vhost> from the suite's AMQP URL. */
export function transportUrl(vhost: string): string {
  const u = new URL(AMQP_URL);
  return `rabbit://${u.username || 'guest'}:${u.password || 'guest'}@${u.hostname}:${u.port || 5672}/${encodeURIComponent(vhost)}`;
}

function programPath(program: string): string {
  const p = path.join(BIN, program);
  if (!fs.existsSync(p)) { fs.symlinkSync(PEER, p); }
  return p;
}

function run(program: string, args: string[]): ChildProcess {
  return spawn(OSLO_PYTHON, [programPath(program), ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
}

function stopProcess(p: ChildProcess): Promise<void> {
  if (p.exitCode !== null || p.signalCode !== null) { return Promise.resolve(); }
  return new Promise((resolve) => {
    const kill = setTimeout(() => p.kill('SIGKILL'), 10_000);
    p.once('exit', () => { clearTimeout(kill); resolve(); });
    p.kill('SIGTERM');
  });
}

const running = new Set<ChildProcess>();

/** Starts `program` as an oslo notification listener on exchange `nova`, topic `notifications`, in `pool` ('' = no pool). */
export async function startListener(vhost: string, program: string, pool: string, exchange = 'nova'): Promise<OsloListener> {
  const p = run(program, ['listen', '--url', transportUrl(vhost), '--exchange', exchange, ...(pool ? ['--pool', pool] : [])]);
  running.add(p);
  p.once('exit', () => running.delete(p));
  const received: Received[] = [];
  let err = '';
  let ready = false;
  let buf = '';
  p.stderr!.on('data', (d: Buffer) => { err = (err + d.toString()).slice(-8000); });
  p.stdout!.on('data', (d: Buffer) => {
    buf += d.toString();
    let i: number;
    while ((i = buf.indexOf('\n')) >= 0) {
      const line = buf.slice(0, i);
      buf = buf.slice(i + 1);
      let o: { event?: string } & Partial<Received>;
      try { o = JSON.parse(line); } catch { continue; }
      if (o.event === 'ready') { ready = true; } else if (o.event === 'notification') { received.push(o as Received); }
    }
  });
  await until(() => ready || p.exitCode !== null, `oslo listener ${program} to start`, 60_000, 100);
  if (!ready) { throw new Error(`oslo listener ${program} exited with ${p.exitCode}: ${err}`); }
  return { program, pool, pid: p.pid!, received, stderr: () => err, stop: () => stopProcess(p) };
}

/** The real oslo Notifier (driver messagingv2): `count` info notifications with payload {"seq": i}. */
export function notify(vhost: string, count: number, o: { program?: string; eventType?: string; publisherId?: string; exchange?: string } = {}): Promise<void> {
  const p = run(o.program ?? 'nova-compute', [
    'notify', '--url', transportUrl(vhost), '--exchange', o.exchange ?? 'nova', '--count', String(count),
    '--event-type', o.eventType ?? 'compute.instance.create.end', '--publisher-id', o.publisherId ?? 'compute.host1',
  ]);
  running.add(p);
  let err = '';
  p.stderr!.on('data', (d: Buffer) => { err = (err + d.toString()).slice(-8000); });
  return new Promise((resolve, reject) => {
    p.once('exit', (code) => {
      running.delete(p);
      if (code === 0) { resolve(); } else { reject(new Error(`the oslo Notifier exited with ${code}: ${err}`)); }
    });
  });
}

/** Stops every oslo process this suite started. */
export async function stopAll(): Promise<void> {
  await Promise.all([...running].map(stopProcess));
}
