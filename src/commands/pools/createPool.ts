/** Create Worker Pool…: join or create pool P on exchange X with binding key K and start N local workers. */
import * as vscode from 'vscode';
import { amqpUrlsOf } from '../../broker/connection';
import { MAX_WORKERS, QueueType } from '../../broker/workers';
import type { Services } from '../../services';
import { Commands } from '../../constants';
import type { CommandDef } from '../command';
import { DEFAULT_ROUTING_KEY, PoolArgs, askPoolName, askRoutingKey, askWholeNumber, cancelled, isPoolArgs, pickExchange, targetFor } from './target';

export const createPoolCommand: CommandDef = {
  id: Commands.createPool,
  title: 'Create Worker Pool',
  async run(s: Services, arg?: unknown) {
    const t = await targetFor(s, arg);
    if (!t) { return undefined; }
    const scripted = isPoolArgs(arg);
    const a = t.args;
    const exchange = a.exchange ?? await pickExchange(t.config, 'The exchange the pool listens to (e.g. nova)');
    const routingKey = a.routingKey ?? (scripted ? DEFAULT_ROUTING_KEY : await askRoutingKey());
    const pool = a.pool ?? await askPoolName(suggestName(s, routingKey));
    const workers = a.workers ?? (scripted ? 1 : await askWholeNumber('Workers', `How many workers share pool "${pool}"?`, 3, 1, MAX_WORKERS));
    const queueType = a.queueType ?? (scripted ? undefined : await pickQueueType(pool));
    const nodes = amqpUrlsOf(t.config).length;
    const spread = (a as PoolArgs & { spreadOverNodes?: boolean }).spreadOverNodes ?? (scripted || nodes < 2 ? false : await pickSpread(nodes));
    const entry = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: `Starting pool "${pool}" (${workers} workers)…`, cancellable: false },
      () => s.localPools.start(t.config, { pool, exchange, routingKeys: [routingKey], workers, prefetch: a.prefetch, queueType, spreadOverNodes: spread }),
    );
    s.log.info(`Started local pool "${pool}" on ${t.config.name} / ${t.config.vhost}: ${exchange} / ${routingKey}, ${workers} workers`);
    s.tree.refresh();
    if (!scripted) {
      void vscode.window.showInformationMessage(`Pool "${pool}" is running with ${entry.pool.workerNames.length} local workers on ${exchange} / ${routingKey}.`, 'Show Delivery Counts')
        .then((pick) => pick && vscode.commands.executeCommand('rabbitmqPools.panel.show', { broker: t.config.name, vhost: t.config.vhost, exchange, routingKey }));
    }
    return { id: entry.id, pool, workers: entry.pool.workerNames };
  },
};

/** Classic or quorum, for a pool whose queue does not exist yet (an existing queue is joined as it is). */
async function pickQueueType(pool: string): Promise<QueueType> {
  const pick = await vscode.window.showQuickPick([
    { label: 'classic', type: 'classic' as const, description: 'one node holds the queue', detail: 'The default. If that node goes down, the pool is unavailable until it is back.' },
    { label: 'quorum', type: 'quorum' as const, description: 'replicated over the cluster\'s nodes', detail: 'Survives the loss of a minority of nodes (a leader and followers); always durable.' },
  ], { title: 'Queue type', placeHolder: `The queue type of pool "${pool}" if it is created (an existing queue keeps its own)` });
  return pick?.type ?? cancelled();
}

/** A cluster: one connection per node with workers round-robin, or one connection for the whole pool. */
async function pickSpread(nodes: number): Promise<boolean> {
  const pick = await vscode.window.showQuickPick([
    { label: 'One connection', spread: false, description: 'on the first node that answers, failing over to the next' },
    { label: `Spread over the ${nodes} nodes`, spread: true, description: 'one connection per node, workers round-robin', detail: 'Losing a node stops only the workers on it until they reconnect to another node.' },
  ], { title: 'Workers on the cluster', placeHolder: 'Where the workers connect' });
  return pick?.spread ?? cancelled();
}

/** "ceilometer" for the first pool, then a name not used yet locally. */
function suggestName(s: Services, _key: string): string {
  const used = new Set(s.localPools.list().map((e) => e.pool.name));
  for (const n of ['ceilometer', 'audit', 'monitoring']) { if (!used.has(n)) { return n; } }
  let i = 2;
  while (used.has(`pool-${i}`)) { i++; }
  return `pool-${i}`;
}
