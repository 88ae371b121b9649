// --host user@server (repeatable) and --ssh-config: the flags (sources.ts turns them into SocketSources).
import type { Argv } from 'yargs';

export function withHostFlags<T>(y: Argv<T>) {
  return y
    .option('host', { type: 'string', array: true, describe: 'Read a remote server over ssh (user@server[:port]); repeat for several' })
    .option('ssh-config', { type: 'string', describe: 'ssh config file for --host (ssh -F)' });
}
