/**
 * Replay Dead Letters against the real broker: 1,000 dead letters made by a worker that rejects them go back to their
 * source pool, 0 left; with the replaying connection closed by the broker (DELETE /api/connections/…) half-way, nothing
 * is lost and the duplicates are counted; bad input moves nothing; the CLI's `replay` says the same.
 */
import assert from 'node:assert/strict';
import type { Channel, ChannelModel } from 'amqplib';
import { replay, REPLAYED_HEADER } from '../../src/broker/replay';
import { readDeaths } from '../../src/broker/deaths';
import { TestVhost, freshVhost, runCli, until } from '../support/broker';

describe('replay dead letters', function () {
  this.timeout(120_000);
  let v: TestVhost;
  let setup: ChannelModel;
  let ch: Channel;

  before(async () => {
    v = await freshVhost('replay');
    setup = await v.connect('replay-setup');
    ch = await setup.createChannel();
    await ch.assertExchange('orders', 'direct', { durable: true });
    await ch.assertExchange('orders-dlx', 'fanout', { durable: true });
  });
  after(async () => { await v?.cleanup(); });

  /** A source pool "src-N" bound to orders/"key-N" that dead-letters to its own DLQ "dlq-N"; 0 ready in both. */
  async function pools(tag: string) {
    const src = `src-${tag}`; const dlq = `dlq-${tag}`; const dlx = `dlx-${tag}`;
    await ch.assertExchange(dlx, 'fanout', { durable: true });
    await ch.assertQueue(dlq, { durable: true });
    await ch.bindQueue(dlq, dlx, '');
    await ch.assertQueue(src, { durable: true, arguments: { 'x-dead-letter-exchange': dlx } });
    await ch.bindQueue(src, 'orders', `key-${tag}`);
    return { src, dlq, key: `key-${tag}` };
  }

  /** Publishes n messages (ids "tag-0" …) to the source pool, and a worker that rejects them all (nack, requeue=false). */
  async function deadLetter(p: { src: string; dlq: string; key: string }, n: number, tag: string): Promise<void> {
    const pub = await setup.createConfirmChannel();
    for (let i = 0; i < n; i++) {
      pub.publish('orders', p.key, Buffer.from(JSON.stringify({ i })), { messageId: `${tag}-${i}`, contentType: 'application/json', persistent: true });
    }
    await pub.waitForConfirms();
    await pub.close();
    const worker = await (await v.connect(`rejecter-${tag}`)).createChannel();
    await worker.prefetch(50);
    const { consumerTag } = await worker.consume(p.src, (m) => { if (m) { worker.nack(m, false, false); } });
    await until(async () => (await ch.checkQueue(p.dlq)).messageCount === n, `${n} dead letters in ${p.dlq}`, 30_000);
    await worker.cancel(consumerTag);
  }

  /** Every message of a pool, taken and acked (for the ids). */
  async function drain(pool: string): Promise<{ id: string; replayed: unknown }[]> {
    const out: { id: string; replayed: unknown }[] = [];
    for (;;) {
      const m = await ch.get(pool, { noAck: true });
      if (!m) { return out; }
      out.push({ id: String(m.properties.messageId), replayed: m.properties.headers?.[REPLAYED_HEADER] });
    }
  }

  const depth = async (q: string) => (await ch.checkQueue(q)).messageCount;

  it('1,000 dead letters go back to their source pool, 0 are left, each marked as replayed once, x-death kept', async () => {
    const p = await pools('a');
    await deadLetter(p, 1000, 'a');
    let progressed = 0;
    const r = await replay(v.config, { pool: p.dlq, onProgress: (x) => { progressed = x.replayed; } });
    assert.equal(r.total, 1000);
    assert.equal(r.replayed, 1000);
    assert.equal(r.skipped + r.failed + r.duplicatesPossible, 0, JSON.stringify(r));
    assert.equal(r.stopped, undefined);
    assert.deepEqual(r.targets, [{ exchange: 'orders', routingKey: p.key, count: 1000, pools: [p.src] }]);
    assert.equal(progressed, 1000);
    assert.equal(await depth(p.dlq), 0);
    assert.equal(await depth(p.src), 1000);
    const one = await ch.get(p.src, { noAck: false });
    assert.ok(one);
    assert.equal(one.properties.headers?.[REPLAYED_HEADER], 1);
    assert.equal(one.properties.contentType, 'application/json');
    assert.equal(readDeaths(one.properties.headers)[0]?.reason, 'rejected', 'x-death is kept');
    ch.nack(one, false, true);
    const ids = await drain(p.src);
    assert.equal(new Set(ids.map((x) => x.id)).size, 1000);
  });

  it('the replaying connection closed by the broker half-way: 0 lost (every id in source or DLQ), duplicates counted', async () => {
    const p = await pools('b');
    await deadLetter(p, 1000, 'b');
    const name = 'rmq-pools:replay-killed';
    let killed: Promise<void> | undefined;
    let broker = '';
    const r = await replay(v.config, {
      pool: p.dlq, connectionName: name, prefetch: 50,
      // Asked before the first publish: the moment to learn the broker's name of the replay's connection.
      confirmTarget: async (t) => {
        assert.deepEqual(t.pools, [p.src]);
        broker = (await until(async () => (await v.client.connections(v.name)).find((k) => k.user_provided_name === name), 'the replay connection listed')).name;
        return true;
      },
      onProgress: (x) => {
        if (x.replayed >= 300 && !killed) { killed = v.client.closeConnection(broker, 'test: closed mid-replay'); }
      },
    });
    await killed;
    if (process.env.REPLAY_REPORT) { console.log(JSON.stringify(r)); }
    assert.match(r.stopped ?? '', /connection lost/, JSON.stringify(r));
    assert.ok(r.replayed >= 300 && r.replayed < 1000, JSON.stringify(r));
    // The broker puts the lost connection's unacked messages back when it has closed it: wait for that, then for depths that hold.
    await until(async () => !(await v.client.connections(v.name)).some((k) => k.name === broker), 'the killed connection gone');
    let last = '';
    const inSrc = await until(async () => {
      const s = await depth(p.src); const d = await depth(p.dlq);
      const now = `${s}/${d}`; const same = now === last; last = now;
      return s + d >= 1000 && same ? { s, d } : undefined;
    }, '1,000 or more in source + DLQ, settled', 20_000, 300);
    if (process.env.REPLAY_REPORT) { console.log(`replayed ${r.replayed}, source ${inSrc.s} + DLQ ${inSrc.d} = ${inSrc.s + inSrc.d}: ${inSrc.s + inSrc.d - 1000} duplicates, ${r.duplicatesPossible} reported possible`); }
    assert.ok(inSrc.s + inSrc.d - 1000 <= r.duplicatesPossible, `${inSrc.s} + ${inSrc.d} - 1000 duplicates, reported ${r.duplicatesPossible}`);
    // A second replay finishes the job: 0 left, every id back in the source pool.
    const again = await replay(v.config, { pool: p.dlq });
    assert.equal(again.stopped, undefined, JSON.stringify(again));
    assert.equal(await depth(p.dlq), 0);
    const ids = new Set((await drain(p.src)).map((x) => x.id));
    for (let i = 0; i < 1000; i++) { assert.ok(ids.has(`b-${i}`), `b-${i} was lost`); }
  });

  it('bad input: unknown pool, count 0 or 10,000,000, a missing target exchange, a head without x-death: a clear error, nothing moved', async () => {
    const p = await pools('c');
    await deadLetter(p, 20, 'c');
    const before = [await depth(p.src), await depth(p.dlq)];
    await assert.rejects(replay(v.config, { pool: 'no-such-dlq' }), /There is no pool "no-such-dlq" in vhost .*nothing was moved/);
    await assert.rejects(replay(v.config, { pool: p.dlq, count: 0 }), (e: Error & { hint?: string }) => /Replay count 0 is out of range: nothing was moved/.test(e.message) && /1 to 100,000/.test(e.hint ?? ''));
    await assert.rejects(replay(v.config, { pool: p.dlq, count: 10_000_000 }), /Replay count 10000000 is out of range/);
    await assert.rejects(replay(v.config, { pool: p.dlq, to: { exchange: 'no-such-exchange' } }), /There is no exchange "no-such-exchange" .* to replay to: nothing was moved/);
    await assert.rejects(replay({ ...v.config, readOnly: true }, { pool: p.dlq }), /read-only/);
    assert.deepEqual([await depth(p.src), await depth(p.dlq)], before);
    // A message without x-death at the head and no target: refused, nothing moved (the 20 dead letters behind it stay too).
    const plain = 'plain-c';
    await ch.assertQueue(plain, { durable: true });
    ch.sendToQueue(plain, Buffer.from('no history'), { messageId: 'plain-0' });
    await until(async () => (await depth(plain)) === 1, 'the plain message');
    await assert.rejects(replay(v.config, { pool: plain }), (e: Error & { hint?: string }) =>
      /The first message in "plain-c" has no x-death header.*nothing was moved/.test(e.message) && /--to EXCHANGE/.test(e.hint ?? ''));
    assert.equal(await depth(plain), 1);
    // With a target it goes there.
    const r = await replay(v.config, { pool: plain, to: { exchange: 'orders', routingKey: p.key } });
    assert.equal(r.replayed, 1);
    assert.equal(await depth(plain), 0);
    assert.equal(await depth(p.src), before[0] + 1);
  });

  it('CLI: rmq-pools replay --pool --count --json moves that many; bad input exits 2 with one line and moves nothing', async () => {
    const p = await pools('d');
    await deadLetter(p, 30, 'd');
    const vflag = ['--vhost', v.name];
    const ok = await runCli(['replay', '--pool', p.dlq, '--count', '10', '--json', ...vflag]);
    assert.equal(ok.code, 0, ok.stderr);
    const j = ok.json as { replayed: number; total: number; targets: { exchange: string; count: number }[]; duplicatesPossible: number };
    assert.equal(j.total, 10);
    assert.equal(j.replayed, 10);
    assert.equal(j.duplicatesPossible, 0);
    assert.deepEqual(j.targets.map((t) => [t.exchange, t.count]), [['orders', 10]]);
    assert.equal(await depth(p.dlq), 20);
    assert.equal(await depth(p.src), 10);
    for (const [args, re] of [
      [['--pool', 'nope'], /There is no pool "nope"/],
      [['--pool', p.dlq, '--count', '0'], /Replay count 0 is out of range/],
      [['--pool', p.dlq, '--count', '10000000'], /out of range/],
      [['--pool', p.dlq, '--to', 'nope-x'], /There is no exchange "nope-x"/],
      [['--pool', p.dlq, '--key', 'k'], /--key needs --to/],
    ] as const) {
      const r = await runCli(['replay', ...args, ...vflag]);
      assert.notEqual(r.code, 0, `${args.join(' ')}: ${r.stdout}`);
      assert.match(r.stderr, re);
      assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
    }
    const human = await runCli(['replay', '--pool', p.dlq, ...vflag]);
    assert.equal(human.code, 0, human.stderr);
    assert.match(human.stdout, /Replayed 20 of 20 from dlq-d/);
    assert.equal(await depth(p.dlq), 0);
  });

  it('a copy the broker returns (its binding removed once the target was checked): its dead letter stays, not counted in targets', async () => {
    const src = 'src-r'; const dlq = 'dlq-r'; const dlx = 'dlx-r'; const to = 'replay-to-r'; const target = 'target-r';
    await ch.assertExchange(dlx, 'fanout', { durable: true });
    await ch.assertQueue(dlq, { durable: true });
    await ch.bindQueue(dlq, dlx, '');
    await ch.assertQueue(src, { durable: true, arguments: { 'x-dead-letter-exchange': dlx } });
    await ch.bindQueue(src, 'orders', 'k1-r');
    await ch.bindQueue(src, 'orders', 'k2-r');
    await ch.assertExchange(to, 'direct', { durable: true });
    await ch.assertQueue(target, { durable: true });
    await ch.bindQueue(target, to, 'k1-r');
    await ch.bindQueue(target, to, 'k2-r');
    const pub = await setup.createConfirmChannel();
    for (let i = 0; i < 20; i++) { pub.publish('orders', i % 2 ? 'k2-r' : 'k1-r', Buffer.from(String(i)), { messageId: `r-${i}`, persistent: true }); }
    await pub.waitForConfirms();
    await pub.close();
    const worker = await (await v.connect('rejecter-r')).createChannel();
    const { consumerTag } = await worker.consume(src, (m) => { if (m) { worker.nack(m, false, false); } });
    await until(async () => (await depth(dlq)) === 20, '20 dead letters in dlq-r', 30_000);
    await worker.cancel(consumerTag);
    // Both keys reach "target-r" when checked; the k2 binding goes right after its check, before its first copy is published.
    const r = await replay(v.config, {
      pool: dlq, to: { exchange: to },
      confirmTarget: async (c) => { if (c.routingKeys[0] === 'k2-r') { await ch.unbindQueue(target, to, 'k2-r'); } return true; },
    });
    assert.equal(r.replayed, 10, JSON.stringify(r));
    assert.equal(r.failed, 10, JSON.stringify(r));
    assert.equal(r.reasons['reached no pool when published: left in the dead-letter pool'], 10, JSON.stringify(r));
    assert.deepEqual(r.targets, [{ exchange: to, routingKey: 'k1-r', count: 10, pools: [target] }]);
    assert.equal(await depth(target), 10);
    // The 10 returned ones are their original dead letters, still in the DLQ (not re-published copies); none lost.
    const left = await drain(dlq);
    assert.deepEqual(left.map((x) => x.id).sort(), [1, 3, 5, 7, 9, 11, 13, 15, 17, 19].map((i) => `r-${i}`).sort());
    assert.ok(left.every((x) => x.replayed === undefined), JSON.stringify(left));
    assert.deepEqual((await drain(target)).map((x) => x.id).sort(), [0, 2, 4, 6, 8, 10, 12, 14, 16, 18].map((i) => `r-${i}`).sort());
  });
});
