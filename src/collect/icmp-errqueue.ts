// The ICMP error queued on one of sockscope's own sockets (IP_RECVERR / IPV6_RECVERR set before the call):
// recvmsg(MSG_ERRQUEUE) gives struct sock_extended_err and the address of the host that sent the ICMP error.
// With it, a refused TCP connect tells a reset (no queued error) from an ICMP port unreachable (a REJECT rule),
// and names the router or firewall that sent it.
import type { IcmpReport } from '../knowledge/icmp-report.js';
import { logOsCall } from './debug.js';
import { loadKoffi } from './koffi.js';
import { AF_INET, AF_INET6, IPPROTO_IP, IPPROTO_IPV6, decodeSockaddr } from './libc.js';

export const IP_RECVERR = 11;
export const IPV6_RECVERR = 25;
const MSG_DONTWAIT = 0x40;
const MSG_ERRQUEUE = 0x2000;
const SO_EE_ORIGIN_ICMP = 2;
const SO_EE_ORIGIN_ICMP6 = 3;

// struct msghdr on LP64 Linux (56 bytes), one iovec, a little room for the returned packet, and the control data.
const MSGHDR = 56;
const IOVEC = 16;
const DATA = 64;
const CONTROL = 512;

interface Reader {
  recvmsg: (fd: number, msg: bigint, flags: number) => number | bigint;
  address: bigint;
  view: DataView;
  bytes: Uint8Array;
}

let reader: Reader | null | undefined;

function getReader(): Reader | null {
  if (reader !== undefined) return reader;
  try {
    if (process.arch !== 'x64' && process.arch !== 'arm64') return (reader = null); // the layout above is LP64's
    const koffi = loadKoffi();
    const lib = koffi.load('libc.so.6');
    const recvmsg = lib.func('long recvmsg(int fd, void *msg, int flags)') as unknown as Reader['recvmsg'];
    const size = MSGHDR + IOVEC + DATA + CONTROL;
    const ptr = koffi.alloc('uint8_t', size) as unknown;
    const address = koffi.address(ptr) as bigint;
    const buf = koffi.view(ptr, size) as ArrayBuffer;
    reader = { recvmsg, address, view: new DataView(buf), bytes: new Uint8Array(buf) };
  } catch {
    reader = null;
  }
  return reader;
}

/**
 * The ICMP error on the socket's error queue: a report, null when the queue holds none (read, empty), undefined
 * when it cannot be read here (koffi unavailable, not LP64, or recvmsg failed otherwise).
 */
export function readIcmpError(fd: number): IcmpReport | null | undefined {
  const r = getReader();
  if (!r) return undefined;
  const { view, address } = r;
  r.bytes.fill(0);
  const iov = MSGHDR;
  const data = MSGHDR + IOVEC;
  const control = data + DATA;
  view.setBigUint64(16, address + BigInt(iov), true); // msg_iov
  view.setBigUint64(24, 1n, true); // msg_iovlen
  view.setBigUint64(32, address + BigInt(control), true); // msg_control
  view.setBigUint64(40, BigInt(CONTROL), true); // msg_controllen
  view.setBigUint64(iov, address + BigInt(data), true); // iov_base
  view.setBigUint64(iov + 8, BigInt(DATA), true); // iov_len
  const t0 = performance.now();
  const n = Number(r.recvmsg(fd, address, MSG_ERRQUEUE | MSG_DONTWAIT));
  const errno = n < 0 ? (loadKoffi().errno() as number) : 0;
  logOsCall('ffi', `recvmsg(MSG_ERRQUEUE)`, performance.now() - t0, n >= 0 ? n : undefined, n < 0 ? `errno=${errno}` : undefined);
  if (n < 0) return errno === 11 ? null : undefined; // EAGAIN: nothing queued
  const controllen = Number(view.getBigUint64(40, true));
  // Walk the cmsghdrs: {size_t len; int level; int type} then the data, each aligned to 8.
  for (let off = 0; off + 16 <= controllen; ) {
    const len = Number(view.getBigUint64(control + off, true));
    if (len < 16) break;
    const level = view.getInt32(control + off + 8, true);
    const type = view.getInt32(control + off + 12, true);
    if ((level === IPPROTO_IP && type === IP_RECVERR) || (level === IPPROTO_IPV6 && type === IPV6_RECVERR)) {
      const ee = control + off + 16;
      const origin = view.getUint8(ee + 4);
      if (origin !== SO_EE_ORIGIN_ICMP && origin !== SO_EE_ORIGIN_ICMP6) return null; // a local error, not an ICMP one
      const report: IcmpReport = { version: origin === SO_EE_ORIGIN_ICMP6 ? 6 : 4, type: view.getUint8(ee + 5), code: view.getUint8(ee + 6) };
      // ee_info: for a fragmentation needed (ICMPv6 packet too big), the MTU the router reported.
      const fragNeeded = report.version === 4 ? report.type === 3 && report.code === 4 : report.type === 2;
      const info = view.getUint32(ee + 8, true);
      if (fragNeeded && info > 0) report.mtu = info;
      // SO_EE_OFFENDER: the sockaddr right after the 16-byte sock_extended_err (family 0 when unknown).
      const at = ee + 16;
      const family = at + 2 <= control + off + len ? view.getUint16(at, true) : 0;
      if (family === AF_INET || family === AF_INET6) {
        const sa = Buffer.from(r.bytes.buffer, r.bytes.byteOffset + at, family === AF_INET ? 16 : 28);
        const from = decodeSockaddr(Buffer.from(sa))?.address;
        if (from) report.from = from;
      }
      return report;
    }
    off += (len + 7) & ~7;
  }
  return null;
}
