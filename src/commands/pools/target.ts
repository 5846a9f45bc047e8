/**
 * What a pool command is about: the broker (with its password), the vhost, and the exchange / routing key / pool,
 * taken from the tree node it was run on, from a script's argument object, or asked for step by step.
 */
import { assertWritable } from '../../broker/receivers';
import * as vscode from 'vscode';
import type { BrokerConfig } from '../../broker/connection';
import { invalidInput } from '../../broker/errors';
import { ManagementClient } from '../../broker/management';
import type { LocalPoolEntry } from '../../broker/localPools';
import { validatePoolOptions } from '../../broker/workers';
import type { Services } from '../../services';
import { TreeNode } from '../../tree/nodes/treeNode';
import { brokerEntryFor } from '../pickers';

/** The argument object scripts and tests pass instead of a tree node. */
export interface PoolArgs {
  broker?: string;
  vhost?: string;
  exchange?: string;
  routingKey?: string;
  pool?: string;
  workers?: number;
  prefetch?: number;
  queueType?: 'classic' | 'quorum';
  count?: number;
  rate?: number;
  eventType?: string;
  worker?: string;
  deleteQueue?: boolean;
}

export const DEFAULT_ROUTING_KEY = 'notifications.info';

export function isPoolArgs(a: unknown): a is PoolArgs {
  return !!a && typeof a === 'object' && !(a instanceof TreeNode) && !Array.isArray(a);
}

/** Reads exchange / routing key / pool / vhost from a node and its ancestors. */
export function fromNode(arg: unknown): PoolArgs {
  const out: PoolArgs = {};
  for (let n = arg instanceof TreeNode ? arg : undefined; n; n = n.parent) {
    const any = n as unknown as { vhost?: unknown; exchange?: unknown; binding?: { routingKey?: unknown }; pool?: unknown; worker?: { consumerTag?: unknown } };
    if (out.vhost === undefined && typeof any.vhost === 'string') { out.vhost = any.vhost; }
    if (out.exchange === undefined) {
      if (typeof any.exchange === 'string') { out.exchange = any.exchange; } else if (any.exchange && typeof (any.exchange as { name?: unknown }).name === 'string') { out.exchange = (any.exchange as { name: string }).name; }
    }
    if (out.routingKey === undefined && any.binding && typeof any.binding.routingKey === 'string') { out.routingKey = any.binding.routingKey; }
    if (out.pool === undefined) {
      if (typeof any.pool === 'string') { out.pool = any.pool; } else if (any.pool && typeof (any.pool as { name?: unknown }).name === 'string') { out.pool = (any.pool as { name: string }).name; }
    }
  }
  return out;
}

export interface Target { config: BrokerConfig; args: PoolArgs }

/** The broker config for the node / argument / pick, with the vhost the node or argument names. */
export async function targetFor(s: Services, arg: unknown): Promise<Target | undefined> {
  const args: PoolArgs = isPoolArgs(arg) ? { ...arg } : fromNode(arg);
  const entry = await brokerEntryFor(s, arg instanceof TreeNode ? arg : args.broker, 'Which broker?');
  if (!entry) { return undefined; }
  const base = await s.store.config(entry);
  return { config: args.vhost ? { ...base, vhost: args.vhost } : base, args };
}

export interface ExchangeKeyTarget extends Target {
  /** Called by a script with an argument object: nothing is asked, defaults fill what it leaves out. */
  scripted: boolean;
  exchange: string;
  routingKey: string;
}

/**
 * The prologue of every command that acts on one exchange and routing key (Publish Test Notifications, Run Delivery
 * Audit, Who Receives…?): the broker and vhost from the tree node, the argument or a pick; then the exchange and the key
 * from the node or argument, else asked (a script gets notifications.info).
 */
export async function exchangeKeyTarget(s: Services, arg: unknown, prompts: { exchange: string; routingKey: string; write?: string }): Promise<ExchangeKeyTarget | undefined> {
  const t = await targetFor(s, arg);
  if (!t) { return undefined; }
  // A write (prompts.write: its title) on a read-only broker picked from the palette is refused before anything is asked.
  if (prompts.write) { assertWritable(t.config, prompts.write); }
  const scripted = isPoolArgs(arg);
  const exchange = t.args.exchange ?? await pickExchange(t.config, prompts.exchange);
  const routingKey = t.args.routingKey ?? (scripted ? DEFAULT_ROUTING_KEY : await askRoutingKey(DEFAULT_ROUTING_KEY, prompts.routingKey));
  return { ...t, scripted, exchange, routingKey };
}

export function cancelled(): never {
  throw new vscode.CancellationError();
}

/** The vhost's exchanges from the live broker, as quick pick items (default exchange left out, amq.* last). */
export async function exchangeItems(config: BrokerConfig): Promise<{ label: string; description: string }[]> {
  const client = new ManagementClient(config);
  try {
    const exchanges = await client.exchanges(config.vhost, ['name', 'type']);
    const items = exchanges.filter((e) => e.name !== '')
      .sort((a, b) => Number(a.name.startsWith('amq.')) - Number(b.name.startsWith('amq.')) || a.name.localeCompare(b.name))
      .map((e) => ({ label: e.name, description: e.type }));
    if (!items.length) { throw invalidInput(`The vhost "${config.vhost}" has no exchanges`, 'Declare one first, e.g. the topic exchange "nova"'); }
    return items;
  } finally {
    client.dispose();
  }
}

/** Quick pick of the vhost's exchanges from the live broker (default and amq.* last). */
export async function pickExchange(config: BrokerConfig, placeHolder: string): Promise<string> {
  const items = await exchangeItems(config);
  const pick = await vscode.window.showQuickPick(items, { placeHolder, matchOnDescription: true });
  return pick?.label ?? cancelled();
}

/** Why a routing key cannot be used, or undefined. */
export function routingKeyError(v: string): string | undefined {
  return Buffer.byteLength(v) > 255 ? 'A routing key is at most 255 bytes' : undefined;
}

/** Why a pool name cannot be used, or undefined. */
export function poolNameError(v: string): string | undefined {
  return validationMessage(() => validatePoolOptions({ pool: v, exchange: 'x', routingKeys: [''], workers: 1 }));
}

/** Why a text is not a whole number from min to max, or undefined. */
export function wholeNumberError(v: string, min: number, max: number): string | undefined {
  return /^\s*\d+\s*$/.test(v) && Number(v) >= min && Number(v) <= max ? undefined : `Enter a whole number from ${min} to ${max}`;
}

export async function askRoutingKey(value = DEFAULT_ROUTING_KEY, prompt = 'Binding key (topic patterns like notifications.* work on topic exchanges)'): Promise<string> {
  const key = await vscode.window.showInputBox({
    title: 'Routing key', prompt, value,
    validateInput: routingKeyError,
  });
  return key ?? cancelled();
}

export async function askWholeNumber(title: string, prompt: string, value: number, min: number, max: number): Promise<number> {
  const text = await vscode.window.showInputBox({
    title, prompt, value: String(value),
    validateInput: (v) => wholeNumberError(v, min, max),
  });
  return text === undefined ? cancelled() : Number(text);
}

export async function askOptionalRate(): Promise<number | undefined> {
  const text = await vscode.window.showInputBox({
    title: 'Rate limit', prompt: 'Messages per second; leave empty for as fast as the broker confirms', value: '',
    validateInput: (v) => (v.trim() === '' || (/^\s*\d+(\.\d+)?\s*$/.test(v) && Number(v) > 0) ? undefined : 'Enter a positive number, or nothing'),
  });
  if (text === undefined) { cancelled(); }
  return text.trim() === '' ? undefined : Number(text);
}

function validationMessage(fn: () => void): string | undefined {
  try { fn(); return undefined; } catch (e) { return e instanceof Error ? e.message : String(e); }
}

/** The local pool a command is about: from a local pool/worker node, a script argument, or a pick among running pools. */
export async function localPoolFor(s: Services, arg: unknown, placeHolder: string): Promise<LocalPoolEntry | undefined> {
  const all = s.localPools.list();
  const args = isPoolArgs(arg) ? arg : fromNode(arg);
  if (args.pool) {
    const matches = all.filter((e) => e.pool.name === args.pool && (!args.vhost || e.vhost === args.vhost) && (!args.broker || e.broker === args.broker));
    if (matches.length === 1) { return matches[0]; }
    if (matches.length === 0 && (arg instanceof TreeNode || isPoolArgs(arg))) {
      throw invalidInput(`Pool "${args.pool}" has no local workers`, 'Start some with "RabbitMQ: Create Worker Pool…"');
    }
  }
  if (!all.length) {
    throw invalidInput('No local worker pool is running', 'Start one with "RabbitMQ: Create Worker Pool…"');
  }
  if (all.length === 1) { return all[0]; }
  const pick = await vscode.window.showQuickPick(all.map((e) => ({
    label: e.pool.name, description: `${e.pool.workerNames.length} workers · ${e.pool.delivered.toLocaleString('en-US')} delivered`, detail: `${e.broker} · vhost ${e.vhost} · ${e.pool.exchange} / ${e.pool.routingKeys.join(', ')}`, entry: e,
  })), { placeHolder });
  return pick?.entry ?? cancelled();
}
