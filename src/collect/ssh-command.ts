// The ssh command line sockscope runs for --host: its arguments (the user's ssh_config and agent apply; sockscope
// adds only what it needs and what the config leaves unset) and how long ssh may stay silent.
import { spawnSync } from 'node:child_process';
import { decodeUtf8Lines } from '../model/escape.js';
import { runStreaming } from './exec.js';
import type { RemoteTarget } from './remote-target.js';

/**
 * How long an ssh may send nothing (no output, under linkBytes read from the link: remote.ts) before its
 * host is given up, without `timeoutMs`: 20 s. A host whose
 * output keeps coming (a large ss over a slow link) may take up to ten times that: the fixed 20 s for
 * the whole transfer left a busy host behind a VPN or a bastion unreadable. The CLI passes --ssh-timeout
 * or SOCKSCOPE_SSH_TIMEOUT (cli/host-option.ts: sshTimeoutSetting, read with the flags' duration rules).
 */
export const DEFAULT_SSH_IDLE_MS = 20_000;

/**
 * ssh's ConnectTimeout (TCP connect and the banner exchange) when the user's config sets none: 10 s under
 * the default limit of 20 s; with --ssh-timeout T (SOCKSCOPE_SSH_TIMEOUT), a second under T (never above
 * it: sockscope gives up after T without a byte anyway), so that ssh's own message says why.
 */
export function connectTimeoutSeconds(timeoutMs: number | undefined): number {
  return timeoutMs === undefined ? 10 : Math.max(1, Math.ceil(timeoutMs / 1000) - 1);
}

/** The options sockscope's ssh gets: -F, the ssh binary, and how long it may send nothing (DEFAULT_SSH_IDLE_MS without it). */
export interface SshOptions {
  readonly configFile?: string;
  readonly sshPath?: string;
  readonly timeoutMs?: number;
}

/** ssh to one --host target. */
export class SshCommand {
  constructor(
    readonly target: RemoteTarget,
    readonly options: SshOptions = {},
  ) {}

  /** The ssh binary to run. */
  get file(): string {
    return this.options.sshPath ?? 'ssh';
  }

  /**
   * The ssh argument array (no shell string is built from user input). The remote
   * command is only `sh -s`: the script, with its nonce, goes on ssh's stdin, because a command line is
   * in /proc/PID/cmdline on the remote host for every user there to read while ss runs.
   * ServerAliveInterval: an ssh whose link died (or whose login hangs after authentication, where
   * ConnectTimeout no longer applies) ends by itself after about 15 s even if nothing here kills it.
   * No Compression option: an -o given here overrides the user's ssh_config (ssh takes the first value
   * it obtains, the command line's first), so `Compression no` for a fast LAN could not win; the README
   * says to put `Compression yes` in the Host block for a VPN or bastion link (ss's text shrinks about
   * 12 times: 844 KB for 5,019 TCP sockets, 67 KB gzipped).
   * ConnectTimeout (connectTimeoutSeconds) only when the user's config sets none (`userConnectTimeout`
   * true: left to theirs): a fixed -o ConnectTimeout=10 overrode a config's 40 for a relay that holds the
   * banner 15 s, and --ssh-timeout 60s could not raise it.
   */
  args(userConnectTimeout = false): string[] {
    const args = ['-T', '-o', 'BatchMode=yes'];
    if (!userConnectTimeout) args.push('-o', `ConnectTimeout=${connectTimeoutSeconds(this.options.timeoutMs)}`);
    args.push('-o', 'ServerAliveInterval=5', '-o', 'ServerAliveCountMax=3', ...this.destinationArgs('sh -s'));
    return args;
  }

  /** `ssh -G` for this host: prints the effective config without connecting (and refuses a config it cannot parse). */
  configArgs(): string[] {
    return ['-G', ...this.destinationArgs()];
  }

  /** -F, -p, `--`, the destination and the remote command (none for ssh -G). */
  private destinationArgs(command?: string): string[] {
    const args: string[] = [];
    if (this.options.configFile) args.push('-F', this.options.configFile);
    if (this.target.port) args.push('-p', String(this.target.port));
    args.push('--', this.target.destination);
    if (command !== undefined) args.push(command);
    return args;
  }

  /**
   * What ssh refuses in the config for this host (sync `ssh -G`, some 5 ms; run once before any host is
   * read): its "line N: ..." complaints ("line 2: Bad configuration option: badkeyword"), without the
   * config file's name; undefined when ssh takes it, or is missing or fails otherwise (left to the
   * hosts' own reading). A config ssh refuses made every host fail, exit 1, where it is bad input.
   */
  configRefusal(): string | undefined {
    const r = spawnSync(this.file, this.configArgs(), { stdio: ['ignore', 'ignore', 'pipe'], timeout: 5000, env: { ...process.env, LC_ALL: 'C' } });
    if (r.error || r.status === 0 || !r.stderr) return undefined;
    const file = this.options.configFile ?? '';
    const said = decodeUtf8Lines(r.stderr)
      .split('\n')
      .filter((l) => /\bline \d+: /.test(l))
      .map((l) => (file && l.startsWith(file) ? l.slice(file.length).replace(/^:? /, '') : l).trim());
    if (said.length === 0) return undefined;
    return `${said.slice(0, 3).join('; ')}${said.length > 3 ? ` (and ${said.length - 3} more)` : ''}`;
  }

  private configTimeout: Promise<boolean> | undefined;

  /**
   * Whether the user's ssh config sets ConnectTimeout for this host: `ssh -G` prints the effective
   * config without connecting (`connecttimeout none` when unset; OpenSSH 6.8 or later), read once per
   * source (some 5 ms). An ssh that cannot say (older, or -G failing) is given sockscope's value, as before.
   */
  userSetsConnectTimeout(signal: AbortSignal): Promise<boolean> {
    this.configTimeout ??= (async () => {
      let out = '';
      try {
        const r = await runStreaming(this.file, this.configArgs(), {
          timeoutMs: 5000,
          signal,
          onStdout: (c) => {
            if (out.length < 1 << 20) out += c.toString('utf8');
          },
        });
        if (r.exitCode !== 0) return false;
      } catch (e) {
        this.configTimeout = undefined; // stopped or failed: asked again next time
        if (signal.aborted) throw e;
        return false;
      }
      const m = /^connecttimeout (\S+)$/m.exec(out);
      return m !== null && m[1] !== 'none';
    })();
    return this.configTimeout;
  }
}
