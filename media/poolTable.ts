/** The Pools table: one row per pool bound to the selection, kept in place across updates, and the freshness line under it. */
import type { PoolRow } from '../src/viewModel/panelProtocol';
import { freshnessLine } from '../src/viewModel/freshness';
import { clear, fmt, h } from './dom';
import { PageState, sortedPools } from './pageState';
import { tag } from './toolkit';

const COLUMNS: [key: keyof PoolRow | 'sourceTag', label: string, numeric: boolean][] = [
  ['name', 'Pool', false], ['sourceTag', 'Counts', false], ['workers', 'Workers', true], ['delivered', 'Delivered', true], ['acked', 'Acked', true],
  ['redelivered', 'Redelivered', true], ['duplicates', 'Duplicates', true], ['ratePerSecond', 'Messages/s', true], ['ready', 'Ready', true],
  ['unacked', 'Unacked', true],
];

function cellValue(p: PoolRow, key: (typeof COLUMNS)[number][0]): Node | string {
  switch (key) {
    case 'name': return p.name;
    case 'sourceTag': return p.source === 'local' ? tag('exact', 'Counted per message by local workers, live') : tag('approx.', 'From the management API: lags and includes other traffic');
    default: {
      const v = p[key];
      return typeof v === 'number' ? fmt(v) : '—';
    }
  }
}

export class PoolTable {
  readonly table = h('table', { class: 'pools', id: 'pools', 'aria-describedby': 'freshness' });
  readonly freshness = h('p', { class: 'freshness', id: 'freshness' });
  private readonly tbody = h('tbody');
  private readonly rowEls = new Map<string, HTMLTableRowElement>();

  /** `toggle(name)`: a row was clicked or activated from the keyboard. */
  constructor(private readonly state: PageState, private readonly toggle: (pool: string) => void) {
    this.table.append(
      h('caption', { class: 'visually-hidden' }, 'Pools bound to the exchange and routing key, with their delivery counts'),
      h('thead', {}, h('tr', {}, ...COLUMNS.map(([k, label, num]) => h('th', { scope: 'col', class: num ? 'num' : undefined, 'data-col': k }, label)))),
      this.tbody,
    );
  }

  render(): void {
    const { state, tbody, rowEls } = this;
    const list = sortedPools(state);
    for (const [name, tr] of rowEls) {
      if (!state.pools.has(name)) { tr.remove(); rowEls.delete(name); }
    }
    if (list.length === 0) {
      if (!tbody.querySelector('.empty')) {
        tbody.append(h('tr', { class: 'empty' }, h('td', { colspan: COLUMNS.length }, 'No pool is bound to this exchange with this routing key (yet).')));
      }
    } else {
      tbody.querySelector('.empty')?.remove();
    }
    list.forEach((p, i) => {
      let tr = rowEls.get(p.name);
      if (!tr) {
        const row = h('tr', { class: 'pool-row', tabindex: 0, 'data-pool': p.name });
        row.addEventListener('click', () => this.toggle(p.name));
        row.addEventListener('keydown', (e) => {
          if (e.key === 'Enter' || e.key === ' ') { e.preventDefault(); this.toggle(p.name); }
        });
        rowEls.set(p.name, row);
        tr = row;
      }
      if (tbody.children[i] !== tr) { tbody.insertBefore(tr, tbody.children[i] ?? null); }
      const selected = state.selection?.pool === p.name;
      tr.setAttribute('aria-selected', String(selected));
      tr.classList.toggle('selected', selected);
      tr.setAttribute('aria-label', `Pool ${p.name}: ${fmt(p.delivered)} delivered${selected ? ', selected' : ''}${p.note ? `. ${p.note}` : ''}`);
      // The note (e.g. a lost AMQP connection) is on the pool's card too; here it is the row's tooltip.
      if (p.note) { tr.setAttribute('title', p.note); } else { tr.removeAttribute('title'); }
      tr.classList.toggle('has-note', p.note !== undefined);
      clear(tr);
      for (const [key, , num] of COLUMNS) {
        const v = key === 'sourceTag' ? undefined : p[key];
        const cell = key === 'name' ? h('th', { scope: 'row', 'data-col': key }) : h('td', { class: num ? 'num' : undefined, 'data-col': key });
        if (typeof v === 'number') { cell.setAttribute('data-value', String(v)); }
        cell.append(cellValue(p, key));
        tr.append(cell);
      }
    });
    this.renderFreshness();
  }

  renderFreshness(): void {
    const { state } = this;
    this.freshness.textContent = freshnessLine([...state.pools.values()], state.managementAt, state.managementError);
    this.freshness.classList.toggle('error', state.managementError !== undefined);
  }
}
