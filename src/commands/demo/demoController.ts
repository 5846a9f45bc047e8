/**
 * The demo this window runs (at most one): started by "Start Demo…", stopped by "Stop Demo", by deactivate (VS Code
 * closing) or by itself when its vhost goes (`rmq-pools demo down`, another demo resetting it). Its local pools run in
 * the extension's LocalPools, so the tree marks them as local with live counts; stopping removes the whole vhost.
 */
import * as vscode from 'vscode';
import type { BrokerConfig } from '../../broker/connection';
import { Demo, DemoStep, DemoSummary, PoolRunner, isDemoVhost, removeDemo } from '../../broker/demo';
import { describeError, invalidInput } from '../../broker/errors';
import { localPoolId } from '../../broker/localPools';
import { ContextKeys } from '../../constants';
import type { Services } from '../../services';

const controllers = new WeakMap<Services, DemoController>();

/** The window's demo controller (made on first use; its disposable stops the demo when the extension goes). */
export function demoController(s: Services): DemoController {
  let c = controllers.get(s);
  if (!c) {
    c = new DemoController(s);
    controllers.set(s, c);
  }
  return c;
}

/** For deactivate(): stops a running demo and removes its vhost (VS Code waits for this promise). */
export async function stopDemoOnExit(s: Services | undefined): Promise<void> {
  const c = s && controllers.get(s);
  if (c) { await c.stop().catch((e: unknown) => s.log.warn(`Demo: could not remove it on exit: ${describeError(e)}`)); }
}

export interface RunningDemo { demo: Demo; broker: string }

export class DemoController {
  private current: RunningDemo | undefined;
  private stopping: Promise<DemoSummary | undefined> | undefined;
  private starting = false;

  constructor(private readonly s: Services) {
    // deactivate() awaits stopDemoOnExit; this covers a disposal without it (the extension disabled while running).
    s.context.subscriptions.push({ dispose: () => { void this.stop().catch(() => undefined); } });
  }

  get running(): RunningDemo | undefined { return this.current?.demo.running ? this.current : undefined; }

  /** Builds the demo in `vhost` of the (local) broker `config` and runs it; rejects with a BrokerError ('cancelled' on abort). */
  async start(config: BrokerConfig, vhost: string, o: { ratePerSecond?: number; signal?: AbortSignal; onStep?: (s: DemoStep) => void } = {}): Promise<RunningDemo> {
    if (this.running) { throw invalidInput(`A demo is running already (vhost "${this.running.demo.vhost}")`, 'Stop it first with "RabbitMQ: Stop Demo"'); }
    if (this.starting) { throw invalidInput('A demo is being started already', 'Wait for it, or cancel it in its progress notification'); }
    this.starting = true;
    try {
      await this.stopping;
      return await this.up(config, vhost, o);
    } finally {
      this.starting = false;
    }
  }

  private async up(config: BrokerConfig, vhost: string, o: { ratePerSecond?: number; signal?: AbortSignal; onStep?: (s: DemoStep) => void }): Promise<RunningDemo> {
    const broker = config.name;
    const pools = this.s.localPools;
    // Local pools already in a demo's vhost (the user's, or left from a demo that ended) would be joined by the demo's own
    // pools of the same name, and the vhost is about to be reset under them: stop them first. (A vhost that is not the
    // demo's is refused by Demo.up, and its pools are left alone.)
    const before = pools.list().filter((e) => e.broker === broker && e.vhost === vhost);
    if (before.length && await isDemoVhost(config, vhost).catch(() => false) !== false) {
      await Promise.allSettled(before.map((e) => pools.stop(e.id)));
    }
    const runner: PoolRunner = {
      start: async (c, options) => (await pools.start(c, options)).pool,
      stop: (p) => pools.stop(localPoolId(broker, vhost, p.name)),
    };
    const demo = await Demo.up(config, { vhost, ratePerSecond: o.ratePerSecond, signal: o.signal, onStep: o.onStep, logger: this.s.log, runner });
    const running = { demo, broker };
    this.current = running;
    demo.on('notice', (m) => this.s.log.warn(`Demo: ${m}`));
    demo.on('ended', (summary) => void this.ended(running, summary));
    await this.setContext(true);
    this.s.log.info(`Demo running in vhost "${vhost}" of ${broker}: exchange ${demo.exchange}, pools ${demo.pools().map((p) => p.name).join(', ')}`);
    return running;
  }

  /** Stops the running demo and deletes its vhost; undefined when none runs. Safe to call twice. */
  stop(): Promise<DemoSummary | undefined> {
    const r = this.current;
    if (!r) { return this.stopping ?? Promise.resolve(undefined); }
    this.stopping ??= (async () => {
      try {
        // Pools the user started in the demo's vhost (the walkthrough's "create a worker pool") go with it.
        await this.stopOtherPools(r);
        const summary = await r.demo.stop();
        this.current = undefined;
        await this.setContext(false);
        this.s.log.info(`Demo stopped: vhost "${summary.vhost}" ${summary.removed ? 'removed' : 'left'}; ${summary.published} test notifications published`);
        return summary;
      } finally {
        this.stopping = undefined;
        this.s.tree.refresh();
      }
    })();
    return this.stopping;
  }

  /** The demo ended by itself: tidy up and say why. */
  private async ended(r: RunningDemo, summary: DemoSummary): Promise<void> {
    if (this.current !== r) { return; }
    this.current = undefined;
    await this.setContext(false);
    await this.stopOtherPools(r);
    if (summary.reason === 'failed') {
      // Its vhost is still there (and still this demo's): remove it as Stop Demo would.
      await removeDemo(r.demo.config, r.demo.vhost).catch((e: unknown) => this.s.log.warn(`Demo: could not remove vhost "${r.demo.vhost}": ${describeError(e)}`));
    }
    this.s.tree.refresh();
    void vscode.window.showWarningMessage(summary.message ?? `The demo in vhost "${summary.vhost}" stopped.`);
  }

  private async stopOtherPools(r: RunningDemo): Promise<void> {
    const own = new Set(r.demo.pools().filter((p) => p.local).map((p) => p.name));
    const others = this.s.localPools.list().filter((e) => e.broker === r.broker && e.vhost === r.demo.vhost && !own.has(e.pool.name));
    await Promise.allSettled(others.map((e) => this.s.localPools.stop(e.id)));
  }

  private async setContext(on: boolean): Promise<void> {
    await vscode.commands.executeCommand('setContext', ContextKeys.demoRunning, on);
  }
}
