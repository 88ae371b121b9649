// Pure interpretation of a `sockscope try` call against the host's state: who holds the port, TIME_WAIT and
// SO_REUSEADDR, privileged ports, backlog against somaxconn, and connect/sendto errors.
import { sendtoFailure } from './interpret-try-sendto.js';
import { closeWaitPeer, closeWaitStep, heldBy, isOrphan, who } from './interpret-try-holder.js';
import { explainErrno } from './errno.js';
import { diagnoseConnectError, type ConnectContext } from './interpret-connect.js';
import { udpDelivery, type UdpSocketReading } from './udp-delivery.js';
import { isLinkLocal } from '../model/socket.js';
import { bareAddress, endpointHost } from './host-port.js';

export interface PortHolder {
  state: string;
  local: string;
  peer?: string;
  processes: { pid: number; name: string; fd?: number }[];
  uid?: number;
  /**
   * The socket's inode: 0 for one no process holds (a connection still in the accept queue, an orphan), so that
   * printers tell it from one another user's process holds out of sight (both have no processes and a uid).
   */
  inode?: number;
  /**
   * The interface the socket is bound to (sk_bound_dev_if, the dump's interface index): a link-local address's
   * scope, or SO_BINDTODEVICE. `local` carries a link-local address's zone by name ([fe80::5%eth0]:80). Two
   * sockets bound to different interfaces never conflict in bind(), whatever their addresses.
   */
  device?: string;
  scopeId?: number;
  /** An orphan's other end when it is on this host (local address, state, processes, uid when known): a CLOSE_WAIT one keeps it waiting. */
  peerEnd?: { local: string; state: string; processes: { pid: number; name: string; fd?: number }[]; uid?: number };
}

/** Host facts gathered around the call. */
export interface TryContext {
  op: 'bind' | 'listen' | 'connect' | 'sendto';
  target: string;
  port: number;
  ok: boolean;
  errno?: string;
  failedCall?: string;
  reuseaddr?: boolean;
  reuseport?: boolean;
  /** IPV6_V6ONLY as the user set it (--v6only, --v6only=false); undefined: the socket has the default, bindv6only. */
  v6only?: boolean;
  /**
   * net.ipv6.bindv6only, the default of IPV6_V6ONLY for a new AF_INET6 socket; null when unreadable (IPv6 off);
   * undefined (not read) is taken as the kernel's default, 0.
   */
  bindv6only?: number | null;
  /** bind of a UDP socket (a bound UDP socket counts as the port's listener). */
  udp?: boolean;
  /** Only TIME_WAIT on the port: whether a second bind with SO_REUSEADDR (made and closed at once) succeeded. */
  reuseaddrWouldWork?: boolean;
  backlogRequested?: number;
  /** Backlog as the kernel reports it for the listener we made (Send-Q). */
  backlogEffective?: number;
  somaxconn?: number | null;
  unprivilegedPortStart?: number | null;
  uid: number;
  hasNetBindService?: boolean;
  /** Sockets on the same local port (same protocol), excluding ours. */
  holders: PortHolder[];
  /** Other users' processes that could not be searched. */
  hiddenProcesses?: number;
  /** What the processes that could not be searched are, in the attributor's words (proc-pid.ts hiddenNote). */
  hiddenNote?: string;
  /** Addresses configured on this host (for EADDRNOTAVAIL). */
  hostAddresses?: string[];
  local?: string;
  connectMs?: number;
  timeoutMs?: number;
  sent?: number;
  /**
   * sendto to this host: the UDP sockets on the port, with their drop counters read before the call and after it
   * (a datagram dropped by a full receive buffer is told only by that counter); absent for other destinations.
   */
  udpSockets?: UdpSocketReading[];
  /**
   * A failed connect: what debug-connections reads too (collect/connect-facts.ts): the route, this host's listeners
   * on the port, the next hop's neighbour entry, the rejecting route, the sockets to the destination, tcp_tw_reuse.
   * A sendto that an ICMP error ended (EHOSTUNREACH, EHOSTDOWN, ENETUNREACH): the route and the neighbour entry.
   */
  connectFacts?: Omit<ConnectContext, 'address' | 'port' | 'timeoutMs' | 'hostAddresses'>;
}

export interface TryInterpretation {
  ok: boolean;
  summary: string;
  details: string[];
  nextSteps: string[];
}

/** An endpoint's address without its zone, and the zone (an interface name or index) when it has one. */
function splitZone(endpoint: string): { address: string; zone?: string } {
  const h = endpointHost(endpoint);
  const pct = h.indexOf('%');
  return pct < 0 ? { address: h.toLowerCase() } : { address: h.slice(0, pct).toLowerCase(), zone: h.slice(pct + 1) };
}

/**
 * Whether bind() uses an IPv6 address's zone (the kernel's __ipv6_addr_needs_scope_id): link-local unicast
 * (fe80::/10) and interface- or link-local multicast (ffX1::, ffX2::). Any other address's zone is ignored: the
 * socket is bound to no interface and conflicts with sockets on every one.
 */
function needsScope(address: string): boolean {
  return isLinkLocal(address) || /^ff[0-9a-f][12]:/i.test(address);
}

/** The target's address, and its zone when bind() uses it. */
function targetScope(target: string): { address: string; zone?: string } {
  const t = splitZone(target);
  return t.zone !== undefined && !needsScope(t.address) ? { address: t.address } : t;
}

/**
 * Whether a holder's interface can be the one `zone` (the target's, by name or index) names. Without a zone on
 * the target or an interface on the holder, it can (the kernel compares the interfaces only when both sockets
 * are bound to one); so it can when the two cannot be compared (an index against a name alone).
 */
function sameInterface(h: PortHolder, zone: string | undefined): boolean {
  if (zone === undefined) return true;
  const name = h.device ?? splitZone(h.local).zone;
  if (h.scopeId === undefined && name === undefined) return true;
  if (/^\d+$/.test(zone)) return h.scopeId !== undefined ? h.scopeId === Number(zone) : true;
  return name !== undefined && !/^\d+$/.test(name) ? name === zone : true;
}

function isAny(a: string): boolean {
  return a === '0.0.0.0' || a === '::' || a === '*' || a === '';
}

/** An IPv4 local address, plain or IPv4-mapped ("0.0.0.0", "::ffff:10.0.0.1"). */
function isV4(a: string): boolean {
  return !a.includes(':') || a.startsWith('::ffff:');
}

/**
 * A holder's state as ss names it: a UDP socket is CLOSE in the kernel's table, which ss shows as UNCONN (bound,
 * not connected); a connected one as ESTAB. TCP states keep the kernel's names.
 */
export function holderState(h: PortHolder, udp: boolean): string {
  if (!udp) return h.state;
  return h.state === 'CLOSE' ? 'UNCONN' : h.state === 'ESTABLISHED' ? 'ESTAB' : h.state;
}

/** Whether two local addresses can conflict in bind(): equal, or either is a wildcard. */
function overlaps(a: string, b: string): boolean {
  return a === b || isAny(a) || isAny(b) || a === `::ffff:${b}` || b === `::ffff:${a}`;
}

/**
 * The holders whose local address can conflict with the target (the others share only the port number): the
 * addresses compared without their zones, and a scoped target ([fe80::5%eth0]:80) against the holder's interface
 * (scopeId, device): fe80::5 on another link is another address. A zone on an address that needs none ([::%lo])
 * is ignored, as bind() ignores it.
 */
export function relevantHolders(holders: readonly PortHolder[], target: string): PortHolder[] {
  const mine = targetScope(target);
  return holders.filter((h) => overlaps(splitZone(h.local).address, mine.address) && sameInterface(h, mine.zone));
}

/** Whether a holder is bound to the target's own address (not a wildcard), on the same interface when the target names one. */
function sameAddress(h: PortHolder, target: string): boolean {
  const mine = targetScope(target);
  return splitZone(h.local).address === mine.address && sameInterface(h, mine.zone);
}

/** Explains the outcome of one tried call. */
export function interpretTry(c: TryContext): TryInterpretation {
  const details: string[] = [];
  const next: string[] = [];
  // Only sockets whose local address overlaps ours can conflict (same address, or a wildcard on either side).
  const relevant = relevantHolders(c.holders, c.target);
  const listeners = relevant.filter((h) => h.state === 'LISTEN' || (h.state === 'CLOSE' && (c.op === 'sendto' || c.udp === true)));
  const tw = relevant.filter((h) => h.state === 'TIME_WAIT');
  const others = relevant.filter((h) => h.state !== 'LISTEN' && h.state !== 'TIME_WAIT');

  if (c.ok) {
    if (c.op === 'bind' || c.op === 'listen') {
      let summary = `${c.op === 'listen' ? 'bind + listen' : 'bind'} on ${c.target} succeeded${c.local && c.local !== c.target ? ` (bound ${c.local})` : ''}; the socket was closed at once`;
      // Sockets listening on the same address and port are ones this socket shared the port with (SO_REUSEPORT).
      const sharing = c.reuseport ? relevant.filter((h) => h.state === 'LISTEN' && sameAddress(h, c.target)) : [];
      if (sharing.length) summary += `; with SO_REUSEPORT it shared port ${c.port} with ${sharing.map((h) => (h.processes.length ? who(h) : `the listener on ${h.local}`)).join(', ')}`;
      if (tw.length && c.reuseaddr) details.push(`${tw.length} TIME_WAIT socket(s) on port ${c.port}: SO_REUSEADDR let bind() through`);
      else if (tw.length) details.push(`${tw.length} TIME_WAIT socket(s) on port ${c.port} did not block this bind`);
      if (c.op === 'listen' && c.backlogRequested !== undefined) {
        const eff = c.backlogEffective;
        const cap = c.somaxconn;
        if (eff !== undefined) details.push(`effective backlog ${eff} (the listener's Send-Q as the kernel reports it); requested ${c.backlogRequested}; net.core.somaxconn ${cap ?? 'unknown'}`);
        if (cap != null && c.backlogRequested > cap) {
          summary += `, but the backlog was cut from ${c.backlogRequested} to ${eff ?? cap} by net.core.somaxconn`;
          next.push(`sysctl -w net.core.somaxconn=${c.backlogRequested} (and persist it in /etc/sysctl.d/) to get the backlog you ask for`);
        }
      }
      return { ok: true, summary, details, nextSteps: next };
    }
    if (c.op === 'connect') return { ok: true, summary: `connect to ${c.target} succeeded in ${(c.connectMs ?? 0).toFixed(1)} ms${c.local ? ` (from ${c.local})` : ''}; closed at once`, details, nextSteps: next };
    // This host: the receiving socket's drop counter says what sendto() cannot (it returns once the kernel has the datagram).
    const delivery = c.udpSockets ? udpDelivery(c.udpSockets, endpointHost(c.target)) : undefined;
    if (delivery?.dropped.length)
      return {
        ok: false,
        summary: `sendto ${c.target}: the kernel accepted ${c.sent ?? 0} bytes, but ${delivery.summary}`,
        details: [...delivery.details, 'sendto() succeeds whether or not the receiver has room: on this host a full receive buffer drops the datagram silently (counted in its drops, ss -uam d, and in UdpRcvbufErrors)'],
        nextSteps: delivery.steps,
      };
    if (delivery)
      return {
        ok: true,
        summary: `sendto ${c.target}: the kernel accepted ${c.sent ?? 0} bytes and no ICMP error came back within ${c.timeoutMs ?? 1000} ms; ${delivery.summary}`,
        details: [...delivery.details, 'whether the program reads it and answers is up to it: UDP gives no delivery confirmation'],
        nextSteps: next,
      };
    return {
      ok: true,
      summary: `sendto ${c.target}: the kernel accepted ${c.sent ?? 0} bytes and no ICMP error came back within ${c.timeoutMs ?? 1000} ms`,
      details: ['UDP gives no delivery confirmation: a silent drop (firewall, no listener behind a filter) looks the same as success', ...(listeners.length ? [`a UDP socket on this host is bound to port ${c.port}: ${listeners.map(who).join('; ')}`] : [])],
      nextSteps: next,
    };
  }

  const errno = c.errno ?? 'EIO';
  let meaning: string | undefined;
  try {
    meaning = explainErrno(errno).matches[0]?.meaning;
  } catch {
    meaning = undefined;
  }
  if (meaning) details.push(`${errno}: ${meaning}`);

  if ((c.op === 'bind' || c.op === 'listen') && errno === 'EADDRINUSE') {
    if (listeners.length) {
      const l = listeners[0];
      const udp = c.udp === true;
      const summary = `${udp ? 'UDP ' : ''}port ${c.port} is ${heldBy(l)}, ${udp ? 'bound' : l.state} on ${l.local}`;
      for (const x of listeners.slice(1)) details.push(`also ${holderState(x, udp)} on ${x.local}: ${who(x)}`);
      // A dual-stack conflict: [::] with IPV6_V6ONLY off also claims the IPv4 port, and the other way round.
      const mine = endpointHost(c.target);
      // Whether this socket had IPV6_V6ONLY off: set so, or left to net.ipv6.bindv6only (0 on most hosts, not all).
      const bindv6only = c.bindv6only === undefined ? 0 : c.bindv6only;
      const ownOff = c.v6only === false || (c.v6only === undefined && bindv6only !== 1);
      if (mine === '::' && ownOff && listeners.every((x) => isV4(endpointHost(x.local)))) {
        const why = c.v6only === false ? '--v6only=false' : bindv6only === 0 ? 'the default: net.ipv6.bindv6only=0' : 'the default unless net.ipv6.bindv6only=1';
        details.push(`${c.target} with IPV6_V6ONLY off (${why}) also takes IPv4 port ${c.port}, and ${l.local} already holds it; with IPV6_V6ONLY on the socket takes IPv6 only and does not conflict with it`);
        next.push(`sockscope try ${c.op} '[::]:${c.port}'${udp ? ' --udp' : ''} --v6only   (IPv6 only, beside the IPv4 socket)`);
      } else if (isV4(mine) && listeners.every((x) => endpointHost(x.local) === '::')) {
        // Its program's choice cannot be read here: said from this host's default.
        const why = bindv6only === 0 ? 'the default: net.ipv6.bindv6only=0' : bindv6only === 1 ? 'its program cleared it: net.ipv6.bindv6only=1 makes IPv6-only the default here' : 'the default unless net.ipv6.bindv6only=1';
        details.push(`the socket on ${l.local} has IPV6_V6ONLY off (${why}), so it holds IPv4 port ${c.port} too; had it set IPV6_V6ONLY, this IPv4 ${c.op} would not conflict with it`);
      }
      if (c.reuseport) details.push('SO_REUSEPORT only lets sockets share a port when every one of them set it before bind() and they run as the same user');
      next.push(`stop that process or use another port; sockscope analyze --port ${c.port} shows its connections`);
      if (!c.reuseport) next.push('if you meant to run several workers on one port: every socket must set SO_REUSEPORT (--reuseport), as the same user');
      return { ok: false, summary, details, nextSteps: next };
    }
    // A TCP socket bound without listen() or connect(): the kernel reports it in state CLOSE, peerless.
    const boundOnly = c.udp ? [] : others.filter((h) => h.state === 'CLOSE' && !h.peer);
    if (boundOnly.length) {
      const h = boundOnly[0];
      const summary = `port ${c.port} is ${heldBy(h)}: a TCP socket bound to ${h.local} that neither listens nor is connected (bind() without listen())`;
      for (const x of boundOnly.slice(1)) details.push(`also bound, not listening, on ${x.local}: ${who(x)}`);
      details.push('a bound socket keeps its port until it is closed, listening or not; ss -tan does not list it (ss -B does, iproute2 6.7+)');
      next.push('close that socket, or have the program call listen() on it (a program should bind only when it is about to listen)');
      return { ok: false, summary, details, nextSteps: next };
    }
    if (others.length) {
      const orphans = others.filter(isOrphan);
      const e = others.find((o) => !isOrphan(o)) ?? others[0]; // a held one, when there is one, is the example
      const summary = `port ${c.port} is in use by ${others.length} socket(s) that are not listening (${[...new Set(others.map((o) => o.state))].join(', ')}), e.g. ${e.local}${e.peer ? ` -> ${e.peer}` : ''} ${heldBy(e)}`;
      details.push('connections accepted by a listener that has exited (or outgoing connections that took this port) keep it busy until they close');
      if (orphans.length)
        details.push(
          orphans.length === others.length
            ? others.length === 1
              ? 'it is an orphan: closed by its program, held by no process, kept by the kernel until the connection ends'
              : `all ${others.length} of them are orphans: closed by their program, held by no process, kept by the kernel until the connection ends`
            : `${orphans.length} of them ${orphans.length === 1 ? 'is an orphan' : 'are orphans'}: closed by their program, held by no process, kept by the kernel until the connection ends`,
        );
      if (!c.reuseaddr) next.push('with SO_REUSEADDR (--reuseaddr) bind() may share the port with connections that are not listening');
      if (orphans.length < others.length) next.push(`close those connections, or wait for them to end (sockscope analyze --port ${c.port})`);
      // ss -K 'sport = :P' would also end live connections on other addresses of the port: only when every socket on the
      // port is an orphan (or TIME_WAIT); otherwise a filter that names the orphan's four-tuple.
      const wholePort = c.holders.every((h) => isOrphan(h) || h.state === 'TIME_WAIT');
      const o = orphans[0];
      // -t: without it ss -K also disconnects connected UDP sockets on the port, which holders (TCP) never listed.
      const tuple = o?.peer ? fourTuple(o.local, o.peer) : undefined;
      const kill =
        orphans.length !== others.length
          ? ''
          : wholePort
            ? `; as root, ss -K -t 'sport = :${c.port}' ends them at once`
            : tuple
              ? `; as root, ss -K -t with each one's four-tuple ends it at once, e.g. ss -K -t '${tuple}' (sport = :${c.port} alone would end other addresses' live connections too)`
              : '';
      // A FIN_WAIT2 orphan whose peer is here in CLOSE_WAIT: the process that has not closed that end is the cause.
      const stuck = orphans.find(closeWaitPeer);
      if (stuck) next.push(closeWaitStep(stuck));
      if (orphans.length) next.push(`wait: an orphan goes away on its own, in FIN_WAIT1, CLOSING or LAST_ACK once the peer acknowledges its FIN or after net.ipv4.tcp_orphan_retries retransmissions or window probes (0 means 8), in FIN_WAIT2 after net.ipv4.tcp_fin_timeout (60 s)${kill}`);
      return { ok: false, summary, details, nextSteps: next };
    }
    if (tw.length) {
      if (!c.reuseaddr) {
        const would = c.reuseaddrWouldWork;
        const twNote = 'TIME_WAIT lasts 60 s on Linux (fixed; tcp_fin_timeout does not change it); a server restarted within that time hits this unless both it and the socket that left them set SO_REUSEADDR before bind()';
        if (would === false)
          return {
            ok: false,
            summary: `port ${c.port} has no listener, only ${tw.length} TIME_WAIT socket(s), and SO_REUSEADDR would NOT help (checked: a second bind with it failed too): the sockets that left them did not set SO_REUSEADDR, and Linux wants it on both`,
            details: [...details, twNote],
            nextSteps: ['wait up to 60 s for the TIME_WAIT sockets to expire', 'make the server that owned the port set SO_REUSEADDR before bind(), so its restarts are not blocked'],
          };
        return {
          ok: false,
          summary: `port ${c.port} has no listener, only ${tw.length} TIME_WAIT socket(s) from earlier connections; SO_REUSEADDR (--reuseaddr) lets this bind through${would ? ' (checked: a second bind with it succeeded)' : ''}`,
          details: [...details, twNote],
          nextSteps: ['set SO_REUSEADDR before bind() in the server (every server should)', ...(would ? [] : [`sockscope try bind ${c.target} --reuseaddr  (to confirm)`])],
        };
      }
      return {
        ok: false,
        summary: `port ${c.port} has only ${tw.length} TIME_WAIT socket(s), and SO_REUSEADDR was set, yet bind() failed: the sockets that left them did not set SO_REUSEADDR (Linux requires it on both sides)`,
        details,
        nextSteps: ['wait up to 60 s for TIME_WAIT to end', 'make the server that owned the port set SO_REUSEADDR too'],
      };
    }
    // The walk's own words: other users' processes, and the user's own undumpable ones said to be theirs.
    const note = c.hiddenNote ?? (c.hiddenProcesses ? `${c.hiddenProcesses} process${c.hiddenProcesses === 1 ? '' : 'es'} of other users ${c.hiddenProcesses === 1 ? 'is' : 'are'} hidden: run as root to see them` : undefined);
    const hidden = note ? ` (${note})` : '';
    return { ok: false, summary: `port ${c.port} is in use, but no socket on it is visible${hidden}`, details, nextSteps: [`sudo ss -tanp 'sport = :${c.port}'`] };
  }

  if ((c.op === 'bind' || c.op === 'listen') && errno === 'EACCES') {
    const start = c.unprivilegedPortStart;
    if (start != null && c.port < start && c.uid !== 0 && !c.hasNetBindService) {
      return {
        ok: false,
        summary: `port ${c.port} is privileged: ports below net.ipv4.ip_unprivileged_port_start=${start} need root or CAP_NET_BIND_SERVICE, and this process runs as uid ${c.uid} without it`,
        details,
        nextSteps: [
          'sudo setcap cap_net_bind_service=+ep /path/to/server (give the binary the capability)',
          'systemd: AmbientCapabilities=CAP_NET_BIND_SERVICE in the service unit',
          `sysctl -w net.ipv4.ip_unprivileged_port_start=${c.port} (lower the limit host-wide)`,
          `listen on a port >= ${start} and redirect (iptables -t nat ... REDIRECT, or a reverse proxy)`,
        ],
      };
    }
    return { ok: false, summary: `bind to ${c.target} was denied (EACCES)${start != null ? `; port ${c.port} is not below ip_unprivileged_port_start=${start}, so a security module (SELinux, AppArmor) or a BPF cgroup hook refused it` : ''}`, details, nextSteps: ['check the audit log (ausearch -m avc, journalctl -k) for a denial'] };
  }

  if ((c.op === 'bind' || c.op === 'listen') && errno === 'EADDRNOTAVAIL') {
    // IPv6 has its own sysctl: net.ipv4.ip_nonlocal_bind does not apply to AF_INET6 (ipv6_can_nonlocal_bind() reads
    // net.ipv6.ip_nonlocal_bind; test/cli/try-netns). A link-local address is one interface's (hostAddresses has it with
    // its zone, written as the target's is): another zone does not find it; on its own zone it is not usable yet.
    // Compared in canonical form (bareAddress): fe80:0::77 and FE80::77 are fe80::77.
    const v6 = !isV4(endpointHost(c.target));
    const { address: written, zone } = splitZone(c.target);
    const address = bareAddress(written);
    const zones = zone === undefined ? [] : (c.hostAddresses ?? []).filter((a) => a.includes('%') && bareAddress(a) === address).map((a) => a.slice(a.indexOf('%') + 1));
    const iface = (z: string) => (/^\d+$/.test(z) ? `interface index ${z}` : z);
    if (zone !== undefined && zones.includes(zone)) return { ok: false, summary: `${address} is on ${iface(zone)} but not usable yet: tentative (duplicate address detection runs for about a second after it is added) or dadfailed (another host on the link has it)`, details, nextSteps: [`ip -6 addr show dev ${zone}   (tentative or dadfailed next to ${address})`] };
    if (zone !== undefined && zones.length) return { ok: false, summary: `${address} is not an address of ${iface(zone)}: it belongs to another interface, ${zones.map(iface).join(', ')} (a link-local address is one link's; the zone says which)`, details, nextSteps: [`sockscope try ${c.op} '[${address}%${zones[0]}]:${c.port}'   (${address} on ${iface(zones[0])})`, 'ip -br -6 addr show scope link   (the link-local addresses and their interfaces)'] };
    const summary = `${c.target.replace(/:\d+$/, '')} is not an address of this host${c.hostAddresses?.length ? ` (this host has ${c.hostAddresses.join(', ')})` : ''}`;
    const nonlocal = v6 ? 'net.ipv6.ip_nonlocal_bind=1 (IPv6 has its own switch; net.ipv4.ip_nonlocal_bind does not apply)' : 'net.ipv4.ip_nonlocal_bind=1';
    return { ok: false, summary, details, nextSteps: [`bind ${v6 ? ':: (every IPv6 address)' : '0.0.0.0 (every IPv4 address)'}, or one this host has (ip -br addr)`, `to bind an address before it is configured: IP_FREEBIND on the socket, or sysctl ${nonlocal}`] };
  }

  // An IPv6 link-local address exists once per link: without a scope id (the interface) the kernel cannot pick one.
  const host = endpointHost(c.target);
  if (errno === 'EINVAL' && isLinkLocal(host) && !host.includes('%')) {
    // The interface, from this host's link-local addresses (fe80::1%eth0): for bind the one with that address, for a
    // peer the link of the on-link fe80::/64, when only one interface has it; else IFACE, and the candidates said.
    const zoned = (c.hostAddresses ?? []).filter((a) => a.includes('%') && (c.op !== 'bind' || bareAddress(a) === bareAddress(host)));
    const links = [...new Set(zoned.map((a) => a.slice(a.indexOf('%') + 1)))];
    const on = links.length === 1 ? links[0] : 'IFACE';
    const why = links.length === 1 ? ` (${on}: ${c.op === 'bind' ? 'the interface with that address' : 'the only interface with a link-local address, fe80::/64 on-link'})` : links.length ? ` (IFACE: the link it is on, one of ${links.join(', ')})` : '';
    return {
      ok: false,
      summary: `${host} is an IPv6 link-local address (fe80::/10): ${c.op} needs its scope id, the interface it belongs to, as in [${host}%${on}]:${c.port}${why}`,
      details,
      nextSteps: ['ip -br -6 addr show scope link   (the link-local addresses and their interfaces)', `sockscope try ${c.op} '[${host}%${on}]:${c.port}'`],
    };
  }

  if (c.op === 'connect') {
    const d = diagnoseConnectError(errno, { ...c.connectFacts, ...(c.hostAddresses ? { hostAddresses: c.hostAddresses } : {}), address: c.target.replace(/^\[|\]?:\d+$/g, ''), port: c.port, timeoutMs: c.timeoutMs });
    return { ok: false, summary: d.summary, details: [...details.filter((x) => !d.meaning || !x.includes(d.meaning))].concat(d.meaning ? [`${errno}: ${d.meaning}`] : []), nextSteps: d.nextSteps };
  }
  if (c.op === 'sendto') {
    const sent = sendtoFailure(c, errno, details);
    if (sent) return sent;
  }
  return { ok: false, summary: `${c.failedCall ?? c.op} failed with ${errno}`, details, nextSteps: [] };
}

/**
 * An ss filter for one connection: "src 127.0.0.1 and sport = :45000 and dst 127.0.0.1 and dport = :51234" (IPv6 in
 * brackets). ss cannot parse a zone in an address ("[fe80::1%eth0]"): a link-local one becomes "dev = eth0"; undefined
 * when the zone is no plain interface name (it is the system's text, and would stand in a shell command).
 */
function fourTuple(local: string, peer: string): string | undefined {
  const split = (e: string) => {
    const i = e.lastIndexOf(':');
    const host = e.slice(0, i);
    const zone = /%([^\]]*)\]?$/.exec(host)?.[1];
    return { host: host.replace(/%[^\]]*/, ''), port: e.slice(i + 1), zone };
  };
  const l = split(local);
  const p = split(peer);
  const zone = l.zone ?? p.zone;
  if (zone !== undefined && !/^[A-Za-z0-9_.-]{1,15}$/.test(zone)) return undefined;
  return `src ${l.host}${zone !== undefined ? ` and dev = ${zone}` : ''} and sport = :${l.port} and dst ${p.host} and dport = :${p.port}`;
}
