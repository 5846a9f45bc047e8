/** What every CLI command gets: the parsed flags, the broker config from flags/environment, output, cancellation. */
import { assertWritable } from '../broker/receivers';
import { BrokerConfig, brokerConfig } from '../broker/connection';
import { ManagementClient } from '../broker/management';
import { FlagSpec, ParsedArgs, intFlag, stringFlag } from './args';
import { Io } from './output';

export const COMMON_FLAGS: Record<string, FlagSpec> = {
  url: { type: 'string', valueName: 'URL', description: 'AMQP URL (default $RABBITMQ_URL or amqp://guest:guest@127.0.0.1:5672/)' },
  'management-url': { type: 'string', valueName: 'URL', description: 'management API URL (default $RABBITMQ_MANAGEMENT_URL or http://127.0.0.1:15672)' },
  vhost: { type: 'string', valueName: 'VHOST', description: 'virtual host (default "/" or the URL\'s path)' },
  'ca-file': { type: 'string', valueName: 'FILE', description: 'PEM file with the CA to trust for amqps:// and https://' },
  insecure: { type: 'boolean', description: 'do not verify TLS certificates (test brokers only)' },
  timeout: { type: 'string', valueName: 'MS', description: 'HTTP timeout in milliseconds (default 10000)' },
  'read-only': { type: 'boolean', description: 'refuse every write (publish, audit, pool run, demo) and exit 2; also RMQ_POOLS_READ_ONLY=1' },
  json: { type: 'boolean', description: 'print one JSON document on stdout' },
  help: { type: 'boolean', description: 'show this help' },
};

export interface CliContext {
  io: Io;
  json: boolean;
  args: ParsedArgs;
  env: NodeJS.ProcessEnv;
  signal: AbortSignal;
  broker(): BrokerConfig;
  client(): ManagementClient;
  /** Things to close before the process exits (clients, pools). */
  onExit(fn: () => Promise<void> | void): void;
}

/** --read-only or RMQ_POOLS_READ_ONLY=1: writing commands refuse (exit 2) before they touch anything. */
export function readOnlyRequested(args: ParsedArgs, env: NodeJS.ProcessEnv): boolean {
  return args.flags['read-only'] === true || env.RMQ_POOLS_READ_ONLY === '1' || env.RMQ_POOLS_READ_ONLY === 'true';
}

/** The first thing a writing command does: refuse on a read-only broker, naming the write. */
export function refuseIfReadOnly(ctx: CliContext, what: string): void {
  if (readOnlyRequested(ctx.args, ctx.env)) { assertWritable({ name: ctx.broker().name, readOnly: true }, what); }
}

export interface CliCommand {
  /** One or two words: "topology", "pool run". */
  name: string;
  /** Positional arguments, for the usage line ("EXCHANGE ROUTING_KEY"); the flags come from `flags`. */
  positionals?: string;
  summary: string;
  flags: Record<string, FlagSpec>;
  run(ctx: CliContext): Promise<number | void>;
}

export function brokerFromFlags(args: ParsedArgs, env: NodeJS.ProcessEnv): BrokerConfig {
  const f = args.flags;
  return brokerConfig({
    // An empty environment variable (RABBITMQ_URL= rmq-pools …) means unset, as in most tools; an empty flag is an error.
    amqpUrl: stringFlag(f, 'url') ?? (env.RABBITMQ_URL || 'amqp://guest:guest@127.0.0.1:5672/'),
    managementUrl: stringFlag(f, 'management-url') ?? (env.RABBITMQ_MANAGEMENT_URL || undefined),
    vhost: stringFlag(f, 'vhost'),
    readOnly: readOnlyRequested(args, env),
    tls: { caFile: stringFlag(f, 'ca-file'), rejectUnauthorized: f.insecure ? false : true },
    timeoutMs: intFlag(f, 'timeout', undefined, 1, 600_000),
  });
}

/**
 * The wait of a command that runs until stopped (pool run, demo up): until `done` settles, Ctrl+C / SIGTERM (ctx.signal)
 * or `seconds` pass, calling `stop` with what stopped it; in human mode `tick()` is printed every `everyMs`.
 */
export async function untilStopped(ctx: CliContext, done: Promise<void>,
  o: { seconds?: number; everyMs: number; tick?: () => string; stop: (by: 'signal' | 'seconds') => void }): Promise<void> {
  const onAbort = () => o.stop('signal');
  if (ctx.signal.aborted) { onAbort(); }
  ctx.signal.addEventListener('abort', onAbort);
  const timer = o.seconds !== undefined ? setTimeout(() => o.stop('seconds'), o.seconds * 1000) : undefined;
  const tick = o.tick;
  const ticker = !ctx.json && tick ? setInterval(() => ctx.io.err(`${tick()}\n`), o.everyMs) : undefined;
  try {
    await done;
  } finally {
    ctx.signal.removeEventListener('abort', onAbort);
    if (timer) { clearTimeout(timer); }
    if (ticker) { clearInterval(ticker); }
  }
}
