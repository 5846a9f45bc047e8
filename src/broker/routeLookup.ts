/**
 * Which pools a message reaches on a live broker: THE lookup that the CLI's `route`, Who Receives…?, the audit and the
 * Delivery Counts panel share. It reads only what a message to that exchange can pass through: the exchange, its
 * bindings, and, following exchange-to-exchange bindings and alternate exchanges, the exchanges behind them. The
 * rules themselves are routing.ts's route(); nothing here decides a match.
 *
 * The cost grows with the exchanges a message can reach, not with the vhost: one exchange and one bindings request per
 * exchange on the way (`/api/exchanges/{vhost}/{name}/bindings/source`), never the vhost's whole queue or binding list.
 */
import { BrokerError } from './errors';
import type { ManagementClient } from './management';
import { HeaderValue, RouteResult, RoutingTable, route, routingTable } from './routing';

/** The part of a vhost's routing table that a message published to `exchange` can pass through, whatever its key. */
export async function reachableRoutingTable(client: ManagementClient, vhost: string, exchange: string, routingKey?: string): Promise<RoutingTable> {
  const table: RoutingTable = { exchanges: [], bindings: [], queues: [] };
  if (exchange === '') {
    // The default exchange routes to the queue named by the key: ask for that queue only.
    if (routingKey !== undefined) {
      try {
        const q = await client.queue(vhost, routingKey);
        table.queues.push(q.name);
      } catch (e) {
        if (!(e instanceof BrokerError && e.kind === 'not-found')) { throw e; }
      }
    }
    return table;
  }
  const seen = new Set<string>();
  let wave = [exchange];
  while (wave.length) {
    const fetched = await Promise.all(wave.map(async (name) => {
      seen.add(name);
      try {
        const [ex, bindings] = await Promise.all([client.exchange(vhost, name), client.exchangeBindings(vhost, name)]);
        return { ex, bindings };
      } catch (e) {
        // An exchange bound or named as alternate that is gone: it routes nothing. The first one must exist.
        if (e instanceof BrokerError && e.kind === 'not-found' && name !== exchange) { return undefined; }
        if (e instanceof BrokerError && e.kind === 'not-found') {
          await client.vhost(vhost); // a vhost that does not exist says so (the client explains that 404)
          throw new BrokerError('not-found', `There is no exchange "${exchange}" in vhost "${vhost}"`, 'Check the name in the Brokers view or with "rmq-pools topology", and the vhost');
        }
        throw e;
      }
    }));
    const next = new Set<string>();
    for (const f of fetched) {
      if (!f) { continue; }
      const part = routingTable([f.ex], f.bindings, []);
      table.exchanges.push(...part.exchanges);
      table.bindings.push(...part.bindings);
      for (const b of part.bindings) {
        if (b.destinationType === 'exchange' && !seen.has(b.destination)) { next.add(b.destination); }
      }
      const alt = part.exchanges[0]?.arguments?.['alternate-exchange'];
      if (typeof alt === 'string' && alt && !seen.has(alt)) { next.add(alt); }
    }
    wave = [...next];
  }
  return table;
}

/** Routes one message on the live broker: the pools it reaches, each once, with the path to each (route()'s result). */
export async function lookupRoute(client: ManagementClient, vhost: string, exchange: string, routingKey: string, headers?: Record<string, HeaderValue>): Promise<RouteResult> {
  return route(await reachableRoutingTable(client, vhost, exchange, routingKey), exchange, routingKey, headers);
}

/** True when the table holds a headers exchange (then the message's headers decide where it goes: worth asking for). */
export function hasHeadersExchange(table: RoutingTable): boolean {
  return table.exchanges.some((e) => e.type === 'headers');
}
