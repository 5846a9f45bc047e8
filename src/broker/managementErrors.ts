/**
 * What a failed management API call means, as a BrokerError that tells apart unreachable, bad credentials, no permission,
 * unknown object, plugin off, TLS trouble and 5xx, and says what to do.
 */
import { BrokerConfig, amqpUrlsOf, hostPort, managementUrlsOf, tcpReachable } from './connection';
import { BrokerError } from './errors';

/** Every management URL of a cluster failed at the transport level: plugin off if AMQP answers, else unreachable. */
export async function allNodesDown(config: BrokerConfig, e: NodeJS.ErrnoException): Promise<never> {
  const urls = managementUrlsOf(config);
  const amqp = amqpUrlsOf(config);
  for (const a of amqp) {
    const { host, port } = hostPort(a);
    if (await tcpReachable(host, port)) {
      throw new BrokerError('plugin-off', `None of the ${urls.length} management URLs (${urls.join(', ')}) answers, but AMQP at ${host}:${port} does`,
        'Enable the management plugin on the nodes (rabbitmq-plugins enable rabbitmq_management) or fix the management URLs', { cause: e });
    }
  }
  throw new BrokerError('unreachable', `None of the ${urls.length} nodes answers: management ${urls.join(', ')} (${e.code ?? e.message}), AMQP ${amqp.join(', ')}`,
    'Start the cluster\'s nodes (rabbitmq-server -detached on each) or fix the broker URLs', { cause: e });
}

/** A transport error (no HTTP answer) of a single management URL; `answeredAt`: when the API last answered. */
export async function transportError(config: BrokerConfig, e: NodeJS.ErrnoException, answeredAt: number | undefined): Promise<never> {
  const m = config.managementUrl;
  const code = e.code ?? '';
  if (code === 'ECONNREFUSED' || code === 'ECONNRESET') {
    const { host, port } = hostPort(config.amqpUrl);
    if (await tcpReachable(host, port)) {
      if (answeredAt !== undefined) {
        // It worked a moment ago: the advice to enable the plugin would be wrong first.
        const s = Math.max(0, Math.round((Date.now() - answeredAt) / 1000));
        throw new BrokerError('plugin-off', `The management API at ${m} answered ${s} s ago but now refuses connections; the broker still answers on AMQP (${host}:${port})`,
          'It may be restarting (the node, its management plugin, or a proxy in front of it); views retry by themselves. If it stays down: rabbitmq-plugins enable rabbitmq_management, or fix the management URL', { cause: e });
      }
      throw new BrokerError('plugin-off', `The broker answers on AMQP (${host}:${port}) but its management API at ${m} refuses connections`,
        'Enable the management plugin: rabbitmq-plugins enable rabbitmq_management (or fix the management URL)', { cause: e });
    }
    throw new BrokerError('unreachable', `Nothing answers at ${m} (connection refused) nor on AMQP at ${host}:${port}`,
      'Start RabbitMQ (Debian: apt-get install rabbitmq-server; rabbitmq-server -detached) or fix the broker URLs', { cause: e });
  }
  if (code === 'ETIMEDOUT' || code === 'UND_ERR_CONNECT_TIMEOUT') {
    throw new BrokerError('timeout', `The management API at ${m} did not answer within ${config.timeoutMs} ms`,
      'Check that the host is reachable and not overloaded, or raise the timeout', { cause: e });
  }
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') {
    throw new BrokerError('unreachable', `The host of ${m} cannot be resolved`, 'Check the host name in the management URL', { cause: e });
  }
  if (code === 'EHOSTUNREACH' || code === 'ENETUNREACH' || code === 'EADDRNOTAVAIL') {
    throw new BrokerError('unreachable', `The host of ${m} is unreachable (${code})`, 'Check the host and your network', { cause: e });
  }
  if (/CERT|SSL|TLS|SELF_SIGNED|UNABLE_TO_VERIFY/i.test(code) || /certificate|ssl|tls/i.test(e.message)) {
    throw new BrokerError('tls', `The TLS certificate of ${m} cannot be verified (${code || e.message})`,
      'Set the broker\'s "tls.caFile" setting (rabbitmqPools.brokers) or --ca-file to the CA that signed it; only turn off "tls.rejectUnauthorized" for a test broker', { cause: e });
  }
  if (code === 'EPROTO' || /wrong version number|packet length too long/i.test(e.message)) {
    throw new BrokerError('tls', `The management URL ${m} and the server disagree on TLS (${code})`, 'Use http:// for a plain port (15672) and https:// for a TLS port (15671)', { cause: e });
  }
  throw new BrokerError('unreachable', `The management API at ${m} failed: ${e.message || code}`, 'Check the management URL and that the broker runs', { cause: e });
}

/** An HTTP error status from the management API. */
export function httpError(config: BrokerConfig, status: number, body: Buffer, url: URL): BrokerError {
  let reason = '';
  try {
    const j = JSON.parse(body.toString('utf8')) as { error?: string; reason?: string };
    reason = [j.error, j.reason].filter(Boolean).join(': ');
  } catch { reason = body.toString('utf8').slice(0, 200); }
  const what = `${url.pathname.replace(/^\/api\//, '')}`;
  const user = config.username;
  if (status === 401) {
    if (/not management user|not_authorised|not authorised/i.test(reason) && !/login failed/i.test(reason) && /management/i.test(reason)) {
      return new BrokerError('forbidden', `User "${user}" may not use the management API (${reason})`, 'Give the user the "management" (or "monitoring") tag: rabbitmqctl set_user_tags USER management', { status });
    }
    // RabbitMQ 3.10 says "User not authorised to access virtual host"; older ones "access to vhost … refused".
    if (/access refused|not_authorised.*(vhost|virtual host)|access to (vhost|virtual host)/i.test(reason)) {
      return new BrokerError('forbidden', `User "${user}" has no permission on vhost "${config.vhost}" (${reason})`,
        `Grant it: rabbitmqctl set_permissions -p ${config.vhost} ${user} ".*" ".*" ".*", or pick another vhost`, { status });
    }
    return new BrokerError('auth', `The broker at ${config.managementUrl} refused user "${user}": wrong user name or password`,
      'Check the user name and password (Edit Broker in VS Code; in the CLI, the user and password in --url or $RABBITMQ_URL)', { status });
  }
  if (status === 403) {
    return new BrokerError('forbidden', `User "${user}" is not allowed to ${what} (${reason || 'forbidden'})`, 'Ask the broker\'s administrator for the "monitoring" or "administrator" tag, or permissions on the vhost', { status });
  }
  if (status === 404) {
    return new BrokerError('not-found', `Not found on the broker: ${decodeURIComponent(what)}${reason ? ` (${reason})` : ''}`,
      `Check that the vhost "${config.vhost}" and the object exist (rabbitmqctl list_vhosts), or refresh`, { status });
  }
  if (status >= 500) {
    return new BrokerError('server', `The management API failed with HTTP ${status} on ${what}${reason ? ` (${reason})` : ''}`, 'The broker may be starting or overloaded: retry in a moment and check its log', { status });
  }
  return new BrokerError('server', `The management API answered HTTP ${status} on ${what}${reason ? ` (${reason})` : ''}`, 'Check the request and the broker version', { status });
}
