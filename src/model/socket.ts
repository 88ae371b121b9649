// The one record every collector produces for a socket, whatever the source (netlink, ss, procfs, netstat).

/** Kernel TCP state names (product.md); UDP/unix datagram sockets that are not connected are CLOSE. */
export const TCP_STATES = [
  'ESTABLISHED',
  'SYN_SENT',
  'SYN_RECV',
  'FIN_WAIT1',
  'FIN_WAIT2',
  'TIME_WAIT',
  'CLOSE',
  'CLOSE_WAIT',
  'LAST_ACK',
  'LISTEN',
  'CLOSING',
] as const;
export type SocketState = (typeof TCP_STATES)[number];

/**
 * States of a TCP socket whose program may have closed it while the kernel finishes the connection: an orphan
 * when it has no socket file (inode 0).
 */
export const ORPHAN_STATES: ReadonlySet<string> = new Set<SocketState>(['FIN_WAIT1', 'FIN_WAIT2', 'CLOSING', 'LAST_ACK']);

/**
 * How long the kernel keeps retrying an orphan (a socket its application closed, in FIN_WAIT1, CLOSING or
 * LAST_ACK) before dropping it: tcp_write_timeout gives a dead socket net.ipv4.tcp_orphan_retries, not
 * tcp_retries2, and tcp_orphan_retries() makes 0 mean 8 while the RTO is below its maximum.
 */
export const ORPHAN_RETRIES = 'net.ipv4.tcp_orphan_retries retransmissions or window probes (0 means 8)';

/** Kernel numbering of TCP states (include/net/tcp_states.h): used by procfs and netlink. */
export const KERNEL_STATE_BY_NUMBER: Record<number, SocketState> = {
  1: 'ESTABLISHED',
  2: 'SYN_SENT',
  3: 'SYN_RECV',
  4: 'FIN_WAIT1',
  5: 'FIN_WAIT2',
  6: 'TIME_WAIT',
  7: 'CLOSE',
  8: 'CLOSE_WAIT',
  9: 'LAST_ACK',
  10: 'LISTEN',
  11: 'CLOSING',
  12: 'SYN_RECV', // TCP_NEW_SYN_RECV: request sockets, shown by ss as SYN-RECV
};

export type Protocol = 'tcp' | 'udp' | 'unix';

/** An address and port. IPv4-mapped IPv6 addresses are stored as plain IPv4; `scope` holds the zone of fe80::1%eth0. */
export interface Endpoint {
  /** '0.0.0.0', '::', '127.0.0.1', 'fe80::1', '*' (wildcard, netstat/ss), or a unix path ('' when unnamed). */
  address: string;
  /** 0 when not bound / wildcard; unix sockets use 0. */
  port: number;
  /** Interface / zone for scoped IPv6 addresses (fe80::1%eth0 -> 'eth0'). */
  scope?: string;
}

/** A process holding a file descriptor that refers to the socket. */
export interface ProcessRef {
  pid: number;
  name: string;
  fd: number;
}

/** Kernel timer on the socket (ss -o / procfs tr field). */
export interface SocketTimer {
  name: 'on' | 'keepalive' | 'timewait' | 'persist' | 'unknown' | 'off';
  /** Milliseconds until the timer fires. */
  expiresMs: number;
  /** Retransmits / probes counted by the timer. */
  retrans?: number;
}

/** The tcp_info fields sockscope uses (struct tcp_info, linux/tcp.h). Times in microseconds unless noted. */
export interface TcpInfo {
  rttUs?: number;
  rttVarUs?: number;
  rtoMs?: number;
  cwnd?: number;
  ssthresh?: number;
  mss?: number;
  /** Retransmits outstanding now (tcpi_retransmits / ss "retrans:X/Y" first number). */
  retrans?: number;
  /** Total retransmitted segments over the socket's life (tcpi_total_retrans). */
  totalRetrans?: number;
  bytesAcked?: number;
  bytesReceived?: number;
  bytesSent?: number;
  /** Bytes per second (tcpi_delivery_rate). */
  deliveryRate?: number;
  /**
   * The delivery rate sample was taken while the application gave TCP too little data to fill the path
   * (tcpi_delivery_rate_app_limited, the low bit of byte 7 of struct tcp_info; ss prints `app_limited`):
   * the rate then says how fast the few segments in flight were acknowledged (on loopback tens of Gbit/s),
   * not the connection's rate. Absent when the source does not tell (procfs, netstat, kernels before 4.9).
   */
  deliveryRateAppLimited?: boolean;
  /** Microseconds limited by the receive window (tcpi_rwnd_limited). */
  rwndLimitedUs?: number;
  /** Microseconds limited by the send buffer (tcpi_sndbuf_limited). */
  sndbufLimitedUs?: number;
  /** Microseconds busy sending (tcpi_busy_time). */
  busyUs?: number;
  congestion?: string;
  lastSendMs?: number;
  lastRecvMs?: number;
  lastAckMs?: number;
  rcvSpace?: number;
  /**
   * The receiver's own rtt estimate, microseconds (tcpi_rcv_rtt, ss rcv_rtt): measured from the data it receives
   * (a window's worth per round trip), while rttUs is measured from ACKs of data this end sent, so on a socket that
   * only receives rttUs stays the handshake's sample. Absent when 0 (not measured) or the source does not tell.
   */
  rcvRttUs?: number;
  /**
   * The peer's advertised receive window, scaled, in bytes (tcpi_snd_wnd, Linux 5.4+; ss prints snd_wnd):
   * 0 (or less than one segment) is a window the peer shut. Absent where the source does not tell.
   */
  sndWnd?: number;
  /**
   * This end's advertised receive window, bytes (tcpi_rcv_wnd, Linux 6.2+; netlink): 0 is a window this end shut,
   * its receive queue full for the sender whatever its size (a small SO_RCVBUF shuts it at ~70% of skmem rb).
   * Absent where the source does not tell.
   */
  rcvWnd?: number;
  /**
   * Packets that arrived out of order (tcpi_rcv_ooopack, Linux 5.4+; netlink, and ss: its rcv_ooopack, printed only
   * when not 0). Absent where the source does not tell.
   */
  rcvOoopack?: number;
  sndWscale?: number;
  rcvWscale?: number;
  /**
   * Whether window scaling is in use (negotiated: both SYNs carried the option): tcpi_options
   * TCPI_OPT_WSCALE, or ss printing wscale:a,b among the tcp_info options. Without it the kernel reports
   * both scales as 0 and ss prints none; the window then cannot exceed 64 KiB.
   */
  windowScaling?: boolean;
}

/** Socket memory (INET_DIAG_SKMEMINFO / ss -m skmem:(r,rb,t,tb,f,w,o,bl,d)). Bytes. */
export interface SkMem {
  rmemAlloc: number;
  rcvbuf: number;
  wmemAlloc: number;
  sndbuf: number;
  fwdAlloc?: number;
  wmemQueued?: number;
  optmem?: number;
  backlog?: number;
  drops?: number;
}

/** One socket as seen by a collector. Optional fields are absent when the source cannot see them. */
export interface Socket {
  protocol: Protocol;
  /** The host this socket was read from, set only when several hosts are merged (src/collect/multi-host.ts). */
  host?: string;
  /** 4 or 6 for tcp/udp; undefined for unix. */
  ipVersion?: 4 | 6;
  state: SocketState;
  local: Endpoint;
  peer: Endpoint;
  /** Unix socket type. */
  unixType?: 'stream' | 'dgram' | 'seqpacket';
  /** Bytes (or, for LISTEN, pending connections) in the receive queue. */
  recvQ: number;
  /** Bytes in the send queue (for LISTEN: the backlog). */
  sendQ: number;
  /** True when the source cannot see sendQ: /proc/net/tcp and netstat print 0 for a LISTEN socket's backlog. */
  sendQUnknown?: boolean;
  /** True when the source cannot see recvQ (then 0): /proc/net/unix and netstat -x print no queue lengths (a unix listener's accept queue is counted from its waiting connections), Windows netstat has no queue columns. */
  recvQUnknown?: boolean;
  timer?: SocketTimer;
  uid?: number;
  inode?: number;
  /** Unix sockets: the inode of the socket at the other end, where the source shows it (netlink, ss); absent otherwise. */
  peerInode?: number;
  /** Kernel socket cookie as a decimal string (64-bit). */
  cookie?: string;
  /** Processes holding the socket (several after fork/dup); empty when unknown or hidden. */
  processes: ProcessRef[];
  tcpInfo?: TcpInfo;
  skmem?: SkMem;
  /**
   * sk_drops from a source without socket memory: /proc/net/udp's drops column (procfs). netlink and
   * ss give it as skmem.drops; read either with socketDrops().
   */
  drops?: number;
  /** Network interface the socket is bound to (ss "%eth0" on the local address). */
  boundDevice?: string;
  /**
   * IPV6_V6ONLY of an AF_INET6 socket bound to :: (ss -e "v6only:1", netlink INET_DIAG_SKV6ONLY): false
   * means the listener also takes IPv4. Set only there, where it changes what the socket serves; absent
   * when the source cannot tell (procfs, netstat) and for every other socket.
   */
  v6only?: boolean;
}

/**
 * The `processes` of every socket before attribution: one frozen empty array instead of 100,000
 * (attribution replaces the array, never pushes into it; snapshots are treated as immutable).
 */
export const NO_PROCESSES = Object.freeze([]) as unknown as ProcessRef[];

/** Normalizes an address: strips IPv4-mapped prefixes and brackets, lowercases IPv6. */
const LINK_LOCAL = /^fe[89ab][0-9a-f]:/i;

/** True for a loopback address: 127.0.0.0/8 or ::1 (as normalizeAddress writes them). */
export function isLoopback(address: string): boolean {
  return address === '::1' || address.startsWith('127.');
}

/** Packets the kernel dropped for this socket (sk_drops: a UDP receive buffer that was full), whichever way the source gave it; undefined when unknown. */
export function socketDrops(s: Socket): number | undefined {
  return s.skmem?.drops ?? s.drops;
}

/** True for an IPv6 link-local address (fe80::/10), as normalizeAddress writes it or as typed (any case). */
export function isLinkLocal(address: string): boolean {
  return LINK_LOCAL.test(address);
}

/** An IPv6 socket whose local or peer address is link-local (shown without its zone by procfs and netstat). */
export function hasLinkLocalAddress(s: Socket): boolean {
  return s.ipVersion === 6 && (isLinkLocal(s.local.address) || isLinkLocal(s.peer.address));
}

export function normalizeAddress(raw: string): { address: string; scope?: string; mapped: boolean } {
  let a = raw.trim();
  if (a.startsWith('[') && a.endsWith(']')) a = a.slice(1, -1);
  let scope: string | undefined;
  const pct = a.indexOf('%');
  if (pct >= 0) {
    scope = a.slice(pct + 1);
    a = a.slice(0, pct);
  }
  const lower = a.toLowerCase();
  const m = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/.exec(lower);
  if (m) return { address: m[1], scope, mapped: true };
  if (lower.includes(':')) return { address: lower, scope, mapped: false };
  return { address: a, scope, mapped: false };
}

/** Formats an endpoint as ss does: 127.0.0.1:80, [::1]:80, [fe80::1%eth0]:80, *:80. */
export function formatEndpoint(e: Endpoint, protocol?: Protocol): string {
  if (protocol === 'unix') return e.address === '' ? '*' : e.address;
  const addr = e.scope ? `${e.address}%${e.scope}` : e.address;
  const host = addr.includes(':') ? `[${addr}]` : addr;
  return `${host}:${e.port === 0 ? '*' : e.port}`;
}

/** True for addresses that mean "any": 0.0.0.0, ::, *. */
export function isWildcard(address: string): boolean {
  return address === '0.0.0.0' || address === '::' || address === '*' || address === '';
}

/** True for the socket that serves a port: TCP LISTEN, or an unconnected bound UDP socket. */
export function isListener(s: Socket): boolean {
  if (s.protocol === 'tcp') return s.state === 'LISTEN';
  if (s.protocol === 'udp') return s.state === 'CLOSE' && (s.peer.port === 0 || isWildcard(s.peer.address)) && s.local.port !== 0;
  return s.state === 'LISTEN';
}
