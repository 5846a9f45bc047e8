/**
 * Safe on a shared broker: before the tool publishes, who else would receive it, and whether it may write at all.
 *
 * A test publish reaches every pool bound to its key, other teams' included: ceilometer would meter 1,000 fake
 * instance creations. `foreignReceivers()` names the pools a message reaches that have workers which are not this
 * tool's own (its connections are named `rmq-pools:…`), with their applications, so that the caller can ask first.
 * `assertWritable()` refuses every write on a broker configured read-only, before anything is sent.
 */
import type { BrokerConfig } from './connection';
import { BrokerError } from './errors';
import type { ManagementClient } from './management';
import { lookupRoute } from './routeLookup';
import type { HeaderValue } from './routing';
import { workersByQueue, Worker } from './topology';

/** Connection names of this tool ("rmq-pools:ceilometer", "rmq-pools:publisher", …): its own workers. */
export const OWN_CONNECTION_PREFIX = 'rmq-pools:';

export interface ForeignPool {
  pool: string;
  /** The other applications consuming it (a worker known only by its address is named by it). */
  applications: string[];
  /** How many of its workers are not this tool's. */
  workers: number;
}

/**
 * A worker of this tool: its connection is named `rmq-pools:…`, or its consumer tag is one of this process's own (the
 * management API lists a new consumer a moment before it can say which connection it is on).
 */
export function isOwnWorker(w: Pick<Worker, 'clientName' | 'application' | 'consumerTag'>, ownConsumerTags?: ReadonlySet<string>): boolean {
  return (w.clientName ?? w.application).startsWith(OWN_CONNECTION_PREFIX) || (ownConsumerTags?.has(w.consumerTag) ?? false);
}

/** The pools a message to (exchange, key) reaches that other applications consume, sorted by pool. */
export async function foreignReceivers(client: ManagementClient, vhost: string, exchange: string, routingKey: string,
  headers?: Record<string, HeaderValue>, ownConsumerTags?: ReadonlySet<string>): Promise<ForeignPool[]> {
  const reached = (await lookupRoute(client, vhost, exchange, routingKey, headers)).pools;
  if (!reached.length) { return []; }
  const [consumers, connections] = await Promise.all([client.consumers(vhost), client.connections(vhost)]);
  const byQueue = workersByQueue(consumers, connections);
  const out: ForeignPool[] = [];
  for (const pool of reached) {
    const others = (byQueue.get(pool) ?? []).filter((w) => !isOwnWorker(w, ownConsumerTags));
    if (others.length) { out.push({ pool, applications: [...new Set(others.map((w) => w.application))].sort(), workers: others.length }); }
  }
  return out;
}

/** "ceilometer (ceilometer-agent-notification), audit (audit-listener)" */
export function describeForeign(pools: readonly ForeignPool[]): string {
  return pools.map((p) => `${p.pool} (${p.applications.join(', ')})`).join(', ');
}

/** Throws a read-only error naming the broker and the write, before anything is sent. */
export function assertWritable(config: Pick<BrokerConfig, 'name' | 'readOnly'>, what: string): void {
  if (!config.readOnly) { return; }
  throw new BrokerError('read-only', `Broker "${config.name}" is read-only: ${what} was refused, nothing was sent`,
    'Turn off "readOnly" in the broker\'s settings (rabbitmqPools.brokers) to write to it, or unset RMQ_POOLS_READ_ONLY / drop --read-only in the CLI');
}
