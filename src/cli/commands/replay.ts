import { MAX_REPLAY_COUNT, replay, ReplayProgress, ReplayResult } from '../../broker/replay';
import { UsageError, intFlag, requireFlag, stringFlag } from '../args';
import { CliCommand, refuseIfReadOnly } from '../context';
import { safe } from '../output';

/** The CLI's JSON for a replay: the result as the core gives it. */
export function replayJson(r: ReplayResult) {
  return {
    vhost: r.vhost, pool: r.pool, total: r.total, replayed: r.replayed, skipped: r.skipped, failed: r.failed,
    duplicatesPossible: r.duplicatesPossible, targets: r.targets, reasons: r.reasons, ...(r.stopped ? { stopped: r.stopped } : {}),
  };
}

export const replayCommand: CliCommand = {
  name: 'replay',
  summary: 'move dead letters back to where they came from (first x-death entry) or to --to, confirmed before removal',
  flags: {
    pool: { type: 'string', required: true, valueName: 'DLQ', description: 'the dead-letter pool to replay from' },
    count: { type: 'string', valueName: 'N', description: `at most N messages (1–${MAX_REPLAY_COUNT.toLocaleString('en-US')}; default: every message ready now)` },
    to: { type: 'string', valueName: 'EXCHANGE', description: 'publish to this exchange instead ("" = the default exchange)' },
    key: { type: 'string', valueName: 'K', description: 'with --to: this routing key (default: each message\'s original keys)' },
  },
  async run(ctx) {
    refuseIfReadOnly(ctx, 'replay');
    const f = ctx.args.flags;
    if (ctx.args.positionals.length) { throw new UsageError(`Unexpected argument "${ctx.args.positionals[0]}"`); }
    const pool = requireFlag(f, 'pool', 'DLQ');
    // The range is the core's to check (the same message in VS Code); here only that it is a whole number.
    const count = intFlag(f, 'count', undefined, Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER);
    const exchange = stringFlag(f, 'to');
    const key = stringFlag(f, 'key');
    if (key !== undefined && exchange === undefined) { throw new UsageError('--key needs --to EXCHANGE', 'Give the exchange to replay to, e.g. --to nova --key notifications.info'); }
    const tty = !ctx.json && process.stderr.isTTY === true;
    let last = 0;
    const onProgress = ctx.json ? undefined : (p: ReplayProgress) => {
      const now = Date.now();
      if (now - last < (tty ? 100 : 1000)) { return; }
      last = now;
      const line = `replayed ${p.replayed}/${p.total}, skipped ${p.skipped}, failed ${p.failed}`;
      ctx.io.err(tty ? `\r${line}\u001b[K` : `${line}\n`);
    };
    const r = await replay(ctx.broker(), {
      pool, count, to: exchange !== undefined ? { exchange, ...(key !== undefined ? { routingKey: key } : {}) } : undefined,
      signal: ctx.signal, onProgress,
    });
    if (tty) { ctx.io.err('\n'); }
    const failedRun = r.stopped !== undefined && r.stopped !== 'cancelled';
    if (ctx.json) {
      ctx.io.out(JSON.stringify(replayJson(r)) + '\n');
      return failedRun ? 1 : 0;
    }
    ctx.io.out(`Replayed ${r.replayed} of ${r.total} from ${safe(pool)}: ${r.skipped} skipped (put back), ${r.failed} failed (left in the pool)` +
      `${r.duplicatesPossible ? `, ${r.duplicatesPossible} possibly duplicated (the connection dropped between publish and removal)` : ''}\n`);
    for (const t of r.targets) {
      ctx.io.out(`  ${t.count} → ${safe(t.exchange || '(default exchange)')} / ${safe((t.routingKeys ?? [t.routingKey]).join(', '))} → ${t.pools.map(safe).join(', ')}\n`);
    }
    for (const [why, n] of Object.entries(r.reasons)) { ctx.io.out(`  ${n} ${safe(why)}\n`); }
    if (r.stopped) { ctx.io.out(`Stopped: ${safe(r.stopped)}\n`); }
    return failedRun ? 1 : 0;
  },
};
