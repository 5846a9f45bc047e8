// What one paged queue request costs the broker, by variant of its parameters, on a vhost of N queues (default 50,000).
// Not part of `npm run bench`: a probe to run before relying on an API option (the management UI's own request, the
// tree's, sort=, disable_stats=, the small reads of a refresh). On the bench's own node (scripts/bench-node.sh), in vhost
// "x" (created once, kept until `bash scripts/bench-node.sh down`). Broker CPU = beam.smp utime+stime per request,
// background included (3 requests per sample, variants interleaved, medians of REPS samples).
//   node bench/queue-page-cost.mjs            N=50000 REPS=6
// Seen on 3.10.8, 2 cores, 50,000 queues (2026-12-08): the UI's page 1,583 ms CPU, the tree's 1,503; sort=name 22,937;
// disable_stats=true&enable_queue_totals=true 9,373; sort=messages 16,640; overview 150; nodes, vhosts, exchanges < 10.
import { readFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const { sendPipelined } = await import(ROOT + '/bench/lib/shapesSetup.mjs');
const amqp = (await import('module')).createRequire(ROOT + '/')('amqplib');
const sh = (c) => spawnSync('bash', [ROOT + '/scripts/bench-node.sh', c], { encoding: 'utf8' }).stdout.trim();
console.log(sh('up'));
const pid = Number(sh('pid'));
const ticks = () => { const r = readFileSync(`/proc/${pid}/stat`, 'utf8'); const x = r.slice(r.lastIndexOf(')') + 2).split(' '); return +x[11] + +x[12]; };
const H = 'http://127.0.0.1:15692/api/';
const auth = 'Basic ' + Buffer.from('guest:guest').toString('base64');
const get = async (p) => { const r = await fetch(H + p, { headers: { authorization: auth } }); const t = await r.text(); if (!r.ok) throw new Error(p + ' ' + r.status + t.slice(0, 200)); return t.length; };
const N = Number(process.env.N ?? 50000);
const have = JSON.parse(await (await fetch(H + 'queues/x?page=1&page_size=1&columns=name', { headers: { authorization: auth } })).text().catch(() => '{}'));
if ((have.total_count ?? 0) < N) {
  await fetch(H + 'vhosts/x', { method: 'PUT', headers: { authorization: auth } });
  await fetch(H + 'permissions/x/guest', { method: 'PUT', headers: { authorization: auth, 'content-type': 'application/json' }, body: JSON.stringify({ configure: '.*', write: '.*', read: '.*' }) });
  const c = await amqp.connect('amqp://guest:guest@127.0.0.1:5692/x');
  const t0 = Date.now();
  await sendPipelined(c, { exchanges: [['fill', 'topic']], from: 0, to: N, name: (i) => `q.${String(i).padStart(5, '0')}`, bind: (i) => ['fill', `k.${i % 50}`] });
  console.log('created', N, (Date.now() - t0) / 1000, 's');
  await c.close();
  await new Promise((r) => setTimeout(r, 15000));
}
const COLS = 'name,vhost,durable,auto_delete,exclusive,arguments,type,node,leader,members,online,state,messages,messages_ready,messages_unacknowledged,consumers,single_active_consumer_tag,policy,effective_policy_definition,message_stats.publish_details.rate,message_stats.deliver_get_details.rate,message_stats.ack_details.rate';
const V = {
  ui: 'queues?page=1&page_size=100&name=&use_regex=false&pagination=true',
  uiVhost: 'queues/x?page=1&page_size=100&name=&use_regex=false&pagination=true',
  ours: `queues/x?page=1&page_size=100&columns=${COLS}`,
  oursName: `queues/x?page=1&page_size=100&columns=name`,
  oursSortName: `queues/x?page=1&page_size=100&columns=${COLS}&sort=name`,
  disableStats: `queues/x?page=1&page_size=100&columns=${COLS}&disable_stats=true&enable_queue_totals=true`,
  sortMessages: `queues/x?page=1&page_size=100&columns=${COLS}&sort=messages&sort_reverse=true`,
  overview: 'overview', nodes: 'nodes', vhosts: 'vhosts', exchanges: 'exchanges/x?page=1&page_size=100&columns=name,type',
};
const REPS = Number(process.env.REPS ?? 6);
const res = Object.fromEntries(Object.keys(V).map((k) => [k, []]));
for (let r = 0; r < REPS; r++) {
  const keys = Object.keys(V); if (r % 2) keys.reverse();
  for (const k of keys) {
    const a = ticks(); const t = performance.now(); let n = 0, bytes = 0;
    while (n < 3) { bytes = await get(V[k]); n++; }
    const ms = (performance.now() - t) / n; const cpu = (ticks() - a) * 10 / n;
    res[k].push({ ms, cpu, bytes });
  }
}
const med = (a) => { const s = [...a].sort((x, y) => x - y); return s[Math.floor(s.length / 2)]; };
for (const [k, l] of Object.entries(res)) console.log(k.padEnd(14), 'wall', med(l.map((x) => x.ms)).toFixed(0).padStart(6), 'cpu', med(l.map((x) => x.cpu)).toFixed(0).padStart(6), 'bytes', l[0].bytes);
