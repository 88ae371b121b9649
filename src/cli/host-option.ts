// --host user@server (repeatable) and --ssh-config: the flags (sources.ts turns them into SocketSources).
import { closeSync, fstatSync, openSync } from 'node:fs';
import type { Argv } from 'yargs';
import { hideBin } from 'yargs/helpers';
import { parseDuration } from './duration.js';
import { UsageError, briefWord } from './errors.js';

/** The longest --host value taken: far over a DNS name's 253 characters, so that an ssh_config alias of any real length passes. */
export const HOST_MAX_CHARS = 1024;

/**
 * Every --host has a value (`--host`, `--host ''` and `--host=` were read as no host at all: the local one),
 * of at most HOST_MAX_CHARS characters: a longer one is no server name nor ssh alias (exit 2, quoted cut), not
 * an ssh run that prints it twice. Nothing else is asked of the name's length: it may be a Host alias of the
 * ssh config (a label of 70 characters is fine there), which ssh resolves with your config, keys and agent.
 * Values parseRemoteTarget refuses are refused later, by sourcesFor, in its words.
 */
export function hostValues(v: unknown, words: readonly string[] = commandWords()): string[] {
  const list = (Array.isArray(v) ? v : [v]).map((h) => String(h ?? ''));
  if (list.length === 0 || list.some((h) => h.trim() === '') || hostWithoutValue(words)) throw new UsageError('--host needs a value: user@server[:port] (repeat --host for several servers)');
  const long = list.find((h) => h.length > HOST_MAX_CHARS);
  if (long !== undefined) throw new UsageError(`--host '${briefWord(long)}': over ${HOST_MAX_CHARS.toLocaleString('en-US')} characters, longer than any server name or ssh alias`);
  return list;
}

/** The command line's words; none while completing one (its words are the line being typed, not a command run). */
function commandWords(): readonly string[] {
  return process.argv.includes('--get-yargs-completions') ? [] : hideBin(process.argv);
}

/**
 * Whether a `--host` of `words` has no value: the last word, or followed by a flag (a word starting with
 * `-`, not a negative number). yargs adds nothing for such a one to the list of an array option, so that
 * `--host a --host --json`, `--host a --host "$EMPTY"` (the shell drops the empty word) and a trailing
 * `--host` read as the one host `a`: the list hostValues is given cannot tell. Words after `--` are no
 * flags. `--host=` gives yargs an empty value, which the list shows, except as the last word: yargs-parser
 * then takes the next word for the value (`argAfterEqualSign || args[i + 1]`), and there is none.
 */
export function hostWithoutValue(words: readonly string[]): boolean {
  for (let i = 0; i < words.length; i++) {
    const w = words[i];
    if (w === '--') return false;
    if (w === '--host=' && i === words.length - 1) return true;
    if (w !== '--host') continue;
    const next = words[i + 1];
    if (next === undefined || (next.startsWith('-') && !/^-\d/.test(next))) return true;
  }
  return false;
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

/**
 * --ssh-config FILE (ssh -F), checked once when the flags are read: a file that cannot be opened was passed
 * to every host's ssh and reported per host as a runtime failure (exit 1, "1 of 2 hosts failed") where it
 * is bad input (exit 2). `none` is ssh's own word for no config file.
 */
export function sshConfigValue(v: unknown): string {
  if (Array.isArray(v)) throw new UsageError('--ssh-config given more than once: ssh reads one config file (-F)');
  const path = String(v ?? '');
  if (path.trim() === '') throw new UsageError('--ssh-config needs a value: an ssh config file (ssh -F), or none');
  if (path.toLowerCase() === 'none') return path;
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : code === 'ENOTDIR' ? 'a part of the path is not a directory' : code === 'ENAMETOOLONG' ? 'name too long' : ((e as Error).message ?? String(e));
    throw new UsageError(`--ssh-config ${path}: ${why}`);
  }
  try {
    if (fstatSync(fd).isDirectory()) throw new UsageError(`--ssh-config ${path}: is a directory, not an ssh config file`);
  } finally {
    closeSync(fd);
  }
  return path;
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
    .option('ssh-config', { type: 'string', describe: 'ssh config file for --host (ssh -F)', coerce: sshConfigValue })
    .option('ssh-timeout', { type: 'string', nargs: 1, describe: SSH_TIMEOUT_HELP, coerce: sshTimeoutValue });
}
