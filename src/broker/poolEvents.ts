/** What a WorkerPool tells its listeners, and where its workers are connected. */
import type { PoolCounts } from './counts';
import type { BrokerError } from './errors';
import type { AmqpNode } from './recovering';

export interface WorkerCancelledEvent { pool: string; worker: string; queue: string; queueDeleted: boolean; message: string }
export interface ChannelErrorEvent { pool: string; worker: string; error: BrokerError }
export interface DisconnectedEvent { pool: string; error: BrokerError }
export interface ReconnectingEvent { pool: string; attempt: number; delayMs: number }
export interface ReconnectedEvent { pool: string; reconnects: number }

export interface WorkerPoolEvents {
  /** Throttled counts snapshot (at most every snapshotIntervalMs, only when something changed): for UIs. */
  delivery: [PoolCounts];
  'worker-cancelled': [WorkerCancelledEvent];
  'channel-error': [ChannelErrorEvent];
  disconnected: [DisconnectedEvent];
  reconnecting: [ReconnectingEvent];
  reconnected: [ReconnectedEvent];
  /** maxDeliveries reached: stop the pool now (further deliveries go back to the queue). */
  'limit-reached': [PoolCounts];
  'worker-added': [{ pool: string; worker: string }];
  'worker-removed': [{ pool: string; worker: string }];
  /** Only emitted when someone listens; otherwise logged. */
  error: [BrokerError];
  stopped: [PoolCounts];
}

/** Where a local worker is connected: its connection's cluster node. */
export interface WorkerNodeInfo {
  worker: string;
  /** 0-based index of the pool's connection the worker uses. */
  connection: number;
  node: AmqpNode | undefined;
}
