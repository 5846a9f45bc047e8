/**
 * The Health section's per-pool rates chart: in (publish) and ack rates per second over time, from the same broker
 * samples as the backlog chart and on the same time axis, so a backlog that grows lines up with in above ack. Colours
 * from the theme (series-N classes); broker strings only ever become text or attribute values (dom.ts), never markup.
 */
import type { HealthPoolView } from '../src/viewModel/panelProtocol';
import { niceMax } from './charts';
import { fmt, svg } from './dom';

type RateKey = 'publish' | 'ack';
const SERIES: { key: RateKey; label: string; cls: string }[] = [
  { key: 'publish', label: 'in', cls: 'series-3' },
  { key: 'ack', label: 'ack', cls: 'series-1' },
];
export const RATE_LEGEND = SERIES;

/** The time axis both charts of a pool use: from the oldest to the newest sample of either. */
export function healthSpan(p: HealthPoolView): { t0: number; t1: number } {
  const ts = [...p.history.map((x) => x.t), ...p.rates.map((x) => x.t)];
  if (!ts.length) { return { t0: 0, t1: 1 }; }
  const t0 = Math.min(...ts);
  return { t0, t1: Math.max(t0 + 1, Math.max(...ts)) };
}

export function rateChartOf(p: HealthPoolView, width: number): SVGSVGElement {
  const height = 100;
  const left = 48;
  const right = 8;
  const top = 8;
  const bottom = 20;
  const w = Math.max(200, width);
  const { t0, t1 } = healthSpan(p);
  const pts = p.rates;
  let max = 0;
  for (const r of pts) { max = Math.max(max, r.publish ?? 0, r.ack ?? 0); }
  const yMax = niceMax(max);
  const x = (t: number) => left + ((t - t0) / (t1 - t0)) * (w - left - right);
  const y = (v: number) => top + (1 - v / yMax) * (height - top - bottom);
  const last = (k: RateKey) => { for (let i = pts.length - 1; i >= 0; i--) { const v = pts[i][k]; if (v !== null) { return v; } } return null; };
  const words = SERIES.map((s) => `${s.label} ${last(s.key) === null ? 'unknown' : `${fmt(last(s.key)!)}/s`}`).join(', ');
  const el = svg('svg', {
    class: 'health-rates', width: w, height, viewBox: `0 0 ${w} ${height}`, role: 'img', 'data-pool': p.name, 'data-points': pts.length,
    'aria-label': pts.length
      ? `In and ack rates of pool ${p.name} over the last ${Math.round((t1 - t0) / 1000)} s: at the latest sample ${words}`
      : `In and ack rates of pool ${p.name}: no samples yet`,
  });
  for (const v of [0, yMax / 2, yMax]) {
    el.append(svg('line', { x1: left, x2: w - right, y1: y(v), y2: y(v), class: 'grid' }),
      svg('text', { x: left - 6, y: y(v) + 4, class: 'axis', 'text-anchor': 'end' }, `${fmt(v)}/s`));
  }
  el.append(svg('text', { x: left, y: height - 5, class: 'axis' }, `−${Math.round((t1 - t0) / 1000)} s`),
    svg('text', { x: w - right, y: height - 5, class: 'axis', 'text-anchor': 'end' }, 'latest sample'));
  for (const s of SERIES) {
    // A gap (no sample of this counter then) breaks the line rather than drawing an invented rate across it.
    let run: string[] = [];
    const flush = () => {
      if (run.length === 1) { const [a, b] = run[0].split(','); run.push(`${(Number(a) + 1).toFixed(1)},${b}`); }
      if (run.length) { el.append(svg('polyline', { points: run.join(' '), class: `line ${s.cls}`, 'data-series': s.key }, svg('title', {}, `${s.label} per second`))); }
      run = [];
    };
    for (const r of pts) {
      const v = r[s.key];
      if (v === null) { flush(); } else { run.push(`${x(r.t).toFixed(1)},${y(v).toFixed(1)}`); }
    }
    flush();
  }
  return el;
}
