// The getsockopt helper: borrows another process's socket (getsockopt-borrow.ts), reads its options
// (getsockopt-read-fd.ts: never sets them) and closes the duplicate at once; without permission, falls back to what
// the kernel shows anyway. The sysctls the options are judged against come from the process's network namespace
// (getsockopt-netns-sysctls.ts).
import { release } from 'node:os';
import { KIND_NUMBERS } from '../knowledge/interpret-options.js';
import { findOption, SOCKET_OPTIONS, UnknownOptionError, suggestOptions, type SocketOptionInfo } from '../knowledge/socket-options.js';
import { formatEndpoint, type Socket } from '../model/socket.js';
import type { Sysctls } from '../model/snapshot.js';
import type { FdInfo } from '../parse/fdinfo.js';
import { readFdInfo } from './fdinfo.js';
import type { DecodedValue, TcpInfoStruct } from './getsockopt-decode.js';
import { kernelViewReadings, findKernelSocket, kindOfKernelSocket, notApplicableTo } from './getsockopt-fallback.js';
import { defaultOptionNames, optionToRead, withDependencies, type SocketKind } from './getsockopt-options.js';
import { borrowFd, type Borrowed } from './getsockopt-borrow.js';
import { readExtraSysctls, readSysctlFiles, sysctlsFor } from './getsockopt-netns-sysctls.js';
import { readOptionsOnFd } from './getsockopt-read-fd.js';
import { routeHopLimitFacts, routeKeysOf, type RouteKeys } from './route-hop-limit.js';
import { fdLinkInode, NoSuchSocketError, readProcess } from './getsockopt-target.js';
import { unseenPid, unseenPidText } from './proc-pid.js';
import { readHostInfo, readSysctls } from './host.js';
import { ProcfsSource } from './procfs.js';
import type { SocketSource } from './source.js';

/** One option's value, or why there is none. */
export interface OptionReading {
  name: string;
  value?: DecodedValue;
  /** Where the value came from: 'getsockopt', or e.g. 'ss skmem rb' in the fallback. */
  source?: string;
  /** Option actually read when different (IPV6_TCLASS for IP_TOS on an AF_INET6 socket). */
  readAs?: string;
  /** Whose packets the value applies to, when an AF_INET6 socket sends IPv4 too ('IPv4 peers'). */
  readFor?: string;
  /** Not asked for: read because the named option's meaning depends on it (SO_KEEPALIVE for TCP_KEEPIDLE). */
  readBecause?: string;
  /** Why no value: not applicable, not permitted, not supported... */
  missing?: string;
  /** errno name when getsockopt itself failed. */
  errno?: string;
}

export interface InspectTarget {
  pid: number;
  fd: number;
  /** Option names to read (default: every option of the reference except SO_ERROR). */
  options?: readonly string[];
  /** Known inode (from --inode / --port), used when /proc/PID/fd cannot be read. */
  inode?: number;
  /** Collector for the kernel's own view (skmem, timers, tcp_info); default: auto. */
  source?: SocketSource;
  /** Skip the collector (the monitor already has the socket). */
  kernelSocket?: Socket;
  /** The collector kernelSocket came from (netlink, ss, procfs...): the label of the values taken from it. */
  kernelSource?: string;
  /** Process root (tests). */
  procRoot?: string;
}

export interface InspectResult {
  /** null when no process holding the socket could be seen (kernel view only). */
  pid: number | null;
  /** When `pid` is a thread: the process it belongs to (Tgid), through which its fds were borrowed. */
  threadOf?: number;
  fd: number | null;
  process: { name?: string; uid?: number };
  inode?: number;
  /** 'pidfd_getfd': options read from a duplicate of the socket; 'fallback': only what the kernel shows to everyone. */
  method: 'pidfd_getfd' | 'fallback';
  /** Why the duplicate could not be made, when method is 'fallback'. */
  methodNote?: string;
  socket: Partial<SocketKind> & { local?: string; peer?: string; state?: string };
  /** /proc/PID/fdinfo/FD flags (O_NONBLOCK...), or why they could not be read. */
  fdFlags: { info?: FdInfo; source?: string; missing?: string };
  options: OptionReading[];
  /** struct tcp_info read with getsockopt (TCP only). */
  tcpInfo?: TcpInfoStruct;
  /** The socket as the collector sees it (skmem, timer, tcp_info), and which collector. */
  kernelView?: Socket;
  kernelViewSource?: string;
  /** What is missing and why, one sentence each. */
  missing: string[];
  /**
   * The network namespace of the process (the link of /proc/PID/ns/net, "net:[4026532890]"); null when it
   * cannot be read (no visible process, or no permission).
   */
  netns: string | null;
  /**
   * Where the net.* sysctls (tcp_rmem, tcp_wmem, somaxconn, congestion control...: per network namespace) were
   * read: sockscope's own namespace, the process's (another one, read with nsenter), or why they are unknown.
   */
  sysctlsFrom: string;
  sysctls: Sysctls;
  /** Extra sysctls the interpretation uses (keepalive defaults, congestion control), and for a connected IP socket the route to its peer (interpret-options-hop-limit.ts PEER_ROUTE_KEY). */
  extraSysctls: Record<string, string | null>;
  kernel: string;
}

/**
 * Resolves option names (any case, aliases); throws UnknownOptionError (path `options[K]`) for a name not in the
 * reference. A related Linux option the helper reads as itself keeps its name (SO_BINDTOIFINDEX, the index, is
 * not SO_BINDTODEVICE, the name: optionToRead).
 */
export function resolveOptionNames(names: readonly string[] | undefined): SocketOptionInfo[] {
  if (!names || names.length === 0) return defaultOptionNames().map((n) => findOption(n)!);
  const out: SocketOptionInfo[] = [];
  for (const [k, raw] of names.entries()) {
    if (raw.trim() === '') continue;
    const info = optionToRead(raw);
    if (!info) throw new UnknownOptionError(raw, suggestOptions(raw), `options[${k}]`);
    if (!out.some((o) => o.name === info.name)) out.push(info);
  }
  return out;
}

/**
 * Marks the readings added by withDependencies with the option that needed them; one that does not apply to
 * this socket (TCP_USER_TIMEOUT read for TCP_KEEPCNT on a UDP socket) is left out: it says nothing the asked
 * option's own "not applicable" line does not.
 */
function markDependencies(readings: OptionReading[], because: ReadonlyMap<string, string>): OptionReading[] {
  if (because.size === 0) return readings;
  return readings.filter((r) => !(because.has(r.name) && r.missing?.startsWith('not applicable'))).map((r) => (because.has(r.name) ? { ...r, readBecause: because.get(r.name)! } : r));
}

/** How many times fd FD is read again when the duplicate is another socket than the one its fdinfo named. */
const CHANGED_TRIES = 3;

/**
 * Kernel view only: for a socket whose owning process cannot be seen (another user's, without root).
 * `reason` says why getsockopt was impossible.
 */
export async function inspectKernelSocket(opts: { socket: Socket; sourceName: string; options?: readonly string[]; reason: string; procRoot?: string }): Promise<InspectResult> {
  const procRoot = opts.procRoot ?? '/proc';
  const asked = withDependencies(resolveOptionNames(opts.options));
  const because = asked.because;
  // An option read along for another that does not apply to this socket is left out, as markDependencies does.
  const kind = kindOfKernelSocket(opts.socket);
  const infos = asked.infos.filter((i) => !because.has(i.name) || notApplicableTo(i, kind) === undefined);
  const [sysctls, extraSysctls] = await Promise.all([readSysctls(procRoot), readExtraSysctls(procRoot)]);
  const fb = kernelViewReadings(infos, opts.socket, opts.sourceName, opts.reason);
  const s = opts.socket;
  const fmt = (a: Socket['local']) => formatEndpoint(a, s.protocol);
  return {
    pid: null,
    fd: null,
    // The owner's uid is the kernel's (sock_i_uid), known without seeing the process; its name is not.
    process: s.uid !== undefined ? { uid: s.uid } : {},
    inode: s.inode,
    method: 'fallback',
    methodNote: opts.reason,
    socket: { ...fb.kind, state: s.state, local: fmt(s.local), ...(s.state !== 'LISTEN' && s.peer.port !== 0 ? { peer: fmt(s.peer) } : {}) },
    fdFlags: { missing: 'the owning process is not visible, so its fd flags (O_NONBLOCK) are unknown' },
    options: markDependencies(fb.readings, because),
    kernelView: s,
    kernelViewSource: opts.sourceName,
    missing: [opts.reason, fb.summary],
    netns: null,
    sysctlsFrom: "sockscope's own network namespace (the socket was found by its collector, in that namespace)",
    sysctls,
    extraSysctls,
    kernel: release(),
  };
}

/**
 * Inspects the options of socket `fd` of process `pid`: every value labelled with where it came from,
 * and what is missing and why. Used by `sockscope inspect-options` and the monitor's socket view.
 */
export async function inspectSocketOptions(target: InspectTarget): Promise<InspectResult> {
  const procRoot = target.procRoot ?? '/proc';
  const { pid, fd } = target;
  const { infos, because } = withDependencies(resolveOptionNames(target.options));
  const [proc, ns] = await Promise.all([readProcess(procRoot, pid), sysctlsFor(procRoot, pid)]);
  const { sysctls, extraSysctls } = ns;
  const ourUid = process.getuid?.() ?? -1;
  if (proc.name === undefined && proc.uid === undefined) {
    // Not in /proc: exited, or running where /proc does not show it (not mounted; hidepid: kill(pid, 0) EPERM).
    const unseen = unseenPid(procRoot, pid);
    throw new NoSuchSocketError('pid', unseen ? unseenPidText(pid, unseen, ourUid) : `no process with pid ${pid} (it may have exited)`);
  }
  // A thread id: its fds are its process's (threads share the fd table), and pidfd_open takes only a process.
  const threadOf = proc.tgid !== undefined && proc.tgid !== pid ? proc.tgid : undefined;
  const ctx = { targetUid: proc.uid, targetOwnerUid: proc.ownerUid, ourUid, ptraceScope: extraSysctls['kernel.yama.ptrace_scope'], kernel: release() };

  // Which socket is fd, then its flags, then the duplicate: three steps, between which the process may close
  // fd and open another socket on the same number. The fdinfo names the inode its flags belong to (ino:, the
  // N of socket:[N]), and the duplicate must be that socket (fstat); when it is not, the steps are taken again.
  let missing: string[] = [];
  let inode = target.inode;
  let fdFlags: InspectResult['fdFlags'] = {};
  let borrowed: Borrowed<ReturnType<typeof readOptionsOnFd>> = {};
  // The device the socket is bound to and its mark choose its route (routeHopLimitFacts): read on the duplicate too.
  const ttl = infos.some((i) => i.name === 'IP_TTL');
  // And SO_RCVBUF's verdict needs tcp_info's rcv_ooopack (packets out of order grow the buffer: interpret-option-buffers.ts
  // tooLittleReceived), which only getsockopt's struct has: read along on a TCP socket, kept as result.tcpInfo, not shown.
  const hidden = [...(ttl ? ['SO_BINDTODEVICE', 'SO_MARK'] : []), ...(infos.some((i) => i.name === 'SO_RCVBUF') ? ['TCP_INFO'] : [])];
  const hiddenInfos = hidden.filter((n) => !infos.some((i) => i.name === n)).map((n) => findOption(n)!);
  let routeKeys: RouteKeys = {};
  for (let attempt = 1; ; attempt++) {
    missing = [];
    // /proc/PID/fd needs the same permission as ptrace read.
    const link = fdLinkInode(procRoot, pid, fd);
    fdFlags = {};
    const fdi = await readFdInfo(pid, fd, procRoot);
    // The socket the caller found (--port, --inode, the monitor's row) is the one to read; otherwise the
    // fdinfo's, read last: the newer answer to "which socket", and the one the flags describe.
    inode = target.inode ?? fdi.info?.ino ?? link.inode;
    if (link.code) {
      const known = target.inode !== undefined ? `using inode ${inode} given by the caller` : inode !== undefined ? `using inode ${inode} from /proc/${pid}/fdinfo/${fd}` : 'the socket inode is unknown, so the kernel view cannot be matched (choose the socket with --port or --inode instead: ss -e shows ino:)';
      missing.push(`/proc/${pid}/fd/${fd} is not readable (${link.code}): ${known}`);
    }
    if (fdi.info?.ino !== undefined && inode !== undefined && fdi.info.ino !== inode) {
      fdFlags.missing = `fd ${fd} of pid ${pid} held another socket (inode ${fdi.info.ino}) when its flags were read: O_NONBLOCK and other fd flags of inode ${inode} unknown`;
      missing.push(fdFlags.missing);
    } else if (fdi.info) {
      fdFlags.info = fdi.info;
      fdFlags.source = fdi.path;
    } else {
      // readFdInfo says why, a non-dumpable process of this user included.
      fdFlags.missing = `${fdi.missing ?? 'unreadable'}: O_NONBLOCK and other fd flags unknown`;
      missing.push(fdFlags.missing);
    }
    borrowed = borrowFd(threadOf ?? pid, fd, ctx, inode, (dup) => {
      // One read: the options asked for and the hidden ones (route keys, tcp_info) not among them, which are not shown.
      const r = readOptionsOnFd(dup, hiddenInfos.length ? [...infos, ...hiddenInfos] : infos);
      if (ttl) routeKeys = routeKeysOf(r.readings);
      return hiddenInfos.length ? { ...r, readings: r.readings.filter((x) => !hiddenInfos.some((i) => i.name === x.name)) } : r;
    });
    if (borrowed.otherInode === undefined) {
      inode ??= borrowed.inode; // /proc unreadable yet the borrow allowed: the duplicate says which socket it is
      break;
    }
    // With the inode from the caller, the fd no longer holds that socket: a retry reads the same mismatch.
    if (target.inode !== undefined || attempt === CHANGED_TRIES) {
      const tries = attempt > 1 ? ` (${attempt} tries: the process reuses fd ${fd} quickly)` : '';
      const thread = threadOf !== undefined ? `; or thread ${pid} has an fd table of its own (unshare CLONE_FILES), and only its process's can be borrowed` : '';
      borrowed = { error: `${borrowed.error}${tries}${thread}: getsockopt would read another socket, so only the kernel's view of inode ${inode} is shown`, otherInode: borrowed.otherInode };
      break;
    }
  }

  const result: InspectResult = {
    pid,
    fd,
    process: { name: proc.name, uid: proc.uid },
    ...(threadOf !== undefined ? { threadOf } : {}),
    inode,
    method: borrowed.result ? 'pidfd_getfd' : 'fallback',
    socket: {},
    fdFlags,
    options: [],
    missing,
    netns: ns.netns,
    sysctlsFrom: ns.sysctlsFrom,
    sysctls,
    extraSysctls,
    kernel: release(),
  };
  if (ns.missing) missing.push(ns.missing);
  if (borrowed.error) {
    result.methodNote = borrowed.error;
    missing.unshift(borrowed.error);
  }

  // The kernel's own view (what ss/netlink show to everyone): skmem, timers, tcp_info, state, addresses.
  let kernel = target.kernelSocket;
  let kernelSource: string | undefined = kernel ? (target.kernelSource ?? 'caller') : undefined;
  if (!kernel && inode !== undefined) {
    try {
      const localPort = Number(borrowed.result?.local?.replace(/^.*:/, '') ?? 0) || undefined;
      // A process in another network namespace: sockscope's collector lists only its own namespace's
      // sockets, while /proc/PID/net is the process's namespace's view (state, addresses, queues, timer).
      // findKernelSocket may collect up to three times and reads only the sockets: the host's counters once.
      let host: ReturnType<typeof readHostInfo> | undefined;
      const source = ns.other ? new ProcfsSource({ procRoot: `${procRoot}/${pid}`, attribute: null, hostInfo: () => (host ??= readHostInfo(procRoot)) }) : target.source;
      const found = await findKernelSocket(inode, source, localPort);
      if (found) {
        kernel = found.socket;
        kernelSource = ns.other ? `/proc/${pid}/net, network namespace ${ns.netns}` : found.source;
        if (ns.other) missing.push(`pid ${pid} is in another network namespace (${ns.netns}, /proc/${pid}/ns/net) than sockscope: the kernel view comes from /proc/${pid}/net (that namespace's tables), which has no skmem or tcp_info; for those run sockscope there (nsenter --net=/proc/${pid}/ns/net sockscope inspect-options ...)`);
      } else missing.push(notListedReason(inode, borrowed.result, ns.other ? { pid, netns: ns.netns } : undefined));
    } catch (e) {
      missing.push(`kernel view unavailable: ${(e as Error).message}`);
    }
  }
  if (kernel) {
    result.kernelView = kernel;
    result.kernelViewSource = kernelSource;
    result.socket.state = kernel.state;
    result.socket.local = formatEndpoint(kernel.local, kernel.protocol);
    if (kernel.protocol === 'unix' ? kernel.peer.address !== '' : kernel.state !== 'LISTEN' && kernel.peer.port !== 0) result.socket.peer = formatEndpoint(kernel.peer, kernel.protocol);
  }

  if (borrowed.result) {
    Object.assign(result.socket, borrowed.result.kind);
    // A raw IP socket's getsockname() port is its protocol number (inet_getname: inet_sport = the protocol), not a port.
    const local = borrowed.result.local && borrowed.result.kind.type === 'raw' ? borrowed.result.local.replace(/:\d+$/, '') : borrowed.result.local;
    if (local && !result.socket.local) result.socket.local = local;
    // No kernel view: a socket never bound or connected is in the kernel's CLOSE state (as its tcp_info says).
    const state = result.socket.state ?? borrowed.result.tcpInfo?.state ?? (neverBound(borrowed.result) ? 'CLOSE' : undefined);
    if (state) result.socket.state = state;
    result.options = markDependencies(borrowed.result.readings, because);
    result.tcpInfo = borrowed.result.tcpInfo;
  } else {
    const fb = kernelViewReadings(infos, kernel, kernelSource ?? 'collector', borrowed.error ?? 'getsockopt unavailable');
    Object.assign(result.socket, fb.kind);
    result.options = markDependencies(fb.readings, because);
    missing.push(fb.summary);
  }
  // The default IPV6_UNICAST_HOPS of a connected socket is its route's: read in the socket's namespace.
  if (ttl) {
    // The device's hop_limit: another namespace's every interface's was read with its sysctls (no nsenter more).
    const readSysctl = async (name: string) => (ns.other ? (ns.interfaceHopLimits?.[name] ?? null) : (await readSysctlFiles(procRoot, [name]))[name]);
    const route = await routeHopLimitFacts(result.socket, ns.other ? `${procRoot}/${pid}/ns/net` : undefined, { ...routeKeys, device: routeKeys.device ?? kernel?.boundDevice }, readSysctl);
    result.extraSysctls = { ...extraSysctls, ...route.extra };
    if (route.missing && !ns.missing) missing.push(route.missing);
  }
  return result;
}

/** An IP socket with local port 0: never bound or connected (bind and connect both give it a port). */
function neverBound(b: ReturnType<typeof readOptionsOnFd>): boolean {
  return (b.kind.family === 'inet' || b.kind.family === 'inet6') && b.local !== undefined && /:0$/.test(b.local);
}

/**
 * Why the collector did not list a socket. A socket sockscope has just borrowed is open; when it was never
 * bound or connected (local port 0) it is in none of the tables inet_diag and /proc/net walk, so it has no
 * kernel view at all. Otherwise it may have closed in the meantime.
 */
function notListedReason(inode: number, borrowed: ReturnType<typeof readOptionsOnFd> | undefined, other?: { pid: number; netns: string | null }): string {
  // ICMP ping sockets are listed in /proc/net/icmp and icmp6 (ss does not show them), which no collector reads.
  const ip = borrowed && (borrowed.kind.family === 'inet' || borrowed.kind.family === 'inet6');
  const proto = borrowed?.kind[KIND_NUMBERS]?.protocol;
  if (ip && borrowed.kind.type === 'dgram' && (proto === 1 || proto === 58))
    return `no kernel view: the collector does not list ICMP ping sockets (the kernel lists them in /proc/net/${proto === 1 ? 'icmp' : 'icmp6'}, which it does not read: it lists TCP, UDP and unix sockets), so inode ${inode} has no queues or timers here`;
  // Raw IP, packet and netlink sockets are in none of the tables the collectors read (TCP, UDP and unix only).
  if (borrowed && (borrowed.kind.type === 'raw' || borrowed.kind.family === 'other'))
    return `no kernel view: the collector does not list ${borrowed.kind.family === 'other' ? 'packet, netlink or other non-IP, non-unix' : 'raw IP'} sockets (it lists TCP, UDP and unix sockets), so inode ${inode} has no skmem, queues or timers here (ss -w shows raw sockets, ss -0 packet sockets, ss -f netlink netlink sockets)`;
  // Not a kind the collector lists (above, in any namespace): then another namespace is the reason.
  if (other)
    return `the socket (inode ${inode}) is in another network namespace (${other.netns ?? 'unknown'}, /proc/${other.pid}/ns/net) than sockscope, and /proc/${other.pid}/net does not list it${borrowed && neverBound(borrowed) ? ` (never bound or connected: ${borrowed.local})` : ''}; its kernel view is that namespace's (nsenter --net=/proc/${other.pid}/ns/net ss -e shows it)`;
  if (borrowed && neverBound(borrowed))
    return `the collector did not list inode ${inode}: the socket is open but was never bound or connected (${borrowed.local}), and the kernel lists only sockets with an address (no skmem, timers or queues to show)`;
  // Still open (just borrowed) in CLOSE: a connect() that failed (SYN_SENT timed out, refused) or a connection that
  // ended. tcp_set_state(TCP_CLOSE) unhashes it and gives its port back, so no dump lists it, whatever the state mask
  // (measured: ss -tanie, every state, does not show a failed connect's socket).
  if (borrowed?.tcpInfo?.state === 'CLOSE')
    return `the collector did not list inode ${inode}: the process still holds it, in state CLOSE (a connect() that failed or a connection that ended), and the kernel's socket tables, which the netlink dump walks with every state, no longer hold a closed socket (no skmem, timers or queues to show)`;
  return `the collector did not list inode ${inode} (closed meanwhile?)`;
}

/** The reference entries for every option (re-exported for callers that list them). */
export const ALL_OPTIONS = SOCKET_OPTIONS;
