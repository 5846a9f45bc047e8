/**
 * The Delivery Counts panel when one half of the broker is unreachable, inside a real extension host: the broker's AMQP
 * and management URLs go through two cuttable TCP proxies in front of the main broker (cutting a proxy leaves the broker
 * alone). What the page is told is followed message by message (snapshot, then updates, as media/main.ts applies them)
 * and its freshness line is built by the page's own function, so the assertions are on what the page shows:
 *   management API cut → the line names the management API as the down half, the local pool keeps counting exactly over
 *   AMQP, and the line clears by itself once the API answers again (the panel's own polling, no refresh from the test);
 *   AMQP cut → the local pool's note says the AMQP connection was lost, that the workers reconnect by themselves and that
 *   the management API still answers (its ready count keeps moving), and the note clears after the reconnect.
 */
import * as assert from 'assert';
import { randomBytes } from 'crypto';
import * as vscode from 'vscode';
import type { ExtensionApi } from '../../../src/extension';
import { publishNotifications } from '../../../src/broker/publisher';
import type { BrokerConfig } from '../../../src/broker/connection';
import type { DeliveryCountsPanel } from '../../../src/webview/deliveryCountsPanel';
import { freshnessLine } from '../../../src/webview/freshness';
import type { HostMessage, PanelSelection, PoolRow } from '../../../src/webview/protocol';
import { CuttableProxy } from '../../broker/faultsScratch';
import { TestVhost, freshVhost, until } from '../../broker/helpers';

const EXTENSION_ID = 'rmq-pools.rabbitmq-pool-inspector';
const PANEL_COMMAND = 'rabbitmqPools.panel.show';
const EXCHANGE = 'nova';
const KEY = 'notifications.info';
const POOL = 'ceilometer';

/** What the page holds, rebuilt from the messages it is sent exactly as media/main.ts applies them. */
class PageMirror {
  snapshots = 0;
  updates = 0;
  pools = new Map<string, PoolRow>();
  managementAt: number | undefined;
  managementError: string | undefined;

  apply(raw: HostMessage): void {
    // postMessage clones as JSON does (undefined fields are dropped): the page never sees the host's objects.
    const m = JSON.parse(JSON.stringify(raw)) as HostMessage;
    if (m.type === 'snapshot') {
      this.snapshots++;
      this.pools = new Map(m.state.pools.map((p) => [p.name, p]));
      this.managementAt = m.state.managementAt;
      this.managementError = m.state.managementError;
    } else if (m.type === 'update') {
      this.updates++;
      for (const p of m.pools) { this.pools.set(p.name, p); }
      for (const n of m.removed) { this.pools.delete(n); }
      if (m.managementAt !== undefined) { this.managementAt = m.managementAt; }
      if (m.managementError !== undefined) { this.managementError = m.managementError ?? undefined; }
    }
  }

  /** The page's line under the pools table. */
  freshness(): string { return freshnessLine([...this.pools.values()], this.managementAt, this.managementError); }
  pool(): PoolRow | undefined { return this.pools.get(POOL); }
}

describe('Delivery Counts panel with one half of the broker down (extension host)', function () {
  this.timeout(180_000);
  const broker = `half-down-${randomBytes(3).toString('hex')}`;
  const config = () => vscode.workspace.getConfiguration('rabbitmqPools');
  let api: ExtensionApi;
  let vh: TestVhost;
  let http: CuttableProxy;
  let amqpProxy: CuttableProxy;
  /** Which proxies are cut now (a failing test must not leave one cut for the next). */
  const cut = { http: false, amqp: false };
  let cfg: BrokerConfig;
  let panel: DeliveryCountsPanel | undefined;
  const page = new PageMirror();
  let previous: { brokers: unknown; refreshSeconds: unknown };

  const local = () => api.services.localPools.list().find((e) => e.vhost === vh.name && e.pool.name === POOL);
  const publish = async (via: BrokerConfig, count: number) => {
    const r = await publishNotifications(via, { exchange: EXCHANGE, routingKey: KEY, count });
    assert.strictEqual(r.confirmed, count, `${count} test notifications confirmed`);
  };
  const reopen = async () => {
    if (cut.http) { await http.open(); cut.http = false; }
    if (cut.amqp) { await amqpProxy.open(); cut.amqp = false; }
  };

  before(async () => {
    api = await vscode.extensions.getExtension<ExtensionApi>(EXTENSION_ID)!.activate();
    previous = { brokers: config().inspect('brokers')?.globalValue, refreshSeconds: config().inspect('refreshSeconds')?.globalValue };
    vh = await freshVhost('half-down');
    const ch = await (await vh.connect('half-down-setup')).createChannel();
    await ch.assertExchange(EXCHANGE, 'topic', { durable: false });
    await ch.close();
    http = await new CuttableProxy(15672).open();
    amqpProxy = await new CuttableProxy(5672).open();
    // No tree auto-refresh: the only thing polling the management API is the panel.
    await config().update('refreshSeconds', 0, vscode.ConfigurationTarget.Global);
    await config().update('brokers', [{
      name: broker, amqpUrl: `amqp://guest@127.0.0.1:${amqpProxy.port}`, managementUrl: `http://127.0.0.1:${http.port}`, vhost: vh.name,
    }], vscode.ConfigurationTarget.Global);
    const entry = api.services.store.find(broker);
    assert.ok(entry, 'the proxied broker is configured');
    cfg = await api.services.store.config(entry);
    assert.strictEqual(cfg.amqpUrl.includes(`:${amqpProxy.port}`), true, `the pool goes through the AMQP proxy: ${cfg.amqpUrl}`);
    await api.services.localPools.start(cfg, { pool: POOL, exchange: EXCHANGE, routingKeys: KEY, workers: 2 });

    const selection: PanelSelection = { broker, vhost: vh.name, exchange: EXCHANGE, routingKey: KEY };
    panel = await vscode.commands.executeCommand<DeliveryCountsPanel>(PANEL_COMMAND, selection);
    assert.ok(panel && panel.panel, 'the command returns the panel');
    // Attached before the page can have said 'ready' (that takes a round trip through the browser): the mirror sees the snapshot.
    panel.onPost = (m) => page.apply(m);
    await panel.whenInitialized();
    await until(() => page.snapshots > 0, 'the page to load and get its snapshot', 60_000);
    await until(() => page.pool() && page.managementAt !== undefined && !page.managementError,
      'the local pool on the page and a first management API answer', 20_000);
  });

  after(async () => {
    if (panel) { panel.onPost = undefined; panel.dispose(); }
    await reopen().catch(() => undefined);
    for (const e of api?.services.localPools.list() ?? []) {
      if (e.vhost === vh?.name) { await api.services.localPools.stop(e.id).catch(() => undefined); }
    }
    await config().update('brokers', previous?.brokers, vscode.ConfigurationTarget.Global);
    await config().update('refreshSeconds', previous?.refreshSeconds, vscode.ConfigurationTarget.Global);
    await http?.cut();
    await amqpProxy?.cut();
    await vh?.cleanup();
  });

  afterEach(async () => { await reopen(); });

  it('management API cut while AMQP works: the page names the management API, the local pool keeps counting, the line clears by itself', async () => {
    const healthy = page.freshness();
    assert.match(healthy, /^Pools with local workers: exact, live\. Ready \/ unacked: from the management API, \d+ s ago\.$/, healthy);
    const before = page.pool()!.delivered;

    await http.cut();
    cut.http = true;
    await until(() => page.managementError, 'the page to be told that the management API cannot be read', 20_000, 100);
    const down = page.freshness();
    console.log(`      page, management API down: ${down}`);
    assert.match(down, /^The management API \(HTTP\) could not be read; the panel retries by itself every few seconds: /, 'it starts with the down half');
    assert.match(down, new RegExp(`The management API at http://127\\.0\\.0\\.1:${http.port} answered \\d+ s ago but now refuses connections`), 'the error names the management URL and that it worked before');
    assert.match(down, new RegExp(`still answers on AMQP \\(127\\.0\\.0\\.1:${amqpProxy.port}\\)`), 'and says that AMQP answers');
    assert.match(down, /It may be restarting/, 'no advice to enable a plugin that was working a moment ago, first');
    assert.match(down, / Pools with local workers: still exact and live \(counted over AMQP\)\. /);
    assert.match(down, /Ready \/ unacked: last read from the management API \d+ s ago\.$/);
    assert.strictEqual(panel!.state().managementError, page.managementError, 'the panel\'s state and the page agree');
    assert.strictEqual(page.pool()!.note, undefined, 'AMQP is not said to be down');
    assert.strictEqual(local()?.status, 'running');

    // AMQP still works: the local pool counts new publishes, exactly, on the page.
    await publish(cfg, 500);
    await until(() => page.pool()!.delivered === before + 500, `${before + 500} delivered on the page while the management API is down`, 20_000, 100);
    assert.ok(page.managementError, 'the management API is still reported down (nothing cleared it by accident)');
    assert.strictEqual(page.pool()!.workerCounts.reduce((n, w) => n + w.delivered, 0), page.pool()!.delivered, 'the per-worker counts add up');

    // The API answers again: the panel's own polling clears the line (the test does not refresh anything).
    await http.open();
    cut.http = false;
    const reopenedAt = Date.now();
    await until(() => page.managementError === undefined && (page.managementAt ?? 0) >= reopenedAt, 'the page\'s management error to clear by itself', 20_000, 100);
    const back = page.freshness();
    console.log(`      page, management API back: ${back}`);
    assert.match(back, /^Pools with local workers: exact, live\. Ready \/ unacked: from the management API, \d+ s ago\.$/, back);
    assert.strictEqual(panel!.state().managementError, undefined);
  });

  it('AMQP cut while the management API works: the pool\'s row says AMQP was lost and reconnects, the note clears and counts go on', async () => {
    assert.strictEqual(local()?.status, 'running');
    assert.strictEqual(page.pool()!.note, undefined);
    const before = page.pool()!.delivered;

    await amqpProxy.cut();
    cut.amqp = true;
    const cutAt = Date.now();
    await until(() => page.pool()?.note, 'the pool\'s row to say that AMQP was lost', 20_000, 100);
    // The note reflects a management poll after the cut (it says whether the API still answers).
    await until(() => (page.managementAt ?? 0) > cutAt && /management API/.test(page.pool()?.note ?? ''), 'a management API answer after the cut', 20_000, 100);
    const note = page.pool()!.note!;
    console.log(`      page, AMQP down, pool note: ${note}`);
    assert.match(note, /^AMQP connection lost: the workers reconnect by themselves; counts so far are kept\./);
    assert.match(note, / The management API still answers\./);
    assert.match(note, new RegExp(`Pool "${POOL}" lost its connection`), 'with the pool\'s own message');
    assert.strictEqual(local()?.status, 'reconnecting');
    assert.strictEqual(page.managementError, undefined, 'the management API is not said to be down');
    assert.doesNotMatch(page.freshness(), /could not be read/);

    // The management API half works: messages published straight to the broker wait in the queue, and the page's
    // ready count (from the API) shows them while the workers are away.
    await publish(vh.config, 300);
    await until(() => page.pool()!.ready === 300, 'ready = 300 on the page, from the management API', 30_000, 200);
    assert.strictEqual(page.pool()!.delivered, before, 'nothing was delivered while AMQP was down');
    assert.match(page.pool()!.note ?? '', /^AMQP connection lost/, 'still reconnecting');

    // AMQP back: the workers reconnect by themselves (backoff up to 15 s), the note goes and the waiting messages arrive.
    await amqpProxy.open();
    cut.amqp = false;
    await until(() => page.pool() && page.pool()!.note === undefined && page.pool()!.delivered === before + 300,
      `the note to clear and ${before + 300} delivered on the page`, 45_000, 200);
    assert.strictEqual(local()?.status, 'running');
    await publish(cfg, 200);
    await until(() => page.pool()!.delivered === before + 500, `${before + 500} delivered on the page after the reconnect`, 20_000, 100);
    assert.strictEqual(page.pool()!.duplicates, 0);
    assert.strictEqual(page.pool()!.note, undefined);
    assert.strictEqual(page.managementError, undefined);
  });
});
