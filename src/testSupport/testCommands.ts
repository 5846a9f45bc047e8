/**
 * Test-only: "RabbitMQ (Test): Start Local Pools" takes a JSON spec from an input box (the UI tests drive the palette;
 * they cannot pass an argument object) and starts local pools through services.localPools, as Create Worker Pool would.
 * Registered only when RMQ_POOLS_TEST=1 or under the VS Code test rig (RMQ_POOLS_EXT_TEST_RESULT set); the palette entry
 * is hidden unless the context key rabbitmqPools.testMode is set.
 *
 * Not in the product bundle: esbuild builds this file into dist/testSupport.js, which dist/extension.js requires only in
 * test mode (src/webview/register.ts).
 */
import * as vscode from 'vscode';
import { Commands } from '../constants';
import { handleErrors } from '../commands/handleErrors';
import type { Services } from '../services';
import { configFor } from '../webview/selection';

export const TEST_START_POOLS_COMMAND = Commands.testStartPools;
export const TEST_STOP_POOLS_COMMAND = Commands.testStopPools;

export interface TestPoolsSpec {
  broker?: string;
  vhost: string;
  exchange: string;
  routingKey: string;
  pools: { name: string; workers: number }[];
}

function parseSpec(arg: unknown): TestPoolsSpec {
  const s = (typeof arg === 'string' ? JSON.parse(arg) : arg) as Partial<TestPoolsSpec>;
  if (!s || typeof s.vhost !== 'string' || typeof s.exchange !== 'string' || typeof s.routingKey !== 'string' || !Array.isArray(s.pools)) {
    throw new Error('The spec needs vhost, exchange, routingKey and pools: [{ name, workers }]');
  }
  return s as TestPoolsSpec;
}

export function registerTestCommands(context: vscode.ExtensionContext, services: Services): void {
  void vscode.commands.executeCommand('setContext', 'rabbitmqPools.testMode', true);
  context.subscriptions.push(
    vscode.commands.registerCommand(TEST_START_POOLS_COMMAND, handleErrors(services.log, 'Start Local Pools (test)', async (arg?: unknown) => {
      const text = arg ?? await vscode.window.showInputBox({ title: 'Start local pools (test)', ignoreFocusOut: true, prompt: 'JSON: {"vhost","exchange","routingKey","pools":[{"name","workers"}]}' });
      if (text === undefined) { return undefined; }
      // {"colorTheme": "…"}: the UI tests switch themes for screenshots without the theme picker.
      const raw = (typeof text === 'string' ? JSON.parse(text) : text) as { colorTheme?: unknown; settings?: unknown };
      if (typeof raw?.colorTheme === 'string') {
        await vscode.workspace.getConfiguration('workbench').update('colorTheme', raw.colorTheme, vscode.ConfigurationTarget.Global);
        return [];
      }
      // {"settings": {"section.key": value, …}}: user settings a UI test needs (e.g. a broker showing only the demo's vhost).
      if (raw?.settings && typeof raw.settings === 'object') {
        for (const [key, value] of Object.entries(raw.settings as Record<string, unknown>)) {
          const dot = key.lastIndexOf('.');
          await vscode.workspace.getConfiguration(key.slice(0, dot)).update(key.slice(dot + 1), value, vscode.ConfigurationTarget.Global);
        }
        return [];
      }
      const spec = parseSpec(raw);
      const broker = spec.broker ?? services.store.list()[0].setting.name;
      const config = await configFor(services, broker, spec.vhost);
      const ids: string[] = [];
      for (const p of spec.pools) {
        const e = await services.localPools.start(config, { pool: p.name, exchange: spec.exchange, routingKeys: spec.routingKey, workers: p.workers });
        ids.push(e.id);
      }
      void vscode.window.showInformationMessage(`Started local pools: ${spec.pools.map((p) => `${p.name} (${p.workers})`).join(', ')}`);
      return ids;
    })),
    vscode.commands.registerCommand(TEST_STOP_POOLS_COMMAND, handleErrors(services.log, 'Stop Local Pools (test)', async () => {
      await services.localPools.stopAll();
    })),
  );
}
