/**
 * "Test Connection": the management API (overview + the vhost) and AMQP (open and close one connection), each with a
 * verdict a person can act on. vscode-free: Add Broker, Test Connection and tests share it.
 */
import { BrokerConfig, amqpConnectArgs } from './connection';
import { loadAmqplib, toBrokerError } from './recovering';
import { ManagementClient } from './management';
import { BrokerState, describeError, stateOf } from './errors';

export interface ConnectionTestResult {
  ok: boolean;
  state: BrokerState;
  /** One line per check, redacted. */
  lines: string[];
  version?: string;
}

export async function testConnection(config: BrokerConfig): Promise<ConnectionTestResult> {
  const lines: string[] = [];
  const client = new ManagementClient({ ...config, timeoutMs: Math.min(config.timeoutMs, 8000) });
  let version: string | undefined;
  let state: BrokerState = 'connected';
  try {
    const o = await client.overview();
    version = o.rabbitmq_version;
    lines.push(`Management API ${config.managementUrl}: RabbitMQ ${o.rabbitmq_version ?? '?'}${o.cluster_name ? `, cluster ${o.cluster_name}` : ''}`);
    // GET /api/vhosts/{name} needs the administrator tag; the list of visible vhosts does not.
    if ((await client.vhosts()).some((v) => v.name === config.vhost)) {
      lines.push(`vhost "${config.vhost}": exists, readable by ${config.username}`);
    } else {
      state = 'error';
      lines.push(`vhost "${config.vhost}" does not exist, or user "${config.username}" has no permission on it`);
    }
  } catch (e) {
    state = stateOf(e);
    lines.push(describeError(e));
  } finally {
    client.dispose();
  }
  try {
    const { url, socketOptions } = amqpConnectArgs(config, 'rabbitmq-pool-inspector (connection test)');
    const c = await (await loadAmqplib()).connect(url, socketOptions);
    c.on('error', () => { /* closing */ });
    await c.close();
    lines.push(`AMQP ${config.amqpUrl}: connected as ${config.username}`);
  } catch (e) {
    // Through toBrokerError, so that the line says what is wrong with AMQP and what to do, like every other error.
    const err = toBrokerError(e, config);
    if (state === 'connected') { state = err.kind === 'auth' || err.kind === 'forbidden' ? 'auth' : stateOf(err) === 'error' ? 'error' : 'unreachable'; }
    lines.push(`AMQP ${config.amqpUrl}: ${err.describe()}`);
  }
  return { ok: state === 'connected', state, lines, version };
}
