// The socket option reference table (data): level, numbers, value type, default, semantics per platform.
// Lookups over it are in socket-options.ts.
/** Protocol level an option lives at (the second argument of getsockopt). */
export type OptionLevel = 'SOL_SOCKET' | 'IPPROTO_TCP' | 'IPPROTO_IP' | 'IPPROTO_IPV6';

/**
 * How the value is laid out in memory for getsockopt:
 * - int: a C int (4 bytes), a count, size or time in `unit`
 * - bool: a C int read as 0 / non-zero
 * - linger: struct linger { int l_onoff; int l_linger; } (8 bytes)
 * - timeval: struct timeval { time_t tv_sec; suseconds_t tv_usec; } (16 bytes on 64-bit Linux)
 * - string: a name and its NUL in a buffer of `size` bytes (interface or congestion-control name); getsockopt sets
 *   optlen to the bytes it wrote, which differs by option (see its details)
 * - tcp_info: struct tcp_info (Linux; the kernel copies min(optlen, sizeof) bytes)
 */
export type OptionValueType = 'int' | 'bool' | 'linger' | 'timeval' | 'string' | 'tcp_info';

/** Numeric level values on Linux (from <sys/socket.h>, <netinet/in.h>). */
export const LINUX_LEVELS: Readonly<Record<OptionLevel, number>> = {
  SOL_SOCKET: 1,
  IPPROTO_TCP: 6,
  IPPROTO_IP: 0,
  IPPROTO_IPV6: 41,
};

/** Numeric level values on BSD, macOS and Windows (SOL_SOCKET is 0xffff there). */
export const OTHER_LEVELS: Readonly<Record<OptionLevel, number>> = {
  SOL_SOCKET: 0xffff,
  IPPROTO_TCP: 6,
  IPPROTO_IP: 0,
  IPPROTO_IPV6: 41,
};

export type Platform = 'linux' | 'freebsd' | 'macos' | 'windows';

/** The same option (or its nearest equivalent) on another platform. */
export interface ForeignOption {
  /** Name there (may differ, e.g. TCP_NOPUSH for TCP_CORK); null when there is no equivalent. */
  name: string | null;
  /** Numeric optname there, when it exists. */
  value?: number;
  /** How it behaves differently from Linux. */
  note?: string;
  /** Other names the note gives for the same option there (SO_DONTLINGER beside SO_LINGER on Windows). */
  variants?: string[];
  /** Options there that the note names as the nearest thing, though not an equivalent (SO_SETFIB). */
  related?: string[];
}

/** One entry of the reference. */
export interface SocketOptionInfo {
  name: string;
  level: OptionLevel;
  /** optname on Linux (x86-64/arm64 asm-generic values). */
  linux: number;
  type: OptionValueType;
  /** Bytes to pass as optlen to getsockopt (for tcp_info: the size this table decodes). */
  size: number;
  /** Unit of an int value (bytes, seconds, ms, us, count, ...). */
  unit?: string;
  /** Which sockets it applies to ('ip': AF_INET and AF_INET6; 'ipv6': AF_INET6 only). */
  appliesTo: 'any' | 'tcp' | 'udp' | 'ip' | 'ipv6' | 'stream';
  /** getsockopt only (setsockopt fails with ENOPROTOOPT / EINVAL). */
  readOnly?: boolean;
  /** Reading has a side effect on the socket (SO_ERROR clears the pending error). */
  readClears?: boolean;
  /** Setting needs a capability (CAP_NET_ADMIN, CAP_NET_RAW...). */
  privilege?: string;
  /** First Linux version with the option. */
  sinceLinux?: string;
  /** Default on Linux: what getsockopt reads on a new socket, and the sysctl it comes from when one sets it. */
  default: string;
  /** sysctls that set the default, cap the value, or act beside it (the default or details say which). */
  sysctls?: string[];
  /** One line: what it does. */
  summary: string;
  /** Longer explanation: semantics, pitfalls, when to use. */
  details: string;
  /** Behaviour on other platforms. */
  platforms: { freebsd: ForeignOption; macos: ForeignOption; windows: ForeignOption };
  /** Other Linux names for it (looked up too). The other platforms' names are looked up from `platforms`. */
  aliases?: string[];
  /** Separate Linux options the details name, looked up to this entry but not read (SO_BINDTOIFINDEX). */
  linuxRelated?: { name: string; linux: number; note: string }[];
  /** The IPv6-level twin Linux reads instead on an AF_INET6 socket (IPV6_TCLASS for IP_TOS). */
  ipv6?: { name: string; linux: number };
  /**
   * An IPv6-level name of the same flag (IPV6_FREEBIND for IP_FREEBIND): looked up to this entry, never read instead
   * of it, since the IPv4-level option reads that flag on an AF_INET6 socket too (and as a bool, where the IPv6 one
   * reads an int).
   */
  ipv6Alias?: { name: string; linux: number };
  /** Related options. */
  seeAlso?: string[];
}

const none = (note: string, related?: string[]): ForeignOption => (related ? { name: null, note, related } : { name: null, note });
const same = (name: string, value: number, note?: string): ForeignOption => (note ? { name, value, note } : { name, value });

/** Every option sockscope reads and documents, in the order the inspect-options report lists them. */
export const SOCKET_OPTIONS: readonly SocketOptionInfo[] = [
  {
    name: 'SO_TYPE', level: 'SOL_SOCKET', linux: 3, type: 'int', size: 4, appliesTo: 'any', readOnly: true,
    default: 'set by socket(): SOCK_STREAM (1), SOCK_DGRAM (2), SOCK_RAW (3), SOCK_SEQPACKET (5)',
    summary: 'The socket type given to socket(): stream, datagram, raw, seqpacket.',
    details: 'Read-only. Linux values: SOCK_STREAM=1, SOCK_DGRAM=2, SOCK_RAW=3, SOCK_RDM=4, SOCK_SEQPACKET=5. The SOCK_NONBLOCK and SOCK_CLOEXEC flags passed to socket() are not part of it (they are file flags: see /proc/PID/fdinfo).',
    platforms: {
      freebsd: same('SO_TYPE', 0x1008),
      macos: same('SO_TYPE', 0x1008),
      windows: same('SO_TYPE', 0x1008),
    },
    seeAlso: ['SO_DOMAIN', 'SO_PROTOCOL'],
  },
  {
    name: 'SO_DOMAIN', level: 'SOL_SOCKET', linux: 39, type: 'int', size: 4, appliesTo: 'any', readOnly: true, sinceLinux: '2.6.32',
    default: 'set by socket(): AF_INET (2), AF_INET6 (10), AF_UNIX (1), AF_NETLINK (16)...',
    summary: 'The address family given to socket() (AF_INET, AF_INET6, AF_UNIX...).',
    details: 'Read-only. Linux numbers: AF_UNIX=1, AF_INET=2, AF_INET6=10, AF_NETLINK=16, AF_PACKET=17. Note AF_INET6 is 10 on Linux, 28 on FreeBSD, 30 on macOS and 23 on Windows.',
    platforms: {
      freebsd: same('SO_DOMAIN', 0x1019, 'FreeBSD 12+.'),
      macos: none('No SO_DOMAIN on macOS: remember the family or call getsockname() and read sa_family.'),
      windows: none('No SO_DOMAIN; SO_PROTOCOL_INFO (0x2005) returns a WSAPROTOCOL_INFO with iAddressFamily.', ['SO_PROTOCOL_INFO']),
    },
    seeAlso: ['SO_TYPE', 'SO_PROTOCOL'],
  },
  {
    name: 'SO_PROTOCOL', level: 'SOL_SOCKET', linux: 38, type: 'int', size: 4, appliesTo: 'any', readOnly: true, sinceLinux: '2.6.32',
    default: 'set by socket(): IPPROTO_TCP (6), IPPROTO_UDP (17), IPPROTO_SCTP (132), IPPROTO_MPTCP (262)...',
    summary: 'The protocol given to socket() (TCP, UDP, SCTP, MPTCP).',
    details: 'Read-only. Tells MPTCP (262) sockets apart from plain TCP (6), which SO_TYPE cannot.',
    platforms: {
      freebsd: { ...same('SO_PROTOCOL', 0x1016, 'FreeBSD 10+ (SO_PROTOTYPE is an alias).'), variants: ['SO_PROTOTYPE'] },
      macos: none('No SO_PROTOCOL on macOS.'),
      windows: none('No SO_PROTOCOL; SO_PROTOCOL_INFO (0x2005) returns a WSAPROTOCOL_INFO with iProtocol.', ['SO_PROTOCOL_INFO']),
    },
    seeAlso: ['SO_TYPE', 'SO_DOMAIN'],
  },
  {
    name: 'SO_ACCEPTCONN', level: 'SOL_SOCKET', linux: 30, type: 'bool', size: 4, appliesTo: 'stream', readOnly: true,
    default: '0; 1 after listen()',
    summary: 'Whether listen() has been called on the socket.',
    details: 'Read-only: 1 for a listening socket, 0 otherwise. An accepted socket is never listening even though it shares the port.',
    platforms: {
      freebsd: same('SO_ACCEPTCONN', 0x0002),
      macos: same('SO_ACCEPTCONN', 0x0002),
      windows: same('SO_ACCEPTCONN', 0x0002),
    },
  },
  {
    name: 'SO_ERROR', level: 'SOL_SOCKET', linux: 4, type: 'int', size: 4, unit: 'errno', appliesTo: 'any', readOnly: true, readClears: true,
    default: '0 (no pending error)',
    summary: 'The pending asynchronous error (an errno), cleared by reading it.',
    details: 'After a non-blocking connect() reports writable, getsockopt(SO_ERROR) says whether it succeeded (0) or why not (ECONNREFUSED, ETIMEDOUT, EHOSTUNREACH...). Reading it CLEARS it: reading another process\'s socket with pidfd_getfd consumes the error that process was going to see, so read-only inspection should skip it unless asked. Look the number up with `sockscope errno NUMBER` (`sockscope errno 111`: ECONNREFUSED).',
    platforms: {
      freebsd: same('SO_ERROR', 0x1007, 'Errno numbers differ from Linux (ECONNRESET is 54).'),
      macos: same('SO_ERROR', 0x1007, 'Errno numbers differ from Linux (ECONNRESET is 54).'),
      windows: same('SO_ERROR', 0x1007, 'Holds a WSA* code (WSAECONNREFUSED 10061...), the same value WSAGetLastError() would give.'),
    },
  },
  {
    name: 'SO_REUSEADDR', level: 'SOL_SOCKET', linux: 2, type: 'bool', size: 4, appliesTo: 'any',
    default: '0 (off)',
    summary: 'Lets bind() take a local address that still has TIME_WAIT (or non-listening) sockets on it.',
    details: 'On Linux a TCP server sets it so that a restart can bind its port while connections from the previous run sit in TIME_WAIT; without it bind() fails with EADDRINUSE for up to 60 s. It does NOT let two processes listen on the same address and port at once (that is SO_REUSEPORT). For UDP it allows several sockets on the same address and port (multicast receivers); the last bound gets unicast datagrams. Every server should set it before bind().',
    platforms: {
      freebsd: same('SO_REUSEADDR', 0x0004, 'As Linux for TCP TIME_WAIT; additionally lets a socket bind a specific address while another holds the wildcard on the same port.'),
      macos: same('SO_REUSEADDR', 0x0004, 'BSD semantics, as FreeBSD.'),
      windows: { ...same('SO_REUSEADDR', 0x0004, 'Dangerous: lets ANOTHER process bind the same address and port even while yours is listening (port hijacking). Windows servers should set SO_EXCLUSIVEADDRUSE (~SO_REUSEADDR = -5) instead; TIME_WAIT does not block a listening bind there anyway.'), related: ['SO_EXCLUSIVEADDRUSE'] },
    },
    seeAlso: ['SO_REUSEPORT'],
  },
  {
    name: 'SO_REUSEPORT', level: 'SOL_SOCKET', linux: 15, type: 'bool', size: 4, appliesTo: 'ip', sinceLinux: '3.9',
    default: '0 (off)',
    summary: 'Several sockets (same effective uid) may bind the same address and port; Linux load-balances incoming connections/datagrams across them.',
    details: 'Every socket in the group must set it before bind(), and all must belong to the same effective user (to prevent hijacking). The kernel spreads new connections (TCP) or datagrams (UDP) over the group by a hash of the 4-tuple, which gives each worker process its own accept queue instead of a shared thundering herd. Closing one listener drops the connections waiting in its accept queue. A BPF program (SO_ATTACH_REUSEPORT_CBPF or SO_ATTACH_REUSEPORT_EBPF) can steer the choice. IP sockets only (IPv4 and IPv6): on a unix socket setsockopt fails with EOPNOTSUPP (measured on 6.18).',
    platforms: {
      freebsd: { ...same('SO_REUSEPORT', 0x0200, 'Allows duplicate binds but does NOT load-balance: the last socket bound gets the traffic. FreeBSD 12+ has SO_REUSEPORT_LB (0x10000) for Linux-style balancing.'), variants: ['SO_REUSEPORT_LB'] },
      macos: same('SO_REUSEPORT', 0x0200, 'Duplicate binds only, no load balancing (mostly useful for UDP multicast).'),
      windows: none('No SO_REUSEPORT. SO_REUSEADDR gives duplicate binds without balancing; Windows 10+ has SO_REUSE_UNICASTPORT for outbound port sharing only.', ['SO_REUSE_UNICASTPORT']),
    },
    linuxRelated: [
      { name: 'SO_ATTACH_REUSEPORT_CBPF', linux: 51, note: 'attaches a classic BPF program that picks the socket of the SO_REUSEPORT group for each new connection or datagram (Linux 4.5+); set only: getsockopt fails with ENOPROTOOPT, so inspect-options --options SO_ATTACH_REUSEPORT_CBPF says it cannot be read and reads SO_REUSEPORT' },
      { name: 'SO_ATTACH_REUSEPORT_EBPF', linux: 52, note: 'attaches an eBPF program (by its fd) that picks the socket of the SO_REUSEPORT group for each new connection or datagram (Linux 4.5+); set only: getsockopt fails with ENOPROTOOPT, so inspect-options --options SO_ATTACH_REUSEPORT_EBPF says it cannot be read and reads SO_REUSEPORT' },
    ],
    seeAlso: ['SO_REUSEADDR', 'SO_INCOMING_CPU'],
  },
  {
    name: 'SO_KEEPALIVE', level: 'SOL_SOCKET', linux: 9, type: 'bool', size: 4, appliesTo: 'stream',
    default: '0 (off); when on, probes start after net.ipv4.tcp_keepalive_time (7200 s)',
    sysctls: ['net.ipv4.tcp_keepalive_time', 'net.ipv4.tcp_keepalive_intvl', 'net.ipv4.tcp_keepalive_probes'],
    summary: 'Sends TCP keepalive probes on an idle connection to detect a dead peer.',
    details: 'With the default timers (7200 s idle, then 9 probes 75 s apart) a dead peer is noticed after 2 h 11 min: set TCP_KEEPIDLE, TCP_KEEPINTVL and TCP_KEEPCNT as well. Keepalives also keep NAT and firewall state alive. The probe failure surfaces as ETIMEDOUT on the next read/write.',
    platforms: {
      freebsd: same('SO_KEEPALIVE', 0x0008, 'Defaults from sysctl net.inet.tcp.keepidle / keepintvl / keepcnt (7200 s, 75 s, 8).'),
      macos: same('SO_KEEPALIVE', 0x0008, 'Defaults 7200 s idle, 75 s interval, 8 probes.'),
      windows: { ...same('SO_KEEPALIVE', 0x0008, 'Default 2 h idle, 1 s interval, 10 probes; per-socket timers via SIO_KEEPALIVE_VALS or (Windows 10 1709+) TCP_KEEPIDLE/TCP_KEEPINTVL/TCP_KEEPCNT.'), related: ['SIO_KEEPALIVE_VALS'] },
    },
    seeAlso: ['TCP_KEEPIDLE', 'TCP_KEEPINTVL', 'TCP_KEEPCNT', 'TCP_USER_TIMEOUT'],
  },
  {
    name: 'SO_SNDBUF', level: 'SOL_SOCKET', linux: 7, type: 'int', size: 4, unit: 'bytes', appliesTo: 'any',
    default: 'TCP: net.ipv4.tcp_wmem[1] (16384), autotuned up to tcp_wmem[2]; others: net.core.wmem_default (212992)',
    sysctls: ['net.ipv4.tcp_wmem', 'net.core.wmem_default', 'net.core.wmem_max'],
    summary: 'Send buffer size (bytes queued in the kernel: unsent plus sent-but-unacknowledged data).',
    details: 'Linux DOUBLES the value you set (the extra half is for bookkeeping) and getsockopt returns the doubled figure; the request is capped at net.core.wmem_max (so the effective maximum is 2*wmem_max) unless the process has CAP_NET_ADMIN and uses SO_SNDBUFFORCE. Setting it turns OFF send-buffer autotuning for that socket for good. The minimum is 4608 bytes (2*2304). For TCP the buffer must hold at least one bandwidth-delay product for full throughput.',
    platforms: {
      freebsd: same('SO_SNDBUF', 0x1001, 'No doubling: returns what was set. Capped by kern.ipc.maxsockbuf. Autotuning (net.inet.tcp.sendbuf_auto) stays on unless set.'),
      macos: same('SO_SNDBUF', 0x1001, 'No doubling; capped by kern.ipc.maxsockbuf; autotuning as FreeBSD.'),
      windows: same('SO_SNDBUF', 0x1001, 'No doubling. 0 means no buffering in the stack (data sent from the application buffer, overlapped I/O). Autotuning is system-wide.'),
    },
    linuxRelated: [{ name: 'SO_SNDBUFFORCE', linux: 32, note: 'sets the send buffer as SO_SNDBUF does but past net.core.wmem_max (needs CAP_NET_ADMIN), autotuning off; set only: getsockopt fails with ENOPROTOOPT, so inspect-options --options SO_SNDBUFFORCE says it cannot be read and reads SO_SNDBUF, where a value above twice wmem_max shows it was used' }],
    seeAlso: ['SO_RCVBUF', 'TCP_NOTSENT_LOWAT', 'SO_SNDLOWAT'],
  },
  {
    name: 'SO_RCVBUF', level: 'SOL_SOCKET', linux: 8, type: 'int', size: 4, unit: 'bytes', appliesTo: 'any',
    default: 'TCP: net.ipv4.tcp_rmem[1] (131072), autotuned up to tcp_rmem[2]; others: net.core.rmem_default (212992)',
    sysctls: ['net.ipv4.tcp_rmem', 'net.core.rmem_default', 'net.core.rmem_max', 'net.ipv4.tcp_moderate_rcvbuf'],
    summary: 'Receive buffer size (bytes the kernel holds until the application reads them); bounds the TCP window.',
    details: 'Linux DOUBLES the value you set and getsockopt returns the doubled figure; the request is capped at net.core.rmem_max (effective maximum 2*rmem_max) unless CAP_NET_ADMIN uses SO_RCVBUFFORCE. Setting it disables receive autotuning (tcp_moderate_rcvbuf) for that socket, which usually HURTS on long fat paths: prefer raising tcp_rmem[2]. To get a window scale large enough it must be set before listen()/connect(). The minimum is 2304 bytes. For UDP a small buffer shows up as RcvbufErrors drops in /proc/net/snmp.',
    platforms: {
      freebsd: same('SO_RCVBUF', 0x1002, 'No doubling. Capped by kern.ipc.maxsockbuf. Autotuning (net.inet.tcp.recvbuf_auto) stays on unless set.'),
      macos: same('SO_RCVBUF', 0x1002, 'No doubling; capped by kern.ipc.maxsockbuf.'),
      windows: same('SO_RCVBUF', 0x1002, 'No doubling. Setting it fixes the window and disables receive window autotuning for that socket.'),
    },
    linuxRelated: [{ name: 'SO_RCVBUFFORCE', linux: 33, note: 'sets the receive buffer as SO_RCVBUF does but past net.core.rmem_max (needs CAP_NET_ADMIN), autotuning off; set only: getsockopt fails with ENOPROTOOPT, so inspect-options --options SO_RCVBUFFORCE says it cannot be read and reads SO_RCVBUF, where a value above twice rmem_max shows it was used' }],
    seeAlso: ['SO_SNDBUF', 'SO_RCVLOWAT', 'TCP_WINDOW_CLAMP'],
  },
  {
    name: 'SO_RCVLOWAT', level: 'SOL_SOCKET', linux: 18, type: 'int', size: 4, unit: 'bytes', appliesTo: 'any',
    default: '1',
    summary: 'Minimum number of bytes buffered before a read or poll() reports the socket readable.',
    details: 'Linux honours it for TCP in poll/select/epoll since 2.6.28 (and in blocking recv). Since 4.18 setting it on TCP also grows the receive buffer if needed. A read still returns early on EOF, error, timeout or signal.',
    platforms: {
      freebsd: same('SO_RCVLOWAT', 0x1004),
      macos: same('SO_RCVLOWAT', 0x1004),
      windows: same('SO_RCVLOWAT', 0x1004, 'Defined but not supported: setsockopt fails with WSAENOPROTOOPT.'),
    },
    seeAlso: ['SO_SNDLOWAT', 'TCP_NOTSENT_LOWAT'],
  },
  {
    name: 'SO_SNDLOWAT', level: 'SOL_SOCKET', linux: 19, type: 'int', size: 4, unit: 'bytes', appliesTo: 'any',
    default: '1 (fixed on Linux)',
    summary: 'Minimum free send-buffer space before poll() reports writable (not changeable on Linux).',
    details: 'Linux always reads 1 and setsockopt fails with ENOPROTOOPT. To limit unsent data in the kernel on Linux use TCP_NOTSENT_LOWAT instead.',
    platforms: {
      freebsd: same('SO_SNDLOWAT', 0x1003, 'Settable; default 2048.'),
      macos: same('SO_SNDLOWAT', 0x1003, 'Settable; default 2048.'),
      windows: same('SO_SNDLOWAT', 0x1003, 'Defined but not supported: WSAENOPROTOOPT.'),
    },
    seeAlso: ['SO_RCVLOWAT', 'TCP_NOTSENT_LOWAT'],
  },
  {
    name: 'SO_LINGER', level: 'SOL_SOCKET', linux: 13, type: 'linger', size: 8, unit: 'seconds', appliesTo: 'stream',
    default: '{l_onoff: 0, l_linger: 0}: close() returns at once, the kernel sends remaining data in the background',
    summary: 'What close() does with unsent data: block up to l_linger seconds for it to be acknowledged, or (l_onoff=1, l_linger=0) abort with a RST.',
    details: 'struct linger { int l_onoff; int l_linger; }. Off (default): close() returns immediately and the kernel keeps sending, then FIN. On with l_linger>0: close() blocks until the data is acknowledged or the time runs out, even on an O_NONBLOCK socket; when the time runs out Linux does not reset the connection: close() returns and the kernel keeps sending and closes gracefully in the background (the reset on timeout is Windows behaviour). A listener\'s close() does not linger, but the connections it accepts inherit the setting; unix sockets ignore it. On with l_linger=0: close() discards the buffers and sends RST, so the socket skips TIME_WAIT; the peer sees ECONNRESET. Using {1,0} to avoid TIME_WAIT hides real bugs and loses data: fix the close order (let the client close first) or use SO_REUSEADDR instead.',
    platforms: {
      freebsd: same('SO_LINGER', 0x0080, 'l_linger in seconds.'),
      macos: { ...same('SO_LINGER', 0x0080, 'l_linger is in clock TICKS for SO_LINGER; use SO_LINGER_SEC (0x1080) for seconds.'), variants: ['SO_LINGER_SEC'] },
      windows: { ...same('SO_LINGER', 0x0080, 'struct linger has u_short fields (4 bytes). SO_DONTLINGER (~SO_LINGER) turns it off. When l_linger runs out with data unsent, the connection is reset; a non-blocking socket\'s closesocket() fails with WSAEWOULDBLOCK instead of waiting.'), variants: ['SO_DONTLINGER'] },
    },
  },
  {
    name: 'SO_RCVTIMEO', level: 'SOL_SOCKET', linux: 20, type: 'timeval', size: 16, appliesTo: 'any',
    default: '{0, 0}: block forever',
    summary: 'Timeout for blocking receives: recv() fails with EAGAIN/EWOULDBLOCK when it expires.',
    details: 'struct timeval (16 bytes on 64-bit). Also applies to accept() and, for SO_SNDTIMEO, connect() (EINPROGRESS). It has no effect on non-blocking sockets or on poll/epoll. Linux 5.1+ also defines SO_RCVTIMEO_NEW (66) with 64-bit time on 32-bit systems; the value here (20) is SO_RCVTIMEO_OLD, which is the 64-bit default.',
    platforms: {
      freebsd: same('SO_RCVTIMEO', 0x1006),
      macos: same('SO_RCVTIMEO', 0x1006),
      windows: same('SO_RCVTIMEO', 0x1006, 'A DWORD in MILLISECONDS, not a timeval; after a timeout the socket state is indeterminate and it should be closed.'),
    },
    aliases: ['SO_RCVTIMEO_OLD'],
    linuxRelated: [{ name: 'SO_RCVTIMEO_NEW', linux: 66, note: 'sets and reads the same receive timeout as a struct __kernel_sock_timeval (64-bit seconds, also on 32-bit systems; Linux 5.1+); inspect-options reads it as itself when asked for by name (--options SO_RCVTIMEO_NEW)' }],
    seeAlso: ['SO_SNDTIMEO', 'TCP_USER_TIMEOUT'],
  },
  {
    name: 'SO_SNDTIMEO', level: 'SOL_SOCKET', linux: 21, type: 'timeval', size: 16, appliesTo: 'any',
    default: '{0, 0}: block forever',
    summary: 'Timeout for blocking sends (and blocking connect()): EAGAIN or a partial count when it expires.',
    details: 'struct timeval. A blocking connect() that times out fails with EINPROGRESS. Ignored for non-blocking sockets. Linux 5.1+ also defines SO_SNDTIMEO_NEW (67) with 64-bit time on 32-bit systems; the value here (21) is SO_SNDTIMEO_OLD, which is the 64-bit default.',
    platforms: {
      freebsd: same('SO_SNDTIMEO', 0x1005),
      macos: same('SO_SNDTIMEO', 0x1005),
      windows: same('SO_SNDTIMEO', 0x1005, 'A DWORD in milliseconds.'),
    },
    aliases: ['SO_SNDTIMEO_OLD'],
    linuxRelated: [{ name: 'SO_SNDTIMEO_NEW', linux: 67, note: 'sets and reads the same send timeout as a struct __kernel_sock_timeval (64-bit seconds, also on 32-bit systems; Linux 5.1+); inspect-options reads it as itself when asked for by name (--options SO_SNDTIMEO_NEW)' }],
    seeAlso: ['SO_RCVTIMEO', 'TCP_USER_TIMEOUT'],
  },
  {
    name: 'SO_BROADCAST', level: 'SOL_SOCKET', linux: 6, type: 'bool', size: 4, appliesTo: 'udp',
    default: '0 (off)',
    summary: 'Permits sending datagrams to a broadcast address.',
    details: 'Without it sendto() to 255.255.255.255 or a subnet broadcast fails with EACCES. Receiving broadcasts needs no option on Linux (bind to INADDR_ANY).',
    platforms: {
      freebsd: same('SO_BROADCAST', 0x0020),
      macos: same('SO_BROADCAST', 0x0020),
      windows: same('SO_BROADCAST', 0x0020),
    },
  },
  {
    name: 'SO_BINDTODEVICE', level: 'SOL_SOCKET', linux: 25, type: 'string', size: 16, appliesTo: 'any',
    default: 'not bound (any interface): getsockopt writes nothing and sets optlen 0',
    summary: 'Binds the socket to one network interface (or VRF): it only sends and receives through it.',
    details: 'The value is an interface name up to IFNAMSIZ (16) bytes with its NUL; an empty string unbinds. Setting needs CAP_NET_RAW before Linux 5.7; since 5.7 unprivileged processes may set it if the socket is not yet bound to a device. getsockopt writes the interface name plus its NUL and sets optlen to strlen+1 (3 for lo), or writes nothing and sets optlen 0 when the socket is not bound; pass an IFNAMSIZ (16) byte buffer: a smaller one fails with EINVAL when the socket is bound (measured on 6.18). SO_BINDTOIFINDEX (62) gives the index.',
    privilege: 'CAP_NET_RAW (before Linux 5.7)',
    platforms: {
      freebsd: none('No equivalent per interface; SO_SETFIB selects a routing table.', ['SO_SETFIB']),
      macos: { name: 'IP_BOUND_IF', value: 25, note: 'IPPROTO_IP level, takes an interface index (IPV6_BOUND_IF 125 for IPv6).', variants: ['IPV6_BOUND_IF'] },
      windows: { name: 'IP_UNICAST_IF', value: 31, note: 'IPPROTO_IP level, interface index in network byte order; affects sending only.' },
    },
    linuxRelated: [{ name: 'SO_BINDTOIFINDEX', linux: 62, note: 'sets and reads the same binding as an interface index (0: not bound); sockscope reads it as itself when asked for by name (--options SO_BINDTOIFINDEX)' }],
  },
  {
    name: 'SO_MARK', level: 'SOL_SOCKET', linux: 36, type: 'int', size: 4, appliesTo: 'any', sinceLinux: '2.6.25',
    default: '0',
    summary: 'The fwmark on every packet the socket sends, for policy routing (ip rule fwmark) and netfilter.',
    details: 'A 32-bit mark read by `ip rule ... fwmark`, iptables/nftables `meta mark` and tc. Setting needs CAP_NET_ADMIN (or CAP_NET_RAW since 5.17); reading does not.',
    privilege: 'CAP_NET_ADMIN or CAP_NET_RAW',
    platforms: {
      freebsd: { name: 'SO_USER_COOKIE', value: 0x1015, note: 'A cookie readable by ipfw; SO_SETFIB picks a routing table.', related: ['SO_SETFIB'] },
      macos: none('No equivalent.'),
      windows: none('No equivalent.'),
    },
    seeAlso: ['SO_PRIORITY'],
  },
  {
    name: 'SO_PRIORITY', level: 'SOL_SOCKET', linux: 12, type: 'int', size: 4, appliesTo: 'any',
    default: '0',
    summary: 'Linux queueing priority of outgoing packets (skb->priority) used by qdiscs and VLAN egress maps.',
    details: 'Values 0-6 may be set by anyone; higher values need CAP_NET_ADMIN or CAP_NET_RAW (measured on 6.18: 7 is EPERM without capabilities and accepted with CAP_NET_RAW alone; older kernels take CAP_NET_ADMIN only). Setting IP_TOS also changes it (the TOS maps to a priority band).',
    privilege: 'CAP_NET_ADMIN or CAP_NET_RAW above 6',
    platforms: {
      freebsd: none('No equivalent (use IP_TOS / DSCP).'),
      macos: none('No equivalent (SO_NET_SERVICE_TYPE is the closest).', ['SO_NET_SERVICE_TYPE']),
      windows: none('No equivalent (QoS2 API).'),
    },
    seeAlso: ['IP_TOS', 'SO_MARK'],
  },
  {
    name: 'SO_INCOMING_CPU', level: 'SOL_SOCKET', linux: 49, type: 'int', size: 4, appliesTo: 'any', sinceLinux: '3.19',
    default: '-1 until a packet arrives; then the CPU that processed the last received packet',
    summary: 'The CPU that handled the socket\'s incoming packets; settable on a listener to prefer that CPU for SO_REUSEPORT balancing.',
    details: 'Lets a server with one thread per CPU hand each connection to the thread on the CPU that already has its cache lines. Setting it (Linux 4.4+) on SO_REUSEPORT listeners makes the kernel pick the listener whose value matches the receiving CPU.',
    platforms: {
      freebsd: none('No equivalent (SO_REUSEPORT_LB with RSS is the closest).', ['SO_REUSEPORT_LB']),
      macos: none('No equivalent.'),
      windows: none('No equivalent (SIO_QUERY_RSS_PROCESSOR_INFO ioctl).', ['SIO_QUERY_RSS_PROCESSOR_INFO']),
    },
    seeAlso: ['SO_REUSEPORT'],
  },
  {
    name: 'SO_BUSY_POLL', level: 'SOL_SOCKET', linux: 46, type: 'int', size: 4, unit: 'us', appliesTo: 'any', sinceLinux: '3.11',
    default: 'net.core.busy_read (0: off)',
    sysctls: ['net.core.busy_read', 'net.core.busy_poll'],
    summary: 'Microseconds a blocking read spins polling the device queue before sleeping (low latency, more CPU).',
    details: 'Needs driver support (NAPI). Older kernels required CAP_NET_ADMIN to raise it; on Linux 6.18 an unprivileged process raised it from 0 to 10 (measured).',
    privilege: 'CAP_NET_ADMIN to raise it on older kernels (none on 6.18, measured)',
    platforms: {
      freebsd: none('No equivalent.'),
      macos: none('No equivalent.'),
      windows: none('No equivalent.'),
    },
  },
  {
    name: 'TCP_NODELAY', level: 'IPPROTO_TCP', linux: 1, type: 'bool', size: 4, appliesTo: 'tcp',
    default: '0 (Nagle\'s algorithm on)',
    summary: 'Turns Nagle\'s algorithm off: small writes are sent at once instead of waiting for the ACK of earlier data.',
    details: 'Nagle plus the peer\'s delayed ACK adds up to 40 ms (Linux) or 200 ms (Windows) to request/response protocols that write a message in several pieces. Interactive and RPC servers set it; bulk senders do not need it. Better still: build each message in one buffer and write it once (writev). Setting it also pushes out data held by TCP_CORK.',
    platforms: {
      freebsd: same('TCP_NODELAY', 1),
      macos: same('TCP_NODELAY', 1),
      windows: same('TCP_NODELAY', 1, 'Windows delayed ACK is 200 ms, so the Nagle stall is longer.'),
    },
    seeAlso: ['TCP_CORK', 'TCP_QUICKACK'],
  },
  {
    name: 'TCP_CORK', level: 'IPPROTO_TCP', linux: 3, type: 'bool', size: 4, appliesTo: 'tcp', sinceLinux: '2.2',
    default: '0 (off)',
    summary: 'Holds partial segments until the cork is removed (or 200 ms pass), to send headers and body in full packets.',
    details: 'Set it, write the header, sendfile() the body, clear it: the data leaves in full-sized segments. Data is held at most 200 ms. Linux-only name.',
    platforms: {
      freebsd: { name: 'TCP_NOPUSH', value: 4, note: 'Similar; clearing it flushes since FreeBSD 10 (earlier: on the next write).' },
      macos: { name: 'TCP_NOPUSH', value: 4, note: 'Similar, but clearing it does not flush queued data at once.' },
      windows: none('No equivalent; batch writes (WSASend with several buffers) instead.'),
    },
    seeAlso: ['TCP_NODELAY'],
  },
  {
    name: 'TCP_QUICKACK', level: 'IPPROTO_TCP', linux: 12, type: 'bool', size: 4, appliesTo: 'tcp', sinceLinux: '2.4.4',
    default: '1 at connection start (quick-ack mode), then the kernel switches to delayed ACKs',
    summary: 'ACK at once instead of delaying; not permanent: the kernel may turn it off again after the next read.',
    details: 'Reading it shows the current mode, which changes by itself. Applications that want it keep setting it after every recv(). Linux 4.x+ also lets `ip route ... quickack 1` make it sticky per route.',
    platforms: {
      freebsd: none('No per-socket option (sysctl net.inet.tcp.delayed_ack).'),
      macos: none('No per-socket option (sysctl net.inet.tcp.delayed_ack).'),
      windows: none('No socket option; SIO_TCP_SET_ACK_FREQUENCY ioctl, or the TcpAckFrequency registry value.', ['SIO_TCP_SET_ACK_FREQUENCY']),
    },
    seeAlso: ['TCP_NODELAY'],
  },
  {
    name: 'TCP_KEEPIDLE', level: 'IPPROTO_TCP', linux: 4, type: 'int', size: 4, unit: 'seconds', appliesTo: 'tcp',
    default: 'net.ipv4.tcp_keepalive_time (7200)',
    sysctls: ['net.ipv4.tcp_keepalive_time'],
    summary: 'Idle time before the first keepalive probe (needs SO_KEEPALIVE on).',
    details: 'Range 1-32767 s. Typical servers use 30-300 s, below NAT/load-balancer idle timeouts (often 350 s on cloud NATs, 60 s on some LBs).',
    platforms: {
      freebsd: same('TCP_KEEPIDLE', 256),
      macos: { name: 'TCP_KEEPALIVE', value: 0x10, note: 'macOS calls it TCP_KEEPALIVE (seconds).' },
      windows: { name: 'TCP_KEEPIDLE', value: 3, note: 'Windows 10 1709+ (also named TCP_KEEPALIVE); older: SIO_KEEPALIVE_VALS in milliseconds.', variants: ['TCP_KEEPALIVE'], related: ['SIO_KEEPALIVE_VALS'] },
    },
    seeAlso: ['SO_KEEPALIVE', 'TCP_KEEPINTVL', 'TCP_KEEPCNT'],
  },
  {
    name: 'TCP_KEEPINTVL', level: 'IPPROTO_TCP', linux: 5, type: 'int', size: 4, unit: 'seconds', appliesTo: 'tcp',
    default: 'net.ipv4.tcp_keepalive_intvl (75)',
    sysctls: ['net.ipv4.tcp_keepalive_intvl'],
    summary: 'Seconds between unanswered keepalive probes.',
    details: 'Range 1-32767 s. Dead-peer detection time = TCP_KEEPIDLE + TCP_KEEPCNT * TCP_KEEPINTVL (with TCP_USER_TIMEOUT set, the first probe time at or after it instead).',
    platforms: {
      freebsd: same('TCP_KEEPINTVL', 512),
      macos: same('TCP_KEEPINTVL', 0x101),
      windows: same('TCP_KEEPINTVL', 17, 'Windows 10 1709+.'),
    },
    seeAlso: ['SO_KEEPALIVE', 'TCP_KEEPIDLE', 'TCP_KEEPCNT'],
  },
  {
    name: 'TCP_KEEPCNT', level: 'IPPROTO_TCP', linux: 6, type: 'int', size: 4, unit: 'count', appliesTo: 'tcp',
    default: 'net.ipv4.tcp_keepalive_probes (9)',
    sysctls: ['net.ipv4.tcp_keepalive_probes'],
    summary: 'Number of unanswered keepalive probes before the connection is dropped (ETIMEDOUT).',
    details: 'Range 1-127. Together with TCP_KEEPIDLE and TCP_KEEPINTVL it sets how long a dead peer goes unnoticed: idle + count * interval. A non-zero TCP_USER_TIMEOUT replaces the count: the connection is dropped at the first probe time at or after the user timeout (tcp(7)).',
    platforms: {
      freebsd: same('TCP_KEEPCNT', 1024),
      macos: same('TCP_KEEPCNT', 0x102),
      windows: same('TCP_KEEPCNT', 16, 'Windows 10 1703+; fixed at 10 before.'),
    },
    seeAlso: ['SO_KEEPALIVE', 'TCP_KEEPIDLE', 'TCP_KEEPINTVL'],
  },
  {
    name: 'TCP_MAXSEG', level: 'IPPROTO_TCP', linux: 2, type: 'int', size: 4, unit: 'bytes', appliesTo: 'tcp',
    default: 'before connect: 536 (or the value set); after: the MSS in use (path MTU - 40/60 - TCP options)',
    summary: 'Maximum segment size: read it on a connected socket to see the MSS in use; setting it lowers the MSS announced.',
    details: 'Set before connect()/listen() to clamp the MSS (values 88-32767). A connected socket reports the current send MSS, which follows path MTU discovery; a small value (e.g. 1360 on 1500-byte links) points to a tunnel or a clamping firewall.',
    platforms: {
      freebsd: same('TCP_MAXSEG', 2),
      macos: same('TCP_MAXSEG', 2),
      windows: same('TCP_MAXSEG', 4, 'Read-only on Windows.'),
    },
  },
  {
    name: 'TCP_USER_TIMEOUT', level: 'IPPROTO_TCP', linux: 18, type: 'int', size: 4, unit: 'ms', appliesTo: 'tcp', sinceLinux: '2.6.37',
    default: '0: the kernel default (retransmissions per net.ipv4.tcp_retries2, about 15 min)',
    sysctls: ['net.ipv4.tcp_retries2'],
    summary: 'Maximum time transmitted data may stay unacknowledged before the connection is dropped with ETIMEDOUT (RFC 5482).',
    details: 'Without it a write to a vanished peer retries for about 15 minutes (tcp_retries2=15). With keepalive on, it replaces TCP_KEEPCNT: the connection is dropped at the first probe time (TCP_KEEPIDLE + k * TCP_KEEPINTVL) at or after the user timeout, sooner or later than the count would. To keep keepalive\'s own timing, set it just above TCP_KEEPIDLE + TCP_KEEPCNT*TCP_KEEPINTVL.',
    platforms: {
      freebsd: { name: 'TCP_MAXUNACKTIME', value: 68, note: 'Newer FreeBSD: seconds without progress before the connection is dropped; honoured only by some TCP stacks (RACK/BBR). TCP_KEEPINIT (128) bounds the connect phase.', related: ['TCP_KEEPINIT'] },
      macos: { name: 'TCP_RXT_CONNDROPTIME', value: 0x80, note: 'Seconds of retransmission before dropping the connection.' },
      windows: { name: 'TCP_MAXRT', value: 5, note: 'Seconds (TCP_MAXRTMS, 14, in milliseconds); -1 waits forever.', variants: ['TCP_MAXRTMS'] },
    },
    seeAlso: ['SO_KEEPALIVE', 'SO_SNDTIMEO'],
  },
  {
    name: 'TCP_CONGESTION', level: 'IPPROTO_TCP', linux: 13, type: 'string', size: 16, appliesTo: 'tcp', sinceLinux: '2.6.13',
    default: 'net.ipv4.tcp_congestion_control (cubic on most distributions)',
    sysctls: ['net.ipv4.tcp_congestion_control', 'net.ipv4.tcp_allowed_congestion_control', 'net.ipv4.tcp_available_congestion_control'],
    summary: 'Congestion control algorithm of this socket (cubic, bbr, reno...).',
    details: 'A name of up to TCP_CA_NAME_MAX (16) bytes; getsockopt writes it NUL-padded to min(optlen, 16) bytes and sets optlen to that (16 with a 16-byte buffer). Unprivileged processes may pick only algorithms listed in tcp_allowed_congestion_control; others need CAP_NET_ADMIN. The module must be loaded (tcp_available_congestion_control).',
    privilege: 'CAP_NET_ADMIN for algorithms not in tcp_allowed_congestion_control',
    platforms: {
      freebsd: same('TCP_CONGESTION', 64, 'Names: newreno, cubic, htcp...'),
      macos: none('Not settable per socket (sysctl net.inet.tcp.use_newreno; cubic by default).'),
      windows: { name: 'TCP_CONGESTION_ALGORITHM', value: 12, note: 'Not a per-socket choice in practice (netsh int tcp set supplemental; CUBIC default since Windows 10 1709).' },
    },
  },
  {
    name: 'TCP_FASTOPEN', level: 'IPPROTO_TCP', linux: 23, type: 'int', size: 4, unit: 'count', appliesTo: 'tcp', sinceLinux: '3.7',
    default: '0 (off). Setting it always succeeds, but SYN data is accepted only when net.ipv4.tcp_fastopen has the server bit 0x2 (the default 1 is client only)',
    sysctls: ['net.ipv4.tcp_fastopen'],
    summary: 'On a listener: enables TCP Fast Open (data in the SYN) with this maximum queue of pending TFO requests.',
    details: 'Server side: set before listen() with the maximum number of pending TFO connections. net.ipv4.tcp_fastopen is a bitmask (0x1 client, 0x2 server, 0x400 server without this option; default 1): without 0x2 the option reads back as set but the kernel ignores data in SYNs. Clients use sendto(MSG_FASTOPEN) or TCP_FASTOPEN_CONNECT (30). Data in the SYN may be replayed: only for idempotent requests.',
    platforms: {
      freebsd: same('TCP_FASTOPEN', 1025, 'Takes a struct tcp_fastopen {enable, psk} (FreeBSD 12+); sysctl net.inet.tcp.fastopen.server_enable.'),
      macos: same('TCP_FASTOPEN', 0x105, 'Clients use connectx() with CONNECT_DATA_IDEMPOTENT.'),
      windows: same('TCP_FASTOPEN', 15, 'Client side only (ConnectEx), Windows 10 1607+.'),
    },
    linuxRelated: [{ name: 'TCP_FASTOPEN_CONNECT', linux: 30, note: 'is the client side: connect() returns at once and the SYN goes out with the first write, carrying its data once a Fast Open cookie from the server is cached (Linux 4.11+); inspect-options reads it as itself when asked for by name (--options TCP_FASTOPEN_CONNECT): TCP_FASTOPEN is the server\'s queue' }],
  },
  {
    name: 'TCP_DEFER_ACCEPT', level: 'IPPROTO_TCP', linux: 9, type: 'int', size: 4, unit: 'seconds', appliesTo: 'tcp', sinceLinux: '2.4',
    default: '0 (off)',
    summary: 'The listener wakes accept() only when data has arrived (or the time runs out), not on the bare handshake.',
    details: 'The value is converted to SYN-ACK retransmissions and reads back rounded (setting 5 may read 7). Useful for protocols where the client speaks first (HTTP). A client that connects and sends nothing is not dropped: once the time runs out, its ACK to the last retransmitted SYN-ACK completes the connection and accept() returns it without data (measured: after 3 s with the value 3).',
    platforms: {
      freebsd: { name: 'SO_ACCEPTFILTER', value: 0x1000, note: 'accept_filter(9) modules: accf_data, accf_http.' },
      macos: none('No equivalent.'),
      windows: none('No socket option (AcceptEx with a receive buffer is similar).'),
    },
  },
  {
    name: 'TCP_NOTSENT_LOWAT', level: 'IPPROTO_TCP', linux: 25, type: 'int', size: 4, unit: 'bytes', appliesTo: 'tcp', sinceLinux: '3.12',
    default: '0 when read: the socket follows net.ipv4.tcp_notsent_lowat (4294967295: unlimited); getsockopt returns the value only once the socket sets one',
    sysctls: ['net.ipv4.tcp_notsent_lowat'],
    summary: 'Limits unsent data in the send buffer: the socket is writable only when unsent bytes are below it.',
    details: 'Keeps the application, not the kernel, holding data that is not yet in flight, so it can reprioritise (HTTP/2) and memory stays low. 16 KiB-128 KiB are common values.',
    platforms: {
      freebsd: none('No equivalent.'),
      macos: same('TCP_NOTSENT_LOWAT', 0x201),
      windows: none('No equivalent (Ideal Send Backlog: SIO_IDEAL_SEND_BACKLOG_QUERY).', ['SIO_IDEAL_SEND_BACKLOG_QUERY']),
    },
    seeAlso: ['SO_SNDBUF', 'SO_SNDLOWAT'],
  },
  {
    name: 'TCP_WINDOW_CLAMP', level: 'IPPROTO_TCP', linux: 10, type: 'int', size: 4, unit: 'bytes', appliesTo: 'tcp', sinceLinux: '2.4',
    default: '0 before connection; then the window clamp in use (receive buffer space)',
    summary: 'Upper bound of the advertised receive window.',
    details: 'Minimum value is SOCK_MIN_RCVBUF/2 (1152). Rarely needed; a low value on a socket throttles the sender.',
    platforms: {
      freebsd: none('No equivalent.'),
      macos: none('No equivalent.'),
      windows: none('No equivalent.'),
    },
    seeAlso: ['SO_RCVBUF'],
  },
  {
    name: 'TCP_INFO', level: 'IPPROTO_TCP', linux: 11, type: 'tcp_info', size: 104, appliesTo: 'tcp', readOnly: true, sinceLinux: '2.4',
    default: 'n/a (read-only statistics)',
    summary: 'Connection statistics: state, rtt, rttvar, cwnd, ssthresh, retransmits, MSS, delivery rate...',
    details: 'struct tcp_info. glibc\'s <netinet/tcp.h> declares 104 bytes; newer kernels copy more (pacing, delivery rate, bytes_acked...) when optlen is larger: pass a bigger buffer and read optlen back. ss -ti and netlink INET_DIAG_INFO give the same struct for sockets you cannot open.',
    platforms: {
      freebsd: same('TCP_INFO', 32, 'A different struct tcp_info (partly compatible field names).'),
      macos: { name: 'TCP_CONNECTION_INFO', value: 0x106, note: 'struct tcp_connection_info.' },
      windows: none('Not a socket option: WSAIoctl(SIO_TCP_INFO) returns TCP_INFO_v0/v1 (Windows 10 1703+).', ['SIO_TCP_INFO']),
    },
  },
  {
    name: 'IP_TOS', level: 'IPPROTO_IP', linux: 1, type: 'int', size: 4, appliesTo: 'ip',
    default: '0',
    summary: 'The TOS byte (DSCP << 2 | ECN) of outgoing IPv4 packets.',
    details: 'The ECN bits are managed by TCP and masked. For IPv6 the equivalent is IPV6_TCLASS (67). Setting it also sets SO_PRIORITY on Linux.',
    platforms: {
      freebsd: same('IP_TOS', 3),
      macos: same('IP_TOS', 3),
      windows: same('IP_TOS', 3, 'Ignored by default (use the QoS2 API); winsock.h (Winsock 1) defines IP_TOS as 8.'),
    },
    ipv6: { name: 'IPV6_TCLASS', linux: 67 },
    seeAlso: ['SO_PRIORITY', 'IP_TTL'],
  },
  {
    name: 'IP_TTL', level: 'IPPROTO_IP', linux: 2, type: 'int', size: 4, unit: 'hops', appliesTo: 'ip',
    default: 'net.ipv4.ip_default_ttl (64)',
    sysctls: ['net.ipv4.ip_default_ttl'],
    summary: 'Time-to-live of outgoing unicast IPv4 packets.',
    details: 'Range 1-255; -1 restores the default. Multicast uses IP_MULTICAST_TTL; IPv6 uses IPV6_UNICAST_HOPS (16).',
    platforms: {
      freebsd: same('IP_TTL', 4, 'Default net.inet.ip.ttl (64).'),
      macos: same('IP_TTL', 4, 'Default 64.'),
      windows: same('IP_TTL', 4, 'Default 128; winsock.h (Winsock 1) defines IP_TTL as 7.'),
    },
    ipv6: { name: 'IPV6_UNICAST_HOPS', linux: 16 },
    linuxRelated: [{ name: 'IP_MULTICAST_TTL', linux: 33, note: 'sets the TTL of the multicast datagrams the socket sends (default 1), where IP_TTL sets that of unicast packets; inspect-options reads it as itself when asked for by name (--options IP_MULTICAST_TTL)' }],
    seeAlso: ['IP_TOS'],
  },
  {
    name: 'IPV6_V6ONLY', level: 'IPPROTO_IPV6', linux: 26, type: 'bool', size: 4, appliesTo: 'ipv6',
    default: 'net.ipv6.bindv6only (0: an AF_INET6 socket also accepts IPv4 as ::ffff:a.b.c.d)',
    sysctls: ['net.ipv6.bindv6only'],
    summary: 'Restricts an AF_INET6 socket to IPv6; off means one [::] listener serves IPv4 too (mapped addresses).',
    details: 'Must be set before bind(). With it off (Linux default), binding [::]:80 also takes 0.0.0.0:80, so a separate IPv4 listener on the same port fails with EADDRINUSE. Portable servers set it explicitly: either 1 with two sockets, or 0 with one.',
    platforms: {
      freebsd: same('IPV6_V6ONLY', 27, 'Default ON (net.inet6.ip6.v6only=1): a [::] socket is IPv6 only unless cleared.'),
      macos: same('IPV6_V6ONLY', 27, 'Default off, as Linux.'),
      windows: same('IPV6_V6ONLY', 27, 'Default ON (Vista+): clear it for a dual-stack socket.'),
    },
  },
  {
    name: 'IP_FREEBIND', level: 'IPPROTO_IP', linux: 15, type: 'bool', size: 4, appliesTo: 'ip', sinceLinux: '2.4',
    default: '0 (off); no sysctl sets it. Host-wide alternative: net.ipv4.ip_nonlocal_bind=1 (IPv6: net.ipv6.ip_nonlocal_bind=1) allows non-local binds for every socket of the network namespace without setting it',
    sysctls: ['net.ipv4.ip_nonlocal_bind', 'net.ipv6.ip_nonlocal_bind'],
    summary: 'Allows bind() to an address that is not (yet) configured on this host.',
    details: 'Lets a service start before its address comes up (DHCP, keepalived VIP) instead of failing with EADDRNOTAVAIL. Also applies to IPv6 sockets (IPV6_FREEBIND, 78, since 4.15). The host-wide alternative is the sysctl net.ipv4.ip_nonlocal_bind=1 (net.ipv6.ip_nonlocal_bind=1 for IPv6: the IPv4 one does not apply there), per network namespace: a non-local bind then succeeds without the option, and getsockopt(IP_FREEBIND) still reads 0 (measured on 6.18), so a 0 here does not mean such a bind would fail.',
    platforms: {
      freebsd: { name: 'IP_BINDANY', value: 24, note: 'Needs PRIV_NETINET_BINDANY (root).' },
      macos: none('No equivalent.'),
      windows: none('No equivalent.'),
    },
    // IPV6_FREEBIND sets and reads the same flag as IP_FREEBIND (inet freebind bit), which SOL_IP reads on AF_INET6 too.
    ipv6Alias: { name: 'IPV6_FREEBIND', linux: 78 },
    seeAlso: ['IP_TRANSPARENT'],
  },
  {
    name: 'IP_TRANSPARENT', level: 'IPPROTO_IP', linux: 19, type: 'bool', size: 4, appliesTo: 'ip', sinceLinux: '2.6.28',
    default: '0 (off)',
    privilege: 'CAP_NET_ADMIN or CAP_NET_RAW',
    summary: 'Transparent proxying (TPROXY): bind to and accept connections for non-local addresses.',
    details: 'Used with iptables/nftables TPROXY rules and policy routing so a proxy sees the original destination. Setting needs CAP_NET_ADMIN or CAP_NET_RAW. IPV6_TRANSPARENT (75) is the IPv6 form.',
    platforms: {
      freebsd: { name: 'IP_BINDANY', value: 24, note: 'With ipfw fwd / pf divert-to.' },
      macos: none('No equivalent.'),
      windows: none('No equivalent.'),
    },
    // IPV6_TRANSPARENT sets and reads the same flag as IP_TRANSPARENT (inet transparent bit), which SOL_IP reads on AF_INET6 too.
    ipv6Alias: { name: 'IPV6_TRANSPARENT', linux: 75 },
    seeAlso: ['IP_FREEBIND'],
  },
];
