/**
 * Safe on a shared broker: a publish that would reach pools other applications consume asks first (modal), naming those
 * pools, their applications and the count; "Publish, Don't Ask Again" remembers the answer for that broker. A read-only
 * broker refuses every write before anything is asked or sent. Scripted calls (an argument object: tests, other
 * extensions) are not asked: they chose their target in code.
 */
import type { BrokerConfig } from '../../broker/connection';
import { ManagementClient } from '../../broker/management';
import { assertWritable, describeForeign, foreignReceivers } from '../../broker/receivers';
import type { HeaderValue } from '../../broker/routing';
import type { Services } from '../../services';

export const PUBLISH = 'Publish';
export const PUBLISH_ALWAYS = 'Publish, Don\'t Ask Again for This Broker';

export function consentKey(broker: string): string {
  return `rabbitmqPools.publishConsent.${broker}`;
}

export interface PublishIntent {
  /** "Publish Test Notifications", "Run Delivery Audit", … (for the read-only refusal). */
  what: string;
  exchange: string;
  routingKey: string;
  count: number;
  headers?: Record<string, HeaderValue>;
}

/** True when the publish may go ahead; false when the user declined. Throws on a read-only broker. */
export async function confirmPublish(s: Services, config: BrokerConfig, o: PublishIntent, interactive: boolean): Promise<boolean> {
  assertWritable(config, o.what);
  if (!interactive || s.context.globalState.get<boolean>(consentKey(config.name))) { return true; }
  const client = new ManagementClient(config);
  let foreign;
  try {
    // This extension's local workers are its own whether or not the management API has resolved their connections yet.
    const own = new Set(s.localPools.list().filter((e) => e.broker === config.name && e.vhost === config.vhost)
      .flatMap((e) => e.pool.snapshot().workers.map((w) => w.consumerTag)).filter((t): t is string => typeof t === 'string'));
    foreign = await foreignReceivers(client, config.vhost, o.exchange, o.routingKey, o.headers, own);
  } finally {
    client.dispose();
  }
  if (!foreign.length) { return true; }
  const n = o.count.toLocaleString('en-US');
  const message = `${o.what}: ${n} test notification${o.count === 1 ? '' : 's'} to ${o.exchange || '(default exchange)'} / ${o.routingKey} reach${o.count === 1 ? 'es' : ''} pools other applications consume`;
  const detail = `${describeForeign(foreign)}. Their workers will process the test notifications as real ones (event type, payload and all). ` +
    `Publish anyway, or cancel and use a routing key or vhost of your own.`;
  const pick = await s.prompts.choose(message, detail, [PUBLISH, PUBLISH_ALWAYS]);
  if (pick === PUBLISH_ALWAYS) { await s.context.globalState.update(consentKey(config.name), true); }
  if (pick === undefined) { s.log.info(`${o.what} to ${o.exchange} / ${o.routingKey} cancelled: it would reach ${describeForeign(foreign)}`); }
  return pick !== undefined;
}
