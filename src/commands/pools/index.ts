/** The worker-pool commands (create, add / stop workers, publish test notifications, audit), registered from ../registry.ts. */
import type { CommandDef } from '../command';
import { createPoolCommand } from './createPool';
import { publishTestNotificationsCommand } from './publishTestNotifications';
import { runAuditCommand } from './runAudit';
import { addWorkerCommand, stopPoolCommand, stopWorkerCommand } from './workerCommands';

export const POOL_COMMANDS: readonly CommandDef[] = [
  createPoolCommand, addWorkerCommand, stopWorkerCommand, stopPoolCommand, publishTestNotificationsCommand, runAuditCommand,
];
