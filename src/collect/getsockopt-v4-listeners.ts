// The IPv4 listeners beside a TCP listener on [::], which tell whether its IPV6_V6ONLY leaves IPv4 clients without one
// (interpret-options.ts IPV6_V6ONLY): listed in the network namespace of the socket, not in sockscope's own. A socket
// found by sockscope's collector (--port, --inode, no visible holder) is in sockscope's namespace; one chosen by
// --pid/--socket-fd is in its process's, which may be another (a container): that one's are read from /proc/PID/net,
// as the kernel view of such a socket is (getsockopt.ts).
import { readlink } from 'node:fs/promises';
import { isListener } from '../model/aggregate.js';
import { formatEndpoint, type Socket } from '../model/socket.js';
import { readHostInfo } from './host.js';
import { ProcfsSource } from './procfs.js';
import type { SocketSource } from './source.js';

/** The listeners ("0.0.0.0:80", one per socket: an SO_REUSEPORT group gives several), or why they are unknown. */
export type Ipv4ListenerLookup = { listeners: string[] } | { missing: string };

/**
 * A listener that takes IPv4 clients: an AF_INET one, or an AF_INET6 one bound to a v4-mapped address
 * ([::ffff:0.0.0.0]:P takes them on every address, [::ffff:127.0.0.1]:P on that one; only a socket without
 * IPV6_V6ONLY can bind such an address).
 */
function takesIpv4(s: Socket): boolean {
  return s.ipVersion === 4 || DOTTED.test(s.local.address);
}
/** The collectors give a v4-mapped address as plain IPv4 (parse/inet-diag.ts readAddress), in an IPv6 socket. */
const DOTTED = /^(?:::ffff:)?\d+\.\d+\.\d+\.\d+$/i;

/** "127.0.0.1:80", or "[::ffff:0.0.0.0]:80" for an AF_INET6 socket on a v4-mapped address. */
function listenerText(s: Socket): string {
  return s.ipVersion === 6 ? `[::ffff:${s.local.address.replace(/^::ffff:/i, '')}]:${s.local.port}` : formatEndpoint(s.local);
}

/** What the lookup needs of an inspection. */
export interface V6ListenerLike {
  pid: number | null;
  socket: { state?: string; local?: string };
  /** Set when sockscope's collector found the socket (--port, --inode). */
  located?: unknown;
}

/**
 * The IPv4 listeners on the port of a TCP listener bound to [::]; undefined for any other socket. `source` is
 * sockscope's collector, used when the socket is in its namespace.
 */
export async function ipv4ListenersBeside(r: V6ListenerLike, source: SocketSource, procRoot = '/proc'): Promise<Ipv4ListenerLookup | undefined> {
  const local = r.socket.local ?? '';
  if (r.socket.state !== 'LISTEN' || !local.startsWith('[::]:')) return undefined;
  const port = Number(local.slice('[::]:'.length));
  if (!Number.isInteger(port) || port <= 0) return undefined;
  const pick = (sockets: readonly Socket[]) => sockets.filter((s) => s.local.port === port && isListener(s) && takesIpv4(s)).map(listenerText);
  const own = r.located !== undefined || r.pid === null ? true : await sameNetns(procRoot, r.pid);
  if (own) return { listeners: pick((await source.collect({ protocols: ['tcp'], port, processes: 'none' })).sockets) };
  // Another namespace, or not known to be ours (/proc/PID/ns/net unreadable): that process's tables.
  const pid = r.pid!;
  let host: ReturnType<typeof readHostInfo> | undefined;
  const there = new ProcfsSource({ procRoot: `${procRoot}/${pid}`, attribute: null, hostInfo: () => (host ??= readHostInfo(procRoot)) });
  try {
    return { listeners: pick((await there.collect({ protocols: ['tcp'], port, processes: 'none' })).sockets) };
  } catch (e) {
    return { missing: `the IPv4 listeners on port ${port} could not be listed in pid ${pid}'s network namespace (/proc/${pid}/net: ${(e as Error).message}), so whether IPV6_V6ONLY leaves IPv4 clients without a listener is not known; nsenter --net=/proc/${pid}/ns/net ss -ltn shows them` };
  }
}

/** Whether process `pid` is in sockscope's network namespace; false when that cannot be read (its own tables are then read). */
async function sameNetns(procRoot: string, pid: number): Promise<boolean> {
  const [target, own] = await Promise.all([readlink(`${procRoot}/${pid}/ns/net`).catch(() => undefined), readlink(`${procRoot}/self/ns/net`).catch(() => undefined)]);
  return target !== undefined && target === own;
}
