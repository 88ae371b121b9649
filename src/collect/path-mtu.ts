// The path MTU the kernel holds for a destination: getsockopt(IP_MTU / IPV6_MTU) on a UDP socket sockscope
// connect()s to it (connect() of a UDP socket sends nothing). After an ICMP fragmentation needed (IPv6: packet too
// big) it is the MTU the router reported, cached for about 10 minutes (net.ipv4.route.mtu_expires); else the route's.
import { logOsCall } from './debug.js';
import { AF_INET6, IPPROTO_IP, IPPROTO_IPV6, SOCK_CLOEXEC, SOCK_DGRAM, closeFd, encodeSockaddr, errnoName, lastErrno, libc } from './libc.js';
import { zoneIndex } from './try-call.js';

const IP_MTU = 14;
const IPV6_MTU = 24;

/** The path MTU to `address` (an IP literal, optionally with a %zone), or undefined when it cannot be read (no koffi, no route). */
export function pathMtu(address: string, port: number): number | undefined {
  const l = libc();
  if (!l) return undefined;
  // An IPv4-mapped address travels as IPv4: its path MTU is the IPv4 route's.
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address)?.[1];
  const zone = /%(.+)$/.exec(address)?.[1];
  let sa: { family: number; buf: Buffer };
  try {
    sa = encodeSockaddr(mapped ?? address.replace(/%.*$/, ''), port || 9, zone !== undefined ? (zoneIndex(zone) ?? 0) : 0);
  } catch {
    return undefined;
  }
  const t0 = performance.now();
  const fd = Number(l.socket(sa.family, SOCK_DGRAM | SOCK_CLOEXEC, 0));
  if (fd < 0) return undefined;
  try {
    if (Number(l.connect(fd, sa.buf, sa.buf.length)) < 0) {
      logOsCall('ffi', `connect + getsockopt(IP_MTU)`, performance.now() - t0, undefined, `errno=${errnoName(lastErrno())}`);
      return undefined;
    }
    const v6 = sa.family === AF_INET6;
    const b = Buffer.alloc(4);
    const len = [4];
    const r = Number(l.getsockopt(fd, v6 ? IPPROTO_IPV6 : IPPROTO_IP, v6 ? IPV6_MTU : IP_MTU, b, len));
    const mtu = r < 0 ? undefined : b.readInt32LE(0);
    logOsCall('ffi', `getsockopt(${v6 ? 'IPV6_MTU' : 'IP_MTU'})`, performance.now() - t0, 4, r < 0 ? `errno=${errnoName(lastErrno())}` : `mtu=${mtu}`);
    return mtu !== undefined && mtu > 0 ? mtu : undefined;
  } finally {
    closeFd(fd);
  }
}
