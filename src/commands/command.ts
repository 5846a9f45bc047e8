/** The shape of one command: its id, a title for error messages, and a handler taking (node?, nodes?) or a script argument. */
import type { Services } from '../services';

export interface CommandDef {
  id: string;
  title: string;
  run(services: Services, ...args: unknown[]): unknown;
}
