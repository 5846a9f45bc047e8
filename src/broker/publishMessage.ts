/**
 * Publish Message: one message from a template (messageTemplate.ts) with a publisher confirm, mandatory so that an
 * unroutable message is reported rather than silently dropped. Refused on a read-only broker before anything is sent.
 */
import type * as amqp from 'amqplib';
import { BrokerConfig, amqpConnectArgs } from './connection';
import { BrokerError } from './errors';
import type { PublishPlan } from './messageTemplate';
import { assertWritable } from './receivers';
import { isNotFound, loadAmqplib, toBrokerError } from './recovering';

export interface PublishMessageResult {
  exchange: string;
  routingKey: string;
  messageId: string;
  bytes: number;
  confirmed: boolean;
  /** False when the broker returned it: no pool is bound to the routing key. */
  routed: boolean;
}

export async function publishMessage(config: BrokerConfig, plan: PublishPlan): Promise<PublishMessageResult> {
  assertWritable(config, 'Publish Message');
  const { url, socketOptions } = amqpConnectArgs(config, 'rmq-pools:publish-message');
  let conn: amqp.ChannelModel;
  try { conn = await (await loadAmqplib()).connect(url, socketOptions); } catch (e) { throw toBrokerError(e, config); }
  conn.on('error', () => undefined);
  try {
    const ch = await conn.createConfirmChannel();
    ch.on('error', () => undefined);
    if (plan.exchange !== '') {
      try {
        await ch.checkExchange(plan.exchange);
      } catch (e) {
        if (isNotFound(e)) {
          throw new BrokerError('not-found', `Exchange "${plan.exchange}" does not exist in vhost "${config.vhost}"`,
            'Name an existing exchange in the template ("" for the default exchange); nothing was sent', { cause: e });
        }
        throw e;
      }
    }
    let routed = true;
    ch.on('return', () => { routed = false; });
    const confirmed = await new Promise<boolean>((resolve, reject) => {
      ch.publish(plan.exchange, plan.routingKey, plan.content, plan.options, (err) => (err ? resolve(false) : resolve(true)));
      ch.once('close', () => reject(new BrokerError('channel', 'The channel closed before the broker confirmed the message', 'Publish it again; check the broker log')));
    });
    // A return comes before the confirm of the same message: `routed` is settled here.
    return { exchange: plan.exchange, routingKey: plan.routingKey, messageId: plan.options.messageId, bytes: plan.content.length, confirmed, routed };
  } catch (e) {
    throw toBrokerError(e, config);
  } finally {
    await conn.close().catch(() => undefined);
  }
}
