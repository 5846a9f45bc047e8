/**
 * A queue's delivery counters as the management API keeps them (`message_stats`): the one reading of deliver_get, ack
 * and redeliver for every remote pool, in the CLI's counts, the Delivery Counts panel and the audit's approximate judging.
 */
import type { ApiQueue } from './managementTypes';

export interface QueueDeliveries {
  /** Cumulative deliver_get: deliveries with and without ack, plus basic.get. */
  delivered: number;
  acked: number;
  redelivered: number;
  /** deliver_get per second over the broker's last sampling interval. */
  ratePerSecond: number;
  ackRatePerSecond: number;
  /**
   * False when the queue has no message_stats: statistics are off (rates_mode = none) or nothing was sampled yet. The
   * numbers are then 0.
   */
  sampled: boolean;
}

export function queueDeliveries(q: Pick<ApiQueue, 'message_stats'>): QueueDeliveries {
  const s = q.message_stats;
  return {
    delivered: s?.deliver_get ?? 0, acked: s?.ack ?? 0, redelivered: s?.redeliver ?? 0,
    ratePerSecond: s?.deliver_get_details?.rate ?? 0, ackRatePerSecond: s?.ack_details?.rate ?? 0, sampled: s !== undefined,
  };
}
