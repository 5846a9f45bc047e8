import { WorkerPool, QueueType, MAX_WORKERS, MAX_PREFETCH } from '../../broker/workers';
import type { PoolCounts } from '../../broker/counts';
import { UsageError, intFlag, numberFlag, requireFlag, stringFlag } from '../args';
import { CliCommand, refuseIfReadOnly, untilStopped } from '../context';
import { safe, table } from '../output';

type StoppedBy = 'count' | 'seconds' | 'signal' | 'queue-deleted' | 'failed';

export const poolRunCommand: CliCommand = {
  name: 'pool run',
  summary: 'join or create pool P with N local workers, count every delivery, stop after N deliveries, S seconds or Ctrl+C',
  flags: {
    exchange: { type: 'string', required: true, valueName: 'X', description: 'exchange the pool is bound to (must exist), e.g. nova' },
    key: { type: 'list', required: true, valueName: 'K', description: 'binding key, e.g. notifications.info (repeat for several)' },
    pool: { type: 'string', required: true, valueName: 'P', description: 'pool name = queue name, after the listener kind, e.g. ceilometer' },
    workers: { type: 'string', required: true, valueName: 'N', description: `local workers, 1–${MAX_WORKERS} (default 1)` },
    prefetch: { type: 'string', valueName: 'N', description: 'unacknowledged messages per worker (default 10)' },
    count: { type: 'string', oneOf: 'stop', valueName: 'N', description: 'stop after N deliveries in total' },
    seconds: { type: 'string', oneOf: 'stop', valueName: 'S', description: 'stop after S seconds' },
    'queue-type': { type: 'string', valueName: 'TYPE', description: 'classic (default) or quorum, when the queue is created' },
    'delete-on-stop': { type: 'boolean', description: 'delete the pool\'s queue when stopping' },
  },
  async run(ctx) {
    refuseIfReadOnly(ctx, "pool run (it declares and binds the pool's queue)");
    const f = ctx.args.flags;
    if (ctx.args.positionals.length) { throw new UsageError(`Unexpected argument "${ctx.args.positionals[0]}"`); }
    const exchange = requireFlag(f, 'exchange', 'X');
    const keys = (f.key as string[] | undefined) ?? [];
    if (keys.length === 0) { throw new UsageError('--key K is required (the binding key, e.g. notifications.info)'); }
    const pool = requireFlag(f, 'pool', 'P');
    const workers = intFlag(f, 'workers', 1, 1, MAX_WORKERS) as number;
    const prefetch = intFlag(f, 'prefetch', 10, 1, MAX_PREFETCH) as number;
    const count = intFlag(f, 'count', undefined, 1, 1_000_000_000);
    const seconds = numberFlag(f, 'seconds', undefined, 0.1, 7 * 24 * 3600);
    if (count !== undefined && seconds !== undefined) { throw new UsageError('Give --count or --seconds, not both'); }
    const qt = stringFlag(f, 'queue-type') ?? 'classic';
    if (qt !== 'classic' && qt !== 'quorum') { throw new UsageError(`--queue-type must be classic or quorum, got "${qt}"`); }

    const p = new WorkerPool(ctx.broker(), {
      pool, exchange, routingKeys: keys, workers, prefetch, queueType: qt as QueueType, maxDeliveries: count,
      logger: { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined },
    });
    const warnings: string[] = [];
    let stoppedBy = 'signal' as StoppedBy;
    let finish!: () => void;
    const done = new Promise<void>((r) => { finish = r; });
    const stopWith = (why: StoppedBy) => { stoppedBy = why; finish(); };
    let cancelled = 0;
    p.on('worker-cancelled', (e) => {
      warnings.push(e.message);
      if (++cancelled >= workers) { stopWith(e.queueDeleted ? 'queue-deleted' : 'failed'); }
    });
    p.on('disconnected', (e) => { warnings.push(e.error.describe()); if (!ctx.json) { ctx.io.err(`${e.error.describe()}\n`); } });
    p.on('reconnected', () => { if (!ctx.json) { ctx.io.err(`Pool "${pool}": reconnected\n`); } });
    p.on('channel-error', (e) => warnings.push(e.error.describe()));
    p.on('error', (e) => { warnings.push(e.describe()); stopWith('failed'); });
    p.on('limit-reached', () => stopWith('count'));
    ctx.onExit(() => p.stop().then(() => undefined, () => undefined));

    const t0 = Date.now();
    await p.start();
    if (!ctx.json) {
      ctx.io.err(`Pool "${safe(pool)}": ${workers} worker(s) on queue "${safe(pool)}" bound to ${safe(exchange)} / ${keys.map(safe).join(', ')}; ${count !== undefined ? `stopping after ${count} deliveries` : seconds !== undefined ? `stopping after ${seconds} s` : 'Ctrl+C to stop'}\n`);
    }
    await untilStopped(ctx, done, {
      seconds, everyMs: 1000, stop: stopWith,
      tick: () => { const s = p.snapshot(); return `  ${s.delivered} delivered (${s.ratePerSecond}/s), ${s.redelivered} redelivered, ${s.duplicates} duplicates`; },
    });
    const final = await p.stop({ deleteQueue: f['delete-on-stop'] === true });
    const report = poolRunJson(final, exchange, keys, stoppedBy, (Date.now() - t0) / 1000, warnings);
    if (ctx.json) {
      ctx.io.out(JSON.stringify(report) + '\n');
    } else {
      ctx.io.out(renderPoolRun(final, report));
    }
    if (stoppedBy === 'queue-deleted' || stoppedBy === 'failed') {
      // The report is already on stdout: one line on stderr and exit 1 rather than a second (error) document.
      ctx.io.err(`rmq-pools pool run: ${safe(warnings[warnings.length - 1] ?? "the pool stopped")}\n`);
      return 1;
    }
    return 0;
  },
};

export function poolRunJson(s: PoolCounts, exchange: string, keys: string[], stoppedBy: StoppedBy, seconds: number, warnings: string[]) {
  return {
    pool: s.pool, exchange, routingKey: keys[0], routingKeys: keys, queue: s.queue,
    delivered: s.delivered, acked: s.acked, redelivered: s.redelivered, duplicates: s.duplicates, withoutId: s.withoutId,
    seconds: Math.round(seconds * 100) / 100, ratePerSecond: seconds > 0 ? Math.round(s.delivered / seconds) : 0, stoppedBy, reconnects: s.reconnects,
    workers: s.workers.map((w) => ({ name: w.name, consumerTag: w.consumerTag, state: w.state, delivered: w.delivered, acked: w.acked, redelivered: w.redelivered, duplicates: w.duplicates })),
    spread: s.spread, latencyMs: s.latencyMs, warnings,
  };
}

function renderPoolRun(s: PoolCounts, r: ReturnType<typeof poolRunJson>): string {
  const rows = s.workers.map((w) => [safe(w.name), w.state, w.delivered, w.redelivered, w.duplicates, w.latencyMs.count ? w.latencyMs.p50 : '-', w.latencyMs.count ? w.latencyMs.p99 : '-']);
  rows.push(['total', '', s.delivered, s.redelivered, s.duplicates, s.latencyMs.count ? s.latencyMs.p50 : '-', s.latencyMs.count ? s.latencyMs.p99 : '-']);
  return `Pool "${safe(s.pool)}" stopped (${r.stoppedBy}) after ${r.seconds} s: ${s.delivered} delivered, ${r.ratePerSecond}/s, spread cv ${s.spread.cv}${s.reconnects ? `, ${s.reconnects} reconnect(s)` : ''}\n`
    + table(['WORKER', 'STATE', 'DELIVERED', 'REDELIVERED', 'DUPLICATES', 'P50 MS', 'P99 MS'], rows);
}
