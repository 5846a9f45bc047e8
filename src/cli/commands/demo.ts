/**
 * rmq-pools demo up | down: the seed's scenario (src/broker/demo.ts) in a scratch vhost of the local broker.
 * `up` builds it and runs its workers and trickle until Ctrl+C / SIGTERM, --seconds S, or until its vhost is removed
 * (`demo down` from another terminal); it then stops them and leaves the vhost for a look. `down` deletes the vhost.
 */
import { DEMO_EXCHANGE, DEMO_RATE, DEMO_ROUTING_KEY, DEMO_VHOST, Demo, DemoPoolState, DemoSummary, MAX_DEMO_RATE, removeDemo } from '../../broker/demo';
import { UsageError, numberFlag, stringFlag } from '../args';
import { CliCommand, CliContext, refuseIfReadOnly, untilStopped } from '../context';
import { safe, table } from '../output';

type StoppedBy = 'signal' | 'seconds' | 'removed' | 'replaced' | 'failed';

function demoVhost(ctx: CliContext): string {
  if (ctx.args.positionals.length) { throw new UsageError(`Unexpected argument "${ctx.args.positionals[0]}"`); }
  const v = stringFlag(ctx.args.flags, 'vhost');
  if (v !== undefined && !v.trim()) { throw new UsageError('--vhost is empty', `Leave it out to use "${DEMO_VHOST}"`); }
  return v ?? DEMO_VHOST;
}

function describePool(p: DemoPoolState): string {
  if (p.kind === 'default-queue') { return 'no consumers (oslo\'s default listener queue)'; }
  if (p.kind === 'shared-pool') { return `shared by ${p.applications.map(safe).join(' and ')}: a shared pool for diagnose to find`; }
  return `${p.workers} local worker${p.workers === 1 ? '' : 's'}`;
}

export const demoUpCommand: CliCommand = {
  name: 'demo up',
  summary: 'build the seed\'s scenario in a scratch vhost of the local broker and run its workers and a trickle of notifications until Ctrl+C',
  flags: {
    vhost: { type: 'string', valueName: 'V', description: `the demo's scratch vhost (default "${DEMO_VHOST}"; reset if it exists and was made by the demo)` },
    rate: { type: 'string', valueName: 'R', description: `test notifications a second (default ${DEMO_RATE}, at most ${MAX_DEMO_RATE})` },
    seconds: { type: 'string', valueName: 'S', description: 'stop after S seconds (default: run until Ctrl+C, SIGTERM or "demo down")' },
  },
  async run(ctx) {
    refuseIfReadOnly(ctx, 'demo up');
    const vhost = demoVhost(ctx);
    const f = ctx.args.flags;
    const rate = numberFlag(f, 'rate', DEMO_RATE, 0.1, MAX_DEMO_RATE) as number;
    const seconds = numberFlag(f, 'seconds', undefined, 0.1, 7 * 24 * 3600);
    const quiet = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };
    const demo = await Demo.up(ctx.broker(), { vhost, ratePerSecond: rate, signal: ctx.signal, logger: quiet });
    ctx.onExit(() => demo.stop({ remove: false }).then(() => undefined, () => undefined));
    const t0 = Date.now();
    if (!ctx.json) {
      const rows = demo.pools().map((p) => `  ${safe(p.name).padEnd(20)}${describePool(p)}`);
      ctx.io.err(`Demo running in vhost "${safe(vhost)}" of ${demo.config.amqpUrl}: exchange ${DEMO_EXCHANGE} (topic), every queue bound with ${DEMO_ROUTING_KEY}\n${rows.join('\n')}\n`
        + `  ${rate} test notification(s) a second to ${DEMO_EXCHANGE} / ${DEMO_ROUTING_KEY}\n`
        + `Try: rmq-pools topology --vhost ${vhost}   rmq-pools diagnose --vhost ${vhost}   rmq-pools counts --vhost ${vhost}\n`
        + `${seconds !== undefined ? `Stopping after ${seconds} s` : 'Ctrl+C to stop'}; "rmq-pools demo down${vhost === DEMO_VHOST ? '' : ` --vhost ${vhost}`}" removes the vhost.\n`);
    }
    let stoppedBy = 'signal' as StoppedBy;
    let finish!: () => void;
    const done = new Promise<void>((r) => { finish = r; });
    let ended: DemoSummary | undefined;
    demo.on('ended', (s) => { ended = s; stoppedBy = s.reason === 'stopped' ? 'signal' : s.reason; finish(); });
    demo.on('notice', (m) => { if (!ctx.json) { ctx.io.err(`${safe(m)}\n`); } });
    await untilStopped(ctx, done, {
      seconds, everyMs: 5000, stop: (by) => { stoppedBy = by; finish(); },
      tick: () => `  ${demo.published()} published · ${demo.pools().filter((p) => p.workers > 0).map((p) => `${safe(p.name)} ${p.delivered}`).join(' · ')}`,
    });
    const s = ended ?? await demo.stop({ remove: false });
    const doc = {
      vhost: s.vhost, exchange: s.exchange, routingKey: s.routingKey, pools: s.pools, published: s.published, confirmed: s.confirmed,
      unroutable: s.unroutable, seconds: Math.round((Date.now() - t0) / 100) / 10, stoppedBy, removed: s.removed, message: s.message,
    };
    if (ctx.json) {
      ctx.io.out(JSON.stringify(doc) + '\n');
    } else {
      const rows = s.pools.map((p) => [safe(p.name), p.kind, p.workers, p.applications.map(safe).join(', ') || '-', p.delivered]);
      ctx.io.out(`Demo in vhost "${safe(s.vhost)}" stopped (${stoppedBy}) after ${doc.seconds} s: ${s.published} test notifications published, ${s.confirmed} confirmed\n`
        + table(['POOL', 'KIND', 'WORKERS', 'APPLICATIONS', 'DELIVERED'], rows)
        + (s.removed ? `The vhost "${safe(s.vhost)}" is gone.\n` : `The vhost "${safe(s.vhost)}" stays for a look; remove it with: rmq-pools demo down${s.vhost === DEMO_VHOST ? '' : ` --vhost ${s.vhost}`}\n`));
    }
    if (stoppedBy === 'failed') {
      ctx.io.err(`rmq-pools demo up: ${safe(s.message ?? 'the demo stopped')}\n`);
      return 1;
    }
    return 0;
  },
};

export const demoDownCommand: CliCommand = {
  name: 'demo down',
  summary: 'remove the demo: delete its vhost (which also stops a "demo up" running elsewhere)',
  flags: {
    vhost: { type: 'string', valueName: 'V', description: `the demo's vhost (default "${DEMO_VHOST}"); a vhost the demo did not make is refused` },
  },
  async run(ctx) {
    refuseIfReadOnly(ctx, 'demo down');
    const vhost = demoVhost(ctx);
    const r = await removeDemo(ctx.broker(), vhost, ctx.client());
    if (ctx.json) {
      ctx.io.out(JSON.stringify({ vhost: r.vhost, exchange: DEMO_EXCHANGE, pools: r.pools, removed: r.removed }) + '\n');
    } else if (r.removed) {
      ctx.io.out(`Removed the demo vhost "${safe(vhost)}" with exchange ${DEMO_EXCHANGE} and ${r.pools.length} queue(s): ${r.pools.map(safe).join(', ') || 'none'}\n`);
    } else {
      ctx.io.out(`No demo vhost "${safe(vhost)}" on ${ctx.broker().managementUrl}: nothing to remove\n`);
    }
    return 0;
  },
};
