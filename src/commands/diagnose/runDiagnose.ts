/**
 * Diagnose Pools: runDiagnose for one vhost (the whole vhost from the management API, optionally two snapshots some
 * seconds apart for growth and delivery spread), on demand, whatever the broker's size; the result fills the Findings view.
 * Local pools' exact per-worker counts stand in for channel statistics.
 */
import * as vscode from 'vscode';
import { DeliveryWindow, DiagnoseResult, isUpgradeFinding, runDiagnose } from '../../broker/diagnose';
import { ManagementClient } from '../../broker/management';
import { CONFIG_SECTION, Commands, FINDINGS_VIEW, Settings } from '../../constants';
import type { Services } from '../../services';
import type { CommandDef } from '../command';
import { isPoolArgs, targetFor } from '../pools/target';

export interface DiagnoseArgs {
  broker?: string;
  vhost?: string;
  /** Seconds between two snapshots (0: one snapshot). */
  sampleSeconds?: number;
  /** Also the RabbitMQ 4.x upgrade findings (default: the setting rabbitmqPools.upgradeFindings). */
  upgrade?: boolean;
}

export const diagnoseCommand: CommandDef = {
  id: Commands.diagnose,
  title: 'Diagnose Pools',
  run: (s: Services, arg?: unknown) => runDiagnoseCommand(s, arg),
};

/** Check Upgrade to RabbitMQ 4.x: Diagnose Pools with the upgrade findings, shown in the Findings view's "Upgrade to RabbitMQ 4.x" group. */
export const checkUpgradeCommand: CommandDef = {
  id: Commands.checkUpgrade,
  title: 'Check Upgrade to RabbitMQ 4.x',
  run: (s: Services, arg?: unknown) => runDiagnoseCommand(s, arg, true),
};

async function runDiagnoseCommand(s: Services, arg: unknown, forceUpgrade = false): Promise<DiagnoseResult | undefined> {
  const t = await targetFor(s, arg);
  if (!t) { return undefined; }
  const scripted = isPoolArgs(arg);
  const sampleSeconds = scripted ? Math.max(0, Number((arg as DiagnoseArgs).sampleSeconds ?? 0)) : 0;
  const upgrade = forceUpgrade || (scripted && typeof (arg as DiagnoseArgs).upgrade === 'boolean' ? (arg as DiagnoseArgs).upgrade === true
    : vscode.workspace.getConfiguration(CONFIG_SECTION).get<boolean>(Settings.upgradeFindings, false));
  const { config } = t;
  const deliveries: DeliveryWindow[] = s.localPools.list().filter((e) => e.broker === config.name && e.vhost === config.vhost).map((e) => {
    const snap = e.pool.snapshot();
    return { pool: e.pool.queue, perWorker: Object.fromEntries(snap.workers.filter((w) => w.consumerTag).map((w) => [w.consumerTag!, w.delivered])), seconds: snap.uptimeSeconds, source: 'local' as const };
  });
  const result = await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: `Diagnosing pools of ${config.name} · ${config.vhost}…`, cancellable: true },
    async (_progress, token) => {
      const ac = new AbortController();
      const sub = token.onCancellationRequested(() => ac.abort());
      const client = new ManagementClient(config);
      try {
        return await runDiagnose(client, config.vhost, { sampleSeconds, deliveries, upgrade, signal: ac.signal });
      } finally {
        sub.dispose();
        client.dispose();
      }
    },
  );
  s.findings.setResult(config.name, result);
  s.log.info(`Diagnose Pools ${config.name} / ${config.vhost}: ${result.findings.length} finding(s)`);
  if (!scripted) {
    await vscode.commands.executeCommand(`${FINDINGS_VIEW}.focus`);
    if (forceUpgrade && !result.findings.some(isUpgradeFinding)) {
      void vscode.window.showInformationMessage(`Nothing in ${config.name} · ${config.vhost} breaks on RabbitMQ 4.x as far as this tool checks (durability, mirroring policies, deprecated arguments, global QoS${result.deprecatedFeaturesApi ? ', the broker\'s deprecated features in use' : ''}).`);
    } else if (!result.findings.length) {
      void vscode.window.showInformationMessage(`No findings in ${config.name} · ${config.vhost}: every pool has its own workers, with a prefetch and manual acks.`);
    }
  }
  return result;
}
