/** Create Worker Pool…: join or create pool P on exchange X with binding key K and start N local workers. */
import * as vscode from 'vscode';
import { MAX_WORKERS } from '../../broker/workers';
import type { Services } from '../../services';
import { Commands } from '../../constants';
import type { CommandDef } from '../command';
import { DEFAULT_ROUTING_KEY, askPoolName, askRoutingKey, askWholeNumber, isPoolArgs, pickExchange, targetFor } from './target';

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
    const entry = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: `Starting pool "${pool}" (${workers} workers)…`, cancellable: false },
      () => s.localPools.start(t.config, { pool, exchange, routingKeys: [routingKey], workers, prefetch: a.prefetch, queueType: a.queueType }),
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

/** "ceilometer" for the first pool, then a name not used yet locally. */
function suggestName(s: Services, _key: string): string {
  const used = new Set(s.localPools.list().map((e) => e.pool.name));
  for (const n of ['ceilometer', 'audit', 'monitoring']) { if (!used.has(n)) { return n; } }
  let i = 2;
  while (used.has(`pool-${i}`)) { i++; }
  return `pool-${i}`;
}
