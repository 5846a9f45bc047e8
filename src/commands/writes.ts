/**
 * Read-only brokers in VS Code: the registry's guard of the write commands (the list: ./writeCommands.ts) and the
 * context key rabbitmqPools.allBrokersReadOnly.
 *
 * The convention (README, "Read-only brokers: the convention for write commands"):
 *  1. add the command's id to WRITE_COMMANDS (./writeCommands.ts);
 *  2. call assertWritable(config, '<Title>') (src/broker/receivers.ts) in its core path before anything is sent;
 *  3. in package.json, every view/item/context entry of it gets `&& !(viewItem =~ /\.readOnly\b/)` (tree items of a
 *     read-only broker carry the `.readOnly` token in their contextValue), every view/title and commandPalette entry
 *     gets `&& !rabbitmqPools.allBrokersReadOnly` (or is `false`).
 * Reading commands (Peek, Who Receives…?, Diagnose, Show Delivery Counts) stay visible everywhere.
 */
import * as vscode from 'vscode';
import { assertWritable } from '../broker/receivers';
import { ContextKeys } from '../constants';
import type { BrokerStore } from '../settings/brokerStore';
import type { Services } from '../services';
import type { CommandDef } from './command';
import { TreeNode } from '../tree/nodes/treeNode';
import { WRITE_COMMANDS } from './writeCommands';

export { READ_COMMANDS_WITH_A_WRITE_STEP, READ_ONLY_TOKEN, WRITE_COMMANDS } from './writeCommands';

export function isWriteCommand(id: string): boolean {
  return WRITE_COMMANDS.includes(id);
}

/** The broker a command's first argument names: a tree node's broker, or a script's `{ broker: "name" }`. */
function targetBroker(s: Services, arg: unknown): { name: string; readOnly: boolean } | undefined {
  if (arg instanceof TreeNode) {
    const config = arg.session?.config;
    return config ? { name: config.name, readOnly: config.readOnly === true } : undefined;
  }
  if (arg && typeof arg === 'object' && typeof (arg as { broker?: unknown }).broker === 'string') {
    const entry = s.store.find((arg as { broker: string }).broker);
    return entry ? { name: entry.setting.name, readOnly: entry.setting.readOnly === true } : undefined;
  }
  return undefined;
}

/**
 * A write command refuses at once when its tree node or script argument names a read-only broker (before any picker
 * or dialog); from the palette the command's own assertWritable refuses once the broker is picked.
 */
export function guardWrite(def: CommandDef): CommandDef {
  if (!isWriteCommand(def.id)) { return def; }
  return {
    ...def,
    run: (s: Services, ...args: unknown[]) => {
      const target = targetBroker(s, args[0]);
      if (target) { assertWritable(target, def.title); }
      return def.run(s, ...args);
    },
  };
}

/**
 * The context key rabbitmqPools.allBrokersReadOnly: true while every configured broker is read-only (then the write
 * commands leave the view's title menu and the palette: there is nothing they could write to).
 */
export class ReadOnlyContext implements vscode.Disposable {
  private last: boolean | undefined;
  private readonly sub: vscode.Disposable;
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor(private readonly store: BrokerStore) {
    this.sub = store.onDidChange(() => this.update());
    // Not inside activate(): the extension host's first configuration read costs ~11 ms at window start-up (measured in
    // code-server 4.100.3), and the key only matters once a menu opens; until then the write commands show, as before
    // the extension was active.
    this.timer = setTimeout(() => { this.timer = undefined; this.update(); }, 0);
  }

  /** The value last given to setContext (for tests). */
  get value(): boolean { return this.last ?? false; }

  private update(): void {
    const list = this.store.list();
    const value = list.length > 0 && list.every((e) => e.setting.readOnly === true);
    if (value === this.last) { return; }
    this.last = value;
    void vscode.commands.executeCommand('setContext', ContextKeys.allBrokersReadOnly, value);
  }

  dispose(): void { clearTimeout(this.timer); this.sub.dispose(); }
}
