/**
 * The commands that write to a broker, in one place (vscode-free: the menu test reads it too). The registry's read-only
 * guard (./writes.ts), the context key rabbitmqPools.allBrokersReadOnly and test/unit/writeMenus.test.ts all use it.
 * The convention for a new write command: README, "Read-only brokers: the convention for write commands".
 */
import { Commands } from '../constants';

/** Every command that writes to a broker (publishes, declares, purges, deletes, consumes with new workers). */
export const WRITE_COMMANDS: readonly string[] = [
  Commands.purgePool,
  Commands.deletePool,
  Commands.createPool,
  Commands.addWorker,
  Commands.publishTestNotifications,
  Commands.runAudit,
  Commands.startDemo,
  Commands.publishMessage,
  Commands.replayDeadLetters,
];

/**
 * Reading commands with an optional writing step that calls assertWritable itself (Who Receives…?'s "publish one and
 * compare"): they stay in the menus of a read-only broker, their write step is refused.
 */
export const READ_COMMANDS_WITH_A_WRITE_STEP: readonly string[] = [Commands.routePreview];

/** The token a tree item of a read-only broker carries in its contextValue (`rabbitmqPools.pool.readOnly`). */
export const READ_ONLY_TOKEN = '.readOnly';

/** What a write command's view/item/context `when` clause ends with (package.json spells the backslashes twice). */
export const NOT_READ_ONLY_ITEM = '!(viewItem =~ /\\.readOnly\\b/)';

/** What a write command's view/title and commandPalette `when` clauses end with (or the palette entry is `false`). */
export const NOT_ALL_READ_ONLY = '!rabbitmqPools.allBrokersReadOnly';
