/**
 * What the Brokers tree shows beside the broker's own data: local pools (started by this extension) and diagnose findings.
 *
 * The provider injects both per broker session (attachExtras); node classes read them through extrasOf(session), so the
 * nodes keep their constructors and the model (model/*.ts) stays free of them. Pool and worker nodes are created through
 * poolNodeFor / workerNodeFor, which pick the local subclass and remember the newest node per id, so that a counts
 * update or new findings redraw just those nodes (tree.redraw(node)) instead of refreshing the whole tree.
 */
import type { Finding } from '../broker/diagnose';
import type { LocalPoolEntry } from '../broker/localPools';
import type { Pool, Worker } from '../broker/topology';
import type { BrokerSession } from '../viewModel/brokerSession';
import type { FindingsSource } from '../viewModel/findingsStore';

export type { FindingsSource };
import type { TreeNode } from './nodes/treeNode';

/** Local pools by (broker, vhost, pool): LocalPools.find / list. */
export interface LocalPoolLookup {
  find(broker: string, vhost: string, pool: string): LocalPoolEntry | undefined;
  list(): LocalPoolEntry[];
}

/** Findings of one vhost, computed once per refresh (see findingsStore.ts). */

export type PoolNodeRef = TreeNode & { readonly vhost: string; readonly pool: Pool; readonly session: BrokerSession };

export interface TreeExtras {
  localPools?: LocalPoolLookup;
  findings?: FindingsSource;
  /**
   * Pool nodes drawn, the newest few per node id (the tree redraws them on counts and findings). Several, because a walk
   * (a command revealing a pool, a test) creates instances the view does not know, and VS Code ignores a redraw of those.
   */
  readonly poolNodes: Map<string, PoolNodeRef[]>;
}

const extras = new WeakMap<BrokerSession, TreeExtras>();

export function newTreeExtras(): TreeExtras {
  return { poolNodes: new Map() };
}

export function attachExtras(session: BrokerSession, x: TreeExtras): void {
  extras.set(session, x);
}

export function extrasOf(session: BrokerSession | undefined): TreeExtras | undefined {
  return session ? extras.get(session) : undefined;
}

/** The local pool a pool node stands for, if this extension runs workers on it. */
export function localEntryOf(session: BrokerSession, vhost: string, pool: string): LocalPoolEntry | undefined {
  const e = extrasOf(session)?.localPools?.find(session.name, vhost, pool);
  return e && e.status !== 'stopped' ? e : undefined;
}

export function findingsOf(session: BrokerSession, vhost: string, pool: string): Finding[] {
  return extrasOf(session)?.findings?.forPool(session.name, vhost, pool) ?? [];
}

/** Findings that name this worker (by consumer tag) on its pool. */
export function workerFindingsOf(session: BrokerSession, vhost: string, pool: string, w: Pick<Worker, 'id'>): Finding[] {
  return findingsOf(session, vhost, pool).filter((f) => f.workers?.includes(w.id));
}

const KEEP_PER_ID = 4;

export function trackPoolNode(n: PoolNodeRef): void {
  const x = extrasOf(n.session);
  if (!x) { return; }
  const list = x.poolNodes.get(n.id) ?? [];
  list.push(n);
  if (list.length > KEEP_PER_ID) { list.shift(); }
  x.poolNodes.set(n.id, list);
  x.findings?.ensure(n.session, n.vhost);
}
