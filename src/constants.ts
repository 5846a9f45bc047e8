/**
 * Ids of commands, views, settings and context values: one table, no string literals scattered through files.
 *
 * Context values are part of the extension's contract (package.json menus match them with `viewItem =~ /…/`), so keep them
 * stable. The scheme is `rabbitmqPools.<kind>[.<variant>]`: menus that apply to every variant of a kind match
 * `/^rabbitmqPools\.<kind>(\.|$)/`, menus for one variant match it exactly.
 *
 * | contextValue                          | node                                                   |
 * |---------------------------------------|--------------------------------------------------------|
 * | rabbitmqPools.broker                  | a configured broker (Edit / Remove / Test Connection)  |
 * | rabbitmqPools.broker.default          | the implicit local broker shown when none is configured|
 * | rabbitmqPools.vhost                   | a vhost                                                |
 * | rabbitmqPools.exchangesFolder[.filtered] | the "Exchanges" folder (Filter…, Clear Filter)      |
 * | rabbitmqPools.poolsFolder[.filtered]  | the "Pools" folder                                     |
 * | rabbitmqPools.exchange                | an exchange (Create Worker Pool, Publish Test Notifications, Who Receives…?) |
 * | rabbitmqPools.bindingKey              | a binding key under an exchange (Create Worker Pool, Publish, Run Audit) |
 * | rabbitmqPools.pool                    | a queue on the broker (Purge / Delete Pool)            |
 * | rabbitmqPools.pool.local              | a pool with local workers started by this tool (Add Worker / Stop Pool) |
 * | rabbitmqPools.poolBinding             | one binding of a pool, under Pools → pool              |
 * | rabbitmqPools.worker                  | a consumer on a pool                                   |
 * | rabbitmqPools.worker.local            | a worker started by this tool (Stop Worker)            |
 * | rabbitmqPools.loadMore                | "Load more…"                                           |
 * | rabbitmqPools.error                   | an error node (Retry)                                  |
 * | rabbitmqPools.error.auth              | an error node Edit Broker fixes (refused user or password; a vhost missing or not permitted: the hint says "Edit Broker"): Retry, Edit Broker |
 * | rabbitmqPools.info                    | an info node ("No consumers on this pool")             |
 * | rabbitmqPools.addBroker               | the "Add Broker…" hint shown with the default broker   |
 * | rabbitmqPools.finding                 | a finding in the Findings view (rabbitmqPools.findings) |
 *
 * On a read-only broker (setting "readOnly"), the broker's own items (broker, vhost, folders, exchange, binding key, pool,
 * pool binding, worker) carry the token `.readOnly` at the end of their contextValue (`rabbitmqPools.pool.readOnly`,
 * `rabbitmqPools.poolsFolder.filtered.readOnly`): write commands' menus exclude them with `!(viewItem =~ /\.readOnly\b/)`
 * (src/commands/writes.ts).
 */
export const VIEW_CONTAINER = 'rabbitmqPools';
export const BROKERS_VIEW = 'rabbitmqPools.brokers';
export const FINDINGS_VIEW = 'rabbitmqPools.findings';
export const LOG_NAME = 'RabbitMQ Pools';
export const CONFIG_SECTION = 'rabbitmqPools';
export const EXTENSION_ID = 'rmq-pools.rabbitmq-pool-inspector';

/** Setting names under CONFIG_SECTION. */
export const Settings = {
  brokers: 'brokers',
  pageSize: 'pageSize',
  refreshSeconds: 'refreshSeconds',
  showSystemExchanges: 'showSystemExchanges',
  /** Diagnose Pools also reports the RabbitMQ 4.x upgrade findings. */
  upgradeFindings: 'upgradeFindings',
} as const;

export const Commands = {
  refresh: 'rabbitmqPools.tree.refresh',
  loadMore: 'rabbitmqPools.tree.loadMore',
  filter: 'rabbitmqPools.tree.filter',
  clearFilter: 'rabbitmqPools.tree.clearFilter',
  retry: 'rabbitmqPools.tree.retry',
  copyName: 'rabbitmqPools.tree.copyName',
  openInManagementUi: 'rabbitmqPools.tree.openInManagementUi',
  addBroker: 'rabbitmqPools.broker.add',
  editBroker: 'rabbitmqPools.broker.edit',
  removeBroker: 'rabbitmqPools.broker.remove',
  testConnection: 'rabbitmqPools.broker.testConnection',
  selectBroker: 'rabbitmqPools.broker.select',
  showLog: 'rabbitmqPools.broker.showLog',
  purgePool: 'rabbitmqPools.pool.purge',
  deletePool: 'rabbitmqPools.pool.delete',
  createPool: 'rabbitmqPools.pool.create',
  addWorker: 'rabbitmqPools.pool.addWorker',
  stopWorker: 'rabbitmqPools.pool.stopWorker',
  stopPool: 'rabbitmqPools.pool.stop',
  publishTestNotifications: 'rabbitmqPools.publish.testNotifications',
  runAudit: 'rabbitmqPools.audit.run',
  diagnose: 'rabbitmqPools.diagnose.run',
  revealFinding: 'rabbitmqPools.findings.reveal',
  routePreview: 'rabbitmqPools.route.preview',
  showDeliveryCounts: 'rabbitmqPools.panel.show',
  /** Test-only (registered with RMQ_POOLS_TEST=1): the panel UI test seeds and stops local pools from the palette. */
  testStartPools: 'rabbitmqPools.test.startPools',
  testStopPools: 'rabbitmqPools.test.stopPools',
  startDemo: 'rabbitmqPools.demo.start',
  stopDemo: 'rabbitmqPools.demo.stop',
  peekMessages: 'rabbitmqPools.peekMessages',
  publishMessage: 'rabbitmqPools.publishMessage',
  replayDeadLetters: 'rabbitmqPools.replayDeadLetters',
  checkUpgrade: 'rabbitmqPools.diagnose.upgrade',
  checkNodeMaintenance: 'rabbitmqPools.health.checkNodeMaintenance',
} as const;

export type CommandId = (typeof Commands)[keyof typeof Commands];

export const ContextValues = {
  broker: 'rabbitmqPools.broker',
  brokerDefault: 'rabbitmqPools.broker.default',
  vhost: 'rabbitmqPools.vhost',
  exchangesFolder: 'rabbitmqPools.exchangesFolder',
  poolsFolder: 'rabbitmqPools.poolsFolder',
  /** Suffix added to a folder's context value while a filter is set. */
  filteredSuffix: '.filtered',
  exchange: 'rabbitmqPools.exchange',
  bindingKey: 'rabbitmqPools.bindingKey',
  pool: 'rabbitmqPools.pool',
  poolLocal: 'rabbitmqPools.pool.local',
  /** A pool under a binding key whose details (depths, workers) are still being read: its name only, no pool commands yet. */
  poolPending: 'rabbitmqPools.poolPending',
  poolBinding: 'rabbitmqPools.poolBinding',
  worker: 'rabbitmqPools.worker',
  workerLocal: 'rabbitmqPools.worker.local',
  loadMore: 'rabbitmqPools.loadMore',
  error: 'rabbitmqPools.error',
  /** An error node the broker's settings or password can fix (authentication failed, a vhost it may not use): offers Edit Broker. */
  errorAuth: 'rabbitmqPools.error.auth',
  info: 'rabbitmqPools.info',
  addBroker: 'rabbitmqPools.addBroker',
  /** A finding in the Findings view. */
  finding: 'rabbitmqPools.finding',
  /** Under a pool: where its dead letters go. */
  deadLetterPath: 'rabbitmqPools.deadLetterPath',
  /** Under a dead-letter pool: the pools that feed it (offers Replay Dead Letters…). */
  deadLetterSources: 'rabbitmqPools.deadLetterSources',
} as const;

/**
 * Context keys the extension sets with `setContext` (package.json `when` clauses read them).
 * | key                              | true while                                                         |
 * |----------------------------------|--------------------------------------------------------------------|
 * | rabbitmqPools.hasLocalPools      | at least one local worker pool runs (Add Worker, Stop Worker, Stop Pool in the palette) |
 * | rabbitmqPools.testMode           | the test-only commands are registered (RMQ_POOLS_TEST=1 or the VS Code test rig) |
 * | rabbitmqPools.demoRunning        | Start Demo… has a demo running in this window (Stop Demo in the palette and the view's menu) |
 * | rabbitmqPools.allBrokersReadOnly | every configured broker is read-only (write commands hidden from the title menu and palette) |
 */
export const ContextKeys = {
  hasLocalPools: 'rabbitmqPools.hasLocalPools',
  testMode: 'rabbitmqPools.testMode',
  demoRunning: 'rabbitmqPools.demoRunning',
  /** Every configured broker is read-only: the write commands leave the view's title menu and the palette. */
  allBrokersReadOnly: 'rabbitmqPools.allBrokersReadOnly',
} as const;

/** SecretStorage key of a broker's password. */
export function passwordKey(brokerName: string): string {
  return `rabbitmqPools.broker.password:${brokerName}`;
}
