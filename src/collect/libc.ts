// koffi bindings to the few libc socket calls sockscope makes itself (getsockopt on a borrowed fd, try bind/listen/connect).
import { constants as osConstants } from 'node:os';
import { isIPv4, isIPv6 } from 'node:net';
import { loadKoffi } from './koffi.js';
import { logOsCall } from './debug.js';
import { compressIpv6, ipv6Hex } from '../parse/ipv6-text.js';


// Linux x86_64 / generic constants (asm-generic/socket.h, linux/in.h, bits/fcntl-linux.h).
export const AF_UNIX = 1;
export const AF_INET = 2;
export const AF_INET6 = 10;
export const SOCK_STREAM = 1;
export const SOCK_DGRAM = 2;
export const SOCK_NONBLOCK = 0o4000;
export const SOCK_CLOEXEC = 0o2000000;
export const SOL_SOCKET = 1;
export const IPPROTO_IP = 0;
export const IPPROTO_TCP = 6;
export const IPPROTO_UDP = 17;
export const IPPROTO_IPV6 = 41;
export const POLLIN = 0x1;
export const POLLOUT = 0x4;
export const POLLERR = 0x8;
export const POLLHUP = 0x10;

/** Syscall numbers for when glibc (< 2.36) does not export the wrappers. */
const SYSCALL_NR: Record<string, { pidfd_open: number; pidfd_getfd: number }> = {
  x64: { pidfd_open: 434, pidfd_getfd: 438 },
  arm64: { pidfd_open: 434, pidfd_getfd: 438 },
};

/** errno number -> name (ECONNREFUSED...), from Node's own table for this platform. */
const ERRNO_NAMES: Record<number, string> = Object.fromEntries(
  Object.entries(osConstants.errno).map(([name, n]) => [n as number, name]),
);

/** The symbolic name of an errno number ('E123' when unknown). */
export function errnoName(n: number): string {
  return ERRNO_NAMES[n] ?? `E${n}`;
}

/** The errno number of a name (ECONNREFUSED -> 111); undefined when unknown. */
export function errnoNumber(name: string): number | undefined {
  return (osConstants.errno as Record<string, number>)[name];
}

/** A failed libc call: errno and its name. */
export class SyscallError extends Error {
  constructor(
    readonly call: string,
    readonly errno: number,
    readonly code: string = errnoName(errno),
  ) {
    super(`${call}: ${code} (${libcStrerror(errno)})`);
    this.name = 'SyscallError';
  }
}

type Fn = ((...args: unknown[]) => number) & { async: (...args: unknown[]) => void };

interface Libc {
  socket: Fn;
  close: Fn;
  getsockopt: Fn;
  setsockopt: Fn;
  bind: Fn;
  listen: Fn;
  connect: Fn;
  sendto: Fn;
  poll: Fn;
  getsockname: Fn;
  strerror: (n: number) => string;
  pidfdOpen: (pid: number) => number;
  pidfdGetfd: (pidfd: number, fd: number) => number;
  /** if_indextoname(3) into a buffer of IF_NAMESIZE (16) bytes; null (errno set) when it fails. */
  ifIndexToName: (index: number, name: Buffer) => unknown;
  /** if_nametoindex(3) of a NUL-terminated name; 0 (errno set) when it fails. */
  ifNameToIndex: (name: Buffer) => number;
}

let cached: Libc | null | undefined;
let loadError: string | undefined;

/** Loads libc once; null (with libcLoadError()) when koffi or libc.so.6 is unavailable. */
export function libc(): Libc | null {
  if (cached !== undefined) return cached;
  const t0 = performance.now();
  try {
    const koffi = loadKoffi();
    const lib = koffi.load('libc.so.6');
    const f = (decl: string) => lib.func(decl) as unknown as Fn;
    const socklen = koffi.pointer('uint32_t');
    const getsockopt = lib.func('getsockopt', 'int', ['int', 'int', 'int', koffi.out('void *'), koffi.inout(socklen)]) as unknown as Fn;
    const getsockname = lib.func('getsockname', 'int', ['int', koffi.out('void *'), koffi.inout(socklen)]) as unknown as Fn;
    let pidfdOpen: (pid: number) => number;
    let pidfdGetfd: (pidfd: number, fd: number) => number;
    try {
      const po = f('int pidfd_open(int pid, unsigned int flags)');
      const pg = f('int pidfd_getfd(int pidfd, int targetfd, unsigned int flags)');
      pidfdOpen = (pid) => po(pid, 0);
      pidfdGetfd = (pidfd, fd) => pg(pidfd, fd, 0);
    } catch {
      const nr = SYSCALL_NR[process.arch];
      const sys = lib.func('long syscall(long number, ...)') as unknown as (...a: unknown[]) => number;
      pidfdOpen = (pid) => (nr ? Number(sys(nr.pidfd_open, 'int', pid, 'unsigned int', 0)) : (koffi.errno(38), -1));
      pidfdGetfd = (pidfd, fd) => (nr ? Number(sys(nr.pidfd_getfd, 'int', pidfd, 'int', fd, 'unsigned int', 0)) : (koffi.errno(38), -1));
    }
    const strerror = lib.func('const char *strerror(int errnum)') as unknown as (n: number) => string;
    cached = {
      socket: f('int socket(int domain, int type, int protocol)'),
      close: f('int close(int fd)'),
      getsockopt,
      setsockopt: f('int setsockopt(int fd, int level, int name, void *val, uint32_t len)'),
      bind: f('int bind(int fd, void *addr, uint32_t len)'),
      listen: f('int listen(int fd, int backlog)'),
      connect: f('int connect(int fd, void *addr, uint32_t len)'),
      sendto: f('long sendto(int fd, void *buf, size_t len, int flags, void *addr, uint32_t alen)'),
      poll: f('int poll(void *fds, unsigned long nfds, int timeout)'),
      getsockname,
      strerror,
      pidfdOpen,
      pidfdGetfd,
      ifIndexToName: f('void *if_indextoname(unsigned int ifindex, void *ifname)') as unknown as Libc['ifIndexToName'],
      ifNameToIndex: f('unsigned int if_nametoindex(void *ifname)') as unknown as Libc['ifNameToIndex'],
    };
    logOsCall('ffi', 'load libc.so.6', performance.now() - t0);
  } catch (e) {
    loadError = (e as Error).message;
    cached = null;
    logOsCall('ffi', 'load libc.so.6', performance.now() - t0, 0, `error=${loadError}`);
  }
  return cached;
}

/** Why libc() returned null. */
export function libcLoadError(): string | undefined {
  return loadError;
}

/** The C library's message for an errno ("Connection refused"), or the name when libc is unavailable. */
export function libcStrerror(n: number): string {
  const l = cached ?? libc();
  try {
    return l ? l.strerror(n) : errnoName(n);
  } catch {
    return errnoName(n);
  }
}

/** errno after the last koffi call on this thread. */
export function lastErrno(): number {
  return loadKoffi().errno();
}

/** Calls fn, logs it, and throws SyscallError when it returns a negative value. */
export function check(call: string, fn: () => number): number {
  const t0 = performance.now();
  const r = Number(fn());
  const err = r < 0 ? lastErrno() : 0;
  logOsCall('ffi', call, performance.now() - t0, undefined, r < 0 ? `errno=${errnoName(err)}` : undefined);
  if (r < 0) throw new SyscallError(call, err);
  return r;
}

/** Closes an fd sockscope owns, ignoring errors. */
export function closeFd(fd: number): void {
  const l = libc();
  if (l && fd >= 0) l.close(fd);
}

/** Builds a struct sockaddr_in / sockaddr_in6 for an IP literal and port. */
export function encodeSockaddr(address: string, port: number, scopeId = 0): { family: number; buf: Buffer } {
  if (isIPv4(address)) {
    const b = Buffer.alloc(16);
    b.writeUInt16LE(AF_INET, 0);
    b.writeUInt16BE(port, 2);
    address.split('.').forEach((p, i) => b.writeUInt8(Number(p), 4 + i));
    return { family: AF_INET, buf: b };
  }
  const hex = isIPv6(address) ? ipv6Hex(address.replace(/%.*$/, '')) : undefined; // the zone travels as scopeId
  if (hex !== undefined) {
    const b = Buffer.alloc(28);
    b.writeUInt16LE(AF_INET6, 0);
    b.writeUInt16BE(port, 2);
    b.writeUInt32BE(0, 4); // flowinfo
    Buffer.from(hex, 'hex').copy(b, 8);
    b.writeUInt32LE(scopeId, 24);
    return { family: AF_INET6, buf: b };
  }
  throw new Error(`not an IP address: ${address}`);
}

/** Decodes a sockaddr_in/in6 buffer (getsockname) into address and port. */
export function decodeSockaddr(b: Buffer): { address: string; port: number } | null {
  const fam = b.readUInt16LE(0);
  if (fam === AF_INET) return { address: [4, 5, 6, 7].map((i) => b[i]).join('.'), port: b.readUInt16BE(2) };
  if (fam === AF_INET6) {
    // IPv4-mapped (::ffff:a.b.c.d) comes out in the mixed notation people type and ss prints (RFC 5952 section 5).
    const parts: string[] = [];
    for (let i = 0; i < 8; i++) parts.push(b.readUInt16BE(8 + i * 2).toString(16));
    return { address: compressIpv6(parts), port: b.readUInt16BE(2) };
  }
  return null;
}

