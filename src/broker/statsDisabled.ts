/**
 * Brokers whose management statistics are off: `management_agent.disable_metrics_collector = true` (the Prometheus-only
 * setup RabbitMQ 4.x recommends) or `?disable_stats=true`. There, GET /api/consumers answers HTTP 400 "Stats in
 * management UI are disabled on this node" (rabbitmq-server v4.3.5, deps/rabbitmq_management/src/rabbit_mgmt_wm_consumers.erl
 * to_json/2 and rabbit_mgmt_util.erl disable_stats/1; the same answer from the local 3.10.8), and queues come without
 * messages / consumers / message_stats. The tree and diagnose then show pools without workers instead of failing whole.
 */
import { BrokerError } from './errors';

export const STATS_DISABLED_REASON = 'Stats in management UI are disabled';

/** True for the management API's answer to a statistics request on a broker whose statistics are off. */
export function isStatsDisabled(e: unknown): boolean {
  return e instanceof BrokerError && e.status === 400 && e.message.includes(STATS_DISABLED_REASON);
}
