// Every CLI command, in the order `sockscope --help` lists them. Add one line per command file.
import type { CommandModule } from 'yargs';
import { monitorCommand } from './monitor.js';
import { analyzeCommand } from './analyze.js';
import { analyzeStatesCommand } from './analyze-states.js';
import { exportCommand } from './export.js';
import { inspectOptionsCommand } from './inspect-options.js';
import { debugConnectionsCommand } from './debug-connections.js';
import { tryCommand } from './try.js';
import { errnoCommand } from './errno.js';
import { optionsCommand } from './options.js';
import { configCommand } from './config.js';
import { generateServerCommand } from './generate-server.js';
import { generateTcpServerCommand } from './generate-tcp-server.js';
import { generateCommand } from './generate.js';
import { buffersCommand } from './buffers.js';
import { taskCommand } from './task.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export const commands: CommandModule<any, any>[] = [
  monitorCommand,
  analyzeCommand,
  analyzeStatesCommand,
  exportCommand,
  inspectOptionsCommand,
  debugConnectionsCommand,
  tryCommand,
  errnoCommand,
  optionsCommand,
  configCommand,
  generateServerCommand,
  generateTcpServerCommand,
  generateCommand,
  buffersCommand,
  taskCommand,
];
