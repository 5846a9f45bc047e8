import { Commands } from '../constants';
import type { CommandDef } from './command';

export const showLogCommand: CommandDef = { id: Commands.showLog, title: 'Show Log', run: (s) => s.channel.show(true) };
