/**
 * The demo's scenario and its guards: names, pools, options and events, "only a local broker, only a vhost the demo
 * made" (the vhost carries DEMO_TAG), and removing a demo vhost. The running demo itself is the Demo class (demo.ts).
 */
import { BrokerConfig, amqpUrlsOf, hostPort, managementUrlsOf } from './connection';
import type { PoolCounts } from './counts';
import { BrokerError, invalidInput, isBrokerError } from './errors';
import type { Logger } from './logger';
import { ManagementClient } from './management';
import { WorkerPool, WorkerPoolOptions } from './workers';

export const DEMO_VHOST = 'rmq-pools-demo';
export const DEMO_EXCHANGE = 'nova';
export const DEMO_ROUTING_KEY = 'notifications.info';
/** Test notifications a second (the trickle). */
export const DEMO_RATE = 3;
export const MAX_DEMO_RATE = 100;
/** The vhost tag that marks a vhost as made by the demo (and so safe to reset and delete). */
export const DEMO_TAG = 'rmq-pools-demo';
/** The connection_name of the demo's publisher. */
export const DEMO_PUBLISHER_CONNECTION = 'rmq-pools:demo-publisher';

export type DemoPoolKind = 'pool' | 'shared-pool' | 'default-queue';

export interface DemoPoolSpec {
  /** Pool name = queue name. */
  name: string;
  kind: DemoPoolKind;
  /** Local workers this tool runs (pool), or one per application (shared-pool); 0 for the default queue. */
  workers: number;
  /** shared-pool: the applications (oslo-style program names) that both consume it. */
  applications?: readonly string[];
}

/** The seed's pools, all bound to nova with notifications.info. */
export const DEMO_POOLS: readonly DemoPoolSpec[] = [
  { name: 'ceilometer', kind: 'pool', workers: 3 },
  { name: 'audit', kind: 'pool', workers: 1 },
  { name: 'monitoring', kind: 'shared-pool', workers: 2, applications: ['aodh-listener', 'panko-listener'] },
  { name: 'notifications.info', kind: 'default-queue', workers: 0 },
];

/** Starts and stops the demo's local pools: the extension runs them in its LocalPools, the CLI as plain WorkerPools. */
export interface PoolRunner {
  start(config: BrokerConfig, options: WorkerPoolOptions): Promise<WorkerPool>;
  stop(pool: WorkerPool): Promise<PoolCounts | undefined>;
}

export const plainRunner: PoolRunner = {
  async start(config, options) {
    const p = new WorkerPool(config, options);
    p.on('error', () => undefined); // logged by the pool; the demo watches 'disconnected' instead
    return p.start();
  },
  stop: (p) => p.stop(),
};

export type DemoStep = 'checking the broker' | 'resetting the vhost' | 'creating the vhost' | 'declaring the exchange and queues' | 'starting the workers' | 'starting the trickle';

export interface DemoOptions {
  /** The scratch vhost (default DEMO_VHOST). */
  vhost?: string;
  /** Test notifications a second (default DEMO_RATE). */
  ratePerSecond?: number;
  /** Aborting while `up` runs undoes what was done so far and rejects with a 'cancelled' BrokerError. */
  signal?: AbortSignal;
  logger?: Logger;
  runner?: PoolRunner;
  onStep?: (step: DemoStep) => void;
}

export interface DemoPoolState {
  name: string;
  kind: DemoPoolKind;
  /** Workers the demo runs on it (0 for the default queue). */
  workers: number;
  /** Applications of those workers, as their connections name them. */
  applications: string[];
  /** True for pools of local workers (counted exactly). */
  local: boolean;
  /** Deliveries to the demo's workers of this pool so far (all applications together). */
  delivered: number;
}

export type DemoEndReason = 'stopped' | 'removed' | 'replaced' | 'failed';

export interface DemoSummary {
  vhost: string;
  exchange: string;
  routingKey: string;
  pools: DemoPoolState[];
  published: number;
  confirmed: number;
  unroutable: number;
  seconds: number;
  /** Why it ended: stop() ('stopped'), its vhost deleted by someone else ('removed'), reset by another `demo up` ('replaced'), an error ('failed'). */
  reason: DemoEndReason;
  /** The vhost was deleted (by stop({ remove: true }) or by whoever removed it). */
  removed: boolean;
  message?: string;
}

export interface DemoEvents {
  /** The demo ended by itself (vhost removed or replaced, publisher failed): it has stopped its workers already. */
  ended: [DemoSummary];
  /** Something worth telling (a lost connection; it reconnects). */
  notice: [string];
}

const LOOPBACK = /^(localhost|127(?:\.\d{1,3}){3}|::1|\[::1\])$/i;

/** True when every AMQP and management URL of the config points at this machine. */
export function isLocalBroker(config: BrokerConfig): boolean {
  return [...amqpUrlsOf(config), ...managementUrlsOf(config)].every((u) => LOOPBACK.test(hostPort(u).host));
}

export function assertLocalBroker(config: BrokerConfig): void {
  if (!isLocalBroker(config)) {
    const remote = [...amqpUrlsOf(config), ...managementUrlsOf(config)].find((u) => !LOOPBACK.test(hostPort(u).host));
    throw invalidInput(`The demo runs only on a local broker (127.0.0.1, localhost or ::1), not on ${remote}`,
      'Point it at a RabbitMQ on this machine, e.g. --url amqp://guest:guest@127.0.0.1:5672 (scripts/broker.sh starts one)');
  }
}

export function validateDemoVhost(vhost: string): void {
  if (typeof vhost !== 'string' || !vhost.trim()) { throw invalidInput('The demo vhost name is empty', `Leave it out to use "${DEMO_VHOST}"`); }
  if (vhost === '/') { throw invalidInput('The demo never runs in the default vhost "/"', `Use a scratch vhost, e.g. "${DEMO_VHOST}"`); }
  if (vhost.length > 255) { throw invalidInput('The demo vhost name is longer than 255 characters', `Use e.g. "${DEMO_VHOST}"`); }
}

export function validateDemoRate(rate: number): void {
  if (!Number.isFinite(rate) || rate <= 0 || rate > MAX_DEMO_RATE) {
    throw invalidInput(`The demo rate ${rate} is not a number of messages a second from more than 0 to ${MAX_DEMO_RATE}`, `Use e.g. ${DEMO_RATE}`);
  }
}

export interface VhostInfo { name: string; description?: string; tags?: string[] | string; metadata?: { tags?: string[] } }

export const enc = encodeURIComponent;

export function tagsOf(v: VhostInfo): string[] {
  const t = v.tags ?? v.metadata?.tags ?? [];
  return Array.isArray(t) ? t : String(t).split(',').map((s) => s.trim()).filter(Boolean);
}

/** The vhost as the management API shows it, or undefined when it does not exist. */
export async function vhostInfo(client: ManagementClient, vhost: string): Promise<VhostInfo | undefined> {
  try {
    return await client.get<VhostInfo>(`api/vhosts/${enc(vhost)}`);
  } catch (e) {
    if (isBrokerError(e) && e.kind === 'not-found') { return undefined; }
    throw e;
  }
}

/** Whether `vhost` is one the demo made (tagged DEMO_TAG): true, false (someone else's), or undefined when it does not exist. */
export async function isDemoVhost(config: BrokerConfig, vhost: string): Promise<boolean | undefined> {
  const client = new ManagementClient(config);
  try {
    const info = await vhostInfo(client, vhost);
    return info ? tagsOf(info).includes(DEMO_TAG) : undefined;
  } finally {
    client.dispose();
  }
}

export function notADemoVhost(vhost: string): BrokerError {
  return new BrokerError('precondition', `The vhost "${vhost}" exists and was not made by the demo (it has no "${DEMO_TAG}" tag), so the demo leaves it alone`,
    `Give the demo another vhost name (the CLI's --vhost, or the box Start Demo… shows), e.g. "${DEMO_VHOST}-2"`);
}

/** The run id a demo vhost's description carries (who made it last). */
export function runIdOf(v: VhostInfo): string | undefined {
  return /\(run ([0-9a-f-]+)\)/.exec(v.description ?? '')?.[1];
}

/**
 * `rmq-pools demo down`: deletes the demo vhost (which closes every connection into it, stopping a running `demo up`).
 * Resolves with the pools it held; `removed` false when there was no such vhost. Refuses a vhost the demo did not make.
 */
export async function removeDemo(config: BrokerConfig, vhost = DEMO_VHOST, client?: ManagementClient): Promise<{ vhost: string; removed: boolean; pools: string[] }> {
  assertLocalBroker(config);
  validateDemoVhost(vhost);
  const c = client ?? new ManagementClient(config);
  try {
    const info = await vhostInfo(c, vhost);
    if (!info) { return { vhost, removed: false, pools: [] }; }
    if (!tagsOf(info).includes(DEMO_TAG)) { throw notADemoVhost(vhost); }
    const pools = (await c.queues(vhost, ['name']).catch(() => [])).map((q) => q.name).sort();
    await c.deleteVhost(vhost);
    return { vhost, removed: true, pools };
  } finally {
    if (!client) { c.dispose(); }
  }
}

export function cancelledError(): BrokerError {
  return new BrokerError('cancelled', 'The demo was cancelled', 'Nothing of it is left on the broker');
}
