// What a connect probe does not see by itself, read from the host after the attempt: this host's listeners on the
// port and their owners (a local destination), the ARP/NDP entry of the next hop after no answer, the route-table
// line that rejected the connect, and the sockets to the destination again. debug-connections (connect-explain.ts)
// and `try connect` (try-call-context.ts) read the same facts; the parsers are pure (parse/ip-route.ts).
import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { networkInterfaces } from 'node:os';
import { findLocalListener, formatHostPort, portListeners, type ConnectContext, type ExistingSockets, type PortListener, type RouteInfo } from '../knowledge/interpret-connect.js';
import { parseIpNeigh, parseRouteMatch } from '../parse/ip-route.js';
import { parseIfInet6State, parseIpv6AddrState } from '../parse/ip-addr-state.js';
import type { EphemeralUse } from '../knowledge/interpret-try-types.js';
import { bareAddress, zoneOf } from '../knowledge/host-port.js';
import { isLinkLocal, isLoopback, socketDrops, type Socket } from '../model/socket.js';
import type { UdpSocketReading } from '../knowledge/udp-delivery.js';
import { sysctlInt, sysctlInts, type Snapshot } from '../model/snapshot.js';
import { run } from './exec.js';
import { interfaceIndex, interfaceName } from './interface-names.js';
import type { SocketSource } from './source.js';

/** `ip ARGS` stdout; undefined when ip cannot run or fails (the interpretation then goes without). */
async function ipOutput(args: string[]): Promise<string | undefined> {
  try {
    const r = await run('ip', args, { timeoutMs: 3000 });
    return r.exitCode === 0 ? r.stdout : undefined;
  } catch {
    return undefined;
  }
}

// "fe80::1%eth0" -> "fe80::1", "::ffff:127.0.0.1" -> "127.0.0.1": the address sockets and listeners are reported with.
export { bareAddress } from '../knowledge/host-port.js';

/**
 * The interface a link-local destination's zone names, by name or index ("eth0", "2" -> "eth0"), in this network
 * namespace; undefined when it names none.
 */
export function zoneInterface(zone: string): string | undefined {
  if (/^\d+$/.test(zone)) return interfaceName(Number(zone));
  return interfaceIndex(zone) !== undefined ? zone : undefined;
}

/**
 * The zone of a link-local destination when it names no interface here ("fe80::1%nosuch"): connect() then has no
 * scope id (EINVAL). Undefined when there is no zone, or it is not needed (a global address), or it names one.
 */
export function unknownZone(address: string): string | undefined {
  const zone = zoneOf(address);
  return zone !== undefined && isLinkLocal(bareAddress(address)) && zoneInterface(zone) === undefined ? zone : undefined;
}

/** Whether a destination is this host: the route says local, or, the route unknown, a loopback address. */
export function isLocalDestination(address: string, route: RouteInfo): boolean {
  const a = bareAddress(address);
  return route.type === 'local' || (route.ok === null && isLoopback(a));
}

/**
 * What `ip` adds to a failed connect: the ARP/NDP entry of the next hop after no answer (ETIMEDOUT, EHOSTUNREACH),
 * read right after the attempt, and the line of the route table that rejected it (blackhole, prohibit, unreachable).
 */
export async function routeFacts(address: string, route: RouteInfo, errno: string): Promise<Pick<ConnectContext, 'neighbour' | 'routeLine' | 'noSourceFamily' | 'loopbackV6Disabled'>> {
  const a = bareAddress(address);
  const family = isIP(a) === 6 ? '-6' : '-4';
  const out: Pick<ConnectContext, 'neighbour' | 'routeLine' | 'noSourceFamily' | 'loopbackV6Disabled'> = {};
  // ::1 with IPv6 off on lo alone: the kernel has no local route for it (ENETUNREACH).
  if (errno === 'ENETUNREACH' && loopbackV6Disabled(a)) out.loopbackV6Disabled = true;
  if (errno === 'EADDRNOTAVAIL') {
    const none = noSourceFamily(a);
    if (none) out.noSourceFamily = none;
  }
  if (['ETIMEDOUT', 'EHOSTUNREACH', 'EHOSTDOWN'].includes(errno) && route.ok && route.type === 'unicast') {
    const hop = bareAddress(route.via ?? a);
    const text = await ipOutput([family, 'neigh', 'show', hop, ...(route.dev ? ['dev', route.dev] : [])]);
    if (text !== undefined) out.neighbour = parseIpNeigh(text, hop, route.dev);
  }
  if (route.ok === false && route.type && route.type !== 'none') {
    const text = await ipOutput([family, 'route', 'show', 'match', a]);
    if (text !== undefined) out.routeLine = parseRouteMatch(text) ?? '';
  }
  return out;
}

/** One snapshot of the port on this host (listeners with owners, server sides of connections); undefined when unreadable. */
export async function portSnapshot(source: SocketSource, port: number, timeoutMs: number): Promise<Snapshot | undefined> {
  try {
    return await source.collect({ protocols: ['tcp'], port, processes: 'listeners', attribution: 'targeted', timeoutMs: timeoutMs + 5000 });
  } catch {
    return undefined; // unknown: the interpretation stays the generic one
  }
}

/**
 * The port's listeners alone (no owners: cheap), read just before and after a probe's connect, so that the member
 * of a SO_REUSEPORT group whose queue the probe joined can be told (connect-explain.ts); undefined when unreadable.
 */
export async function listenerReading(source: SocketSource, port: number, timeoutMs: number): Promise<PortListener[] | undefined> {
  try {
    return portListeners((await source.collect({ protocols: ['tcp'], port, processes: 'none', timeoutMs: timeoutMs + 5000 })).sockets, port);
  } catch {
    return undefined; // the group is then reported as a group
  }
}

/** The port's sockets with every owner (a CLOSE_WAIT socket's process, not only the listener's); undefined when unreadable. */
export async function portOwnersSnapshot(source: SocketSource, port: number, timeoutMs: number): Promise<Snapshot | undefined> {
  try {
    return await source.collect({ protocols: ['tcp'], port, processes: 'all', attribution: 'targeted', timeoutMs: timeoutMs + 5000 });
  } catch {
    return undefined;
  }
}

/** This host's TCP sockets to the port (with tcp_info), read again after the attempt; undefined when unreadable. */
export async function peerSnapshot(source: SocketSource, port: number, timeoutMs: number): Promise<Snapshot | undefined> {
  try {
    return await source.collect({ protocols: ['tcp'], peerPort: port, details: true, processes: 'none', timeoutMs: timeoutMs + 5000 });
  } catch {
    return undefined; // the probe's own reading stays
  }
}

/** Where a socket is kept across two readings: its inode, else its addresses (sources without inodes). */
function socketKey(s: Socket): string {
  return s.inode ? `ino:${s.inode}` : `${s.local.address}|${s.local.port}|${s.peer.address}|${s.peer.port}`;
}

/**
 * The drop counters (sk_drops) of the UDP sockets on the port, read just before a datagram is sent to this host
 * (`try sendto`, debug-connections --udp); undefined when unreadable. Without owners: cheap.
 */
export async function udpDropsBefore(port: number, source: SocketSource, timeoutMs = 5000): Promise<Map<string, number> | undefined> {
  try {
    const snap = await source.collect({ protocols: ['udp'], port, processes: 'none', details: true, timeoutMs: timeoutMs + 5000 });
    const out = new Map<string, number>();
    for (const s of snap.sockets) {
      const d = socketDrops(s);
      if (s.local.port === port && d !== undefined) out.set(socketKey(s), d);
    }
    return out;
  } catch {
    return undefined;
  }
}

/** A UDP socket on the port as a datagram's delivery is judged with (udp-delivery.ts udpDelivery), with its drops before. */
export function udpReading(s: Socket, dropsBefore?: ReadonlyMap<string, number>): UdpSocketReading {
  const before = dropsBefore?.get(socketKey(s));
  const drops = socketDrops(s);
  return {
    address: s.local.address,
    port: s.local.port,
    ...(s.peer.port ? { peer: formatHostPort(s.peer.address, s.peer.port) } : {}),
    owners: s.processes.map((p) => ({ pid: p.pid, name: p.name, ...(p.fd !== undefined ? { fd: p.fd } : {}) })),
    ...(s.processes.length === 0 && s.uid !== undefined ? { uid: s.uid } : {}),
    ...(s.inode ? { inode: s.inode } : {}),
    ...(s.boundDevice ? { device: s.boundDevice } : {}),
    queued: s.recvQ,
    ...(s.skmem?.rcvbuf ? { rcvbuf: s.skmem.rcvbuf } : {}),
    ...(before !== undefined ? { dropsBefore: before } : {}),
    ...(drops !== undefined ? { drops } : {}),
  };
}

/**
 * This host's UDP sockets on the port, with owners, receive queues and drop counters (a local destination); undefined
 * when unreadable. `dropsBefore`: udpDropsBefore's reading, to compare with.
 */
export async function udpPortReadings(source: SocketSource, port: number, timeoutMs: number, dropsBefore?: ReadonlyMap<string, number>): Promise<UdpSocketReading[] | undefined> {
  try {
    const snap = await source.collect({ protocols: ['udp'], port, processes: 'listeners', attribution: 'targeted', details: true, timeoutMs: timeoutMs + 5000 });
    return snap.sockets.filter((s) => s.local.port === port).map((s) => udpReading(s, dropsBefore));
  } catch {
    return undefined;
  }
}

/** How many of this host's UDP sockets are connect()ed to (address, port); undefined when unreadable. */
export async function udpConnectedCount(source: SocketSource, address: string, port: number, timeoutMs: number): Promise<number | undefined> {
  try {
    const snap = await source.collect({ protocols: ['udp'], peerPort: port, processes: 'none', timeoutMs: timeoutMs + 5000 });
    return snap.sockets.filter((s) => s.protocol === 'udp' && s.peer.port === port && s.peer.address === address).length;
  } catch {
    return undefined;
  }
}

/** Summarizes this host's sockets to (address, port). */
export function summarizeExisting(sockets: readonly Socket[], address: string, port: number, snap?: Pick<Snapshot, 'sysctls'>): ExistingSockets {
  const mine = sockets.filter((s) => s.protocol === 'tcp' && s.peer.port === port && s.peer.address === address && s.state !== 'LISTEN');
  const states: Record<string, number> = {};
  let rttSum = 0;
  let rttN = 0;
  let rttMax = 0;
  let retrans = 0;
  // Sources without tcp_info (/proc/net/tcp, netstat) have no total: those sockets are counted apart, never as 0.
  // A TIME_WAIT socket has tcp_info from no source. The retransmits of what is being resent now (/proc/net/tcp's
  // retrnsmt, the retransmit timer's count) are what such a source has: for a SYN_SENT socket, every SYN
  // retransmitted. A keepalive or zero-window probe timer counts probes, not retransmits: left out.
  let unknown = 0;
  let now = 0;
  for (const s of mine) {
    states[s.state] = (states[s.state] ?? 0) + 1;
    const r = s.tcpInfo?.rttUs;
    if (r !== undefined && r > 0) {
      rttSum += r;
      rttN++;
      rttMax = Math.max(rttMax, r);
    }
    const total = s.tcpInfo?.totalRetrans;
    if (total !== undefined) retrans += total;
    else if (s.state !== 'TIME_WAIT') {
      unknown++;
      if (s.timer?.name === 'on') now += s.timer.retrans ?? 0;
    }
  }
  const range = snap ? sysctlInts(snap.sysctls, 'net.ipv4.ip_local_port_range') : null;
  // Against the range: only the sockets whose local port is in it (a port bound before connect() may be outside).
  const inRange = range && range.length === 2 ? mine.filter((s) => s.local.port >= range[0] && s.local.port <= range[1]) : [];
  return {
    total: mine.length,
    states,
    ...(rttN ? { avgRttMs: rttSum / rttN / 1000, maxRttMs: rttMax / 1000 } : {}),
    retransTotal: retrans,
    ...(unknown ? { retransUnknown: unknown, retransNow: now } : {}),
    timeWait: states.TIME_WAIT ?? 0,
    ...(range && range.length === 2 ? { portRange: { low: range[0], high: range[1], size: range[1] - range[0] + 1, used: inRange.length, timeWait: inRange.filter((s) => s.state === 'TIME_WAIT').length } } : {}),
  };
}

/** The facts a failed connect is interpreted with, beyond the errno, address, port and timeout. */
export type ConnectFacts = Omit<ConnectContext, 'address' | 'port' | 'timeoutMs'>;

/**
 * The facts for one failed connect (`try connect`; debug-connections reads them per address in connect-explain.ts):
 * the route, this host's listeners on the port with their owners (a local destination: refused, reset, timed out),
 * the next hop's neighbour entry or the rejecting route, and for EADDRNOTAVAIL the sockets to the destination and
 * tcp_tw_reuse. `hostAddresses`: this host's addresses, for a local destination when `ip route get` cannot run.
 */
export async function connectFailureFacts(o: { address: string; port: number; errno: string; timeoutMs: number; source: SocketSource; route: RouteInfo; hostAddresses?: readonly string[]; resolved?: ConnectContext['resolved'] }): Promise<ConnectFacts> {
  const bare = bareAddress(o.address);
  const route = o.route;
  const local = isLocalDestination(o.address, route) || (route.ok === null && (o.hostAddresses ?? []).includes(bare));
  // EHOSTUNREACH from an address of this host: a REJECT rule here, said with the listener it kept the connect from.
  const snap = local && ['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EHOSTUNREACH'].includes(o.errno) ? await portSnapshot(o.source, o.port, o.timeoutMs) : undefined;
  const facts: ConnectFacts = { route, ...(o.resolved ? { resolved: o.resolved } : {}) };
  if (snap) {
    facts.listeners = portListeners(snap.sockets, o.port);
    const l = findLocalListener(facts.listeners, bare);
    if (l) facts.listener = l;
    // Refused with no TCP listener on the port: a UDP service may hold it (the diagnosis says so, not "start the server").
    if (facts.listeners.length === 0 && o.errno === 'ECONNREFUSED') {
      const udp = await udpPortReadings(o.source, o.port, o.timeoutMs);
      if (udp) facts.udpSockets = udp;
    }
  }
  Object.assign(facts, await routeFacts(o.address, route, o.errno));
  if (o.errno === 'EADDRNOTAVAIL') {
    const peers = await peerSnapshot(o.source, o.port, o.timeoutMs);
    if (peers) {
      facts.existing = summarizeExisting(peers.sockets, bare, o.port, peers);
      facts.twReuse = sysctlInt(peers.sysctls, 'net.ipv4.tcp_tw_reuse');
    }
  }
  return facts;
}

/**
 * Whether this host has no address of `address`'s family to connect from (EADDRNOTAVAIL with IPv6 disabled: the
 * kernel finds no source address, whatever the port range); undefined when it has one. An IPv4-mapped address is
 * connected from an IPv4 address.
 */
export function noSourceFamily(address: string): ConnectContext['noSourceFamily'] {
  const v6 = isIP(address) === 6 && !/^::ffff:/i.test(address);
  const family = v6 ? 6 : 4;
  if (hostAddresses().some((x) => (isIP(x) === 6 && !/^::ffff:/i.test(x) ? 6 : 4) === family)) return undefined;
  let disabled: boolean | null = null;
  if (v6) {
    try {
      disabled = readFileSync('/proc/sys/net/ipv6/conf/all/disable_ipv6', 'utf8').trim() === '1';
    } catch {
      // IPv6 not in the kernel at all, or /proc/sys unreadable: unknown
    }
  }
  return { family, disabled };
}

/**
 * Whether ::1 is gone because IPv6 is off on lo alone (net.ipv6.conf.lo.disable_ipv6=1) while other interfaces
 * keep theirs: noSourceFamily does not see it (the host has IPv6 addresses), and a bind of ::1 fails EADDRNOTAVAIL.
 * False for any other address, or when the sysctl cannot be read.
 */
export function loopbackV6Disabled(address: string): boolean {
  if (isIP(bareAddress(address)) !== 6 || bareAddress(address) !== '::1') return false;
  try {
    return readFileSync('/proc/sys/net/ipv6/conf/lo/disable_ipv6', 'utf8').trim() === '1';
  } catch {
    return false;
  }
}

/**
 * This host's addresses, every interface's (an ICMP error from one of them came from this host; try lists them). With
 * `zone`, a link-local IPv6 address carries its interface as a zone: its index ("fe80::1%2") or name ("fe80::1%eth0").
 */
export function hostAddresses(zone?: 'index' | 'name'): string[] {
  return Object.entries(networkInterfaces()).flatMap(([name, list]) =>
    (list ?? []).map((x) => (zone !== undefined && isLinkLocal(x.address) ? `${x.address}%${zone === 'index' ? x.scopeid : name}` : x.address)),
  );
}

/**
 * The duplicate address detection state of an IPv6 address of this host (/proc/net/if_inet6, else `ip -6 -o addr show
 * to ADDR/128`; its zone's interface for a link-local one): a bind of a tentative or dadfailed address fails
 * EADDRNOTAVAIL though the address is listed. Undefined when neither can be read or lists it.
 */
export async function ipv6AddressState(address: string): Promise<{ state: 'tentative' | 'dadfailed' | 'ok'; dev: string } | undefined> {
  const a = bareAddress(address);
  const zone = zoneOf(address);
  const dev = zone !== undefined ? zoneInterface(zone) : undefined;
  try {
    const st = parseIfInet6State(readFileSync('/proc/net/if_inet6', 'utf8'), a, dev);
    if (st) return st;
  } catch {
    // no procfs: ask ip
  }
  const text = await ipOutput(['-6', '-o', 'addr', 'show', 'to', `${a}/128`, ...(dev ? ['dev', dev] : [])]);
  return text === undefined ? undefined : parseIpv6AddrState(text, (x) => bareAddress(x) === a);
}

/**
 * How much of the ephemeral range (net.ipv4.ip_local_port_range, from `sysctls`) the protocol's sockets hold: a bind of
 * port 0 that fails EADDRINUSE, or a sendto whose automatic bind fails EAGAIN, found none of it free. The sockets are
 * read with their owners (bound-only TCP sockets too: they hold their ports); without them, the range alone.
 */
export async function ephemeralUse(protocol: 'tcp' | 'udp', source: SocketSource, sysctls: Snapshot['sysctls']): Promise<EphemeralUse | undefined> {
  const range = sysctlInts(sysctls, 'net.ipv4.ip_local_port_range');
  if (!range || range.length !== 2) return undefined;
  const [low, high] = range;
  let reserved: string | undefined;
  try {
    reserved = readFileSync('/proc/sys/net/ipv4/ip_local_reserved_ports', 'utf8').trim() || undefined;
  } catch {
    reserved = undefined;
  }
  const out: EphemeralUse = { protocol, low, high, size: high - low + 1, ...(reserved ? { reserved } : {}) };
  let snap: Snapshot;
  try {
    snap = await source.collect({ protocols: [protocol], processes: 'all', boundOnly: true });
  } catch {
    return out; // the range alone
  }
  const inRange = snap.sockets.filter((s) => s.protocol === protocol && s.local.port >= low && s.local.port <= high);
  const byProcess = new Map<number, { pid: number; name: string; ports: Set<number> }>();
  for (const s of inRange)
    for (const p of s.processes) {
      const e = byProcess.get(p.pid) ?? { pid: p.pid, name: p.name, ports: new Set<number>() };
      e.ports.add(s.local.port);
      byProcess.set(p.pid, e);
    }
  const top = [...byProcess.values()].sort((x, y) => y.ports.size - x.ports.size || x.pid - y.pid).slice(0, 3).map((e) => ({ pid: e.pid, name: e.name, ports: e.ports.size }));
  // TCP sockets bound without listen() or connect() (CLOSE, no peer): ss -tan does not list them (ss -B does).
  const boundOnly = protocol === 'tcp' ? inRange.filter((s) => s.state === 'CLOSE' && s.peer.port === 0).length : 0;
  return { ...out, ports: new Set(inRange.map((s) => s.local.port)).size, sockets: inRange.length, ...(boundOnly ? { boundOnly } : {}), ...(top.length ? { top } : {}) };
}
