/**
 * Finding nodes of the Brokers tree by walking it the way the workbench does (provider.getChildren, cached reads), so that
 * commands can reveal and select them: the pools a route reaches under an exchange's binding keys, a finding's pool.
 * Only what the tree shows can be found: an exchange or pool beyond the pages shown ("Load more…") is not.
 */
import type { BrokersTreeProvider } from './brokersTreeProvider';
import { BindingKeyNode } from './nodes/bindingKeyNode';
import { BrokerNode } from './nodes/brokerNode';
import { ExchangeNode } from './nodes/exchangeNode';
import { ExchangesFolderNode, PoolsFolderNode } from './nodes/folderNodes';
import { PendingPoolNode } from './nodes/pendingPoolNode';
import { PoolNode } from './nodes/poolNode';
import type { TreeNode } from './nodes/treeNode';
import { VhostNode } from './nodes/vhostNode';

async function childOf<T extends TreeNode>(tree: BrokersTreeProvider, parent: TreeNode | undefined, pick: (n: TreeNode) => n is T): Promise<T | undefined> {
  return (await tree.getChildren(parent)).find(pick);
}

export async function vhostNode(tree: BrokersTreeProvider, broker: string, vhost: string): Promise<VhostNode | undefined> {
  // The view's own roots when they are current: asking for new roots would make the view's nodes look stale to redraws.
  const find = (roots: readonly TreeNode[]) => roots.find((n): n is BrokerNode => n instanceof BrokerNode && n.entry.setting.name === broker &&
    !!n.session && tree.allSessions().includes(n.session));
  const b = find(tree.shownRoots) ?? find(await tree.getChildren());
  return b && childOf(tree, b, (n): n is VhostNode => n instanceof VhostNode && n.vhost === vhost);
}

export async function exchangeNode(tree: BrokersTreeProvider, broker: string, vhost: string, exchange: string): Promise<ExchangeNode | undefined> {
  const v = await vhostNode(tree, broker, vhost);
  const folder = v && await childOf(tree, v, (n): n is ExchangesFolderNode => n instanceof ExchangesFolderNode);
  return folder && childOf(tree, folder, (n): n is ExchangeNode => n instanceof ExchangeNode && n.exchange.name === exchange);
}

/** Pool nodes under an exchange's binding keys: those of `pools` under the keys `keyMatches` accepts. */
export async function poolNodesUnder(tree: BrokersTreeProvider, broker: string, vhost: string, exchange: string, pools: readonly string[],
  keyMatches: (k: BindingKeyNode) => boolean = () => true): Promise<PoolNode[]> {
  const x = await exchangeNode(tree, broker, vhost, exchange);
  if (!x) { return []; }
  const keys = (await tree.getChildren(x)).filter((n): n is BindingKeyNode => n instanceof BindingKeyNode && keyMatches(n) && n.binding.pools.some((p) => pools.includes(p.name)));
  const out: PoolNode[] = [];
  for (const k of keys) {
    let kids = await tree.getChildren(k);
    // A large key draws names first: wait for the details of the pools sought, then they are PoolNodes (same ids).
    const pending = kids.filter((n): n is PendingPoolNode => n instanceof PendingPoolNode && pools.includes(n.name)).map((n) => n.name);
    if (pending.length) {
      await k.session.vhost(vhost).pools(pending);
      kids = await tree.getChildren(k);
    }
    out.push(...kids.filter((n): n is PoolNode => n instanceof PoolNode && pools.includes(n.pool.name)));
  }
  return out;
}

/** A pool's node: under the exchange and key given when there is one, else in the Pools folder. */
export async function poolNode(tree: BrokersTreeProvider, broker: string, vhost: string, pool: string, via?: { exchange?: string; routingKey?: string }): Promise<PoolNode | undefined> {
  if (via?.exchange) {
    const found = await poolNodesUnder(tree, broker, vhost, via.exchange, [pool], (k) => via.routingKey === undefined || k.binding.routingKey === via.routingKey);
    if (found.length) { return found[0]; }
  }
  const v = await vhostNode(tree, broker, vhost);
  const folder = v && await childOf(tree, v, (n): n is PoolsFolderNode => n instanceof PoolsFolderNode);
  return folder && childOf(tree, folder, (n): n is PoolNode => n instanceof PoolNode && n.pool.name === pool);
}
