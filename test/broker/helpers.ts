/**
 * Helpers for tests against the real broker: each test file gets its own fresh vhost, deleted afterwards.
 * Broker from RABBITMQ_URL / RABBITMQ_MANAGEMENT_URL, default guest@127.0.0.1.
 */
import { randomBytes } from 'node:crypto';
import { execFile } from 'node:child_process';
import * as path from 'node:path';
import * as amqp from 'amqplib';
import { BrokerConfig, amqpConnectArgs, brokerConfig } from '../../src/broker/connection';
import { ManagementClient } from '../../src/broker/management';

export const AMQP_URL = process.env.RABBITMQ_URL ?? 'amqp://guest:guest@127.0.0.1:5672';
export const MANAGEMENT_URL = process.env.RABBITMQ_MANAGEMENT_URL ?? 'http://127.0.0.1:15672';
export const ROOT = path.resolve(__dirname, '../..');
export const CLI = path.join(ROOT, 'dist/cli.js');

export interface TestVhost {
  name: string;
  config: BrokerConfig;
  client: ManagementClient;
  /** Opens an AMQP connection in the vhost with this connection_name (closed by cleanup()). */
  connect(connectionName: string): Promise<amqp.ChannelModel>;
  cleanup(): Promise<void>;
}

/** Creates vhost `rmqp-test-<tag>-<random>` with full permissions for the test user. */
export async function freshVhost(tag: string): Promise<TestVhost> {
  const name = `rmqp-test-${tag}-${randomBytes(4).toString('hex')}`;
  const config = brokerConfig({ amqpUrl: AMQP_URL, managementUrl: MANAGEMENT_URL, vhost: name });
  const client = new ManagementClient(config);
  await client.putVhost(name);
  await client.putPermissions(name, config.username);
  const conns: amqp.ChannelModel[] = [];
  return {
    name, config, client,
    async connect(connectionName) {
      const { url, socketOptions } = amqpConnectArgs(config, connectionName);
      const c = await amqp.connect(url, socketOptions);
      c.on('error', () => { /* closed by the test or the broker */ });
      conns.push(c);
      return c;
    },
    async cleanup() {
      for (const c of conns) { await c.close().catch(() => undefined); }
      await client.deleteVhost(name).catch(() => undefined);
      client.dispose();
    },
  };
}

/** Polls `fn` until it returns a truthy value or the deadline passes (never a fixed sleep). */
export async function until<T>(fn: () => Promise<T> | T, what: string, timeoutMs = 20_000, everyMs = 200): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v) { return v as NonNullable<T>; }
      last = v;
    } catch (e) { last = e; }
    if (Date.now() > deadline) { throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what} (last: ${last instanceof Error ? last.message : JSON.stringify(last)})`); }
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

export interface CliResult { code: number; stdout: string; stderr: string; json?: unknown }

/** Runs `node dist/cli.js ARGS` and parses stdout as JSON when --json is given. */
export function runCli(args: string[], env: NodeJS.ProcessEnv = {}, timeoutMs = 60_000): Promise<CliResult> {
  return new Promise((resolve) => {
    execFile(process.execPath, [CLI, ...args], { env: { ...process.env, ...env }, timeout: timeoutMs, maxBuffer: 64 << 20 }, (err, stdout, stderr) => {
      const code = err ? (typeof (err as NodeJS.ErrnoException).code === 'number' ? (err as unknown as { code: number }).code : 1) : 0;
      let json: unknown;
      if (args.includes('--json')) { try { json = JSON.parse(stdout); } catch { json = undefined; } }
      resolve({ code, stdout, stderr, json });
    });
  });
}

/** Waits until the management API lists `n` consumers on the queue (its view lags the AMQP side a little). */
export function untilConsumers(client: ManagementClient, vhost: string, queue: string, n: number, timeoutMs = 20_000) {
  return until(async () => (await client.consumers(vhost)).filter((c) => c.queue?.name === queue).length === n, `${n} consumers on ${queue}`, timeoutMs);
}
