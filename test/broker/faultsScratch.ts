/**
 * The scratch RabbitMQ node (scripts/scratch-node.sh: rabbit-scratch@HOST, AMQP 5676, HTTP 15676, AMQPS 5677, HTTPS 15677)
 * for tests that break a broker or need TLS; the main node on 5672/15672 is never touched. Also a TCP proxy that a test
 * can cut and restore, to take one half of a broker (AMQP or HTTP) away without touching the broker itself.
 */
import { execFile } from 'node:child_process';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { BrokerConfig, BrokerInput } from '../../src/broker/connection';
import { ManagementClient } from '../../src/broker/management';
import { ROOT, TestVhost, freshVhost, until } from '../support/broker';

export const SCRATCH = {
  node: `rabbit-scratch@${os.hostname().split('.')[0]}`,
  amqpUrl: 'amqp://guest:guest@127.0.0.1:5676',
  managementUrl: 'http://127.0.0.1:15676',
  amqpsUrl: 'amqps://guest:guest@127.0.0.1:5677',
  httpsUrl: 'https://127.0.0.1:15677',
  amqpPort: 5676,
  httpPort: 15676,
  caFile: path.join(process.env.SCRATCH_BASE ?? '/var/lib/rabbitmq/rmqp-scratch', 'tls/ca.pem'),
};

function run(file: string, args: string[], timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(file, args, { timeout: timeoutMs, cwd: ROOT }, (err, stdout, stderr) => {
      if (err) { reject(new Error(`${file} ${args.join(' ')} failed: ${err.message}\n${stdout}${stderr}`)); } else { resolve(stdout); }
    });
  });
}

/** Starts the scratch node unless it answers already (about 20 s cold, 0.1 s when up); leaves it running. */
export async function ensureScratchNode(): Promise<void> {
  await run('bash', [path.join(ROOT, 'scripts/scratch-node.sh'), 'up'], 180_000);
}

/** rabbitmqctl against the scratch node only (never the main node). */
export function scratchCtl(...args: string[]): Promise<string> {
  return run('rabbitmqctl', ['-q', '-n', SCRATCH.node, ...args], 120_000);
}

/** A fresh vhost on the scratch node, deleted by cleanup(). */
export function scratchVhost(tag: string, input: BrokerInput = {}): Promise<TestVhost> {
  return freshVhost(tag, { amqpUrl: SCRATCH.amqpUrl, managementUrl: SCRATCH.managementUrl, input });
}

/** Closes, from the broker side, every connection of the vhost whose connection_name is `name`; returns how many. */
export async function closeConnectionsNamed(client: ManagementClient, vhost: string, name: string, reason: string): Promise<number> {
  // Listing connections while others are closing can answer HTTP 500 (RabbitMQ 3.10): retry within a deadline.
  // A connection opened a moment ago shows up in the API after its next statistics emission.
  const list = await until(async () => {
    const found = (await client.connections(vhost)).filter((c) => c.client_properties?.connection_name === name);
    return found.length ? found : undefined;
  }, `the connections named ${name}`, 10_000, 100);
  for (const c of list) { await client.closeConnection(c.name, reason).catch(() => undefined); }
  return list.length;
}

/** A loopback TCP proxy to 127.0.0.1:target that can be cut (listener closed, live sockets destroyed) and restored on the same port. */
export class CuttableProxy {
  private server: net.Server | undefined;
  private readonly sockets = new Set<net.Socket>();
  port = 0;

  constructor(private readonly target: number) {}

  async open(): Promise<this> {
    const server = net.createServer((client) => {
      const upstream = net.connect({ host: '127.0.0.1', port: this.target });
      for (const s of [client, upstream]) {
        this.sockets.add(s);
        s.on('close', () => this.sockets.delete(s));
        s.on('error', () => { client.destroy(); upstream.destroy(); });
      }
      client.pipe(upstream).pipe(client);
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.port, '127.0.0.1', () => resolve());
    });
    this.port = (server.address() as net.AddressInfo).port;
    this.server = server;
    return this;
  }

  async cut(): Promise<void> {
    const s = this.server;
    this.server = undefined;
    for (const sock of this.sockets) { sock.destroy(); }
    this.sockets.clear();
    if (s) { await new Promise<void>((r) => s.close(() => r())); }
  }
}

export type { BrokerConfig };
