/** Add Worker, Stop Worker, Stop Pool: act on a running local pool (from its tree node, a script argument or a pick). */
import { assertWritable } from '../../broker/receivers';
import * as vscode from 'vscode';
import type { Services } from '../../services';
import { Commands } from '../../constants';
import type { CommandDef } from '../command';
import { cancelled, isPoolArgs, localPoolFor } from './target';
import { TreeNode } from '../../tree/nodes/treeNode';

export const addWorkerCommand: CommandDef = {
  id: Commands.addWorker,
  title: 'Add Worker',
  async run(s: Services, arg?: unknown) {
    const e = await localPoolFor(s, arg, 'Add a worker to which local pool?');
    if (!e) { return undefined; }
    assertWritable(e.config, 'Add Worker');
    const name = await e.pool.addWorker();
    s.tree.refresh();
    return name;
  },
};

export const stopWorkerCommand: CommandDef = {
  id: Commands.stopWorker,
  title: 'Stop Worker',
  async run(s: Services, arg?: unknown) {
    const e = await localPoolFor(s, arg, 'Stop a worker of which local pool?');
    if (!e) { return undefined; }
    let worker = isPoolArgs(arg) ? arg.worker : workerOfNode(arg);
    if (worker && !e.pool.workerNames.includes(worker)) {
      // A worker node carries the consumer tag; map it to the local worker's name.
      worker = e.pool.snapshot().workers.find((w) => w.consumerTag === worker)?.name ?? worker;
    }
    if (!worker) {
      const pick = await vscode.window.showQuickPick(e.pool.snapshot().workers.filter((w) => e.pool.workerNames.includes(w.name))
        .map((w) => ({ label: w.name, description: `${w.delivered.toLocaleString('en-US')} delivered · ${w.state}` })), { placeHolder: `Stop which worker of "${e.pool.name}"?` });
      worker = pick?.label ?? cancelled();
    }
    await e.pool.removeWorker(worker);
    s.tree.refresh();
    return worker;
  },
};

export const stopPoolCommand: CommandDef = {
  id: Commands.stopPool,
  title: 'Stop Pool',
  async run(s: Services, arg?: unknown) {
    const e = await localPoolFor(s, arg, 'Stop which local pool?');
    if (!e) { return undefined; }
    let deleteQueue = isPoolArgs(arg) ? arg.deleteQueue === true : undefined;
    if (deleteQueue === undefined) {
      const keep = 'Stop Workers';
      const del = 'Stop and Delete Queue';
      const pick = await vscode.window.showWarningMessage(`Stop the ${e.pool.workerNames.length} local workers of pool "${e.pool.name}"?`,
        { modal: true, detail: `The queue "${e.pool.queue}" stays on the broker (and keeps receiving messages) unless you delete it.` }, keep, del);
      if (!pick) { cancelled(); }
      deleteQueue = pick === del;
    }
    const final = await s.localPools.stop(e.id, { deleteQueue });
    s.tree.refresh();
    if (final && !isPoolArgs(arg)) {
      void vscode.window.showInformationMessage(`Pool "${e.pool.name}" stopped after ${final.delivered.toLocaleString('en-US')} deliveries (${final.duplicates} duplicates, ${final.redelivered} redelivered)${deleteQueue ? '; its queue was deleted' : ''}.`);
    }
    return final;
  },
};

function workerOfNode(arg: unknown): string | undefined {
  if (!(arg instanceof TreeNode)) { return undefined; }
  const w = (arg as unknown as { worker?: { consumerTag?: unknown } }).worker;
  return w && typeof w.consumerTag === 'string' ? w.consumerTag : undefined;
}
