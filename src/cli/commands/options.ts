// `sockscope options [NAME]`: the socket option reference (level, numbers, type, default, platform differences).
import type { CommandModule } from 'yargs';
import { withJsonFlag } from '../options.js';
import { COMMAND_HEADS } from './heads.js';

export interface Args {
  name?: string;
  json: boolean;
}

export const optionsCommand: CommandModule<object, Args> = {
  ...COMMAND_HEADS.options,
  builder: (y) =>
    withJsonFlag(y.positional('name', { type: 'string', describe: 'Option name (SO_REUSEADDR, tcp_nodelay, NODELAY, TCP_NOPUSH...)' }))
      .example('$0 options', 'every option, one line each')
      .example('$0 options SO_REUSEPORT', 'one option in full') as never,
  // The implementation (options-run.ts) loads when the command runs, not at start-up.
  handler: async (argv) => (await import('./options-run.js')).runOptions(argv),
};
