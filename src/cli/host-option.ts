// --host user@server (repeatable) and --ssh-config: the flags (sources.ts turns them into SocketSources).
import type { Argv } from 'yargs';
import { parseDuration } from './duration.js';
import { UsageError } from './errors.js';

/** Every --host has a value (`--host`, `--host ''` and `--host=` were read as no host at all: the local one). */
export function hostValues(v: unknown): string[] {
  const list = (Array.isArray(v) ? v : [v]).map((h) => String(h ?? ''));
  if (list.length === 0 || list.some((h) => h.trim() === '')) throw new UsageError('--host needs a value: user@server[:port] (repeat --host for several servers)');
  return list;
}

/**
 * --ssh-timeout: how long a host may send nothing before it is given up (1 s to 1 h). The flag sets
 * SOCKSCOPE_SSH_TIMEOUT for this process, so that the command modules need not pass it on: sourcesFor
 * reads it back (sshTimeoutSetting) for every RemoteSource.
 */
export function sshTimeoutValue(v: unknown): number {
  const ms = parseDuration('ssh-timeout', v, SSH_TIMEOUT_RANGE);
  process.env.SOCKSCOPE_SSH_TIMEOUT = `${ms}ms`;
  return ms;
}

const SSH_TIMEOUT_RANGE = { minMs: 1000, maxMs: 3_600_000 };

/**
 * SOCKSCOPE_SSH_TIMEOUT (set by the user or by --ssh-timeout) in ms, undefined when unset. The same
 * rules as the flag (parseDuration): remote.ts had a second parser of its own that took what the flag
 * refused and ignored what it took (`1min`, `1h`) and any bad value without a word. A bad value is a
 * UsageError naming the variable (exit 2).
 */
export function sshTimeoutSetting(env: NodeJS.ProcessEnv = process.env): number | undefined {
  const v = env.SOCKSCOPE_SSH_TIMEOUT;
  if (v === undefined || v.trim() === '') return undefined;
  try {
    return parseDuration('ssh-timeout', v, SSH_TIMEOUT_RANGE);
  } catch (e) {
    if (e instanceof UsageError) throw new UsageError(e.message.replace(/^--ssh-timeout/, 'SOCKSCOPE_SSH_TIMEOUT'));
    throw e;
  }
}

export const SSH_TIMEOUT_HELP = 'With --host: give up on a host that sends nothing for this long (default 20s; a transfer that keeps coming may take 10 times that)';

export function withHostFlags<T>(y: Argv<T>) {
  return y
    .option('host', { type: 'string', array: true, describe: 'Read a remote server over ssh (user@server[:port]); repeat for several', coerce: hostValues })
    .option('ssh-config', { type: 'string', describe: 'ssh config file for --host (ssh -F)' })
    .option('ssh-timeout', { type: 'string', nargs: 1, describe: SSH_TIMEOUT_HELP, coerce: sshTimeoutValue });
}
