/** Every CLI command, in the order `rmq-pools --help` lists them. One line per command file. */
import type { CliCommand } from './context';
import { topologyCommand } from './commands/topology';
import { routeCommand } from './commands/route';
import { diagnoseCommand } from './commands/diagnose';
import { poolRunCommand } from './commands/poolRun';
import { publishCommand } from './commands/publish';
import { countsCommand } from './commands/counts';
import { auditCommand } from './commands/audit';
import { demoDownCommand, demoUpCommand } from './commands/demo';
import { peekCommand } from './commands/peek';
import { replayCommand } from './commands/replay';
import { healthCommand } from './commands/health';

export const COMMANDS: CliCommand[] = [
  topologyCommand,
  routeCommand,
  diagnoseCommand,
  poolRunCommand,
  publishCommand,
  countsCommand,
  auditCommand,
  demoUpCommand,
  demoDownCommand,
  peekCommand,
  replayCommand,
  healthCommand,
];
