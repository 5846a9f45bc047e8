/** Deliveries per second: the rate chart of every pool and its legend; a pool keeps its colour while the page lives. */
import { Series, rateChart } from './charts';
import { clear, h } from './dom';
import { PageState, sortedPools } from './pageState';

export class RatesView {
  readonly chartBox = h('div', { class: 'chart', id: 'rates' });
  readonly legend = h('ul', { class: 'legend', id: 'legend', 'aria-label': 'Chart legend' });
  private readonly seriesIndex = new Map<string, number>();

  constructor(private readonly state: PageState) {}

  render(): void {
    const series: Series[] = sortedPools(this.state).map((p) => ({ name: p.name, index: this.seriesOf(p.name) }));
    clear(this.chartBox);
    this.chartBox.append(rateChart(this.state.history, series, this.chartBox.clientWidth || 600));
    clear(this.legend);
    for (const s of series) {
      this.legend.append(h('li', {}, h('span', { class: `swatch series-${s.index % 6}`, 'aria-hidden': 'true' }), s.name));
    }
  }

  private seriesOf(name: string): number {
    let i = this.seriesIndex.get(name);
    if (i === undefined) { i = this.seriesIndex.size; this.seriesIndex.set(name, i); }
    return i;
  }
}
