// UI: the seed's own scenario with the REAL oslo.messaging client, in the real workbench. Three processes of one program
// (ceilometer-agent-notification, each connection named "<program>:<pid>:<uuid>") listen in pool "ceilometer", another
// program in pool "audit", tuned as deployments are (rabbit_qos_prefetch_count = 10). The Brokers tree must show pool ceilometer with no warning and ONE application in its tooltip,
// each worker with its own process in its tooltip, and no shared-pool finding on it. With RMQ_POOLS_DOCS_IMAGES=1 it
// saves docs/images/oslo-pool.png. Needs Debian's python3-oslo.messaging (scripts/deps.sh oslo).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, symlinkSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { launchWorkbench, openContainer, screenshot, api, until, labelRow, expandRow, hoverTooltip, widenSidebar } from './helpers.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const DOCS = path.join(ROOT, 'docs/images');
const PEER = path.join(ROOT, 'test/oslo/oslo_peer.py');
const PYTHON = process.env.OSLO_PYTHON ?? '/usr/bin/python3';
const VHOST = `rmqp-test-ui-oslo-${randomBytes(3).toString('hex')}`;
const CEILOMETER = 'ceilometer-agent-notification';
const BIN = mkdtempSync(path.join(os.tmpdir(), 'rmq-pools-oslo-ui-'));

const procs = [];
/** One oslo listener process; resolves when it consumes. */
function listen(program, pool) {
  const exe = path.join(BIN, program);
  try { symlinkSync(PEER, exe); } catch { /* already there */ }
  const url = `rabbit://guest:guest@127.0.0.1:5672/${encodeURIComponent(VHOST)}`;
  const p = spawn(PYTHON, [exe, 'listen', '--url', url, '--exchange', 'nova', ...(pool ? ['--pool', pool] : []), '--prefetch', '10'], { stdio: ['ignore', 'pipe', 'pipe'] });
  procs.push(p);
  let err = '';
  p.stderr.on('data', (d) => { err = (err + d).slice(-4000); });
  return new Promise((resolve, reject) => {
    p.stdout.on('data', (d) => { if (String(d).includes('"ready"')) { resolve(p); } });
    p.once('exit', (code) => reject(new Error(`oslo listener ${program} exited with ${code}: ${err}`)));
  });
}

let wb;
before(async () => {
  await api('PUT', `vhosts/${encodeURIComponent(VHOST)}`, {});
  await api('PUT', `permissions/${encodeURIComponent(VHOST)}/guest`, { configure: '.*', write: '.*', read: '.*' });
  await Promise.all([listen(CEILOMETER, 'ceilometer'), listen(CEILOMETER, 'ceilometer'), listen(CEILOMETER, 'ceilometer'), listen('audit-listener', 'audit')]);
  // Four consumers, each with its connection resolved (the statistics database lags the AMQP side).
  await until(async () => {
    const [consumers, conns] = await Promise.all([api('GET', `consumers/${encodeURIComponent(VHOST)}`), api('GET', `vhosts/${encodeURIComponent(VHOST)}/connections`)]);
    return consumers.length === 4 && conns.length === 4 && consumers.every((c) => c.channel_details?.connection_name) ? true : undefined;
  }, '4 oslo consumers in the management API', 60_000);
  wb = await launchWorkbench();
});

after(async () => {
  await wb?.close();
  for (const p of procs) { p.kill('SIGTERM'); }
  await Promise.all(procs.map((p) => (p.exitCode !== null ? undefined : new Promise((r) => { const t = setTimeout(() => { p.kill('SIGKILL'); r(); }, 10_000); p.once('exit', () => { clearTimeout(t); r(); }); }))));
  await api('DELETE', `vhosts/${encodeURIComponent(VHOST)}`).catch(() => {});
});

test('three oslo processes of one program in one pool: no warning, one application', async () => {
  const { page, lap } = wb;
  await openContainer(page);
  await expandRow(page, 'localhost');
  await expandRow(page, VHOST);
  await expandRow(page, 'Exchanges');
  await expandRow(page, 'nova');
  await expandRow(page, 'notifications.info');
  await expandRow(page, 'ceilometer');
  await until(async () => (await labelRow(page, CEILOMETER, 2).count()) === 1 || undefined, `3 workers named ${CEILOMETER}`)
    .catch(async (e) => {
      await screenshot(page, 'oslo-workers-missing');
      const toasts = await page.locator('.notifications-toasts').innerText().catch(() => '');
      throw new Error(`${e.message}; notifications: ${toasts}`);
    });
  lap('expanded to the oslo workers');
  const errors = await page.locator('.notifications-toasts').innerText().catch(() => '');
  assert.doesNotMatch(errors, /already registered|Element with id/, `no tree error: ${errors}`);

  const text = (await labelRow(page, 'ceilometer').innerText()).replace(/\s+/g, ' ');
  assert.match(text, /3 workers/);
  // The pool's icon is the plain inbox, not in the warning colour a shared pool (or any finding) gets.
  const icon = labelRow(page, 'ceilometer').locator('.custom-view-tree-node-item-icon').first();
  const warning = await page.evaluate(() => {
    const probe = document.createElement('span');
    probe.style.color = 'var(--vscode-problemsWarningIcon-foreground)';
    document.querySelector('.monaco-workbench').appendChild(probe);
    const c = window.getComputedStyle(probe).color;
    probe.remove();
    return c;
  });
  assert.notEqual(await icon.evaluate((el) => window.getComputedStyle(el).color), warning, 'ceilometer\'s icon is not in the warning colour');
  assert.match(await icon.getAttribute('class'), /codicon-inbox/);
  assert.doesNotMatch(await icon.getAttribute('class'), /codicon-(warning|error)/);
  // Room for the descriptions in the picture: drag the sidebar's right edge.
  await widenSidebar(page, 260);

  const hover = await hoverTooltip(page, labelRow(page, 'ceilometer'), 'Queue type');
  const tip = (await hover.innerText()).replace(/\s+/g, ' ');
  assert.match(tip, new RegExp(`Applications: ${CEILOMETER}(?! ?,)`), tip);
  assert.match(tip, /3 workers of one application share the load/);
  assert.doesNotMatch(tip, /applications share this pool/);
  assert.doesNotMatch(tip, /steal each other's messages|shared-pool/, 'no shared-pool finding on it');
  assert.doesNotMatch(tip, /:\d+:[0-9a-f]{8}-/, 'the pool names the program, not each process');
  await screenshot(page, 'oslo-pool');
  // The README's picture only when asked (RMQ_POOLS_DOCS_IMAGES=1): a test run leaves tracked files alone.
  if (process.env.RMQ_POOLS_DOCS_IMAGES === '1') {
    mkdirSync(DOCS, { recursive: true });
    await page.screenshot({ path: path.join(DOCS, 'oslo-pool.png'), clip: { x: 0, y: 0, width: 1000, height: 620 } });
    lap('docs/images/oslo-pool.png');
  }

  const workerTip = (await (await hoverTooltip(page, labelRow(page, CEILOMETER, 0), 'Client name')).innerText()).replace(/\s+/g, ' ');
  assert.match(workerTip, new RegExp(`Client name: ${CEILOMETER}:\\d+:[0-9a-f-]{36}`), workerTip);
  await page.mouse.move(900, 700);
});
