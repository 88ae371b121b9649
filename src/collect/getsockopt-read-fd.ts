// getsockopt on an fd this process holds (its own socket, or the duplicate getsockopt-borrow.ts makes of another
// process's): the socket's kind and local address, then each option, read and never set.
import type { SocketOptionInfo } from '../knowledge/socket-options.js';
import { KIND_NUMBERS } from '../knowledge/interpret-options.js';
import { logOsCall } from './debug.js';
import { decodeOption, type TcpInfoStruct } from './getsockopt-decode.js';
import { ipv6Carries, notApplicable, readPlans, type SocketKind } from './getsockopt-options.js';
import type { OptionReading } from './getsockopt.js';
import { AF_INET, AF_INET6, AF_UNIX, errnoName, lastErrno, libc, libcLoadError, libcStrerror, decodeSockaddr } from './libc.js';
import { CollectorError } from './source.js';

function describeKind(domain: number, type: number, protocol: number): SocketKind {
  return {
    family: domain === AF_INET ? 'inet' : domain === AF_INET6 ? 'inet6' : domain === AF_UNIX ? 'unix' : 'other',
    type: ({ 1: 'stream', 2: 'dgram', 3: 'raw', 5: 'seqpacket' } as const)[type as 1 | 2 | 3 | 5] ?? 'other',
    protocol: protocol === 6 ? 'tcp' : protocol === 17 ? 'udp' : protocol === 0 && domain === AF_UNIX ? 'other' : protocol === 262 ? 'tcp' : 'other',
    // Read whatever --options asks for: the socket line and protocol names need them (review s23 dB #6).
    [KIND_NUMBERS]: { domain, type, protocol },
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
 * On an AF_INET6 socket that sends IPv4 (v4-mapped, or dual stack) IP_TTL/IP_TOS are read at the IPv4 level
 * too (readPlans): a reading then says whose packets it applies to (`readFor`).
 */
export function readOptionsOnFd(fd: number, infos: readonly SocketOptionInfo[]): { kind: SocketKind; readings: OptionReading[]; tcpInfo?: TcpInfoStruct; local?: string } {
  const l = libc();
  if (!l) throw new CollectorError('koffi', `cannot load libc: ${libcLoadError() ?? 'unknown error'}`);
  const t0 = performance.now();
  const kind = describeKind(readInt(fd, 1, 39) ?? -1, readInt(fd, 1, 3) ?? -1, readInt(fd, 1, 38) ?? -1);
  let local: string | undefined;
  const sa = Buffer.alloc(128);
  const salen = [128];
  if (Number(l.getsockname(fd, sa, salen)) === 0) {
    const d = decodeSockaddr(sa);
    if (d) local = d.address.includes(':') ? `[${d.address}]:${d.port}` : `${d.address}:${d.port}`;
  }
  // IPPROTO_IPV6 (41) IPV6_V6ONLY (26): a socket on :: without it also serves IPv4 peers.
  const v6only = kind.family === 'inet6' ? readInt(fd, 41, 26) : null;
  const carries = kind.family === 'inet6' ? ipv6Carries(local, v6only === null ? null : v6only !== 0) : 'ipv6';
  const readings: OptionReading[] = [];
  let tcpInfo: TcpInfoStruct | undefined;
  for (const info of infos) {
    const na = notApplicable(info, kind);
    if (na) {
      readings.push({ name: info.name, missing: `not applicable: ${na}` });
      continue;
    }
    for (const plan of readPlans(info, kind, carries)) {
      const as = { ...(plan.readAs ? { readAs: plan.readAs } : {}), ...(plan.readFor ? { readFor: plan.readFor } : {}) };
      const buf = Buffer.alloc(plan.size);
      const len = [plan.size];
      const r = Number(l.getsockopt(fd, plan.level, plan.optname, buf, len));
      if (r !== 0) {
        const e = lastErrno();
        const code = errnoName(e);
        const why = code === 'ENOPROTOOPT' || code === 'EOPNOTSUPP' ? `this kernel or socket does not support it (${code})` : `getsockopt failed: ${code} (${libcStrerror(e)})`;
        readings.push({ name: info.name, missing: why, errno: code, ...as });
        continue;
      }
      const value = decodeOption(plan.kind, buf, len[0]);
      if (plan.kind === 'tcp_info') tcpInfo = value as TcpInfoStruct;
      readings.push({ name: info.name, value, source: 'getsockopt', ...as });
    }
  }
  logOsCall('ffi', `getsockopt x${infos.length} fd=${fd}`, performance.now() - t0);
  return { kind, readings, tcpInfo, local };
}
