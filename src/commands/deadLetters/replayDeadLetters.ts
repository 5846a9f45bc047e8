/**
 * Replay Dead Letters…: moves the messages of a dead-letter pool back to where they came from (their first x-death
 * entry) or to a given target, with publisher confirms (replay.ts). Asks first, per target, naming the pools it reaches,
 * the applications consuming them and the count; shows progress with Cancel; reports the numbers.
 * From a pool or a "Dead letters from …" node in the Brokers view, the palette (pick a pool), or a script's argument
 * object `{ broker?, vhost?, pool, count?, to?: { exchange, routingKey? } }` (asked too: it moves messages).
 */
import * as vscode from 'vscode';
import { invalidInput } from '../../broker/errors';
import { ManagementClient } from '../../broker/management';
import { assertWritable, describeForeign } from '../../broker/receivers';
import { replay, ReplayResult, ReplayTargetCheck, ReplayTargetSpec, validateReplayCount } from '../../broker/replay';
import type { BrokerConfig } from '../../broker/connection';
import { plural } from '../../broker/text';
import { Commands } from '../../constants';
import type { Services } from '../../services';
import type { CommandDef } from '../command';
import { cancelled, isPoolArgs, targetFor } from '../pools/target';

export const REPLAY = 'Replay';

/** The modal's text for one target (exported for tests). */
export function replayQuestion(pool: string, t: ReplayTargetCheck): { message: string; detail: string } {
  const keys = t.routingKeys.map((k) => `"${k}"`).join(', ');
  const message = `Replay up to ${plural(t.total, 'dead letter')} from "${pool}" to ${t.exchange || '(default exchange)'} / ${keys}?`;
  const others = t.foreign.length
    ? ` Other applications consume ${describeForeign(t.foreign)}: their workers will process these messages again.`
    : ' No other application consumes them.';
  const detail = `They reach ${t.pools.map((p) => `"${p}"`).join(', ')}.${others} Each message leaves "${pool}" only after the broker confirmed its copy; ` +
    `copies carry the header x-rmq-pools-replayed.`;
  return { message, detail };
}

async function pickPool(config: BrokerConfig): Promise<string> {
  const client = new ManagementClient(config);
  try {
    const queues = await client.queues(config.vhost, ['name', 'messages_ready']);
    if (!queues.length) { throw invalidInput(`The vhost "${config.vhost}" has no pools`, 'Pick another vhost or broker'); }
    const items = queues.sort((a, b) => (b.messages_ready ?? 0) - (a.messages_ready ?? 0) || a.name.localeCompare(b.name))
      .map((q) => ({ label: q.name, description: `${(q.messages_ready ?? 0).toLocaleString('en-US')} ready` }));
    const pick = await vscode.window.showQuickPick(items, { placeHolder: 'Replay the dead letters of which pool?', matchOnDescription: true });
    return pick?.label ?? cancelled();
  } finally {
    client.dispose();
  }
}

export const replayDeadLettersCommand: CommandDef = {
  id: Commands.replayDeadLetters,
  title: 'Replay Dead Letters',
  async run(s: Services, arg?: unknown): Promise<ReplayResult | undefined> {
    const t = await targetFor(s, arg);
    if (!t) { return undefined; }
    assertWritable(t.config, 'Replay Dead Letters');
    const scripted = isPoolArgs(arg) ? arg as { count?: number; to?: ReplayTargetSpec } : undefined;
    const pool = t.args.pool ?? await pickPool(t.config);
    validateReplayCount(scripted?.count);
    const result = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: `Replaying dead letters from ${pool}`, cancellable: true },
      async (progress, token) => {
        const ac = new AbortController();
        const sub = token.onCancellationRequested(() => ac.abort());
        let last = 0;
        try {
          return await replay(t.config, {
            pool, count: scripted?.count ?? undefined, to: scripted?.to, signal: ac.signal,
            confirmTarget: async (target) => {
              const q = replayQuestion(pool, target);
              return (await s.prompts.choose(q.message, q.detail, [REPLAY])) === REPLAY;
            },
            onProgress: (p) => {
              const pct = p.total ? ((p.replayed + p.skipped + p.failed) / p.total) * 100 : 100;
              progress.report({ increment: pct - last, message: `${p.replayed.toLocaleString('en-US')} of ${p.total.toLocaleString('en-US')} replayed` });
              last = pct;
            },
          });
        } finally {
          sub.dispose();
        }
      },
    );
    s.log.info(`Replay from "${pool}" in vhost "${t.config.vhost}": ${JSON.stringify(result)}`);
    void tell(result);
    s.tree.refresh();
    return result;
  },
};

function tell(r: ReplayResult): Thenable<unknown> {
  if (r.stopped === 'declined' && r.replayed === 0) { return vscode.window.showInformationMessage(`Replay cancelled: nothing was moved from "${r.pool}".`); }
  if (r.total === 0) { return vscode.window.showInformationMessage(`"${r.pool}" has no ready messages: nothing to replay.`); }
  const to = r.targets.map((x) => `${x.count.toLocaleString('en-US')} to ${x.exchange || '(default exchange)'} / ${x.routingKey}`).join(', ');
  const text = `Replayed ${r.replayed.toLocaleString('en-US')} of ${r.total.toLocaleString('en-US')} from "${r.pool}"${to ? ` (${to})` : ''}: ` +
    `${r.skipped} skipped (put back), ${r.failed} failed (left in the pool), ${r.duplicatesPossible} possibly duplicated.` +
    `${r.stopped ? ` Stopped: ${r.stopped}.` : ''}${Object.keys(r.reasons).length ? ` ${Object.entries(r.reasons).map(([w, n]) => `${n} ${w}`).join('; ')}.` : ''}`;
  const warn = r.failed > 0 || r.skipped > 0 || r.duplicatesPossible > 0 || (r.stopped !== undefined && r.stopped !== 'cancelled');
  return warn ? vscode.window.showWarningMessage(text) : vscode.window.showInformationMessage(text);
}
