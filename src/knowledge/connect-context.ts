// What a connect (or a datagram's) outcome is interpreted with, and what the interpretation is: the types
// connect-diagnosis.ts and the findings beside it (connect-neighbour.ts, connect-rejects.ts, connect-timeouts.ts,
// connect-refusal.ts, datagram-diagnosis.ts) share.
import type { IcmpReport } from './icmp-report.js';
import type { LocalListener, PortListener } from './connect-listeners.js';
import type { UdpSocketReading } from './udp-delivery.js';
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
  /** net.ipv4.ip_local_port_range (the cap on connections to one destination from one source address); `used`, `timeWait`: the sockets with a local port in it (absent: `total`, `timeWait`); `closed`: the closedByProgram ones with a local port in it, not in `used` (they hold their ports all the same). */
  portRange?: { low: number; high: number; size: number; used?: number; timeWait?: number; closed?: number };
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
  /** net.ipv4.tcp_fin_timeout in seconds: how long an orphaned FIN_WAIT2 socket (closed by its program) holds its port. */
  finTimeout?: number | null;
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
  /** A datagram's failed call, when the probe knows it: the UDP socket's connect() or the send after it. */
  datagramCall?: 'connect' | 'send';
  /**
   * The ICMP error that ended the call, read from sockscope's own socket (IP_RECVERR: `try` only): null when the queue
   * held none, so a refused connect was a TCP reset; absent when it was not read (debug-connections connects with Node).
   */
  icmp?: IcmpReport | null;
  /** This host's addresses (an ICMP error from one of them came from this host). */
  hostAddresses?: readonly string[];
  /**
   * EADDRNOTAVAIL: this host has no address of the destination's family to connect from (no IPv6 address at all:
   * IPv6 disabled or none configured). `disabled`: net.ipv6.conf.all.disable_ipv6 is 1 (IPv6 only; null: unread).
   */
  noSourceFamily?: { family: 4 | 6; disabled: boolean | null };
  /** ::1 is gone because IPv6 is off on lo alone (net.ipv6.conf.lo.disable_ipv6=1): a connect to it fails ENETUNREACH (no route). */
  loopbackV6Disabled?: true;
}
