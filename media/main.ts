/**
 * The Delivery Counts page (bundled by esbuild to dist/webview.js). It renders what the extension sends (protocol.ts)
 * and posts the buttons' actions back. Every broker-provided string is set as text: see dom.ts. The sections are
 * their own modules: poolTable.ts, poolCards.ts, rates.ts (chart), auditView.ts; the state they render is pageState.ts.
 */
import './main.css';
import type { HostMessage, PageMessage, PanelState, PersistedState } from '../src/viewModel/panelProtocol';
import { DEFAULT_COUNT, HISTORY_POINTS, MAX_COUNT, isPersistedState } from '../src/viewModel/panelProtocol';
import { renderAudit as renderAuditInto } from './auditView';
import { clear, fmt, h } from './dom';
import { emptyPageState } from './pageState';
import { PoolCards } from './poolCards';
import { PoolTable } from './poolTable';
import { RatesView } from './rates';
import { HealthSection } from './healthView';
import { button, divider, dropdown, fieldValue, progressRing, registerToolkit, setDisabled, setFieldValue, textField } from './toolkit';

interface VsCodeApi {
  postMessage(m: PageMessage): void;
  getState(): unknown;
  setState(s: PersistedState): void;
}
declare function acquireVsCodeApi(): VsCodeApi;

const vscode = acquireVsCodeApi();
registerToolkit();

// ---- state ----
const state = emptyPageState();
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
const publishMessageBtn = button('publish-message', 'Publish Message…', 'secondary', 'Publish one message from a JSON template to this exchange and routing key');
const progressText = h('span', { id: 'progress-text' });
const cancelBtn = button('cancel', 'Cancel', 'secondary', 'Cancel the running action');
const progress = h('div', { class: 'progress', id: 'progress', hidden: true, role: 'status', 'aria-live': 'polite' }, progressRing(), progressText, cancelBtn);
const noticeEl = h('p', { class: 'notice', id: 'notice', role: 'status', 'aria-live': 'polite' });
const poolTable = new PoolTable(state, (name) => selectPool(state.selection?.pool === name ? undefined : name));
const poolCards = new PoolCards(state, (pool) => post({ type: 'peek', pool }));
const rates = new RatesView(state);
const auditBox = h('div', { id: 'audit' });
const healthSection = new HealthSection();

app.append(
  h('header', {}, title, subtitle),
  h('section', { class: 'toolbar', 'aria-label': 'Actions' },
    h('div', { class: 'group' }, countField, publishBtn, auditBtn),
    h('div', { class: 'group' }, resetBtn, formatDd, exportBtn),
    h('div', { class: 'group' }, publishMessageBtn)),
  progress,
  noticeEl,
  h('section', { 'aria-labelledby': 'pools-h' }, h('h2', { id: 'pools-h' }, 'Pools'), poolTable.table, poolTable.freshness),
  divider(),
  h('section', { 'aria-labelledby': 'workers-h' }, h('h2', { id: 'workers-h' }, 'Workers per pool'), poolCards.element),
  divider(),
  h('section', { 'aria-labelledby': 'rates-h' }, h('h2', { id: 'rates-h' }, 'Deliveries per second'), rates.chartBox, rates.legend),
  divider(),
  h('section', { 'aria-labelledby': 'audit-h' }, h('h2', { id: 'audit-h' }, 'Latest audit'), auditBox),
  divider(),
  h('section', { 'aria-labelledby': 'health-h' }, h('h2', { id: 'health-h' }, 'Health'), healthSection.element),
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
  if (state.selection) { vscode.setState({ selection: state.selection, count: readCount(false) ?? DEFAULT_COUNT }); }
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
onActivate(publishMessageBtn, () => post({ type: 'publishMessage' }));
onActivate(exportBtn, () => post({ type: 'export', format: fieldValue(formatDd) === 'csv' ? 'csv' : 'json' }));
countField.addEventListener('change', save);

function selectPool(name: string | undefined): void {
  if (!state.selection) { return; }
  state.selection = { ...state.selection, pool: name };
  save();
  post({ type: 'selectPool', pool: name });
  poolTable.render();
  poolCards.render();
}

// ---- rendering ----
function showNotice(severity: 'info' | 'error', message: string): void {
  noticeEl.textContent = message;
  noticeEl.className = `notice ${severity}`;
}

function renderHeader(): void {
  const selection = state.selection;
  if (!selection) { return; }
  clear(subtitle);
  const part = (label: string, value: string) => [h('span', { class: 'label' }, label + ' '), h('code', {}, value === '' ? '(empty)' : value)];
  subtitle.append(
    ...part('exchange', selection.exchange), ' · ', ...part('routing key', selection.routingKey), ' · ',
    ...part('vhost', selection.vhost), ' · ', ...part('broker', selection.broker),
  );
  document.title = `Pool Delivery Counts: ${selection.exchange} / ${selection.routingKey}`;
}

function renderAudit(): void {
  renderAuditInto(auditBox, state.audit);
}

function renderBusy(): void {
  const busy = state.busy;
  const running = busy !== undefined;
  progress.hidden = !running;
  for (const b of [publishBtn, auditBtn, resetBtn]) { setDisabled(b, running); }
  if (busy) {
    const what = busy.action === 'publish' ? 'Publishing' : 'Auditing';
    progressText.textContent = `${what}: ${fmt(busy.confirmed)} of ${fmt(busy.total)} confirmed`;
  }
}

function applySnapshot(s: PanelState): void {
  state.selection = s.selection;
  state.pools.clear();
  for (const p of s.pools) { state.pools.set(p.name, p); }
  state.history = s.history;
  state.audit = s.audit;
  state.busy = s.busy;
  state.managementAt = s.managementAt;
  state.managementError = s.managementError;
  if (!fieldValue(countField)) { setFieldValue(countField, String(s.defaultCount)); }
  save();
  renderHeader();
  poolTable.render();
  poolCards.render();
  rates.render();
  renderAudit();
  renderBusy();
  healthSection.set(s.health);
}

window.addEventListener('message', (e: MessageEvent<HostMessage>) => {
  const m = e.data;
  switch (m.type) {
    case 'snapshot':
      applySnapshot(m.state);
      break;
    case 'update': {
      for (const p of m.pools) { state.pools.set(p.name, p); }
      for (const n of m.removed) { state.pools.delete(n); }
      if (m.points.length) {
        state.history = state.history.concat(m.points);
        if (state.history.length > HISTORY_POINTS) { state.history = state.history.slice(-HISTORY_POINTS); }
      }
      if (m.managementAt !== undefined) { state.managementAt = m.managementAt; }
      if (m.managementError !== undefined) { state.managementError = m.managementError ?? undefined; }
      if (m.busy !== undefined) { state.busy = m.busy ?? undefined; renderBusy(); }
      if (m.health) { healthSection.set(m.health); }
      if (m.pools.length || m.removed.length) { poolTable.render(); poolCards.render(); } else { poolTable.renderFreshness(); }
      if (m.points.length || m.pools.length || m.removed.length) { rates.render(); }
      break;
    }
    case 'audit':
      state.audit = m.audit;
      renderAudit();
      break;
    case 'notice':
      showNotice(m.severity, m.message);
      break;

  }
});

// "5 s ago" keeps counting without any message from the host.
setInterval(() => poolTable.renderFreshness(), 1000);
let resizeTimer: number | undefined;
new ResizeObserver(() => {
  window.clearTimeout(resizeTimer);
  resizeTimer = window.setTimeout(() => { rates.render(); healthSection.render(); }, 100);
}).observe(rates.chartBox);

renderAudit();
post({ type: 'ready', persisted });
