// `sockscope config`'s Environment list: every environment variable sockscope reads, its value here and what it is
// read for. It named SOCKET_DEBUG, DEFAULT_BUFFER_SIZE and NO_COLOR only, without values, and left out
// SOCKET_DEBUG_FILE and SOCKSCOPE_SSH_TIMEOUT, which README documents. Pure: the environment is passed in.
import { UsageError, briefWord } from '../errors.js';
import { sshTimeoutSetting } from '../host-option.js';
import { escapeControl } from '../../model/escape.js';

/**
 * A variable sockscope reads and what for (the completion scripts' own SOCKSCOPE_COMPLETION_* are set per call; glibc's
 * RES_OPTIONS is only added to, a resolver timeout for glibc to read).
 */
interface EnvVar {
  name: string;
  use: string;
  /** Why a set value is refused by what reads it (`refusedBy`, which exits 2 with it), else undefined. */
  refused?: (env: NodeJS.ProcessEnv) => string | undefined;
  /** What refuses it, in the row: "refused by --host unless --ssh-timeout is given: ...". */
  refusedBy?: string;
}

export const ENV_VARS: readonly EnvVar[] = [
  { name: 'SOCKET_DEBUG', use: 'debug above: true/false, log each OS call' },
  { name: 'SOCKET_DEBUG_FILE', use: 'where SOCKET_DEBUG logs go (unset: stderr; the monitor then logs nothing)' },
  { name: 'DEFAULT_BUFFER_SIZE', use: 'bufferSize above (bytes)' },
  { name: 'NO_COLOR', use: 'color above: any value but an empty one turns colour off' },
  {
    name: 'SOCKSCOPE_SSH_TIMEOUT',
    use: '--host: give up on a host that sends nothing this long (unset: 20s; --ssh-timeout wins)',
    // --host exits 2 with a value it cannot read; --ssh-timeout replaces the variable before it is read.
    refusedBy: '--host unless --ssh-timeout is given',
    refused: (env) => {
      try {
        sshTimeoutSetting(env);
        return undefined;
      } catch (e) {
        if (e instanceof UsageError) return e.message;
        throw e;
      }
    },
  },
  { name: 'XDG_CONFIG_HOME', use: 'the user file: $XDG_CONFIG_HOME/sockscope/config.yaml' },
  { name: 'HOME', use: 'the user file without XDG_CONFIG_HOME: $HOME/.config/sockscope/config.yaml; the code cache without XDG_CACHE_HOME' },
  { name: 'XDG_CACHE_HOME', use: 'start-up: a run whose V8 rejects the built code cache keeps its own in $XDG_CACHE_HOME/sockscope' },
  { name: 'NODE_OPTIONS', use: 'start-up: V8 flags here make the built code cache unusable: a cache per flags is kept (XDG_CACHE_HOME)' },
  { name: 'TERM', use: 'colour: dumb turns it off' },
  { name: 'FORCE_COLOR', use: 'colour: 0 or false turns it off' },
  { name: 'SHELL', use: 'sockscope completion without a shell named: the script for this one' },
  { name: 'ZSH_NAME', use: 'as SHELL, for sockscope completion: a value naming zsh picks the zsh script' },
  { name: 'SOCKSCOPE_TEMPLATES_DIR', use: 'generated servers: the templates directory (unset: the installed one)' },
];

/**
 * The rows VARIABLE, VALUE, READ FOR: a value quoted (a long one cut), `unset`, and a refused one says what refuses it
 * and why. It said "(not used: ...)", where --host then exits 2 with it: refused, not ignored.
 */
export function environmentRows(env: NodeJS.ProcessEnv): string[][] {
  return ENV_VARS.map((v) => {
    const value = env[v.name];
    if (value === undefined) return [v.name, 'unset', v.use];
    const refused = v.refused?.(env);
    // Quoted, with control and invisible characters escaped (\x1b): a value cannot drive the terminal.
    const shown = briefWord(value, (s) => `"${escapeControl(s)}"`);
    return [v.name, refused ? `${shown} (refused by ${v.refusedBy ?? 'what reads it'}: ${escapeControl(refused)})` : shown, v.use];
  });
}
