// Figure 8: the shapes real brokers have (issue 19), each beside the RabbitMQ management UI answering the same question on
// the same broker in the same run. On a dedicated node (scripts/bench-node.sh: rabbit-bench@HOST, 5692/15692), never the
// shared main broker: 10,000 then 50,000 queues.
//
//   key500    exchange shape.fanout: 500 pools bound with one key (neutron's fanout: a queue per agent), 2 workers each
//             (1,000 consumers); the tool: expand the exchange (names), expand the key (first page of names, then details)
//   keys5000  exchange shape.rpc: 5,000 distinct keys of one pool each (RPC topic, a key per host); expand it, expand a key
//   50,000    the same exchanges after growing the vhost to 50,000 queues: first level, Pools folder, the expands again
//   cpu       the broker's CPU (beam.smp utime+stime from /proc) per tree refresh beside the UI's own 5 s refresh of its queues page
//
// UI side (Debian chromium via playwright-core, as the UI tests drive code-server): log in once, then in-app navigation
// (location.hash) from the overview to the exchange page until its bindings table has every row, and to the queues page
// until its first 100 rows are drawn; each measured inside the page (performance.now()).
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { ROOT, amqp, onCleanup, require, sleep, summary, until } from './common.mjs';
import { sendPipelined } from './shapesSetup.mjs';

export const NODE_AMQP = process.env.RMQP_BENCH_NODE_AMQP ?? 'amqp://guest:guest@127.0.0.1:5692';
export const NODE_HTTP = process.env.RMQP_BENCH_NODE_HTTP ?? 'http://127.0.0.1:15692';
const VHOST = 'shapes';
const FANOUT = 'shape.fanout';
const FANOUT_KEY = 'q-agent-notifier-port-update_fanout';
const RPC = 'shape.rpc';
const FILL = 'shape.fill';
const pool = (i) => `shape.q.${String(i).padStart(5, '0')}`;
const TREE_OPTIONS = { pageSize: 100, showSystemExchanges: false }; // rabbitmqPools.pageSize's default

const nodeScript = path.join(ROOT, 'scripts/bench-node.sh');
function nodeCtl(cmd) {
  const r = spawnSync('bash', [nodeScript, cmd], { encoding: 'utf8' });
  if (r.status !== 0) { throw new Error(`scripts/bench-node.sh ${cmd} failed: ${(r.stderr || r.stdout).trim()}`); }
  return r.stdout.trim();
}
/** utime+stime of the bench node's beam.smp, in clock ticks (USER_HZ, 100/s on Linux). */
function beamTicks(pid) {
  const f = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const rest = f.slice(f.lastIndexOf(')') + 2).split(' ');
  return Number(rest[11]) + Number(rest[12]);
}

async function timed(fn) {
  const t0 = performance.now();
  const value = await fn();
  return { ms: performance.now() - t0, value };
}

/** The tree's questions through src/viewModel, a cold session each (as after a Refresh or in a new window). */
function session(T, config) {
  return new T.BrokerSession(config, () => TREE_OPTIONS, T.silentLogger, VHOST);
}
/** `folderFirst`: the Pools folder before the one paged request (alternated by repetition: the second of two back-to-back
 * 50,000-queue pages was the faster one in one run and the slower in another, so a fixed order biases their ratio). */
async function firstLevel(T, config, folderFirst = true) {
  const s = session(T, config);
  try {
    // From a cold session: broker node (overview, nodes), vhost node (visible vhosts), then the Exchanges folder's page.
    // As the tree: the root waits for overview + nodes side by side (its line says the version) while the vhost list starts;
    // the broker's level needs only the vhost list (brokerSession.ts vhosts()).
    let folderMs = 0;
    const exchangesOnly = await timed(async () => {
      void s.vhosts().catch(() => undefined);
      await Promise.all([s.overview(), s.nodes()]); await s.vhosts(); const v = s.vhost(VHOST); await v.info();
      const f = await timed(() => v.exchanges.view());
      folderMs = f.ms;
      return f.value.items.length;
    });
    // After a Refresh of that session (the overview is kept for 30 s): the same walk again.
    const afterRefresh = await timed(async () => {
      s.invalidate();
      void s.vhosts().catch(() => undefined);
      await Promise.all([s.overview(), s.nodes()]); await s.vhosts(); const v = s.vhost(VHOST); await v.info();
      return (await v.exchanges.view()).items.length;
    });
    const s2 = session(T, config);
    try {
      const folderOnce = () => timed(async () => {
        const v = s2.vhost(VHOST);
        // Over 2,000 queues on the broker the folder draws the page's consumer counts (folderNodes.ts): the overview says how many.
        const [queues] = await Promise.all([v.queues.view(), s2.overview()]);
        return { shown: queues.items.length, total: queues.total, withWorkers: queues.items.filter((q) => q.consumers > 0).length };
      });
      const c = new T.ManagementClient(config);
      const floorOnce = () => timed(() => c.queuesPage(VHOST, { pageSize: TREE_OPTIONS.pageSize, columns: T.QUEUE_COLUMNS }));
      let folder, floor;
      if (folderFirst) { folder = await folderOnce(); floor = await floorOnce(); } else { floor = await floorOnce(); folder = await folderOnce(); }
      c.dispose();
      return { exchangesMs: exchangesOnly.ms, exchangesRefreshMs: afterRefresh.ms, exchangesFolderMs: folderMs, exchanges: exchangesOnly.value, poolsFolderMs: folder.ms, ...folder.value, onePagedRequestMs: floor.ms };
    } finally { s2.dispose(); }
  } finally { s.dispose(); }
}
/** Expand `exchange` (its keys: names), then its key number `k`: the first page of names, then their details + workers. */
async function expand(T, config, exchange, k = 0) {
  const s = session(T, config);
  try {
    const v = s.vhost(VHOST);
    const ex = await timed(() => v.bindingGroups(exchange));
    const keys = v.exchangeKeys(exchange, ex.value);
    const group = ex.value[k];
    const names = await timed(async () => v.keyPools(exchange, group));
    // As BindingKeyNode draws it: the first 50 (what a view shows without scrolling), then the rest of the page.
    const first = await timed(() => v.pools(names.value.items.slice(0, 50)));
    const rest = await timed(() => v.pools(names.value.items));
    const details = rest.value;
    return {
      exchangeMs: ex.ms, keys: ex.value.length, keysShown: keys.shown, namesMs: ex.ms + names.ms, namesShown: names.value.shown, poolsOfKey: names.value.total,
      firstChunkMs: names.ms + first.ms, detailsMs: first.ms + rest.ms, keyMs: names.ms + first.ms + rest.ms, workers: details.pools.reduce((n, p) => n + p.workers.length, 0),
    };
  } finally { s.dispose(); }
}
/** The 500-pool key's first page of pools' details with `limit` in flight (a fresh cache): wall ms and the broker's CPU ms. */
async function detailsAt(T, config, pid, limit) {
  const c = new T.ManagementClient(config);
  try {
    const names = (await c.exchangeBindings(VHOST, FANOUT)).filter((b) => b.destination_type === 'queue').map((b) => b.destination).slice(0, TREE_OPTIONS.pageSize);
    const cols = [...T.QUEUE_COLUMNS, 'consumer_details'];
    const cache = new T.DetailCache((n) => c.queue(VHOST, n, cols), limit);
    const a = beamTicks(pid);
    const r = await timed(() => cache.lookup(names));
    return { ms: r.ms, brokerMs: (beamTicks(pid) - a) * 10 };
  } finally { c.dispose(); }
}
/** The previous lookup (before issue 19), for the record: one `name=^(a|b|…)$` page per 40 names, all of the key's pools. */
async function regexLookup(T, config, exchange) {
  const c = new T.ManagementClient(config);
  try {
    const bindings = await c.exchangeBindings(VHOST, exchange);
    const names = bindings.filter((b) => b.destination_type === 'queue').map((b) => b.destination);
    const esc = (n) => n.replace(/[\\^$.*+?()[\]{}|]/g, '\\$&');
    return (await timed(() => Promise.all(Array.from({ length: Math.ceil(names.length / 40) }, (_, i) => {
      const chunk = names.slice(i * 40, i * 40 + 40);
      return c.queuesPage(VHOST, { name: `^(${chunk.map(esc).join('|')})$`, useRegex: true, pageSize: 500, columns: T.QUEUE_COLUMNS });
    })))).ms;
  } finally { c.dispose(); }
}
/**
 * One tree refresh while the view is visible, as the tree asks after Refresh: `folders` = the first level with Exchanges and
 * Pools expanded (the counterpart of the UI's queues page); `key` = that plus the 500-pool key expanded (200 details).
 */
async function treeRefresh(T, s, profile) {
  {
    // As Refresh: the session's reads go (the overview is kept 30 s), the root and the expanded levels read again.
    s.invalidate();
    void s.vhosts().catch(() => undefined);
    await Promise.all([s.overview(), s.nodes()]); await s.vhosts();
    const v = s.vhost(VHOST);
    await v.info();
    // Pools folder: the page's consumer counts (over 2,000 queues, folderNodes.ts), no vhost consumer list.
    await Promise.all([v.exchanges.view(), v.queues.view()]);
    if (profile === 'main') {
      // What main read besides, per refresh, a pool being expanded: the findings' vhost count (over 2,000 queues) and the
      // dead-letter "fed by" index (one vhost-wide list, 3 columns); this change keeps the first 5 min, the second 60 s / skips it.
      await s.client.queuesPage(VHOST, { page: 1, pageSize: 1, columns: ['name'] });
      await s.client.queues(VHOST, ['name', 'arguments', 'effective_policy_definition']);
    }
    if (profile === 'key') {
      const groups = await v.bindingGroups(FANOUT);
      await v.pools(v.keyPools(FANOUT, groups[0]).items);
    }
  }
}

/**
 * Broker CPU (beam.smp utime+stime) per refresh. The UI's own refresh of its queues page is recorded from chromium (every
 * request the page sends in one 5 s cycle), then replayed by this process, like the tree's refreshes: the same requests
 * cost the broker the same whoever sends them. Each profile refreshes back to back for a window of `windowSeconds` (10 s:
 * two of the broker's 5 s statistics cycles, whose bursty collection is the idle CPU), so every window holds the same
 * background; the idle rate comes from windows of the same length between them. Windows interleaved (idle, tree folders,
 * tree + key, UI) `rounds` times; per refresh = (window CPU − idle rate × its length) / refreshes in it; medians and pairs.
 * (Bursts of a fixed 6 refreshes, ~1 s at 10,000 queues, caught one statistics burst or none: 81–174 ms for the same
 * refresh, 2026-12-07T1238Z.)
 */
async function brokerCpu(T, config, ui, pid, { windowSeconds = 10, rounds = 4, withMain = true, log }) {
  log(`8: broker CPU per refresh: the UI's queues-page refresh recorded, then ${rounds} × (idle, tree folders, tree + 500-pool key, ${withMain ? 'main\'s extras, ' : ''}UI replay) windows of ${windowSeconds} s…`);
  const recorded = [];
  const onReq = (req) => { const u = new URL(req.url()); if (u.pathname.startsWith('/api/')) { recorded.push(u.pathname + u.search); } };
  await ui.page.goto(`${NODE_HTTP}/#/queues`);
  await ui.page.locator(UI_QUEUES).nth(99).waitFor({ timeout: 120_000 });
  await sleep(1000);
  ui.page.on('request', onReq);
  await sleep(5000); // one refresh cycle of the UI (its default: every 5 s)
  ui.page.off('request', onReq);
  await ui.page.goto('about:blank');
  const c = new T.ManagementClient(config);
  const uiRefresh = () => Promise.all(recorded.map((p) => c.get(p.slice(1))));
  const burst = async (fn) => {
    const a = beamTicks(pid); const t = performance.now(); let n = 0;
    while (n === 0 || performance.now() - t < windowSeconds * 1000) { await fn(); n++; }
    return { ticks: beamTicks(pid) - a, seconds: (performance.now() - t) / 1000, refreshes: n };
  };
  // One session per profile, refreshed (invalidate) like the view's: warmed once before the rounds (a window already open).
  const sessions = { folders: session(T, config), key: session(T, config), main: session(T, config) };
  await treeRefresh(T, sessions.folders, 'folders'); await treeRefresh(T, sessions.key, 'key');
  const idle = { ticks: 0, seconds: 0 };
  const raw = { folders: [], key: [], main: [], ui: [] };
  for (let r = 0; r < rounds; r++) {
    const a = beamTicks(pid); const t = performance.now(); await sleep(windowSeconds * 1000);
    idle.ticks += beamTicks(pid) - a; idle.seconds += (performance.now() - t) / 1000;
    // The tree's windows and the UI's in the opposite order every other round (an even number of rounds: each side as often
    // first as last after the idle window, so a slow start of the round or the broker's statistics cycle favours neither).
    const windows = [
      async () => { raw.folders.push(await burst(() => treeRefresh(T, sessions.folders, 'folders'))); },
      async () => { raw.key.push(await burst(() => treeRefresh(T, sessions.key, 'key'))); },
      async () => { if (withMain) { raw.main.push(await burst(() => treeRefresh(T, sessions.main, 'main'))); } },
      async () => { raw.ui.push(await burst(uiRefresh)); },
    ];
    if (r % 2) { windows.reverse(); }
    for (const w of windows) { await w(); }
  }
  c.dispose(); sessions.folders.dispose(); sessions.key.dispose(); sessions.main.dispose();
  // Back into the app (the measurements navigate inside it), logged in already (the credentials are in the session).
  await ui.page.goto(`${NODE_HTTP}/#/`);
  await ui.page.waitForFunction(() => /Totals|Queued messages/.test(document.querySelector('#main')?.innerText ?? ''), undefined, { timeout: 120_000 });
  const rate = idle.ticks / idle.seconds;
  const per = (list) => summary(list.map((w) => ((w.ticks - rate * w.seconds) * 10) / w.refreshes));
  return { uiRequestsPerRefresh: recorded, idleTicksPerSecond: rate, windowSeconds, rounds, treeFolders: per(raw.folders), treeKey: per(raw.key), treeMainExtras: withMain ? per(raw.main) : undefined, ui: per(raw.ui), raw };
}

// ---- the management UI, driven by chromium ----
async function launchUi() {
  const { chromium } = require('playwright-core');
  const { CHROMIUM_ARGS } = await import(path.join(ROOT, 'test/vscode/ui/helpers.mjs'));
  const browser = await chromium.launch({ executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium', headless: true, args: CHROMIUM_ARGS });
  const page = await (await browser.newContext({ viewport: { width: 1400, height: 900 } })).newPage();
  await page.goto(`${NODE_HTTP}/`);
  await page.locator('input[name=username]').fill('guest');
  await page.locator('input[name=password]').fill('guest');
  await page.locator('input[type=submit]').click();
  await page.locator('#main').waitFor();
  await page.waitForFunction(() => document.querySelector('#logout') || /Overview/.test(document.body.innerText), undefined, { timeout: 60_000 });
  return { browser, page };
}
/** In-app navigation to `hash` (from the overview) until `rowsSelector` has at least `rows` rows; ms measured in the page. */
async function uiNavigate(page, hash, rowsSelector, rows) {
  await page.evaluate(() => { location.hash = '#/'; });
  await page.waitForFunction(() => /Totals|Queued messages/.test(document.querySelector('#main')?.innerText ?? ''), undefined, { timeout: 120_000 });
  return page.evaluate(async ({ hash, rowsSelector, rows }) => {
    const t0 = performance.now();
    location.hash = hash;
    const frame = () => new Promise((r) => requestAnimationFrame(() => r()));
    for (;;) {
      await frame();
      if (document.querySelectorAll(rowsSelector).length >= rows) { return performance.now() - t0; }
      if (performance.now() - t0 > 120_000) { throw new Error(`the UI did not show ${rows} rows of ${rowsSelector} at ${hash}`); }
    }
  }, { hash, rowsSelector, rows });
}
const UI_BINDINGS = '#main .bindings-wrapper table tbody tr, #main table.list tbody tr';
const UI_QUEUES = '#main table.list tbody tr';

/** The bench node up, vhost "shapes" with 10,000 queues and 1,000 consumers; `keep`: leave it all in place (exploration). */
export async function setupShapes(T, { log, keep = false }) {
  const started = !spawnSync('bash', [nodeScript, 'status']).status ? false : true;
  log(`8: bench node ${nodeCtl('up')}`);
  if (started && !keep) { onCleanup(async () => { nodeCtl('down'); }); }
  const pid = Number(nodeCtl('pid'));
  const config = T.brokerConfig({ amqpUrl: `${NODE_AMQP}/${VHOST}`, managementUrl: NODE_HTTP, vhost: VHOST, timeoutMs: 120_000 });
  const admin = new T.ManagementClient(config);
  const later = keep ? () => undefined : onCleanup;
  later(async () => { await admin.deleteVhost(VHOST).catch(() => undefined); admin.dispose(); });
  await admin.deleteVhost(VHOST).catch(() => undefined);
  await admin.putVhost(VHOST);
  await admin.putPermissions(VHOST, config.username);
  const u = new URL(NODE_AMQP);
  const conn = () => amqp.connect({ protocol: 'amqp', hostname: u.hostname, port: Number(u.port), username: 'guest', password: 'guest', vhost: VHOST, frameMax: 0 });
  const setup = await conn();
  later(async () => { await setup.close().catch(() => undefined); });
  const t0 = performance.now();
  // 10,000 queues: 0–499 bound to shape.fanout with one key; 500–5,499 to shape.rpc with a key each; the rest to shape.fill.
  await sendPipelined(setup, { exchanges: [[FANOUT, 'topic'], [RPC, 'topic'], [FILL, 'topic']], from: 0, to: 10_000, name: pool,
    bind: (i) => (i < 500 ? [FANOUT, FANOUT_KEY] : i < 5500 ? [RPC, `compute.host-${String(i - 500).padStart(4, '0')}`] : [FILL, `fill.${i % 50}`]) });
  // 1,000 consumers: 2 on each of the fanout key's 500 pools, over 4 connections × 10 channels.
  const consumers = [];
  for (let k = 0; k < 4; k++) {
    const c = await amqp.connect({ protocol: 'amqp', hostname: u.hostname, port: Number(u.port), username: 'guest', password: 'guest', vhost: VHOST }, { clientProperties: { connection_name: `shape-agent-${k}` } });
    later(async () => { await c.close().catch(() => undefined); });
    const chs = await Promise.all(Array.from({ length: 10 }, () => c.createChannel()));
    consumers.push(chs);
  }
  await Promise.all(Array.from({ length: 1000 }, (_, j) => consumers[j % 4][Math.floor(j / 4) % 10].consume(pool(j % 500), () => undefined, { noAck: true, consumerTag: `agent-${j}` })));
  const setupSeconds = (performance.now() - t0) / 1000;
  await until(async () => (await admin.queuesPage(VHOST, { pageSize: 1, columns: ['name'] })).totalCount >= 10_000 && (await admin.consumers(VHOST)).length >= 1000, 'the management API shows 10,000 queues and 1,000 consumers', 180_000, 500);
  log(`    10,000 queues, 1,000 consumers in ${setupSeconds.toFixed(1)} s`);
  return { config, admin, pid, setup, setupSeconds };
}

export async function benchShapes(T, { reps, with50k = true, cpuWindowSeconds = 10, log }) {
  const { config, admin, pid, setup, setupSeconds } = await setupShapes(T, { log });

  const ui = await launchUi();
  onCleanup(async () => { await ui.browser.close().catch(() => undefined); });
  const out = { node: config.managementUrl, reps, setupSeconds };
  const measure = async (label, n) => {
    const r = { tool: { first: [], fanout: [], rpc: [], details4: [], details8: [] }, ui: { fanoutBindings: [], rpcBindings: [], queuesFirst100: [] }, regex500: [] };
    await expand(T, config, FANOUT); // warm-up
    await uiNavigate(ui.page, `#/exchanges/${VHOST}/${FANOUT}`, UI_BINDINGS, 500);
    for (let i = 0; i < reps; i++) {
      // interleaved: UI, tool, UI, tool … (order swapped every other repetition)
      const pair = [
        async () => {
          r.ui.fanoutBindings.push(await uiNavigate(ui.page, `#/exchanges/${VHOST}/${FANOUT}`, UI_BINDINGS, 500));
          // The UI's bindings table stops at 500 rows (of 5,000): it answers with less than the tool's 200 keys + Load more.
          r.ui.rpcBindings.push(await uiNavigate(ui.page, `#/exchanges/${VHOST}/${RPC}`, UI_BINDINGS, 500));
          r.ui.queuesFirst100.push(await uiNavigate(ui.page, '#/queues', UI_QUEUES, 100));
        },
        async () => {
          r.tool.first.push(await firstLevel(T, config, i % 2 === 0));
          r.tool.fanout.push(await expand(T, config, FANOUT));
          r.tool.rpc.push(await expand(T, config, RPC, (i * 997) % 5000));
          const order = i % 2 ? [8, 4] : [4, 8];
          for (const n of order) { r.tool[`details${n}`].push(await detailsAt(T, config, pid, n)); }
        },
      ];
      if (i % 2) { pair.reverse(); }
      for (const f of pair) { await f(); }
      if (i < 2) { r.regex500.push(await regexLookup(T, config, FANOUT)); }
    }
    const col = (a, k) => summary(a.map((x) => x[k]));
    const f = r.tool.fanout;
    out[label] = {
      queues: n,
      ui: { fanoutBindings: summary(r.ui.fanoutBindings), rpcBindings: summary(r.ui.rpcBindings), queuesFirst100: summary(r.ui.queuesFirst100) },
      tool: {
        exchangesLevel: col(r.tool.first, 'exchangesMs'), exchangesAfterRefresh: col(r.tool.first, 'exchangesRefreshMs'),
        details4: col(r.tool.details4, 'ms'), details4Broker: col(r.tool.details4, 'brokerMs'), details8: col(r.tool.details8, 'ms'), details8Broker: col(r.tool.details8, 'brokerMs'), exchangesFolder: col(r.tool.first, 'exchangesFolderMs'), poolsFolder: col(r.tool.first, 'poolsFolderMs'), onePagedRequest: col(r.tool.first, 'onePagedRequestMs'),
        fanoutExchange: col(f, 'exchangeMs'), fanoutNames: col(f, 'namesMs'), fanoutFirst50: summary(f.map((x) => x.namesMs + x.firstChunkMs)), fanoutKeyDetails: col(f, 'detailsMs'), fanoutKey: col(f, 'keyMs'), fanoutAll: summary(f.map((x) => x.namesMs + x.detailsMs)),
        fanoutShown: f[0].namesShown, fanoutPools: f[0].poolsOfKey, fanoutWorkersShown: f[0].workers,
        rpcExchange: col(r.tool.rpc, 'exchangeMs'), rpcKeys: r.tool.rpc[0].keys, rpcKeysShown: r.tool.rpc[0].keysShown, rpcKey: col(r.tool.rpc, 'keyMs'),
        poolsShown: r.tool.first[0].shown, poolsTotal: r.tool.first[0].total,
      },
      regexLookup500: summary(r.regex500),
    };
  };
  log(`8: shapes at 10,000 queues, ${reps} × (UI, tool) interleaved…`);
  await measure('q10000', 10_000);

  out.cpu10000 = await brokerCpu(T, config, ui, pid, { windowSeconds: cpuWindowSeconds, log });

  if (with50k) {
    log('8: growing the vhost to 50,000 queues…');
    const t1 = performance.now();
    await sendPipelined(setup, { exchanges: [], from: 10_000, to: 50_000, name: pool, bind: (i) => [FILL, `fill.${i % 50}`] });
    await until(async () => (await admin.queuesPage(VHOST, { pageSize: 1, columns: ['name'] })).totalCount >= 50_000, 'the management API shows 50,000 queues', 300_000, 1000);
    out.grow50kSeconds = (performance.now() - t1) / 1000;
    log(`8: shapes at 50,000 queues, ${reps} × (UI, tool) interleaved…`);
    await measure('q50000', 50_000);
    // Without main's extras: at 50,000 queues its vhost-wide list (13 s of broker CPU per refresh in the run of 02:42) took
    // longer than the management listener's 60 s idle timeout once (12:19 UTC, 2026-12-07), which reset the connection.
    out.cpu50000 = await brokerCpu(T, config, ui, pid, { windowSeconds: cpuWindowSeconds, withMain: false, log });
  }
  return out;
}

/** The figure's lines for the console (BENCHMARKS.md's table has them too: bench/report.mjs). */
export function shapesLines(r) {
  const m = (x) => (x ? `${Math.round(x.median)} ms` : '—');
  const out = [];
  for (const k of ['q10000', 'q50000']) {
    const x = r[k];
    if (!x) { continue; }
    out.push(`shapes at ${x.queues.toLocaleString('en-US')} queues (medians of ${x.ui.fanoutBindings.n}):`,
      `  500-pool key: UI bindings page ${m(x.ui.fanoutBindings)} | tool names ${m(x.tool.fanoutNames)}, first 50 with workers ${m(x.tool.fanoutFirst50)}, all ${x.tool.fanoutShown} shown +${m(x.tool.fanoutKeyDetails)} (old regex lookup of 500: ${m(x.regexLookup500)})`,
      `  200 details of the 500-pool key: 4 in flight ${m(x.tool.details4)} (broker ${m(x.tool.details4Broker)}), 8 in flight ${m(x.tool.details8)} (broker ${m(x.tool.details8Broker)})`,
      `  5,000-key exchange: UI bindings page (500 rows) ${m(x.ui.rpcBindings)} | tool keys ${m(x.tool.rpcExchange)} (${x.tool.rpcKeysShown} of ${x.tool.rpcKeys} shown), a key ${m(x.tool.rpcKey)}`,
      `  first level: Exchanges folder ${m(x.tool.exchangesFolder)} (from a cold session, overview included: ${m(x.tool.exchangesLevel)}; after a Refresh ${m(x.tool.exchangesAfterRefresh)}); Pools folder ${m(x.tool.poolsFolder)} vs one paged request ${m(x.tool.onePagedRequest)} | UI queues page (100 rows) ${m(x.ui.queuesFirst100)}`);
  }
  for (const k of ['cpu10000', 'cpu50000']) {
    const x = r[k];
    if (!x) { continue; }
    out.push(`  broker CPU per refresh at ${k.slice(3)} queues: tree (folders) ${m(x.treeFolders)}, tree + 500-pool key ${m(x.treeKey)}, folders + main's per-refresh count and dead-letter index ${x.treeMainExtras ? m(x.treeMainExtras) : 'not measured'} | UI queues page ${m(x.ui)} (${x.uiRequestsPerRefresh.length} requests: ${x.uiRequestsPerRefresh.map((p) => p.split('?')[0]).join(', ')})`);
  }
  return out.join('\n');
}
