import { fetchTopology, topologyJson } from '../../broker/topology';
import type { CliCommand } from '../context';
import { safe, table } from '../output';

export const topologyCommand: CliCommand = {
  name: 'topology',
  summary: 'exchanges → binding keys → pools → workers of one vhost',
  flags: {
    'all-exchanges': { type: 'boolean', description: 'include the default exchange and amq.* exchanges' },
  },
  async run(ctx) {
    const broker = ctx.broker();
    const t = await fetchTopology(ctx.client(), broker.vhost, { includeSystemExchanges: ctx.args.flags['all-exchanges'] === true });
    if (ctx.json) {
      ctx.io.out(JSON.stringify(topologyJson(t)) + '\n');
      return 0;
    }
    const rows: (string | number)[][] = [];
    for (const e of t.exchanges) {
      if (e.bindings.length === 0) { rows.push([safe(e.name), e.type, '', '', '', '', '']); }
      for (const b of e.bindings) {
        const key = Object.keys(b.arguments).length ? `${b.routingKey} ${JSON.stringify(b.arguments)}` : b.routingKey;
        for (const p of b.pools) {
          rows.push([safe(e.name), e.type, safe(key), safe(p.name), p.messages, p.workers.length, safe(p.applications.join(', '))]);
        }
        for (const x of b.exchanges) { rows.push([safe(e.name), e.type, safe(key), `→ exchange ${safe(x)}`, '', '', '']); }
      }
    }
    ctx.io.out(`vhost ${safe(t.vhost)}: ${t.exchanges.length} exchanges, ${t.pools.length} pools\n`);
    ctx.io.out(table(['EXCHANGE', 'TYPE', 'BINDING KEY', 'POOL', 'MESSAGES', 'WORKERS', 'APPLICATIONS'], rows));
    const unbound = t.pools.filter((p) => !t.exchanges.some((e) => e.bindings.some((b) => b.pools.some((q) => q.name === p.name))));
    if (unbound.length) { ctx.io.out(`\nNot bound to any shown exchange: ${unbound.map((p) => safe(p.name)).join(', ')}\n`); }
    return 0;
  },
};
