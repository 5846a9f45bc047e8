/** The Brokers tree as the extension-host suites read it: children, items, labels, descriptions and context values. */
import type { ExtensionApi } from '../../src/extension';

export function treeAccess<N extends { id: string } = { id: string }>(api: () => ExtensionApi) {
  const tree = () => api().services.tree;
  const kids = (n?: N) => tree().getChildren(n as never) as unknown as Promise<N[]>;
  const item = (n: N) => tree().getTreeItem(n as never);
  const label = (n: N) => { const l = item(n).label; return typeof l === 'string' ? l : l?.label ?? ''; };
  const desc = (n: N) => String(item(n).description ?? '');
  const ctx = (n: N) => item(n).contextValue ?? '';
  return { tree, kids, item, label, desc, ctx };
}
