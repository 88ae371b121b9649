// `sockscope inspect-options`: the real option values of one socket (another process's, via pidfd_getfd), explained.
import type { CommandModule } from 'yargs';
import { intFlag } from '../options.js';
import { COMMAND_HEADS } from './heads.js';

export interface Args {
  pid?: number;
  'socket-fd'?: number;
  port?: number;
  inode?: number;
  options?: string;
  json?: boolean;
  source?: string;
}

export const inspectOptionsCommand: CommandModule<object, Args> = {
  ...COMMAND_HEADS.inspectOptions,
  builder: (y) =>
    y
      // Strings coerced here, not type 'number': that reads "abc" as NaN and the message could not quote it.
      .option('pid', { type: 'string', describe: 'Process holding the socket', coerce: intFlag('pid', 1, 2 ** 22) })
      .option('socket-fd', { type: 'string', describe: 'The socket fd in that process (ls -l /proc/PID/fd)', coerce: intFlag('socket-fd', 0, 2 ** 31 - 1) })
      .option('port', { type: 'string', describe: 'The listener on this local port', coerce: intFlag('port', 1, 65535, 'one port') })
      .option('inode', { type: 'string', describe: 'The socket with this inode (ss -e ino:)', coerce: intFlag('inode', 1, Number.MAX_SAFE_INTEGER) })
      .option('options', { type: 'string', describe: 'Comma-separated option names (default: all but SO_ERROR, which reading clears)' })
      .option('json', { type: 'boolean', default: false, describe: 'One JSON document on stdout' })
      // Each description is a shell comment on the line above its example: yargs gives an example with a description
      // beside it at most half the width (40 columns at 80) and splits a longer one (test/cli/help-examples-width).
      .example('# the listener on port 8080\n$0 inspect-options --port 8080', '')
      .example('# fd 7 of pid 1234 (every option but SO_ERROR, which reading clears)\n$0 inspect-options --pid 1234 --socket-fd 7', '')
      .example('# two options only\n$0 inspect-options --port 8080 --options SO_RCVBUF,TCP_NODELAY', ''),
  // The implementation (inspect-options-run.ts) loads when the command runs, not at start-up.
  handler: async (a) => (await import('./inspect-options-run.js')).runInspectOptions(a),
};
