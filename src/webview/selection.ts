/**
 * What the panel shows, from whatever the command got: a tree node (exchange, binding key, pool), a selection object
 * (scripts, tests, the serializer), or nothing (the palette: quick picks for broker, vhost, exchange and routing key).
 * Tree nodes are read by shape, not by class, so this does not depend on the tree's internals.
 */
import * as vscode from 'vscode';
import type { BrokerConfig } from '../broker/connection';
import { ManagementClient } from '../broker/management';
import type { Services } from '../services';
import type { PanelSelection } from '../viewModel/panelProtocol';

interface NodeLike {
  parent?: NodeLike;
  vhost?: unknown;
  exchange?: unknown;
  binding?: { routingKey?: unknown };
  pool?: { name?: unknown };
  session?: { config?: BrokerConfig };
}

export function isSelection(a: unknown): a is PanelSelection {
  if (typeof a !== 'object' || a === null) { return false; }
  const s = a as Record<string, unknown>;
  return typeof s.broker === 'string' && typeof s.vhost === 'string' && typeof s.exchange === 'string' && typeof s.routingKey === 'string'
    && (s.pool === undefined || typeof s.pool === 'string');
}

/** The broker's config with the selection's vhost (publishers and workers connect to that vhost). */
export async function configFor(services: Services, broker: string, vhost: string): Promise<BrokerConfig> {
  const entry = services.store.find(broker);
  if (!entry) { throw new Error(`The broker "${broker}" is no longer configured: add it again, or pick another one`); }
  const config = await services.store.config(entry);
  return { ...config, vhost };
}

const exchangeName = (x: unknown): string | undefined =>
  typeof x === 'string' ? x : typeof x === 'object' && x !== null && typeof (x as { name?: unknown }).name === 'string' ? (x as { name: string }).name : undefined;

/** Resolves the selection; undefined when the user cancelled a pick. */
export async function resolveSelection(services: Services, arg: unknown): Promise<PanelSelection | undefined> {
  if (isSelection(arg)) { return { ...arg }; }
  const node = (typeof arg === 'object' && arg !== null ? arg : undefined) as NodeLike | undefined;
  const config = node?.session?.config;
  if (node && config && typeof node.vhost === 'string') {
    return fromNode(node, config, node.vhost);
  }
  return pickSelection(services);
}

async function fromNode(node: NodeLike, config: BrokerConfig, vhost: string): Promise<PanelSelection | undefined> {
  const client = new ManagementClient(config);
  try {
    const pool = typeof node.pool?.name === 'string' ? node.pool.name : undefined;
    // Exchange and key from the node or its ancestors (a pool under a binding key, a binding key under an exchange).
    let exchange: string | undefined;
    let routingKey: string | undefined;
    for (let n: NodeLike | undefined = node; n; n = n.parent) {
      if (routingKey === undefined && typeof n.binding?.routingKey === 'string') { routingKey = n.binding.routingKey; }
      if (exchange === undefined) { exchange = exchangeName(n.exchange); }
    }
    if (exchange === undefined && pool !== undefined) {
      // A pool from the Pools folder: its bindings say where it is reached from.
      const bindings = (await client.queueBindings(vhost, pool)).filter((b) => b.source !== '');
      if (bindings.length === 0) { throw new Error(`The pool "${pool}" has no bindings: nothing is delivered to it through an exchange`); }
      const pick = bindings.length === 1 ? bindings[0] : (await vscode.window.showQuickPick(
        bindings.map((b) => ({ label: b.source, description: b.routing_key, b })), { title: `Delivery counts of ${pool}: which binding?` }))?.b;
      if (!pick) { return undefined; }
      exchange = pick.source;
      routingKey = pick.routing_key;
    }
    if (exchange === undefined) { return undefined; }
    routingKey ??= await pickKey(client, vhost, exchange);
    if (routingKey === undefined) { return undefined; }
    return { broker: config.name, vhost, exchange, routingKey, pool };
  } finally {
    client.dispose();
  }
}

async function pickKey(client: ManagementClient, vhost: string, exchange: string): Promise<string | undefined> {
  const keys = [...new Set((await client.exchangeBindings(vhost, exchange)).map((b) => b.routing_key))].sort();
  if (keys.length === 1) { return keys[0]; }
  const other = '$(edit) Another routing key…';
  const items = [...keys.map((k) => ({ label: k === '' ? '(empty key)' : k, key: k })), { label: other, key: undefined as string | undefined }];
  const pick = await vscode.window.showQuickPick(items, { title: `Routing key on ${exchange}`, placeHolder: 'The routing key to publish with and count' });
  if (!pick) { return undefined; }
  if (pick.key !== undefined) { return pick.key; }
  return vscode.window.showInputBox({ title: `Routing key on ${exchange}`, prompt: 'e.g. notifications.info' });
}

async function pickSelection(services: Services): Promise<PanelSelection | undefined> {
  const entries = services.store.list();
  const entry = entries.length === 1 ? entries[0] : (await vscode.window.showQuickPick(
    entries.map((e) => ({ label: e.setting.name, description: e.setting.amqpUrl, e })), { title: 'Delivery counts: broker' }))?.e;
  if (!entry) { return undefined; }
  const config = await services.store.config(entry);
  const client = new ManagementClient(config);
  try {
    let vhost = entry.setting.vhost;
    if (!vhost) {
      const vhosts = (await client.vhosts()).map((v) => v.name).sort();
      vhost = vhosts.length === 1 ? vhosts[0] : (await vscode.window.showQuickPick(vhosts, { title: `Delivery counts on ${entry.setting.name}: vhost` }));
    }
    if (vhost === undefined) { return undefined; }
    const exchanges = (await client.exchanges(vhost, ['name', 'type'])).filter((x) => x.name !== '' && !x.name.startsWith('amq.'));
    if (exchanges.length === 0) { throw new Error(`The vhost "${vhost}" has no exchanges of its own`); }
    const x = (await vscode.window.showQuickPick(exchanges.map((e) => ({ label: e.name, description: e.type })),
      { title: `Delivery counts in ${vhost}: exchange` }))?.label;
    if (x === undefined) { return undefined; }
    const routingKey = await pickKey(client, vhost, x);
    if (routingKey === undefined) { return undefined; }
    return { broker: entry.setting.name, vhost, exchange: x, routingKey };
  } finally {
    client.dispose();
  }
}
