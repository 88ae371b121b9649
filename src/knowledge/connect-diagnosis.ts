// What a failed connect() means on this host: the errno read with the facts around it (route, neighbour entry,
// listeners on the port, existing sockets, tcp_tw_reuse). Errno meanings come from src/knowledge/errno.ts. A datagram's
// outcome is read in datagram-diagnosis.ts, with where it went on this host in udp-delivery.ts; refusals and resets
// explained with this host's listeners in connect-refusal.ts.
import { isIP } from 'node:net';
import { icmpKind, icmpSender, icmpText, tcpIcmpFinding, type IcmpReport } from './icmp-report.js';
import { explainErrno } from './errno.js';
import { isLinkLocal, isLoopback } from '../model/socket.js';
import { listenerOwners, memberName, memberQueueText, queueSuspect, reuseportGroup, type LocalListener, type PortListener } from './connect-listeners.js';
import { isMulticast, REJECTING } from './connect-route.js';
import { bareAddress, formatHostPort } from './host-port.js';
import { udpReceivers, udpSocketName, type UdpSocketReading } from './udp-delivery.js';
import { refusedLocally, RESET_CAUSES } from './connect-refusal.js';
import type { NeighbourEntry, RouteInfo } from '../parse/ip-route.js';

/** This host's existing TCP sockets to one destination, summarized. */
export interface ExistingSockets {
  total: number;
  states: Record<string, number>;
  /** Average smoothed RTT over sockets that report it, in ms. */
  avgRttMs?: number;
  maxRttMs?: number;
  /** Sum of total retransmits over the sockets whose source gives it (tcp_info: netlink, ss). */
  retransTotal: number;
  /** Sockets (not TIME_WAIT) whose total retransmits the source cannot see (/proc/net/tcp, netstat): not in retransTotal. */
  retransUnknown?: number;
  /** For those sockets, the retransmits of what is being resent now (/proc/net/tcp's retrnsmt); every SYN resent for SYN_SENT. */
  retransNow?: number;
  timeWait: number;
  /** net.ipv4.ip_local_port_range (the cap on connections to one destination from one source address); `used`, `timeWait`: the sockets with a local port in it (absent: `total`, `timeWait`). */
  portRange?: { low: number; high: number; size: number; used?: number; timeWait?: number };
  /**
   * Sockets left out of `total` and `states`: closed by their program (no file left, inode 0) and waiting for the
   * peer's FIN or last ACK (FIN_WAIT1, FIN_WAIT2, CLOSING, LAST_ACK), such as the probe of an earlier run.
   */
  closedByProgram?: Record<string, number>;
  /**
   * A local destination: the server's ends of the closedByProgram sockets, on this host, at `at` (their local address
   * and port: 127.0.0.1:P under a 0.0.0.0:P listener, not the listener's). `unclosed`: accepted, and not closed by
   * their process (CLOSE_WAIT with a file: a close() leak in `by`); `unaccepted`: still in the accept queue of the
   * listener that took them (an earlier probe to a server that never accepts leaves one).
   */
  otherEnds?: { at: string; unclosed: number; unaccepted: number; by?: string; pid?: number };
  /**
   * This host's UDP sockets connect()ed to the destination (a UDP client that calls connect(): DNS resolvers, statsd,
   * syslog). Not in `total` or `states`, which count TCP; undefined when they were not read.
   */
  udpConnected?: number;
}

/** An interpreted connect error. */
export interface ConnectDiagnosis {
  errno: string;
  /** Short category: refused, reset (accepted, then reset), timeout, unreachable, ports-exhausted, dns, permission, other. */
  category: 'refused' | 'reset' | 'timeout' | 'unreachable' | 'ports-exhausted' | 'dns' | 'permission' | 'other';
  summary: string;
  /** From the errno knowledge. */
  meaning?: string;
  causes: string[];
  nextSteps: string[];
}

/** Everything a connect outcome is interpreted with; only errno, address and port are required. */
export interface ConnectContext {
  address: string;
  port: number;
  timeoutMs?: number;
  route?: RouteInfo;
  existing?: ExistingSockets;
  /** The listener a timed-out local connect reaches (its accept queue). */
  listener?: LocalListener;
  /** Set only when the destination is this host: every TCP listener on `port`, at any address, with its owners. */
  listeners?: readonly PortListener[];
  /** The name as typed and every address it resolved to (names only, not literals). */
  resolved?: { host: string; addresses: readonly string[] };
  /** The next hop's ARP/NDP entry (the address itself when directly connected), read after the attempt. */
  neighbour?: NeighbourEntry;
  /** The route that rejected the connect, as `ip route show match` names it ("blackhole 10.50.0.0/16"). */
  routeLine?: string;
  /** net.ipv4.tcp_tw_reuse: 0 off, 1 on, 2 loopback only (the default). */
  twReuse?: number | null;
  /** A link-local address's zone that names no interface of this host ("nosuch" in fe80::1%nosuch): no scope id. */
  unknownZone?: string;
  /**
   * Set only when the destination is this host: its UDP sockets on `port` (bound, at any address), so that a refused
   * TCP connect to a UDP service says the service is there. Read when `listeners` has no TCP listener for it.
   */
  udpSockets?: readonly UdpSocketReading[];
  /**
   * The call was a UDP sendto (`try sendto`) that an ICMP error ended: what was sent is a datagram, not a SYN, and the
   * port's sockets on this host are the UDP ones in `udpSockets` (a local destination).
   */
  datagram?: boolean;
  /**
   * The ICMP error that ended the call, read from sockscope's own socket (IP_RECVERR: `try` only): null when the queue
   * held none, so a refused connect was a TCP reset; absent when it was not read (debug-connections connects with Node).
   */
  icmp?: IcmpReport | null;
  /** This host's addresses (an ICMP error from one of them came from this host). */
  hostAddresses?: readonly string[];
}

/** The failed/incomplete neighbour states: no ARP/NDP answer. */
const NO_NEIGHBOUR = new Set(['INCOMPLETE', 'FAILED']);
/** States of an entry whose link-layer address is known. */
const NEIGHBOUR_KNOWN = new Set(['REACHABLE', 'STALE', 'DELAY', 'PROBE', 'PERMANENT', 'NOARP']);

/** What the neighbour entry says about a connect (or a datagram: `datagram`) that got no answer (ETIMEDOUT, EHOSTUNREACH); undefined when it says nothing. */
export function neighbourFinding(ctx: ConnectContext, target: string): { summary: string; steps: string[]; answered: boolean } | undefined {
  const n = ctx.neighbour;
  if (!n || !ctx.route?.ok || ctx.route.type !== 'unicast') return undefined;
  const gateway = ctx.route.via !== undefined;
  const proto = isIP(n.address) === 6 ? 'NDP (neighbour discovery)' : 'ARP';
  const on = n.dev ? ` on ${n.dev}` : '';
  const sent = ctx.datagram ? 'the datagram' : 'the SYN';
  if (NO_NEIGHBOUR.has(n.state)) {
    const probe = isIP(n.address) === 6 ? `ndisc6 ${n.address}${n.dev ? ` ${n.dev}` : ''}` : `arping -c 3${n.dev ? ` -I ${n.dev}` : ''} ${n.address}`;
    return {
      answered: false,
      summary: gateway
        ? `${target}: no ${proto} reply from the gateway ${n.address}${on} (neighbour entry ${n.state}): ${sent} never left this host; the gateway is down or not on that link`
        : `${target}: no ${proto} reply from ${n.address}${on} (neighbour entry ${n.state}): ${sent} never left this host; no machine on that link has this address (down, unplugged, or another address)`,
      steps: [
        `ip neigh show ${n.address}   (INCOMPLETE/FAILED: no ${proto} answer)`,
        `${probe}   (does anything on the link answer for ${n.address}?)`,
        `ip -br addr show${n.dev ? ` dev ${n.dev}` : ''}   (is ${n.address} in the subnet of that interface, and is it the right link?)`,
      ],
    };
  }
  // A static entry (PERMANENT, NOARP) was never answered: it only says where the frames go.
  const known = n.state === 'PERMANENT' || n.state === 'NOARP' ? `has a static ${proto} entry` : `answers ${proto}`;
  if (NEIGHBOUR_KNOWN.has(n.state))
    return {
      answered: true,
      summary: gateway
        ? `no answer from ${target} within ${ctx.timeoutMs ?? '?'} ms: the gateway ${n.address} ${known}${on}, so the SYNs leave this host and are lost beyond it (a firewall that drops, a host that is down, or a broken path)`
        : `no answer from ${target} within ${ctx.timeoutMs ?? '?'} ms: ${n.address} ${known}${on}${n.lladdr ? ` (${n.lladdr})` : ''}, so the SYNs reach the link, but it sends no SYN-ACK: a firewall on it drops port ${ctx.port}, it has no route back to this host, or it is overloaded`,
      steps: [],
    };
  return undefined;
}

/** What an ICMP error that gives EHOSTUNREACH is called in the family of `address`, and the REJECT rules that send it. */
function icmpReject(address: string, read?: IcmpReport | null): { icmp: string; rules: string } {
  // ICMPv6 admin prohibited gives EACCES, not EHOSTUNREACH (icmpv6_err_convert): only address unreachable does.
  const r =
    isIP(address) === 6
      ? { icmp: 'an ICMPv6 address unreachable', rules: 'nft `reject with icmpx host-unreachable`, ip6tables --reject-with icmp6-addr-unreachable' }
      : { icmp: 'an ICMP host unreachable or admin prohibited', rules: 'nft `reject with icmpx admin-prohibited`, iptables --reject-with icmp-host-prohibited, icmp-admin-prohibited or icmp-host-unreachable' };
  // The error read from the socket (try) says which, and from whom.
  return read ? { ...r, icmp: `an ${icmpText(read)}` } : r;
}

/**
 * EHOSTUNREACH although the next hop's neighbour entry has its link-layer address (neighbourFinding answered): the
 * packet left this host, and an ICMP error came back (the kernel's own ARP failure would have left the entry FAILED).
 */
function icmpRejected(ctx: ConnectContext, target: string, n: NeighbourEntry): { summary: string; steps: string[] } {
  const bare = bareAddress(ctx.address);
  const P = ctx.port;
  const proto = ctx.datagram ? 'udp' : 'tcp';
  const sent = ctx.datagram ? 'the datagram' : 'the SYN';
  const nd = isIP(n.address) === 6 ? 'NDP (neighbour discovery)' : 'ARP';
  const known = n.state === 'PERMANENT' || n.state === 'NOARP' ? `has a static ${nd} entry` : `answers ${nd}`;
  const on = n.dev ? ` on ${n.dev}` : '';
  const { icmp, rules } = icmpReject(bare, ctx.icmp);
  const ruleStep = `on ${bare}: nft list ruleset; iptables -S INPUT   (a REJECT rule for ${proto} port ${P}: ${rules.replace(/`/g, '')})`;
  const watch = `tcpdump -ni ${n.dev ?? 'any'} ${isIP(bare) === 6 ? 'icmp6' : 'icmp'}   (while retrying: the ICMP's source is the host that rejects, its code says why)`;
  if (ctx.route?.via !== undefined)
    return {
      summary: `${target}: the gateway ${n.address} ${known}${on}, so ${sent} left this host, and ${icmp} came back: a REJECT rule on the path or on ${bare} (${rules}), or a router beyond the gateway that cannot reach ${bare}`,
      steps: [`traceroute ${ctx.datagram ? '-U' : '-T'} -p ${P} ${bare}   (the hop that answers !X (admin prohibited) or !H (host unreachable) is the one that rejects)`, watch, ruleStep],
    };
  return {
    summary: `${target}: ${n.address} ${known}${on}${n.lladdr ? ` (${n.lladdr})` : ''}, so ${sent} reached it, and ${icmp} came back: a REJECT rule on ${bare} (${rules}) rejects ${proto} port ${P}; not an ${nd} failure`,
    steps: [ruleStep, watch],
  };
}

/**
 * EHOSTUNREACH from an address of this host: loopback involves no ARP, so an ICMP error came from a REJECT rule on
 * this host. The listener (or, for a datagram, the UDP socket) that would have taken it is named when there is one.
 */
function rejectedLocally(ctx: ConnectContext, target: string): { summary: string; steps: string[] } {
  const t = bareAddress(ctx.address);
  const P = ctx.port;
  const proto = ctx.datagram ? 'udp' : 'tcp';
  const { icmp, rules } = icmpReject(t, ctx.icmp);
  let who: string | undefined;
  let none = '';
  if (ctx.datagram) {
    const here = ctx.udpSockets ? udpReceivers(ctx.udpSockets, t) : [];
    if (here.length) who = `${here.slice(0, 3).map(udpSocketName).join('; ')} would receive this datagram`;
    else if (ctx.udpSockets) none = `; no UDP socket receives on ${target} either`;
  } else if (ctx.listeners) {
    const group = reuseportGroup(ctx.listeners, t);
    if (group.length) who = `${group.map((l) => memberName(l, group)).join(', ')} ${group.length === 1 ? 'listens' : 'listen (SO_REUSEPORT)'} on ${formatHostPort(group[0].address, P)}, which takes this connection`;
    else none = `; nothing listens on ${target} either`;
  }
  return {
    summary: who
      ? `${target}: ${who}, yet ${icmp} came back: a REJECT rule on this host (${rules}) rejects ${proto} port ${P}; an address of this host involves no ARP`
      : `${target} is an address of this host, which involves no ARP, yet ${icmp} came back: a REJECT rule on this host (${rules}) rejects ${proto} port ${P}${none}`,
    steps: [
      `nft list ruleset; iptables -S INPUT; iptables -S OUTPUT   (a REJECT rule for ${proto} port ${P}: ${rules.replace(/`/g, '')})`,
      ctx.datagram ? `ss -lunp 'sport = :${P}'   (the UDP sockets on the port)` : `sockscope analyze --port ${P}   (the port's listeners, connections and owners)`,
    ],
  };
}

/**
 * A local connect that timed out while no accept queue explains it (queueFinding found none full): this host answers
 * a SYN at once, with a SYN-ACK from a listener with room or a reset when nothing listens, so a rule on this host
 * dropped it. The listener it would have reached is named with its queue.
 */
function droppedLocally(ctx: ConnectContext, target: string): { summary: string; steps: string[] } {
  const P = ctx.port;
  const within = `no answer from ${target} within ${ctx.timeoutMs ?? '?'} ms`;
  const rule = `a DROP rule on this host (nft, or iptables INPUT/OUTPUT) drops tcp port ${P}`;
  const steps = [`nft list ruleset; iptables -S INPUT; iptables -S OUTPUT   (a DROP rule for tcp port ${P})`];
  const l = ctx.listener;
  if (l) {
    // Library callers may pass a listener without its owners: found among the listeners by address.
    const owner = l.by === undefined ? ctx.listeners?.find((x) => formatHostPort(x.address, x.port) === l.local) : undefined;
    const by = l.by ?? (owner?.owners.length ? listenerOwners(owner) : undefined);
    const room = l.backlog !== undefined ? `has room (${l.pending} waiting for accept(), backlog ${l.backlog})` : `holds no connection waiting for accept() (its backlog is unknown with this source)`;
    const who = l.groupSize
      ? `${l.groupSize} SO_REUSEPORT listeners listen on ${l.local} on this host${by ? ` (${by} among them)` : ''}, and none of their accept queues is full`
      : `${by ?? 'a listener'} listens on ${l.local} on this host, and its accept queue ${room}`;
    steps.push(`sockscope analyze --port ${P}   (the listener, its queue and its owner)`);
    return { summary: `${within}: ${who}, so the kernel would have answered the SYN: ${rule}`, steps };
  }
  if (ctx.listeners)
    return {
      summary: `${within}: nothing listens on ${target}, and this host answers a SYN to a port nobody listens on with a reset, not silence: ${rule}`,
      steps: [...steps, `ss -ltnp 'sport = :${P}'   (no listener takes ${target})`],
    };
  return {
    summary: `${within}: ${target} is this host, which answers a SYN at once (a SYN-ACK, or a reset when nothing listens): ${rule}, or a listener's accept queue is full`,
    steps: [...steps, `ss -ltn 'sport = :${P}'   (the listener's Recv-Q against its backlog, Send-Q)`, 'nstat -az TcpExtListenOverflows TcpExtListenDrops (SYNs dropped because the queue was full)'],
  };
}

/**
 * A local connect that timed out, explained by the accept queue of the listener it reached: over its backlog, or,
 * when the source cannot see the backlog (/proc/net/tcp, netstat), holding connections nobody has accepted (on this
 * host little else drops a SYN). In a SO_REUSEPORT group every member that could have dropped it is named.
 */
function queueFinding(ctx: ConnectContext, target: string): { summary: string; steps: string[] } | undefined {
  const l = ctx.listener;
  if (!l || !queueSuspect(l)) return undefined;
  const P = ctx.port;
  const within = `no answer from ${target} within ${ctx.timeoutMs ?? '?'} ms`;
  // Library callers may pass a listener without its owners: found among the listeners by address, as before.
  const owner = l.by === undefined ? ctx.listeners?.find((x) => formatHostPort(x.address, x.port) === l.local) : undefined;
  const one = (x: LocalListener) => ({ by: x.by ?? (owner?.owners.length ? listenerOwners(owner) : undefined), pid: x.pid ?? owner?.owners[0]?.pid });
  const all = l.candidates ?? [l];
  const unknown = all.some((x) => x.backlog === undefined);
  const steps: string[] = [];
  for (const x of all.slice(0, 3)) {
    const o = one(x);
    if (o.by && o.pid !== undefined) steps.push(`${o.by} is not calling accept() fast enough: see what it does (strace -f -p ${o.pid} -e trace=accept,accept4,poll,epoll_wait)`);
  }
  if (steps.length === 0) steps.push(`sockscope analyze --port ${P}   (which process owns the listener, and is it calling accept()?)`);
  if (unknown) steps.push(`ss -ltn 'sport = :${P}'   (this source cannot see the backlog: the LISTEN line's Send-Q is the backlog, a Recv-Q above it is a full queue; or run with --source netlink)`);
  steps.push('make the server accept faster (more workers, no blocking work in the accept loop), or raise its listen() backlog and net.core.somaxconn');
  steps.push('nstat -az TcpExtListenOverflows TcpExtListenDrops (SYNs dropped because the queue was full)');
  if (unknown) steps.push(`if the queue is not full: a firewall rule on this host that drops port ${P} (iptables -S; nft list ruleset)`);
  if (all.length > 1) {
    const which = all.map(memberQueueText).join(', ');
    return {
      summary: unknown
        ? `${within}: ${all.length} of the ${l.groupSize ?? all.length} SO_REUSEPORT listeners on ${l.local} on this host hold connections nobody has accepted, and their backlogs are unknown with this source: ${which}; full accept queues, where the kernel drops new SYNs, are the likely cause; which one this SYN was hashed to cannot be told`
        : `${within}: the accept queues of ${all.length} of the ${l.groupSize ?? all.length} SO_REUSEPORT listeners on ${l.local} on this host are full, so the kernel drops the new SYNs it hashes to them: ${which}; which one this SYN went to cannot be told`,
      steps,
    };
  }
  const group = l.groupSize ? ` (1 of the ${l.groupSize} SO_REUSEPORT listeners there; the kernel hashes each new connection to one of them)` : '';
  const who = one(l).by;
  return {
    summary: unknown
      ? `${within}: the listener ${l.local} on this host${group} has ${l.pending} connection(s) waiting for accept(), and its backlog is unknown with this source: a full accept queue, where the kernel drops new SYNs, is the likely cause${who ? `: ${who} is not accepting fast enough` : ''}`
      : `${within}: the accept queue of the listener ${l.local} on this host${group} is full (${l.pending} waiting for accept(), backlog ${l.backlog}), so the kernel drops new SYNs${who ? `: ${who} is not accepting fast enough` : ''}`,
    steps,
  };
}

/**
 * EINVAL for an IPv6 link-local address without its zone, or with a zone that names no interface: such an address
 * exists once per link, and without a scope id the kernel cannot tell which link (tcp_v6_connect fails at once, before
 * any route is looked up). The example names the interface the route to the address goes out of, when it is one.
 */
function linkLocalFinding(ctx: ConnectContext, target: string, bare: string): { summary: string; steps: string[] } | undefined {
  if (!isLinkLocal(bare) || (ctx.address.includes('%') && ctx.unknownZone === undefined)) return undefined;
  const dev = ctx.route?.ok && ctx.route.type === 'unicast' && ctx.route.dev ? ctx.route.dev : undefined;
  const example = formatHostPort(`${bare}%${dev ?? 'IFACE'}`, ctx.port);
  const steps = [`ip -br -6 addr show scope link   (the link-local addresses and their interfaces)`, `connect to ${example}${dev ? `   (${dev}: the interface the route to ${bare} goes out of)` : ''}`];
  if (ctx.unknownZone !== undefined)
    return {
      summary: `${target}: no interface ${ctx.unknownZone} on this host: the zone after % names the link of the link-local address ${bare} (fe80::/10); with none, connect() has no scope id and fails with EINVAL`,
      steps: ['ip -br link   (the interfaces of this host: a zone is one of their names or indexes)', ...steps],
    };
  return { summary: `${target}: ${bare} is an IPv6 link-local address (fe80::/10): connect needs its scope id, the interface it is on, as in ${example}; without one the kernel fails connect() with EINVAL`, steps };
}

/** What a connect() errno means for this destination, with next steps. */
export function diagnoseConnectError(errno: string, ctx: ConnectContext): ConnectDiagnosis {
  const target = formatHostPort(ctx.address, ctx.port);
  let meaning: string | undefined;
  let knownCauses: string[] = [];
  let knownFixes: string[] = [];
  try {
    const e = explainErrno(errno).matches[0];
    if (e) {
      meaning = e.meaning;
      knownCauses = e.causes;
      knownFixes = e.fixes;
    }
  } catch {
    /* not in the table (e.g. ENOTFOUND from the resolver) */
  }
  const bare = bareAddress(ctx.address);
  const v6 = isIP(bare) === 6;
  const localTarget = ctx.route?.type === 'local' || ctx.listeners !== undefined;
  const d = (category: ConnectDiagnosis['category'], summary: string, nextSteps: string[], causes = knownCauses): ConnectDiagnosis => ({ errno, category, summary, meaning, causes, nextSteps });
  const matchStep = `ip ${v6 ? '-6 ' : ''}route show match ${bare}   (the routes that cover ${bare}; ip rule lists policy rules, which can reject too)`;
  // A route (or rule) that rejects: the kernel fails connect() at once with the errno of the route type.
  const rejecting = ctx.route?.ok === false && ctx.route.type && ['blackhole', 'prohibit', 'unreachable', 'throw'].includes(ctx.route.type) ? ctx.route.type : undefined;
  if (rejecting && ['EINVAL', 'EACCES', 'EHOSTUNREACH', 'ENETUNREACH'].includes(errno)) {
    // `ip route show match` reads the main table: its line names the route only when its type is the one that answered.
    const line = ctx.routeLine?.startsWith(`${rejecting} `) ? ctx.routeLine : undefined;
    const named = line ? ` (${line})` : ctx.routeLine !== undefined ? ' (not in the main table: an ip rule or another table)' : '';
    return d(
      'unreachable',
      `${target}: ${REJECTING[rejecting]} on this host${named}, so connect() fails with ${errno} at once and nothing is sent`,
      [matchStep, line ? `ip route del ${line.split(/\s+/).slice(0, 2).join(' ')}   (if that route is not meant to be there)` : 'ip rule; ip route show table all   (where the rejecting route or rule is)'],
      [],
    );
  }
  // TCP connects to one host: the kernel refuses broadcast and multicast destinations (ENETUNREACH).
  if (errno === 'ENETUNREACH' && !ctx.datagram && (isMulticast(bare) || bare === '255.255.255.255' || ctx.route?.type === 'broadcast' || ctx.route?.type === 'multicast')) {
    const kind = isMulticast(bare) || ctx.route?.type === 'multicast' ? 'multicast' : 'broadcast';
    return d(
      'unreachable',
      `${target}: ${bare} is a ${kind} address: TCP connects to one host only, and Linux fails connect() to a ${kind} address with ENETUNREACH`,
      ["connect to the server's own (unicast) address", `to find servers by ${kind}, use UDP${kind === 'broadcast' ? ' (with SO_BROADCAST set)' : ''} and have them answer with their own address`],
      [],
    );
  }
  // An ICMP error read from the socket names what refused the connect, and who: decisive where it is a REJECT rule
  // (port unreachable or prohibited: a closed TCP port answers with a reset) or a router on the path.
  // This host's own addresses have findings of their own (refusedLocally, rejectedLocally) that name the listener and
  // read the same error; so does a peer whose neighbour entry answered (icmpRejected).
  // An unreachable that this host's kernel sent itself (no ARP/NDP answer) is the neighbour findings' to explain.
  const firewall = ctx.icmp && ['port-unreachable', 'admin-prohibited', 'prot-unreachable'].includes(icmpKind(ctx.icmp));
  const remote = ctx.icmp && ['destination', 'path'].includes(icmpSender(ctx.icmp, bare, ctx.hostAddresses));
  // For this host, refusedLocally and rejectedLocally explain ECONNREFUSED and EHOSTUNREACH; the other errnos an ICMP
  // error gives (EACCES for ICMPv6 admin-prohibited, ENOPROTOOPT for protocol unreachable) have no local finding.
  const localFinding = localTarget && (errno === 'ECONNREFUSED' || errno === 'EHOSTUNREACH');
  if (ctx.icmp && !ctx.datagram && !localFinding && (firewall || remote)) {
    const f = tcpIcmpFinding(ctx.icmp, target, bare, ctx.hostAddresses);
    if (f) return d(errno === 'ECONNREFUSED' ? 'refused' : 'unreachable', f.summary, f.steps);
  }
  switch (errno) {
    case 'ECONNREFUSED': {
      const here = localTarget ? refusedLocally(ctx, target) : undefined;
      if (here) return d('refused', here.summary, [...here.steps, `sockscope analyze --port ${ctx.port}   (the port's listeners, connections and owners)`]);
      // This host's UDP clients of the destination: the service on that port is probably UDP, which a TCP connect does not test.
      const udp = ctx.existing?.udpConnected;
      const udpNote = udp ? `; ${udp} UDP socket(s) on this host are connected to ${target}: if the service is UDP, a TCP connect does not test it` : '';
      // ctx.icmp null: the socket's error queue was read and held no ICMP error, so the refusal was a TCP reset.
      const how = ctx.icmp === null ? 'answered with a TCP reset (no ICMP error came back)' : 'was refused (a TCP reset or an ICMP port unreachable)';
      const firewall = ctx.icmp === null ? 'a REJECT rule with tcp-reset' : 'a REJECT rule: tcp-reset or ICMP port unreachable';
      return d('refused', `${target} ${how}: nothing listens there${localTarget ? ' (this host: check its listeners)' : `, or a firewall rejects it (${firewall})`}${udpNote}`, [
        ...(udp ? [`sockscope debug-connections --udp --address ${formatHostPort(ctx.address, ctx.port)}   (test it as UDP)`] : []),
        localTarget ? `sockscope analyze --port ${ctx.port}   (is anything listening on ${ctx.port}, and on which address?)` : `on the server: sockscope analyze --port ${ctx.port}, or ss -ltnp 'sport = :${ctx.port}'`,
        'check that the server listens on this address family and address (0.0.0.0 vs 127.0.0.1, :: vs IPv4 only)',
        "look for REJECT rules (iptables -S, nft list ruleset) on the way: --reject-with tcp-reset, or icmp-port-unreachable (iptables REJECT's default)",
      ]);
    }
    case 'ECONNRESET': {
      // connect() reports ECONNRESET only once the handshake is done: a reset answering the SYN is ECONNREFUSED.
      // In a SO_REUSEPORT group the member that took the connection is not known: every member is named.
      const group = localTarget && ctx.listeners ? reuseportGroup(ctx.listeners, bare) : [];
      const holder = group.length === 1 ? group[0] : undefined;
      const who = holder ? listenerOwners(holder) : group.length > 1 ? `one of the ${group.length} SO_REUSEPORT listeners there: ${group.map((l) => memberName(l, group)).join(', ')}` : undefined;
      return d(
        'reset',
        `${target} accepted the connection, then reset it${who ? ` (${who})` : ''} before anything was sent (so no request was left unread): an abortive close (SO_LINGER {1, 0}), a crash, or a server that turns clients away at once (connection limit, access list)`,
        [
          holder?.owners.length
            ? `look at ${who}: its logs, and what it does with a new connection (strace -f -e trace=accept4,setsockopt,close -p ${holder.owners[0].pid})`
            : "look at the server's logs: the handshake completed (a reset answering the SYN would be ECONNREFUSED), then it reset the connection",
          'if a proxy or load balancer is in front: its limits (max connections) and the health of its backends',
        ],
        RESET_CAUSES,
      );
    }
    case 'ETIMEDOUT': {
      // The kernel drops a SYN while the listener's accept queue is full (Recv-Q > backlog): a local, visible cause.
      const queue = queueFinding(ctx, target);
      if (queue) return d('timeout', queue.summary, queue.steps);
      // This host answers every SYN at once (SYN-ACK, or a reset): with no full queue, a rule here dropped it.
      if (localTarget) {
        const dropped = droppedLocally(ctx, target);
        return d('timeout', dropped.summary, dropped.steps);
      }
      const n = neighbourFinding(ctx, target);
      if (n && !n.answered) return d('unreachable', n.summary, n.steps);
      return d('timeout', n?.summary ?? `no answer from ${target} within ${ctx.timeoutMs ?? '?'} ms: SYNs are dropped (a firewall that drops, a host that is down, or a broken path)`, [
        `ping ${bare} and traceroute -T -p ${ctx.port} ${bare} (does the path end somewhere?)`,
        'check firewalls and security groups for a DROP rule on the port',
        `if the server is reachable but slow to accept: on the server, nstat -az TcpExtListenOverflows TcpExtListenDrops`,
      ]);
    }
    case 'ENETUNREACH':
    case 'EHOSTUNREACH':
    case 'EHOSTDOWN':
    case 'ENETDOWN': {
      // An address of this host: no ARP is involved, so the ICMP error came from a REJECT rule here.
      if (errno === 'EHOSTUNREACH' && localTarget) {
        const here = rejectedLocally(ctx, target);
        return d('unreachable', here.summary, here.steps);
      }
      const n = errno === 'EHOSTUNREACH' || errno === 'EHOSTDOWN' ? neighbourFinding(ctx, target) : undefined;
      if (n && !n.answered) return d('unreachable', n.summary, n.steps);
      // The neighbour answered: the packet left this host, and an ICMP error came back (a REJECT rule, or a router).
      if (n?.answered && errno === 'EHOSTUNREACH' && ctx.neighbour) {
        const r = icmpRejected(ctx, target, ctx.neighbour);
        return d('unreachable', r.summary, r.steps);
      }
      const hop = ctx.route?.via ?? bare;
      return d(
        'unreachable',
        `${target}: ${ctx.route?.ok === false ? `this host has no route (${ctx.route.error})` : errno === 'EHOSTUNREACH' ? 'a router or this host reported the host unreachable (no ARP/ND answer or ICMP host unreachable)' : 'no route to that network'}`,
        [
          `ip route get ${bare}`,
          ...(errno === 'EHOSTUNREACH' || errno === 'EHOSTDOWN' ? [`ip neigh show ${hop}   (INCOMPLETE/FAILED: no ARP/NDP answer from ${hop === bare ? 'it' : 'the gateway'})`] : []),
          // `ip route` lists the IPv4 table only: a host with an IPv4 default route and no IPv6 one looks fine there.
          `${v6 ? 'ip -6 route (is there a default IPv6 route?)' : 'ip route (is there a default route?)'}, ip -br link (is the interface up?)`,
          ...(v6 ? ['for IPv6 destinations, check that this host has global IPv6 connectivity'] : []),
        ],
      );
    }
    case 'EADDRNOTAVAIL': {
      const ex = ctx.existing;
      const range = ex?.portRange;
      const [used, tw] = [range?.used ?? ex?.total ?? 0, range?.timeWait ?? ex?.timeWait ?? 0];
      const full = ex && range ? used >= range.size : undefined;
      const ports = range ? `${ex && used !== ex.total ? `; ${used} of them with a local port in the range` : ''}) against ${range.size} ephemeral ports (${range.low}-${range.high})` : ')';
      const steps = ['reuse connections (HTTP keep-alive, a connection pool) instead of one connection per request'];
      // tcp_tw_reuse lets connect() take a TIME_WAIT port only when there are some; 2 (the default) already does so for loopback.
      if (ex && tw > 0) {
        if (ctx.twReuse === 1 || (ctx.twReuse === 2 && isLoopback(bare))) steps.push(`net.ipv4.tcp_tw_reuse=${ctx.twReuse} already lets connect() reuse the ${tw} TIME_WAIT ports${ctx.twReuse === 2 ? ' (loopback)' : ''}`);
        else steps.push(`sysctl -w net.ipv4.tcp_tw_reuse=1   (${tw} TIME_WAIT sockets to ${target}; ${ctx.twReuse === 2 ? 'now 2: reused for loopback only' : ctx.twReuse === 0 ? 'now 0: never reused' : 'lets connect() reuse their ports'})`);
      }
      steps.push('widen net.ipv4.ip_local_port_range, or add source addresses');
      steps.push('if the program bind()s a local port before connect(): a bound port whose 4-tuple (source and destination address and port) an existing socket already uses gives EADDRNOTAVAIL too; let the kernel choose it (no bind(), or IP_BIND_ADDRESS_NO_PORT)');
      const summary = !ex
        ? `no free local port for a new connection to ${target}: the ephemeral port range is used up for this destination, or a local port bound before connect() is already used with it`
        : full === false
          ? `no free local port for a new connection to ${target}: only ${ex.total} sockets to it (${ex.timeWait} in TIME_WAIT${ports}, so ports held by bind() elsewhere (listeners, clients that bind before connect) take the rest, or the local port was bound and its 4-tuple is in use`
          : `no free local port for a new connection to ${target}: ${ex.total} sockets to it already (${ex.timeWait} in TIME_WAIT${ports}`;
      return d('ports-exhausted', summary, steps);
    }
    case 'EACCES':
    case 'EPERM':
      // Never the errno table's fixes here: they are about bind() to a privileged port.
      return d(
        'permission',
        `connect to ${target} was refused by this host's policy: ${errno === 'EPERM' ? 'a firewall rule in OUTPUT that drops (a locally sent packet dropped by iptables/nft gives EPERM) or a BPF cgroup connect hook' : `a security module (SELinux, AppArmor)${ctx.route?.ok ? '' : ', a prohibit route or rule'} or a BPF cgroup connect hook`}`,
        [
          'iptables -S OUTPUT; nft list ruleset   (an OUTPUT DROP/REJECT rule)',
          ...(ctx.route?.ok ? [] : [`ip route get ${bare}; ip rule   (a prohibit route or rule gives EACCES)`]),
          ...(errno === 'EACCES' ? ['ausearch -m avc -ts recent, or journalctl -k   (a security module denial)'] : []),
        ],
        [],
      );
    case 'EINVAL': {
      const linkLocal = linkLocalFinding(ctx, target, bare);
      if (linkLocal) return d('other', linkLocal.summary, linkLocal.steps, []);
      return d('other', `connect to ${target} failed with EINVAL`, [`ip route get ${bare}   (a blackhole route or rule makes connect() fail with EINVAL)`, matchStep], []);
    }
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
    case 'EAI_NONAME':
      return {
        errno,
        category: 'dns',
        summary: errno === 'EAI_AGAIN' ? 'the name could not be resolved now (DNS server unreachable or timing out)' : 'the name does not resolve (no A or AAAA record)',
        causes: [],
        nextSteps: ['getent ahosts NAME (what this host resolves)', 'cat /etc/resolv.conf; resolvectl status', 'check the spelling and the search domains'],
      };
    default:
      return d('other', `connect to ${target} failed with ${errno}`, knownFixes.slice(0, 3));
  }
}

