/**
 * The Health section: per pool its verdict (drains in / grows by), capacity and oldest message, its backlog (ready and
 * unacked) over time, a bar per worker of unacked against prefetch, and the stalled and slow workers named. Broker
 * strings only ever become text (dom.ts).
 */
import type { HealthPoolView, HealthView, HealthWorkerView } from '../src/viewModel/panelProtocol';
import { durationWords } from '../src/broker/healthRules';
import { clear, fmt, h, shorten, svg } from './dom';
import { RATE_LEGEND, healthSpan, rateChartOf } from './healthCharts';

const ROW = 22;

function backlogChart(p: HealthPoolView, width: number): SVGSVGElement {
  const height = 120;
  const left = 48;
  const right = 8;
  const top = 8;
  const bottom = 20;
  const pts = p.history;
  const w = Math.max(200, width);
  const { t0, t1 } = healthSpan(p);
  const span = t1 - t0;
  const max = Math.max(1, ...pts.map((x) => Math.max(x.ready, x.unacked)));
  const x = (t: number) => left + ((t - t0) / span) * (w - left - right);
  const y = (v: number) => top + (1 - v / max) * (height - top - bottom);
  const el = svg('svg', {
    class: 'backlog', width: w, height, viewBox: `0 0 ${w} ${height}`, role: 'img', 'data-pool': p.name,
    'aria-label': `Backlog of pool ${p.name} over the last ${Math.round(span / 1000)} s: ready now ${fmt(p.ready)}, unacked ${fmt(p.unacked)}; ${p.verdict}`,
  });
  for (const v of [0, max]) {
    el.append(svg('line', { x1: left, x2: w - right, y1: y(v), y2: y(v), class: 'grid' }),
      svg('text', { x: left - 6, y: y(v) + 4, class: 'axis', 'text-anchor': 'end' }, fmt(v)));
  }
  el.append(svg('text', { x: left, y: height - 5, class: 'axis' }, `−${Math.round(span / 1000)} s`),
    svg('text', { x: w - right, y: height - 5, class: 'axis', 'text-anchor': 'end' }, 'latest sample'));
  const line = (key: 'ready' | 'unacked', cls: string) => {
    if (pts.length < 1) { return; }
    const coords = pts.map((q) => `${x(q.t).toFixed(1)},${y(q[key]).toFixed(1)}`);
    if (coords.length === 1) { coords.push(`${(x(pts[0].t) + 1).toFixed(1)},${y(pts[0][key]).toFixed(1)}`); }
    el.append(svg('polyline', { points: coords.join(' '), class: `line ${cls}`, 'data-series': key }, svg('title', {}, key)));
  };
  line('ready', 'series-0');
  line('unacked', 'series-2');
  return el;
}

function workerFill(p: HealthPoolView): SVGSVGElement {
  const height = Math.max(1, p.workers.length) * ROW + 6;
  const el = svg('svg', {
    class: 'bars fill', width: '100%', height, role: 'img',
    'aria-label': p.workers.length
      ? `Unacked of prefetch per worker of pool ${p.name}: ${p.workers.map((w) => `${w.application} ${w.unacked ?? '?'} of ${w.prefetch ?? 'unlimited'} (${w.state})`).join(', ')}`
      : `Pool ${p.name} has no workers`,
  });
  // Processes of one application share its name: label them by consumer tag then.
  const dup = new Set(p.workers.map((w) => w.application)).size < p.workers.length;
  p.workers.forEach((w, i) => {
    const y = i * ROW + 3;
    const frac = w.prefetch && w.unacked !== null ? Math.min(1, w.unacked / w.prefetch) : 0;
    el.append(
      svg('text', { x: '0', y: y + 14, class: 'bar-label' }, svg('title', {}, `${w.application} (${w.consumerTag})`), shorten(dup ? w.consumerTag : w.application, 16)),
      svg('rect', { x: '36%', y: y + 2, width: '48%', height: ROW - 6, class: 'bar-track', rx: 2 }),
      svg('rect', {
        x: '36%', y: y + 2, width: `${(frac * 48).toFixed(3)}%`, height: ROW - 6, rx: 2, class: `bar state-${w.state}`, 'data-worker': w.consumerTag, 'data-state': w.state,
      }, svg('title', {}, `${w.application}: ${w.unacked ?? '?'} unacked of prefetch ${w.prefetch ?? 'unlimited'}, ${w.state}`)),
      svg('text', { x: '100%', y: y + 14, class: 'bar-value', 'text-anchor': 'end' }, `${w.unacked ?? '?'}/${w.prefetch ?? '∞'} ${w.state}`),
    );
  });
  return el;
}

/** How fresh this pool's numbers are: the newest broker sample's age when read (stats lag ~1 interval), never "live". */
function freshness(p: HealthPoolView): string {
  const every = p.resolutionSeconds !== null ? `, sampled every ~${fmt(p.resolutionSeconds)} s` : '';
  return p.dataAgeSeconds === null ? `Sample age unknown${every}` : `Newest sample ${durationWords(p.dataAgeSeconds)} old when read${every}`;
}

function named(ws: HealthWorkerView[]): HTMLElement | undefined {
  const bad = ws.filter((w) => w.state === 'stalled' || w.state === 'slow');
  if (!bad.length) { return undefined; }
  return h('ul', { class: 'health-named' }, ...bad.map((w) => h('li', { class: `state-${w.state}`, 'data-worker': w.consumerTag, 'data-state': w.state },
    h('strong', {}, w.state === 'stalled' ? 'Stalled: ' : 'Slow: '), `${w.application} (${w.consumerTag}): ${w.why}`,
    w.lastAckSecondsAgo !== null ? `; last ack ≥ ${durationWords(w.lastAckSecondsAgo)} ago` : '; never acked')));
}

export class HealthSection {
  readonly element = h('div', { id: 'health' });
  private view: HealthView | undefined;

  set(v: HealthView | undefined): void { this.view = v; this.render(); }

  render(): void {
    const el = this.element;
    clear(el);
    const v = this.view;
    if (!v) { el.append(h('p', { class: 'muted' }, 'Reading pool health…')); return; }
    if (v.error) { el.append(h('p', { class: 'note warn' }, `Pool health could not be read: ${v.error}`)); }
    if (!v.pools.length) { el.append(h('p', { class: 'muted' }, 'No pools to judge yet.')); }
    const width = Math.max(240, el.clientWidth - 24);
    for (const p of v.pools) {
      const facts = [p.verdict, p.capacity === null ? 'capacity unknown' : `capacity ${Math.round(p.capacity * 100)} %`,
        `in ${p.publishRate === null ? '?' : fmt(p.publishRate)}/s`, `ack ${p.ackRate === null ? '?' : fmt(p.ackRate)}/s`,
        p.oldestAgeSeconds !== null ? `oldest ${durationWords(p.oldestAgeSeconds)}` : p.ready ? 'oldest unknown' : ''].filter(Boolean).join(' · ');
      el.append(h('article', { class: 'card health-card', 'data-health-pool': p.name },
        h('header', {}, h('h3', {}, p.name)), h('p', { class: 'health-facts' }, facts),
        h('p', { class: 'health-fresh muted' }, freshness(p)),
        backlogChart(p, width), h('p', { class: 'legend muted' }, h('span', { class: 'swatch series-0' }), ' ready ', h('span', { class: 'swatch series-2' }), ' unacked'),
        rateChartOf(p, width), h('p', { class: 'legend muted' }, ...RATE_LEGEND.flatMap((s) => [h('span', { class: `swatch ${s.cls}` }), ` ${s.label}/s `])),
        workerFill(p), named(p.workers)));
    }
    el.append(h('p', { class: 'freshness' }, v.note));
  }
}
