/**
 * The Brokers tree on a 3-node cluster, inside a real VS Code extension host. Starts the cluster itself (scripts/cluster.sh
 * up, under a lease so that a parallel `npm run test:cluster` does not stop it mid-way) and stops it afterwards unless
 * another live run still holds it. Checks, through the tree provider the workbench uses: the Nodes folder with three
 * running nodes; a quorum pool made with Create Worker Pool (queue type quorum, workers spread over the nodes) showing
 * its type, leader and members online, and each worker's node. Node loss and failover: test/cluster/cluster.test.ts.
 */
import * as assert from 'assert';
import * as vscode from 'vscode';
import * as amqp from 'amqplib';
import { amqpConnectArgs } from '../../../src/broker/connection';
import type { ExtensionApi } from '../../../src/extension';
import { AMQP_URLS, ClusterVhost, MANAGEMENT_URLS, clusterConfig, clusterSh, freshClusterVhost, until } from '../../cluster/helpers';
import { EXTENSION_ID } from '../../../src/constants';
import { treeAccess } from '../../support/tree';

type Node = { id: string };
const BROKER = 'cluster-e2e';
const POOL = 'orders';

let api: ExtensionApi;
const { tree, kids, label, desc: describe_ } = treeAccess<Node>(() => api);

async function child(parent: Node | undefined, match: (label: string) => boolean, what: string): Promise<Node> {
  const c = await kids(parent);
  const found = c.find((n) => match(label(n)));
  assert.ok(found, `no ${what} under ${parent?.id ?? 'the root'}; found: ${c.map((n) => `${label(n)} · ${describe_(n)}`).join(' | ')}`);
  return found;
}

const config = () => vscode.workspace.getConfiguration('rabbitmqPools');

describe('Brokers tree on a 3-node cluster', function () {
  this.timeout(300_000);
  let vh: ClusterVhost;
  let previousBrokers: unknown;
  const lease = `vscode-cluster:${process.pid}`;

  before(async () => {
    const ext = vscode.extensions.getExtension<ExtensionApi>(EXTENSION_ID);
    assert.ok(ext, `extension ${EXTENSION_ID} missing`);
    api = await ext.activate();
    await clusterSh(['up', '--lease', lease], 280_000);
    vh = await freshClusterVhost('e2e');
    const conn = await amqp.connect(amqpConnectArgs(clusterConfig(vh.name), 'cluster-e2e setup').url);
    const ch = await conn.createChannel();
    await ch.assertExchange('nova', 'topic', { durable: true });
    await conn.close();
    previousBrokers = config().inspect('brokers')?.globalValue;
    await config().update('refreshSeconds', 0, vscode.ConfigurationTarget.Global);
    await config().update('brokers', [{
      name: BROKER, vhost: vh.name,
      amqpUrl: AMQP_URLS[0].replace('amqp://', 'amqp://guest@'), amqpUrls: AMQP_URLS.slice(1),
      managementUrl: MANAGEMENT_URLS[0], managementUrls: MANAGEMENT_URLS.slice(1),
    }], vscode.ConfigurationTarget.Global);
  });

  after(async () => {
    await vscode.commands.executeCommand('rabbitmqPools.pool.stop', { broker: BROKER, vhost: vh?.name, pool: POOL, deleteQueue: true }).then(undefined, () => undefined);
    await config().update('brokers', previousBrokers, vscode.ConfigurationTarget.Global);
    await config().update('refreshSeconds', undefined, vscode.ConfigurationTarget.Global);
    await vh?.cleanup();
    await clusterSh(['down', '--lease', lease], 180_000);
  });

  it('shows the three nodes, and the quorum pool made by Create Worker Pool with its leader, members and each worker\'s node', async () => {
    const made = await vscode.commands.executeCommand<{ pool: string; workers: string[] }>('rabbitmqPools.pool.create', {
      broker: BROKER, vhost: vh.name, exchange: 'nova', routingKey: 'notifications.info', pool: POOL, workers: 3, queueType: 'quorum', spreadOverNodes: true,
    });
    assert.equal(made?.workers.length, 3);
    const q = await vh.client.queue(vh.name, POOL);
    assert.equal(q.type, 'quorum');

    tree().refresh();
    const broker = await child(undefined, (l) => l === BROKER, `broker ${BROKER}`);
    const nodesFolder = await child(broker, (l) => l === 'Nodes', 'the Nodes folder');
    const nodes = await kids(nodesFolder);
    assert.deepEqual(nodes.map((n) => label(n).replace(/@.*/, '')), ['rabbit-c1', 'rabbit-c2', 'rabbit-c3']);
    assert.ok(nodes.every((n) => /^running/.test(describe_(n))), nodes.map(describe_).join(' | '));
    assert.match(describe_(nodesFolder), /3 nodes, all running/);
    assert.match(describe_(broker), /3 nodes, all running/);

    // The quorum's leader and the three workers (with their nodes) show once the management API has them. A pool with
    // local workers may be drawn by another class (local pools): go by its Members folder and its worker rows.
    let last = '';
    const found = await until(async () => {
      tree().refresh();
      const b = await child(undefined, (l) => l === BROKER, `broker ${BROKER}`);
      const v = await child(b, (l) => l === vh.name, `vhost ${vh.name}`);
      const pools = await child(v, (l) => l === 'Pools', 'the Pools folder');
      const p = await child(pools, (l) => l === POOL, `pool ${POOL}`);
      const children = await kids(p);
      const membersFolder = children.find((n) => label(n) === 'Members');
      const workers = children.filter((n) => /manual ack/.test(describe_(n)));
      last = `pool "${describe_(p)}"; ${children.map((n) => `${label(n)}: ${describe_(n)}`).join(' | ')}`;
      const ok = membersFolder && /^quorum · leader rabbit-c[123] · 3\/3 online$/.test(describe_(membersFolder)) &&
        workers.length === 3 && workers.every((w) => /on rabbit-c[123]$/.test(describe_(w)));
      return ok ? { pool: p, membersFolder, workers } : undefined;
    }, 'the pool\'s Members folder (quorum · leader · 3/3 online) and its 3 workers with their nodes', 60_000, 1000).catch((e: Error) => {
      throw new Error(`${e.message}; last seen: ${last}`);
    });
    const members = await kids(found.membersFolder);
    assert.equal(members.length, 3);
    assert.equal(members.filter((m) => describe_(m) === 'leader · online').length, 1, members.map(describe_).join(' | '));
    assert.ok(members.every((m) => /online$/.test(describe_(m))));
    const on = new Set(found.workers.map((w) => /on (rabbit-c[123])$/.exec(describe_(w))?.[1]));
    assert.equal(on.size, 3, `one worker per node (spread over the nodes): ${found.workers.map(describe_).join(' | ')}`);
    const pool = found.pool;
    console.log(`      pool: ${describe_(pool)}; members: ${members.map((m) => `${label(m)} (${describe_(m)})`).join(', ')}`);
  });
});
