// Every CLI command, in the order `sockscope --help` lists them. Add one line per command file.
import type { CommandModule } from 'yargs';
import { monitorCommand } from './monitor.js';
import { analyzeCommand } from './analyze.js';
import { analyzeStatesCommand } from './analyze-states.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export const commands: CommandModule<any, any>[] = [
  monitorCommand,
  analyzeCommand,
  analyzeStatesCommand,
];
