#!/usr/bin/env node
// The benchmark table, generated from a results file (what bench/run.mjs writes), never typed:
//
//   node bench/report.mjs bench/results/<date>-<commit>.json [--doc BENCHMARKS.md] [--check]
//
// Rewrites the part of BENCHMARKS.md between "<!-- bench-table:begin -->" and "<!-- bench-table:end -->" with a line that
// cites the results file (its path, run time, commit, machine, load) and the table of medians, ratios and targets.
// --check: changes nothing, exits 1 when the table in the document is not the one the file gives (a typed edit).
// bench/run.mjs prints the same table at the end of every run (table(results)).
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { fmtBytes, fmtMs, fmtRate, median } from './lib/common.mjs';

export const BEGIN = '<!-- bench-table:begin -->';
export const END = '<!-- bench-table:end -->';

/** The name a full run's samples are kept under: <UTC date>T<hhmm>Z-<commit>[-dirty].json, so runs never overwrite each other. */
export function resultsFileName(results) {
  const t = new Date(results.startedAt).toISOString();
  return `${t.slice(0, 10)}T${t.slice(11, 13)}${t.slice(14, 16)}Z-${results.commit ?? 'unknown'}${results.dirty ? '-dirty' : ''}.json`;
}

/** The markdown table of a run's results (the same rows bench/run.mjs prints). */
export function table(results) {
  const f = results.figures ?? {};
  const queues = results.queues ?? Math.max(...Object.keys(f.tree ?? {}).map(Number).filter(Number.isFinite));
  const rows = [];
  const row = (figure, what, ours, base, ratio, target, ok) => rows.push({ figure, what, ours, base, ratio, target, ok });
  const ok = (b) => (b === undefined ? '' : b ? 'yes' : 'NO');
  const pct = (x) => `${(x * 100).toFixed(0)} %`;
  for (const [n, t] of Object.entries(f.tree ?? {})) {
    if (n.startsWith('setup')) { continue; }
    const big = Number(n) === queues;
    row('1 tree', `${n} q: first level (${t.firstLevel.requests} req, ${fmtBytes(t.firstLevel.bytes)})`, fmtMs(t.firstLevel.median), `${fmtMs(t.naive.median)} (${fmtBytes(t.naive.bytes)})`, `${t.speedup.toFixed(1)}× faster`, big ? '≤ 300 ms, ≥ 10×' : '', big ? ok(t.firstLevel.median <= 300 && t.speedup >= 10) : '');
    row('1 tree', `${n} q: expand exchange (${t.exchange.bindings} bindings, ${fmtBytes(t.exchange.bytes)})`, fmtMs(t.exchange.median), '', '', big ? '≤ 300 ms' : '', big ? ok(t.exchange.median <= 300) : '');
    row('1 tree', `${n} q: expand binding key (${t.bindingKey.pools} pools, ${fmtBytes(t.bindingKey.bytes)})`, fmtMs(t.bindingKey.median), '', '', big ? '≤ 300 ms' : '', big ? ok(t.bindingKey.median <= 300) : '');
    row('1 tree', `${n} q: expand pool (${t.pool.bindings} binding, ${t.pool.workers} workers, ${fmtBytes(t.pool.bytes)})`, fmtMs(t.pool.median), '', '', big ? '≤ 300 ms' : '', big ? ok(t.pool.median <= 300) : '');
    if (t.whole) { row('1 tree', `${n} q: (ref) CLI fetchTopology whole vhost`, fmtMs(t.whole.median), '', '', '', ''); }
  }
  if (f.publish) {
    const p = f.publish;
    row('2 publish', `${p.count} × ${p.bodyBytes} B, confirms, window ${p.window}`, fmtRate(p.ours.median), fmtRate(p.raw.median), `${pct(p.ratio)} (pairs ${pct(p.pairRatio.median)})`, '≥ 90 %', ok(p.ratio >= 0.9));
    row('2 publish', '(ref) vs raw loop with the same message properties', fmtRate(p.ours.median), fmtRate(p.rawSameProperties.median), pct(p.ratioSameProperties), '', '');
    row('2 publish', 'client CPU per message (raw / raw same properties)', `${p.cpuUsPerMessage.ours.median.toFixed(1)} µs`, `${p.cpuUsPerMessage.raw.median.toFixed(1)} / ${p.cpuUsPerMessage.rawSameProperties.median.toFixed(1)} µs`, '', '', '');
  }
  if (f.pools) {
    const p = f.pools;
    row('3 pools', `${p.pools}×${p.workers} workers drain ${p.deliveries} (${p.oursSeconds.toFixed(2)} s vs ${p.rawSeconds.toFixed(2)} s)`, fmtRate(p.ours.median), fmtRate(p.raw.median), `${pct(p.ratio)} (pairs ${pct(p.pairRatio.median)})`, '≥ 90 %', ok(p.ratio >= 0.9));
    row('3 pools', 'client CPU per delivery', `${p.cpuUsPerMessage.ours.median.toFixed(1)} µs`, `${p.cpuUsPerMessage.raw.median.toFixed(1)} µs`, '', '', '');
  }
  if (f.latency) {
    const l = f.latency;
    for (const k of ['sparse', 'steady']) {
      const x = l[k];
      row('4 latency', `${k}: delivery → panel update p50 / p95 / p99 (${x.screen.n} msgs, ${l.reps} runs)`, `${fmtMs(x.screen.p50)} / ${fmtMs(x.screen.p95)} / ${fmtMs(x.screen.p99)}`, `counts event p99 ${fmtMs(x.countsEvent.p99)}`, '', '≤ 250 ms p99', ok(x.screen.p99 <= 250));
    }
  }
  if (f.size) {
    const s = f.size;
    row('5 size', 'dist/extension.js (production)', fmtBytes(s.extensionJs), '', '', '≤ 1 MiB', ok(s.extensionJs <= 1 << 20));
    if (s.amqplibJs) { row('5 size', 'dist/amqplib.js (production; loaded on first use)', fmtBytes(s.amqplibJs), '', '', `with extension.js ${fmtBytes(s.extensionJs + s.amqplibJs)}`, ok(s.extensionJs + s.amqplibJs <= 1 << 20)); }
    if (s.commandsJs) {
      const all = s.extensionJs + (s.amqplibJs ?? 0) + s.commandsJs;
      row('5 size', 'dist/commands.js (production; commands the tree does not need, loaded on first use)', fmtBytes(s.commandsJs), '', '', `all three ${fmtBytes(all)}`, ok(all <= 1 << 20));
    }
    if (s.webviewJs) { row('5 size', 'dist/webview.js (production)', fmtBytes(s.webviewJs), '', '', '', ''); }
    row('5 size', '.vsix', fmtBytes(s.vsix), '', '', '', '');
    row('5 activation', `require + activate() (fake vscode), median of ${s.activation.total.n} (min ${fmtMs(s.activation.total.min)})${s.activation.loadedAtActivation ? `; loaded ${s.activation.loadedAtActivation.join(', ')}` : ''}`, fmtMs(s.activation.total.median), `require ${fmtMs(s.activation.require.median)}`, '', '≤ 50 ms', ok(s.activation.total.median <= 50));
    for (const [key, what] of [['exthostSettled', 'view opened in a settled window'], ['exthost', 'view opened at window start-up']]) {
      if (!s[key]) { continue; }
      const runs = s[key].runs;
      const ms = runs.map((r) => r.activationMs);
      // Beside it, from the same windows: our own code's share (the extension's log: bundle evaluation + activate()) and
      // VS Code's figure for its built-in Configuration Editing (a 136 KiB bundle activated at start-up too).
      const own = runs.map((r) => (r.own ? (r.own.evaluateMs ?? 0) + r.own.activateMs : undefined)).filter((x) => x !== undefined);
      const ref = runs.map((r) => Number(/^Configuration Editing.*?Activation: (\d+)ms/.exec((r.others ?? []).find((o) => o.startsWith('Configuration Editing')) ?? '')?.[1])).filter((x) => x > 0);
      const beside = [own.length ? `own code ${fmtMs(median(own))}` : '', ref.length ? `Configuration Editing ${fmtMs(median(ref))}` : ''].filter(Boolean).join('; ');
      row('5 activation', `code-server exthost, ${what} (${ms.join(', ')} ms)`, fmtMs(s[key].medianMs), beside, '', '≤ 50 ms', ok(s[key].medianMs <= 50));
    }
  }
  for (const [n, m] of Object.entries(f.memory ?? {})) {
    row('6 memory', `CLI topology --json at ${n} queues: peak heap (RSS)`, fmtBytes(m.peakHeapUsed.median), `RSS ${fmtBytes(m.peakRss)}, ${fmtMs(m.ms.median)}`, '', '', '');
  }
  if (f.load) {
    const l = f.load;
    const ms3 = (x) => `${fmtMs(x.median)} / ${fmtMs(x.p95)} / ${fmtMs(x.max)}`;
    row('7 load', `pool (${l.workers} workers, prefetch ${l.prefetch}) drains ${l.count} while the tree refreshes (${l.gapMs} ms pauses; steady ${fmtRate(l.steadyRate.median)})`, fmtRate(l.rate.median), `${fmtRate(l.rawRate.median)} (raw, no tree)`, pct(l.ratio), '≥ 30k msg/s', ok(l.rate.median >= 30_000));
    row('7 load', `tree refresh under load: median / p95 / max (${l.refreshLoaded.n} refreshes)`, ms3(l.refreshLoaded), `${ms3(l.refreshIdle)} (idle)`, `${(l.refreshLoaded.median / l.refreshIdle.median).toFixed(1)}× idle`, '≤ 1 s (max)', ok(l.refreshLoaded.max <= 1000));
    row('7 load', 'event-loop lag under load: max / p99', `${fmtMs(l.lagLoaded.maxMs)} / ${fmtMs(l.lagLoaded.p99Ms)}`, `${fmtMs(l.lagIdle.maxMs)} / ${fmtMs(l.lagIdle.p99Ms)} (idle)`, '', '', '');
    row('7 load', 'client CPU per delivery (pool + tree refreshes) / broker CPU per delivery', `${l.cpuUsPerMessage.ours.median.toFixed(1)} / ${l.brokerUsPerMessage.ours.toFixed(1)} µs`, `${l.cpuUsPerMessage.raw.median.toFixed(1)} / ${l.brokerUsPerMessage.raw.toFixed(1)} µs`, '', '', '');
    const c = l.cores.ours;
    row('7 load', `cores busy during the drain: machine / broker / this process (of ${Math.round(c.of)})`, `${c.machine.toFixed(2)} / ${c.broker.toFixed(2)} / ${c.self.toFixed(2)}`, `${l.cores.raw.machine.toFixed(2)} / ${l.cores.raw.broker.toFixed(2)} / ${l.cores.raw.self.toFixed(2)}`, '', '', '');
  }
  shapesRows(f.shapes, row, ok);
  const cols = ['figure', 'what', 'ours', 'base', 'ratio', 'target', 'ok'];
  const head = { figure: 'figure', what: 'measure', ours: 'ours (median)', base: 'baseline (median)', ratio: 'ratio', target: 'target', ok: 'met' };
  const w = Object.fromEntries(cols.map((c) => [c, Math.max(head[c].length, ...rows.map((r) => String(r[c]).length))]));
  const line = (r) => `| ${cols.map((c) => String(r[c]).padEnd(w[c])).join(' | ')} |`;
  return [line(head), `|${cols.map((c) => '-'.repeat(w[c] + 2)).join('|')}|`, ...rows.map(line)].join('\n');
}

/** Sample-wise sum of two summaries taken in the same repetitions (same order), as a median. */
function sumMedian(a, b) {
  if (!a?.samples || !b?.samples || a.samples.length !== b.samples.length) { return undefined; }
  const s = a.samples.map((x, i) => x + b.samples[i]).sort((x, y) => x - y);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}
/** Median of the per-repetition ratios a[i] / b[i] (the pairs: each ours next to its baseline of the same round). */
function pairMedian(a, b) {
  if (!a?.samples || !b?.samples || a.samples.length !== b.samples.length) { return undefined; }
  const s = a.samples.map((x, i) => x / b.samples[i]).sort((x, y) => x - y);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/**
 * Figure 8 (issue 19): each shape beside the management UI answering the same question on the same broker in the same run.
 * Targets: an expansion no slower than the UI's answer (it draws no workers); the Exchanges level ≤ 100 ms; the Pools folder
 * ≤ 1.2× one paged queue request; the broker's CPU per tree refresh ≤ the UI's own refresh of its queues page.
 */
function shapesRows(s, row, ok) {
  if (!s) { return; }
  const times = (x, base) => (x !== undefined && base ? `${(x / base).toFixed(2)}×` : '');
  for (const key of ['q10000', 'q50000']) {
    const x = s[key];
    if (!x) { continue; }
    const t = x.tool;
    const n = `${(x.queues / 1000).toFixed(0)}k q`;
    const ui = x.ui.fanoutBindings.median;
    const uiLine = `UI bindings page ${fmtMs(ui)}`;
    row('8 shapes', `${n}: 500-pool key: the key's names drawn (${t.fanoutShown} + Load more…)`, fmtMs(t.fanoutNames.median), uiLine, times(t.fanoutNames.median, ui), '≤ UI', ok(t.fanoutNames.median <= ui));
    row('8 shapes', `${n}: 500-pool key: the first 50 with workers`, fmtMs(t.fanoutFirst50.median), uiLine, times(t.fanoutFirst50.median, ui), '≤ UI', ok(t.fanoutFirst50.median <= ui));
    const all = t.fanoutAll?.median ?? sumMedian(t.fanoutNames, t.fanoutKeyDetails);
    if (all !== undefined) { row('8 shapes', `${n}: 500-pool key: all ${t.fanoutShown} shown with workers (${t.fanoutWorkersShown} workers)`, fmtMs(all), uiLine, times(all, ui), '≤ UI', ok(all <= ui)); }
    const rpc = x.ui.rpcBindings.median;
    row('8 shapes', `${n}: exchange with ${t.rpcKeys.toLocaleString('en-US')} keys: keys drawn (${t.rpcKeysShown} + Load more…)`, fmtMs(t.rpcExchange.median), `UI bindings page (500 rows) ${fmtMs(rpc)}`, times(t.rpcExchange.median, rpc), '≤ UI', ok(t.rpcExchange.median <= rpc));
    row('8 shapes', `${n}: exchange with ${t.rpcKeys.toLocaleString('en-US')} keys: one key's pool`, fmtMs(t.rpcKey.median), '', '', '', '');
    row('8 shapes', `${n}: Exchanges level, cold session (overview included) / after a Refresh`, `${fmtMs(t.exchangesLevel.median)} / ${fmtMs(t.exchangesAfterRefresh.median)}`, '', '', '≤ 100 ms', ok(t.exchangesLevel.median <= 100 && t.exchangesAfterRefresh.median <= 100));
    const floor = t.onePagedRequest.median;
    // Decided by the pairs where the run has them (each folder beside the paged request of its own repetition, order alternated):
    // one page of 50,000 queues swings 0.8–3 s with the broker's statistics cycle, which medians of separate columns mix in.
    const folderPairs = pairMedian(t.poolsFolder, t.onePagedRequest);
    row('8 shapes', `${n}: Pools folder (${t.poolsShown} of ${t.poolsTotal.toLocaleString('en-US')} pools)`, fmtMs(t.poolsFolder.median), `one paged request ${fmtMs(floor)} (UI queues page ${fmtMs(x.ui.queuesFirst100.median)})`, `${times(t.poolsFolder.median, floor)}${folderPairs !== undefined ? ` (pairs ${folderPairs.toFixed(2)}×)` : ''}`, '≤ 1.2×', ok((folderPairs ?? t.poolsFolder.median / floor) <= 1.2));
    const cpu = s[`cpu${x.queues}`];
    if (cpu) {
      const pairs = pairMedian(cpu.treeFolders, cpu.ui);
      row('8 shapes', `${n}: broker CPU per tree refresh (folders expanded; ${cpu.windowSeconds ? `${cpu.rounds} windows of ${cpu.windowSeconds} s` : `${cpu.rounds} rounds of ${cpu.refreshes}`})`, fmtMs(cpu.treeFolders.median), `UI queues-page refresh ${fmtMs(cpu.ui.median)}`, `${times(cpu.treeFolders.median, cpu.ui.median)}${pairs !== undefined ? ` (pairs ${pairs.toFixed(2)}×)` : ''}`, '≤ UI', ok(cpu.treeFolders.median <= cpu.ui.median));
      if (cpu.treeMainExtras) { row('8 shapes', `${n}: (ref) broker CPU per refresh before the follow-up (+ findings' vhost count + dead-letter index)`, fmtMs(cpu.treeMainExtras.median), `UI queues-page refresh ${fmtMs(cpu.ui.median)}`, times(cpu.treeMainExtras.median, cpu.ui.median), '', ''); }
      row('8 shapes', `${n}: (ref) broker CPU per refresh with the 500-pool key's ${t.fanoutShown} details`, fmtMs(cpu.treeKey.median), `UI queues-page refresh ${fmtMs(cpu.ui.median)}`, times(cpu.treeKey.median, cpu.ui.median), '', '');
    }
    row('8 shapes', `${n}: (ref) ${t.fanoutShown} details, 8 / 4 in flight: wall (broker CPU)`, `${fmtMs(t.details8.median)} (${fmtMs(t.details8Broker.median)})`, `${fmtMs(t.details4.median)} (${fmtMs(t.details4Broker.median)})`, '', '', '');
    if (x.regexLookup500) { row('8 shapes', `${n}: (ref) before issue 19: the key's 500 pools by regex pages of 40`, fmtMs(x.regexLookup500.median), '', '', '', ''); }
  }
}

/** The generated section: which file, when, which commit, on what, then the table. */
export function section(results, file) {
  const m = results.machine ?? {};
  const run = `${results.startedAt?.slice(0, 16).replace('T', ' ')}–${(results.finishedAt ?? '').slice(11, 16)} UTC`;
  const what = results.quick ? 'a quick run (--quick)' : 'a full run';
  const head = `Generated by \`node bench/report.mjs ${file}\` from ${what} of ${run}, commit ${results.commit ?? '?'}${results.dirty ? ' (with uncommitted changes)' : ''}; `
    + `${m.nproc ?? '?'} cores (${m.cpu ?? '?'}), Node ${m.node ?? '?'}, RabbitMQ ${results.broker?.rabbitmq ?? '?'}; load ${(results.loadBefore ?? []).join(' ')} → ${(results.loadAfter ?? []).join(' ')}. `
    + `Every sample is in that file; the table shows medians.${results.error ? ` The run FAILED: ${results.error}` : ''}`;
  return `${BEGIN}\n${head}\n\n${table(results)}\n${END}`;
}

/** The document with its marked section replaced; throws when the markers are missing or out of order. */
export function rewrite(doc, results, file) {
  const a = doc.indexOf(BEGIN);
  const b = doc.indexOf(END);
  if (a < 0 || b < a) { throw new Error(`the document has no "${BEGIN}" … "${END}" section`); }
  return doc.slice(0, a) + section(results, file) + doc.slice(b + END.length);
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  const check = args.includes('--check');
  const di = args.indexOf('--doc');
  const docFile = di >= 0 ? args[di + 1] : path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'BENCHMARKS.md');
  const file = args.find((a, i) => !a.startsWith('--') && args[i - 1] !== '--doc');
  if (!file) { console.error('usage: node bench/report.mjs bench/results/<file>.json [--doc BENCHMARKS.md] [--check]'); process.exit(2); }
  const results = JSON.parse(readFileSync(file, 'utf8'));
  const doc = readFileSync(docFile, 'utf8');
  const cited = path.relative(path.dirname(path.resolve(docFile)), path.resolve(file)).split(path.sep).join('/');
  const next = rewrite(doc, results, cited);
  if (check) {
    if (next !== doc) { console.error(`${docFile}: the table is not the one ${file} gives: run node bench/report.mjs ${file}`); process.exit(1); }
    console.log(`${docFile}: the table is generated from ${file}`);
  } else {
    writeFileSync(docFile, next);
    console.log(`${docFile}: table rewritten from ${file}`);
  }
}
