// Pure interpretation of one socket's option values: what each value means and what is unusual about it (e.g. a
// fixed SO_RCVBUF that turns autotuning off), with the other platforms' notes from the option reference. The report
// over a whole inspection is interpret-options-report.ts; the TCP options that depend on history, -tcp.ts; the
// socket kinds, socket-kind.ts; pending errors and unanswered SYNs, -errors.ts.
import { fmtBytes } from '../advise/format.js';
import { acceptQueueIsFull } from '../advise/rules/accept-queue.js';
import { escapeControl } from '../model/escape.js';
import { matchOption, type SocketOptionInfo } from './socket-options.js';
import { bufferVerdict, type TcpFacts } from './interpret-option-buffers.js';
import { keepCount, maxSeg, seconds, windowClamp } from './interpret-options-tcp.js';
import type { Sysctls } from '../model/snapshot.js';
import { hopLimit } from './interpret-options-hop-limit.js';
import { linuxErrnoName, pendingError, synSentInfo } from './interpret-options-errors.js';
import { domainOf, FAMILIES, isPingSocket, KIND_NUMBERS, portless, protocolName, typeKind, TYPES, type KindNumbers } from './socket-kind.js';

export { buildOptionsReport, kernelViewFindings, nothingUnusualLine, readingLabel } from './interpret-options-report.js';
export type { InspectionLike, KernelViewLike, OptionReportRow } from './interpret-options-report.js';
export { isPingSocket, KIND_NUMBERS, protocolName, type KindNumbers } from './socket-kind.js';

/** The inputs the interpretation needs (a subset of the getsockopt helper's InspectResult). */
export interface OptionContext {
  /** SO_DOMAIN, SO_TYPE and SO_PROTOCOL as read with the socket's kind, when getsockopt read the socket. */
  [KIND_NUMBERS]?: KindNumbers;
  state?: string;
  family?: string;
  /** stream, dgram, seqpacket... (SocketKind type). */
  type?: string;
  protocol?: string;
  local?: string;
  peer?: string;
  sysctls: Sysctls;
  extraSysctls: Record<string, string | null>;
  /** All values read, by option name (so one option's meaning can depend on another's). */
  values: Record<string, unknown>;
  /** O_NONBLOCK, when known. */
  nonblock?: boolean;
  /** tcp_info facts (getsockopt TCP_INFO, else the kernel view's tcp_info). */
  tcp?: TcpFacts;
  /** The kernel release (uname -r): packets out of order grow the receive buffer on 6.16+ only (interpret-option-buffers.ts ofoGrows). */
  kernel?: string;
  /**
   * The IPv4 listeners on the socket's port and protocol ("0.0.0.0:80", "127.0.0.1:80"), when the caller
   * looked (empty: none); undefined when it did not. An IPv6-only [::] listener beside 0.0.0.0:P is the usual
   * two-socket setup, not a finding; beside specific addresses only, IPv4 clients of the other addresses are refused.
   */
  ipv4Listeners?: readonly string[];
  /** The option read in the place of the one named (IPV6_UNICAST_HOPS for IP_TTL on an AF_INET6 socket), when one was. */
  readAs?: string;
}

export interface OptionInterpretation {
  name: string;
  /** The value as a person reads it ("524288 bytes (512 KiB)", "on", "{on, 5 s}"). */
  display: string;
  /** What this value means for the socket. */
  meaning: string;
  /** Set when the value is unusual and worth a look. */
  unusual?: string;
  /** FreeBSD/macOS/Windows notes from the reference. */
  platformNotes: string[];
  summary?: string;
}

interface Linger {
  onoff: boolean;
  seconds: number;
}
interface Timeval {
  seconds: number;
  micros: number;
}

/** Formats a decoded value for display. */
export function displayValue(name: string, v: unknown, info?: SocketOptionInfo, c?: Pick<OptionContext, 'family' | 'values' | typeof KIND_NUMBERS>): string {
  if (v === undefined) return '-';
  if (typeof v === 'boolean') return v ? 'on (1)' : 'off (0)';
  // Interface and congestion-control names come from the system: escaped for the terminal (JSON.stringify left DEL and C1 raw).
  if (typeof v === 'string') return v === '' ? '(none)' : escapeControl(v);
  if (typeof v === 'number') {
    if (name === 'SO_DOMAIN') return `${v} (${FAMILIES[v] ?? 'unknown'})`;
    if (name === 'SO_TYPE') return `${v} (${TYPES[v] ?? 'unknown'})`;
    if (name === 'SO_PROTOCOL') {
      const n = protocolName(v, c);
      // Not an IP or netlink socket (AF_PACKET...): the number is that family's own, without names here.
      return n ? `${v} (${n})` : c?.family === 'other' ? String(v) : `${v} (unknown)`;
    }
    if (name === 'SO_ERROR' && v !== 0) return `${v}${linuxErrnoName(v) ? ` (${linuxErrnoName(v)})` : ''}`;
    if (name === 'SO_MARK') return `${v} (0x${v.toString(16)})`;
    if (name === 'IP_TOS') return `${v} (0x${v.toString(16)}, DSCP ${v >> 2}, ECN ${v & 3})`;
    if (name === 'TCP_NOTSENT_LOWAT' && v === 0xffffffff) return `${v} (unlimited)`;
    const unit = info?.unit;
    if (unit === 'bytes') return v >= 1024 ? `${v} bytes (${fmtBytes(v)})` : `${v} byte${v === 1 ? '' : 's'}`;
    if (unit === 'seconds') return seconds(v);
    if (unit === 'ms') return `${v} ms`;
    if (unit === 'us') return `${v} us`;
    return String(v);
  }
  if (typeof v === 'object' && v) {
    if ('onoff' in v) {
      const l = v as Linger;
      return `{l_onoff: ${l.onoff ? 1 : 0}, l_linger: ${l.seconds} s}`;
    }
    if ('micros' in v) {
      const t = v as Timeval;
      return t.seconds === 0 && t.micros === 0 ? '0 (none)' : `${t.seconds + t.micros / 1e6} s`;
    }
    if ('caState' in v) {
      const t = v as unknown as { state: string; rttUs: number; rttVarUs: number; sndCwnd: number; totalRetrans: number; unacked: number; sacked: number; sndMss: number };
      if (t.state === 'LISTEN') return `state LISTEN, accept queue ${t.unacked}/${t.sacked}`;
      // tcpi_rtt stays 0 until the first RTT sample (the SYN-ACK for a client): rttvar then holds the initial 250 ms, not a measurement.
      const rtt = t.rttUs === 0 ? 'rtt no sample yet' : `rtt ${(t.rttUs / 1000).toFixed(3)}/${(t.rttVarUs / 1000).toFixed(3)} ms`;
      return `state ${t.state}, ${rtt}, cwnd ${t.sndCwnd}, mss ${t.sndMss}, retrans total ${t.totalRetrans}`;
    }
  }
  return JSON.stringify(v);
}

function platformNotes(info: SocketOptionInfo | undefined): string[] {
  if (!info) return [];
  const out: string[] = [];
  const label = { freebsd: 'FreeBSD', macos: 'macOS', windows: 'Windows' } as const;
  for (const p of ['freebsd', 'macos', 'windows'] as const) {
    const f = info.platforms[p];
    const name = f.name === null ? 'no equivalent' : f.name === info.name ? '' : f.name;
    const text = [name, f.note].filter(Boolean).join(': ');
    if (text) out.push(`${label[p]}: ${text}`);
  }
  return out;
}

function meaningOf(name: string, v: unknown, c: OptionContext): { meaning: string; unusual?: string } {
  const on = v === true;
  // SO_KEEPALIVE may not have been read (--options TCP_KEEPIDLE, or the fallback without a keepalive timer): unknown, not off.
  const keepalive = c.values.SO_KEEPALIVE === true;
  const keepaliveUnknown = typeof c.values.SO_KEEPALIVE !== 'boolean';
  // Most SOL_SOCKET options below are about TCP/IP; on a unix socket Linux accepts them and ignores them.
  const unix = c.family === 'unix';
  switch (name) {
    case 'SO_TYPE':
      return { meaning: typeKind(v as number, c) };
    case 'SO_DOMAIN':
      return { meaning: v === 10 ? 'IPv6 socket (may also carry IPv4 unless IPV6_V6ONLY)' : v === 2 ? 'IPv4 socket' : v === 1 ? 'unix domain socket' : v === 16 ? 'netlink socket: talks to the kernel (routes, addresses, socket dumps...), no network traffic' : v === 17 ? 'packet socket: sends and receives whole link-layer frames (tcpdump, DHCP clients)' : `family ${v}` };
    case 'SO_PROTOCOL':
      if (domainOf(c) === 16 || (c.family === 'other' && protocolName(v as number, c))) return { meaning: `netlink family ${protocolName(v as number, c) ?? v}` };
      if (isPingSocket(c)) return { meaning: `ICMP ping socket (${protocolName(v as number, c)}): sends echo requests and receives the replies to its echo identifier, no raw access (allowed by net.ipv4.ping_group_range)` };
      return { meaning: v === 262 ? 'Multipath TCP' : c.type === 'raw' && c.family !== 'other' ? `raw socket: sends and receives whole ${protocolName(v as number, c) ?? `protocol ${v}`} packets (no ports)` : `protocol ${protocolName(v as number, c) ?? v}` };
    case 'SO_ACCEPTCONN':
      return { meaning: on ? 'listening: accept() takes connections from its queue' : 'not listening' };
    case 'SO_ERROR':
      return v === 0 ? { meaning: 'no pending error (reading it cleared nothing)' } : pendingError(v as number, c);
    case 'SO_REUSEADDR':
      if (unix) return { meaning: 'no effect on a unix socket: bind() to a path that exists fails with EADDRINUSE until the file is removed' };
      // inet_create sets it on every raw IP socket (INET_PROTOSW_REUSE): read 1 with nothing set.
      if (portless(c)) return { meaning: `no effect here: a raw, packet or netlink socket has no port to share${on && c.type === 'raw' && c.family !== 'other' ? ' (Linux sets it on every raw IP socket)' : ''}` };
      // And on every ping socket; ping_get_port refuses an echo identifier another ping socket holds only when one of
      // the two cleared it (measured on 6.18: two ping sockets bound 127.0.0.1:4242; a third with it cleared, EADDRINUSE).
      if (isPingSocket(c)) return { meaning: on ? 'other ping sockets may bind the same ICMP echo identifier (Linux sets it on every ping socket; TIME_WAIT plays no part)' : 'bind() of an ICMP echo identifier another ping socket holds fails with EADDRINUSE (cleared: Linux sets it on every ping socket)' };
      if (c.protocol === 'udp') return { meaning: on ? 'other sockets that also set it may bind the same address and port (e.g. several multicast receivers)' : 'bind() of an address and port another socket holds fails with EADDRINUSE' };
      return { meaning: on ? 'bind() may take this port while TIME_WAIT sockets still hold it (a restart binds at once)' : 'bind() of this address fails with EADDRINUSE while TIME_WAIT sockets hold the port' };
    case 'SO_REUSEPORT':
      // Measured on 6.18: setsockopt(SO_REUSEPORT, 1) on a unix socket fails with EOPNOTSUPP.
      if (unix) return { meaning: 'not used by unix sockets' };
      if (portless(c)) return { meaning: 'no effect here: a raw, packet or netlink socket has no port to share' };
      if (isPingSocket(c)) return { meaning: 'no effect on a ping socket: whether it may share an ICMP echo identifier is SO_REUSEADDR\'s (ping_get_port)' };
      return {
        meaning: on ? 'other sockets of the same user may bind the same address and port; Linux spreads new connections across them' : 'no other socket may share this address and port',
        ...(on && c.state === 'LISTEN' ? { unusual: 'SO_REUSEPORT is on: this may be one of several listeners sharing the port (check with sockscope analyze --port); each has its own accept queue' } : {}),
      };
    case 'SO_KEEPALIVE': {
      // A unix socket accepts the flag (measured: reads back 1) but has no probes: a peer that exits closes it at once.
      if (unix) return { meaning: 'no effect on a unix socket: there are no probes, and the peer\'s exit is seen at once (EOF)' };
      if (!on) {
        const idle = c.state === 'ESTABLISHED' && c.protocol === 'tcp';
        return { meaning: 'no keepalive probes: a peer that vanishes silently is noticed only when this side sends', ...(idle ? { unusual: 'SO_KEEPALIVE is off on an established connection: a dead peer or a NAT that dropped the flow goes unnoticed while idle' } : {}) };
      }
      return { meaning: 'idle connections are probed (after TCP_KEEPIDLE, then every TCP_KEEPINTVL, TCP_KEEPCNT times)' };
    }
    case 'SO_RCVBUF':
      return bufferVerdict('rcv', v as number, c);
    case 'SO_SNDBUF':
      return bufferVerdict('snd', v as number, c);
    case 'SO_RCVLOWAT':
      // Linux honours it in poll/epoll only for TCP. Measured by the review (s11 item 10): with 100 set and 10 bytes
      // queued, poll() reported POLLIN at once on UDP and on a unix socketpair, not on TCP; a blocking recv() on a
      // unix stream socket still waited for 100 bytes (measured here), UDP returned the 10-byte datagram at once.
      if (v === 1) return { meaning: 'a read wakes up as soon as 1 byte is there (default)' };
      if (c.protocol === 'tcp') return { meaning: `reads and poll wait until ${v} bytes are queued`, unusual: `SO_RCVLOWAT is ${v}: poll() reports readable only with ${v} bytes queued` };
      if (unix && c.type === 'stream') return { meaning: `a blocking read waits for ${v} bytes, but poll() and epoll report readable as soon as any data is queued (Linux honours it in poll for TCP only)` };
      if (c.type === 'dgram' || c.protocol === 'udp' || unix) return { meaning: `no effect here: a datagram is readable, and read, as soon as it arrives (Linux honours SO_RCVLOWAT for TCP and stream reads only)` };
      return { meaning: `reads wait until ${v} bytes are queued (for TCP also poll)` };
    case 'SO_SNDLOWAT':
      return { meaning: 'fixed at 1 on Linux (cannot be changed)' };
    case 'SO_LINGER': {
      // Measured on 6.18 (review s11 item 3): with {1, 2} and 98 KB queued to a peer that does not read, close() took
      // 2.0 s on a blocking AND on an O_NONBLOCK fd (inet_release ignores O_NONBLOCK), then the socket stayed in
      // FIN-WAIT-1 still sending: no reset (that is Windows). A listener's close() does not linger (measured 0 s), and
      // unix sockets ignore it (their data is already in the peer's queue).
      const l = v as Linger;
      if (c.family === 'unix') return { meaning: 'no effect on a unix socket: written data is already in the peer\'s queue, and close() never waits' };
      if (!l.onoff) return { meaning: 'close() returns at once; the kernel sends unsent data and closes gracefully (FIN) in the background' };
      if (c.state === 'LISTEN') return { meaning: `a listener's own close() does not linger; the connections it accepts inherit {${l.onoff ? 1 : 0}, ${l.seconds}}`, unusual: l.seconds === 0 ? 'SO_LINGER {1, 0} on a listener: every accepted connection inherits it, so each close() there is an abortive reset (RST, unsent data lost)' : `SO_LINGER {1, ${l.seconds}} on a listener: every accepted connection inherits it, so each close() there can block for up to ${l.seconds} s` };
      if (l.seconds === 0) return { meaning: 'close() discards unsent data and resets the connection (RST): no TIME_WAIT, but the peer sees ECONNRESET', unusual: 'SO_LINGER {1, 0}: every close() is an abortive reset; the peer gets "connection reset by peer" and unsent data is lost' };
      return {
        meaning: `close() blocks until unsent data is acknowledged or ${l.seconds} s pass${c.nonblock ? ', even on this non-blocking fd (Linux ignores O_NONBLOCK here)' : ''}; after the time the kernel goes on sending and closes gracefully in the background (no reset on Linux)`,
        unusual: `SO_LINGER {1, ${l.seconds}}: close() can block the calling thread for up to ${l.seconds} s${c.nonblock ? ', although the fd is O_NONBLOCK' : ''}`,
      };
    }
    case 'SO_RCVTIMEO':
    case 'SO_SNDTIMEO':
    case 'SO_RCVTIMEO_NEW':
    case 'SO_SNDTIMEO_NEW': {
      const t = v as Timeval;
      const what = name.startsWith('SO_RCVTIMEO') ? 'reads' : 'writes';
      if (t.seconds === 0 && t.micros === 0) return { meaning: `blocking ${what} wait as long as needed (no timeout)` };
      return { meaning: `blocking ${what} fail with EAGAIN after ${t.seconds + t.micros / 1e6} s${c.nonblock ? ' (irrelevant: the fd is O_NONBLOCK)' : ''}` };
    }
    case 'SO_BROADCAST':
      if (unix) return { meaning: 'no effect on a unix socket' };
      return { meaning: on ? 'may send to broadcast addresses' : 'sending to a broadcast address fails with EACCES' };
    case 'SO_BINDTODEVICE':
      return v === '' ? { meaning: 'not tied to an interface' } : { meaning: `sends and receives only through interface ${v}`, unusual: `bound to device ${v} (SO_BINDTODEVICE): traffic on other interfaces is ignored` };
    case 'SO_BINDTOIFINDEX':
      // Read as itself when asked for by name (optionToRead): the index of the SO_BINDTODEVICE binding.
      return v === 0 ? { meaning: 'not bound to an interface' } : { meaning: `bound to the interface with index ${v} (ip -o link)${typeof c.values.SO_BINDTODEVICE === 'string' && c.values.SO_BINDTODEVICE ? `: ${c.values.SO_BINDTODEVICE}` : ''}` };
    case 'SO_MARK':
      return v === 0 ? { meaning: 'no firewall mark' } : { meaning: `packets carry fwmark 0x${(v as number).toString(16)} (policy routing, netfilter)`, unusual: `SO_MARK 0x${(v as number).toString(16)}: routing or firewall rules may treat this socket's packets specially (ip rule, iptables -m mark)` };
    case 'SO_PRIORITY':
      return v === 0 ? { meaning: 'default queueing priority' } : { meaning: `queueing discipline priority ${v} (skb->priority)` };
    case 'SO_INCOMING_CPU':
      return v === -1 ? { meaning: 'no packet received yet, so no CPU recorded' } : { meaning: `the last packets for this socket were processed on CPU ${v}` };
    case 'SO_BUSY_POLL':
      return v === 0 ? { meaning: 'no busy polling (reads sleep until an interrupt)' } : { meaning: `blocking reads busy-poll the device queue for ${v} us before sleeping (lower latency, more CPU)` };
    case 'TCP_NODELAY':
      return { meaning: on ? "Nagle's algorithm off: small writes go out at once" : "Nagle's algorithm on: a small write waits while earlier data is unacknowledged (up to ~40 ms with delayed ACKs on the peer)" };
    case 'TCP_CORK':
      return on ? { meaning: 'partial segments are held until uncorked (or 200 ms)', unusual: 'TCP_CORK is on: small writes are held back until the application uncorks (or 200 ms pass)' } : { meaning: 'not corked: data is sent as the rules of Nagle/TCP_NODELAY allow' };
    case 'TCP_QUICKACK':
      return { meaning: on ? 'ACKs are sent at once (quick-ack mode; the kernel leaves it by itself, so this is a momentary state)' : 'delayed ACKs (interactive mode)' };
    case 'TCP_KEEPIDLE': {
      const sys = c.extraSysctls['net.ipv4.tcp_keepalive_time'];
      const m = `first keepalive probe after ${seconds(v as number)} idle${keepalive ? '' : keepaliveUnknown ? ' (if SO_KEEPALIVE is on: it was not read)' : ' (unused: SO_KEEPALIVE is off)'}`;
      if (keepalive && (v as number) >= 3600) return { meaning: m, unusual: `keepalive starts after ${seconds(v as number)}: NATs and firewalls often forget idle flows after 5-30 min; consider TCP_KEEPIDLE 60-300` };
      return { meaning: sys && String(v) === sys ? `${m}; the system default net.ipv4.tcp_keepalive_time` : m };
    }
    case 'TCP_KEEPINTVL':
      return { meaning: `${seconds(v as number)} between unanswered probes` };
    case 'TCP_KEEPCNT':
      return { meaning: keepalive || keepaliveUnknown ? keepCount(v as number, c, keepaliveUnknown) : `${v} unanswered probes drop the connection (unused: SO_KEEPALIVE is off)` };
    case 'TCP_MAXSEG':
      return maxSeg(v as number, c);
    case 'TCP_USER_TIMEOUT':
      return v === 0 ? { meaning: 'default: unacknowledged data is retransmitted for ~15 min (tcp_retries2) before the connection fails' } : { meaning: `the connection fails with ETIMEDOUT when data stays unacknowledged for ${v} ms`, unusual: `TCP_USER_TIMEOUT ${v} ms: set by the application (with keepalive on it replaces TCP_KEEPCNT: the connection is dropped at the first probe after it)` };
    case 'TCP_CONGESTION': {
      const def = c.extraSysctls['net.ipv4.tcp_congestion_control'];
      if (def && v !== def) return { meaning: `congestion control ${v}`, unusual: `TCP_CONGESTION is ${v} but the system default is ${def}: chosen per socket` };
      return { meaning: `congestion control ${v}${def ? ' (the system default)' : ''}` };
    }
    case 'TCP_FASTOPEN': {
      if (v === 0) return { meaning: 'TCP Fast Open not enabled on this socket' };
      // Setting the option always succeeds; the kernel takes data from a SYN only with the server bit 0x2 of the
      // sysctl. Measured by the review (s11 item 5, own netns, 3 MSG_FASTOPEN connects): tcp_fastopen=1 read back 17
      // and accepted no SYN data (TcpExtTCPFastOpenPassive 0); tcp_fastopen=3: TCPFastOpenPassive 2.
      const sys = c.extraSysctls['net.ipv4.tcp_fastopen'];
      const bits = sys !== null && sys !== undefined && /^\d+$/.test(sys.trim()) ? Number(sys.trim()) : undefined;
      const m = `TCP Fast Open: up to ${v} pending connections may carry data in their SYN`;
      if (bits === undefined) return { meaning: `${m}, if net.ipv4.tcp_fastopen has the server bit 0x2 (it could not be read)` };
      if ((bits & 2) === 0) return { meaning: `set to ${v}, but net.ipv4.tcp_fastopen=${sys} lacks the server bit 0x2: SYN data is ignored and clients fall back to an ordinary handshake`, unusual: `TCP_FASTOPEN ${v} is set but net.ipv4.tcp_fastopen=${sys} has no server bit (0x2): Fast Open does not happen on this host (set the sysctl to 3 for client and server)` };
      return { meaning: `${m} (net.ipv4.tcp_fastopen=${sys} enables the server side)` };
    }
    case 'TCP_FASTOPEN_CONNECT':
      // Read as itself (getsockopt-options.ts RELATED_READ): the client side, not the listener's TCP_FASTOPEN queue.
      return on
        ? { meaning: "client Fast Open: connect() returns at once and the SYN goes out with the first write, carrying its data once the server's Fast Open cookie is cached (the first connection to a server fetches it with an ordinary handshake)" }
        : { meaning: 'no client Fast Open: connect() sends the SYN at once (default)' };
    case 'TCP_DEFER_ACCEPT':
      return v === 0 ? { meaning: 'accept() returns as soon as the handshake completes' } : { meaning: `accept() returns a connection only once data arrives (waits up to ~${v} s)`, unusual: `TCP_DEFER_ACCEPT ${v} s: clients that connect without sending (e.g. server-speaks-first protocols) wait` };
    case 'TCP_NOTSENT_LOWAT': {
      const sys = c.extraSysctls['net.ipv4.tcp_notsent_lowat'];
      if (v === 0) return { meaning: `uses net.ipv4.tcp_notsent_lowat (${sys === '4294967295' ? 'unlimited' : (sys ?? 'unknown')}): writable while the send buffer has room` };
      if (v === 0xffffffff) return { meaning: 'unlimited: poll() reports writable whenever the send buffer has room' };
      return { meaning: `poll() reports writable only while fewer than ${v} bytes are unsent (keeps latency-sensitive data fresh)` };
    }
    case 'TCP_WINDOW_CLAMP':
      return windowClamp(v as number, c);
    case 'TCP_INFO': {
      const t = v as { state: string; unacked: number; sacked: number; totalRetrans: number; rttUs: number };
      if (t.state === 'LISTEN') {
        // tcpi_unacked is the queue, tcpi_sacked the backlog: full past it, as the kernel's sk_acceptq_is_full.
      const full = acceptQueueIsFull(t.unacked, t.sacked, null);
        return { meaning: `listener: ${t.unacked} connection(s) waiting for accept(), backlog ${t.sacked}`, ...(full ? { unusual: `accept queue full (${t.unacked}/${t.sacked}): new connections are dropped` } : {}) };
      }
      if (t.state === 'SYN_SENT') return synSentInfo(t.totalRetrans, c);
      if (t.state === 'SYN_RECV' && t.totalRetrans > 0)
        return {
          meaning: `kernel TCP state SYN_RECV (a Fast Open connection accepted before its handshake completed); the SYN-ACK was retransmitted ${t.totalRetrans} time(s)`,
          unusual: `the SYN-ACK was sent ${t.totalRetrans + 1} times and the client's final ACK has not come: the client gave up or is gone, or the ACKs are dropped on the way back (a firewall, asymmetric routing)`,
        };
      return { meaning: `kernel TCP state ${t.state}; ${t.totalRetrans} segment(s) retransmitted over the connection's life`, ...(t.totalRetrans > 0 ? { unusual: `${t.totalRetrans} retransmitted segment(s): loss or congestion on the path` } : {}) };
    }
    case 'IP_TOS':
      return v === 0 ? { meaning: 'best effort (TOS/traffic class 0)' } : { meaning: `DSCP ${(v as number) >> 2} (TOS byte 0x${(v as number).toString(16)})` };
    case 'IP_TTL':
      return hopLimit(v as number, c);
    case 'IP_MULTICAST_TTL': {
      // Read as itself (RELATED_READ), not as IP_TTL: the TTL of the multicast datagrams the socket sends.
      const n = v as number;
      const v6 = c.family === 'inet6' ? ' (IPv4 multicast only: its IPv6 multicast takes IPV6_MULTICAST_HOPS)' : '';
      if (n === 1) return { meaning: `multicast datagrams this socket sends stay on the local network: TTL 1, the default${v6}` };
      if (n === 0) return { meaning: `multicast datagrams this socket sends do not leave this host (TTL 0)${v6}` };
      return { meaning: `multicast datagrams this socket sends carry TTL ${n}: routers may forward them up to ${n - 1} hop${n === 2 ? '' : 's'} beyond the local network${v6}` };
    }
    case 'IPV6_V6ONLY': {
      if (!on) return { meaning: 'dual stack: IPv4 peers appear as ::ffff:a.b.c.d' };
      const meaning = 'IPv6 only: IPv4 clients cannot reach this socket';
      const local = c.local ?? '';
      if (!local.startsWith('[::]') || c.state !== 'LISTEN') return { meaning };
      const v4 = c.ipv4Listeners;
      const port = local.slice(local.lastIndexOf(':') + 1);
      if (v4 === undefined) return { meaning, unusual: `IPV6_V6ONLY on a [::] listener: IPv4 clients are refused unless another socket takes them on port ${port} (0.0.0.0:${port}, or [::]:${port} with IPV6_V6ONLY off), which was not checked` };
      if (v4.length === 0) return { meaning, unusual: `IPV6_V6ONLY on a [::] listener and no IPv4 listener on port ${port}: IPv4 clients are refused` };
      // One listener per socket: an SO_REUSEPORT group's members share one address, named once here.
      const shown = [...new Set(v4)];
      // Only 0.0.0.0:P (or its v4-mapped [::ffff:0.0.0.0]:P, or [::]:P with IPV6_V6ONLY off: AF_INET6 sockets without
      // IPV6_V6ONLY) takes IPv4 clients on every address; 127.0.0.1:P takes those that connect to 127.0.0.1 only.
      if (shown.some((l) => l.startsWith('0.0.0.0:') || l.startsWith('[::ffff:0.0.0.0]:') || l.startsWith('[::]:'))) return { meaning: `IPv6 only; IPv4 clients are served by another socket: ${shown.join(', ')}` };
      const addrs = shown.map((l) => l.slice(0, l.lastIndexOf(':')));
      return {
        meaning: `IPv6 only; IPv4 clients are served by another socket only on ${shown.join(', ')}`,
        unusual: `IPV6_V6ONLY on a [::] listener, and the IPv4 listeners on port ${port} are bound to ${addrs.join(', ')} only (no 0.0.0.0:${port}): IPv4 clients connecting to any other address of this host on port ${port} are refused`,
      };
    }
    // Read at SOL_IP on every IP socket (a bool); 1 from a reading made by hand at IPPROTO_IPV6 (IPV6_FREEBIND) is on too.
    case 'IP_FREEBIND':
      return on || v === 1 ? { meaning: 'may bind addresses not (yet) configured on this host', unusual: 'IP_FREEBIND is on: the socket may be bound to an address this host does not have' } : { meaning: 'binds only addresses configured on this host' };
    case 'IP_TRANSPARENT':
      return on || v === 1 ? { meaning: 'transparent proxy socket (TPROXY): may use foreign addresses', unusual: 'IP_TRANSPARENT is on: this is a transparent proxy socket (set with CAP_NET_ADMIN)' } : { meaning: 'not a transparent proxy socket' };
  }
  return { meaning: '' };
}

/** Interprets one value: display text, meaning, unusual finding, other platforms' notes. */
export function interpretOption(name: string, value: unknown, c: OptionContext): OptionInterpretation {
  const m = matchOption(name);
  // A separate Linux option the reference names under an entry (IP_MULTICAST_TTL under IP_TTL) is read as itself:
  // the entry's other-platform notes and summary are about the entry, not about it.
  const related = m?.option.linuxRelated?.find((r) => r.name === m.name);
  const info = related ? undefined : m?.option;
  const { meaning, unusual } = value === undefined ? { meaning: '', unusual: undefined } : meaningOf(name, value, c);
  return { name, display: displayValue(name, value, info, c), meaning, ...(unusual ? { unusual } : {}), platformNotes: platformNotes(info), summary: related ? `${related.name} ${related.note}` : info?.summary };
}
