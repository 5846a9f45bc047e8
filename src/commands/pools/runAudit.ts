/**
 * Run Delivery Audit…: publish N tagged notifications to (exchange, key) and check that every pool bound to it gets each
 * exactly once. Local pools are counted exactly; pools with only remote consumers are judged from the management API's
 * message_stats deltas and labelled approximate.
 */
import * as vscode from 'vscode';
import { AuditReport, runAudit } from '../../broker/audit';
import { ManagementClient } from '../../broker/management';
import { MAX_AUDIT_COUNT } from '../../broker/limits';
import type { Services } from '../../services';
import { Commands } from '../../constants';
import type { CommandDef } from '../command';
import { confirmPublish } from './safePublish';
import { askWholeNumber, exchangeKeyTarget } from './target';

export const runAuditCommand: CommandDef = {
  id: Commands.runAudit,
  title: 'Run Delivery Audit',
  async run(s: Services, arg?: unknown): Promise<AuditReport | undefined> {
    const t = await exchangeKeyTarget(s, arg, { exchange: 'Audit the pools of which exchange?', routingKey: 'Routing key of the audit notifications', write: 'Run Delivery Audit' });
    if (!t) { return undefined; }
    const { scripted, exchange, routingKey, args: a } = t;
    const count = a.count ?? (scripted ? 1000 : await askWholeNumber('Count', 'How many tagged notifications?', 1000, 1, MAX_AUDIT_COUNT));
    if (!await confirmPublish(s, t.config, { what: 'Run Delivery Audit', exchange, routingKey, count }, !scripted)) { return undefined; }
    // Every local pool of this broker and vhost: the audit asks the broker which of them the key reaches (exchange type,
    // exchange-to-exchange bindings) and reports the ones on this exchange that it does not reach as not bound.
    const running = s.localPools.list()
      .filter((e) => e.broker === t.config.name && e.vhost === t.config.vhost && e.status !== 'stopped')
      .map((e) => e.pool);
    const client = new ManagementClient(t.config);
    try {
      const report = await vscode.window.withProgress(
        { location: vscode.ProgressLocation.Notification, title: `Delivery audit: ${count.toLocaleString('en-US')} notifications to ${exchange} / ${routingKey}`, cancellable: true },
        async (progress, token) => {
          const ac = new AbortController();
          const sub = token.onCancellationRequested(() => ac.abort());
          try {
            return await runAudit(t.config, client, {
              exchange, routingKey, count, running, signal: ac.signal, logger: s.log,
              onProgress: (p) => progress.report({ message: p.phase === 'publishing' ? `${(p.publish?.confirmed ?? 0).toLocaleString('en-US')} confirmed` : p.phase }),
            });
          } finally { sub.dispose(); }
        },
      );
      s.audits.fire({ broker: t.config.name, vhost: t.config.vhost, report });
      s.log.info(`Audit ${report.runId}: ${summary(report)}`);
      if (!scripted) {
        const show = report.ok ? vscode.window.showInformationMessage : vscode.window.showWarningMessage;
        void show(`Delivery audit: ${summary(report)}`, 'Show Delivery Counts').then((pick) => pick && vscode.commands.executeCommand(Commands.showDeliveryCounts, { broker: t.config.name, vhost: t.config.vhost, exchange, routingKey }));
      }
      return report;
    } finally {
      client.dispose();
    }
  },
};

export function summary(r: AuditReport): string {
  const notBound = r.notBound.length
    ? `${r.notBound.map((n) => `"${n}"`).join(', ')} ${r.notBound.length === 1 ? 'is' : 'are'} not bound to "${r.routingKey}" on "${r.exchange}": ${r.notBound.length === 1 ? 'it gets' : 'they get'} none of these`
    : '';
  if (!r.pools.length) { return `no pool is bound to "${r.routingKey}" on "${r.exchange}" (${r.unroutable} unroutable)${notBound ? `; ${notBound}` : ''}`; }
  const parts = r.pools.map((p) => `${p.name}${p.exact ? '' : ' (approx.)'}: ${p.received}/${r.published} received, ${p.missing} missing, ${p.duplicates} duplicated`);
  return `${r.ok ? 'OK' : 'PROBLEMS'}${r.cancelled ? ' (cancelled)' : ''} — ${parts.join('; ')}${notBound ? `; ${notBound}` : ''}`;
}
