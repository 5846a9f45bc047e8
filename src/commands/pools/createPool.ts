/**
 * Create Worker Pool…: join or create pool P on exchange X with binding key K and start N local workers. One multi-step input
 * (exchange, binding key, pool name, workers, prefetch, queue type, and on a cluster where the workers connect) with Back and
 * the values kept; what a tree item (exchange, binding key) or a script's argument object gives is not asked.
 */
import { assertWritable } from '../../broker/receivers';
import * as vscode from 'vscode';
import { amqpUrlsOf } from '../../broker/connection';
import { MAX_PREFETCH, MAX_WORKERS, QueueType } from '../../broker/workers';
import type { Services } from '../../services';
import { Commands } from '../../constants';
import type { CommandDef } from '../command';
import { pickStep, runSteps, Step, textStep } from '../multiStepInput';
import { DEFAULT_ROUTING_KEY, PoolArgs, exchangeItems, isPoolArgs, poolNameError, routingKeyError, targetFor, wholeNumberError } from './target';

/** What the input collects; a value given by a tree item or a script is there from the start and its step is skipped. */
interface PoolFlowState {
  exchange?: string;
  routingKey?: string;
  pool?: string;
  workers?: number;
  prefetch?: number;
  queueType?: QueueType;
  spreadOverNodes?: boolean;
}

const DEFAULT_WORKERS = 3;
const DEFAULT_PREFETCH = 10;

/** The steps; `scripted`: a script's argument object, which leaves prefetch and queue type to their defaults when it omits them. */
function poolSteps(s: Services, config: Parameters<typeof exchangeItems>[0], given: PoolFlowState, nodes: number, scripted: boolean): Step<PoolFlowState>[] {
  return [
    pickStep<PoolFlowState, string>({
      skip: () => given.exchange !== undefined,
      placeholder: 'The exchange the pool listens to (e.g. nova)',
      matchOnDescription: true,
      items: async () => (await exchangeItems(config)).map((i) => ({ ...i, value: i.label })),
      active: (st) => st.exchange,
      apply: (v, st) => { st.exchange = v; },
    }),
    textStep<PoolFlowState>({
      skip: () => given.routingKey !== undefined,
      prompt: (st) => `Binding key on "${st.exchange}" (topic patterns like notifications.* work on topic exchanges)`,
      placeholder: DEFAULT_ROUTING_KEY,
      value: (st) => st.routingKey ?? DEFAULT_ROUTING_KEY,
      validate: routingKeyError,
      apply: (v, st) => { st.routingKey = v; },
    }),
    textStep<PoolFlowState>({
      skip: () => given.pool !== undefined,
      prompt: 'Pool name: the shared queue of this kind of listener (e.g. ceilometer, audit); an existing queue is joined',
      value: (st) => st.pool ?? suggestName(s),
      validate: poolNameError,
      apply: (v, st) => { st.pool = v; },
    }),
    textStep<PoolFlowState>({
      skip: () => given.workers !== undefined,
      prompt: (st) => `How many workers share pool "${st.pool}"? (local workers, 1 to ${MAX_WORKERS})`,
      value: (st) => String(st.workers ?? DEFAULT_WORKERS),
      validate: (v) => wholeNumberError(v, 1, MAX_WORKERS),
      apply: (v, st) => { st.workers = Number(v); },
    }),
    textStep<PoolFlowState>({
      skip: () => given.prefetch !== undefined || scripted,
      prompt: `Prefetch: unacknowledged messages each worker may hold (1 to ${MAX_PREFETCH}; ${DEFAULT_PREFETCH} is a good start)`,
      value: (st) => String(st.prefetch ?? DEFAULT_PREFETCH),
      validate: (v) => wholeNumberError(v, 1, MAX_PREFETCH),
      apply: (v, st) => { st.prefetch = Number(v); },
    }),
    pickStep<PoolFlowState, QueueType>({
      skip: () => given.queueType !== undefined || scripted,
      placeholder: (st) => `The queue type of pool "${st.pool}" if it is created (an existing queue keeps its own)`,
      items: () => [
        { label: 'classic', value: 'classic', description: 'one node holds the queue', detail: 'The default. If that node goes down, the pool is unavailable until it is back.' },
        { label: 'quorum', value: 'quorum', description: 'replicated over the cluster\'s nodes', detail: 'Survives the loss of a minority of nodes (a leader and followers); always durable.' },
      ],
      active: (st) => st.queueType,
      apply: (v, st) => { st.queueType = v; },
    }),
    pickStep<PoolFlowState, boolean>({
      skip: () => given.spreadOverNodes !== undefined || nodes < 2,
      placeholder: 'Where the workers connect',
      items: () => [
        { label: 'One connection', value: false, description: 'on the first node that answers, failing over to the next' },
        { label: `Spread over the ${nodes} nodes`, value: true, description: 'one connection per node, workers round-robin', detail: 'Losing a node stops only the workers on it until they reconnect to another node.' },
      ],
      active: (st) => st.spreadOverNodes,
      apply: (v, st) => { st.spreadOverNodes = v; },
    }),
  ];
}

export const createPoolCommand: CommandDef = {
  id: Commands.createPool,
  title: 'Create Worker Pool',
  async run(s: Services, arg?: unknown) {
    const t = await targetFor(s, arg);
    if (!t) { return undefined; }
    assertWritable(t.config, 'Create Worker Pool');
    const scripted = isPoolArgs(arg);
    const a = t.args as PoolArgs & { spreadOverNodes?: boolean };
    const nodes = amqpUrlsOf(t.config).length;
    const given: PoolFlowState = {
      exchange: a.exchange, routingKey: a.routingKey, pool: a.pool, workers: a.workers, prefetch: a.prefetch, queueType: a.queueType, spreadOverNodes: a.spreadOverNodes,
    };
    // A script asks nothing it can leave out: the defaults are taken instead (it is still asked for exchange and pool name).
    if (scripted) {
      given.routingKey ??= DEFAULT_ROUTING_KEY;
      given.workers ??= 1;
      given.spreadOverNodes ??= false;
    }
    const state = await runSteps(`Create Worker Pool on ${t.config.name} / ${t.config.vhost}`, poolSteps(s, t.config, given, nodes, scripted), { ...given });
    if (!state) { return undefined; }
    const { exchange, routingKey, pool, workers } = state as Required<Pick<PoolFlowState, 'exchange' | 'routingKey' | 'pool' | 'workers'>>;
    const entry = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: `Starting pool "${pool}" (${workers} workers)…`, cancellable: false },
      () => s.localPools.start(t.config, {
        pool, exchange, routingKeys: [routingKey], workers, prefetch: state.prefetch, queueType: state.queueType, spreadOverNodes: state.spreadOverNodes ?? false,
      }),
    );
    s.log.info(`Started local pool "${pool}" on ${t.config.name} / ${t.config.vhost}: ${exchange} / ${routingKey}, ${workers} workers`);
    s.tree.refresh();
    if (!scripted) {
      void vscode.window.showInformationMessage(`Pool "${pool}" is running with ${entry.pool.workerNames.length} local workers on ${exchange} / ${routingKey}.`, 'Show Delivery Counts')
        .then((pick) => pick && vscode.commands.executeCommand(Commands.showDeliveryCounts, { broker: t.config.name, vhost: t.config.vhost, exchange, routingKey }));
    }
    return { id: entry.id, pool, workers: entry.pool.workerNames };
  },
};

/** "ceilometer" for the first pool, then a name not used yet locally. */
function suggestName(s: Services): string {
  const used = new Set(s.localPools.list().map((e) => e.pool.name));
  for (const n of ['ceilometer', 'audit', 'monitoring']) { if (!used.has(n)) { return n; } }
  let i = 2;
  while (used.has(`pool-${i}`)) { i++; }
  return `pool-${i}`;
}
