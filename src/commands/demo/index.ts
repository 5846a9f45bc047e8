/** The demo commands (Start Demo…, Stop Demo), registered with the others from ../registry.ts. */
import type { CommandDef } from '../command';
import { startDemoCommand } from './startDemo';
import { stopDemoCommand } from './stopDemo';

export const DEMO_COMMANDS: readonly CommandDef[] = [startDemoCommand, stopDemoCommand];
