/**
 * Who Receives…?: exchange, routing key and optional headers → the pools a message would reach (routing.ts, the same
 * rules as `rmq-pools route`), revealed and selected in the Brokers view under the binding keys that match, listed with
 * their paths, with two follow-ups: publish test notifications there, or publish one and compare with the broker.
 * From the palette, an exchange or binding key's context menu, or a script argument object (which returns the result).
 */
import * as vscode from 'vscode';
import { ManagementClient } from '../broker/management';
import type { PublishResult } from '../broker/publisher';
import { HeaderValue, RouteResult, apiArguments, parseHeaderFlag, route } from '../broker/routing';
import { hasHeadersExchange, reachableRoutingTable } from '../broker/routeLookup';
import { bindingGroupKey } from '../broker/topology';
import { plural } from '../broker/text';
import { Commands } from '../constants';
import type { Services } from '../services';
import type { PoolNode } from '../tree/nodes/poolNode';
import { poolNodesUnder } from '../tree/treeWalk';
import type { CommandDef } from './command';
import { askWholeNumber, cancelled, exchangeKeyTarget } from './pools/target';
import { RouteComparison, publishAndCompare } from '../broker/routeCompare';
import { confirmPublish } from './pools/safePublish';

export interface RoutePreviewArgs {
  broker?: string;
  vhost?: string;
  exchange?: string;
  routingKey?: string;
  /** `k=v, k2=v2` or an object. */
  headers?: string | Record<string, HeaderValue>;
  /** Reveal and select the pools in the Brokers view (default true). */
  reveal?: boolean;
  /** Publish one mandatory message and compare (default false for scripts). */
  compare?: boolean;
  statsTimeoutMs?: number;
}

export interface RoutePreviewResult extends RouteResult {
  vhost: string;
  headers: Record<string, HeaderValue>;
  /** Ids of the Brokers-view nodes revealed (one per pool and matching binding key). */
  revealed: string[];
  comparison?: RouteComparison;
}

/** "format=json, retries=3" → { format: 'json', retries: 3 } (numbers and true/false typed, as `rmq-pools route --header`). */
export function parseHeaders(text: string): Record<string, HeaderValue> {
  const out: Record<string, HeaderValue> = {};
  for (const part of text.split(',').map((p) => p.trim()).filter(Boolean)) {
    const [k, v] = parseHeaderFlag(part);
    out[k] = v;
  }
  return out;
}

const PUBLISH = '$(send) Publish test notifications there…';
const COMPARE = '$(beaker) Publish one and compare with the broker';

export const routePreviewCommand: CommandDef = {
  id: Commands.routePreview,
  title: 'Who Receives?',
  async run(s: Services, arg?: unknown): Promise<RoutePreviewResult | undefined> {
    const t = await exchangeKeyTarget(s, arg, { exchange: 'Who receives a message published to which exchange?', routingKey: 'Routing key of the message' });
    if (!t) { return undefined; }
    const { scripted, exchange, routingKey, config } = t;
    const a = (scripted ? arg : t.args) as RoutePreviewArgs;

    const client = new ManagementClient(config);
    try {
      const table = await reachableRoutingTable(client, config.vhost, exchange, routingKey);
      let headers: Record<string, HeaderValue> = {};
      if (typeof a.headers === 'string') {
        headers = parseHeaders(a.headers);
      } else if (a.headers) {
        headers = a.headers;
      } else if (!scripted && hasHeadersExchange(table)) {
        const text = await vscode.window.showInputBox({
          title: 'Headers (optional)', prompt: 'Message headers as key=value, comma separated (numbers and true/false are typed)', placeHolder: 'format=json, retries=3',
          validateInput: (v) => { try { parseHeaders(v); return undefined; } catch (e) { return e instanceof Error ? e.message : String(e); } },
        });
        headers = parseHeaders(text ?? cancelled());
      }
      const r = route(table, exchange, routingKey, headers);
      const result: RoutePreviewResult = { ...r, vhost: config.vhost, headers, revealed: [] };
      s.log.info(`Who Receives: ${config.name} / ${config.vhost}: ${exchange || '(default)'} / ${routingKey}${Object.keys(headers).length ? ` ${JSON.stringify(headers)}` : ''} → ${r.pools.join(', ') || 'no pool'}`);

      const nodes = a.reveal === false ? [] : await revealPools(s, config.name, config.vhost, r);
      result.revealed = nodes.map((n) => n.id);

      const compare = async () => {
        if (!await confirmPublish(s, config, { what: 'Who Receives…? (publish one and compare)', exchange, routingKey, count: 1, headers }, !scripted)) { cancelled(); }
        const queues = await client.queues(config.vhost, ['name', 'consumers']);
        result.comparison = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: 'Publishing one test notification and comparing…' },
          () => publishAndCompare(config, client, {
            exchange, routingKey, headers, predicted: r.pools, queues: queues.map((q) => ({ name: q.name, consumers: q.consumers })), statsTimeoutMs: a.statsTimeoutMs,
            localDelivered: (q) => s.localPools.find(config.name, config.vhost, q)?.pool.delivered,
          }));
        s.tree.refresh();
        return result.comparison;
      };
      if (scripted) {
        if (a.compare) { await compare(); }
        return result;
      }
      await showResult(s, result, nodes, { broker: config.name, compare });
      return result;
    } finally {
      client.dispose();
    }
  },
};

/** Reveals the pools under the binding keys that match, on the last exchange of each pool's path; selects the first. */
async function revealPools(s: Services, broker: string, vhost: string, r: RouteResult): Promise<PoolNode[]> {
  const byExchange = new Map<string, string[]>();
  for (const p of r.pools) {
    const last = r.paths[p][r.paths[p].length - 1];
    if (last === '') { continue; } // the default exchange is not in the tree
    byExchange.set(last, [...(byExchange.get(last) ?? []), p]);
  }
  const found: PoolNode[] = [];
  await s.tree.settled(); // a refresh's telling must not land in the middle of the walk and the reveals
  for (const [x, pools] of byExchange) {
    // The binding keys route() matched on that exchange: the tree's keys keep the API's arguments, the route its typed ones.
    const keys = new Set(r.matched.filter((b) => b.source === x).map((b) => bindingGroupKey(b.routingKey, b.arguments)));
    try {
      found.push(...await poolNodesUnder(s.tree, broker, vhost, x, pools, (k) => keys.has(bindingGroupKey(k.binding.routingKey, apiArguments(k.binding.arguments)))));
    } catch (e) {
      s.log.debug(`Who Receives: cannot walk to ${x}: ${String(e)}`);
    }
  }
  for (const [i, n] of found.entries()) {
    try {
      await s.treeView.reveal(n, { select: i === 0, focus: false, expand: false });
    } catch (e) {
      s.log.debug(`Who Receives: cannot reveal ${n.id}: ${String(e)}`);
    }
  }
  return found;
}

async function showResult(s: Services, r: RoutePreviewResult, nodes: PoolNode[], o: { broker: string; compare: () => Promise<RouteComparison> }): Promise<void> {
  const target = `${r.exchange || '(default exchange)'} / ${r.routingKey}`;
  type Item = vscode.QuickPickItem & { pool?: string; action?: string };
  const items: Item[] = r.pools.map((p) => ({
    label: `$(inbox) ${p}`, pool: p,
    description: r.paths[p].length > 1 ? `via ${r.paths[p].map((x) => x || '(default)').join(' → ')}` : `bound to ${r.paths[p][0] || '(default exchange)'}`,
  }));
  if (r.unpredictable.length) { items.push({ label: `$(question) Not predicted: ${r.unpredictable.join(', ')}`, description: 'exchange type this tool cannot evaluate' }); }
  items.push({ label: '', kind: vscode.QuickPickItemKind.Separator }, { label: PUBLISH, action: PUBLISH }, { label: COMPARE, action: COMPARE });
  const title = r.pools.length ? `A message to ${target} reaches ${plural(r.pools.length, 'pool')}, each once` : `A message to ${target} reaches no pool: it is unroutable`;
  const pick = await vscode.window.showQuickPick(items, { title, placeHolder: 'Pick a pool to show it in the Brokers view, or an action' });
  if (!pick) { return; }
  if (pick.pool) {
    const n = nodes.find((x) => x.pool.name === pick.pool);
    if (n) { await s.treeView.reveal(n, { select: true, focus: true, expand: true }); }
    return;
  }
  if (pick.action === PUBLISH) {
    const count = await askWholeNumber('Count', `How many test notifications to ${target}?`, 10, 1, 1_000_000);
    const res = await vscode.commands.executeCommand<PublishResult | undefined>(Commands.publishTestNotifications,
      { broker: o.broker, vhost: r.vhost, exchange: r.exchange, routingKey: r.routingKey, count });
    if (res) {
      void vscode.window.showInformationMessage(`${res.confirmed.toLocaleString('en-US')} of ${count.toLocaleString('en-US')} test notifications confirmed to ${target}${res.unroutable ? `; ${res.unroutable} unroutable` : ''}.`);
    }
  } else if (pick.action === COMPARE) {
    const c = await o.compare();
    const seen = `reached ${c.reached.length ? c.reached.join(', ') : 'no pool'}${c.returned ? ' (returned as unroutable)' : ''}`;
    if (c.matches) {
      void vscode.window.showInformationMessage(`The broker agrees with the preview: the message ${seen}.${c.unknown.length ? ` Not observable: ${c.unknown.join(', ')}.` : ''}`);
    } else {
      void vscode.window.showWarningMessage(`The broker differs from the preview: the message ${seen}.${c.missed.length ? ` Predicted but not reached: ${c.missed.join(', ')}.` : ''}` +
        `${c.unexpected.length ? ` Reached but not predicted: ${c.unexpected.join(', ')}.` : ''} Pools with remote consumers are judged from management statistics, which lag.`);
    }
  }
}
