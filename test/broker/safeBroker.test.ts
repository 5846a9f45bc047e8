/**
 * Safe on a shared broker, in the core and the CLI: which reached pools other applications consume (the tool's own
 * `rmq-pools:` workers are not "other"), and --read-only / RMQ_POOLS_READ_ONLY=1: writing commands exit 2 and touch nothing.
 */
import assert from 'node:assert/strict';
import type { Channel } from 'amqplib';
import { foreignReceivers } from '../../src/broker/receivers';
import { TestVhost, freshVhost, runCli, until } from '../support/broker';

describe('safe on a shared broker', function () {
  this.timeout(60_000);
  let v: TestVhost;
  let ch: Channel;
  let vflag: string[];
  let otherTag = '';

  before(async () => {
    v = await freshVhost('safe');
    vflag = ['--vhost', v.name];
    ch = await (await v.connect('safe-setup')).createChannel();
    await ch.assertExchange('nova', 'topic', { durable: true });
    for (const q of ['ceilometer', 'mine', 'probe']) {
      await ch.assertQueue(q, { durable: true });
      await ch.bindQueue(q, 'nova', 'notifications.info');
    }
    await ch.bindQueue('probe', 'nova', 'compute.#');
    const other = await (await v.connect('ceilometer-agent-notification:77:0cd5f39f-1b2c-4d3e-8f40-a1b2c3d4e5f6')).createChannel();
    otherTag = (await other.consume('ceilometer', () => undefined)).consumerTag;
    const own = await (await v.connect('rmq-pools:mine')).createChannel();
    await own.consume('mine', () => undefined);
    await until(async () => (await v.client.consumers(v.name)).filter((c) => c.channel_details?.connection_name).length === 2, 'both consumers with their connections');
  });

  after(async () => { await v?.cleanup(); });

  it('foreignReceivers: the reached pools other applications consume, not the tool\'s own, not unconsumed ones', async () => {
    assert.deepEqual(await foreignReceivers(v.client, v.name, 'nova', 'notifications.info'), [
      { pool: 'ceilometer', applications: ['ceilometer-agent-notification'], workers: 1 },
    ]);
    assert.deepEqual(await foreignReceivers(v.client, v.name, 'nova', 'compute.instance'), [], 'only probe, which nobody consumes');
    // A consumer whose tag is one of this process's own is own, whatever its connection is called (or not yet resolved).
    assert.deepEqual(await foreignReceivers(v.client, v.name, 'nova', 'notifications.info', undefined, new Set([otherTag])), []);
  });

  for (const [how, args, env] of [
    ['--read-only', ['--read-only'], {}],
    ['RMQ_POOLS_READ_ONLY=1', [], { RMQ_POOLS_READ_ONLY: '1' }],
  ] as const) {
    it(`${how}: publish, audit, pool run, demo up and demo down exit 2 naming the refusal; nothing is published or declared`, async () => {
      const cmds = [
        ['publish', '--exchange', 'nova', '--key', 'compute.x', '--count', '5'],
        ['audit', '--exchange', 'nova', '--key', 'compute.x', '--count', '5'],
        ['pool', 'run', '--exchange', 'nova', '--key', 'compute.x', '--pool', 'new-pool', '--workers', '1', '--count', '1'],
        ['demo', 'up', '--vhost', 'rmq-pools-demo-read-only', '--seconds', '1'],
        ['demo', 'down', '--vhost', 'rmq-pools-demo-read-only'],
      ];
      for (const c of cmds) {
        const r = await runCli([...c, ...args, ...vflag], env);
        assert.equal(r.code, 2, `${c[0]}: ${r.stderr}`);
        assert.match(r.stderr, /is read-only: .* was refused, nothing was sent/, r.stderr);
        const j = await runCli([...c, ...args, ...vflag, '--json'], env);
        assert.equal((j.json as { error: { kind: string } }).error.kind, 'read-only');
      }
      assert.equal((await ch.checkQueue('probe')).messageCount, 0, 'nothing published');
      assert.deepEqual((await v.client.queues(v.name, ['name'])).map((q) => q.name).sort(), ['ceilometer', 'mine', 'probe'], 'nothing declared');
      assert.ok(!(await v.client.vhosts()).some((x) => x.name === 'rmq-pools-demo-read-only'), 'no demo vhost made');
    });
  }

  it('reading commands still work read-only', async () => {
    const r = await runCli(['route', 'nova', 'notifications.info', '--read-only', '--json', ...vflag]);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual((r.json as { pools: string[] }).pools, ['ceilometer', 'mine', 'probe']);
  });
});
