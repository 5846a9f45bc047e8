/**
 * What the benchmarks drive: the project's own vscode-free code, bundled by bench/run.mjs with esbuild (the same
 * bundler and target as dist/) into bench/.build/targets.cjs. amqplib stays external so that the raw baselines and the
 * project's code share one amqplib instance.
 */
export { brokerConfig, amqpConnectArgs } from '../src/broker/connection';
export type { BrokerConfig } from '../src/broker/connection';
export { ManagementClient } from '../src/broker/management';
export { BrokerSession, VhostData } from '../src/viewModel/brokerSession';
export { NotificationPublisher, publishNotifications } from '../src/broker/publisher';
export { WorkerPool, PUBLISHED_AT_HEADER } from '../src/broker/workers';
export { LocalPools } from '../src/broker/localPools';
export { fetchTopology, EXCHANGE_COLUMNS, QUEUE_COLUMNS } from '../src/broker/topology';
export { encodeBuffer, makeNotification } from '../src/broker/oslo';
export { silentLogger } from '../src/broker/logger';
export { poolFrom } from '../src/broker/topology';
export { prepareMessages } from '../src/broker/publisher';
export { DetailCache } from '../src/viewModel/keyPools';
