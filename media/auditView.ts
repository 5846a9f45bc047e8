/** Latest audit: the verdict and, per pool, received / missing / duplicated with latency percentiles. */
import type { AuditView } from '../src/viewModel/panelProtocol';
import { clear, fmt, h } from './dom';
import { tag } from './toolkit';

export function renderAudit(box: HTMLElement, audit: AuditView | undefined): void {
  clear(box);
  if (!audit) {
    box.append(h('p', { class: 'muted' }, 'No audit yet: Run Audit publishes tagged test notifications and checks that every pool got each exactly once.'));
    return;
  }
  const a = audit;
  const verdict = a.cancelled ? 'Cancelled.' : a.ok ? 'Every pool got every message exactly once.'
    : a.timedOut ? 'Timed out: some pools did not get every message in time.' : 'Some pools missed or duplicated messages, or were judged approximately.';
  box.append(
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
