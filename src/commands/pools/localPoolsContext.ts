/**
 * The context key rabbitmqPools.hasLocalPools: true while a local worker pool runs. package.json shows Add Worker, Stop Worker
 * and Stop Pool in the palette only then (without a pool they could only answer with an error).
 */
import * as vscode from 'vscode';
import type { LocalPools } from '../../broker/localPools';
import { ContextKeys } from '../../constants';

export class LocalPoolsContext implements vscode.Disposable {
  private last: boolean | undefined;
  private readonly update = () => this.set(this.pools.list().some((e) => e.status !== 'stopped'));

  constructor(private readonly pools: LocalPools) {
    pools.on('changed', this.update);
    this.update();
  }

  /** The value last given to setContext (for tests: the workbench has no API to read a context key back). */
  get value(): boolean {
    return this.last ?? false;
  }

  private set(value: boolean): void {
    if (value === this.last) { return; }
    this.last = value;
    void vscode.commands.executeCommand('setContext', ContextKeys.hasLocalPools, value);
  }

  dispose(): void {
    this.pools.off('changed', this.update);
  }
}
