import { HeaderValue, parseHeaderFlag } from '../../broker/routing';
import { lookupRoute } from '../../broker/routeLookup';
import { UsageError } from '../args';
import type { CliCommand } from '../context';
import { safe } from '../output';

export const routeCommand: CliCommand = {
  name: 'route',
  positionals: 'EXCHANGE ROUTING_KEY',
  summary: 'the pools a message would reach (direct, fanout, topic, headers, exchange-to-exchange)',
  flags: {
    header: { type: 'list', valueName: 'K=V', description: 'a message header (repeatable); numbers and true/false are typed' },
  },
  async run(ctx) {
    const [exchange, routingKey, ...extra] = ctx.args.positionals;
    if (exchange === undefined || routingKey === undefined || extra.length) {
      throw new UsageError('route needs exactly EXCHANGE and ROUTING_KEY (use "" for the default exchange)');
    }
    const headers: Record<string, HeaderValue> = {};
    for (const h of (ctx.args.flags.header as string[] | undefined) ?? []) {
      const [k, v] = parseHeaderFlag(h);
      headers[k] = v;
    }
    const { vhost } = ctx.broker();
    const client = ctx.client();
    const r = await lookupRoute(client, vhost, exchange, routingKey, headers);
    if (ctx.json) {
      ctx.io.out(JSON.stringify({ exchange, routingKey, headers, pools: r.pools, paths: r.paths, unpredictable: r.unpredictable, alternates: r.alternates }) + '\n');
      return 0;
    }
    if (r.pools.length === 0) {
      ctx.io.out(`A message to "${safe(exchange)}" with key "${safe(routingKey)}" reaches no pool: it is unroutable (dropped, or returned with mandatory).\n`);
    } else {
      ctx.io.out(`A message to "${safe(exchange)}" with key "${safe(routingKey)}" reaches ${r.pools.length} pool(s), each once:\n`);
      for (const p of r.pools) { ctx.io.out(`  ${safe(p)}${r.paths[p].length > 1 ? `   (via ${r.paths[p].map(safe).join(' → ')})` : ''}\n`); }
    }
    if (r.unpredictable.length) { ctx.io.out(`Not predicted: exchange(s) ${r.unpredictable.map(safe).join(', ')} have a type this tool cannot evaluate.\n`); }
    return 0;
  },
};
