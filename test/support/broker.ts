/**
 * Helpers for tests against the real broker: each test file gets its own fresh vhost, deleted afterwards.
 * Broker from RABBITMQ_URL / RABBITMQ_MANAGEMENT_URL, default guest@127.0.0.1.
 */
import { randomBytes } from 'node:crypto';
import { execFile } from 'node:child_process';
import * as path from 'node:path';
import * as amqp from 'amqplib';
import { BrokerConfig, BrokerInput, amqpConnectArgs, brokerConfig } from '../../src/broker/connection';
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

/** Where a test vhost lives: the main broker by default, or another node (the scratch node of the fault and TLS tests). */
export interface VhostOn {
  amqpUrl?: string;
  managementUrl?: string;
  /** More broker settings for the vhost's config (TLS, timeouts). */
  input?: BrokerInput;
}

/** Creates vhost `rmqp-test-<tag>-<random>` with full permissions for the test user; cleanup() closes its connections and deletes it. */
export async function freshVhost(tag: string, on: VhostOn = {}): Promise<TestVhost> {
  const name = `rmqp-test-${tag}-${randomBytes(4).toString('hex')}`;
  const where = { amqpUrl: on.amqpUrl ?? AMQP_URL, managementUrl: on.managementUrl ?? MANAGEMENT_URL };
  const config = brokerConfig({ ...where, vhost: name, ...on.input });
  const admin = new ManagementClient(brokerConfig(where));
  await admin.putVhost(name);
  await admin.putPermissions(name, brokerConfig(where).username);
  const client = new ManagementClient(config);
  const conns: amqp.ChannelModel[] = [];
  return {
    name, config, client,
    async connect(connectionName) {
      const { url, socketOptions } = amqpConnectArgs(brokerConfig({ ...where, vhost: name }), connectionName);
      const c = await amqp.connect(url, socketOptions);
      c.on('error', () => { /* closed by the test or the broker */ });
      conns.push(c);
      return c;
    },
    async cleanup() {
      for (const c of conns) { await c.close().catch(() => undefined); }
      await admin.deleteVhost(name).catch(() => undefined);
      admin.dispose();
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
