import { peekMessages } from '../../broker/peek';
import { durationWords } from '../../broker/healthRules';
import { DEFAULT_PEEK_COUNT, MAX_PEEK_COUNT } from '../../broker/peekRules';
import type { PeekedMessage } from '../../broker/messageView';
import { UsageError, requireFlag, stringFlag } from '../args';
import type { CliCommand } from '../context';
import { safe, table } from '../output';

function kindOf(m: PeekedMessage): string {
  return m.oslo?.event_type ?? m.properties.contentType ?? (m.body.encoding === 'base64' ? 'binary' : 'text');
}

export const peekCommand: CliCommand = {
  name: 'peek',
  summary: `read up to N messages from the head of a pool and put every one back (streams: read by offset); default ${DEFAULT_PEEK_COUNT}, at most ${MAX_PEEK_COUNT}`,
  flags: {
    pool: { type: 'string', required: true, valueName: 'P', description: 'the pool (queue) to peek' },
    count: { type: 'string', valueName: 'N', description: `messages to read (1–${MAX_PEEK_COUNT}, default ${DEFAULT_PEEK_COUNT})` },
    'accept-delivery-count': { type: 'boolean', description: 'peek a quorum queue with a delivery limit although each peek uses up one delivery attempt' },
  },
  async run(ctx) {
    const f = ctx.args.flags;
    if (ctx.args.positionals.length) { throw new UsageError(`Unexpected argument "${ctx.args.positionals[0]}"`); }
    const pool = requireFlag(f, 'pool', 'P');
    const r = await peekMessages(ctx.broker(), ctx.client(), {
      pool, count: stringFlag(f, 'count'), acceptDeliveryCount: f['accept-delivery-count'] === true, signal: ctx.signal,
    });
    if (ctx.json) {
      ctx.io.out(JSON.stringify(r) + '\n');
    } else {
      ctx.io.out(`Pool ${safe(r.pool)} (${r.queueType}, vhost ${safe(r.vhost)}): ${r.messages.length} of ${r.requested} requested${r.depthBefore !== undefined ? `, ${r.depthBefore} ready` : ''}\n`);
      if (r.messages.length) {
        ctx.io.out(table(['#', 'AGE', 'ROUTING KEY', 'EVENT TYPE / CONTENT TYPE', 'BYTES', 'REDELIVERED'],
          r.messages.map((m) => [m.index, m.ageSeconds === null ? '' : durationWords(m.ageSeconds), safe(m.routingKey), safe(kindOf(m)), m.body.bytes, m.redelivered ? 'yes' : ''])));
      }
      for (const g of r.deathSummary ?? []) {
        ctx.io.out(`dead-lettered: ${g.messages} message(s) ${safe(g.reason)} by ${safe(g.pool)} (${g.deaths} deaths)\n`);
      }
      ctx.io.out(`${r.sideEffects.summary}\n`);
      if (r.pastDeliveryLimit) { ctx.io.out(`${r.pastDeliveryLimit} peeked message(s) passed the delivery limit and were dead-lettered or dropped.\n`); }
    }
    if (r.cancelled) { ctx.io.err(`rmq-pools peek: cancelled after ${r.messages.length} messages (all put back)\n`); return 1; }
    return 0;
  },
};
