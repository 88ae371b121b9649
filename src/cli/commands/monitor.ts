// `sockscope` with no command: the full-screen monitor, or one plain snapshot table when stdout is not a TTY.
import type { CommandModule } from 'yargs';
import { hostValues, sshConfigValue, SSH_TIMEOUT_HELP, sshTimeoutValue } from '../host-option.js';
import { refuseIntervalWithJson, refuseSshFlagsWithoutHost, refuseUnixWithPort } from '../flag-context.js';
import { parsePort } from '../options.js';
import { COMMAND_HEADS } from './heads.js';

export interface Args {
  interval?: string;
  port?: number;
  tcp?: boolean;
  udp?: boolean;
  unix?: boolean;
  color: boolean;
  source: string;
  /** Where main.ts's middleware took source from: 'flag', a config file's origin or 'default'. */
  sourceFrom?: string;
  host?: string[];
  'ssh-config'?: string;
  'ssh-timeout'?: number;
  json?: boolean;
}

export const monitorCommand: CommandModule<object, Args> = {
  ...COMMAND_HEADS.monitor,
  builder: (y) =>
    y
      // nargs: 1 takes the next word as the value even when it starts with '-': `--interval -1s` was read
      // as the short flags -1 and -s ("Unknown arguments: 1, s") instead of a bad interval.
      .option('interval', { type: 'string', nargs: 1, describe: 'Refresh interval with its unit: 1s, 500ms (+ and - change it while running)' })
      .option('port', { type: 'string', describe: 'Only sockets whose LOCAL port is P', coerce: (v: unknown) => parsePort('port', v) })
      .option('tcp', { type: 'boolean', describe: 'Start with TCP only (combine with --udp/--unix); --no-tcp: without TCP' })
      .option('udp', { type: 'boolean', describe: 'Start with UDP only (combine with --tcp/--unix); --no-udp: without UDP' })
      .option('unix', { type: 'boolean', describe: 'Start with unix sockets only (combine with --tcp/--udp)' })
      .option('json', { type: 'boolean', describe: 'Print one snapshot as a JSON document and exit (SnapshotReportSchema)' })
      .option('host', { type: 'string', array: true, describe: 'Monitor a remote server over ssh (user@server[:port]) instead of this host; repeat for several', coerce: hostValues })
      .option('ssh-config', { type: 'string', describe: 'ssh config file for --host (ssh -F)', coerce: sshConfigValue })
      .option('ssh-timeout', { type: 'string', nargs: 1, describe: SSH_TIMEOUT_HELP, coerce: sshTimeoutValue })
      // Flags that need another (flag-context.ts): given without it they did nothing, without a word.
      .check((argv) => {
        refuseSshFlagsWithoutHost(argv);
        refuseUnixWithPort(argv);
        refuseIntervalWithJson(argv);
        return true;
      })
      .example('$0', 'the full-screen monitor')
      .example('$0 --port 8080 --interval 500ms', 'one port, twice a second')
      .example('$0 | cat', 'one snapshot as a plain table') as never,
  // The implementation (monitor-run.ts) loads when the command runs, not at start-up.
  handler: async (argv) => (await import('./monitor-run.js')).runMonitor(argv),
};
