// Fast creation of the shapes' queues and bindings (figure 8): queue.declare and queue.bind sent with nowait=true, pipelined
// on a few channels of one connection, each channel ending with one synchronous call that returns when the broker has
// processed everything before it (as scenario.mjs does for figure 1). Queues are non-durable: the node is a throwaway.
import * as path from 'node:path';
import { ROOT, require } from './common.mjs';

const defs = require(path.join(ROOT, 'node_modules/amqplib/lib/defs.js'));
const Args = require(path.join(ROOT, 'node_modules/amqplib/lib/api_args.js'));

/** Declares `exchanges` ([name, type]) and queues name(i) for i in [from, to), each bound as bind(i) = [exchange, key]. */
export async function sendPipelined(conn, { exchanges, from, to, name, bind, channels = 8, batch = 2000 }) {
  const ch0 = await conn.createChannel();
  for (const [x, type] of exchanges) { await ch0.assertExchange(x, type, { durable: false }); }
  await ch0.close();
  const per = Math.ceil((to - from) / channels);
  await Promise.all(Array.from({ length: channels }, async (_, c) => {
    const lo = from + c * per;
    const hi = Math.min(to, lo + per);
    if (lo >= hi) { return; }
    const ch = await conn.createChannel();
    for (let start = lo; start < hi; start += batch) {
      const end = Math.min(hi, start + batch);
      for (let i = start; i < end; i++) {
        ch.sendImmediately(defs.QueueDeclare, { ...Args.assertQueue(name(i), { durable: false }), nowait: true });
        const [x, key] = bind(i);
        ch.sendImmediately(defs.QueueBind, { ...Args.bindQueue(name(i), x, key, {}), nowait: true });
      }
      await ch.checkQueue(name(end - 1)); // a round trip per batch: bounded memory on both sides
    }
    await ch.close();
  }));
}
