/**
 * The Delivery Counts panel, extension side, inside a real extension host against the real broker: the HTML's CSP (nonce,
 * no inline handlers, resources only from dist/), at most 4 messages a second to the page under a fast delivery stream,
 * exact live counts of local pools, Reset Counts, Run Audit with already-running pools, and the export formats with
 * hostile pool names (CSV quoting and formula defusing, JSON round trip).
 */
import * as assert from 'assert';
import { randomBytes } from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as vscode from 'vscode';
import type { ExtensionApi } from '../../../src/extension';
import { publishNotifications } from '../../../src/broker/publisher';
import { csvField, toCsv } from '../../../src/viewModel/panelExport';
import { contentSecurityPolicy, makeNonce, renderHtml } from '../../../src/webview/html';
import { UpdateThrottle } from '../../../src/viewModel/throttle';
import type { HostMessage, PanelSelection, PoolRow } from '../../../src/viewModel/panelProtocol';
import { MANAGEMENT_URL, TestVhost, freshVhost, until } from '../../support/broker';
import { EXTENSION_ID } from '../../../src/constants';

// (RabbitMQ drops a newline from a queue name, so newlines in fields are checked on csvField alone.)
const HOSTILE = '=HYPERLINK("http://x","y"),<img src=x onerror=alert(1)>;"quoted"';

/** The bits of the panel object the command returns that these tests use (same extension host: the object itself). */
interface PanelHandle {
  panel: vscode.WebviewPanel;
  sent: { type: string; at: number }[];
  /** Called with every message the host posts to the page. */
  onPost: ((m: HostMessage) => void) | undefined;
  cspViolations: string[];
  whenInitialized(): Promise<void>;
  state(): { pools: PoolRow[]; audit?: unknown };
  reset(): void;
  runAudit(count: number): Promise<{ ok: boolean; pools: { name: string; received: number; missing: number; duplicates: number; exact: boolean; latencyMs: { count: number } }[] } | undefined>;
  exportTo(uri: vscode.Uri, format: 'json' | 'csv'): Promise<void>;
  dispose(): void;
}

/** A minimal RFC 4180 parser (quoted fields, doubled quotes, CRLF) to read the export back. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') { field += '"'; i++; } else if (c === '"') { quoted = false; } else { field += c; }
    } else if (c === '"') {
      quoted = true;
    } else if (c === ',') {
      row.push(field); field = '';
    } else if (c === '\r' && text[i + 1] === '\n') {
      row.push(field); rows.push(row); row = []; field = ''; i++;
    } else {
      field += c;
    }
  }
  if (field || row.length) { row.push(field); rows.push(row); }
  return rows;
}

describe('Delivery Counts panel (extension host)', function () {
  this.timeout(180_000);
  let api: ExtensionApi;
  let vh: TestVhost;
  let panel: PanelHandle;
  const broker = `panel-${randomBytes(3).toString('hex')}`;
  const config = () => vscode.workspace.getConfiguration('rabbitmqPools');
  let selection: PanelSelection;

  before(async () => {
    const ext = vscode.extensions.getExtension<ExtensionApi>(EXTENSION_ID);
    assert.ok(ext);
    api = await ext.activate();
    vh = await freshVhost('panel');
    await config().update('refreshSeconds', 0, vscode.ConfigurationTarget.Global);
    await config().update('brokers', [{ name: broker, amqpUrl: 'amqp://guest@127.0.0.1:5672', managementUrl: MANAGEMENT_URL, vhost: vh.name }], vscode.ConfigurationTarget.Global);
    const conn = await vh.connect('panel-test-setup');
    const ch = await conn.createChannel();
    await ch.assertExchange('nova', 'topic', { durable: false });
    await ch.assertQueue(HOSTILE, { durable: false });
    await ch.bindQueue(HOSTILE, 'nova', 'notifications.info');
    await ch.close();
    const entry = api.services.store.find(broker);
    assert.ok(entry, 'the test broker is configured');
    const cfg = await api.services.store.config(entry);
    await api.services.localPools.start(cfg, { pool: 'ceilometer', exchange: 'nova', routingKeys: 'notifications.info', workers: 3 });
    await api.services.localPools.start(cfg, { pool: 'audit', exchange: 'nova', routingKeys: 'notifications.info', workers: 1 });
    selection = { broker, vhost: vh.name, exchange: 'nova', routingKey: 'notifications.info' };
  });

  after(async () => {
    panel?.dispose();
    for (const e of api?.services.localPools.list() ?? []) {
      if (e.vhost === vh?.name) { await api.services.localPools.stop(e.id); }
    }
    await config().update('brokers', undefined, vscode.ConfigurationTarget.Global);
    await config().update('refreshSeconds', undefined, vscode.ConfigurationTarget.Global);
    await vh?.cleanup();
  });

  it('opens from a selection; the HTML has a strict CSP with a fresh nonce, no inline script or handler, resources only from dist/', async () => {
    panel = (await vscode.commands.executeCommand<PanelHandle>('rabbitmqPools.panel.show', selection));
    assert.ok(panel && panel.panel, 'the command returns the panel');
    await panel.whenInitialized();
    const html = panel.panel.webview.html;
    const csp = /<meta http-equiv="Content-Security-Policy" content="([^"]+)">/.exec(html)?.[1]?.replace(/&#39;|&quot;/g, "'");
    assert.ok(csp, 'a CSP meta tag');
    assert.match(csp, /default-src 'none'/);
    const nonce = /script-src 'nonce-([A-Za-z0-9+/=]+)'/.exec(csp)?.[1];
    assert.ok(nonce, 'scripts only by nonce');
    assert.strictEqual(Buffer.from(nonce, 'base64').length, 16, 'the nonce is 16 random bytes');
    assert.doesNotMatch(csp, /unsafe-/);
    assert.doesNotMatch(/script-src [^;]*/.exec(csp)?.[0] ?? '', /\*|https?:|'self'/, 'no script source but the nonce');
    assert.match(csp, new RegExp(`style-src ${panel.panel.webview.cspSource.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
    const scripts = [...html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/g)];
    assert.strictEqual(scripts.length, 1);
    assert.match(scripts[0][1], new RegExp(`nonce="${nonce.replace(/[+/=]/g, '\\$&')}"`));
    assert.match(scripts[0][1], /src="[^"]*\/dist\/webview\.js"/);
    assert.strictEqual(scripts[0][2].trim(), '', 'no inline script body');
    assert.doesNotMatch(html, /\son[a-z]+\s*=/i, 'no inline event handler');
    assert.doesNotMatch(html, /style="/i, 'no inline style');
    const roots = panel.panel.webview.options.localResourceRoots?.map((u) => u.path) ?? [];
    assert.deepStrictEqual(roots, [vscode.Uri.joinPath(api.services.context.extensionUri, 'dist').path]);
    assert.strictEqual(panel.panel.webview.options.enableScripts, true);
    // Each render gets its own nonce.
    const a = renderHtml({ cspSource: 'x', nonce: makeNonce(), scriptUri: 's', styleUri: 't' });
    const b = renderHtml({ cspSource: 'x', nonce: makeNonce(), scriptUri: 's', styleUri: 't' });
    assert.notStrictEqual(/nonce-([^']+)/.exec(a)?.[1], /nonce-([^']+)/.exec(b)?.[1]);
    assert.doesNotMatch(contentSecurityPolicy('vscode-resource:', 'n'), /unsafe/);
  });

  it('the page loads (sends ready, gets a snapshot) without CSP violations and lists the bound pools', async () => {
    await until(() => panel.sent.some((m) => m.type === 'snapshot'), 'the page to load and get a snapshot', 60_000);
    await until(() => {
      const names = panel.state().pools.map((p) => p.name);
      return names.includes('ceilometer') && names.includes('audit') && names.includes(HOSTILE);
    }, 'ceilometer, audit and the hostile pool in the panel', 30_000);
    const rows = panel.state().pools;
    assert.strictEqual(rows.find((p) => p.name === 'ceilometer')?.source, 'local');
    assert.strictEqual(rows.find((p) => p.name === 'ceilometer')?.workers, 3);
    assert.strictEqual(rows.find((p) => p.name === HOSTILE)?.source, 'remote');
    assert.strictEqual(rows.find((p) => p.name === HOSTILE)?.approximate, true);
    assert.deepStrictEqual(panel.cspViolations, []);
  });

  it('sends at most 4 messages a second to the page under a fast delivery stream, and the counts end exact', async () => {
    const entry = api.services.store.find(broker);
    assert.ok(entry);
    const cfg = await api.services.store.config(entry);
    const before = panel.state().pools.find((p) => p.name === 'ceilometer')?.delivered ?? 0;
    const from = panel.sent.length;
    const t0 = Date.now();
    const n = 20_000;
    // The newest delivered count of each pool that an update carried to the page (the page gets exactly these messages).
    const shown = new Map<string, number>();
    const previousHook = panel.onPost;
    panel.onPost = (m) => { previousHook?.(m); if (m.type === 'update') { for (const p of m.pools) { shown.set(p.name, p.delivered); } } };
    await publishNotifications(cfg, { exchange: 'nova', routingKey: 'notifications.info', count: n });
    await until(() => {
      const p = panel.state().pools;
      return p.find((x) => x.name === 'ceilometer')?.delivered === before + n && p.find((x) => x.name === 'audit')?.delivered === before + n;
    }, `${n} deliveries in ceilometer and audit`, 60_000);
    // The last throttled update went out: the page was sent the final counts (awaited, not a fixed pause).
    try {
      await until(() => shown.get('ceilometer') === before + n && shown.get('audit') === before + n, 'the update with the final counts to be sent to the page', 10_000, 20);
    } finally {
      panel.onPost = previousHook;
    }
    const msgs = panel.sent.slice(from).filter((m) => m.at >= t0);
    const updates = msgs.filter((m) => m.type === 'update');
    assert.ok(updates.length >= 2, `updates were sent during the stream (${updates.length})`);
    for (let i = 0; i + 4 < msgs.length; i++) {
      const span = msgs[i + 4].at - msgs[i].at;
      assert.ok(span >= 990, `5 messages within ${span} ms (#${i}: ${msgs.slice(i, i + 5).map((m) => m.type).join(', ')})`);
    }
    const ceilo = panel.state().pools.find((p) => p.name === 'ceilometer');
    assert.ok(ceilo);
    assert.strictEqual(ceilo.workerCounts.reduce((s, w) => s + w.delivered, 0), ceilo.delivered, 'the bars add up to the pool total');
    assert.strictEqual(ceilo.duplicates, 0);
    assert.ok(ceilo.spread && ceilo.spread.min > 0, 'every worker got some');
  });

  it('the throttle itself: 10,000 changes in 2 s become at most 9 messages, each with only the newest row per pool', async () => {
    const sent: { at: number; pools: number; newest: number }[] = [];
    const t = new UpdateThrottle((b) => sent.push({ at: Date.now(), pools: b.pools.length, newest: Math.max(...b.pools.map((p) => p.delivered)) }), 4);
    t.setPaused(false);
    const end = Date.now() + 2000;
    let i = 0;
    while (Date.now() < end) {
      for (let k = 0; k < 50; k++, i++) {
        t.pool({ name: `p${i % 3}`, source: 'local', workers: 1, delivered: i, acked: i, redelivered: 0, ratePerSecond: 0, workerCounts: [], at: Date.now(), approximate: false });
      }
      await new Promise((r) => setTimeout(r, 10));
    }
    // The trailing flush: awaited until the newest change went out, not a fixed pause.
    await until(() => sent.some((s) => s.newest === i - 1), 'the trailing message with the newest change', 2_000, 10);
    t.dispose();
    assert.ok(i > 1000, `${i} changes pushed`);
    assert.ok(sent.length <= 9 && sent.length >= 6, `${sent.length} messages for 2 s`);
    assert.ok(sent.every((s) => s.pools <= 3), 'coalesced per pool');
  });

  it('Reset Counts starts the panel from zero without touching the pools', async () => {
    panel.reset();
    const p = panel.state().pools.find((x) => x.name === 'ceilometer');
    assert.strictEqual(p?.delivered, 0);
    assert.ok(p?.workerCounts.every((w) => w.delivered === 0));
    const local = api.services.localPools.list().find((e) => e.vhost === vh.name && e.pool.name === 'ceilometer');
    assert.ok(local && local.pool.delivered > 0, 'the pool keeps its own totals');
  });

  it('Run Audit counts the already-running local pools per message (exact) and the remote pool approximately', async () => {
    const audit = await panel.runAudit(500);
    assert.ok(audit);
    const ceilo = audit.pools.find((p) => p.name === 'ceilometer');
    const aud = audit.pools.find((p) => p.name === 'audit');
    const hostile = audit.pools.find((p) => p.name === HOSTILE);
    assert.deepStrictEqual([ceilo?.received, ceilo?.missing, ceilo?.duplicates, ceilo?.exact], [500, 0, 0, true]);
    assert.deepStrictEqual([aud?.received, aud?.missing, aud?.duplicates, aud?.exact], [500, 0, 0, true]);
    assert.ok((ceilo?.latencyMs.count ?? 0) > 0, 'latency measured');
    assert.strictEqual(hostile?.exact, false, 'a pool without local workers is judged approximately');
    // The pools' snapshots trail deliveries by up to 250 ms.
    await until(() => panel.state().pools.find((x) => x.name === 'ceilometer')?.delivered === 500, 'ceilometer: 500 since the reset', 10_000);
  });

  it('exports CSV with hostile names quoted and defused, and JSON that round-trips them', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rmqp-export-'));
    try {
      const csvUri = vscode.Uri.file(path.join(dir, 'counts.csv'));
      const jsonUri = vscode.Uri.file(path.join(dir, 'counts.json'));
      await panel.exportTo(csvUri, 'csv');
      await panel.exportTo(jsonUri, 'json');
      const csv = fs.readFileSync(csvUri.fsPath, 'utf8');
      const rows = parseCsv(csv);
      assert.deepStrictEqual(rows[0].slice(0, 6), ['kind', 'pool', 'worker', 'source', 'workers', 'delivered']);
      assert.ok(rows.every((r) => r.length === rows[0].length), 'every row has every column (quoting kept commas and newlines inside fields)');
      const hostileRow = rows.find((r) => r[0] === 'pool' && r[1].includes('HYPERLINK'));
      assert.ok(hostileRow, 'the hostile pool is exported');
      assert.strictEqual(hostileRow[1], `'${HOSTILE}`, 'a leading = is defused with a quote; the rest is kept');
      const workerRows = rows.filter((r) => r[0] === 'worker' && r[1] === 'ceilometer');
      assert.strictEqual(workerRows.length, 3);
      assert.strictEqual(workerRows.reduce((s, r) => s + Number(r[5]), 0), Number(rows.find((r) => r[0] === 'pool' && r[1] === 'ceilometer')?.[5]));
      const json = JSON.parse(fs.readFileSync(jsonUri.fsPath, 'utf8')) as { exchange: string; pools: { name: string; exact: boolean }[] };
      assert.strictEqual(json.exchange, 'nova');
      assert.ok(json.pools.some((p) => p.name === HOSTILE && p.exact === false));
      assert.ok(json.pools.some((p) => p.name === 'ceilometer' && p.exact === true));
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
    // Field rules, one by one.
    assert.strictEqual(csvField('a,b'), '"a,b"');
    assert.strictEqual(csvField('say "hi"'), '"say ""hi"""');
    assert.strictEqual(csvField('line\nbreak'), '"line\nbreak"');
    assert.strictEqual(csvField('+1'), "'+1");
    assert.strictEqual(csvField('@SUM(A1)'), "'@SUM(A1)");
    assert.strictEqual(csvField(-3), '-3', 'numbers are not text');
    assert.strictEqual(csvField(undefined), '');
    const tiny = toCsv({ selection: { broker: 'b', vhost: '/', exchange: 'x', routingKey: 'k' }, pools: [], history: [], exportedAt: 0 });
    assert.match(tiny, /^kind,pool,worker,/);
  });
});
