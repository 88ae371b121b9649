// `sockscope export`: a Prometheus metrics endpoint (binds 127.0.0.1 unless told otherwise).
import type { CommandModule } from 'yargs';
import { COMMAND_HEADS } from './heads.js';

export interface Args {
  listen: string;
  interval: string;
  source: string;
}

export const exportCommand: CommandModule<object, Args> = {
  ...COMMAND_HEADS.export,
  builder: (y) =>
    y
      // nargs 1: `--listen` without its value is an error naming the flag, not the default bound quietly.
      .option('listen', { type: 'string', nargs: 1, default: '127.0.0.1:9464', describe: 'HOST:PORT to bind ([::1]:9464 for IPv6); loopback unless told otherwise' })
      .option('interval', { type: 'string', nargs: 1, default: '5s', describe: 'Collection interval with its unit (5s, 500ms, 1m)' })
      .example('$0 export --listen 127.0.0.1:9464 --interval 5s', '') as never,
  // The implementation (export-run.ts) loads when the command runs, not at start-up.
  handler: async (argv) => (await import('./export-run.js')).runExport(argv),
};
