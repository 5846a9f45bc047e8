/** Stop Demo: stops the demo's workers and test notifications and removes its vhost. Shown only while a demo runs. */
import * as vscode from 'vscode';
import type { DemoSummary } from '../../broker/demo';
import { Commands } from '../../constants';
import type { Services } from '../../services';
import type { CommandDef } from '../command';
import { demoController } from './demoController';

export const stopDemoCommand: CommandDef = {
  id: Commands.stopDemo,
  title: 'Stop Demo',
  async run(s: Services, arg?: unknown): Promise<DemoSummary | undefined> {
    const ctl = demoController(s);
    const r = ctl.running;
    if (!r) {
      if (!arg) { void vscode.window.showInformationMessage('No demo is running. Start one with "RabbitMQ: Start Demo…".'); }
      return undefined;
    }
    const summary = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: `Stopping the demo and removing vhost "${r.demo.vhost}"…`, cancellable: false },
      () => ctl.stop(),
    );
    if (summary && !arg) {
      const counts = summary.pools.filter((p) => p.workers > 0).map((p) => `${p.name} ${p.delivered.toLocaleString('en-US')}`).join(', ');
      void vscode.window.showInformationMessage(`Demo stopped and vhost "${summary.vhost}" removed: ${summary.published.toLocaleString('en-US')} test notifications published; delivered: ${counts}.`);
    }
    return summary;
  },
};
