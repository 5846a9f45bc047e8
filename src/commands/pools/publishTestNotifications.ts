/** Publish Test Notifications…: N oslo notifications to (exchange, key) with confirms; progress with Cancel. */
import * as vscode from 'vscode';
import type { BrokerConfig } from '../../broker/connection';
import { DEFAULT_EVENT_TYPE, MAX_PUBLISH_COUNT, NotificationPublisher, PublishResult } from '../../broker/publisher';
import type { Services } from '../../services';
import { Commands } from '../../constants';
import type { CommandDef } from '../command';
import { confirmPublish } from './safePublish';
import { askOptionalRate, askWholeNumber, cancelled, exchangeKeyTarget } from './target';

export const publishTestNotificationsCommand: CommandDef = {
  id: Commands.publishTestNotifications,
  title: 'Publish Test Notifications',
  async run(s: Services, arg?: unknown): Promise<PublishResult | undefined> {
    const t = await exchangeKeyTarget(s, arg, { exchange: 'Publish to which exchange?', routingKey: 'Routing key of the test notifications', write: 'Publish Test Notifications' });
    if (!t) { return undefined; }
    const { scripted, exchange, routingKey, args: a } = t;
    const count = a.count ?? (scripted ? 1000 : await askWholeNumber('Count', 'How many test notifications?', 1000, 1, MAX_PUBLISH_COUNT));
    const rate = scripted ? a.rate : await askOptionalRate();
    const eventType = a.eventType ?? (scripted ? DEFAULT_EVENT_TYPE : await vscode.window.showInputBox({ title: 'Event type', value: DEFAULT_EVENT_TYPE }) ?? cancelled());
    if (!await confirmPublish(s, t.config, { what: 'Publish Test Notifications', exchange, routingKey, count }, !scripted)) { return undefined; }
    return publishWithProgress(s, t.config, { exchange, routingKey, count, rate, eventType }, !scripted);
  },
};

export async function publishWithProgress(
  s: Services, config: BrokerConfig,
  o: { exchange: string; routingKey: string; count: number; rate?: number; eventType?: string }, tell: boolean,
): Promise<PublishResult> {
  const result = await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: `Publishing ${o.count.toLocaleString('en-US')} test notifications to ${o.exchange} / ${o.routingKey}`, cancellable: true },
    async (progress, token) => {
      const ac = new AbortController();
      const sub = token.onCancellationRequested(() => ac.abort());
      const publisher = new NotificationPublisher(config, {
        exchange: o.exchange, routingKey: o.routingKey, count: o.count, ratePerSecond: o.rate, eventType: o.eventType, signal: ac.signal, logger: s.log,
      });
      let last = 0;
      publisher.on('progress', (p) => {
        const pct = (p.confirmed / p.total) * 100;
        progress.report({ increment: pct - last, message: `${p.confirmed.toLocaleString('en-US')} confirmed · ${Math.round(p.ratePerSecond).toLocaleString('en-US')}/s` });
        last = pct;
      });
      try {
        return await publisher.run();
      } finally {
        sub.dispose();
      }
    },
  );
  s.log.info(`Published ${result.published} to ${o.exchange} / ${o.routingKey}: ${result.confirmed} confirmed, ${result.unroutable} unroutable, ${result.nacked} nacked in ${result.seconds} s${result.cancelled ? ' (cancelled)' : ''}`);
  if (tell) {
    if (result.unroutable > 0) {
      void vscode.window.showWarningMessage(`${result.unroutable.toLocaleString('en-US')} of ${result.published.toLocaleString('en-US')} notifications were unroutable: no pool is bound to "${o.routingKey}" on "${o.exchange}". Create a pool for that key, or check the key.`);
    } else {
      void vscode.window.showInformationMessage(`${result.cancelled ? 'Cancelled: ' : ''}${result.confirmed.toLocaleString('en-US')} of ${o.count.toLocaleString('en-US')} test notifications confirmed in ${result.seconds.toFixed(1)} s.`);
    }
  }
  s.tree.refresh();
  return result;
}
