/**
 * A broker set "readOnly" in the settings: every write from a command (scripts included) is refused before anything
 * is sent, and the tree says the broker is read-only. The palette's consent dialog before reaching other applications'
 * pools is a UI test (test/vscode/ui/safePublish.test.mjs).
 */
import * as assert from 'assert';
import * as vscode from 'vscode';
import { WRITE_COMMANDS } from '../../../src/commands/writeCommands';
import { Commands, EXTENSION_ID } from '../../../src/constants';
import type { ExtensionApi } from '../../../src/extension';
import { AMQP_URL, MANAGEMENT_URL, TestVhost, freshVhost } from '../../support/broker';
import { treeAccess } from '../../support/tree';

type Node = { id: string };
const BROKER = 'read-only-test';

describe('A read-only broker refuses every write', function () {
  this.timeout(60_000);
  let api: ExtensionApi;
  let v: TestVhost;
  let previousBrokers: unknown;
  const config = () => vscode.workspace.getConfiguration('rabbitmqPools');
  const { kids, label, desc, ctx } = treeAccess<Node>(() => api);
  const run = <T>(id: string, args: object) => vscode.commands.executeCommand<T>(id, { broker: BROKER, vhost: v.name, ...args });
  const depth = async (q: string) => (await (await (await v.connect('read-only-probe')).createChannel()).checkQueue(q)).messageCount;

  before(async () => {
    api = await vscode.extensions.getExtension<ExtensionApi>(EXTENSION_ID)!.activate();
    v = await freshVhost('vscode-readonly');
    const ch = await (await v.connect('read-only-setup')).createChannel();
    await ch.assertExchange('nova', 'topic', { durable: true });
    await ch.assertQueue('probe', { durable: true });
    await ch.bindQueue('probe', 'nova', 'notifications.info');
    previousBrokers = config().inspect('brokers')?.globalValue;
    const amqpUrl = AMQP_URL.replace(/\/\/([^:@/]*)(:[^@/]*)?@/, '//$1@');
    await config().update('brokers', [{ name: BROKER, amqpUrl, managementUrl: MANAGEMENT_URL, vhost: v.name, readOnly: true }], vscode.ConfigurationTarget.Global);
  });

  after(async () => {
    await config().update('brokers', previousBrokers, vscode.ConfigurationTarget.Global);
    await v.cleanup();
  });

  it('the tree says so', async () => {
    const b = (await kids()).find((n) => label(n) === BROKER);
    assert.ok(b, 'the broker node');
    assert.match(desc(b), /read-only/);
  });

  it('Publish Test Notifications and Run Delivery Audit publish nothing', async () => {
    assert.strictEqual(await run(Commands.publishTestNotifications, { exchange: 'nova', routingKey: 'notifications.info', count: 10 }), undefined);
    assert.strictEqual(await run(Commands.runAudit, { exchange: 'nova', routingKey: 'notifications.info', count: 10 }), undefined);
    assert.strictEqual(await depth('probe'), 0, 'the bound queue got nothing');
  });

  it('Create Worker Pool declares nothing', async () => {
    assert.strictEqual(await run(Commands.createPool, { exchange: 'nova', routingKey: 'notifications.info', pool: 'would-be', workers: 1 }), undefined);
    const queues = (await v.client.queues(v.name, ['name'])).map((q) => q.name);
    assert.deepStrictEqual(queues, ['probe']);
    assert.strictEqual(api.services.localPools.list().filter((e) => e.vhost === v.name).length, 0);
  });

  /** The tree's node of a pool of the read-only broker (Brokers → broker → vhost → Pools → pool). */
  async function poolNode(name: string): Promise<Node> {
    const b = (await kids()).find((n) => label(n) === BROKER)!;
    const vh = (await kids(b)).find((n) => label(n) === v.name) ?? (await kids(b))[0];
    const folder = (await kids(vh)).find((n) => /^rabbitmqPools\.poolsFolder/.test(ctx(n)))!;
    const pool = (await kids(folder)).find((n) => label(n) === name);
    assert.ok(pool, `pool "${name}" in the tree`);
    return pool;
  }

  it('its tree items carry the read-only token, so write commands leave their menus', async () => {
    const b = (await kids()).find((n) => label(n) === BROKER)!;
    assert.match(ctx(b), /^rabbitmqPools\.broker\.readOnly$/);
    assert.match(ctx(await poolNode('probe')), /^rabbitmqPools\.pool\.readOnly$/);
  });

  it('every write command (src/commands/writeCommands.ts) is refused with a clear message; depths and queues unchanged', async () => {
    const ch = await (await v.connect('read-only-seed')).createConfirmChannel();
    ch.sendToQueue('probe', Buffer.from('keep me'));
    await ch.waitForConfirms();
    const deadline = Date.now() + 10_000;
    while (await depth('probe') !== 1 && Date.now() < deadline) { await new Promise((r) => setTimeout(r, 100)); }
    assert.strictEqual(await depth('probe'), 1);
    const node = await poolNode('probe');
    const script = { exchange: 'nova', routingKey: 'notifications.info', count: 10, pool: 'probe', workers: 1, ratePerSecond: 1 };
    const errors: string[] = [];
    const log = api.services.log;
    const original = log.error;
    log.error = (m: string) => { errors.push(m); original.call(log, m); };
    try {
      for (const id of WRITE_COMMANDS) {
        const before = errors.length;
        const tree = id === Commands.purgePool || id === Commands.deletePool;
        assert.strictEqual(await vscode.commands.executeCommand(id, tree ? node : { broker: BROKER, vhost: v.name, ...script }), undefined, id);
        const said = errors.slice(before).join('\n');
        assert.match(said, new RegExp(`Broker "${BROKER}" is read-only: .* was refused, nothing was sent`), `${id} refused with the read-only message`);
      }
    } finally {
      log.error = original;
    }
    assert.strictEqual(await depth('probe'), 1, 'the pool kept its message: nothing purged, deleted or published');
    const queues = (await v.client.queues(v.name, ['name'])).map((q) => q.name).sort();
    assert.deepStrictEqual(queues, ['probe'], 'no queue declared or deleted (the demo would declare its pools in this vhost)');
    assert.strictEqual(api.services.localPools.list().filter((e) => e.vhost === v.name).length, 0, 'no local worker started');
  });
});
