#!/usr/bin/env node
// npm run bench [-- --quick] [-- --only tree,publish,pools,latency,size,memory,load] [-- --reps N]
//
// Benchmarks of RabbitMQ Pool Inspector against a baseline measured in the same run, on the local broker (run
// `bash scripts/broker.sh` first). Everything lives in a temporary vhost rmqp-bench-<hex>, deleted at the end, also on
// failure and Ctrl-C. Prints a table of medians and ratios and writes bench/results/latest.json. See BENCHMARKS.md.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import {
  BENCH, ROOT, fmtBytes, fmtMs, fmtRate, loadAvg, loadTargets, machineInfo, runCleanups,
} from './lib/common.mjs';
import { awaitManagementView, createVhost, growLargeBroker } from './lib/scenario.mjs';
import { benchTree } from './lib/tree.mjs';
import { benchPublish } from './lib/publish.mjs';
import { benchPools } from './lib/pools.mjs';
import { benchLatency } from './lib/latency.mjs';
import { PROD, benchActivation, productionBuild } from './lib/size.mjs';
import { benchMemory } from './lib/memory.mjs';
import { PREFETCH as LOAD_PREFETCH, WORKERS as LOAD_WORKERS, benchLoad } from './lib/load.mjs';

const argv = process.argv.slice(2);
const flag = (name) => argv.includes(`--${name}`);
const opt = (name) => { const i = argv.findIndex((a) => a === `--${name}` || a.startsWith(`--${name}=`)); if (i < 0) { return undefined; } return argv[i].includes('=') ? argv[i].split('=')[1] : argv[i + 1]; };
if (flag('help')) {
  console.log('usage: npm run bench [-- --quick] [--only tree,publish,pools,latency,size,memory,load] [--reps N] [--queues N] [--load-count N] [--load-gap MS] [--exthost]');
  console.log('  --load-count  messages the pool of figure 7 drains per run (default 300000)');
  console.log('  --load-gap    pause between two tree refreshes in figure 7, ms (default 250)');
  console.log('  --exthost  also the real activation time in code-server\'s extension host (bench/exthost-activation.sh, ~1 min)');
  process.exit(0);
}
const QUICK = flag('quick');
const ALL = ['size', 'publish', 'pools', 'latency', 'tree', 'memory', 'load'];
const ONLY = new Set((opt('only') ?? ALL.join(',')).split(',').map((s) => s.trim()).filter(Boolean));
for (const f of ONLY) { if (!ALL.includes(f)) { console.error(`unknown figure "${f}" (one of ${ALL.join(', ')})`); process.exit(2); } }
const REPS = Number(opt('reps') ?? (QUICK ? 3 : 5));
const QUEUES = Number(opt('queues') ?? 10_000);
const SMALL = Math.min(1000, QUEUES);
const PUBLISH_COUNT = QUICK ? 20_000 : 100_000;
const LOAD_COUNT = Number(opt('load-count') ?? 300_000);
const LOAD_GAP_MS = Number(opt('load-gap') ?? 250);

const log = (s) => console.error(`[${new Date().toISOString().slice(11, 19)}] ${s}`);
const results = { startedAt: new Date().toISOString(), quick: QUICK, reps: REPS, machine: machineInfo(), loadBefore: loadAvg(), figures: {} };

let interrupted = false;
for (const sig of ['SIGINT', 'SIGTERM']) {
  process.on(sig, () => {
    if (interrupted) { process.exit(130); }
    interrupted = true;
    log(`${sig}: cleaning up…`);
    void runCleanups().finally(() => process.exit(sig === 'SIGINT' ? 130 : 143));
  });
}

async function main() {
  log(`bench: ${QUICK ? 'quick' : 'full'} run, ${REPS} repetitions, figures: ${[...ONLY].join(', ')}; load ${results.loadBefore.join(' ')}`);
  const T = await loadTargets('targets');
  let W;
  try { W = await loadTargets('targets-webview'); } catch (e) { log(`panel host code not loadable (${e.message.split('\n')[0]}): figure 4 falls back to LocalPools events`); }

  if (ONLY.has('size')) {
    log('5: production build (isolated copy) + package…');
    const size = productionBuild();
    log('5: activation…');
    const activation = await benchActivation(path.join(PROD, 'dist/extension.js'), { reps: QUICK ? 7 : 15 });
    results.figures.size = { ...size, activation };
    if (flag('exthost')) {
      // Two situations: the view opened once the window has settled (SETTLE_MS=8000), and right away, while the workbench
      // is still starting and the built-in extensions activate (as when VS Code restores the view with the window).
      for (const [key, settle, name] of [['exthostSettled', '8000', 'exthost-activation-settled'], ['exthost', '0', 'exthost-activation']]) {
        log(`5: activation in code-server's extension host, ${settle === '0' ? 'view opened at start-up' : 'view opened after 8 s'} (bench/exthost-activation.sh)…`);
        const r = spawnSync('bash', [path.join(BENCH, 'exthost-activation.sh')], { stdio: ['ignore', 'ignore', 'inherit'], env: { ...process.env, RUNS: process.env.RUNS ?? (QUICK ? '2' : '3'), SETTLE_MS: settle, OUT_NAME: name } });
        const file = path.join(BENCH, `results/${name}.json`);
        if (r.status === 0 && existsSync(file)) { results.figures.size[key] = JSON.parse(readFileSync(file, 'utf8')); } else { log(`exthost activation failed (exit ${r.status})`); }
      }
    }
  }

  const vh = await createVhost(T);
  const overview = await vh.admin.overview();
  results.broker = { rabbitmq: overview.rabbitmq_version, erlang: overview.erlang_version, management: overview.management_version, ratesMode: overview.rates_mode, vhost: vh.name };
  log(`vhost ${vh.name} on RabbitMQ ${overview.rabbitmq_version} / Erlang ${overview.erlang_version}`);

  if (ONLY.has('publish')) {
    log(`2: publish ${PUBLISH_COUNT} × 1 KiB with confirms, ${Math.min(REPS, 3)} × (raw, ours, raw with the same properties)…`);
    results.figures.publish = await benchPublish(T, vh, { count: PUBLISH_COUNT, reps: Math.min(REPS, 3) });
  }
  if (ONLY.has('pools')) {
    log(`3: 3 pools × 4 workers drain 30,000 deliveries, ${REPS} × (raw, ours)…`);
    results.figures.pools = await benchPools(T, vh, { perPool: 10_000, reps: REPS });
  }
  if (ONLY.has('latency')) {
    log('4: latency from delivery to the panel update…');
    results.figures.latency = await benchLatency(T, W, vh, { reps: QUICK ? 2 : 3, sparse: QUICK ? 25 : 40, steady: QUICK ? 150 : 250 });
  }
  // Before the tree figures: those grow the vhost to 10,000 queues, which would make every refresh here cost the broker more.
  if (ONLY.has('load')) {
    const reps = QUICK ? 1 : Math.min(REPS, 3);
    log(`7: a pool (${LOAD_WORKERS} workers, prefetch ${LOAD_PREFETCH}) drains ${LOAD_COUNT} pre-filled messages while the tree refreshes (${LOAD_GAP_MS} ms apart), ${reps} × (ours + tree, raw consumers)…`);
    results.figures.load = await benchLoad(T, vh, { count: LOAD_COUNT, reps, gapMs: LOAD_GAP_MS });
  }

  if (ONLY.has('tree') || ONLY.has('memory')) {
    const state = {};
    const cli = path.join(PROD, 'dist/cli.js');
    const cliPath = ONLY.has('size') ? cli : path.join(ROOT, 'dist/cli.js');
    const stages = [SMALL, QUEUES].filter((n, i, a) => a.indexOf(n) === i);
    let from = 0;
    results.figures.tree = {};
    results.figures.memory = {};
    for (const n of stages) {
      log(`1/6: growing the broker to ${n} queues, ${n / 10} consumers…`);
      const grow = await growLargeBroker(vh, state, from, n);
      const lag = await awaitManagementView(vh, n, n / 10);
      log(`    created in ${grow.totalSeconds.toFixed(1)} s (queues+bindings ${grow.queueSeconds.toFixed(1)} s, consumers ${grow.consumerSeconds.toFixed(1)} s); management API caught up ${lag.toFixed(1)} s later`);
      results.figures.tree[`setup${n}`] = { ...grow, managementLagSeconds: lag };
      from = n;
      const big = n === QUEUES;
      if (ONLY.has('tree')) {
        log(`1: tree at ${n} queues…`);
        results.figures.tree[n] = await benchTree(T, vh, { reps: big ? REPS : Math.min(REPS, 3), label: `${n} queues` });
      }
      if (ONLY.has('memory')) {
        log(`6: CLI topology --json heap at ${n} queues…`);
        results.figures.memory[n] = await benchMemory(cliPath, vh, { reps: QUICK || !big ? 2 : 3 });
      }
    }
  }
  results.loadAfter = loadAvg();
  results.finishedAt = new Date().toISOString();
}

function table() {
  const f = results.figures;
  const rows = [];
  const row = (figure, what, ours, base, ratio, target, ok) => rows.push({ figure, what, ours, base, ratio, target, ok });
  const ok = (b) => (b === undefined ? '' : b ? 'yes' : 'NO');
  const pct = (x) => `${(x * 100).toFixed(0)} %`;
  for (const [n, t] of Object.entries(f.tree ?? {})) {
    if (n.startsWith('setup')) { continue; }
    const big = Number(n) === QUEUES;
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
    if (s.webviewJs) { row('5 size', 'dist/webview.js (production)', fmtBytes(s.webviewJs), '', '', '', ''); }
    row('5 size', '.vsix', fmtBytes(s.vsix), '', '', '', '');
    row('5 activation', `require + activate() (fake vscode), median of ${s.activation.total.n} (min ${fmtMs(s.activation.total.min)})`, fmtMs(s.activation.total.median), `require ${fmtMs(s.activation.require.median)}`, '', '≤ 50 ms', ok(s.activation.total.median <= 50));
    for (const [key, what] of [['exthostSettled', 'view opened in a settled window'], ['exthost', 'view opened at window start-up']]) {
      if (!s[key]) { continue; }
      const ms = s[key].runs.map((r) => r.activationMs);
      row('5 activation', `code-server exthost, ${what} (${ms.join(', ')} ms)`, fmtMs(s[key].medianMs), '', '', '≤ 50 ms', ok(s[key].medianMs <= 50));
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
  const cols = ['figure', 'what', 'ours', 'base', 'ratio', 'target', 'ok'];
  const head = { figure: 'figure', what: 'measure', ours: 'ours (median)', base: 'baseline (median)', ratio: 'ratio', target: 'target', ok: 'met' };
  const w = Object.fromEntries(cols.map((c) => [c, Math.max(head[c].length, ...rows.map((r) => String(r[c]).length))]));
  const line = (r) => `| ${cols.map((c) => String(r[c]).padEnd(w[c])).join(' | ')} |`;
  return [line(head), `|${cols.map((c) => '-'.repeat(w[c] + 2)).join('|')}|`, ...rows.map(line)].join('\n');
}

let failed;
try {
  await main();
} catch (e) {
  failed = e;
  log(`FAILED: ${e?.stack ?? e}`);
} finally {
  log('cleaning up…');
  await runCleanups();
}
if (interrupted) { process.exit(130); }
const outDir = path.join(BENCH, 'results');
mkdirSync(outDir, { recursive: true });
if (failed) { results.error = String(failed?.message ?? failed); }
writeFileSync(path.join(outDir, 'latest.json'), JSON.stringify(results, null, 2) + '\n');
console.log(table());
console.log(`\nmachine: ${results.machine.nproc} cores (${results.machine.cpu}), ${results.machine.memTotalMiB} MiB, Node ${results.machine.node}; RabbitMQ ${results.broker?.rabbitmq ?? '?'} / Erlang ${results.broker?.erlang ?? '?'}; load ${results.loadBefore.join(' ')} → ${results.loadAfter?.join(' ') ?? '?'}`);
console.log(`results: ${path.relative(ROOT, path.join(outDir, 'latest.json'))}`);
process.exit(failed ? 1 : 0);
