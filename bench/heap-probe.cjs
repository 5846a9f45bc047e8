// Preload (node -r bench/heap-probe.cjs …): records the peak V8 heapUsed / rss of the process it runs in, sampled every
// 2 ms and at exit, plus the kernel's peak RSS; writes them as JSON to $HEAP_PROBE_OUT when the process exits.
// The event loop is blocked during a large JSON.parse, so the sample after it (with the parsed data alive) is the peak.
'use strict';
const { writeFileSync } = require('node:fs');
const out = process.env.HEAP_PROBE_OUT;
const t0 = performance.now();
let peakHeap = 0;
let peakRss = 0;
let samples = 0;
function sample() {
  const m = process.memoryUsage();
  samples++;
  if (m.heapUsed > peakHeap) { peakHeap = m.heapUsed; }
  if (m.rss > peakRss) { peakRss = m.rss; }
}
const timer = setInterval(sample, 2);
timer.unref();
process.on('exit', (code) => {
  sample();
  clearInterval(timer);
  if (out) {
    writeFileSync(out, JSON.stringify({ code, peakHeapUsed: peakHeap, peakRss, maxRssKernel: process.resourceUsage().maxRSS * 1024, samples, ms: performance.now() - t0 }));
  }
});
