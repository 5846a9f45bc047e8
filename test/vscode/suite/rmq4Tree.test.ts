/**
 * The Brokers tree on RabbitMQ 4.x shapes. No 4.x broker can run here, so each fixture of test/fixtures/rmq4/ (derived from
 * rabbitmq-server v4.3.5, its "//source" says where) is answered by a recorded management API (test/support/replayApi.ts)
 * and the real extension draws it: every exchange and pool is shown with its own type, quorum states and members, streams,
 * AMQP 1.0 workers and a broker with statistics off; no node of the tree is an error node.
 */
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import * as vscode from 'vscode';
import { EXTENSION_ID } from '../../../src/constants';
import type { ExtensionApi } from '../../../src/extension';
import { ReplayFixture, ReplayServer, replayApi } from '../../support/replayApi';
import { treeAccess } from '../../support/tree';

type Node = { id: string };
const DIR = path.resolve(__dirname, '../../../../test/fixtures/rmq4');
const FILES = ['quorum-stats-disabled', 'streams', 'exchange-types', 'amqp10-khepri-nodes'];
type Fixture = Omit<ReplayFixture, 'exchanges' | 'queues'> & { exchanges: { name: string; type: string }[]; queues: { name: string; type?: string }[] };

describe('The tree on RabbitMQ 4.x shapes (recorded API, test/fixtures/rmq4)', function () {
  this.timeout(90_000);
  let api: ExtensionApi;
  let previousBrokers: unknown;
  const servers: ReplayServer[] = [];
  const fixtures = new Map<string, Fixture>();
  const config = () => vscode.workspace.getConfiguration('rabbitmqPools');
  const { kids, label, desc, ctx } = treeAccess<Node>(() => api);

  async function child(parent: Node | undefined, text: string): Promise<Node> {
    const c = await kids(parent);
    const found = c.find((n) => label(n) === text);
    assert.ok(found, `no "${text}" under ${parent?.id ?? 'the root'}; found: ${c.map((n) => `${label(n)} [${ctx(n)}] ${desc(n)}`).join(' | ')}`);
    return found;
  }

  /** Every node under `root` (depth-first, at most `limit`), with its label, description and context value. */
  async function walk(root: Node, limit = 400): Promise<{ node: Node; label: string; desc: string; ctx: string }[]> {
    const out: { node: Node; label: string; desc: string; ctx: string }[] = [];
    const stack = [root];
    while (stack.length && out.length < limit) {
      const n = stack.pop()!;
      out.push({ node: n, label: label(n), desc: desc(n), ctx: ctx(n) });
      if (/^rabbitmqPools\.(loadMore|info|error)/.test(ctx(n))) { continue; }
      stack.push(...await kids(n));
    }
    return out;
  }

  before(async () => {
    api = await vscode.extensions.getExtension<ExtensionApi>(EXTENSION_ID)!.activate();
    const brokers = [];
    for (const f of FILES) {
      const fx = JSON.parse(fs.readFileSync(path.join(DIR, `${f}.json`), 'utf8')) as Fixture;
      fixtures.set(f, fx);
      const s = await replayApi(fx);
      servers.push(s);
      brokers.push({ name: `rmq4-${f}`, amqpUrl: 'amqp://guest@127.0.0.1:5672', managementUrl: s.url, vhost: fx.vhost });
    }
    previousBrokers = config().inspect('brokers')?.globalValue;
    await config().update('brokers', brokers, vscode.ConfigurationTarget.Global);
  });

  after(async () => {
    await config().update('brokers', previousBrokers, vscode.ConfigurationTarget.Global);
    await Promise.all(servers.map((s) => s.close()));
  });

  for (const f of FILES) {
    it(`${f}: every exchange and pool shown with its own type, no error node`, async () => {
      const fx = fixtures.get(f)!;
      const b = await child(undefined, `rmq4-${f}`);
      assert.match(desc(b), /RabbitMQ 4\.3\.5/);
      const nodes = await walk(b);
      assert.ok(nodes.length > fx.queues.length * 2, `the walk reached the pools (${nodes.length} nodes)`);
      const errors = nodes.filter((n) => n.ctx.startsWith('rabbitmqPools.error'));
      assert.deepStrictEqual(errors.map((n) => `${n.label}: ${n.desc}`), [], 'no error node');
      const vhost = await child(b, fx.vhost);
      const exchanges = await kids(await child(vhost, 'Exchanges'));
      for (const e of fx.exchanges.filter((x) => x.name && !x.name.startsWith('amq.'))) {
        const row = exchanges.find((n) => label(n) === e.name);
        assert.ok(row, `exchange ${e.name} listed`);
        assert.ok(desc(row).startsWith(e.type), `${e.name}: "${desc(row)}" starts with its type ${e.type}`);
      }
      const pools = await kids(await child(vhost, 'Pools'));
      assert.deepStrictEqual(pools.map(label).sort(), fx.queues.map((q) => q.name).sort());
    });
  }

  it('quorum pools in minority / down are shown so, a classic pool without counts says statistics are off', async () => {
    const pools = await kids(await child(await child(await child(undefined, 'rmq4-quorum-stats-disabled'), 'openstack'), 'Pools'));
    const d = (n: string) => desc(pools.find((p) => label(p) === n)!);
    assert.match(d('notifications.info'), /quorum · no leader · 1\/3 online/);
    assert.match(d('audit'), /quorum · no leader · 0\/1 online/);
    assert.match(d('legacy'), /^no counts: statistics off, or not sampled yet · classic on rmq-0$/);
  });

  it('an unknown queue type shows as itself; streams as stream; AMQP 1.0 consumers are workers of their pool', async () => {
    const types = await kids(await child(await child(await child(undefined, 'rmq4-exchange-types'), 'openstack'), 'Pools'));
    assert.match(desc(types.find((p) => label(p) === 'futureq')!), /x-future-queue/);
    const streams = await kids(await child(await child(await child(undefined, 'rmq4-streams'), 'openstack'), 'Pools'));
    assert.match(desc(streams.find((p) => label(p) === 'orders-1')!), /stream/);
    const metering = (await kids(await child(await child(await child(undefined, 'rmq4-amqp10-khepri-nodes'), 'openstack'), 'Pools'))).find((p) => label(p) === 'metering')!;
    assert.match(desc(metering), /^3 workers/);
    const workers = (await kids(metering)).filter((n) => ctx(n).startsWith('rabbitmqPools.worker'));
    assert.strictEqual(workers.length, 3);
    assert.strictEqual(new Set(workers.map((w) => w.id)).size, 3, 'unique tree ids though two AMQP 1.0 tags are "0"');
  });
});
