// `sockscope inspect-options`: the real option values of one socket (another process's, via pidfd_getfd), explained.
import type { CommandModule } from 'yargs';

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
  command: 'inspect-options',
  describe: "Real option values of one socket (another process's, via pidfd_getfd + getsockopt), explained",
  builder: (y) =>
    y
      .option('pid', { type: 'number', describe: 'Process holding the socket' })
      .option('socket-fd', { type: 'number', describe: 'The socket fd in that process (ls -l /proc/PID/fd)' })
      .option('port', { type: 'number', describe: 'The listener on this local port' })
      .option('inode', { type: 'number', describe: 'The socket with this inode (ss -e ino:)' })
      .option('options', { type: 'string', describe: 'Comma-separated option names (default: all but SO_ERROR, which reading clears)' })
      .option('json', { type: 'boolean', default: false, describe: 'One JSON document on stdout' })
      .example('$0 inspect-options --port 8080', 'the listener on port 8080')
      .example('$0 inspect-options --pid 1234 --socket-fd 7 --options SO_RCVBUF,TCP_NODELAY', 'two options of fd 7 of pid 1234'),
  // The implementation (inspect-options-run.ts) loads when the command runs, not at start-up.
  handler: async (a) => (await import('./inspect-options-run.js')).runInspectOptions(a),
};
