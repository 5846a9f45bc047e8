/**
 * The Brokers tree inside a real VS Code extension host, against the real broker: labels, descriptions, context values,
 * tooltips, paging ("Load more…" at 1,200 pools), filters, error nodes with Retry and info nodes for empty levels.
 * Walks the tree through the provider's getChildren/getTreeItem, exactly what the workbench calls.
 */
import * as assert from 'assert';
import * as net from 'net';
import * as vscode from 'vscode';
import type * as amqp from 'amqplib';
import { Commands, ContextValues, EXTENSION_ID } from '../../../src/constants';
import type { ExtensionApi } from '../../../src/extension';
import { AMQP_URL, MANAGEMENT_URL, TestVhost, freshVhost, until } from '../../support/broker';
import { treeAccess } from '../../support/tree';

type Node = { id: string };
const HOSTILE = '<img src=x onerror=alert(1)> \u202Eevil\u202C ' + 'x'.repeat(200);

let api: ExtensionApi;

const { tree, kids, item, label, desc: describe_, ctx } = treeAccess<Node>(() => api);
const tip = (n: Node) => { const t = item(n).tooltip; return typeof t === 'string' ? t : t?.value ?? ''; };

async function child(parent: Node | undefined, text: string): Promise<Node> {
  const c = await kids(parent);
  const found = c.find((n) => label(n) === text);
  assert.ok(found, `no "${text}" under ${parent?.id ?? 'the root'}; found: ${c.map((n) => `${label(n)} [${ctx(n)}] ${describe_(n)}`).join(' | ')}`);
  return found;
}

async function path(...labels: string[]): Promise<Node> {
  let n: Node | undefined;
  for (const l of labels) { n = await child(n, l); }
  return n!;
}

const config = () => vscode.workspace.getConfiguration('rabbitmqPools');

async function setBrokers(list: unknown[]): Promise<void> {
  await config().update('brokers', list, vscode.ConfigurationTarget.Global);
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.listen(0, '127.0.0.1', () => { const p = (s.address() as net.AddressInfo).port; s.close(() => resolve(p)); });
    s.on('error', reject);
  });
}

const amqpHost = AMQP_URL.replace(/\/\/[^@/]*@/, '//');

describe('Brokers tree', function () {
  this.timeout(120_000);
  let oslo: TestVhost;

  before(async () => {
    const ext = vscode.extensions.getExtension<ExtensionApi>(EXTENSION_ID);
    assert.ok(ext, `extension ${EXTENSION_ID} missing`);
    api = await ext.activate();
    await config().update('refreshSeconds', 0, vscode.ConfigurationTarget.Global);
    await config().update('pageSize', undefined, vscode.ConfigurationTarget.Global);

    // The oslo.messaging notification layout: one topic exchange, three pools bound with the same key.
    oslo = await freshVhost('tree');
    const consumers: [string, string, number][] = [['ceilometer', 'ceilometer-collector', 3], ['audit', 'audit-logger', 1], ['notifications.info', 'oslo-notifier', 1]];
    const setup = await oslo.connect('tree-test-setup');
    const ch = await setup.createChannel();
    await ch.assertExchange('nova', 'topic', { durable: true });
    for (const [q] of consumers) {
      await ch.assertQueue(q, { durable: true });
      await ch.bindQueue(q, 'nova', 'notifications.info');
    }
    await ch.assertQueue('idle', { durable: true });
    await ch.bindQueue('idle', 'nova', 'notifications.error');
    await ch.assertQueue(HOSTILE, { durable: false });
    await ch.bindQueue(HOSTILE, 'nova', 'hostile.#');
    await ch.assertExchange('empty.x', 'fanout', { durable: false });
    await ch.sendToQueue('idle', Buffer.from('{}'));
    for (const [q, app, n] of consumers) {
      const conn = await oslo.connect(app);
      for (let i = 0; i < n; i++) {
        const c: amqp.Channel = await conn.createChannel();
        await c.prefetch(10);
        await c.consume(q, () => undefined, { consumerTag: `${app}-${i}` });
      }
    }
    await setBrokers([{ name: 'oslo', amqpUrl: amqpHost, managementUrl: MANAGEMENT_URL, vhost: oslo.name }]);
    // The management API lists consumers a few seconds after they start.
    // Consumers can be listed before their channel_details are filled in (the application is unknown until then).
    await until(async () => {
      const [cs, conns] = await Promise.all([oslo.client.consumers(oslo.name), oslo.client.connections(oslo.name)]);
      const names = new Set(conns.map((c) => c.name));
      return cs.length === 5 && cs.every((c) => !Array.isArray(c.channel_details) && c.channel_details?.connection_name && names.has(c.channel_details.connection_name));
    }, '5 consumers with their connections in the management API', 30_000);
    await until(async () => (await oslo.client.queue(oslo.name, 'ceilometer')).consumers === 3, 'ceilometer\'s consumer count', 30_000);
  });

  after(async () => {
    await setBrokers([]);
    await config().update('refreshSeconds', undefined, vscode.ConfigurationTarget.Global);
    await oslo?.cleanup();
  });

  it('shows the configured broker with its version, and no "Add Broker…" hint', async () => {
    const roots = await kids();
    assert.deepStrictEqual(roots.map(label), ['oslo']);
    const broker = roots[0];
    assert.strictEqual(ctx(broker), ContextValues.broker);
    assert.match(describe_(broker), /^RabbitMQ \d+\.\d+/);
    assert.match(tip(broker), /Erlang/);
    assert.match(tip(broker), /Nodes: rabbit/);
  });

  it('expands broker → vhost → Exchanges → nova → notifications.info → pools → workers', async () => {
    const vhost = await path('oslo', oslo.name);
    assert.strictEqual(ctx(vhost), ContextValues.vhost);
    assert.deepStrictEqual((await kids(vhost)).map(label), ['Exchanges', 'Pools']);
    const exchanges = await path('oslo', oslo.name, 'Exchanges');
    assert.strictEqual(ctx(exchanges), ContextValues.exchangesFolder);
    // The default exchange and amq.* are hidden by default.
    assert.deepStrictEqual((await kids(exchanges)).map(label), ['empty.x', 'nova']);
    const nova = await child(exchanges, 'nova');
    assert.strictEqual(ctx(nova), ContextValues.exchange);
    assert.strictEqual(describe_(nova), 'topic · durable');
    const keys = await kids(nova);
    assert.deepStrictEqual(keys.map(label), ['hostile.#', 'notifications.error', 'notifications.info']);
    const key = await child(nova, 'notifications.info');
    assert.strictEqual(ctx(key), ContextValues.bindingKey);
    assert.strictEqual(describe_(key), '3 pools');

    const pools = await kids(key);
    assert.deepStrictEqual(pools.map(label), ['audit', 'ceilometer', 'notifications.info']);
    for (const p of pools) { assert.strictEqual(ctx(p), ContextValues.pool); }
    const ceilometer = pools[1];
    assert.match(describe_(ceilometer), /^3 workers · 0 ready · 0 unacked/);
    assert.match(describe_(pools[0]), /^1 worker · /);
    assert.match(tip(ceilometer), /Queue type: classic/);
    assert.match(tip(ceilometer), /Applications: ceilometer\\-collector/);

    const workers = await kids(ceilometer);
    assert.deepStrictEqual(workers.map(label), ['ceilometer-collector', 'ceilometer-collector', 'ceilometer-collector']);
    assert.strictEqual(ctx(workers[0]), ContextValues.worker);
    // Once the refresh's health read is in (it runs beside the tree's reads), the line starts with unacked/prefetch.
    assert.match(describe_(workers[0]), /^(?:\d+\/10 unacked · )?ceilometer-collector-0 · prefetch 10 · manual ack$/);
    assert.deepStrictEqual((await kids(pools[0])).map(label), ['audit-logger']);
    assert.deepStrictEqual((await kids(pools[2])).map(label), ['oslo-notifier']);
  });

  it('lists every pool under Pools with its bindings and workers', async () => {
    const folder = await path('oslo', oslo.name, 'Pools');
    assert.strictEqual(ctx(folder), ContextValues.poolsFolder);
    const pools = await kids(folder);
    assert.deepStrictEqual(pools.map(label).filter((l) => !l.startsWith('<img')), ['audit', 'ceilometer', 'idle', 'notifications.info']);
    const ceilometer = await child(folder, 'ceilometer');
    const children = await kids(ceilometer);
    assert.strictEqual(ctx(children[0]), ContextValues.poolBinding);
    assert.strictEqual(label(children[0]), 'nova → notifications.info');
    assert.deepStrictEqual(children.slice(1).map(label), ['ceilometer-collector', 'ceilometer-collector', 'ceilometer-collector']);
  });

  it('shows an info node for an empty level', async () => {
    // Message counts in the management API lag a few seconds: refresh until the one message shows.
    const idle = await until(async () => {
      tree().refresh();
      const n = await path('oslo', oslo.name, 'Exchanges', 'nova', 'notifications.error', 'idle');
      return /^0 workers · 1 ready/.test(describe_(n)) ? n : undefined;
    }, 'the idle pool with 1 ready message', 30_000, 500);
    const info = await kids(idle);
    assert.deepStrictEqual(info.map(label), ['No consumers on this pool']);
    assert.strictEqual(ctx(info[0]), ContextValues.info);
    const empty = await kids(await path('oslo', oslo.name, 'Exchanges', 'empty.x'));
    assert.strictEqual(ctx(empty[0]), ContextValues.info);
    assert.match(label(empty[0]), /No bindings/);
  });

  it('keeps hostile names inert: plain labels, escaped Markdown tooltips', async () => {
    const key = await path('oslo', oslo.name, 'Exchanges', 'nova', 'hostile.#');
    const [pool] = await kids(key);
    const l = label(pool);
    assert.ok(l.startsWith('<img src=x onerror=alert(1)> ⟨U+202E⟩evil⟨U+202C⟩'), l);
    assert.ok(l.length <= 120 && l.endsWith('…'), 'long names are cut in the label');
    const t = item(pool).tooltip as vscode.MarkdownString;
    assert.strictEqual(t.isTrusted, false);
    assert.ok(!t.supportHtml);
    assert.ok(!t.value.includes('<img'), t.value.slice(0, 200));
    assert.ok(t.value.includes('&lt;img src=x onerror=alert\\(1\\)&gt;'), t.value.slice(0, 200));
    assert.ok(!/[\u202A-\u202E]/.test(t.value), 'bidi controls are shown, not applied');
  });

  it('keeps node ids stable across a refresh (expansion and selection survive)', async () => {
    const before = await path('oslo', oslo.name, 'Exchanges', 'nova', 'notifications.info', 'ceilometer');
    const ids = (await kids(before)).map((n) => n.id);
    tree().refresh();
    const after = await path('oslo', oslo.name, 'Exchanges', 'nova', 'notifications.info', 'ceilometer');
    assert.strictEqual(after.id, before.id);
    assert.notStrictEqual(after, before);
    assert.deepStrictEqual((await kids(after)).map((n) => n.id), ids);
    assert.strictEqual(item(after).id, after.id);
  });


  it('a refresh reads the levels on screen before it tells the view: the view\'s re-read asks the broker nothing', async () => {
    // VS Code forgets every row of the view when told of a refresh, until it has read the rows again: a row's context menu
    // chosen meanwhile runs with no node. Read from the caches, that gap is a few milliseconds instead of the broker's time.
    const key = await path('oslo', oslo.name, 'Exchanges', 'nova', 'notifications.info');
    await api.services.treeView.reveal(key as never, { select: false, focus: false, expand: true });
    const seen: string[] = [];
    const options = tree().clientOptions;
    const before = options.onResponse;
    options.onResponse = (p) => { seen.push(p); };
    try {
      const told = new Promise<number>((resolve) => { const sub = tree().onDidChangeTreeData(() => { sub.dispose(); resolve(seen.length); }); });
      tree().refresh();
      assert.strictEqual(seen.length, 0, 'nothing read yet');
      const readBeforeTelling = await told;
      assert.ok(readBeforeTelling > 0, 'the refresh read the broker before telling the view');
      const after = seen.length;
      const pools = await kids(await path('oslo', oslo.name, 'Exchanges', 'nova', 'notifications.info'));
      assert.deepStrictEqual(pools.map(label), ['audit', 'ceilometer', 'notifications.info']);
      // The levels' own reads: broker (vhosts, nodes), Exchanges, nova's bindings, the key's workers (consumers). Background
      // readers share other paths (findings and health read queue pages and connections of their own), so those are not counted.
      const levels = (p: string) => /^\/api\/(vhosts|nodes|exchanges\/[^/]+|exchanges\/[^/]+\/nova\/bindings\/source|consumers\/[^/]+)$/.test(p);
      assert.ok(seen.slice(0, readBeforeTelling).filter(levels).length >= 4, `the refresh read the levels: ${seen.slice(0, readBeforeTelling).join(', ')}`);
      const repeated = seen.slice(after).filter(levels);
      assert.deepStrictEqual(repeated, [], `the levels on screen came from the refresh's reads (${seen.slice(0, readBeforeTelling).join(', ')})`);
    } finally {
      options.onResponse = before;
    }
  });

  it('a command run from a row the view was redrawing says so, and opens no picker', async () => {
    // VS Code passes `undefined` for a row it cannot resolve; from the palette there are no arguments (and pickers).
    const ran = Promise.resolve(vscode.commands.executeCommand(Commands.showDeliveryCounts, undefined)).then(() => 'returned');
    assert.strictEqual(await Promise.race([ran, new Promise((r) => setTimeout(() => r('waiting for a picker'), 3000))]), 'returned');
  });
  it('shows the default and amq.* exchanges when rabbitmqPools.showSystemExchanges is on', async () => {
    await config().update('showSystemExchanges', true, vscode.ConfigurationTarget.Global);
    try {
      const labels = (await kids(await path('oslo', oslo.name, 'Exchanges'))).map(label);
      assert.ok(labels.includes('(default exchange)') && labels.includes('amq.topic') && labels.includes('nova'), labels.join(', '));
    } finally {
      await config().update('showSystemExchanges', undefined, vscode.ConfigurationTarget.Global);
    }
  });

  it('filters a folder with the API\'s name + use_regex, and clears the filter', async () => {
    const folder = await path('oslo', oslo.name, 'Pools');
    await vscode.commands.executeCommand(Commands.filter, folder, { text: '^(audit|idle)$', regex: true });
    assert.strictEqual(ctx(folder), ContextValues.poolsFolder + '.filtered');
    assert.deepStrictEqual((await kids(folder)).map(label), ['audit', 'idle']);
    await vscode.commands.executeCommand(Commands.filter, folder, { text: 'nothing-matches-this', regex: true });
    const none = await kids(folder);
    assert.strictEqual(ctx(none[0]), ContextValues.info);
    await vscode.commands.executeCommand(Commands.clearFilter, folder);
    assert.strictEqual(ctx(folder), ContextValues.poolsFolder);
    assert.strictEqual((await kids(folder)).length, 5);
  });

  it('Purge Pool and Delete Pool confirm with the pool\'s name and message count, then act', async () => {
    const ch = await (await oslo.connect('tree-test-purge')).createChannel();
    await ch.assertQueue('doomed', { durable: false });
    await ch.bindQueue('doomed', 'nova', 'doomed.key');
    for (let i = 0; i < 3; i++) { ch.sendToQueue('doomed', Buffer.from('x')); }
    await until(async () => (await oslo.client.queue(oslo.name, 'doomed')).messages === 3, '3 messages in doomed');
    const asked: string[] = [];
    const original = api.services.prompts.confirm;
    api.services.prompts.confirm = async (message: string) => { asked.push(message); return true; };
    try {
      tree().refresh();
      let pool = await path('oslo', oslo.name, 'Exchanges', 'nova', 'doomed.key', 'doomed');
      await vscode.commands.executeCommand(Commands.purgePool, pool);
      assert.match(asked[0], /^Purge pool "doomed"\? Its 3 messages will be deleted\.$/);
      // The API's counters lag the purge by a few seconds.
      await until(async () => ((await oslo.client.queue(oslo.name, 'doomed')).messages ?? 0) === 0, 'doomed purged');
      pool = await path('oslo', oslo.name, 'Exchanges', 'nova', 'doomed.key', 'doomed');
      await vscode.commands.executeCommand(Commands.deletePool, pool);
      assert.match(asked[1], /^Delete pool "doomed" and its 0 messages\?$/);
      // (its count is read again right before asking, so it says 0 now)
      await assert.rejects(oslo.client.queue(oslo.name, 'doomed'), /Not found|does not exist/);
      // The exchange no longer has that binding key.
      assert.ok(!(await kids(await path('oslo', oslo.name, 'Exchanges', 'nova'))).map(label).includes('doomed.key'));
    } finally {
      api.services.prompts.confirm = original;
    }
  });

  describe('a vhost with 1,200 pools', () => {
    let big: TestVhost;
    before(async function () {
      this.timeout(180_000);
      big = await freshVhost('tree-big');
      const conn = await big.connect('tree-test-bulk');
      const ch = await conn.createChannel();
      await Promise.all(Array.from({ length: 1200 }, (_, i) => ch.assertQueue(`q-${String(i).padStart(4, '0')}`, { durable: false })));
      await setBrokers([{ name: 'big', amqpUrl: amqpHost, managementUrl: MANAGEMENT_URL, vhost: big.name }]);
    });
    after(async () => { await big?.cleanup(); });

    it('shows the first page (rabbitmqPools.pageSize) and a "Load more…" node', async () => {
      const folder = await path('big', big.name, 'Pools');
      const t0 = Date.now();
      const first = await kids(folder);
      const ms = Date.now() - t0;
      assert.strictEqual(first.length, 101);
      assert.strictEqual(label(first[0]), 'q-0000');
      assert.strictEqual(label(first[99]), 'q-0099');
      const more = first[100];
      assert.strictEqual(label(more), 'Load more…');
      assert.strictEqual(ctx(more), ContextValues.loadMore);
      assert.strictEqual(describe_(more), '100 of 1,200 shown');
      assert.strictEqual(item(more).command?.command, Commands.loadMore);
      console.log(`    first page of 1,200 pools in ${ms} ms`);

      await vscode.commands.executeCommand(Commands.loadMore, more);
      const second = await kids(folder);
      assert.strictEqual(second.length, 201);
      assert.strictEqual(label(second[199]), 'q-0199');
      assert.strictEqual(describe_(second[200]), '200 of 1,200 shown');

      // A refresh re-reads the same number of pages.
      tree().refresh();
      const again = await kids(await path('big', big.name, 'Pools'));
      assert.strictEqual(again.length, 201);
    });

    it('follows rabbitmqPools.pageSize', async () => {
      await config().update('pageSize', 500, vscode.ConfigurationTarget.Global);
      try {
        const folder = await path('big', big.name, 'Pools');
        await vscode.commands.executeCommand(Commands.clearFilter, folder); // also resets the pages shown
        const page = await kids(folder);
        assert.strictEqual(page.length, 501);
        assert.strictEqual(describe_(page[500]), '500 of 1,200 shown');
      } finally {
        await config().update('pageSize', undefined, vscode.ConfigurationTarget.Global);
      }
    });
  });

  describe('failures', () => {
    it('bad credentials: an error node with Retry', async () => {
      await setBrokers([{ name: 'bad-auth', amqpUrl: 'amqp://nobody-here@127.0.0.1:5672', managementUrl: MANAGEMENT_URL, vhost: '/' }]);
      const [broker] = await kids();
      const [err] = await kids(broker);
      assert.strictEqual(ctx(err), ContextValues.errorAuth, 'a refused login offers Edit Broker (the error.auth variant)');
      assert.match(label(err), /refused user "nobody-here"/);
      assert.match(tip(err), /Edit Broker/);
      assert.strictEqual(item(err).command?.command, Commands.retry);
      assert.strictEqual(api.services.tree.allSessions()[0].status.state, 'auth');
      assert.match(item(broker).description as string, /auth failed/);
      // Retry asks again (and fails again, still without throwing).
      await vscode.commands.executeCommand(Commands.retry, err);
      const [again] = await kids(broker);
      assert.strictEqual(ctx(again), ContextValues.errorAuth);
    });

    it('a stopped management port: an error node with Retry', async () => {
      const port = await freePort();
      await setBrokers([{ name: 'no-mgmt', amqpUrl: amqpHost, managementUrl: `http://127.0.0.1:${port}`, vhost: '/' }]);
      const [broker] = await kids();
      const [err] = await kids(broker);
      assert.strictEqual(ctx(err), ContextValues.error);
      assert.match(label(err), new RegExp(`127\\.0\\.0\\.1:${port}.*refuses connections`));
      assert.match(tip(err), /rabbitmq\\-plugins enable rabbitmq\\_management/);
      assert.strictEqual(item(err).command?.command, Commands.retry);
      assert.strictEqual(api.services.tree.allSessions()[0].status.state, 'unreachable');
    });

    it('an unreachable broker: an error node', async () => {
      const [a, m] = [await freePort(), await freePort()];
      await setBrokers([{ name: 'gone', amqpUrl: `amqp://guest@127.0.0.1:${a}`, managementUrl: `http://127.0.0.1:${m}` }]);
      const [err] = await kids((await kids())[0]);
      assert.strictEqual(ctx(err), ContextValues.error);
      assert.match(label(err), /Nothing answers/);
    });

    it('a vanished vhost: an error node under the vhost', async () => {
      await setBrokers([{ name: 'no-vhost', amqpUrl: amqpHost, managementUrl: MANAGEMENT_URL, vhost: 'rmqp-test-does-not-exist' }]);
      const vhost = await path('no-vhost', 'rmqp-test-does-not-exist');
      const [err] = await kids(vhost);
      assert.strictEqual(ctx(err), ContextValues.errorAuth, 'its hint says "Edit Broker": the error.auth variant');
      assert.match(label(err), /vhost "rmqp-test-does-not-exist" does not exist/);
    });

    it('an invalid broker setting: an error node, not an exception', async () => {
      await setBrokers([{ name: 'typo', amqpUrl: 'amqpx://127.0.0.1' }]);
      const [broker] = await kids();
      assert.strictEqual(label(broker), 'typo');
      const [err] = await kids(broker);
      assert.strictEqual(ctx(err), ContextValues.error);
      assert.match(label(err), /scheme/);
    });

    it('with no broker configured: the local broker and an "Add Broker…" node', async () => {
      await setBrokers([]);
      const roots = await kids();
      assert.deepStrictEqual(roots.map(label), ['localhost', 'Add Broker…']);
      assert.strictEqual(ctx(roots[0]), ContextValues.brokerDefault);
      assert.strictEqual(item(roots[1]).command?.command, Commands.addBroker);
    });
  });
});
