/**
 * activate(): build the services, register the commands; nothing else. The returned object is for tests only.
 */
import * as vscode from 'vscode';
import { createServices, Services } from './services';
import { registerCommands } from './commands/registry';
import { registerDeliveryCountsPanel } from './webview/register';
import { ActiveInput, activeInput } from './commands/multiStepInput';
import type { LocalPoolsContext } from './commands/pools/localPoolsContext';
import { lazyCommands, lazyCommandsIfLoaded } from './commands/lazy';

export interface ExtensionApi {
  services: Services;
  /** For tests: the multi-step quick input on screen, and the local-pools context key's value. */
  inputs: ActiveInput;
  poolsContext: LocalPoolsContext;
  /** For tests: what deactivate() does for a running demo (the window stays). */
  stopDemoOnExit(): Promise<void>;
}

let active: Services | undefined;

/**
 * When this bundle started to load: esbuild.mjs puts `var __rmqpLoadStart = performance.now()` at the top of
 * dist/extension.js (absent when the sources run directly, in unit tests). Its evaluation ends when this module's body runs.
 */
declare const __rmqpLoadStart: number | undefined;
const loadStart = typeof __rmqpLoadStart === 'number' ? __rmqpLoadStart : undefined;
const loadEnd = performance.now();

export function activate(context: vscode.ExtensionContext): ExtensionApi {
  const t0 = performance.now();
  const services = createServices(context);
  active = services;
  const poolsContext = registerCommands(context, services);
  registerDeliveryCountsPanel(context, services);
  // What of VS Code's activation time (Developer: Show Running Extensions) is this extension's own: its bundle's
  // evaluation and activate(); the rest is the extension host's (bench/exthost-activation.sh reads this line).
  const ms = (a: number, b: number) => `${(b - a).toFixed(1)} ms`;
  services.log.info(`Activated: activate() ${ms(t0, performance.now())}${loadStart === undefined ? '' : `, dist/extension.js evaluated in ${ms(loadStart, loadEnd)}`}`);
  return { services, inputs: activeInput, poolsContext, stopDemoOnExit: () => lazyCommands().stopDemoOnExit(services) };
}

/** A running demo is removed and local pools close their channels and connections before the extension host goes (VS Code waits for this promise). */
export async function deactivate(): Promise<void> {
  // The demo first: it stops its own pools and removes its vhost.
  // (A demo can only run once dist/commands.js has loaded.)
  await lazyCommandsIfLoaded()?.stopDemoOnExit(active);
  await active?.localPools.stopAll();
  active = undefined;
}
