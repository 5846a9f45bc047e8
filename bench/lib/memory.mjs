// Figure 6: memory of the CLI's `topology --json` (fetchTopology: the whole vhost in 5 requests, then the model), run as
// `node -r bench/heap-probe.cjs <cli.js> topology --json --vhost V` in a child process; peak heapUsed and RSS.
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { BENCH, median, summary } from './common.mjs';

function runOnce(cli, vh) {
  const dir = mkdtempSync(path.join(tmpdir(), 'rmqp-heap-'));
  const out = path.join(dir, 'probe.json');
  const t0 = performance.now();
  return new Promise((resolve, reject) => {
    execFile(process.execPath, ['-r', path.join(BENCH, 'heap-probe.cjs'), cli, 'topology', '--json', '--vhost', vh.name, '--timeout', '120000'],
      { env: { ...process.env, HEAP_PROBE_OUT: out }, maxBuffer: 512 << 20 }, (err, stdout, stderr) => {
        const ms = performance.now() - t0;
        try {
          if (err) { throw new Error(`topology --json failed: ${stderr.trim() || err.message}`); }
          const probe = JSON.parse(readFileSync(out, 'utf8'));
          const doc = JSON.parse(stdout);
          resolve({ ms, stdoutBytes: Buffer.byteLength(stdout), pools: doc.pools.length, exchanges: doc.exchanges.length, ...probe });
        } catch (e) { reject(e); } finally { rmSync(dir, { recursive: true, force: true }); }
      });
  });
}

export async function benchMemory(cli, vh, { reps }) {
  const runs = [];
  for (let r = 0; r < reps; r++) { runs.push(await runOnce(cli, vh)); }
  return {
    cli, pools: runs[0].pools, exchanges: runs[0].exchanges, stdoutBytes: runs[0].stdoutBytes,
    peakHeapUsed: summary(runs.map((r) => r.peakHeapUsed)), peakRss: median(runs.map((r) => r.maxRssKernel)), ms: summary(runs.map((r) => r.ms)),
  };
}
