/**
 * What the Delivery Counts panel says about where its numbers come from, and which half of the broker is down when one
 * is: the line under the pools table (management API, HTTP) and a local pool's note (AMQP). Pure and vscode-free: the
 * page (media/main.ts) renders the line, the host (countsSource.ts) builds the notes, and tests check both from the same
 * state the page gets. Every string may carry broker data: the page sets it as text only.
 */
import type { LocalPoolEntry } from '../broker/localPools';
import type { PoolRow } from './panelProtocol';

export function ago(at: number | undefined, now = Date.now()): string {
  if (at === undefined) { return 'not yet'; }
  const s = Math.max(0, Math.round((now - at) / 1000));
  if (s < 60) { return `${s} s ago`; }
  if (s < 3600) { return `${Math.floor(s / 60)} min ${s % 60} s ago`; }
  return `at ${new Date(at).toLocaleTimeString()}`;
}

const sentence = (s: string) => (/[.!?]$/.test(s) ? s : `${s}.`);

/**
 * The freshness line. When the management API cannot be read it says so first, whatever pools are shown (with only local
 * pools it used to say nothing), that the panel keeps retrying, and that local pools still count over AMQP.
 */
export function freshnessLine(pools: readonly PoolRow[], managementAt: number | undefined, managementError: string | undefined, now = Date.now()): string {
  const hasLocal = pools.some((p) => p.source === 'local');
  const hasRemote = pools.some((p) => p.source === 'remote');
  const parts: string[] = [];
  if (managementError) {
    parts.push(sentence(`The management API (HTTP) could not be read; the panel retries by itself every few seconds: ${managementError}`));
    if (hasLocal) { parts.push('Pools with local workers: still exact and live (counted over AMQP).'); }
    if (managementAt !== undefined) {
      parts.push(`${hasRemote ? 'Other pools and ready / unacked' : 'Ready / unacked'}: last read from the management API ${ago(managementAt, now)}.`);
    }
    return parts.join(' ');
  }
  if (hasLocal) { parts.push('Pools with local workers: exact, live.'); }
  if (hasRemote || pools.length === 0) {
    parts.push(`Other pools: from the management API, ${ago(managementAt, now)}, approximate.`);
  } else if (managementAt !== undefined) {
    parts.push(`Ready / unacked: from the management API, ${ago(managementAt, now)}.`);
  }
  return parts.join(' ');
}

/**
 * A local pool's note: undefined while it runs. A lost AMQP connection says which half is down, that the workers come
 * back by themselves, and whether the management API still answers (`management`: the panel's last poll).
 */
export function localPoolNote(e: Pick<LocalPoolEntry, 'status' | 'lastMessage'>, management: 'answers' | 'down' | 'unknown'): string | undefined {
  if (e.status === 'running') { return undefined; }
  if (e.status === 'reconnecting') {
    const api = management === 'answers' ? ' The management API still answers.' : management === 'down' ? ' The management API does not answer either.' : '';
    return `AMQP connection lost: the workers reconnect by themselves; counts so far are kept.${api}${e.lastMessage ? ` (${e.lastMessage})` : ''}`;
  }
  return `${e.status}${e.lastMessage ? `: ${e.lastMessage}` : ''}`;
}
