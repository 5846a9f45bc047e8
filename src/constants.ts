/** Ids of commands, views and context values: one table, no string literals scattered through files. */
export const VIEW_CONTAINER = 'rabbitmqPools';
export const BROKERS_VIEW = 'rabbitmqPools.brokers';
export const LOG_NAME = 'RabbitMQ Pools';
export const CONFIG_SECTION = 'rabbitmqPools';

export const Commands = {
  refresh: 'rabbitmqPools.tree.refresh',
  addBroker: 'rabbitmqPools.broker.add',
  showLog: 'rabbitmqPools.broker.showLog',
} as const;

export type CommandId = (typeof Commands)[keyof typeof Commands];
