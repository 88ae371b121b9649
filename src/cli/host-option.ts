// --host user@server (repeatable) and --ssh-config: the flags (sources.ts turns them into SocketSources).
import type { Argv } from 'yargs';
import { UsageError } from './errors.js';

/** Every --host has a value (`--host`, `--host ''` and `--host=` were read as no host at all: the local one). */
export function hostValues(v: unknown): string[] {
  const list = (Array.isArray(v) ? v : [v]).map((h) => String(h ?? ''));
  if (list.length === 0 || list.some((h) => h.trim() === '')) throw new UsageError('--host needs a value: user@server[:port] (repeat --host for several servers)');
  return list;
}

export function withHostFlags<T>(y: Argv<T>) {
  return y
    .option('host', { type: 'string', array: true, describe: 'Read a remote server over ssh (user@server[:port]); repeat for several', coerce: hostValues })
    .option('ssh-config', { type: 'string', describe: 'ssh config file for --host (ssh -F)' });
}
