// The getsockopt helper: borrows another process's socket with pidfd_open + pidfd_getfd, reads its options
// (never sets them) and closes the duplicate at once; without permission, falls back to what the kernel shows anyway.
import { readFile, readlink, stat } from 'node:fs/promises';
import { release } from 'node:os';
import { findOption, SOCKET_OPTIONS, UnknownOptionError, suggestOptions, type SocketOptionInfo } from '../knowledge/socket-options.js';
import { formatEndpoint, type Socket } from '../model/socket.js';
import type { Sysctls } from '../model/snapshot.js';
import { socketInodeInText } from '../parse/fd-link.js';
import type { FdInfo } from '../parse/fdinfo.js';
import { readFdInfo } from './fdinfo.js';
import { logOsCall } from './debug.js';
import { decodeOption, type DecodedValue, type TcpInfoStruct } from './getsockopt-decode.js';
import { kernelViewReadings, findKernelSocket } from './getsockopt-fallback.js';
import { defaultOptionNames, notApplicable, readPlan, type SocketKind } from './getsockopt-options.js';
import { readProcText, readSysctls } from './host.js';
import { AF_INET, AF_INET6, AF_UNIX, closeFd, errnoName, lastErrno, libc, libcLoadError, libcStrerror, decodeSockaddr } from './libc.js';
import { CollectorError, type SocketSource } from './source.js';

/** One option's value, or why there is none. */
export interface OptionReading {
  name: string;
  value?: DecodedValue;
  /** Where the value came from: 'getsockopt', or e.g. 'ss skmem rb' in the fallback. */
  source?: string;
  /** Option actually read when different (IPV6_TCLASS for IP_TOS on an AF_INET6 socket). */
  readAs?: string;
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
  /** Process root (tests). */
  procRoot?: string;
}

export interface InspectResult {
  /** null when no process holding the socket could be seen (kernel view only). */
  pid: number | null;
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
  sysctls: Sysctls;
  /** Extra sysctls the interpretation uses (keepalive defaults, congestion control). */
  extraSysctls: Record<string, string | null>;
  kernel: string;
}

/** Resolves option names (any case, aliases); throws UnknownOptionError (path `options[K]`) for a name not in the reference. */
export function resolveOptionNames(names: readonly string[] | undefined): SocketOptionInfo[] {
  if (!names || names.length === 0) return defaultOptionNames().map((n) => findOption(n)!);
  const out: SocketOptionInfo[] = [];
  for (const [k, raw] of names.entries()) {
    if (raw.trim() === '') continue;
    const info = findOption(raw);
    if (!info) throw new UnknownOptionError(raw, suggestOptions(raw), `options[${k}]`);
    if (!out.includes(info)) out.push(info);
  }
  return out;
}

const EXTRA_SYSCTLS = [
  'net.ipv4.tcp_keepalive_time',
  'net.ipv4.tcp_keepalive_intvl',
  'net.ipv4.tcp_keepalive_probes',
  'net.ipv4.tcp_congestion_control',
  'net.ipv4.tcp_moderate_rcvbuf',
  'net.ipv4.tcp_notsent_lowat',
  'net.ipv4.tcp_fastopen',
  'kernel.yama.ptrace_scope',
] as const;

async function readExtraSysctls(procRoot: string): Promise<Record<string, string | null>> {
  const vals = await Promise.all(EXTRA_SYSCTLS.map((n) => readProcText(`${procRoot}/sys/${n.replace(/\./g, '/')}`)));
  return Object.fromEntries(EXTRA_SYSCTLS.map((n, i) => [n, vals[i]?.trim() ?? null]));
}

function describeKind(domain: number, type: number, protocol: number): SocketKind {
  return {
    family: domain === AF_INET ? 'inet' : domain === AF_INET6 ? 'inet6' : domain === AF_UNIX ? 'unix' : 'other',
    type: ({ 1: 'stream', 2: 'dgram', 3: 'raw', 5: 'seqpacket' } as const)[type as 1 | 2 | 3 | 5] ?? 'other',
    protocol: protocol === 6 ? 'tcp' : protocol === 17 ? 'udp' : protocol === 0 && domain === AF_UNIX ? 'other' : protocol === 262 ? 'tcp' : 'other',
  };
}

/** Reads one int-sized option on an fd sockscope holds; null on error. */
function readInt(fd: number, level: number, optname: number): number | null {
  const l = libc()!;
  const b = Buffer.alloc(4);
  const len = [4];
  return Number(l.getsockopt(fd, level, optname, b, len)) === 0 ? b.readInt32LE(0) : null;
}

/**
 * Reads options on an fd this process holds (its own socket, or a pidfd_getfd duplicate). getsockopt only.
 * Returns the socket kind (from SO_DOMAIN/SO_TYPE/SO_PROTOCOL), each reading, the decoded tcp_info and local address.
 */
export function readOptionsOnFd(fd: number, infos: readonly SocketOptionInfo[]): { kind: SocketKind; readings: OptionReading[]; tcpInfo?: TcpInfoStruct; local?: string } {
  const l = libc();
  if (!l) throw new CollectorError('koffi', `cannot load libc: ${libcLoadError() ?? 'unknown error'}`);
  const t0 = performance.now();
  const kind = describeKind(readInt(fd, 1, 39) ?? -1, readInt(fd, 1, 3) ?? -1, readInt(fd, 1, 38) ?? -1);
  const readings: OptionReading[] = [];
  let tcpInfo: TcpInfoStruct | undefined;
  for (const info of infos) {
    const na = notApplicable(info, kind);
    if (na) {
      readings.push({ name: info.name, missing: `not applicable: ${na}` });
      continue;
    }
    const plan = readPlan(info, kind);
    const buf = Buffer.alloc(plan.size);
    const len = [plan.size];
    const r = Number(l.getsockopt(fd, plan.level, plan.optname, buf, len));
    if (r !== 0) {
      const e = lastErrno();
      const code = errnoName(e);
      const why = code === 'ENOPROTOOPT' || code === 'EOPNOTSUPP' ? `this kernel or socket does not support it (${code})` : `getsockopt failed: ${code} (${libcStrerror(e)})`;
      readings.push({ name: info.name, missing: why, errno: code, ...(plan.readAs ? { readAs: plan.readAs } : {}) });
      continue;
    }
    const value = decodeOption(plan.kind, buf, len[0]);
    if (plan.kind === 'tcp_info') tcpInfo = value as TcpInfoStruct;
    readings.push({ name: info.name, value, source: 'getsockopt', ...(plan.readAs ? { readAs: plan.readAs } : {}) });
  }
  let local: string | undefined;
  const sa = Buffer.alloc(128);
  const salen = [128];
  if (Number(l.getsockname(fd, sa, salen)) === 0) {
    const d = decodeSockaddr(sa);
    if (d) local = d.address.includes(':') ? `[${d.address}]:${d.port}` : `${d.address}:${d.port}`;
  }
  logOsCall('ffi', `getsockopt x${infos.length} fd=${fd}`, performance.now() - t0);
  return { kind, readings, tcpInfo, local };
}

/** Explains a pidfd_open / pidfd_getfd failure in one sentence. */
export function explainPidfdError(call: string, code: string, ctx: { pid: number; fd: number; targetUid?: number; targetOwnerUid?: number; ourUid: number; ptraceScope: string | null; kernel: string }): string {
  switch (code) {
    case 'EPERM':
    case 'EACCES': {
      if (ctx.targetUid === ctx.ourUid && ctx.ourUid !== 0 && ctx.targetOwnerUid !== undefined && ctx.targetOwnerUid !== ctx.ourUid)
        return `${call} failed with ${code}: pid ${ctx.pid} is yours (uid ${ctx.ourUid}) but not dumpable (prctl PR_SET_DUMPABLE 0, or started from a setuid binary), so only root (CAP_SYS_PTRACE) may borrow its sockets`;
      const who = ctx.targetUid !== undefined && ctx.targetUid !== ctx.ourUid ? `pid ${ctx.pid} runs as uid ${ctx.targetUid} and sockscope as uid ${ctx.ourUid}` : `sockscope (uid ${ctx.ourUid}) may not ptrace pid ${ctx.pid}`;
      const yama = ctx.ptraceScope && ctx.ptraceScope !== '0' ? `; kernel.yama.ptrace_scope=${ctx.ptraceScope} restricts ptrace further` : '';
      return `${call} failed with ${code}: reading another process's socket needs root (CAP_SYS_PTRACE) or the same user with ptrace allowed; ${who}${yama}`;
    }
    case 'ENOSYS':
      return `${call} is not available (ENOSYS): kernel ${ctx.kernel} is older than Linux 5.6`;
    case 'ESRCH':
      return `${call} failed with ESRCH: pid ${ctx.pid} has exited`;
    case 'EBADF':
      return `${call} failed with EBADF: pid ${ctx.pid} has no fd ${ctx.fd} any more`;
    default:
      return `${call} failed with ${code}`;
  }
}

/** Borrows (pid, fd) and reads its options; null with the reason when the duplicate cannot be made. */
function borrowAndRead(pid: number, fd: number, infos: readonly SocketOptionInfo[], ctx: Omit<Parameters<typeof explainPidfdError>[2], 'pid' | 'fd'>): { result?: ReturnType<typeof readOptionsOnFd>; error?: string } {
  const l = libc();
  if (!l) return { error: `cannot call getsockopt: koffi could not load libc (${libcLoadError() ?? 'unknown'})` };
  const t0 = performance.now();
  const pidfd = Number(l.pidfdOpen(pid));
  if (pidfd < 0) {
    const code = errnoName(lastErrno());
    logOsCall('ffi', `pidfd_open(${pid})`, performance.now() - t0, undefined, `errno=${code}`);
    return { error: explainPidfdError('pidfd_open', code, { ...ctx, pid, fd }) };
  }
  try {
    const dup = Number(l.pidfdGetfd(pidfd, fd));
    if (dup < 0) {
      const code = errnoName(lastErrno());
      logOsCall('ffi', `pidfd_getfd(${pid}, ${fd})`, performance.now() - t0, undefined, `errno=${code}`);
      return { error: explainPidfdError('pidfd_getfd', code, { ...ctx, pid, fd }) };
    }
    logOsCall('ffi', `pidfd_getfd(${pid}, ${fd}) -> ${dup}`, performance.now() - t0);
    try {
      return { result: readOptionsOnFd(dup, infos) };
    } finally {
      closeFd(dup);
    }
  } finally {
    closeFd(pidfd);
  }
}

async function readProcess(procRoot: string, pid: number): Promise<{ name?: string; uid?: number; ownerUid?: number }> {
  const [comm, status, dir] = await Promise.all([
    readProcText(`${procRoot}/${pid}/comm`),
    readProcText(`${procRoot}/${pid}/status`),
    stat(`${procRoot}/${pid}/fd`).catch(() => undefined),
  ]);
  const uid = status ? /^Uid:\s+(\d+)/m.exec(status)?.[1] : undefined;
  // The owner of /proc/PID/fd is root, not the real uid, for a process that is not dumpable (prctl, setuid start).
  return { name: comm?.replace(/\n$/, ''), uid: uid !== undefined ? Number(uid) : undefined, ownerUid: dir?.uid };
}

/**
 * Kernel view only: for a socket whose owning process cannot be seen (another user's, without root).
 * `reason` says why getsockopt was impossible.
 */
export async function inspectKernelSocket(opts: { socket: Socket; sourceName: string; options?: readonly string[]; reason: string; procRoot?: string }): Promise<InspectResult> {
  const procRoot = opts.procRoot ?? '/proc';
  const infos = resolveOptionNames(opts.options);
  const [sysctls, extraSysctls] = await Promise.all([readSysctls(procRoot), readExtraSysctls(procRoot)]);
  const fb = kernelViewReadings(infos, opts.socket, opts.sourceName, opts.reason);
  const s = opts.socket;
  const fmt = (a: Socket['local']) => formatEndpoint(a, s.protocol);
  const got = fb.readings.filter((r) => r.value !== undefined).length;
  return {
    pid: null,
    fd: null,
    process: {},
    inode: s.inode,
    method: 'fallback',
    methodNote: opts.reason,
    socket: { ...fb.kind, state: s.state, local: fmt(s.local), ...(s.state !== 'LISTEN' && s.peer.port !== 0 ? { peer: fmt(s.peer) } : {}) },
    fdFlags: { missing: 'the owning process is not visible, so its fd flags (O_NONBLOCK) are unknown' },
    options: fb.readings,
    kernelView: s,
    kernelViewSource: opts.sourceName,
    missing: [opts.reason, fb.summary],
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
  const infos = resolveOptionNames(target.options);
  const [proc, sysctls, extraSysctls] = await Promise.all([readProcess(procRoot, pid), readSysctls(procRoot), readExtraSysctls(procRoot)]);
  if (proc.name === undefined && proc.uid === undefined) throw new CollectorError('process', `no process with pid ${pid}`);
  const missing: string[] = [];
  const ourUid = process.getuid?.() ?? -1;

  // Which socket is fd? /proc/PID/fd needs the same permission as ptrace read.
  let inode = target.inode;
  const t0 = performance.now();
  try {
    const link = await readlink(`${procRoot}/${pid}/fd/${fd}`);
    logOsCall('read', `readlink ${procRoot}/${pid}/fd/${fd}`, performance.now() - t0, link.length);
    const ino = socketInodeInText(link);
    if (ino === 0) throw new CollectorError('process', `fd ${fd} of pid ${pid} is not a socket (it is ${link})`);
    inode = ino;
  } catch (e) {
    if (e instanceof CollectorError) throw e;
    const code = (e as NodeJS.ErrnoException).code ?? 'error';
    logOsCall('read', `readlink ${procRoot}/${pid}/fd/${fd}`, performance.now() - t0, 0, `error=${code}`);
    if (code === 'ENOENT') throw new CollectorError('process', `pid ${pid} has no fd ${fd}`);
    missing.push(`/proc/${pid}/fd/${fd} is not readable (${code}): ${inode !== undefined ? `using inode ${inode} given by the caller` : 'the socket inode is unknown, so the kernel view cannot be matched (choose the socket with --port or --inode instead: ss -e shows ino:)'}`);
  }

  const fdFlags: InspectResult['fdFlags'] = {};
  const fdi = await readFdInfo(pid, fd, procRoot);
  if (fdi.info) {
    fdFlags.info = fdi.info;
    fdFlags.source = fdi.path;
  } else {
    fdFlags.missing = `${fdi.missing ?? 'unreadable'}: O_NONBLOCK and other fd flags unknown`;
    missing.push(fdFlags.missing);
  }

  const borrowed = borrowAndRead(pid, fd, infos, { targetUid: proc.uid, targetOwnerUid: proc.ownerUid, ourUid, ptraceScope: extraSysctls['kernel.yama.ptrace_scope'], kernel: release() });
  const result: InspectResult = {
    pid,
    fd,
    process: { name: proc.name, uid: proc.uid },
    inode,
    method: borrowed.result ? 'pidfd_getfd' : 'fallback',
    socket: {},
    fdFlags,
    options: [],
    missing,
    sysctls,
    extraSysctls,
    kernel: release(),
  };
  if (borrowed.error) {
    result.methodNote = borrowed.error;
    missing.unshift(borrowed.error);
  }

  // The kernel's own view (what ss/netlink show to everyone): skmem, timers, tcp_info, state, addresses.
  let kernel = target.kernelSocket;
  let kernelSource: string | undefined = kernel ? 'caller' : undefined;
  if (!kernel && inode !== undefined) {
    try {
      const localPort = Number(borrowed.result?.local?.replace(/^.*:/, '') ?? 0) || undefined;
      const found = await findKernelSocket(inode, target.source, localPort);
      if (found) {
        kernel = found.socket;
        kernelSource = found.source;
      } else missing.push(`the collector did not list inode ${inode} (closed meanwhile?)`);
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
    if (borrowed.result.local && !result.socket.local) result.socket.local = borrowed.result.local;
    result.options = borrowed.result.readings;
    result.tcpInfo = borrowed.result.tcpInfo;
  } else {
    const fb = kernelViewReadings(infos, kernel, kernelSource ?? 'collector', borrowed.error ?? 'getsockopt unavailable');
    Object.assign(result.socket, fb.kind);
    result.options = fb.readings;
    missing.push(fb.summary);
  }
  return result;
}

/** The reference entries for every option (re-exported for callers that list them). */
export const ALL_OPTIONS = SOCKET_OPTIONS;
