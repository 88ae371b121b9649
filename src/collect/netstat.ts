// The netstat collector (Linux): net-tools `netstat`, or busybox's netstat when net-tools is absent.
// One child process per poll; the text is parsed by src/parse/netstat-nettools.ts or netstat-busybox.ts.
import type { Protocol, Socket } from '../model/socket.js';
import type { Snapshot } from '../model/snapshot.js';
import { parseBusybox } from '../parse/netstat-busybox.js';
import { parseNetTools } from '../parse/netstat-nettools.js';
import { foldUnixAcceptQueues } from '../parse/proc-unix.js';
import { hasLinkLocalAddress } from '../model/socket.js';
import { linkLocalNote, unixQueuesNote } from './procfs.js';
import { attributeWith, type AttributeFn } from './attribution.js';
import { assembleSnapshot } from './assemble.js';
import { run, stdioInodesInUse, type RunResult } from './exec.js';
import { readHostInfo, type HostInfo } from './host.js';
import { dropStdioSockets } from './stdio-sockets.js';
import { procMount } from './proc-pid.js';
import { checkUnixNames, kernelUnixSockets, type KernelUnixSockets } from './unix-newline-names.js';
// Registers the shared cached attributor when this collector is used on its own.
import './processes.js';
import { ALL_PROTOCOLS, CollectorError, DEFAULT_TIMEOUT_MS, listenersOnlyForDirection, portFilterOf, type CollectOptions, type SocketSource } from './source.js';

export type NetstatFlavor = 'net-tools' | 'busybox';

/** What was found on the host: which program to run and which optional busybox features it has. */
export interface NetstatTool {
  flavor: NetstatFlavor;
  /** Program and leading arguments: ['netstat'] or ['busybox', 'netstat']. */
  command: string[];
  /** busybox built with FEATURE_NETSTAT_PRG (-p) / FEATURE_NETSTAT_WIDE (-W); net-tools has both. */
  hasProgram: boolean;
  hasWide: boolean;
}

type Runner = (file: string, args: readonly string[], opts?: { timeoutMs?: number; stdioSockets?: boolean }) => Promise<RunResult>;

const PROTO_FLAGS: Record<Protocol, string> = { tcp: 't', udp: 'u', unix: 'x' };

/** Reads busybox's usage line "[-en...]" for the optional W and p letters. */
export function busyboxFeatures(usage: string): { hasProgram: boolean; hasWide: boolean } {
  const m = /\[-en([A-Za-z]*)\]/.exec(usage);
  const extra = m?.[1] ?? '';
  return { hasProgram: extra.includes('p'), hasWide: extra.includes('W') };
}

/** The netstat arguments for a request (exported for tests). */
export function netstatArgs(tool: NetstatTool, opts: CollectOptions, withProgram: boolean): string[] {
  const protos = opts.protocols ?? ALL_PROTOCOLS;
  let flags = `-${protos.map((p) => PROTO_FLAGS[p]).join('')}an`;
  // -e: uid and inode columns; -W: IPv6 addresses uncut; -o: the timer of each TCP socket (retransmissions,
  // zero-window probes), which the SYN_SENT and Send-Q rules read. busybox's netstat has no -o.
  if (tool.flavor === 'net-tools') flags += protos.some((p) => p !== 'unix') ? 'eWo' : 'eW';
  else if (tool.hasWide) flags += 'W';
  if (withProgram) flags += 'p';
  return [...tool.command.slice(1), flags];
}

export interface NetstatSourceOptions {
  /** Force a flavor (tests); default: net-tools when `netstat --version` says so, else busybox. */
  flavor?: NetstatFlavor;
  runner?: Runner;
  attribute?: AttributeFn | null;
  hostInfo?: () => Promise<HostInfo>;
  /**
   * The kernel's unix sockets, to check netstat -x's names against (checkUnixNames; netstat reads
   * /proc/net/unix); default: a netlink unix_diag dump when netstat itself runs (no injected runner).
   */
  kernelUnix?: KernelUnixSockets | null;
}

/** Reads sockets by running netstat. Owners come from the shared attributor (by inode) where netstat gives inodes. */
export class NetstatSource implements SocketSource {
  readonly name = 'netstat' as const;
  private tool: NetstatTool | undefined;
  private readonly runner: Runner;

  constructor(private readonly opts: NetstatSourceOptions = {}) {
    this.runner = opts.runner ?? run;
  }

  /** Finds the netstat to use (once per instance). Throws CollectorError when there is none. */
  async detect(timeoutMs = DEFAULT_TIMEOUT_MS): Promise<NetstatTool> {
    if (this.tool) return this.tool;
    const want = this.opts.flavor;
    const errors: string[] = [];
    // Each candidate's error itself, for the cause (export's lastingFailure: none of them installed is for good).
    const causes: unknown[] = [];
    if (want !== 'busybox') {
      try {
        const r = await this.runner('netstat', ['--version'], { timeoutMs });
        const text = r.stdout + r.stderr;
        if (/net-tools/i.test(text)) return (this.tool = { flavor: 'net-tools', command: ['netstat'], hasProgram: true, hasWide: true });
        // Alpine and friends: netstat is a busybox applet that answers --version with its usage.
        if (/BusyBox/.test(text) && want !== 'net-tools') return (this.tool = { flavor: 'busybox', command: ['netstat'], ...busyboxFeatures(text) });
        errors.push(`netstat is neither net-tools nor busybox (${text.trim().split('\n')[0] ?? ''})`);
        causes.push(new Error(errors.at(-1)));
      } catch (e) {
        errors.push((e as Error).message);
        causes.push(e);
      }
    }
    if (want !== 'net-tools') {
      try {
        const r = await this.runner('busybox', ['netstat', '--help'], { timeoutMs });
        const text = r.stdout + r.stderr;
        if (/Usage: netstat/.test(text)) return (this.tool = { flavor: 'busybox', command: ['busybox', 'netstat'], ...busyboxFeatures(text) });
        errors.push('busybox has no netstat applet');
        causes.push(new Error(errors.at(-1)));
      } catch (e) {
        errors.push((e as Error).message);
        causes.push(e);
      }
    }
    throw new CollectorError('netstat', `no usable netstat (${errors.join('; ')})`, new AggregateError(causes, 'no usable netstat'));
  }

  async collect(opts: CollectOptions = {}): Promise<Snapshot> {
    const t0 = performance.now();
    const time = Date.now();
    const timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    const scope = opts.processes ?? 'listeners';
    const tool = await this.detect(timeoutMs);
    const attribute = this.opts.attribute !== undefined ? this.opts.attribute : await attributeWith();
    // net-tools gives inodes (-e), so the cached attributor can do better than -p (all owners, not the first).
    const useAttributor = scope !== 'none' && attribute != null && tool.flavor === 'net-tools';
    const withProgram = scope !== 'none' && !useAttributor && tool.hasProgram;
    const unix = (opts.protocols ?? ALL_PROTOCOLS).includes('unix');
    const [res, host] = await Promise.all([
      this.runner(tool.command[0], netstatArgs(tool, opts, withProgram), unix ? { timeoutMs, stdioSockets: true } : { timeoutMs }),
      this.opts.hostInfo ? this.opts.hostInfo() : readHostInfo(),
    ]);
    if (res.exitCode !== 0 && res.stdout.trim() === '') {
      throw new CollectorError(tool.command.join(' '), `exited with ${res.exitCode}: ${res.stderr.trim().split('\n')[0] ?? ''}`);
    }
    // net-tools prints its headers, then "no support for `AF INET (tcp)' on this system" and exit 1 when it cannot
    // read /proc/net/tcp (/proc not mounted): that read as a host without sockets, exit 0. IPv4 unreadable is a
    // failure; a missing IPv6 family alone (IPv6 disabled) is not.
    const noInet = res.exitCode !== 0 ? /no support for `AF INET \(.*$/m.exec(res.stderr) : null;
    if (noInet) {
      throw new CollectorError(tool.command.join(' '), `${noInet[0]}${procMount('/proc').mounted ? '' : ' (/proc is not mounted: mount -t proc proc /proc)'}`);
    }
    let sockets: Socket[] = tool.flavor === 'net-tools' ? parseNetTools(res.stdout) : parseBusybox(res.stdout);
    if (unix) {
      // netstat -x lists the socketpairs of its own stdout and stderr, and those of any other ss or netstat
      // this process runs at the time (stdioInodesInUse); it prints no peers, so both ends' inodes are needed.
      dropStdioSockets(sockets, stdioInodesInUse(res.stdioSockets));
      sockets = foldUnixAcceptQueues(sockets);
    }
    const notes: string[] = [];
    let kernelUnixRows = false;
    if (unix) {
      // A name with a newline can make up rows in netstat -x (it prints /proc/net/unix's names raw): where the kernel lists one, its unix rows instead.
      const kernel = this.opts.kernelUnix !== undefined ? this.opts.kernelUnix : this.opts.runner === undefined ? kernelUnixSockets : null;
      const checked = await checkUnixNames(sockets, 'netstat -x (from /proc/net/unix)', kernel, timeoutMs);
      if (checked.fromKernel) dropStdioSockets(checked.sockets, stdioInodesInUse(res.stdioSockets));
      sockets = checked.sockets;
      kernelUnixRows = checked.fromKernel;
      if (checked.note) notes.push(checked.note);
    }
    const keep = portFilterOf(opts);
    // A unix socket has no port: none matches a port filter (as netlink, which does not dump them then).
    if (keep) sockets = sockets.filter((s) => s.protocol !== 'unix' && keep(s));
    let tcpListener = false;
    let unixSeen = false;
    let linkLocal = false;
    for (const s of sockets) {
      if (s.protocol === 'unix') unixSeen = true;
      else if (s.state === 'LISTEN' && s.protocol === 'tcp') tcpListener = true;
      if (!linkLocal && hasLinkLocalAddress(s)) linkLocal = true;
    }
    if (tcpListener && !listenersOnlyForDirection(opts)) notes.push('netstat cannot see listen backlogs (Send-Q of LISTEN sockets); use --source ss or netlink for backlog advice');
    if (tool.flavor === 'net-tools' && unixSeen && !kernelUnixRows) notes.push('net-tools netstat cuts unix socket paths at the first whitespace (space, tab or newline): `/tmp/a b` shows as `/tmp/a`; --source procfs, ss or netlink keep such names whole');
    if (linkLocal) notes.push(linkLocalNote('netstat has'));
    if (unixSeen && !kernelUnixRows) notes.push(unixQueuesNote('netstat -x has'));
    let attribution: Snapshot['attribution'] = { scope: 'none', complete: true, hiddenProcesses: 0 };
    if (scope !== 'none') {
      if (useAttributor) {
        attribution = await attribute!(sockets, scope, { reach: opts.attribution });
      } else if (withProgram) {
        if (scope === 'listeners') for (const s of sockets) if (s.state !== 'LISTEN' && !(s.protocol === 'udp' && s.peer.port === 0)) s.processes = [];
        const root = typeof process.getuid !== 'function' || process.getuid() === 0;
        attribution = root
          ? { scope, complete: true, hiddenProcesses: 0, note: `${tool.command.join(' ')} -p names one process per socket even when several share it` }
          : { scope, complete: false, hiddenProcesses: 0, note: `${tool.command.join(' ')} -p shows only this user's processes without root` };
      } else {
        attribution = { scope: 'none', complete: false, hiddenProcesses: 0, note: `${tool.command.join(' ')} was built without -p: socket owners are unknown` };
      }
    }
    return assembleSnapshot({
      time,
      startedAt: t0,
      host,
      source: 'netstat',
      sourceNote: tool.flavor === 'busybox' ? 'busybox netstat' : 'net-tools netstat',
      sockets,
      attribution,
      notes,
    });
  }
}
