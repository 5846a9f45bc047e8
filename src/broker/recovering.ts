/**
 * AMQP connections that recover by themselves, for WorkerPool and the publisher: amqplib 2.x's built-in recovery
 * (`connect(url, { recovery })` re-runs `setup(model)` after every reconnect), plus the mapping of amqplib's errors to
 * BrokerErrors that say what was wrong and what to do.
 *
 * A cluster (several AMQP URLs): amqplib 2.3 takes one URL and has no list, but its recovery calls the low-level
 * connect with the same URL object on every attempt; so after each failed attempt and each lost connection we point
 * that object at the next node, and every reconnect tries the next node of the cluster in turn.
 */
import type * as amqp from 'amqplib';
import { BrokerConfig, amqpConnectArgs, amqpUrlsOf, describeBroker, hostPort, tcpReachable } from './connection';
import { BrokerError, isBrokerError } from './errors';
import { ManagementClient } from './management';

/**
 * amqplib, loaded on first use: only pools, publishing and connection tests need it. The extension's build puts it in its
 * own file, dist/amqplib.js (esbuild.mjs), so VS Code does not even read it at activation (BENCHMARKS.md, figure 5).
 */
export function loadAmqplib(): Promise<typeof import('amqplib')> {
  return import('amqplib');
}

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

/** Which node of a cluster a recovering connection is on (or tries next). */
export interface AmqpNode {
  /** 0-based index into amqpUrlsOf(config). */
  index: number;
  count: number;
  url: string;
  /** Whether a connection to it is up right now. */
  connected: boolean;
}

const nodes = new WeakMap<amqp.RecoveringChannelModel, AmqpNode>();

/** The node a connection made by connectRecovering is on (undefined for other connections). */
export function amqpNodeOf(conn: amqp.RecoveringChannelModel | undefined): AmqpNode | undefined {
  const n = conn && nodes.get(conn);
  return n ? { ...n } : undefined;
}

export interface ConnectOptions {
  /** The cluster node to try first (index into amqpUrlsOf(config), modulo their number); default 0. */
  startNode?: number;
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
  options: ConnectOptions = {},
): Promise<amqp.RecoveringChannelModel> {
  const urls = amqpUrlsOf(config);
  const node: AmqpNode = { index: ((options.startNode ?? 0) % urls.length + urls.length) % urls.length, count: urls.length, url: '', connected: false };
  node.url = urls[node.index];
  const { url, socketOptions } = amqpConnectArgs(config, connectionName, node.index);
  // amqplib derives the TLS servername from the URL's host on each attempt when none is given.
  if (urls.length > 1) { delete socketOptions.servername; }
  const rotate = (): void => {
    if (urls.length < 2) { return; }
    node.index = (node.index + 1) % urls.length;
    node.url = urls[node.index];
    const { host, port } = hostPort(node.url);
    url.hostname = host;
    url.port = port;
    url.protocol = node.url.startsWith('amqps') ? 'amqps' : 'amqp';
  };
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
  const conn = await (await loadAmqplib()).connect(url, {
    ...socketOptions,
    recovery: {
      setup: guardedSetup,
      initialDelay: tuning.initialDelay ?? 250,
      maxDelay: tuning.maxDelay ?? 15_000,
      factor: tuning.factor ?? 2,
      jitter: tuning.jitter ?? 0.2,
      maxRetries: tuning.maxRetries ?? Infinity,
      // At least one attempt on every node of a cluster before the first connection gives up.
      initialMaxRetries: tuning.initialMaxRetries ?? Math.max(2, urls.length - 1),
      waitForConnect: false,
    },
  });
  holder.conn = conn;
  nodes.set(conn, node);
  // Registered before beforeConnect's listeners, so that theirs see the node already updated.
  conn.on('connect', () => { node.connected = true; });
  conn.on('disconnect', () => { node.connected = false; rotate(); });
  conn.on('connect-failed', () => { rotate(); });
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
    throw await explainHalfDown(await explainVhostRefusal(isBrokerError(fatal) ? fatal : toBrokerError(lastFailure ?? e, config), config), config);
  }
}

/** AMQP unreachable while the management API answers: say so, since "start RabbitMQ" would be the wrong advice. */
async function explainHalfDown(err: BrokerError, config: BrokerConfig): Promise<BrokerError> {
  if (err.kind !== 'unreachable') { return err; }
  const { host, port } = hostPort(config.managementUrl);
  if (!(await tcpReachable(host, port, 1000))) { return err; }
  return new BrokerError('unreachable', `${err.message}, though the management API at ${config.managementUrl} answers`,
    'Check the AMQP URL and port (the management port is not the AMQP listener), the broker\'s AMQP listener (listeners.tcp) and any firewall in between', { cause: err.cause });
}

const VHOST_REFUSED = /Expected ConnectionOpenOk; got <ConnectionClose/;

/**
 * amqplib reports a refused connection.open (unknown vhost, or no permission on it) without the broker's reply text.
 * Ask the management API which one it is, when it answers; otherwise the error names both possibilities.
 */
export async function explainVhostRefusal(err: BrokerError, config: BrokerConfig): Promise<BrokerError> {
  if (!VHOST_REFUSED.test(String((err.cause as Error | undefined)?.message ?? ''))) { return err; }
  const client = new ManagementClient({ ...config, timeoutMs: Math.min(config.timeoutMs, 3000) });
  try {
    await client.request('GET', `api/vhosts/${encodeURIComponent(config.vhost)}`, undefined, {}, false);
    return new BrokerError('forbidden', `User "${config.username}" may not use vhost "${config.vhost}" on ${config.amqpUrl} (no permission)`,
      `Grant it: rabbitmqctl set_permissions -p ${config.vhost} ${config.username} ".*" ".*" ".*", or pick another vhost`, { cause: err.cause });
  } catch (e) {
    if (isBrokerError(e) && e.kind === 'not-found') {
      return new BrokerError('not-found', `The vhost "${config.vhost}" does not exist on ${config.amqpUrl}`,
        'Pick an existing vhost (--vhost, or the broker\'s vhost setting); list them with: rabbitmqctl list_vhosts', { cause: err.cause });
    }
    return err;
  } finally {
    client.dispose();
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
    const all = amqpUrlsOf(config);
    return new BrokerError('unreachable', `No AMQP broker answers at ${all.length > 1 ? `any of ${all.join(', ')}` : config.amqpUrl} (${String(code)})`,
      'Start RabbitMQ (rabbitmq-server -detached) or fix the AMQP URL', { cause: e });
  }
  if (code === 'ETIMEDOUT' || /timeout/i.test(msg)) {
    return new BrokerError('timeout', `The broker at ${config.amqpUrl} did not answer in time`, 'Check the host and port, or raise the timeout', { cause: e });
  }
  if (VHOST_REFUSED.test(msg)) {
    return new BrokerError('forbidden', `User "${config.username}" may not use vhost "${config.vhost}" on ${config.amqpUrl}: the vhost does not exist, or the user has no permission on it`,
      `Pick an existing vhost (rabbitmqctl list_vhosts), or grant access: rabbitmqctl set_permissions -p ${config.vhost} ${config.username} ".*" ".*" ".*"`, { cause: e });
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
  if (/RESOURCE_LOCKED/.test(msg)) {
    return new BrokerError('precondition', `The broker refused: ${msg.replace(/^.*RESOURCE_LOCKED - /, '')} (an exclusive queue of another connection)`,
      'Pick another pool name, or stop the application that owns the exclusive queue', { cause: e });
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
