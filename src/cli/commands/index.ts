// Every CLI command, in the order `sockscope --help` lists them. Add one line per command file here and its
// name line and description in heads.ts.
//
// A command's module (its flags, checks and what they import) loads only when the line names it: the root
// parser gets the others as heads (name line and description, enough for `sockscope --help`, the list of
// commands and "did you mean"), which yargs can never run, because it runs only a command whose name is a word
// of the line. The monitor, the default command, always loads: its flags are the root's (`sockscope --port 80`),
// and messages about a flag given before a command compare with them. README, Performance > Start-up.
import type { CommandModule } from 'yargs';
import { COMMAND_HEADS } from './heads.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyCommand = CommandModule<any, any>;
type HeadName = keyof typeof COMMAND_HEADS;

const LOADERS: Record<HeadName, () => Promise<AnyCommand>> = {
  monitor: async () => (await import('./monitor.js')).monitorCommand,
  analyze: async () => (await import('./analyze.js')).analyzeCommand,
  analyzeStates: async () => (await import('./analyze-states.js')).analyzeStatesCommand,
  export: async () => (await import('./export.js')).exportCommand,
  inspectOptions: async () => (await import('./inspect-options.js')).inspectOptionsCommand,
  debugConnections: async () => (await import('./debug-connections.js')).debugConnectionsCommand,
  try: async () => (await import('./try.js')).tryCommand,
  errno: async () => (await import('./errno.js')).errnoCommand,
  options: async () => (await import('./options.js')).optionsCommand,
  config: async () => (await import('./config.js')).configCommand,
  generateServer: async () => (await import('./generate-server.js')).generateServerCommand,
  generateTcpServer: async () => (await import('./generate-tcp-server.js')).generateTcpServerCommand,
  generate: async () => (await import('./generate.js')).generateCommand,
  buffers: async () => (await import('./buffers.js')).buffersCommand,
  task: async () => (await import('./task.js')).taskCommand,
};

const ORDER = Object.keys(COMMAND_HEADS) as HeadName[];
const loaded = new Map<HeadName, AnyCommand>();

/** The word that runs a command ('analyze' of 'analyze [port]'; '$0' for the monitor). */
export function commandWord(c: { command?: unknown }): string {
  return String(c.command).split(' ')[0];
}

/** Every command's name, as typed ('$0' left out), in --help order; no module loads. */
export function commandNames(): string[] {
  return ORDER.map((k) => commandWord(COMMAND_HEADS[k])).filter((n) => n !== '$0');
}

/** Every command's name line ('errno <code>', '$0' for the monitor), in --help order; no module loads. */
export function commandLines(): string[] {
  return ORDER.map((k) => String(COMMAND_HEADS[k].command));
}

/**
 * The commands for the root parser of this line: the module of each command the line names (and the monitor's),
 * a head for the others; `all` loads every module (tests).
 */
export async function commandsFor(words: readonly string[], all = false): Promise<AnyCommand[]> {
  const named = new Set(words);
  const wanted = ORDER.filter((k) => all || k === 'monitor' || named.has(commandWord(COMMAND_HEADS[k])));
  await Promise.all(wanted.filter((k) => !loaded.has(k)).map(async (k) => loaded.set(k, await LOADERS[k]())));
  return ORDER.map((k) => loaded.get(k) ?? { ...COMMAND_HEADS[k], builder: {}, handler: () => Promise.reject(new Error(`${commandWord(COMMAND_HEADS[k])}: the command ran without its module`)) });
}

/** Every command's module (tests). */
export function allCommands(): Promise<AnyCommand[]> {
  return commandsFor([], true);
}

/** The modules loaded so far, in --help order: those of the commands on the line and the monitor's (commandsFor). */
export function loadedCommands(): AnyCommand[] {
  return ORDER.flatMap((k) => loaded.get(k) ?? []);
}
