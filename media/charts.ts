/**
 * SVG charts built with createElementNS: a bar per worker (with the pool's mean) and a line chart of rates. Colours come
 * from the theme through CSS classes (main.css: var(--vscode-charts-*)), so light, dark and high-contrast themes apply.
 * Each chart has role="img" and an aria-label that says what it shows in words.
 */
import type { RatePoint, SpreadView, WorkerRow } from '../src/viewModel/panelProtocol';
import { fmt, shorten, svg } from './dom';
import { plural } from '../src/broker/text';

const ROW = 22;
/** Bars start after the worker's name and leave room at the right for the value. */
const BAR_X = 36;
const BAR_W = 48;
/** Series colours (main.css maps series-N to --vscode-charts-*). */
export const SERIES = 6;

/** Horizontal bars, one per worker; bars more than 20 % off the mean are marked (class "off"). */
export function workerBars(pool: string, workers: WorkerRow[], spread: SpreadView | undefined): SVGSVGElement {
  const max = Math.max(1, ...workers.map((w) => w.delivered));
  const height = Math.max(1, workers.length) * ROW + 6;
  const words = workers.map((w) => `${w.name} ${fmt(w.delivered)}`).join(', ');
  const el = svg('svg', {
    class: 'bars', width: '100%', height, role: 'img',
    'aria-label': workers.length ? `Deliveries per worker of pool ${pool}: ${words}` : `Pool ${pool} has no local workers`,
  });
  const mean = spread?.mean ?? 0;
  workers.forEach((w, i) => {
    const y = i * ROW + 3;
    const pct = (w.delivered / max) * BAR_W;
    const off = mean > 0 && Math.abs(w.delivered - mean) / mean > 0.2;
    el.append(
      svg('text', { x: '0', y: y + 14, class: 'bar-label' }, svg('title', {}, w.name), shorten(w.name, 16)),
      svg('rect', { x: `${BAR_X}%`, y: y + 2, width: `${BAR_W}%`, height: ROW - 6, class: 'bar-track', rx: 2 }),
      svg('rect', {
        x: `${BAR_X}%`, y: y + 2, width: `${pct.toFixed(3)}%`, height: ROW - 6, rx: 2, class: `bar${off ? ' off' : ''}${w.state === 'consuming' ? '' : ' inactive'}`,
        'data-worker': w.name, 'data-delivered': w.delivered,
      }, svg('title', {}, `${w.name}: ${fmt(w.delivered)} delivered (${w.state})`)),
      svg('text', { x: '100%', y: y + 14, class: 'bar-value', 'text-anchor': 'end' }, fmt(w.delivered)),
    );
  });
  if (mean > 0 && workers.length > 1) {
    const x = `${(BAR_X + (mean / max) * BAR_W).toFixed(3)}%`;
    el.append(svg('line', { x1: x, x2: x, y1: 0, y2: height, class: 'mean-line' }, svg('title', {}, `mean ${fmt(mean)}`)));
  }
  return el;
}

export interface Series { name: string; index: number }

/** Rates over time: one polyline per pool, the last `windowMs` (at least a minute). */
export function rateChart(history: RatePoint[], series: Series[], width: number, now = Date.now()): SVGSVGElement {
  const height = 170;
  const left = 48;
  const right = 8;
  const top = 8;
  const bottom = 22;
  const first = history.length ? history[0].t : now;
  const windowMs = Math.min(5 * 60_000, Math.max(60_000, now - first));
  const t0 = now - windowMs;
  const pts = history.filter((p) => p.t >= t0);
  let max = 0;
  for (const p of pts) { for (const s of series) { max = Math.max(max, p.rates[s.name] ?? 0); } }
  const yMax = niceMax(max);
  const w = Math.max(200, width);
  const x = (t: number) => left + ((t - t0) / windowMs) * (w - left - right);
  const y = (v: number) => top + (1 - v / yMax) * (height - top - bottom);
  const minutes = Math.round(windowMs / 60_000);
  const summary = series.map((s) => {
    const last = pts.length ? pts[pts.length - 1].rates[s.name] ?? 0 : 0;
    const peak = Math.max(0, ...pts.map((p) => p.rates[s.name] ?? 0));
    return `${s.name} now ${fmt(last)}/s, peak ${fmt(peak)}/s`;
  }).join('; ');
  const el = svg('svg', {
    class: 'rates', width: w, height, viewBox: `0 0 ${w} ${height}`, role: 'img',
    'aria-label': `Deliveries per second over the last ${plural(minutes, 'minute')}: ${summary || 'no pools'}`,
  });
  // Grid: 0, half, max.
  for (const v of [0, yMax / 2, yMax]) {
    el.append(svg('line', { x1: left, x2: w - right, y1: y(v), y2: y(v), class: 'grid' }),
      svg('text', { x: left - 6, y: y(v) + 4, class: 'axis', 'text-anchor': 'end' }, fmt(v)));
  }
  el.append(svg('text', { x: left, y: height - 6, class: 'axis' }, `−${minutes} min`),
    svg('text', { x: w - right, y: height - 6, class: 'axis', 'text-anchor': 'end' }, 'now'));
  for (const s of series) {
    const coords = pts.map((p) => `${x(p.t).toFixed(1)},${y(p.rates[s.name] ?? 0).toFixed(1)}`);
    if (coords.length === 0) { continue; }
    if (coords.length === 1) { coords.push(`${(x(pts[0].t) + 1).toFixed(1)},${y(pts[0].rates[s.name] ?? 0).toFixed(1)}`); }
    el.append(svg('polyline', { points: coords.join(' '), class: `line series-${s.index % SERIES}`, 'data-pool': s.name }, svg('title', {}, s.name)));
  }
  return el;
}

export function niceMax(v: number): number {
  if (v <= 0) { return 1; }
  const p = 10 ** Math.floor(Math.log10(v));
  for (const m of [1, 2, 2.5, 5, 10]) { if (m * p >= v) { return m * p; } }
  return 10 * p;
}
