import { MAX_PUBLISH_COUNT, PublishProgress, publishNotifications } from '../../broker/publisher';
import { UsageError, intFlag, numberFlag, requireFlag, stringFlag } from '../args';
import { CliCommand, refuseIfReadOnly } from '../context';
import { safe } from '../output';
import { publishFileCommand } from './publishFile';

export const publishCommand: CliCommand = {
  name: 'publish',
  summary: 'publish N test notifications (oslo envelope by default) with publisher confirms; unroutable ones are counted',
  flags: {
    exchange: { type: 'string', valueName: 'X', description: 'exchange to publish to, e.g. nova (required unless --file names it)' },
    key: { type: 'string', valueName: 'K', description: 'routing key, e.g. notifications.info (required unless --file names it)' },
    count: { type: 'string', valueName: 'N', description: `messages to publish (1–${MAX_PUBLISH_COUNT}; required unless --file)` },
    file: { type: 'string', valueName: 'F', description: 'publish the one message of a JSON template (exchange, routingKey, properties, headers, body or oslo); --exchange/--key override it' },
    rate: { type: 'string', valueName: 'R', description: 'messages per second (default: as fast as confirms allow)' },
    'event-type': { type: 'string', valueName: 'T', description: 'oslo event_type (default compute.instance.create.end)' },
    'publisher-id': { type: 'string', valueName: 'ID', description: 'oslo publisher_id (default rmq-pools.test)' },
    priority: { type: 'string', valueName: 'P', description: 'oslo priority (default INFO)' },
    payload: { type: 'string', valueName: 'JSON', description: 'payload template; {{seq}}, {{uuid}}, {{now}} are substituted' },
    raw: { type: 'boolean', oneOf: 'format', description: 'publish the payload as plain JSON, without the oslo envelope' },
    text: { type: 'boolean', oneOf: 'format', description: 'publish the payload as text' },
    transient: { type: 'boolean', description: 'non-persistent messages (delivery mode 1)' },
    'in-flight': { type: 'string', valueName: 'N', description: 'unconfirmed messages in flight (default 5000)' },
  },
  async run(ctx) {
    refuseIfReadOnly(ctx, 'publish');
    const f = ctx.args.flags;
    if (ctx.args.positionals.length) { throw new UsageError(`Unexpected argument "${ctx.args.positionals[0]}"`); }
    if (f.file !== undefined) { return publishFileCommand(ctx); }
    const exchange = requireFlag(f, 'exchange', 'X');
    const routingKey = requireFlag(f, 'key', 'K');
    if (stringFlag(f, 'count') === undefined) { throw new UsageError('--count N is required'); }
    const count = intFlag(f, 'count', undefined, 1, MAX_PUBLISH_COUNT) as number;
    const rate = numberFlag(f, 'rate', undefined, 0.01, 1_000_000);
    const maxInFlight = intFlag(f, 'in-flight', undefined, 1, 100_000);
    if (f.raw && f.text) { throw new UsageError('Give --raw or --text, not both'); }
    const eventType = stringFlag(f, 'event-type');
    if (eventType !== undefined && !eventType.trim()) { throw new UsageError('--event-type is empty'); }
    let last = 0;
    const tty = !ctx.json && process.stderr.isTTY === true;
    const onProgress = ctx.json ? undefined : (p: PublishProgress) => {
      const now = Date.now();
      if (now - last < (tty ? 100 : 1000)) { return; }
      last = now;
      const line = `published ${p.published}/${p.total}, confirmed ${p.confirmed}, unroutable ${p.unroutable}, ${p.ratePerSecond}/s`;
      ctx.io.err(tty ? `\r${line}\u001b[K` : `${line}\n`);
    };
    const r = await publishNotifications(ctx.broker(), {
      exchange, routingKey, count, ratePerSecond: rate, maxInFlight, eventType, publisherId: stringFlag(f, 'publisher-id'), priority: stringFlag(f, 'priority'),
      payloadTemplate: stringFlag(f, 'payload'), format: f.raw ? 'json' : f.text ? 'text' : 'oslo', persistent: f.transient !== true,
      signal: ctx.signal, connectionName: 'rmq-pools:publish',
    }, onProgress);
    if (tty) { ctx.io.err('\n'); }
    const doc = {
      exchange, routingKey, published: r.published, confirmed: r.confirmed, nacked: r.nacked, unroutable: r.unroutable, resent: r.resent,
      unconfirmed: r.unconfirmed, seconds: r.seconds, ratePerSecond: r.ratePerSecond, cancelled: r.cancelled, reconnects: r.reconnects,
    };
    if (ctx.json) {
      ctx.io.out(JSON.stringify(doc) + '\n');
    } else {
      ctx.io.out(`Published ${r.published} of ${count} to ${safe(exchange)} / ${safe(routingKey)} in ${r.seconds} s (${r.ratePerSecond}/s): ${r.confirmed} confirmed, ${r.nacked} nacked, ${r.unroutable} unroutable${r.resent ? `, ${r.resent} re-sent after a reconnect` : ''}\n`);
      if (r.unroutable > 0) {
        ctx.io.out(`${r.unroutable === r.published ? 'Every message' : `${r.unroutable} messages`} came back unroutable: no pool is bound to "${safe(routingKey)}" on "${safe(exchange)}". Start one: rmq-pools pool run --exchange ${exchange} --key ${routingKey} --pool NAME --workers 1\n`);
      }
    }
    // The report is already on stdout (one JSON document): failures are one line on stderr and exit 1, not a thrown error.
    if (r.cancelled) {
      ctx.io.err(`rmq-pools publish: cancelled after ${r.published} published, ${r.confirmed} confirmed\n`);
      return 1;
    }
    if (r.nacked > 0) {
      ctx.io.err(`rmq-pools publish: the broker refused (nacked) ${r.nacked} messages. Check queue length limits (x-overflow reject-publish) and the broker's alarms\n`);
      return 1;
    }
    return 0;
  },
};
