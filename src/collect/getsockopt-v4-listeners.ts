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

/**
 * The listeners ("0.0.0.0:80", one per socket: an SO_REUSEPORT group gives several; a dual-stack [::] listener
 * beside it, IPV6_V6ONLY off, as "[::]:80 (IPV6_V6ONLY off)"), or why they are unknown.
 */
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

/** An AF_INET6 listener on [::]: with IPV6_V6ONLY off (Socket.v6only false) it takes IPv4 clients on every address. */
const onV6Wildcard = (s: Socket) => s.ipVersion === 6 && s.local.address === '::';

/** "127.0.0.1:80", "[::ffff:0.0.0.0]:80" for an AF_INET6 socket on a v4-mapped address, "[::]:80 (IPV6_V6ONLY off)". */
function listenerText(s: Socket): string {
  if (onV6Wildcard(s)) return `[::]:${s.local.port} (IPV6_V6ONLY off)`;
  return s.ipVersion === 6 ? `[::ffff:${s.local.address.replace(/^::ffff:/i, '')}]:${s.local.port}` : formatEndpoint(s.local);
}

/**
 * The IPv4 takers among the listeners on the port, or why they cannot be told: another [::] listener (an SO_REUSEPORT
 * group may mix IPV6_V6ONLY on and off) takes IPv4 with IPV6_V6ONLY off, and /proc/PID/net (procfs) does not show it.
 * The inspected socket is left out by its inode; without one, one of the [::] listeners is taken to be it.
 */
function ipv4Takers(listeners: readonly Socket[], inode: number | undefined, port: number, where: string): Ipv4ListenerLookup {
  const others = listeners.filter((s) => onV6Wildcard(s) && (inode === undefined || s.inode !== inode));
  if (inode === undefined || !listeners.some((s) => s.inode === inode)) {
    const self = others.findIndex((s) => s.v6only !== false);
    if (self >= 0) others.splice(self, 1);
  }
  const found = [...listeners.filter((s) => !onV6Wildcard(s) && takesIpv4(s)), ...others.filter((s) => s.v6only === false)];
  const unknown = others.filter((s) => s.v6only === undefined).length;
  if (unknown === 0 || found.some((s) => onV6Wildcard(s) || /^(?:::ffff:)?0\.0\.0\.0$/i.test(s.local.address))) return { listeners: found.map(listenerText) };
  return {
    missing: `${unknown === 1 ? 'another listener' : `${unknown} other listeners`} on [::]:${port} (SO_REUSEPORT) ${unknown === 1 ? 'has' : 'have'} IPV6_V6ONLY unknown (${where} does not show it), and one with it off takes IPv4 clients on every address: whether IPv4 clients of port ${port} are refused cannot be told; ss -ltne (v6only:0) shows it`,
  };
}

/** What the lookup needs of an inspection. */
export interface V6ListenerLike {
  pid: number | null;
  /** The inspected socket's inode: left out of the listeners beside it. */
  inode?: number;
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
  const pick = (sockets: readonly Socket[], where: string) => ipv4Takers(sockets.filter((s) => s.local.port === port && isListener(s)), r.inode, port, where);
  const own = r.located !== undefined || r.pid === null ? true : await sameNetns(procRoot, r.pid);
  if (own) return pick((await source.collect({ protocols: ['tcp'], port, processes: 'none' })).sockets, `the ${source.name} source`);
  // Another namespace, or not known to be ours (/proc/PID/ns/net unreadable): that process's tables.
  const pid = r.pid!;
  let host: ReturnType<typeof readHostInfo> | undefined;
  const there = new ProcfsSource({ procRoot: `${procRoot}/${pid}`, attribute: null, hostInfo: () => (host ??= readHostInfo(procRoot)) });
  try {
    return pick((await there.collect({ protocols: ['tcp'], port, processes: 'none' })).sockets, `/proc/${pid}/net`);
  } catch (e) {
    return { missing: `the IPv4 listeners on port ${port} could not be listed in pid ${pid}'s network namespace (/proc/${pid}/net: ${(e as Error).message}), so whether IPV6_V6ONLY leaves IPv4 clients without a listener is not known; nsenter --net=/proc/${pid}/ns/net ss -ltn shows them` };
  }
}

/** Whether process `pid` is in sockscope's network namespace; false when that cannot be read (its own tables are then read). */
async function sameNetns(procRoot: string, pid: number): Promise<boolean> {
  const [target, own] = await Promise.all([readlink(`${procRoot}/${pid}/ns/net`).catch(() => undefined), readlink(`${procRoot}/self/ns/net`).catch(() => undefined)]);
  return target !== undefined && target === own;
}
