/** Workers per pool: a card per pool (the selected one first) with a bar per local worker and how evenly they share. */
import type { PoolRow } from '../src/viewModel/panelProtocol';
import { plural } from '../src/broker/text';
import { workerBars } from './charts';
import { clear, fmt, h } from './dom';
import { PageState, sortedPools } from './pageState';
import { button, tag } from './toolkit';

export class PoolCards {
  readonly element = h('div', { class: 'cards', id: 'cards' });
  private readonly cardEls = new Map<string, HTMLElement>();

  /** `peek(pool)`: the card's Peek Messages… button. */
  constructor(private readonly state: PageState, private readonly peek?: (pool: string) => void) {}

  render(): void {
    const { state, cardEls, element: cards } = this;
    const list = sortedPools(state);
    const sel = state.selection?.pool;
    const ordered = sel && state.pools.has(sel) ? [state.pools.get(sel) as PoolRow, ...list.filter((p) => p.name !== sel)] : list;
    for (const [name, el] of cardEls) {
      if (!state.pools.has(name)) { el.remove(); cardEls.delete(name); }
    }
    ordered.forEach((p, i) => {
      let card = cardEls.get(p.name);
      if (!card) {
        card = h('article', { class: 'card', 'data-pool': p.name });
        cardEls.set(p.name, card);
      }
      if (cards.children[i] !== card) { cards.insertBefore(card, cards.children[i] ?? null); }
      card.classList.toggle('selected', p.name === sel);
      clear(card);
      const head = h('header', {}, h('h3', {}, p.name), p.source === 'local' ? tag('exact') : tag('approx.'));
      if (this.peek) {
        const peek = this.peek;
        const b = button(`peek-${i}`, 'Peek Messages…', 'secondary', `Peek messages of pool ${p.name}`);
        b.classList.add('peek');
        b.setAttribute('data-pool', p.name);
        b.addEventListener('click', () => peek(p.name));
        head.append(b);
      }
      card.append(head);
      if (p.workerCounts.length) {
        card.append(workerBars(p.name, p.workerCounts, p.spread));
        const s = p.spread;
        if (s) {
          const uneven = s.cv > 0.2;
          card.append(h('p', { class: `spread${uneven ? ' uneven' : ''}`, 'data-cv': s.cv },
            `min ${fmt(s.min)} · max ${fmt(s.max)} · mean ${fmt(s.mean)} · CV ${s.cv.toFixed(2)}`,
            uneven ? ' — uneven' : '', s.idle ? ` · ${plural(s.idle, 'idle worker')}` : ''));
        }
      } else {
        card.append(h('p', { class: 'muted' },
          `${plural(p.workers, 'remote consumer')}: per-worker counts are known only for local workers.`));
      }
      // A local pool has a note only when it is not running (e.g. AMQP lost): a warning, not a remark.
      if (p.note) { card.append(h('p', { class: p.source === 'local' ? 'note warn' : 'muted note' }, p.note)); }
    });
  }
}
