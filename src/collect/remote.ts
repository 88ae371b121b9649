// Remote hosts over the user's own ssh: runs a fixed script (ss + /proc reads) there and parses it here.
import { randomBytes } from 'node:crypto';
import { SYSCTL_NAMES, type Snapshot } from '../model/snapshot.js';
import { parseRemoteBundle, sectionHeader, type REMOTE_SECTIONS } from '../parse/remote-bundle.js';
import { parseSs } from '../parse/ss.js';
import { run } from './exec.js';
import { impliedNetid, ssArgs } from './ss.js';
import { CollectorError, DEFAULT_TIMEOUT_MS, type CollectOptions, type SocketSource } from './source.js';

export interface RemoteTarget {
  /** user@host or host, as ssh takes it. */
  destination: string;
  port?: number;
}

/** Parses --host values: user@server, server, user@server:2222, ssh://user@server:2222, user@[::1]:2222. Throws on anything else. */
export function parseRemoteTarget(text: string): RemoteTarget {
  let t = text.trim();
  if (t.startsWith('ssh://')) t = t.slice(6);
  if (t === '' || t.startsWith('-') || /[\s'"`$;&|<>\\]/.test(t)) throw new Error(`invalid host "${text}" (expected user@server or server, optionally :port)`);
  const v6 = /^(?:([^@]+)@)?\[([0-9a-fA-F:.]+)\](?::(\d+))?$/.exec(t);
  if (v6) return { destination: v6[1] ? `${v6[1]}@${v6[2]}` : v6[2], ...(v6[3] ? { port: checkPort(v6[3], text) } : {}) };
  const m = /^(?:([A-Za-z0-9._-]+)@)?([A-Za-z0-9._-]+)(?::(\d+))?$/.exec(t);
  if (!m) throw new Error(`invalid host "${text}" (expected user@server or server, optionally :port)`);
  return { destination: m[1] ? `${m[1]}@${m[2]}` : m[2], ...(m[3] ? { port: checkPort(m[3], text) } : {}) };
}

/** The target as one name for messages and reports: user@server:port, IPv6 in brackets (parseRemoteTarget reads it back). */
export function formatRemoteTarget(t: RemoteTarget): string {
  const at = t.destination.lastIndexOf('@');
  const host = t.destination.slice(at + 1);
  return `${t.destination.slice(0, at + 1)}${host.includes(':') ? `[${host}]` : host}${t.port ? `:${t.port}` : ''}`;
}

function checkPort(p: string, text: string): number {
  const n = Number(p);
  if (n < 1 || n > 65535) throw new Error(`invalid port in host "${text}"`);
  return n;
}

/** A fresh nonce for one run's section headers: 128 random bits, never seen by the remote host before the script is. */
function newNonce(): string {
  return randomBytes(16).toString('hex');
}

/**
 * The fixed script run remotely. It contains no user input: the ss arguments are built from validated
 * numbers and fixed flags. Each section is preceded by a header line with this run's nonce: ss prints
 * unix socket paths raw, so anyone who can bind a socket there could write a line of their choosing
 * into the output, and with a fixed marker forge sections (a path "/tmp/i\n@@sockscope@@ ignored\n"
 * hid every socket after it). The script is one brace group, read whole by the shell before it runs,
 * with stdin from /dev/null so no command in it can read the rest of the script.
 */
export function remoteScript(opts: CollectOptions, nonce: string): string {
  if (!/^[0-9a-f]{16,}$/.test(nonce)) throw new Error('remote script nonce must be hex');
  const ss = ['ss', ...ssArgs(opts, (opts.processes ?? 'listeners') !== 'none')].map((a) => (/^[-A-Za-z0-9:=.]+$/.test(a) ? a : `'${a}'`)).join(' ');
  const sysctl = SYSCTL_NAMES.map((n) => `printf '%s=%s\\n' ${n} "$(cat /proc/sys/${n.replace(/\./g, '/')} 2>/dev/null)"`).join('; ');
  const mark = (name: (typeof REMOTE_SECTIONS)[number]) => `echo '${sectionHeader(nonce, name)}'`;
  return [
    '{',
    mark('ss'),
    `LC_ALL=C ${ss} 2>/dev/null; rc=$?`,
    `${mark('ss-exit')}; echo $rc`,
    `${mark('netstat')}; cat /proc/net/netstat 2>/dev/null`,
    `${mark('snmp')}; cat /proc/net/snmp /proc/net/snmp6 2>/dev/null`,
    `${mark('sockstat')}; cat /proc/net/sockstat /proc/net/sockstat6 2>/dev/null`,
    `${mark('sysctl')}; ${sysctl}`,
    `${mark('hostname')}; uname -n`,
    `${mark('kernel')}; uname -r`,
    mark('end'),
    '} </dev/null',
    '',
  ].join('\n');
}

/** Reads a remote host's sockets through `ssh` (BatchMode: never prompts; the user's config and agent apply). */
export class RemoteSource implements SocketSource {
  readonly name = 'remote' as const;
  /** user@server:port: the destination alone said "ssh root@127.0.0.1: refused" for either of two ports. */
  readonly label: string;
  constructor(
    readonly target: RemoteTarget,
    private readonly sshOptions: { configFile?: string; sshPath?: string } = {},
  ) {
    this.label = formatRemoteTarget(target);
  }

  /**
   * The ssh argument array (exported for tests: no shell string is built from user input). The remote
   * command is only `sh -s`: the script, with its nonce, goes on ssh's stdin, because a command line is
   * in /proc/PID/cmdline on the remote host for every user there to read while ss runs.
   */
  sshArgs(): string[] {
    const args = ['-T', '-o', 'BatchMode=yes', '-o', 'ConnectTimeout=10'];
    if (this.sshOptions.configFile) args.push('-F', this.sshOptions.configFile);
    if (this.target.port) args.push('-p', String(this.target.port));
    args.push('--', this.target.destination, 'sh -s');
    return args;
  }

  async collect(opts: CollectOptions = {}): Promise<Snapshot> {
    const t0 = performance.now();
    const time = Date.now();
    const nonce = newNonce();
    const res = await run(this.sshOptions.sshPath ?? 'ssh', this.sshArgs(), { input: remoteScript(opts, nonce), timeoutMs: (opts.timeoutMs ?? DEFAULT_TIMEOUT_MS) + 10_000 });
    if (res.exitCode === 255) throw new CollectorError(`ssh ${this.label}`, res.stderr.trim().split('\n').pop() || 'connection failed');
    const b = parseRemoteBundle(res.stdout, nonce);
    if (b.repeated.length) throw new CollectorError(`ssh ${this.label}`, `the output repeats section ${b.repeated.map((n) => `"${n}"`).join(', ')}: not trusted`);
    if (b.ssExit !== 0) throw new CollectorError(`ss on ${this.label}`, b.ssExit == null ? 'no output (is iproute2 installed there?)' : `exited with ${b.ssExit}`);
    if (!b.complete) throw new CollectorError(`ssh ${this.label}`, `the remote script stopped before its end (exit ${res.exitCode})`);
    let sockets = parseSs(b.ss.endsWith('\n') || b.ss === '' ? b.ss : `${b.ss}\n`, impliedNetid(opts));
    if (opts.port !== undefined || opts.peerPort !== undefined)
      sockets = sockets.filter((s) => s.protocol === 'unix' || s.local.port === opts.port || s.peer.port === opts.peerPort);
    return {
      time,
      hostname: b.hostname,
      kernel: b.kernel,
      source: 'remote',
      sourceNote: `ss over ssh ${this.label}`,
      durationMs: performance.now() - t0,
      sockets,
      counters: b.counters,
      sysctls: b.sysctls,
      attribution: { scope: opts.processes ?? 'listeners', complete: false, hiddenProcesses: 0, note: `processes on ${this.label} are those its ss -p shows to the ssh user` },
      notes: [],
    };
  }
}
