// What `sockscope try` interprets and what it says: the call and the host's facts around it (TryContext, with the
// sockets on the port as PortHolders), and the interpretation. Shared by interpret-try.ts and the files beside it.
import type { ConnectContext } from './connect-context.js';
import type { UdpSocketReading } from './udp-delivery.js';

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
   * A bind or listen that failed with EADDRNOTAVAIL on a host with no address of the target's family: noSourceFamily.
   */
  /**
   * A bind or listen of port 0 that failed with EADDRINUSE, or a sendto whose automatic bind found no port (EAGAIN):
   * net.ipv4.ip_local_port_range and the ports in it this protocol's sockets hold (`ports`: distinct local ports,
   * `sockets`), the processes holding the most, and net.ipv4.ip_local_reserved_ports when set. Absent: not read.
   */
  ephemeral?: EphemeralUse;
  /**
   * A bind or listen of an IPv6 address this host has that failed with EADDRNOTAVAIL: the address's duplicate address
   * detection state as `ip -6 addr` shows it (tentative: DAD still running; dadfailed: another host has it; ok: usable
   * by the time it was read), and its interface. Absent: not read (or ip could not run).
   */
  addressState?: { state: 'tentative' | 'dadfailed' | 'ok'; dev?: string };
  connectFacts?: Omit<ConnectContext, 'address' | 'port' | 'timeoutMs' | 'hostAddresses'> & {
    /** A bind or listen of ::1 that failed with EADDRNOTAVAIL while IPv6 is off on lo alone (net.ipv6.conf.lo.disable_ipv6=1). */
    loopbackV6Disabled?: true;
  };
}

/** The ephemeral port range and how much of it one protocol's sockets hold (TryContext.ephemeral). */
export interface EphemeralUse {
  protocol: 'tcp' | 'udp';
  low: number;
  high: number;
  size: number;
  /** Distinct local ports in the range with a socket of the protocol on them; undefined when the sockets could not be read. */
  ports?: number;
  sockets?: number;
  /** TCP: how many of those sockets are bound without listen() or connect(), which ss -tan does not list (ss -B does); absent when none. */
  boundOnly?: number;
  /** The processes holding the most of those ports (visible ones), most first. */
  top?: { pid: number; name: string; ports: number }[];
  /** net.ipv4.ip_local_reserved_ports when not empty: ports the kernel never picks. */
  reserved?: string;
}

export interface TryInterpretation {
  ok: boolean;
  summary: string;
  details: string[];
  nextSteps: string[];
}
