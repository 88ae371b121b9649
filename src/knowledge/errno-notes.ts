// What each errno means for socket code: meaning, common causes and fixes (hand-written knowledge,
// keyed by the POSIX name; WSA codes use the note of their POSIX twin). Every name not listed here
// gets a meaning from its group (GROUP_MEANINGS) or a generic one built from its message.

/** Explanation of one error for people writing or running network servers. */
export interface ErrnoNote {
  /** What it means, in socket terms. */
  meaning: string;
  /** Usual reasons, most likely first. */
  causes?: string[];
  /** What to do, most useful first. */
  fixes?: string[];
  /** Calls that typically return it. */
  calls?: string[];
}

/** Socket-relevant errors, with causes and fixes. */
export const ERRNO_NOTES: Readonly<Record<string, ErrnoNote>> = {
  ECONNRESET: {
    meaning: 'The peer (or a middlebox) sent a TCP RST: the connection is gone and any unread or unsent data is lost.',
    calls: ['recv', 'read', 'send', 'write'],
    causes: [
      'The peer process exited or crashed, or closed the socket while unread data was still in its receive buffer (the kernel answers with RST instead of FIN).',
      'The peer closed with SO_LINGER {1, 0} (abortive close).',
      'A load balancer, NAT or firewall dropped its idle state and reset the connection (idle timeouts of 60-350 s are common).',
      // Measured (test/knowledge/errno-linux-behaviour): tcp_reset() sets ECONNRESET in ESTABLISHED, EPIPE in CLOSE_WAIT.
      'A RST arrived while the connection was ESTABLISHED: the first recv() or send() after it reports ECONNRESET, once; later send() calls get EPIPE and recv() returns 0. (A peer that closed cleanly with FIN and then answered our write with RST gives no ECONNRESET on Linux: recv() returns 0 and the next write gets EPIPE.)',
      'Linux accept() hands over a connection that the client reset while it waited in the accept queue: the first recv() on the accepted socket reports ECONNRESET (BSD and macOS fail accept() with ECONNABORTED instead).',
      'The client\'s handshake completed while the listener\'s accept queue was full and net.ipv4.tcp_abort_on_overflow=1: the server answers with RST (by default it drops the ACK and the client retransmits).',
      'Windows UDP (WSAECONNRESET): recvfrom() fails after an earlier sendto() from the same socket drew an ICMP port unreachable; the socket still works. WSAIoctl(SIO_UDP_CONNRESET, FALSE) turns this off (the Windows C code of generate-server does).',
    ],
    fixes: [
      'Treat it as a normal end of a connection: close the socket and, for idempotent requests, retry on a new connection.',
      'Enable TCP keepalive (SO_KEEPALIVE + TCP_KEEPIDLE below the middlebox idle timeout) or application pings on long-lived idle connections.',
      'On the closing side, read the request completely before close(), or shutdown(SHUT_WR) and drain, so the kernel sends FIN rather than RST.',
      'Check `nstat -az TcpExtTCPAbortOnData TcpExtListenOverflows` and the peer\'s logs to see which side reset.',
      'Windows UDP servers: disable the report with SIO_UDP_CONNRESET, or ignore WSAECONNRESET from recvfrom() and keep reading.',
    ],
  },
  ECONNREFUSED: {
    meaning: 'The connection attempt was refused: a RST or an ICMP port unreachable came back, because nothing listens on that address and port or a firewall rejects it. For UDP: an ICMP port unreachable came back for an earlier datagram. (A full accept queue does not refuse on Linux: the SYN is dropped and the client retries, then times out.)',
    calls: ['connect', 'send/recv on a connected UDP socket'],
    causes: [
      'No process listens on that port on the target host (service down, still starting, or listening on 127.0.0.1 only).',
      'Wrong port or address (IPv6 vs IPv4: the server listens on 0.0.0.0 but the name resolved to ::1).',
      // iptables REJECT's default --reject-with is icmp-port-unreachable (nftables' reject likewise); the kernel maps
      // ICMP port unreachable to ECONNREFUSED (icmp_err_convert[]), measured on a TCP connect in errno-linux-behaviour.
      'A firewall REJECT rule: iptables REJECT without --reject-with (its default, icmp-port-unreachable), nftables `reject`, or --reject-with tcp-reset. (icmp-host-prohibited and icmp-admin-prohibited give EHOSTUNREACH instead.)',
    ],
    fixes: [
      'Check the listener on the target: `ss -ltnp \'sport = :PORT\'` (or `sockscope analyze --port PORT`).',
      'Make the server bind 0.0.0.0 / [::] rather than 127.0.0.1 if remote clients must reach it.',
      'Retry with backoff while a dependency starts; do not retry forever.',
      'Try each resolved address (happy eyeballs) instead of only the first.',
    ],
  },
  ETIMEDOUT: {
    meaning: 'No answer in time: connect() got no SYN-ACK after all SYN retries, or an established connection lost its peer (retransmissions or keepalive probes unanswered).',
    calls: ['connect', 'recv', 'send', 'write'],
    causes: [
      'The host is down or unreachable and nothing sends an ICMP error back.',
      'A firewall silently DROPs the SYN (filtered port), often a security group or host firewall.',
      'The peer vanished (power loss, network cut) during a connection: retransmissions gave up (tcp_retries2, about 15 min) or keepalive probes failed.',
      'The server\'s SYN queue or accept queue is full and SYNs are dropped (check ListenOverflows / ListenDrops).',
      'TCP_USER_TIMEOUT expired.',
    ],
    fixes: [
      'Test reachability: `sockscope debug-connections --address HOST:PORT` (route, connect time, verdict), `ip route get ADDR`.',
      'Check firewalls / security groups for the port; a REJECT rule would give ECONNREFUSED quickly instead.',
      'Use a shorter connect timeout in the client (non-blocking connect + poll) and TCP_USER_TIMEOUT / keepalive for established connections.',
      'On the server, look at `nstat -az TcpExtListenOverflows TcpExtListenDrops` and raise the backlog and net.core.somaxconn if they grow.',
    ],
  },
  EADDRINUSE: {
    meaning: 'The local address and port are already taken by another socket, so bind() (or listen(), or an implicit bind in connect()) cannot use them.',
    calls: ['bind', 'listen', 'connect'],
    causes: [
      'Another process (or another instance of the same server) is listening on the port.',
      'The previous run of the server left connections in TIME_WAIT and the new one did not set SO_REUSEADDR before bind().',
      'An IPv6 [::] listener with IPV6_V6ONLY=0 already covers 0.0.0.0 on that port (or the other way round).',
      'listen(): two sockets bound the same port with SO_REUSEADDR (bind() let both through) and the other one listens already.',
      // Linux's connect() says EADDRNOTAVAIL for a 4-tuple in use (__inet_check_established), measured in errno-linux-behaviour.
      'connect() on BSD, macOS and Windows when the 4-tuple is in use, e.g. from a fixed local port whose earlier connection is in TIME_WAIT; on Windows ephemeral port exhaustion also shows as WSAEADDRINUSE (or WSAENOBUFS). Linux reports EADDRNOTAVAIL for these.',
    ],
    fixes: [
      'Find the holder: `sockscope try bind 0.0.0.0:PORT` (the wildcard conflicts with a holder on any IPv4 address; `[::]:PORT` for IPv6) or `ss -ltnp \'sport = :PORT\'`; stop it or choose another port.',
      'Set SO_REUSEADDR before bind() in every server (it lets a restart bind over TIME_WAIT, and is safe on Linux).',
      'Use SO_REUSEPORT only when several processes should share the port on purpose.',
      'Decide IPV6_V6ONLY explicitly when binding both [::] and 0.0.0.0.',
    ],
  },
  EADDRNOTAVAIL: {
    meaning: 'The requested local address is not available: it is not configured on this host, or no free local (ephemeral) port is left for a connect().',
    calls: ['bind', 'connect'],
    causes: [
      'bind() to an IP that is not assigned to any interface (typo, address not up yet, VIP on another node, container network).',
      'Ephemeral port exhaustion: many outgoing connections to the same destination address and port, most in TIME_WAIT, used up net.ipv4.ip_local_port_range.',
      'connect() from a fixed local port (bind() before connect()) whose 4-tuple to that destination is in use: ESTABLISHED, or TIME_WAIT without TCP timestamps. With timestamps (net.ipv4.tcp_timestamps=1, the default) Linux takes the TIME_WAIT over and connect() succeeds.',
      'connect() to 0.0.0.0 port 0 or another invalid destination on some systems.',
    ],
    fixes: [
      'Check the address with `ip -br addr`; for addresses that appear later set IP_FREEBIND on the socket, or net.ipv4.ip_nonlocal_bind=1 (IPv4) / net.ipv6.ip_nonlocal_bind=1 (IPv6: the IPv4 sysctl does not apply to it).',
      'For exhaustion: reuse connections (keep-alive, pooling), widen net.ipv4.ip_local_port_range, enable net.ipv4.tcp_tw_reuse=1 for outgoing connections, spread over more destination addresses.',
      'Count TIME_WAIT sockets to the destination: `sockscope analyze-states` or `ss -tanH state time-wait | wc -l`.',
    ],
  },
  EPIPE: {
    meaning: 'Writing to a socket whose connection is closed for writing (the peer reset it, or we called shutdown(SHUT_WR)), or on Linux to a TCP socket that has no connection at all. The process also gets SIGPIPE, which kills it by default.',
    calls: ['send', 'write', 'sendmsg'],
    // Measured in test/knowledge/errno-notconn-epipe: send() on a never-connected TCP socket gives EPIPE and SIGPIPE
    // (tcp_sendmsg: sk_stream_wait_connect returns EPIPE in CLOSE); send() after a blocking connect() was refused or
    // timed out gives EPIPE too. After a non-blocking connect() failed, the first send() or recv() returns the pending
    // error (sk_err: ECONNREFUSED, ETIMEDOUT) unless SO_ERROR took it; only later send() calls get EPIPE.
    causes: [
      'The peer closed the connection and we kept writing (the first write draws a RST, the next gets EPIPE).',
      'Writing again after a reset was already reported (ECONNRESET comes once; later writes get EPIPE).',
      'Writing after our own shutdown(SHUT_WR).',
      'Linux: send() or write() on a TCP socket that was never connected, or whose connect() failed: there is no connection to write to, and Linux says EPIPE (with SIGPIPE), where BSD, macOS and Windows give a never-connected socket ENOTCONN. After a blocking connect() failed (ECONNREFUSED, ETIMEDOUT), the first send() already gets EPIPE. After a non-blocking connect() failed (event loops), the first send() or recv() returns the pending error, ECONNREFUSED or ETIMEDOUT, unless getsockopt(SO_ERROR) took it already; only the send() calls after that get EPIPE. While a non-blocking connect() is still in progress, send() gives EAGAIN instead (a blocking one waits for the handshake).',
    ],
    fixes: [
      'Ignore SIGPIPE (signal(SIGPIPE, SIG_IGN)) or send with MSG_NOSIGNAL so the error comes back as EPIPE instead of killing the process.',
      'Treat it as end of connection: close the socket and stop writing to it.',
    ],
  },
  EAGAIN: {
    meaning: 'The operation would block: a non-blocking socket has no data to read, no room to write or no connection to accept right now. Not a failure. (Also: a receive/send timeout SO_RCVTIMEO/SO_SNDTIMEO expired.)',
    calls: ['recv', 'send', 'accept', 'connect (Unix sockets; Windows)'],
    causes: [
      'Normal for non-blocking I/O: the buffer is empty (read) or full (write).',
      'Windows (WSAEWOULDBLOCK): a non-blocking connect() has started, where Linux, BSD and macOS say EINPROGRESS.',
      'SO_RCVTIMEO / SO_SNDTIMEO expired on a blocking socket.',
      'For connect() on a Unix socket: the listener\'s backlog is full. For bind/connect on TCP: no ephemeral port free (some kernels).',
    ],
    fixes: [
      'Wait for readiness (poll/epoll/kqueue, or the event loop) and retry; with edge-triggered epoll, read/write until EAGAIN.',
      'If a write keeps failing with EAGAIN the peer is not reading: buffer with a limit and apply backpressure.',
      'Windows connect(): WSAEWOULDBLOCK is not a failure; wait until the socket is writable (select writefds, WSAPoll POLLWRNORM) and read SO_ERROR (a failed connect shows in exceptfds / POLLERR).',
    ],
  },
  EINPROGRESS: {
    meaning: 'A non-blocking connect() has started but not finished. Not a failure. (Windows reports this case as WSAEWOULDBLOCK; its WSAEINPROGRESS, 10000 + this BSD number, means something else.)',
    calls: ['connect'],
    causes: ['Normal for non-blocking connect(); also a blocking connect() interrupted by SO_SNDTIMEO.'],
    fixes: ['Wait until the socket is writable (poll POLLOUT / epoll EPOLLOUT), then read getsockopt(SO_ERROR): 0 means connected, otherwise it is the connect error.'],
  },
  EALREADY: {
    meaning: 'A non-blocking connect() is already in progress on this socket.',
    calls: ['connect'],
    causes: ['connect() called again before the first non-blocking connect finished.'],
    fixes: ['Wait for writability and read SO_ERROR instead of calling connect() again.'],
  },
  EISCONN: {
    meaning: 'The socket is already connected.',
    calls: ['connect', 'sendto (Unix stream sockets; TCP with MSG_FASTOPEN)'],
    // Measured in errno-linux-behaviour: __inet_stream_connect, unix_stream_sendmsg.
    causes: [
      'connect() on a TCP socket that is already connected, e.g. a retry loop calling connect() again. After a non-blocking connect() completed, Linux answers the first connect() again with 0 and only later ones with EISCONN.',
      'sendto() with an address on a connected Unix stream socket, or with MSG_FASTOPEN on a connected TCP socket. A plain sendto() with an address on a connected TCP socket is no error on Linux (the address is ignored, the data goes to the peer); on a connected UDP socket the datagram goes to the address given.',
    ],
    fixes: ['After a non-blocking connect, wait for writability and read SO_ERROR instead of calling connect() again (treat EISCONN from such a retry as success); otherwise create a new socket per connection attempt.'],
  },
  ENOTCONN: {
    meaning: 'The socket is not connected: the operation needs a connected peer.',
    calls: ['recv', 'getpeername', 'shutdown', 'send (Unix stream sockets; TCP on BSD, macOS and Windows)'],
    // Measured in test/knowledge/errno-notconn-epipe (Linux): recv() on a never-connected TCP socket, or one whose
    // blocking connect() was refused or timed out, gives ENOTCONN (a failed blocking connect() disconnects the socket,
    // tcp_disconnect). After a non-blocking connect() failed, the first recv() returns the pending error unless
    // SO_ERROR took it, later ones 0 (tcp_done left RCV_SHUTDOWN set). getpeername() and shutdown() give ENOTCONN
    // in both cases; send() on such a TCP socket EPIPE; send() on an unconnected Unix stream socket ENOTCONN.
    causes: [
      'recv() on a TCP socket that was never connected, or whose blocking connect() failed (ECONNREFUSED, ETIMEDOUT). After a non-blocking connect() failed, recv() gives no ENOTCONN: the first call returns the pending error (ECONNREFUSED, ETIMEDOUT) unless getsockopt(SO_ERROR) took it already, and later calls return 0, end of file, as if the peer had closed.',
      'getpeername() on a socket that was never connected, whose connect() failed (blocking or not; getpeername() leaves a pending error in place), or whose connection was reset already.',
      'shutdown() on a socket that was never connected, or whose connect() failed (blocking or not).',
      'send() on a Unix stream socket that is not connected. On Linux a TCP socket in that state gives EPIPE to send() (see EPIPE), and EAGAIN while a non-blocking connect() is still in progress; BSD, macOS and Windows (WSAENOTCONN) give ENOTCONN to send() on a TCP socket never connected or still connecting.',
    ],
    fixes: ['Check the connect() result (SO_ERROR after a non-blocking connect) before using the socket.', 'Ignore ENOTCONN from shutdown() during cleanup.'],
  },
  ECONNABORTED: {
    meaning: 'The connection was aborted on this host. On Linux: the kernel destroyed it locally (the next recv()/send() reports ECONNABORTED). On BSD, macOS and Windows also: accept() took a connection that had been reset while it waited.',
    calls: ['recv', 'send', 'accept (BSD, macOS, Windows)'],
    // Measured in errno-linux-behaviour: tcp_abort() sets ECONNABORTED; a queued connection reset by its client is still
    // returned by Linux accept(), and its first recv() gives ECONNRESET.
    causes: [
      'Linux: the connection was killed with `ss -K` (sock_diag SOCK_DESTROY, tcp_abort()), by an administrator or a tool that closes stuck connections.',
      'BSD and macOS accept(): the client reset the connection while it sat in the accept queue (under load or with impatient clients). Linux does not report this at accept(): it returns the socket, and the first recv() on it gets ECONNRESET.',
      'On Windows (WSAECONNABORTED): the local stack dropped the connection after retransmission timeouts, or the other side closed while data was being sent.',
    ],
    fixes: ['In accept loops: log and continue; it is not fatal for the listener (on Linux, handle ECONNRESET on the first recv() of an accepted socket the same way).', 'Accept faster (more workers, larger backlog) if it happens often.'],
  },
  ENETUNREACH: {
    meaning: 'No route to the destination network on this host (or an ICMP net-unreachable came back).',
    calls: ['connect', 'sendto'],
    causes: ['No route for the address family: e.g. connecting to an IPv6 address on a host without IPv6 connectivity.', 'The default route is missing or the interface is down.', 'A router answered with ICMP network unreachable.'],
    fixes: ['Check `ip route get ADDR` (and `ip -6 route`).', 'Prefer the address family that works (try all resolved addresses; happy eyeballs).'],
  },
  EHOSTUNREACH: {
    meaning: 'The host cannot be reached: no route to it, or ARP/neighbour discovery failed, or an ICMP host-unreachable / admin-prohibited came back.',
    calls: ['connect', 'sendto', 'send'],
    causes: [
      'The host is down on the local segment (ARP gets no reply).',
      'A firewall REJECT rule with --reject-with icmp-host-prohibited or icmp-admin-prohibited (the catch-all rule of RHEL/CentOS iptables configurations). REJECT\'s default, icmp-port-unreachable, gives ECONNREFUSED instead.',
      'Routing problem at an intermediate router.',
    ],
    fixes: ['`ip neigh show ADDR` (FAILED means no ARP reply), `ip route get ADDR`, then the firewall on the target.'],
  },
  ENETDOWN: {
    meaning: 'The network interface the route uses is down.',
    calls: ['connect', 'send', 'sendto'],
    causes: ['Interface administratively down or carrier lost; VPN or tunnel down.'],
    fixes: ['`ip -br link`; bring the interface up or fix the route.'],
  },
  ENETRESET: {
    meaning: 'The connection was broken because the network reset it (keepalive failure on some systems; on Linux mostly seen with multicast/route changes).',
    causes: ['Keepalive detected a failure (Windows WSAENETRESET).', 'Rare on Linux.'],
    fixes: ['Reconnect.'],
  },
  EHOSTDOWN: {
    meaning: 'The host is down (rarely reported by Linux; mostly BSD/macOS and Windows).',
    fixes: ['Check the host and the path to it.'],
  },
  EMFILE: {
    meaning: 'This process has reached its limit of open file descriptors (RLIMIT_NOFILE); sockets count as files.',
    calls: ['socket', 'accept', 'open', 'pipe', 'epoll_create'],
    causes: [
      'Too many connections for the limit (often the default soft limit of 1024).',
      'A descriptor leak: sockets never closed, often in CLOSE_WAIT (the peer closed, we did not).',
    ],
    fixes: [
      'Raise the limit: `ulimit -n`, LimitNOFILE= in the systemd unit, /etc/security/limits.conf; check /proc/PID/limits.',
      'Look for leaks: many CLOSE_WAIT sockets on the process mean missing close() calls (`sockscope analyze-states`).',
      'In accept loops, back off briefly instead of spinning (keep a spare fd to accept-and-close under pressure).',
    ],
  },
  ENFILE: {
    meaning: 'The whole system has reached its open-file limit (fs.file-max).',
    calls: ['socket', 'accept', 'open'],
    causes: ['Too many descriptors open system-wide.'],
    fixes: ['Check /proc/sys/fs/file-nr; raise fs.file-max or find the process holding the most descriptors.'],
  },
  ENOBUFS: {
    meaning: 'The kernel could not allocate buffer memory for the operation, or a queue is full.',
    calls: ['sendto', 'send', 'recv (netlink)', 'setsockopt'],
    causes: [
      // udp_send_skb(): -ENOBUFS from the qdisc is dropped to 0 unless IP_RECVERR is set; measured in errno-linux-behaviour.
      'UDP sendto() faster than the interface queue (qdisc) drains, on a socket with IP_RECVERR (IPV6_RECVERR) set. Without it Linux drops the datagram silently, sendto() reports success and the drop is only counted in Udp SndbufErrors (`nstat -az UdpSndbufErrors`). A full socket send buffer is not ENOBUFS: a blocking sendto() waits, a non-blocking one gets EAGAIN.',
      'Netlink sockets (ss, routing and monitoring daemons): recv() reports ENOBUFS when the kernel dropped messages because the socket\'s receive buffer was full.',
      'Ancillary data or option memory above net.core.optmem_max (large control messages; many multicast memberships, see net.ipv4.igmp_max_memberships).',
    ],
    fixes: [
      'For UDP: pace the sender; set IP_RECVERR to learn about the drops, or watch UdpSndbufErrors; enlarge the qdisc (`ip link set DEV txqueuelen N`) if bursts are expected.',
      'For netlink: enlarge the receive buffer (SO_RCVBUF, SO_RCVBUFFORCE) and resynchronise after ENOBUFS (a dump).',
    ],
  },
  ENOMEM: {
    meaning: 'The kernel is out of memory for this request (or a memory-related limit was hit).',
    causes: ['Low memory; memory cgroup limit; socket memory pressure.'],
    fixes: ['Check memory and cgroup limits; reduce buffer sizes.'],
  },
  EMSGSIZE: {
    meaning: 'The message is too large to send atomically: a UDP datagram above 65,507 bytes of data (65,527 over IPv6) fails in the send; a datagram above the path MTU fails in the send with IP_PMTUDISC_DO / IP_DONTFRAG set, and otherwise is sent with DF set (Linux\'s UDP default, IP_PMTUDISC_WANT): a router whose link is smaller drops it and answers with an ICMP fragmentation needed, which comes back as EMSGSIZE on a connected or IP_RECVERR socket after the send.',
    calls: ['send', 'sendto', 'sendmsg'],
    causes: ['Datagram larger than the protocol maximum.', 'Path MTU discovery says the packet does not fit (DF set).', 'Unix datagram larger than the receiver\'s buffer allows.'],
    fixes: ['Split the payload into datagrams below the path MTU (typically 1200-1400 bytes for the internet), or use TCP.'],
  },
  ENOTSOCK: {
    meaning: 'The descriptor is not a socket.',
    causes: ['A file, pipe or closed-and-reused descriptor number was passed to a socket call (use-after-close bug).'],
    fixes: ['Track descriptor ownership; never use an fd after close().'],
  },
  EBADF: {
    meaning: 'The descriptor is not open (or not open for this operation).',
    causes: ['Using a socket after close(), double close, or a race where another thread closed it.'],
    fixes: ['Set the variable to -1 after close(); make one owner responsible for closing each socket.'],
  },
  EINVAL: {
    meaning: 'An argument is invalid for this socket or its state.',
    calls: ['bind', 'listen', 'accept', 'setsockopt', 'connect'],
    causes: [
      // Measured in errno-linux-behaviour; listen()/accept() on UDP is EOPNOTSUPP (sock_no_listen, sock_no_accept).
      'bind() on a socket that is already bound; accept() on a TCP socket that is not listening; listen() on a connected TCP socket.',
      'A wrong address length (sizeof(struct sockaddr) for IPv6), or a sockaddr of the wrong family.',
      'An out-of-range setsockopt value (e.g. TCP_KEEPIDLE 0).',
    ],
    fixes: ['Check the call order (socket, setsockopt, bind, listen, accept) and pass sizeof the actual sockaddr type.'],
  },
  EACCES: {
    meaning: 'Permission denied for the operation on the socket.',
    calls: ['bind', 'connect', 'sendto'],
    causes: [
      'bind() to a port below net.ipv4.ip_unprivileged_port_start (1024) without CAP_NET_BIND_SERVICE.',
      'sendto() a broadcast address without SO_BROADCAST.',
      'An LSM (SELinux, AppArmor) or a Unix socket path without write permission.',
      'On Windows (WSAEACCES): the port is in an excluded port range (Hyper-V/WSL reservations: `netsh int ipv4 show excludedportrange protocol=tcp`), or another process holds it with SO_EXCLUSIVEADDRUSE.',
    ],
    fixes: [
      'Use a port >= 1024 behind a proxy, or grant the capability: `setcap cap_net_bind_service=+ep BINARY`, AmbientCapabilities=CAP_NET_BIND_SERVICE in systemd, or lower net.ipv4.ip_unprivileged_port_start.',
      'Set SO_BROADCAST before sending to a broadcast address.',
      '`sockscope try bind ADDRESS` explains which rule applies on this host.',
    ],
  },
  EPERM: {
    meaning: 'The operation is not permitted: it needs a privilege, or a firewall/LSM refused it.',
    calls: ['connect', 'sendto', 'setsockopt', 'bind'],
    causes: [
      'A local netfilter rule (iptables/nftables OUTPUT DROP/REJECT) blocked an outgoing packet: send/connect returns EPERM.',
      'setsockopt needing CAP_NET_ADMIN (SO_MARK, SO_RCVBUFFORCE, SO_PRIORITY > 6) or CAP_NET_RAW.',
      'pidfd_getfd on another user\'s process without ptrace permission.',
      'Seccomp filter or LSM.',
    ],
    fixes: ['Check `nft list ruleset` / `iptables -S OUTPUT`.', 'Run with the needed capability, not as full root.'],
  },
  ENOPROTOOPT: {
    meaning: 'The option is not known at that level, or not supported by this protocol.',
    calls: ['getsockopt', 'setsockopt'],
    causes: ['A TCP option on a UDP socket; a level/option mismatch (IPPROTO_TCP vs SOL_SOCKET); an option the kernel is too old for; SO_SNDLOWAT set on Linux.'],
    fixes: ['Check the level and the option: `sockscope options NAME`.'],
  },
  EPROTONOSUPPORT: {
    meaning: 'The protocol is not supported in this address family (or the module is not loaded).',
    calls: ['socket'],
    causes: ['IPPROTO_SCTP or MPTCP without kernel support; a protocol number that does not match the socket type.'],
    fixes: ['Load the module (modprobe sctp) or use the default protocol 0.'],
  },
  ESOCKTNOSUPPORT: {
    meaning: 'The socket type is not supported in this address family.',
    calls: ['socket'],
    causes: ['e.g. SOCK_SEQPACKET with AF_INET.'],
    fixes: ['Use a type that the family supports.'],
  },
  EAFNOSUPPORT: {
    meaning: 'The address family is not supported: by the kernel (IPv6 disabled), or not matching the socket.',
    calls: ['socket', 'bind', 'connect'],
    causes: ['IPv6 disabled (ipv6.disable=1 or no module) and the program creates an AF_INET6 socket.', 'Passing a sockaddr_in6 to an AF_INET socket.'],
    fixes: ['Fall back to AF_INET, or use getaddrinfo() with AI_ADDRCONFIG so that only usable families come back.'],
  },
  EPFNOSUPPORT: { meaning: 'The protocol family is not supported (older name for EAFNOSUPPORT situations).' },
  EPROTOTYPE: {
    meaning: 'The protocol does not match the socket type (e.g. IPPROTO_UDP with SOCK_STREAM), or a Unix socket of the other type.',
    causes: ['connect() a SOCK_STREAM Unix socket to a SOCK_DGRAM path.'],
    fixes: ['Use matching type and protocol (or protocol 0).'],
  },
  EOPNOTSUPP: {
    meaning: 'The operation is not supported on this kind of socket.',
    calls: ['listen', 'accept', 'send (flags)'],
    causes: ['listen()/accept() on a UDP socket; MSG_OOB on a socket type without it; an ioctl the protocol does not implement.'],
    fixes: ['Use an operation that the socket type supports (listen only on SOCK_STREAM/SEQPACKET).'],
  },
  EDESTADDRREQ: {
    meaning: 'No destination address: send() on an unconnected datagram socket.',
    calls: ['send', 'write'],
    causes: ['UDP socket neither connect()ed nor given an address with sendto().'],
    fixes: ['Use sendto() with the address, or connect() the UDP socket first.'],
  },
  ESHUTDOWN: {
    meaning: 'Cannot send after the socket was shut down for writing (shutdown(SHUT_WR)).',
    causes: ['Writing after our own shutdown().'],
    fixes: ['Stop writing after shutdown; it is a program logic error.'],
  },
  ETOOMANYREFS: { meaning: 'Too many references: too many descriptors in flight in SCM_RIGHTS messages on Unix sockets.' },
  EINTR: {
    meaning: 'A signal interrupted a blocking call before it completed.',
    calls: ['accept', 'connect', 'recv', 'send', 'poll', 'epoll_wait'],
    causes: ['A signal handler ran (SIGCHLD, SIGALRM, SIGWINCH...) without SA_RESTART, or the call is never restarted (poll, epoll_wait).'],
    fixes: ['Retry the call in a loop; for connect(), do not call it again: wait for writability and read SO_ERROR.'],
  },
  EFAULT: {
    meaning: 'A pointer argument points outside the process\'s address space.',
    causes: ['A bug: wrong buffer pointer or length (e.g. optlen pointer not set, buffer too small).'],
    fixes: ['Check buffer pointers and lengths in the socket call.'],
  },
  ENOENT: {
    meaning: 'No such file or directory: for sockets, usually a Unix socket path that does not exist.',
    calls: ['connect (AF_UNIX)', 'open'],
    causes: ['The server is not running or created its socket elsewhere; /proc/PID/fd entry gone because the process exited.'],
    fixes: ['Check the socket path and that the server is running.'],
  },
  ESRCH: {
    meaning: 'No such process (for sockscope: the PID exited between listing and inspecting it).',
    causes: ['The process ended; a PID typo.'],
    fixes: ['Re-list sockets and retry with a live PID.'],
  },
  ENOSYS: {
    meaning: 'The system call is not implemented by this kernel (or is blocked by seccomp in a container).',
    causes: ['An old kernel (pidfd_getfd needs 5.6+, io_uring 5.1+), or a container runtime seccomp profile.'],
    fixes: ['Use a fallback path; check `uname -r` and the container seccomp profile.'],
  },
  EPROTO: { meaning: 'Protocol error: the kernel received something that violates the protocol (e.g. a TLS/ALPN or accept() on a connection aborted by a protocol error).' },
  ENODEV: { meaning: 'No such device: for sockets, SO_BINDTODEVICE with an interface name that does not exist.', fixes: ['Check `ip -br link`.'] },
  ENXIO: { meaning: 'No such device or address (for sockets: rare; e.g. a device gone during an ioctl).' },
  EBUSY: { meaning: 'Device or resource busy (for sockets: e.g. an eBPF program or XDP socket already attached).' },
  ECANCELED: { meaning: 'The operation was cancelled (io_uring / AIO requests cancelled, or a socket closed during an asynchronous operation).' },
  ENOTSUP: { meaning: 'Operation not supported (the same number as EOPNOTSUPP on Linux).' },
  EWOULDBLOCK: { meaning: 'Same as EAGAIN: the operation would block on a non-blocking socket.' },
  ENOTUNIQ: { meaning: 'Name not unique on network (obsolete).' },
  ENOSR: { meaning: 'Out of STREAMS resources (STREAMS is not used by Linux).' },
  ERFKILL: { meaning: 'Operation not possible due to RF-kill: the wireless radio is switched off.', fixes: ['`rfkill list`, `rfkill unblock`.'] },
  EHWPOISON: { meaning: 'A memory page has a hardware error.' },
  EOVERFLOW: { meaning: 'A value is too large for the data type (e.g. a 32-bit program seeing 64-bit sizes).' },
  ERANGE: { meaning: 'Result too large for the buffer or type (e.g. a getsockopt buffer too small on some options).' },
  EEXIST: { meaning: 'The file exists: for sockets, bind() of a Unix socket to a path that already exists (a stale socket file).', fixes: ['unlink() the stale socket path before bind() (after checking no server uses it).'] },
  ENAMETOOLONG: { meaning: 'Name too long: a Unix socket path longer than 107 bytes (sun_path is 108).', fixes: ['Use a shorter path, or an abstract socket name (leading NUL).'] },
  EROFS: { meaning: 'Read-only file system: e.g. creating a Unix socket on a read-only mount.' },
  ENOSPC: { meaning: 'No space left on device (for sockets: Unix socket file creation, or inotify/epoll watch limits).' },
  EDQUOT: { meaning: 'Disk quota exceeded.' },
  ELOOP: { meaning: 'Too many symbolic links while resolving a path (Unix socket path).' },
  ETIME: { meaning: 'Timer expired (STREAMS; also some drivers and io_uring timeouts).' },
  ENOLINK: { meaning: 'Link has been severed (remote filesystem or device).' },
  EREMOTEIO: { meaning: 'Remote I/O error.' },
  ENOKEY: { meaning: 'Required key not available (kernel keyring; kTLS/IPsec key missing).' },
  EKEYEXPIRED: { meaning: 'Key has expired (kernel keyring).' },
  EKEYREJECTED: { meaning: 'Key was rejected by service (kernel keyring).' },
  EKEYREVOKED: { meaning: 'Key has been revoked (kernel keyring).' },
  EBADMSG: { meaning: 'Not a data message / bad message (e.g. kTLS record with a bad authentication tag).' },
  EDEADLK: { meaning: 'A resource deadlock would occur (file locks).' },
  ENOLCK: { meaning: 'No record locks available.' },
  ENOTEMPTY: { meaning: 'Directory not empty.' },
  ENOTDIR: { meaning: 'A path component is not a directory.' },
  EISDIR: { meaning: 'The path is a directory.' },
  EXDEV: { meaning: 'Cross-device link (rename/link across filesystems).' },
  ENOTTY: { meaning: 'Inappropriate ioctl for device: the ioctl is not supported by this file type (e.g. a terminal ioctl on a socket).' },
  ETXTBSY: { meaning: 'Text file busy: the executable is being written.' },
  EFBIG: { meaning: 'File too large.' },
  ESPIPE: { meaning: 'Illegal seek: lseek() on a socket or pipe.' },
  EMLINK: { meaning: 'Too many links.' },
  EDOM: { meaning: 'Numerical argument out of domain (maths functions).' },
  EIO: { meaning: 'Input/output error from a device.' },
  E2BIG: { meaning: 'Argument list too long (exec).' },
  ENOEXEC: { meaning: 'Exec format error.' },
  ECHILD: { meaning: 'No child processes (wait() with none to wait for).' },
  ENOTBLK: { meaning: 'Block device required.' },
  EILSEQ: { meaning: 'Invalid or incomplete multibyte or wide character.' },
  EUSERS: { meaning: 'Too many users.' },
  ESTALE: { meaning: 'Stale file handle (NFS).' },
  EOWNERDEAD: { meaning: 'The owner of a robust mutex died.' },
  ENOTRECOVERABLE: { meaning: 'The state protected by a robust mutex is not recoverable.' },
  EIDRM: { meaning: 'Identifier removed (System V IPC).' },
  ENOMSG: { meaning: 'No message of desired type (System V message queues).' },
  ENODATA: { meaning: 'No data available (e.g. no such extended attribute).' },
  ENOMEDIUM: { meaning: 'No medium found.' },
  EMEDIUMTYPE: { meaning: 'Wrong medium type.' },
  EUCLEAN: { meaning: 'Structure needs cleaning (filesystem corruption).' },
  EMULTIHOP: { meaning: 'Multihop attempted (RFS; unused).' },
  EREMOTE: { meaning: 'Object is remote.' },
  // BSD / macOS-only codes
  EQFULL: {
    meaning: 'macOS: the network interface\'s output queue is full; send()/sendto() on a UDP (or raw) socket is refused for now (Linux would report ENOBUFS or drop silently).',
    calls: ['send', 'sendto'],
    causes: ['Sending datagrams faster than the interface (often Wi-Fi) drains them.'],
    fixes: ['Pace the sender and retry after a short delay; treat it like EAGAIN/ENOBUFS.'],
  },
  EDOOFUS: { meaning: 'FreeBSD: a programming error was detected (an API used the wrong way).' },
  ECAPMODE: { meaning: 'FreeBSD: the call is not permitted in Capsicum capability mode (e.g. connect() by address after cap_enter()).' },
  ENOTCAPABLE: { meaning: 'FreeBSD: the descriptor lacks the Capsicum right the operation needs.' },
  // Winsock-only codes
  WSANOTINITIALISED: {
    meaning: 'Winsock was not initialised: the program called a socket function before WSAStartup() succeeded (or after WSACleanup()).',
    causes: ['Missing WSAStartup(MAKEWORD(2, 2), &wsa) at program start; a DLL calling sockets before the host initialised Winsock.'],
    fixes: ['Call WSAStartup once before any socket call and WSACleanup once at exit.'],
  },
  WSAEINPROGRESS: {
    // Winsock numbers BSD's EINPROGRESS (10000 + 36) but gives it another meaning; connect() documents WSAEWOULDBLOCK
    // for a non-blocking connect that has not completed (learn.microsoft.com, winsock connect function).
    meaning: 'Windows: a blocking Winsock call is already running in this thread (Winsock 1.1 allows one at a time), or the service provider is still processing a callback. It is not what a non-blocking connect() returns on Windows: that is WSAEWOULDBLOCK (10035). It shares the BSD number of EINPROGRESS but not its meaning.',
    calls: ['any Winsock call while a blocking one runs'],
    causes: ['A Winsock 1.1 program (or a blocking hook / window message handler) calling a socket function while another blocking call of the same thread has not returned.'],
    fixes: ['Make one blocking call per thread at a time, or use non-blocking sockets / overlapped I/O.', 'For a non-blocking connect() on Windows, expect WSAEWOULDBLOCK and wait for writability (see `sockscope errno WSAEWOULDBLOCK`).'],
  },
  WSASYSNOTREADY: { meaning: 'The network subsystem is not ready: Winsock could not start (broken Winsock catalog or network stack).', fixes: ['`netsh winsock reset` and reboot.'] },
  WSAVERNOTSUPPORTED: { meaning: 'The Winsock version asked for in WSAStartup is not supported.', fixes: ['Request version 2.2: MAKEWORD(2, 2).'] },
  WSAEDISCON: { meaning: 'The peer started a graceful shutdown (message-oriented protocols): WSARecv returns it instead of 0.' },
  WSA_IO_PENDING: {
    meaning: 'An overlapped (asynchronous) operation was started and will complete later. Not a failure.',
    fixes: ['Wait for completion (GetQueuedCompletionStatus, WSAGetOverlappedResult or the event).'],
  },
  WSA_IO_INCOMPLETE: { meaning: 'WSAGetOverlappedResult was called with fWait=FALSE and the overlapped operation has not finished yet.' },
  WSA_OPERATION_ABORTED: { meaning: 'An overlapped operation was cancelled because the socket was closed or CancelIo was called (thread exit can also abort it).' },
  WSAHOST_NOT_FOUND: {
    meaning: 'Name resolution failed: the host name does not exist (authoritative answer, like EAI_NONAME).',
    causes: ['A typo in the host name; a missing DNS record; a search domain not applied.'],
    fixes: ['Check with `nslookup NAME`; use the fully qualified name.'],
  },
  WSATRY_AGAIN: { meaning: 'Temporary name resolution failure (no answer from an authoritative server, like EAI_AGAIN).', fixes: ['Retry later; check the DNS servers.'] },
  WSANO_RECOVERY: { meaning: 'Non-recoverable name resolution failure (like EAI_FAIL).' },
  WSANO_DATA: { meaning: 'The name exists but has no record of the requested type (e.g. no AAAA record), like EAI_NODATA.' },
};

/** A code of the kernel's include/linux/errno.h: used inside the kernel, never meant for programs. */
export interface KernelInternalCode {
  name: string;
  number: number;
  /** The header's comment, or what the code stands for. */
  message: string;
  meaning: string;
  /** What strace prints after the name when it shows the code at syscall exit. */
  strace?: string;
}

const NFS = 'An NFS protocol status used inside the kernel\'s NFS client and server; translated to a standard errno before a program sees it.';

/**
 * include/linux/errno.h (Linux 6.x): 512-531, above the uapi errnos. A program never gets them: the ERESTART*
 * codes become a restarted call or EINTR on the way out of the syscall, the others are translated. strace shows
 * the ERESTART* codes at syscall exit (with the texts below, checked in test/knowledge/errno-extra-codes), ftrace's
 * syscall exit events and kernel logs show any of them as -N, and a leaked one prints as "Unknown error N".
 */
export const KERNEL_INTERNAL_ERRNOS: readonly KernelInternalCode[] = [
  { name: 'ERESTARTSYS', number: 512, message: 'Restart the system call if the handler has SA_RESTART', strace: 'To be restarted if SA_RESTART is set',
    meaning: 'A blocking call (accept, recv, connect, read, wait...) was interrupted by a signal. After the handler the kernel restarts the call if the handler was installed with SA_RESTART (or no handler ran); otherwise the program sees EINTR.' },
  { name: 'ERESTARTNOINTR', number: 513, message: 'Restart the system call whatever the handler', strace: 'To be restarted',
    meaning: 'A call interrupted by a signal that the kernel always restarts after the handler, SA_RESTART or not (fork, clone, some internal waits).' },
  { name: 'ERESTARTNOHAND', number: 514, message: 'Restart the system call if no handler ran', strace: 'To be restarted if no handler',
    meaning: 'A call interrupted by a signal (select, pselect, ppoll, pause): restarted if no handler ran, otherwise the program sees EINTR whatever SA_RESTART says.' },
  { name: 'ENOIOCTLCMD', number: 515, message: 'No ioctl command',
    meaning: 'A driver or protocol does not implement the ioctl; the kernel returns ENOTTY (or EINVAL) to the program instead.' },
  { name: 'ERESTART_RESTARTBLOCK', number: 516, message: 'Restart through restart_syscall() if no handler ran', strace: 'Interrupted by signal',
    meaning: 'A call that can be resumed with its time left (poll, nanosleep, clock_nanosleep, futex waits) was interrupted by a signal: restarted through restart_syscall() if no handler ran, otherwise the program sees EINTR.' },
  { name: 'EPROBE_DEFER', number: 517, message: 'Driver requests probe retry',
    meaning: 'A device driver\'s probe waits for another device (a clock, regulator, PHY or firmware) and will be retried. Seen in dmesg as error -517 and in /sys/kernel/debug/devices_deferred; a network interface that never appears can be stuck here.' },
  { name: 'EOPENSTALE', number: 518, message: 'open found a stale dentry', meaning: 'Internal to open() on network filesystems: the lookup is retried; a program sees ESTALE at worst.' },
  { name: 'ENOPARAM', number: 519, message: 'Parameter not supported', meaning: 'A filesystem does not know a mount parameter (the fs_context API); mount reports it as EINVAL with a message in the kernel log.' },
  { name: 'EBADHANDLE', number: 521, message: 'Illegal NFS file handle', meaning: NFS },
  { name: 'ENOTSYNC', number: 522, message: 'Update synchronization mismatch', meaning: NFS },
  { name: 'EBADCOOKIE', number: 523, message: 'Cookie is stale', meaning: NFS },
  { name: 'ENOTSUPP', number: 524, message: 'Operation is not supported',
    meaning: 'The kernel\'s internal "not supported" (two Ps: not ENOTSUP, which is EOPNOTSUPP 95). Some paths have let it leak, BPF attach and some driver ioctls most often (Node.js then says Unknown system error -524). Read it as EOPNOTSUPP; the leak is a kernel bug.' },
  { name: 'ETOOSMALL', number: 525, message: 'Buffer or request is too small', meaning: NFS },
  { name: 'ESERVERFAULT', number: 526, message: 'An untranslatable error occurred', meaning: NFS },
  { name: 'EBADTYPE', number: 527, message: 'Type not supported by server', meaning: NFS },
  { name: 'EJUKEBOX', number: 528, message: 'Request initiated, but will not complete before timeout', meaning: `${NFS} (The server is fetching the data from slow storage; the client retries.)` },
  { name: 'EIOCBQUEUED', number: 529, message: 'iocb queued, will get completion event', meaning: 'Internal to asynchronous I/O (aio, io_uring): the request was queued and completes later through the completion queue.' },
  { name: 'ERECALLCONFLICT', number: 530, message: 'conflict with recalled state', meaning: NFS },
  { name: 'ENOGRACE', number: 531, message: 'NFS file lock reclaim refused', meaning: NFS },
];

/** A getaddrinfo()/getnameinfo() return value (EAI_*): a resolver error, not an errno. */
export interface ResolverCode {
  name: string;
  /** glibc's value (negative); null: glibc does not define it. */
  glibc: number | null;
  freebsd: number | null;
  macos: number | null;
  /** The Winsock code the name stands for in ws2tcpip.h. */
  windows: string | null;
  /** libuv's UV_EAI_* (Node.js err.errno); null: libuv has none. */
  libuv: number | null;
  /** glibc's gai_strerror() text (the BSD text where glibc has none). */
  message: string;
  meaning: string;
  causes?: string[];
  fixes?: string[];
}

const RESOLVER = 'Resolver error (getaddrinfo), not an errno:';

/**
 * The EAI_* codes: glibc <netdb.h> (negative; EAI_NODATA, EAI_ADDRFAMILY and the getaddrinfo_a ones are GNU
 * extensions), FreeBSD/macOS <netdb.h> (KAME numbering; FreeBSD dropped ADDRFAMILY and NODATA), MinGW-w64
 * <ws2tcpip.h> (each is a WSA code) and libuv's UV_EAI_* (what Node.js puts in err.errno). Node.js calls EAI_NONAME and
 * EAI_NODATA 'ENOTFOUND' (lib/internal/errors.js dnsException). Checked against the C library, the headers, Node and
 * Python in test/knowledge/errno-extra-codes.
 */
export const RESOLVER_ERRORS: readonly ResolverCode[] = [
  { name: 'EAI_AGAIN', glibc: -3, freebsd: 2, macos: 2, windows: 'WSATRY_AGAIN', libuv: -3001, message: 'Temporary failure in name resolution',
    meaning: `${RESOLVER} the name could not be resolved now: no DNS server answered in time, or one answered SERVFAIL. The same lookup may work later.`,
    causes: [
      'No nameserver reachable: /etc/resolv.conf names a server that is down or unreachable (a container or namespace without network, a VPN that is down).',
      'The DNS server timed out or answered SERVFAIL (upstream trouble, a DNSSEC failure).',
      'The local resolver (systemd-resolved on 127.0.0.53, dnsmasq, nscd) is not running.',
    ],
    fixes: [
      '`getent ahosts NAME` takes the same path as getaddrinfo; `resolvectl status` or /etc/resolv.conf names the servers; `dig @SERVER NAME` asks one directly.',
      'Retry with backoff and cache answers; `sockscope debug-connections --address NAME:PORT` shows the resolution time and error.',
    ] },
  { name: 'EAI_NONAME', glibc: -2, freebsd: 8, macos: 8, windows: 'WSAHOST_NOT_FOUND', libuv: -3008, message: 'Name or service not known',
    meaning: `${RESOLVER} the name (or the service) is not known: DNS answered that it does not exist (NXDOMAIN), or no source in /etc/nsswitch.conf has it. Node.js reports it as err.code 'ENOTFOUND' (err.errno -3008); macOS says "nodename nor servname provided, or not known".`,
    causes: [
      'A typo, or a name that exists only in another network\'s DNS (split horizon, a container network) or in another host\'s /etc/hosts.',
      'A short name whose search domain is not applied (search/ndots in /etc/resolv.conf).',
      'AI_NUMERICHOST with a name, or a service name missing from /etc/services.',
    ],
    fixes: ['`getent ahosts NAME`, `dig NAME`; check the search domains in /etc/resolv.conf.', 'Use the fully qualified name.'] },
  { name: 'EAI_NODATA', glibc: -5, freebsd: null, macos: 7, windows: 'WSANO_DATA', libuv: -3007, message: 'No address associated with hostname',
    meaning: `${RESOLVER} the name exists but has no address of the kind asked for (no A or AAAA record). Node.js reports it as err.code 'ENOTFOUND' (err.errno -3007). FreeBSD dropped this code (EAI_NONAME there).`,
    causes: ['The name has only an AAAA record and the lookup asked for IPv4 (or the other way round), or only MX/TXT records.'],
    fixes: ['`dig NAME A` and `dig NAME AAAA`; ask for AF_UNSPEC, or fix the record.'] },
  { name: 'EAI_FAIL', glibc: -4, freebsd: 4, macos: 4, windows: 'WSANO_RECOVERY', libuv: -3004, message: 'Non-recoverable failure in name resolution',
    meaning: `${RESOLVER} a non-recoverable failure: the DNS server refused the query (REFUSED) or answered something unusable. Retrying the same way will not help.`,
    fixes: ['`dig @SERVER NAME` and read the status; check the server\'s access rules for this client.'] },
  { name: 'EAI_FAMILY', glibc: -6, freebsd: 5, macos: 5, windows: 'WSAEAFNOSUPPORT', libuv: -3005, message: 'ai_family not supported',
    meaning: `${RESOLVER} the address family in the hints (ai_family) is not supported.` },
  { name: 'EAI_SOCKTYPE', glibc: -7, freebsd: 10, macos: 10, windows: 'WSAESOCKTNOSUPPORT', libuv: -3011, message: 'ai_socktype not supported',
    meaning: `${RESOLVER} the socket type in the hints (ai_socktype) is not supported.` },
  { name: 'EAI_SERVICE', glibc: -8, freebsd: 9, macos: 9, windows: 'WSATYPE_NOT_FOUND', libuv: -3010, message: 'Servname not supported for ai_socktype',
    meaning: `${RESOLVER} the service (a port name such as "http") is unknown for this socket type: not in /etc/services, or not defined for UDP/TCP.`,
    fixes: ['Pass a numeric port, or check /etc/services (`getent services NAME`).'] },
  { name: 'EAI_ADDRFAMILY', glibc: -9, freebsd: null, macos: 1, windows: null, libuv: -3000, message: 'Address family for hostname not supported',
    meaning: `${RESOLVER} the name has no address in the requested family (e.g. an IPv6-only lookup for a name with only A records, or AI_ADDRCONFIG filtering out every address). FreeBSD dropped this code.` },
  { name: 'EAI_MEMORY', glibc: -10, freebsd: 6, macos: 6, windows: 'WSA_NOT_ENOUGH_MEMORY', libuv: -3006, message: 'Memory allocation failure', meaning: `${RESOLVER} the resolver could not allocate memory.` },
  { name: 'EAI_SYSTEM', glibc: -11, freebsd: 11, macos: 11, windows: null, libuv: null, message: 'System error',
    meaning: `${RESOLVER} a system error; the real one is in errno (e.g. EMFILE: no descriptor left for the DNS socket). libuv and Node.js report that errno instead.` },
  { name: 'EAI_OVERFLOW', glibc: -12, freebsd: 14, macos: 14, windows: null, libuv: -3009, message: 'Argument buffer overflow',
    meaning: `${RESOLVER} an argument buffer was too small (getnameinfo\'s host or service buffer).` },
  { name: 'EAI_BADFLAGS', glibc: -1, freebsd: 3, macos: 3, windows: 'WSAEINVAL', libuv: -3002, message: 'Bad value for ai_flags', meaning: `${RESOLVER} invalid flags in the hints (ai_flags).` },
  { name: 'EAI_BADHINTS', glibc: null, freebsd: 12, macos: 12, windows: null, libuv: -3013, message: 'Invalid value for hints', meaning: `${RESOLVER} the hints structure is invalid (BSD, macOS and libuv; glibc has no such code).` },
  { name: 'EAI_PROTOCOL', glibc: null, freebsd: 13, macos: 13, windows: null, libuv: -3014, message: 'Resolved protocol is unknown', meaning: `${RESOLVER} the protocol in the hints (ai_protocol) is unknown (BSD, macOS and libuv; glibc has no such code).` },
  { name: 'EAI_INPROGRESS', glibc: -100, freebsd: null, macos: null, windows: null, libuv: null, message: 'Processing request in progress', meaning: `${RESOLVER} glibc getaddrinfo_a()/gai_error(): the asynchronous request has not finished yet.` },
  { name: 'EAI_CANCELED', glibc: -101, freebsd: null, macos: null, windows: null, libuv: -3003, message: 'Request canceled', meaning: `${RESOLVER} the request was cancelled (glibc gai_cancel(); libuv uv_cancel() on a pending lookup).` },
  { name: 'EAI_NOTCANCELED', glibc: -102, freebsd: null, macos: null, windows: null, libuv: null, message: 'Request not canceled', meaning: `${RESOLVER} glibc gai_cancel() could not cancel the request (it is already running).` },
  { name: 'EAI_ALLDONE', glibc: -103, freebsd: null, macos: null, windows: null, libuv: null, message: 'All requests done', meaning: `${RESOLVER} glibc gai_cancel(): the request had already finished.` },
  { name: 'EAI_INTR', glibc: -104, freebsd: null, macos: null, windows: null, libuv: null, message: 'Interrupted by a signal', meaning: `${RESOLVER} glibc gai_suspend() was interrupted by a signal.` },
  { name: 'EAI_IDN_ENCODE', glibc: -105, freebsd: null, macos: null, windows: null, libuv: null, message: 'Parameter string not correctly encoded', meaning: `${RESOLVER} glibc could not convert an internationalised name (AI_IDN) to its ASCII form.` },
];

/**
 * libuv's UV_E* numbers on Windows (include/uv/errno.h: the `#else` value each code takes under _WIN32, where libuv
 * does not use the system errno): what Node.js puts in err.errno on Windows (on Linux and macOS err.errno is the
 * negated errno, -104 for ECONNRESET). Keyed by err.code, which is the errno name (ENOTSUP is Linux's EOPNOTSUPP).
 * ECHARSET has no errno: see LIBUV_OWN_CODES.
 */
export const LIBUV_WINDOWS_ERRNOS: Readonly<Record<string, number>> = {
  E2BIG: -4093, EACCES: -4092, EADDRINUSE: -4091, EADDRNOTAVAIL: -4090, EAFNOSUPPORT: -4089, EAGAIN: -4088,
  EALREADY: -4084, EBADF: -4083, EBUSY: -4082, ECANCELED: -4081, ECHARSET: -4080, ECONNABORTED: -4079,
  ECONNREFUSED: -4078, ECONNRESET: -4077, EDESTADDRREQ: -4076, EEXIST: -4075, EFAULT: -4074, EHOSTUNREACH: -4073,
  EINTR: -4072, EINVAL: -4071, EIO: -4070, EISCONN: -4069, EISDIR: -4068, ELOOP: -4067, EMFILE: -4066,
  EMSGSIZE: -4065, ENAMETOOLONG: -4064, ENETDOWN: -4063, ENETUNREACH: -4062, ENFILE: -4061, ENOBUFS: -4060,
  ENODEV: -4059, ENOENT: -4058, ENOMEM: -4057, ENONET: -4056, ENOSPC: -4055, ENOSYS: -4054, ENOTCONN: -4053,
  ENOTDIR: -4052, ENOTEMPTY: -4051, ENOTSOCK: -4050, ENOTSUP: -4049, EPERM: -4048, EPIPE: -4047, EPROTO: -4046,
  EPROTONOSUPPORT: -4045, EPROTOTYPE: -4044, EROFS: -4043, ESHUTDOWN: -4042, ESPIPE: -4041, ESRCH: -4040,
  ETIMEDOUT: -4039, ETXTBSY: -4038, EXDEV: -4037, EFBIG: -4036, ENOPROTOOPT: -4035, ERANGE: -4034, ENXIO: -4033,
  EMLINK: -4032, EHOSTDOWN: -4031, EREMOTEIO: -4030, ENOTTY: -4029, EFTYPE: -4028, EILSEQ: -4027, EOVERFLOW: -4026,
  ESOCKTNOSUPPORT: -4025, ENODATA: -4024, EUNATCH: -4023, ENOEXEC: -4022,
};

/** libuv codes that are no platform's errno (the same number on every platform; ECHARSET only on Windows): what Node.js err.code says for them. */
export const LIBUV_OWN_CODES: readonly { name: string; number: number; meaning: string }[] = [
  { name: 'EOF', number: -4095, meaning: 'end of file: the peer closed the stream (Node.js normally turns it into an \'end\' event, not an error)' },
  { name: 'UNKNOWN', number: -4094, meaning: 'an error libuv has no name for (Node.js err.code \'UNKNOWN\'); the system\'s own code is lost' },
  { name: 'ECHARSET', number: -4080, meaning: 'invalid Unicode character (Windows only: a name that cannot be converted to UTF-16)' },
];

/** Node.js err.code names that stand for a resolver error (dns.lookup); ENOTFOUND covers EAI_NODATA too. */
export const NODE_RESOLVER_CODES: Readonly<Record<string, string>> = { ENOTFOUND: 'EAI_NONAME' };

/** Meanings shared by groups of rarely seen errors (obsolete subsystems and device errors). */
const GROUP_MEANINGS: { names: string[]; meaning: string }[] = [
  { names: ['ECHRNG', 'EL2NSYNC', 'EL3HLT', 'EL3RST', 'ELNRNG', 'EUNATCH', 'ENOCSI', 'EL2HLT', 'EBADE', 'EBADR', 'EXFULL', 'ENOANO', 'EBADRQC', 'EBADSLT', 'EBFONT'],
    meaning: 'A legacy channel/stream driver error from early Linux ports (ISDN and similar); not produced by the socket layer.' },
  { names: ['ENOSTR', 'ENONET', 'ENOPKG', 'EADV', 'ESRMNT', 'ECOMM', 'EDOTDOT'],
    meaning: 'A System V STREAMS / RFS (remote file sharing) error kept for compatibility; Linux sockets do not return it.' },
  { names: ['ELIBACC', 'ELIBBAD', 'ELIBSCN', 'ELIBMAX', 'ELIBEXEC'], meaning: 'A shared library loading error (a.out-era uselib()); unrelated to sockets.' },
  { names: ['ENOTNAM', 'ENAVAIL', 'EISNAM'], meaning: 'A XENIX named-file error; not used by modern Linux.' },
  { names: ['ERESTART', 'ESTRPIPE'], meaning: 'Internal restart indications (ERESTART: interrupted system call should be restarted; ESTRPIPE: streams pipe error in ALSA).' },
];

/** The note for a name: hand-written, group meaning, or generic text from the message. */
export function noteFor(name: string, message: string): ErrnoNote & { socketRelevant: boolean } {
  const n = ERRNO_NOTES[name];
  if (n) return { ...n, socketRelevant: Boolean(n.causes || n.fixes || n.calls) };
  const g = GROUP_MEANINGS.find((x) => x.names.includes(name));
  if (g) return { meaning: g.meaning, socketRelevant: false };
  if (name.startsWith('WSA')) return { meaning: `${message} (Winsock-specific code).`, socketRelevant: false };
  return { meaning: `${message}. Not one of the errors socket calls usually return.`, socketRelevant: false };
}
