#!/usr/bin/env node
// npm run bench [-- --quick] [-- --only tree,publish,pools,latency,size,memory,load,shapes] [-- --reps N]
// (--only shapes: figure 8 alone, on its own node, scripts/bench-node.sh: 10,000 and 50,000 queues beside the management UI)
//
// Benchmarks of RabbitMQ Pool Inspector against a baseline measured in the same run, on the local broker (run
// `bash scripts/broker.sh` first). Everything lives in a temporary vhost rmqp-bench-<hex>, deleted at the end, also on
// failure and Ctrl-C. Prints a table of medians and ratios (bench/report.mjs) and writes bench/results/latest.json; a full
// run also bench/results/<date>-<commit>.json, which BENCHMARKS.md's table is generated from. See BENCHMARKS.md.
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
import { benchShapes, shapesLines } from './lib/shapes.mjs';
import { resultsFileName, table } from './report.mjs';

const argv = process.argv.slice(2);
const flag = (name) => argv.includes(`--${name}`);
const opt = (name) => { const i = argv.findIndex((a) => a === `--${name}` || a.startsWith(`--${name}=`)); if (i < 0) { return undefined; } return argv[i].includes('=') ? argv[i].split('=')[1] : argv[i + 1]; };
if (flag('help')) {
  console.log('usage: npm run bench [-- --quick] [--only tree,publish,pools,latency,size,memory,load,shapes] [--reps N] [--queues N] [--load-count N] [--load-gap MS] [--exthost] [--no-50k]');
  console.log('  shapes    figure 8 on a node of its own (scripts/bench-node.sh, 5692/15692): 500 pools on a key, 5,000 keys, 50,000 queues, beside the management UI in chromium');
  console.log('  --no-50k  figure 8 without growing to 50,000 queues');
  console.log('  --load-count  messages the pool of figure 7 drains per run (default 300000)');
  console.log('  --load-gap    pause between two tree refreshes in figure 7, ms (default 250)');
  console.log('  --exthost  also the real activation time in code-server\'s extension host (bench/exthost-activation.sh: 3 cold starts with the view opened in a settled window, 9 with it opened at start-up, whose figure is bimodal; ~4 min)');
  process.exit(0);
}
const QUICK = flag('quick');
const ALL = ['size', 'publish', 'pools', 'latency', 'tree', 'memory', 'load', 'shapes'];
const ONLY = new Set((opt('only') ?? ALL.join(',')).split(',').map((s) => s.trim()).filter(Boolean));
for (const f of ONLY) { if (!ALL.includes(f)) { console.error(`unknown figure "${f}" (one of ${ALL.join(', ')})`); process.exit(2); } }
const REPS = Number(opt('reps') ?? (QUICK ? 3 : 5));
const QUEUES = Number(opt('queues') ?? 10_000);
const SMALL = Math.min(1000, QUEUES);
const PUBLISH_COUNT = QUICK ? 20_000 : 100_000;
const LOAD_COUNT = Number(opt('load-count') ?? 300_000);
const LOAD_GAP_MS = Number(opt('load-gap') ?? 250);

const log = (s) => console.error(`[${new Date().toISOString().slice(11, 19)}] ${s}`);
const commitOf = () => { const r = spawnSync('git', ['rev-parse', '--short=7', 'HEAD'], { cwd: ROOT, encoding: 'utf8' }); return r.status === 0 ? r.stdout.trim() : 'unknown'; };
const dirty = () => spawnSync('git', ['status', '--porcelain', '--untracked-files=no'], { cwd: ROOT, encoding: 'utf8' }).stdout?.trim() !== '';
const results = { startedAt: new Date().toISOString(), commit: commitOf(), dirty: dirty(), quick: QUICK, reps: REPS, queues: QUEUES, only: [...ONLY], machine: machineInfo(), loadBefore: loadAvg(), figures: {} };

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
        const r = spawnSync('bash', [path.join(BENCH, 'exthost-activation.sh')], { stdio: ['ignore', 'ignore', 'inherit'], env: { ...process.env, RUNS: process.env.RUNS ?? (QUICK ? '2' : settle === '0' ? '9' : '3'), SETTLE_MS: settle, OUT_NAME: name } });
        const file = path.join(BENCH, `results/${name}.json`);
        if (r.status === 0 && existsSync(file)) { results.figures.size[key] = JSON.parse(readFileSync(file, 'utf8')); } else { log(`exthost activation failed (exit ${r.status})`); }
      }
    }
  }

  if (ONLY.has('shapes')) {
    // First, on its own node: nothing of the shared broker is touched, and its 50,000 queues never slow the other figures.
    log('8: broker shapes on a dedicated node (scripts/bench-node.sh), beside the management UI in chromium…');
    results.figures.shapes = await benchShapes(T, { reps: QUICK ? 3 : REPS, with50k: !flag('no-50k'), cpuWindowSeconds: QUICK ? 5 : 10, log });
    if (ONLY.size === 1) { results.loadAfter = loadAvg(); results.finishedAt = new Date().toISOString(); return; }
  }

  const vh = await createVhost(T);
  const overview = await vh.admin.overview();
  results.broker = { rabbitmq: overview.rabbitmq_version, erlang: overview.erlang_version, management: overview.management_version, ratesMode: overview.rates_mode, vhost: vh.name };
  log(`vhost ${vh.name} on RabbitMQ ${overview.rabbitmq_version} / Erlang ${overview.erlang_version}`);

  if (ONLY.has('publish')) {
    log(`2: publish ${PUBLISH_COUNT} × 1 KiB with confirms, ${REPS} × (raw, ours, raw with the same properties)…`);
    // As many repetitions as the other figures (was 3: one run's median swung 88–93 % on the same code).
    results.figures.publish = await benchPublish(T, vh, { count: PUBLISH_COUNT, reps: REPS });
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
// A full run (every figure, not --quick, no failure) also keeps its samples under a name of its own, committed with the
// project: BENCHMARKS.md's table is generated from such a file (node bench/report.mjs bench/results/<file>) and cites it.
const full = !QUICK && ONLY.size === ALL.length && !failed;
const kept = full ? path.join(outDir, resultsFileName(results)) : undefined;
if (kept) { writeFileSync(kept, JSON.stringify(results, null, 2) + '\n'); }
console.log(table(results));
if (results.figures.shapes) { console.log('\n' + shapesLines(results.figures.shapes)); }
console.log(`\nmachine: ${results.machine.nproc} cores (${results.machine.cpu}), ${results.machine.memTotalMiB} MiB, Node ${results.machine.node}; RabbitMQ ${results.broker?.rabbitmq ?? '?'} / Erlang ${results.broker?.erlang ?? '?'}; load ${results.loadBefore.join(' ')} → ${results.loadAfter?.join(' ') ?? '?'}`);
console.log(`results: ${path.relative(ROOT, path.join(outDir, 'latest.json'))}`);
if (kept) { console.log(`kept: ${path.relative(ROOT, kept)} (commit it; BENCHMARKS.md's table: node bench/report.mjs ${path.relative(ROOT, kept)})`); }
process.exit(failed ? 1 : 0);
