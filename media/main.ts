/**
 * The Delivery Counts page (bundled by esbuild to dist/webview.js). It renders what the extension sends (protocol.ts)
 * and posts the buttons' actions back. Every broker-provided string is set as text: see dom.ts.
 */
import './main.css';
import type {
  AuditView, BusyView, HostMessage, PageMessage, PanelSelection, PanelState, PersistedState, PoolRow, RatePoint,
} from '../src/webview/protocol';
import { DEFAULT_COUNT, HISTORY_POINTS, MAX_COUNT, isPersistedState } from '../src/webview/protocol';
import { freshnessLine } from '../src/webview/freshness';
import { Series, rateChart, workerBars } from './charts';
import { clear, fmt, h } from './dom';
import { button, divider, dropdown, fieldValue, progressRing, registerToolkit, setDisabled, setFieldValue, tag, textField } from './toolkit';

interface VsCodeApi {
  postMessage(m: PageMessage): void;
  getState(): unknown;
  setState(s: PersistedState): void;
}
declare function acquireVsCodeApi(): VsCodeApi;

const vscode = acquireVsCodeApi();
registerToolkit();

// ---- state ----
let selection: PanelSelection | undefined;
const pools = new Map<string, PoolRow>();
let history: RatePoint[] = [];
let audit: AuditView | undefined;
let busy: BusyView | undefined;
let managementAt: number | undefined;
let managementError: string | undefined;
const seriesIndex = new Map<string, number>();
const persisted = isPersistedState(vscode.getState()) ? vscode.getState() as PersistedState : undefined;

// ---- skeleton ----
const app = document.getElementById('app') ?? document.body.appendChild(h('main', { id: 'app' }));
clear(app);
const title = h('h1', { id: 'title' }, 'Pool Delivery Counts');
const subtitle = h('p', { class: 'subtitle', id: 'subtitle' });
const countField = textField('count', 'Count', String(persisted?.count ?? DEFAULT_COUNT));
const publishBtn = button('publish', 'Publish Test Notifications', 'primary');
const auditBtn = button('audit', 'Run Audit');
const resetBtn = button('reset', 'Reset Counts');
const formatDd = dropdown('format', 'Export format', [{ value: 'json', label: 'JSON' }, { value: 'csv', label: 'CSV' }]);
const exportBtn = button('export', 'Export…', 'secondary', 'Export the counts to a file');
const progressText = h('span', { id: 'progress-text' });
const cancelBtn = button('cancel', 'Cancel', 'secondary', 'Cancel the running action');
const progress = h('div', { class: 'progress', id: 'progress', hidden: true, role: 'status', 'aria-live': 'polite' }, progressRing(), progressText, cancelBtn);
const noticeEl = h('p', { class: 'notice', id: 'notice', role: 'status', 'aria-live': 'polite' });
const table = h('table', { class: 'pools', id: 'pools', 'aria-describedby': 'freshness' });
const tbody = h('tbody');
const freshness = h('p', { class: 'freshness', id: 'freshness' });
const cards = h('div', { class: 'cards', id: 'cards' });
const chartBox = h('div', { class: 'chart', id: 'rates' });
const legend = h('ul', { class: 'legend', id: 'legend', 'aria-label': 'Chart legend' });
const auditBox = h('div', { id: 'audit' });

const COLUMNS: [key: keyof PoolRow | 'sourceTag', label: string, numeric: boolean][] = [
  ['name', 'Pool', false], ['sourceTag', 'Counts', false], ['workers', 'Workers', true], ['delivered', 'Delivered', true], ['acked', 'Acked', true],
  ['redelivered', 'Redelivered', true], ['duplicates', 'Duplicates', true], ['ratePerSecond', 'Messages/s', true], ['ready', 'Ready', true],
  ['unacked', 'Unacked', true],
];
table.append(
  h('caption', { class: 'visually-hidden' }, 'Pools bound to the exchange and routing key, with their delivery counts'),
  h('thead', {}, h('tr', {}, ...COLUMNS.map(([k, label, num]) => h('th', { scope: 'col', class: num ? 'num' : undefined, 'data-col': k }, label)))),
  tbody,
);

app.append(
  h('header', {}, title, subtitle),
  h('section', { class: 'toolbar', 'aria-label': 'Actions' },
    h('div', { class: 'group' }, countField, publishBtn, auditBtn),
    h('div', { class: 'group' }, resetBtn, formatDd, exportBtn)),
  progress,
  noticeEl,
  h('section', { 'aria-labelledby': 'pools-h' }, h('h2', { id: 'pools-h' }, 'Pools'), table, freshness),
  divider(),
  h('section', { 'aria-labelledby': 'workers-h' }, h('h2', { id: 'workers-h' }, 'Workers per pool'), cards),
  divider(),
  h('section', { 'aria-labelledby': 'rates-h' }, h('h2', { id: 'rates-h' }, 'Deliveries per second'), chartBox, legend),
  divider(),
  h('section', { 'aria-labelledby': 'audit-h' }, h('h2', { id: 'audit-h' }, 'Latest audit'), auditBox),
);
app.removeAttribute('aria-busy');

// ---- CSP: report any violation (there should be none; tests read data-csp-violations) ----
let violations = 0;
document.body.dataset.cspViolations = '0';
document.addEventListener('securitypolicyviolation', (e) => {
  violations++;
  document.body.dataset.cspViolations = String(violations);
  post({ type: 'cspViolation', directive: e.violatedDirective, blocked: e.blockedURI });
});

function post(m: PageMessage): void { vscode.postMessage(m); }

function save(): void {
  if (selection) { vscode.setState({ selection, count: readCount(false) ?? DEFAULT_COUNT }); }
}

function readCount(report = true): number | undefined {
  const raw = fieldValue(countField).replace(/[\s,_]/g, '');
  const n = Number(raw);
  if (!/^\d+$/.test(raw) || !Number.isInteger(n) || n < 1 || n > MAX_COUNT) {
    if (report) { showNotice('error', `The count "${fieldValue(countField)}" is not a whole number from 1 to ${MAX_COUNT.toLocaleString('en-US')}`); }
    return undefined;
  }
  return n;
}

// ---- actions ----
const onActivate = (el: HTMLElement, fn: () => void) => el.addEventListener('click', fn);
onActivate(publishBtn, () => { const count = readCount(); if (count) { save(); post({ type: 'publish', count }); } });
onActivate(auditBtn, () => { const count = readCount(); if (count) { save(); post({ type: 'audit', count }); } });
onActivate(resetBtn, () => post({ type: 'reset' }));
onActivate(cancelBtn, () => post({ type: 'cancel' }));
onActivate(exportBtn, () => post({ type: 'export', format: fieldValue(formatDd) === 'csv' ? 'csv' : 'json' }));
countField.addEventListener('change', save);

function selectPool(name: string | undefined): void {
  if (!selection) { return; }
  selection = { ...selection, pool: name };
  save();
  post({ type: 'selectPool', pool: name });
  renderPools();
  renderCards();
}

// ---- rendering ----
function showNotice(severity: 'info' | 'error', message: string): void {
  noticeEl.textContent = message;
  noticeEl.className = `notice ${severity}`;
}

function renderHeader(): void {
  if (!selection) { return; }
  clear(subtitle);
  const part = (label: string, value: string) => [h('span', { class: 'label' }, label + ' '), h('code', {}, value === '' ? '(empty)' : value)];
  subtitle.append(
    ...part('exchange', selection.exchange), ' · ', ...part('routing key', selection.routingKey), ' · ',
    ...part('vhost', selection.vhost), ' · ', ...part('broker', selection.broker),
  );
  document.title = `Pool Delivery Counts: ${selection.exchange} / ${selection.routingKey}`;
}

function sortedPools(): PoolRow[] {
  return [...pools.values()].sort((a, b) => (a.source === b.source ? a.name.localeCompare(b.name) : a.source === 'local' ? -1 : 1));
}

const rowEls = new Map<string, HTMLTableRowElement>();

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

function renderPools(): void {
  const list = sortedPools();
  for (const [name, tr] of rowEls) {
    if (!pools.has(name)) { tr.remove(); rowEls.delete(name); }
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
      row.addEventListener('click', () => selectPool(selection?.pool === p.name ? undefined : p.name));
      row.addEventListener('keydown', (e) => {
        if (e.key === 'Enter' || e.key === ' ') { e.preventDefault(); selectPool(selection?.pool === p.name ? undefined : p.name); }
      });
      rowEls.set(p.name, row);
      tr = row;
    }
    if (tbody.children[i] !== tr) { tbody.insertBefore(tr, tbody.children[i] ?? null); }
    const selected = selection?.pool === p.name;
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
  renderFreshness();
}

function renderFreshness(): void {
  freshness.textContent = freshnessLine([...pools.values()], managementAt, managementError);
  freshness.classList.toggle('error', managementError !== undefined);
}

const cardEls = new Map<string, HTMLElement>();

function renderCards(): void {
  const list = sortedPools();
  const sel = selection?.pool;
  const ordered = sel && pools.has(sel) ? [pools.get(sel) as PoolRow, ...list.filter((p) => p.name !== sel)] : list;
  for (const [name, el] of cardEls) {
    if (!pools.has(name)) { el.remove(); cardEls.delete(name); }
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
    card.append(head);
    if (p.workerCounts.length) {
      card.append(workerBars(p.name, p.workerCounts, p.spread));
      const s = p.spread;
      if (s) {
        const uneven = s.cv > 0.2;
        card.append(h('p', { class: `spread${uneven ? ' uneven' : ''}`, 'data-cv': s.cv },
          `min ${fmt(s.min)} · max ${fmt(s.max)} · mean ${fmt(s.mean)} · CV ${s.cv.toFixed(2)}`,
          uneven ? ' — uneven' : '', s.idle ? ` · ${s.idle} idle worker${s.idle === 1 ? '' : 's'}` : ''));
      }
    } else {
      card.append(h('p', { class: 'muted' },
        `${fmt(p.workers)} remote consumer${p.workers === 1 ? '' : 's'}: per-worker counts are known only for local workers.`));
    }
    // A local pool has a note only when it is not running (e.g. AMQP lost): a warning, not a remark.
    if (p.note) { card.append(h('p', { class: p.source === 'local' ? 'note warn' : 'muted note' }, p.note)); }
  });
}

function seriesOf(name: string): number {
  let i = seriesIndex.get(name);
  if (i === undefined) { i = seriesIndex.size; seriesIndex.set(name, i); }
  return i;
}

function renderChart(): void {
  const series: Series[] = sortedPools().map((p) => ({ name: p.name, index: seriesOf(p.name) }));
  clear(chartBox);
  chartBox.append(rateChart(history, series, chartBox.clientWidth || 600));
  clear(legend);
  for (const s of series) {
    legend.append(h('li', {}, h('span', { class: `swatch series-${s.index % 6}`, 'aria-hidden': 'true' }), s.name));
  }
}

function renderAudit(): void {
  clear(auditBox);
  if (!audit) {
    auditBox.append(h('p', { class: 'muted' }, 'No audit yet: Run Audit publishes tagged test notifications and checks that every pool got each exactly once.'));
    return;
  }
  const a = audit;
  const verdict = a.cancelled ? 'Cancelled.' : a.ok ? 'Every pool got every message exactly once.'
    : a.timedOut ? 'Timed out: some pools did not get every message in time.' : 'Some pools missed or duplicated messages, or were judged approximately.';
  auditBox.append(
    h('p', { class: `verdict ${a.ok ? 'ok' : 'bad'}`, id: 'audit-verdict' }, verdict,
      ` ${fmt(a.published)} published, ${fmt(a.confirmed)} confirmed, ${fmt(a.unroutable)} unroutable, ${a.seconds.toFixed(1)} s, ${new Date(a.at).toLocaleTimeString()}.`),
    h('table', { class: 'audit' },
      h('caption', { class: 'visually-hidden' }, 'Audit result per pool'),
      h('thead', {}, h('tr', {}, ...['Pool', 'Received', 'Missing', 'Duplicated', 'p50 ms', 'p95 ms', 'p99 ms', 'Counts'].map((c, i) => h('th', { scope: 'col', class: i > 0 && i < 7 ? 'num' : undefined }, c)))),
      h('tbody', {}, ...a.pools.map((p) => h('tr', { 'data-pool': p.name },
        h('th', { scope: 'row' }, p.name),
        h('td', { class: 'num', 'data-col': 'received' }, fmt(p.received)),
        h('td', { class: `num${p.missing ? ' bad' : ''}`, 'data-col': 'missing' }, fmt(p.missing)),
        h('td', { class: `num${p.duplicates ? ' bad' : ''}`, 'data-col': 'duplicates' }, fmt(p.duplicates)),
        h('td', { class: 'num' }, p.latencyMs.count ? fmt(p.latencyMs.p50) : '—'),
        h('td', { class: 'num' }, p.latencyMs.count ? fmt(p.latencyMs.p95) : '—'),
        h('td', { class: 'num' }, p.latencyMs.count ? fmt(p.latencyMs.p99) : '—'),
        h('td', { title: p.note }, p.exact ? tag('exact') : tag('approx.', p.note)),
      ))),
    ),
  );
}

function renderBusy(): void {
  const running = busy !== undefined;
  progress.hidden = !running;
  for (const b of [publishBtn, auditBtn, resetBtn]) { setDisabled(b, running); }
  if (busy) {
    const what = busy.action === 'publish' ? 'Publishing' : 'Auditing';
    progressText.textContent = `${what}: ${fmt(busy.confirmed)} of ${fmt(busy.total)} confirmed`;
  }
}

function applySnapshot(s: PanelState): void {
  selection = s.selection;
  pools.clear();
  for (const p of s.pools) { pools.set(p.name, p); }
  history = s.history;
  audit = s.audit;
  busy = s.busy;
  managementAt = s.managementAt;
  managementError = s.managementError;
  if (!fieldValue(countField)) { setFieldValue(countField, String(s.defaultCount)); }
  save();
  renderHeader();
  renderPools();
  renderCards();
  renderChart();
  renderAudit();
  renderBusy();
}

window.addEventListener('message', (e: MessageEvent<HostMessage>) => {
  const m = e.data;
  switch (m.type) {
    case 'snapshot':
      applySnapshot(m.state);
      break;
    case 'update': {
      for (const p of m.pools) { pools.set(p.name, p); }
      for (const n of m.removed) { pools.delete(n); }
      if (m.points.length) {
        history = history.concat(m.points);
        if (history.length > HISTORY_POINTS) { history = history.slice(-HISTORY_POINTS); }
      }
      if (m.managementAt !== undefined) { managementAt = m.managementAt; }
      if (m.managementError !== undefined) { managementError = m.managementError ?? undefined; }
      if (m.busy !== undefined) { busy = m.busy ?? undefined; renderBusy(); }
      if (m.pools.length || m.removed.length) { renderPools(); renderCards(); } else { renderFreshness(); }
      if (m.points.length || m.pools.length || m.removed.length) { renderChart(); }
      break;
    }
    case 'audit':
      audit = m.audit;
      renderAudit();
      break;
    case 'notice':
      showNotice(m.severity, m.message);
      break;
  }
});

// "5 s ago" keeps counting without any message from the host.
setInterval(renderFreshness, 1000);
let resizeTimer: number | undefined;
new ResizeObserver(() => {
  window.clearTimeout(resizeTimer);
  resizeTimer = window.setTimeout(renderChart, 100);
}).observe(chartBox);

renderAudit();
post({ type: 'ready', persisted });
