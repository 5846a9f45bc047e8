/** What Purge Pool and Delete Pool share: the pool from the node, its current message count, a modal confirmation. */
import * as vscode from 'vscode';
import { BrokerError } from '../broker/errors';
import { assertWritable } from '../broker/receivers';
import { plural } from '../broker/text';
import type { Services } from '../services';
import { PoolNode } from '../tree/nodes/poolNode';

export async function confirmPoolAction(s: Services, node: unknown, verb: 'Purge' | 'Delete'): Promise<PoolNode | undefined> {
  if (!(node instanceof PoolNode)) {
    void vscode.window.showInformationMessage(`${verb} Pool works on a pool in the Brokers view: right-click the pool.`);
    return undefined;
  }
  assertWritable(node.session.config, `${verb} Pool`);
  // Ask the broker now: the tree's count may be seconds old.
  let q;
  try {
    q = await node.session.client.queue(node.vhost, node.pool.name);
  } catch (e) {
    if (e instanceof BrokerError && e.kind === 'not-found') {
      void vscode.window.showWarningMessage(`The pool "${node.pool.name}" no longer exists.`);
      s.tree.refresh(node.parent);
      return undefined;
    }
    throw e;
  }
  const n = q.messages ?? 0;
  const consumers = q.consumers ?? 0;
  const msg = verb === 'Purge'
    ? `Purge pool "${node.pool.name}"? Its ${plural(n, 'message')} will be deleted.`
    : `Delete pool "${node.pool.name}" and its ${plural(n, 'message')}?`;
  const detail = `vhost "${node.vhost}" on broker "${node.session.name}". ${plural(consumers, 'worker')} consume from it.` +
    (verb === 'Delete' ? ' Its bindings go too and its workers are cancelled.' : ' Unacknowledged messages are not purged.') + ' This cannot be undone.';
  return (await s.prompts.confirm(msg, detail, verb)) ? node : undefined;
}
