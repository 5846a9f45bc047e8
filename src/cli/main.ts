/**
 * rmq-pools: the broker core from a terminal or CI. Human tables by default, --json for scripts.
 * Exit codes: 0 success, 1 broker error, 2 usage error; errors are one line on stderr (what was wrong, what to do).
 */
import { describeError, isBrokerError } from '../broker/errors';
import { redact } from '../broker/redact';
import { insecureTlsWarning } from '../broker/connection';
import { UsageError, helpText, usageLine, parseArgs } from './args';
import { COMMANDS } from './registry';
import { CliCommand, CliContext, COMMON_FLAGS, brokerFromFlags } from './context';
import { Io, inertJson, processIo } from './output';
import { ManagementClient } from '../broker/management';

function globalHelp(): string {
  const w = Math.max(...COMMANDS.map((c) => c.name.length));
  return `Usage: rmq-pools COMMAND [options]\n\nSee and test RabbitMQ worker pools.\n\nCommands:\n${COMMANDS.map((c) => `  ${c.name.padEnd(w)}  ${c.summary}`).join('\n')}\n\nRun "rmq-pools COMMAND --help" for a command's options.\n`;
}

/** What a group of subcommands is for, in its help ("rmq-pools pool --help"). */
const GROUP_SUMMARIES: Record<string, string> = {
  pool: 'Local worker pools: run workers on a pool from this terminal and count every delivery.',
  demo: 'The demo: the seed\'s scenario (exchange nova, pools ceilometer and audit, a shared pool, oslo\'s default queue) in a scratch vhost of the local broker.',
};

/** The commands under a first word that is not a command itself ("pool" → "pool run", …); empty when there are none. */
function groupCommands(word: string | undefined): CliCommand[] {
  return word === undefined ? [] : COMMANDS.filter((c) => { const w = c.name.split(' '); return w.length > 1 && w[0] === word; });
}

function groupHelp(word: string, cmds: CliCommand[]): string {
  const subs = cmds.map((c) => c.name.split(' ').slice(1).join(' '));
  const w = Math.max(...subs.map((x) => x.length));
  return `Usage: rmq-pools ${word} SUBCOMMAND [options]\n\n${GROUP_SUMMARIES[word] ?? `The "${word}" commands.`}\n\nSubcommands:\n`
    + `${cmds.map((c, i) => `  ${subs[i].padEnd(w)}  ${c.summary}`).join('\n')}\n\nRun "rmq-pools ${word} SUBCOMMAND --help" for a subcommand's options.\n`;
}

function findCommand(argv: string[]): { cmd: CliCommand; rest: string[] } | undefined {
  // Longest match first: "pool run" before "pool".
  const sorted = [...COMMANDS].sort((a, b) => b.name.split(' ').length - a.name.split(' ').length);
  for (const cmd of sorted) {
    const words = cmd.name.split(' ');
    if (words.every((w, i) => argv[i] === w)) { return { cmd, rest: argv.slice(words.length) }; }
  }
  return undefined;
}

export async function main(argv: string[], io: Io = processIo, env: NodeJS.ProcessEnv = process.env, signal?: AbortSignal): Promise<number> {
  if (argv.length === 0 || argv[0] === '--help' || argv[0] === '-h' || argv[0] === 'help') {
    io.out(globalHelp());
    return argv.length === 0 ? 2 : 0;
  }
  const found = findCommand(argv);
  const group = found ? [] : groupCommands(argv[0]);
  if (group.length) {
    // "rmq-pools pool --help" lists the subcommands (exit 0); a bare "rmq-pools pool" or an unknown subcommand is a usage error.
    const word = argv[0];
    const help = ['--help', '-h', 'help'].includes(argv[1] ?? '');
    if (help || argv.length === 1) { io.out(groupHelp(word, group)); }
    if (help) { return 0; }
    const names = group.map((c) => c.name.split(' ').slice(1).join(' ')).join(', ');
    io.err(argv.length === 1
      ? `rmq-pools ${word}: a subcommand is needed (${names}). Run "rmq-pools ${word} --help" to see them.\n`
      : `rmq-pools ${word}: unknown subcommand "${argv.slice(1).join(' ')}" (the subcommands are: ${names}). Run "rmq-pools ${word} --help" to see them.\n`);
    return 2;
  }
  if (!found) {
    io.err(`rmq-pools: unknown command "${argv.join(' ')}". Run "rmq-pools --help" to see the commands.\n`);
    return 2;
  }
  const { cmd, rest } = found;
  // A command may describe a common flag its own way (demo: --vhost defaults to the demo's vhost), in the common flags' place.
  const specs = { ...cmd.flags, ...COMMON_FLAGS, ...Object.fromEntries(Object.entries(cmd.flags).filter(([k]) => k in COMMON_FLAGS)) };
  const exits: (() => Promise<void> | void)[] = [];
  let json = rest.includes('--json');
  try {
    const args = parseArgs(rest, specs);
    json = args.flags.json === true;
    if (args.flags.help) {
      io.out(helpText(`rmq-pools ${usageLine(cmd.name, cmd.positionals, Object.fromEntries(Object.entries(cmd.flags).filter(([k]) => !(k in COMMON_FLAGS))), '[--vhost V] [--json] [connection options]')}`, cmd.summary, specs));
      return 0;
    }
    // --json: everything on stdout is the JSON document; keep broker-provided names in it inert for a terminal too.
    const out: Io = json ? { out: (s) => io.out(inertJson(s)), err: io.err } : io;
    let broker: ReturnType<typeof brokerFromFlags> | undefined;
    let client: ManagementClient | undefined;
    const ctx: CliContext = {
      io: out, json, args, env, signal: signal ?? new AbortController().signal,
      broker: () => {
        if (!broker) {
          broker = brokerFromFlags(args, env);
          const warning = insecureTlsWarning(broker, '--insecure');
          if (warning) { io.err(`rmq-pools: warning: ${warning}\n`); }
        }
        return broker;
      },
      client: () => {
        if (!client) {
          const c = new ManagementClient(ctx.broker());
          exits.push(() => c.dispose());
          client = c;
        }
        return client;
      },
      onExit: (fn) => exits.push(fn),
    };
    return (await cmd.run(ctx)) ?? 0;
  } catch (e) {
    const usage = e instanceof UsageError || (isBrokerError(e) && (e.kind === 'invalid-input' || e.kind === 'read-only'));
    const line = e instanceof UsageError ? `${e.message}. ${e.hint}` : describeError(e);
    if (json) {
      io.out(inertJson(JSON.stringify({ error: { kind: e instanceof UsageError ? 'usage' : isBrokerError(e) ? e.kind : 'internal', message: line } })) + '\n');
    }
    io.err(`rmq-pools ${cmd.name}: ${redact(line)}\n`);
    if (!usage && !isBrokerError(e) && env.RMQ_POOLS_DEBUG && e instanceof Error) { io.err(redact(e.stack ?? '') + '\n'); }
    return usage ? 2 : 1;
  } finally {
    for (const fn of exits.reverse()) {
      try { await fn(); } catch { /* closing is best effort */ }
    }
  }
}

if (require.main === module) {
  const ac = new AbortController();
  let interrupted = 0;
  for (const sig of ['SIGINT', 'SIGTERM'] as const) {
    process.on(sig, () => {
      // First signal: stop gracefully and report; second: leave now.
      if (interrupted++ > 0) { process.exit(130); }
      ac.abort();
    });
  }
  main(process.argv.slice(2), processIo, process.env, ac.signal).then(
    (code) => { process.exitCode = code; },
    (e) => { process.stderr.write(`rmq-pools: ${describeError(e)}\n`); process.exitCode = 1; },
  );
}
