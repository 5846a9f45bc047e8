/** What the page knows: the last snapshot and the updates since, as the extension sent them (protocol.ts). */
import type { AuditView, BusyView, PanelSelection, PoolRow, RatePoint } from '../src/viewModel/panelProtocol';

export interface PageState {
  selection: PanelSelection | undefined;
  pools: Map<string, PoolRow>;
  history: RatePoint[];
  audit: AuditView | undefined;
  busy: BusyView | undefined;
  managementAt: number | undefined;
  managementError: string | undefined;
}

export function emptyPageState(): PageState {
  return { selection: undefined, pools: new Map(), history: [], audit: undefined, busy: undefined, managementAt: undefined, managementError: undefined };
}

/** Local pools (exact) first, then by name. */
export function sortedPools(state: PageState): PoolRow[] {
  return [...state.pools.values()].sort((a, b) => (a.source === b.source ? a.name.localeCompare(b.name) : a.source === 'local' ? -1 : 1));
}
