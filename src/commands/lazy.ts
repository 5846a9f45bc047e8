/**
 * The commands that load on first use (./lazyCommands.ts, bundled as dist/commands.js): their ids and titles, known at
 * activation so that they can be registered, and the loader. A handler registered here requires dist/commands.js the
 * first time it runs (a few milliseconds, once) and calls the real command.
 */
import type { CommandDef } from './command';
import { Commands } from '../constants';

type Lazy = typeof import('./lazyCommands');
let loaded: Lazy | undefined;
let byId: Map<string, CommandDef> | undefined;

/** The lazily loaded module, required on first call. */
export function lazyCommands(): Lazy {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- esbuild maps it to the external ./commands.js (esbuild.mjs)
  loaded ??= require('./lazyCommands') as Lazy;
  return loaded;
}

/** The module if a command has loaded it already (deactivate() has nothing to stop otherwise). */
export function lazyCommandsIfLoaded(): Lazy | undefined {
  return loaded;
}

/** Ids and titles of LAZY_COMMANDS, in their order (test/unit/lazyCommands.test.ts checks that the two agree). */
export const LAZY_COMMAND_TITLES: readonly { id: string; title: string }[] = [
  { id: Commands.addBroker, title: 'Add Broker' },
  { id: Commands.editBroker, title: 'Edit Broker' },
  { id: Commands.removeBroker, title: 'Remove Broker' },
  { id: Commands.testConnection, title: 'Test Connection' },
  { id: Commands.purgePool, title: 'Purge Pool' },
  { id: Commands.deletePool, title: 'Delete Pool' },
  { id: Commands.createPool, title: 'Create Worker Pool' },
  { id: Commands.addWorker, title: 'Add Worker' },
  { id: Commands.stopWorker, title: 'Stop Worker' },
  { id: Commands.stopPool, title: 'Stop Pool' },
  { id: Commands.publishTestNotifications, title: 'Publish Test Notifications' },
  { id: Commands.runAudit, title: 'Run Delivery Audit' },
  { id: Commands.diagnose, title: 'Diagnose Pools' },
  { id: Commands.revealFinding, title: 'Reveal in Brokers View' },
  { id: Commands.routePreview, title: 'Who Receives?' },
  { id: Commands.startDemo, title: 'Start Demo' },
  { id: Commands.stopDemo, title: 'Stop Demo' },
  { id: Commands.peekMessages, title: 'Peek Messages' },
  { id: Commands.publishMessage, title: 'Publish Message' },
  { id: Commands.replayDeadLetters, title: 'Replay Dead Letters' },
  { id: Commands.checkNodeMaintenance, title: 'Check Node Maintenance' },
  { id: Commands.checkUpgrade, title: 'Check Upgrade to RabbitMQ 4.x' },
];

/** A command of LAZY_COMMAND_TITLES whose handler loads dist/commands.js on its first run. */
function lazyCommand({ id, title }: { id: string; title: string }): CommandDef {
  return {
    id, title,
    run: (services, ...args) => {
      byId ??= new Map(lazyCommands().LAZY_COMMANDS.map((c) => [c.id, c]));
      const def = byId.get(id);
      if (!def) { throw new Error(`${title}: the command ${id} is missing from dist/commands.js; reinstall the extension`); }
      return def.run(services, ...args);
    },
  };
}

export const LAZY_STUBS: readonly CommandDef[] = LAZY_COMMAND_TITLES.map(lazyCommand);
