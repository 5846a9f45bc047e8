/** Every CLI command, in the order `rmq-pools --help` lists them. One line per command file. */
import type { CliCommand } from './context';
import { topologyCommand } from './commands/topology';
import { routeCommand } from './commands/route';
import { diagnoseCommand } from './commands/diagnose';

export const COMMANDS: CliCommand[] = [
  topologyCommand,
  routeCommand,
  diagnoseCommand,
];
