/**
 * Start Demo…: the seed's scenario in a scratch vhost of the local broker (src/broker/demo.ts), with its local pools in
 * this window's LocalPools, then revealed in the Brokers view. A progress notification with Cancel while it is built.
 */
import * as vscode from 'vscode';
import type { BrokerConfig } from '../../broker/connection';
import { DEMO_EXCHANGE, DEMO_POOLS, DEMO_RATE, DEMO_ROUTING_KEY, DEMO_VHOST, DemoStep, isLocalBroker, validateDemoVhost } from '../../broker/demo';
import { invalidInput, isBrokerError } from '../../broker/errors';
import { assertWritable } from '../../broker/receivers';
import type { BrokerEntry } from '../../settings/brokerStore';
import { BROKERS_VIEW, Commands } from '../../constants';
import type { Services } from '../../services';
import { exchangeNode } from '../../tree/treeWalk';
import type { CommandDef } from '../command';
import { demoController } from './demoController';

/** What scripts and tests pass instead of answering the input box. */
export interface StartDemoArgs {
  broker?: string;
  vhost?: string;
  ratePerSecond?: number;
  /** Reveal the demo in the Brokers view (default true). */
  reveal?: boolean;
}

export interface StartDemoResult { broker: string; vhost: string; exchange: string; routingKey: string; pools: string[]; revealed: boolean }

const STEP_TEXT: Record<DemoStep, string> = {
  'checking the broker': 'checking the broker…',
  'resetting the vhost': 'resetting the previous demo…',
  'creating the vhost': 'creating the vhost…',
  'declaring the exchange and queues': `declaring exchange ${DEMO_EXCHANGE} and the pools…`,
  'starting the workers': 'starting the workers…',
  'starting the trickle': 'starting the test notifications…',
};

export const startDemoCommand: CommandDef = {
  id: Commands.startDemo,
  title: 'Start Demo',
  async run(s: Services, arg?: unknown): Promise<StartDemoResult | undefined> {
    const a: StartDemoArgs = arg && typeof arg === 'object' && !Array.isArray(arg) ? arg as StartDemoArgs : {};
    const ctl = demoController(s);
    const now = ctl.running;
    if (now) {
      const pick = await vscode.window.showInformationMessage(`The demo is running in vhost "${now.demo.vhost}" of ${now.broker}.`, 'Show in Brokers View', 'Stop Demo');
      if (pick === 'Stop Demo') { await vscode.commands.executeCommand(Commands.stopDemo); }
      if (pick === 'Show in Brokers View') { await revealDemo(s, now.broker, now.demo.vhost); }
      return undefined;
    }
    const { entry, config } = await localBroker(s, a.broker);
    assertWritable(config, 'Start Demo');
    const vhost = a.vhost ?? await askVhost(config);
    if (vhost === undefined) { return undefined; }
    let started;
    try {
      started = await vscode.window.withProgress(
        { location: vscode.ProgressLocation.Notification, title: `Starting the demo in vhost "${vhost}"`, cancellable: true },
        async (progress, token) => {
          const ac = new AbortController();
          const sub = token.onCancellationRequested(() => ac.abort());
          try {
            return await ctl.start(config, vhost, { ratePerSecond: a.ratePerSecond, signal: ac.signal, onStep: (step) => progress.report({ message: STEP_TEXT[step] }) });
          } finally {
            sub.dispose();
          }
        },
      );
    } catch (e) {
      if (isBrokerError(e) && e.kind === 'cancelled') {
        void vscode.window.showInformationMessage('Demo cancelled: nothing of it is left on the broker.');
        throw new vscode.CancellationError();
      }
      throw e;
    }
    const shown = entry.setting.vhost === undefined || entry.setting.vhost === vhost;
    const revealed = shown && a.reveal !== false ? await revealDemo(s, config.name, vhost) : false;
    const pools = started.demo.pools();
    if (!arg) {
      const where = shown ? '' : ` Broker "${entry.setting.name}" shows only vhost "${entry.setting.vhost}": Edit Broker and clear its vhost to see the demo.`;
      void vscode.window.showInformationMessage(
        `Demo running in vhost "${vhost}": pools ${pools.filter((p) => p.workers > 0).map((p) => p.name).join(', ')} consume ${started.demo.exchange} / ${started.demo.routingKey}, `
        + `${a.ratePerSecond ?? DEMO_RATE} test notifications a second. "monitoring" is shared by two applications: Diagnose Pools finds it.${where}`,
        'Show Delivery Counts', 'Diagnose Pools', 'Stop Demo',
      ).then((pick) => {
        if (pick === 'Show Delivery Counts') { void vscode.commands.executeCommand(Commands.showDeliveryCounts, { broker: config.name, vhost, exchange: DEMO_EXCHANGE, routingKey: DEMO_ROUTING_KEY }); }
        if (pick === 'Diagnose Pools') { void vscode.commands.executeCommand(Commands.diagnose, { broker: config.name, vhost }); }
        if (pick === 'Stop Demo') { void vscode.commands.executeCommand(Commands.stopDemo); }
      });
    }
    return { broker: config.name, vhost, exchange: DEMO_EXCHANGE, routingKey: DEMO_ROUTING_KEY, pools: pools.map((p) => p.name), revealed };
  },
};

/** The local broker to run the demo on: the one named, the only local one, or one picked among the local ones. */
async function localBroker(s: Services, name?: string): Promise<{ entry: BrokerEntry; config: BrokerConfig }> {
  const candidates: { entry: BrokerEntry; config: BrokerConfig }[] = [];
  for (const entry of s.store.list()) {
    if (name !== undefined && entry.setting.name !== name) { continue; }
    try {
      const config = await s.store.config(entry);
      if (isLocalBroker(config)) { candidates.push({ entry, config }); }
    } catch (e) {
      s.log.debug(`Start Demo: broker "${entry.setting.name}" skipped: ${String(e)}`);
    }
  }
  if (name !== undefined && !candidates.length) {
    throw invalidInput(`Broker "${name}" is not on this machine (or not configured): the demo runs only on a local broker`, 'Pick a broker at 127.0.0.1 or localhost');
  }
  if (!candidates.length) {
    throw invalidInput('None of the configured brokers is on this machine: the demo runs only on a local broker (127.0.0.1, localhost or ::1)',
      'Add the local one with "RabbitMQ: Add Broker" (amqp://127.0.0.1:5672, user guest)');
  }
  if (candidates.length === 1) { return candidates[0]; }
  const pick = await vscode.window.showQuickPick(candidates.map((c) => ({ label: c.entry.setting.name, description: c.config.amqpUrl, c })),
    { title: 'Start Demo', placeHolder: 'Which local broker runs the demo?' });
  if (!pick) { throw new vscode.CancellationError(); }
  return pick.c;
}

async function askVhost(config: BrokerConfig): Promise<string | undefined> {
  const pools = DEMO_POOLS.map((p) => p.name).join(', ');
  return vscode.window.showInputBox({
    title: 'Start Demo',
    prompt: `A scratch vhost on ${config.amqpUrl} for exchange ${DEMO_EXCHANGE} and the queues ${pools}, local workers and a trickle of test notifications. `
      + 'A previous demo there is reset; Stop Demo (or closing VS Code) removes the vhost.',
    value: DEMO_VHOST,
    // Opened from the walkthrough, whose page may take the focus back a moment later: keep the box until answered.
    ignoreFocusOut: true,
    validateInput: (v) => { try { validateDemoVhost(v); return undefined; } catch (e) { return e instanceof Error ? e.message : String(e); } },
  });
}

/** Shows the Brokers view with the demo's exchange expanded down to its pools and selected. */
export async function revealDemo(s: Services, broker: string, vhost: string): Promise<boolean> {
  await vscode.commands.executeCommand(`${BROKERS_VIEW}.focus`);
  await s.tree.refresh();
  // The view fetches the new vhost list after the refresh: walk again for a few seconds until the exchange is there.
  const deadline = Date.now() + 8000;
  for (;;) {
    try {
      const node = await exchangeNode(s.tree, broker, vhost, DEMO_EXCHANGE);
      if (node) {
        await s.treeView.reveal(node, { select: true, focus: false, expand: 2 });
        return true;
      }
    } catch (e) {
      s.log.debug(`Start Demo: cannot reveal the demo yet: ${String(e)}`);
    }
    if (Date.now() > deadline) { return false; }
    await new Promise((r) => setTimeout(r, 400));
  }
}
