/**
 * Under a pool: where its dead letters go ("Dead letters → exchange (key) → pool (n ready)") and, for a dead-letter
 * pool, which pools feed it ("Dead letters from …", where Replay Dead Letters… is offered).
 */
import * as vscode from 'vscode';
import { describeError } from '../../broker/errors';
import { DeadLetterPath, deadLetterConfigOf } from '../../broker/deadLetters';
import { deadLetterPathLive, sourcesFromIndex } from '../../broker/deadLettersLive';
import { DEAD_LETTER_INDEX_MAX_QUEUES, DeadLetterIndex, deadLetterIndexOf } from '../../viewModel/deadLetterIndexCache';
import type { Pool } from '../../broker/topology';
import { ContextValues } from '../../constants';
import type { BrokerSession } from '../../viewModel/brokerSession';
import { deadLetterPathDetail, deadLetterPathLabel, deadLetterSourcesLabel, deadLettersLost } from '../../viewModel/deadLetterText';
import { plainLabel } from '../../viewModel/text';
import { InfoNode } from './messageNodes';
import { TreeNode } from './treeNode';

export class DeadLetterPathNode extends TreeNode {
  constructor(parent: TreeNode, readonly vhost: string, readonly pool: string, readonly path: DeadLetterPath) {
    super(parent, 'deadLetters');
  }

  getTreeItem(): vscode.TreeItem {
    const lost = deadLettersLost(this.path);
    const icon = lost ? new vscode.ThemeIcon('warning', new vscode.ThemeColor('problemsWarningIcon.foreground')) : new vscode.ThemeIcon('mail');
    const item = this.item(plainLabel(deadLetterPathLabel(this.path), 300), vscode.TreeItemCollapsibleState.None, ContextValues.deadLetterPath, icon);
    item.tooltip = deadLetterPathDetail(this.path).join('\n');
    return item;
  }
}

export class DeadLetterSourcesNode extends TreeNode {
  constructor(parent: TreeNode, private readonly sessionValue: BrokerSession, readonly vhost: string, readonly pool: Pool, readonly sources: string[]) {
    super(parent, 'deadLetterSources');
  }

  override get session(): BrokerSession { return this.sessionValue; }
  override get objectName(): string { return this.pool.name; }

  getTreeItem(): vscode.TreeItem {
    const item = this.item(plainLabel(deadLetterSourcesLabel(this.sources), 300), vscode.TreeItemCollapsibleState.None, ContextValues.deadLetterSources, 'reply');
    item.tooltip = `"${this.pool.name}" receives the dead letters of ${this.sources.join(', ')}. Replay Dead Letters… moves them back.`;
    return item;
  }
}

/**
 * How long a pool's children wait for a "fed by" index not read yet in this refresh (a vhost-wide queue list: seconds on a
 * large broker). Past it they show without the "Dead letters from …" row, and the pool redraws (with it) once it is read.
 */
export const DEAD_LETTER_INDEX_WAIT_MS = 250;

type ShownIndex = DeadLetterIndex | { error: unknown };

/** The index if read (this refresh) or read within DEAD_LETTER_INDEX_WAIT_MS; else undefined, and `parent` redraws when it is. */
async function indexForChildren(parent: TreeNode, session: BrokerSession, vhost: string): Promise<ShownIndex | undefined> {
  const key = JSON.stringify([vhost, 'deadLetterIndexShown']);
  const known = session.memo.peek<ShownIndex>(key);
  if (known) { return known; }
  // Never rejects (a failure is kept as { error } for this refresh), so a redraw does not ask again and again.
  const loading = session.memo.get<ShownIndex>(key, () => session.memo.track<ShownIndex>(key, deadLetterIndexOf(session, vhost).catch((e: unknown) => ({ error: e }))));
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<undefined>((r) => { timer = setTimeout(() => r(undefined), DEAD_LETTER_INDEX_WAIT_MS); });
  const first = await Promise.race([loading, late]);
  clearTimeout(timer);
  if (first === undefined) { void loading.then(() => session.redraw(parent)); }
  return first;
}

/** The dead-letter children of a pool node; an info line when the broker cannot say (the rest of the pool still shows). */
export async function deadLetterNodes(parent: TreeNode, session: BrokerSession, vhost: string, pool: Pool): Promise<TreeNode[]> {
  const out: TreeNode[] = [];
  try {
    const client = session.client;
    if (deadLetterConfigOf(pool)) {
      const path = await session.memo.get(JSON.stringify([vhost, 'deadLetterPath', pool.name]), () => deadLetterPathLive(client, vhost, pool));
      if (path) { out.push(new DeadLetterPathNode(parent, vhost, pool.name, path)); }
    }
    const index = await indexForChildren(parent, session, vhost);
    if (!index) { return out; }
    if ('error' in index) { throw index.error; }
    if ('skipped' in index) {
      out.push(new InfoNode(parent, `Dead letters from: not looked up (${index.skipped.toLocaleString('en-US')} queues on this broker, over ${DEAD_LETTER_INDEX_MAX_QUEUES.toLocaleString('en-US')})`, 'info', 'deadLetterSourcesSkipped'));
      return out;
    }
    const sources = sourcesFromIndex(index, pool.name);
    if (sources.length) { out.push(new DeadLetterSourcesNode(parent, session, vhost, pool, sources)); }
  } catch (e) {
    out.push(new InfoNode(parent, plainLabel(`Dead letters: could not be read (${describeError(e)})`, 300), 'warning', 'deadLettersError'));
  }
  return out;
}
