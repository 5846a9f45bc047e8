/**
 * AMQP connections that recover by themselves, for WorkerPool and the publisher: amqplib 2.x's built-in recovery
 * (`connect(url, { recovery })` re-runs `setup(model)` after every reconnect), plus the mapping of amqplib's errors to
 * BrokerErrors that say what was wrong and what to do.
 */
import * as amqp from 'amqplib';
import { BrokerConfig, amqpConnectArgs, describeBroker } from './connection';
import { BrokerError, isBrokerError } from './errors';

export interface RecoveryTuning {
  /** First reconnect delay, ms (default 250). */
  initialDelay?: number;
  /** Longest reconnect delay, ms (default 15000). */
  maxDelay?: number;
  factor?: number;
  jitter?: number;
  /** Reconnect attempts after a connection was lost (default: unlimited). */
  maxRetries?: number;
  /** Retries before the first connection succeeds (default 2: an unreachable broker fails fast). */
  initialMaxRetries?: number;
}

/** The `connection_name` every connection of a pool carries: how the topology view and `counts` recognise the tool. */
export function poolConnectionName(pool: string): string {
  return `rmq-pools:${pool}`;
}

const PERMANENT: ReadonlySet<string> = new Set(['invalid-input', 'not-found', 'precondition', 'forbidden', 'auth']);

/** True for errors a reconnect cannot fix (a missing exchange, a queue declared with other arguments, no permission). */
export function isPermanent(e: unknown): boolean {
  return isBrokerError(e) && PERMANENT.has(e.kind);
}

/**
 * Opens a recovering connection. `setup(model)` runs after every (re)connect; when it throws a permanent error on the
 * first connect, recovery is stopped and that error is thrown here (no retry loop against a missing exchange).
 */
export async function connectRecovering(
  config: BrokerConfig,
  connectionName: string,
  setup: (model: amqp.ChannelModel) => Promise<void>,
  tuning: RecoveryTuning = {},
  beforeConnect?: (conn: amqp.RecoveringChannelModel) => void,
): Promise<amqp.RecoveringChannelModel> {
  const { url, socketOptions } = amqpConnectArgs(config, connectionName);
  let fatal: unknown;
  const holder: { conn?: amqp.RecoveringChannelModel } = {};
  let connected = false;
  const guardedSetup = async (model: amqp.ChannelModel): Promise<void> => {
    // A raw connection's 'error' is followed by 'close', which recovery handles; without a listener it would throw.
    model.on('error', () => undefined);
    try {
      await setup(model);
    } catch (e) {
      const err = toBrokerError(e, config);
      if (!connected && isPermanent(err)) {
        fatal = err;
        setImmediate(() => { void holder.conn?.close().catch(() => undefined); });
      }
      throw err;
    }
  };
  const conn = await amqp.connect(url, {
    ...socketOptions,
    recovery: {
      setup: guardedSetup,
      initialDelay: tuning.initialDelay ?? 250,
      maxDelay: tuning.maxDelay ?? 15_000,
      factor: tuning.factor ?? 2,
      jitter: tuning.jitter ?? 0.2,
      maxRetries: tuning.maxRetries ?? Infinity,
      initialMaxRetries: tuning.initialMaxRetries ?? 2,
      waitForConnect: false,
    },
  });
  holder.conn = conn;
  // Recovery re-emits connection errors; an 'error' without a listener would crash the process.
  conn.on('error', () => undefined);
  beforeConnect?.(conn);
  let lastFailure: unknown;
  conn.on('connect-failed', (e: Error) => { lastFailure = e; });
  try {
    await conn.waitForConnect();
    connected = true;
    return conn;
  } catch (e) {
    await conn.close().catch(() => undefined);
    throw fatal ?? toBrokerError(lastFailure ?? e, config);
  }
}

/** Maps amqplib / socket errors to a BrokerError with a hint. */
export function toBrokerError(e: unknown, config: BrokerConfig): BrokerError {
  if (isBrokerError(e)) { return e; }
  const err = e as (Error & { code?: string | number; classId?: number }) | undefined;
  const msg = err?.message ?? String(e);
  const code = err?.code;
  const where = describeBroker(config);
  if (code === 'ECONNREFUSED' || code === 'ECONNRESET' || code === 'EHOSTUNREACH' || code === 'ENOTFOUND' || code === 'EAI_AGAIN') {
    return new BrokerError('unreachable', `No AMQP broker answers at ${config.amqpUrl} (${String(code)})`,
      'Start RabbitMQ (rabbitmq-server -detached) or fix the AMQP URL', { cause: e });
  }
  if (code === 'ETIMEDOUT' || /timeout/i.test(msg)) {
    return new BrokerError('timeout', `The broker at ${config.amqpUrl} did not answer in time`, 'Check the host and port, or raise the timeout', { cause: e });
  }
  if (/ACCESS_REFUSED|403|PLAIN login refused|auth/i.test(msg) && !/NOT_ALLOWED/.test(msg)) {
    if (/access to vhost/i.test(msg)) {
      return new BrokerError('forbidden', `User "${config.username}" may not use vhost "${config.vhost}" on ${where}`,
        `Grant it: rabbitmqctl set_permissions -p ${config.vhost} ${config.username} ".*" ".*" ".*"`, { cause: e });
    }
    if (/ACCESS_REFUSED - (access to|operation)/i.test(msg)) {
      return new BrokerError('forbidden', `The broker refused an operation: ${msg}`, `Grant user "${config.username}" configure/write/read permissions on vhost "${config.vhost}"`, { cause: e });
    }
    return new BrokerError('auth', `The broker at ${config.amqpUrl} refused user "${config.username}": wrong user name or password`,
      'Check the user name and password', { cause: e });
  }
  if (/NOT_ALLOWED.*vhost/i.test(msg)) {
    return new BrokerError('not-found', `The vhost "${config.vhost}" does not exist on ${config.amqpUrl} (or the user may not open it)`,
      'Pick an existing vhost (rabbitmqctl list_vhosts)', { cause: e });
  }
  if (/PRECONDITION_FAILED/.test(msg)) {
    return new BrokerError('precondition', `The broker refused: ${msg.replace(/^.*PRECONDITION_FAILED - /, '')}`,
      'An object with this name exists with other settings: use its settings (e.g. --queue-type) or another name', { cause: e });
  }
  if (/NOT_FOUND/.test(msg)) {
    return new BrokerError('not-found', `Not found on the broker: ${msg.replace(/^.*NOT_FOUND - /, '')}`, `Check the name and the vhost "${config.vhost}"`, { cause: e });
  }
  if (/certificate|SSL|TLS|self.signed/i.test(msg)) {
    return new BrokerError('tls', `TLS with ${config.amqpUrl} failed: ${msg}`, 'Set --ca-file (or tls.caFile) to the CA that signed the broker\'s certificate', { cause: e });
  }
  if (/Connection closed/i.test(msg)) {
    return new BrokerError('channel', `The connection to ${config.amqpUrl} was closed: ${msg}`, 'The broker or an operator closed it; it reconnects by itself', { cause: e });
  }
  return new BrokerError('channel', `AMQP error: ${msg}`, 'See the broker log for details', { cause: e });
}

/** Error of a channel operation that closed the channel (404 on checkExchange …): the channel is dead afterwards. */
export function isNotFound(e: unknown): boolean {
  const err = e as { code?: number; message?: string } | undefined;
  return err?.code === 404 || /NOT_FOUND/.test(err?.message ?? '');
}
