/**
 * Helpers for the cluster tests: drive scripts/cluster.sh (rabbit-c1..c3 on AMQP 5673–5675, HTTP 15673–15675, beside
 * the main broker, which is never touched), and build a broker config that lists the three nodes.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { BrokerConfig, brokerConfig } from '../../src/broker/connection';
import { ManagementClient } from '../../src/broker/management';

/** The project folder (this file runs from test/cluster under tsx, or from out/test/cluster in the extension host). */
export const ROOT = (() => {
  for (let d = __dirname; d !== path.dirname(d); d = path.dirname(d)) {
    if (fs.existsSync(path.join(d, 'scripts/cluster.sh'))) { return d; }
  }
  throw new Error(`scripts/cluster.sh not found above ${__dirname}`);
})();
export const CLUSTER_SH = path.join(ROOT, 'scripts/cluster.sh');
export const NODES = ['c1', 'c2', 'c3'] as const;
export type NodeId = typeof NODES[number];
export const AMQP_URLS = ['amqp://127.0.0.1:5673', 'amqp://127.0.0.1:5674', 'amqp://127.0.0.1:5675'];
export const MANAGEMENT_URLS = ['http://127.0.0.1:15673', 'http://127.0.0.1:15674', 'http://127.0.0.1:15675'];

export function log(message: string): void {
  process.stdout.write(`      ${message}\n`);
}

/** Runs scripts/cluster.sh with a deadline; rejects with its output when it fails. */
export function clusterSh(args: string[], timeoutMs = 200_000): Promise<string> {
  const t0 = Date.now();
  return new Promise((resolve, reject) => {
    execFile('bash', [CLUSTER_SH, ...args], { timeout: timeoutMs, maxBuffer: 8 << 20 }, (err, stdout, stderr) => {
      if (err) { reject(new Error(`scripts/cluster.sh ${args.join(' ')} failed after ${Date.now() - t0} ms: ${err.message}\n${stdout}\n${stderr}`)); return; }
      log(`cluster.sh ${args.join(' ')}: ${((Date.now() - t0) / 1000).toFixed(1)} s`);
      resolve(stdout + stderr);
    });
  });
}

/** The full node name of cN as the cluster reports it (rabbit-c1@<host>), from the API. */
export function nodeId(fullName: string): NodeId {
  const m = /^rabbit-(c[123])@/.exec(fullName);
  if (!m) { throw new Error(`not a cluster node: ${fullName}`); }
  return m[1] as NodeId;
}

/** A config listing all three nodes, in this order (or the order given). */
export function clusterConfig(vhost: string, order: readonly NodeId[] = NODES): BrokerConfig {
  const idx = order.map((n) => NODES.indexOf(n));
  return brokerConfig({
    name: 'test-cluster', vhost, username: 'guest', password: 'guest',
    amqpUrl: idx.map((i) => AMQP_URLS[i]).join(','),
    managementUrls: idx.map((i) => MANAGEMENT_URLS[i]),
    timeoutMs: 5000,
  });
}

export interface ClusterVhost { name: string; client: ManagementClient; cleanup(): Promise<void> }

/** A fresh vhost on the cluster with full permissions for guest. */
export async function freshClusterVhost(tag: string): Promise<ClusterVhost> {
  const name = `rmqp-cluster-${tag}-${randomBytes(3).toString('hex')}`;
  const client = new ManagementClient(clusterConfig(name));
  await client.putVhost(name);
  await client.putPermissions(name, 'guest');
  return {
    name, client,
    async cleanup() {
      await client.deleteVhost(name).catch(() => undefined);
      client.dispose();
    },
  };
}

export { until } from '../support/broker';
