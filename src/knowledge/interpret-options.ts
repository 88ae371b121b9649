// Pure interpretation of one socket's option values: what each value means, what is unusual about it
// (e.g. a fixed SO_RCVBUF that turns autotuning off), and the other platforms' notes from the option reference.
import { escapeControl } from '../model/escape.js';
import { findOption, type SocketOptionInfo } from './socket-options.js';
import { bufferVerdict, humanBytes, type TcpFacts } from './interpret-option-buffers.js';
import type { Sysctls } from '../model/snapshot.js';

export { humanBytes } from './interpret-option-buffers.js';

/** The inputs the interpretation needs (a subset of the getsockopt helper's InspectResult). */
export interface OptionContext {
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

const FAMILIES: Record<number, string> = { 1: 'AF_UNIX', 2: 'AF_INET', 10: 'AF_INET6', 16: 'AF_NETLINK', 17: 'AF_PACKET' };
const TYPES: Record<number, string> = { 1: 'SOCK_STREAM', 2: 'SOCK_DGRAM', 3: 'SOCK_RAW', 4: 'SOCK_RDM', 5: 'SOCK_SEQPACKET' };
const PROTOCOLS: Record<number, string> = { 0: 'default (0)', 6: 'IPPROTO_TCP', 17: 'IPPROTO_UDP', 132: 'IPPROTO_SCTP', 262: 'IPPROTO_MPTCP' };

function seconds(n: number): string {
  if (n < 120) return `${n} s`;
  if (n < 7200) return `${n} s (${Math.round(n / 6) / 10} min)`;
  return `${n} s (${Math.round(n / 360) / 10} h)`;
}

/** Formats a decoded value for display. */
export function displayValue(name: string, v: unknown, info?: SocketOptionInfo): string {
  if (v === undefined) return '-';
  if (typeof v === 'boolean') return v ? 'on (1)' : 'off (0)';
  // Interface and congestion-control names come from the system: escaped for the terminal (JSON.stringify left DEL and C1 raw).
  if (typeof v === 'string') return v === '' ? '(none)' : escapeControl(v);
  if (typeof v === 'number') {
    if (name === 'SO_DOMAIN') return `${v} (${FAMILIES[v] ?? 'unknown'})`;
    if (name === 'SO_TYPE') return `${v} (${TYPES[v] ?? 'unknown'})`;
    if (name === 'SO_PROTOCOL') return `${v} (${PROTOCOLS[v] ?? 'unknown'})`;
    if (name === 'SO_MARK') return `${v} (0x${v.toString(16)})`;
    if (name === 'IP_TOS') return `${v} (0x${v.toString(16)}, DSCP ${v >> 2}, ECN ${v & 3})`;
    if (name === 'TCP_NOTSENT_LOWAT' && v === 0xffffffff) return `${v} (unlimited)`;
    const unit = info?.unit;
    if (unit === 'bytes') return v >= 1024 ? `${v} bytes (${humanBytes(v)})` : `${v} byte${v === 1 ? '' : 's'}`;
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
      return `state ${t.state}, rtt ${(t.rttUs / 1000).toFixed(3)}/${(t.rttVarUs / 1000).toFixed(3)} ms, cwnd ${t.sndCwnd}, mss ${t.sndMss}, retrans total ${t.totalRetrans}`;
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

/**
 * tp->window_clamp is the kernel's own bound on the advertised window, not only an application's choice: it is
 * filled from the receive buffer at connection (half of it: 65536 for 131072) and follows the buffer as autotuning
 * grows it (measured on 6.18: 5143391 with rcvbuf 5225033 after 200 MiB). Only a value well below what the buffer
 * gives, or one set before the connection exists, is the application's clamp (20000 read with rcvbuf 131072).
 */
function windowClamp(v: number, c: OptionContext): { meaning: string; unusual?: string } {
  if (v === 0) return { meaning: 'no clamp set: the window will follow the receive buffer' };
  const rcvbuf = c.values.SO_RCVBUF;
  if (c.state === 'LISTEN') return { meaning: `set on the listener: connections it accepts start with their advertised window clamped to ${v} bytes`, unusual: `TCP_WINDOW_CLAMP ${v} on a listener: the connections it accepts advertise at most ${v} bytes of window, which caps their throughput at about ${v} bytes per round trip` };
  const auto = `the largest receive window this side advertises; the kernel sets it from the receive buffer and raises it as autotuning grows the buffer`;
  if (typeof rcvbuf === 'number' && v < rcvbuf / 4)
    return { meaning: `${auto}, but ${v} bytes is well below the ${humanBytes(rcvbuf)} buffer (the kernel keeps it at half the buffer or more)`, unusual: `TCP_WINDOW_CLAMP ${v} is well below what the ${humanBytes(rcvbuf)} receive buffer allows: set by the application, it caps the window and so throughput at about ${v} bytes per round trip` };
  return { meaning: `${auto}: ${humanBytes(v)} now` };
}

/**
 * How long a silent peer goes unnoticed with keepalive: idle + count * interval, unless TCP_USER_TIMEOUT is set.
 * Then tcp_keepalive_timer drops the connection at the first probe time (idle + k * interval, k >= 1) at or after
 * the user timeout, and TCP_KEEPCNT is not used (tcp(7)). Measured by the review (s11 item 8, veth pair, dead peer):
 * idle 2, interval 2, count 5: ETIMEDOUT after 11.9 s without it, 3.8 s with TCP_USER_TIMEOUT 3000.
 */
function deadPeerTime(count: number, c: OptionContext, keepaliveUnknown: boolean): string {
  const idle = c.values.TCP_KEEPIDLE;
  const intvl = c.values.TCP_KEEPINTVL;
  if (typeof idle !== 'number' || typeof intvl !== 'number') return '';
  const ifOn = keepaliveUnknown ? ' if SO_KEEPALIVE is on' : '';
  const uto = c.values.TCP_USER_TIMEOUT;
  if (typeof uto === 'number' && uto > 0) {
    const k = Math.max(1, Math.ceil((uto / 1000 - idle) / intvl));
    return `; but TCP_USER_TIMEOUT ${uto} ms overrides the count: a dead peer is detected after about ${seconds(idle + k * intvl)} of silence${ifOn} (the first probe at or after the timeout)`;
  }
  return ` (a dead peer is detected after ${seconds(idle + intvl * count)} of silence${ifOn})`;
}

/**
 * On a listener or an unconnected socket getsockopt(TCP_MAXSEG) returns the value set with setsockopt (user_mss),
 * else 536; on a connection, the MSS in use. A listener's value clamps every accepted connection: the review
 * (s11 item 9) measured mss 988 for a client of a listener with 1000, where loopback gives 32741.
 */
function maxSeg(v: number, c: OptionContext): { meaning: string; unusual?: string } {
  const unset = v === 536;
  if (c.state === 'LISTEN') {
    if (unset) return { meaning: `${v} bytes: not set; a listener has no negotiated MSS (536 is the kernel's placeholder; each connection negotiates its own)` };
    return { meaning: `set on the listener: every connection it accepts sends and announces segments of at most ${v} bytes (minus TCP options)`, unusual: `TCP_MAXSEG ${v} on a listener: the MSS of every accepted connection is clamped to ${v} bytes (less 12 for timestamps: 988 for 1000), whatever the path allows` };
  }
  if (c.state === 'CLOSE' || c.state === 'SYN_SENT') return unset ? { meaning: `${v} bytes: not set (536 is the kernel's placeholder until a connection negotiates one)` } : { meaning: `set before connect(): the connection will use segments of at most ${v} bytes (minus TCP options)` };
  const m = `largest segment this connection sends: ${v} bytes`;
  // The MSS follows the path MTU (minus 40-100 bytes of headers and options); on loopback (MTU 65536) it also starts
  // at half the peer's first window (32741 measured). Well below that, something announced a smaller MSS.
  const pmtu = c.tcp?.pmtu;
  if (pmtu && pmtu > 0 && v < (pmtu > 16384 ? pmtu / 2 : pmtu) - 100)
    return { meaning: `${m}, well below what the path MTU of ${pmtu} allows`, unusual: `TCP_MAXSEG ${v} with a path MTU of ${pmtu}: the MSS was clamped: TCP_MAXSEG set before connect() on either side, the peer's smaller MTU, or a firewall that rewrites the MSS` };
  return { meaning: m };
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
      return { meaning: v === 1 ? 'a byte stream (TCP or unix stream)' : v === 2 ? 'datagrams (UDP or unix datagram)' : `socket type ${TYPES[v as number] ?? v}` };
    case 'SO_DOMAIN':
      return { meaning: v === 10 ? 'IPv6 socket (may also carry IPv4 unless IPV6_V6ONLY)' : v === 2 ? 'IPv4 socket' : v === 1 ? 'unix domain socket' : `family ${v}` };
    case 'SO_PROTOCOL':
      return { meaning: v === 262 ? 'Multipath TCP' : `protocol ${PROTOCOLS[v as number] ?? v}` };
    case 'SO_ACCEPTCONN':
      return { meaning: on ? 'listening: accept() takes connections from its queue' : 'not listening' };
    case 'SO_ERROR':
      return v === 0 ? { meaning: 'no pending error (reading it cleared nothing)' } : { meaning: `pending error ${v}`, unusual: `SO_ERROR holds errno ${v}: the owning process will see it on its next call (and reading it cleared it)` };
    case 'SO_REUSEADDR':
      if (unix) return { meaning: 'no effect on a unix socket: bind() to a path that exists fails with EADDRINUSE until the file is removed' };
      if (c.protocol === 'udp') return { meaning: on ? 'other sockets that also set it may bind the same address and port (e.g. several multicast receivers)' : 'bind() of an address and port another socket holds fails with EADDRINUSE' };
      return { meaning: on ? 'bind() may take this port while TIME_WAIT sockets still hold it (a restart binds at once)' : 'bind() of this address fails with EADDRINUSE while TIME_WAIT sockets hold the port' };
    case 'SO_REUSEPORT':
      // Measured on 6.18: setsockopt(SO_REUSEPORT, 1) on a unix socket fails with EOPNOTSUPP.
      if (unix) return { meaning: 'not used by unix sockets' };
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
    case 'SO_SNDTIMEO': {
      const t = v as Timeval;
      const what = name === 'SO_RCVTIMEO' ? 'reads' : 'writes';
      if (t.seconds === 0 && t.micros === 0) return { meaning: `blocking ${what} wait as long as needed (no timeout)` };
      return { meaning: `blocking ${what} fail with EAGAIN after ${t.seconds + t.micros / 1e6} s${c.nonblock ? ' (irrelevant: the fd is O_NONBLOCK)' : ''}` };
    }
    case 'SO_BROADCAST':
      if (unix) return { meaning: 'no effect on a unix socket' };
      return { meaning: on ? 'may send to broadcast addresses' : 'sending to a broadcast address fails with EACCES' };
    case 'SO_BINDTODEVICE':
      return v === '' ? { meaning: 'not tied to an interface' } : { meaning: `sends and receives only through interface ${v}`, unusual: `bound to device ${v} (SO_BINDTODEVICE): traffic on other interfaces is ignored` };
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
      return { meaning: `${v} unanswered probes drop the connection${keepalive || keepaliveUnknown ? deadPeerTime(v as number, c, keepaliveUnknown) : ''}` };
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
        const full = t.sacked > 0 && t.unacked >= t.sacked;
        return { meaning: `listener: ${t.unacked} connection(s) waiting for accept(), backlog ${t.sacked}`, ...(full ? { unusual: `accept queue full (${t.unacked}/${t.sacked}): new connections are dropped` } : {}) };
      }
      return { meaning: `kernel TCP state ${t.state}; ${t.totalRetrans} segment(s) retransmitted over the connection's life`, ...(t.totalRetrans > 0 ? { unusual: `${t.totalRetrans} retransmitted segment(s): loss or congestion on the path` } : {}) };
    }
    case 'IP_TOS':
      return v === 0 ? { meaning: 'best effort (TOS/traffic class 0)' } : { meaning: `DSCP ${(v as number) >> 2} (TOS byte 0x${(v as number).toString(16)})` };
    case 'IP_TTL':
      return { meaning: `outgoing packets start with a hop limit of ${v}` };
    case 'IPV6_V6ONLY': {
      const wildcard = (c.local ?? '').startsWith('[::]');
      if (on) return { meaning: 'IPv6 only: IPv4 clients cannot reach this socket', ...(wildcard && c.state === 'LISTEN' ? { unusual: 'IPV6_V6ONLY on a [::] listener: IPv4 clients are refused unless a separate 0.0.0.0 listener exists' } : {}) };
      return { meaning: 'dual stack: IPv4 peers appear as ::ffff:a.b.c.d' };
    }
    case 'IP_FREEBIND':
      return on ? { meaning: 'may bind addresses not (yet) configured on this host', unusual: 'IP_FREEBIND is on: the socket may be bound to an address this host does not have' } : { meaning: 'binds only addresses configured on this host' };
    case 'IP_TRANSPARENT':
      return on ? { meaning: 'transparent proxy socket (TPROXY): may use foreign addresses', unusual: 'IP_TRANSPARENT is on: this is a transparent proxy socket (set with CAP_NET_ADMIN)' } : { meaning: 'not a transparent proxy socket' };
  }
  return { meaning: '' };
}

/**
 * An AF_INET6 socket talking to an IPv4 peer (v4-mapped) sends IPv4 packets, which take their TTL and TOS from
 * IP_TTL / IP_TOS, not from the IPv6 twin read for them. Measured by the review (s11 item 7, mapped.py): IP_TTL 7 and
 * IP_TOS 0x20 set on such a UDP socket arrived as TTL 7, TOS 32, while IPV6_UNICAST_HOPS read 64 and IPV6_TCLASS 0.
 */
function ipv4OnV6Note(name: string, c: OptionContext, readAs: string | undefined): string {
  if ((name !== 'IP_TTL' && name !== 'IP_TOS') || c.family !== 'inet6' || !readAs?.startsWith('IPV6_')) return '';
  const v4 = (a: string | undefined) => a !== undefined && (/^\d+\.\d+\.\d+\.\d+:/.test(a) || /^\[::ffff:\d+\.\d+\.\d+\.\d+\]:/i.test(a));
  if (v4(c.local) || v4(c.peer)) return `; but this AF_INET6 socket carries IPv4 (a mapped address), whose packets use ${name} instead, which was not read`;
  if (c.state === 'LISTEN' && c.values.IPV6_V6ONLY === false) return `; connections from IPv4 clients use ${name} instead, which was not read`;
  return '';
}

/** Interprets one value: display text, meaning, unusual finding, other platforms' notes. `readAs`: the option actually read. */
export function interpretOption(name: string, value: unknown, c: OptionContext, readAs?: string): OptionInterpretation {
  const info = findOption(name);
  const { meaning: m, unusual } = value === undefined ? { meaning: '', unusual: undefined } : meaningOf(name, value, c);
  const meaning = m && `${m}${ipv4OnV6Note(name, c, readAs)}`;
  return { name, display: displayValue(name, value, info), meaning, ...(unusual ? { unusual } : {}), platformNotes: platformNotes(info), summary: info?.summary };
}

/** The parts of an inspection (getsockopt helper result) the report needs. */
export interface InspectionLike {
  socket: { state?: string; family?: string; type?: string; protocol?: string; local?: string; peer?: string };
  /** readFor: whose packets the reading applies to, when an AF_INET6 socket's IPv4 level was read too ('IPv4 peers'). */
  options: { name: string; value?: unknown; source?: string; readAs?: string; readFor?: string; missing?: string; errno?: string }[];
  sysctls: Sysctls;
  extraSysctls: Record<string, string | null>;
  fdFlags: { info?: { nonblock: boolean } };
  /** The collector's tcp_info, used when TCP_INFO was not read with getsockopt (the fallback). */
  kernelView?: { tcpInfo?: { rcvSpace?: number; mss?: number; bytesReceived?: number; bytesAcked?: number } };
}

export interface OptionReportRow extends OptionInterpretation {
  value?: unknown;
  source?: string;
  readAs?: string;
  readFor?: string;
  missing?: string;
}

/** The tcp_info facts the verdicts use: from getsockopt's struct tcp_info when read, else from the collector's. */
function tcpFacts(info: unknown, view: NonNullable<InspectionLike['kernelView']>['tcpInfo']): TcpFacts | undefined {
  if (info && typeof info === 'object' && 'rcvSpace' in info) {
    const t = info as { rcvSpace: number; sndMss: number; pmtu: number; bytesReceived?: number; bytesAcked?: number };
    return { rcvSpace: t.rcvSpace, sndMss: t.sndMss, pmtu: t.pmtu, bytesReceived: t.bytesReceived, bytesAcked: t.bytesAcked };
  }
  if (view) return { rcvSpace: view.rcvSpace, sndMss: view.mss, bytesReceived: view.bytesReceived, bytesAcked: view.bytesAcked };
  return undefined;
}

/** Every option of an inspection interpreted, plus the unusual findings in one list. */
export function buildOptionsReport(r: InspectionLike): { rows: OptionReportRow[]; unusual: string[] } {
  const values: Record<string, unknown> = {};
  for (const o of r.options) if (o.value !== undefined) values[o.name] = o.value;
  const ctx: OptionContext = { ...r.socket, sysctls: r.sysctls, extraSysctls: r.extraSysctls, values, nonblock: r.fdFlags.info?.nonblock, tcp: tcpFacts(values.TCP_INFO, r.kernelView?.tcpInfo) };
  const rows = r.options.map((o): OptionReportRow => {
    // With readFor the IPv4 level was read as well, so the 'IPv4 uses the other option' note has nothing to add.
    const i = interpretOption(o.name, o.value, ctx, o.readFor ? undefined : o.readAs);
    return { ...i, ...(o.value !== undefined ? { value: o.value } : {}), ...(o.source ? { source: o.source } : {}), ...(o.readAs ? { readAs: o.readAs } : {}), ...(o.readFor ? { readFor: o.readFor } : {}), ...(o.missing ? { missing: o.missing } : {}) };
  });
  return { rows, unusual: rows.filter((x) => x.unusual).map((x) => x.unusual!) };
}

/**
 * The report's line when no finding is unusual. "Every value read is a default" is a verdict only when
 * some value was read: with none (another user's socket, a source without skmem/tcp_info) there was
 * nothing to judge, and the report says so instead of reassuring.
 */
export function nothingUnusualLine(rows: readonly Pick<OptionReportRow, 'value'>[]): string {
  return rows.some((r) => r.value !== undefined)
    ? 'Unusual: nothing; every value read is a default or an ordinary choice.'
    : 'Unusual: nothing to judge: no option value could be read (see Missing below).';
}

/** The parts of the kernel's view of a socket (collector) that findings are drawn from. */
export interface KernelViewLike {
  state: string;
  recvQ: number;
  sendQ: number;
  skmem?: { rmemAlloc: number; rcvbuf: number; wmemAlloc: number; sndbuf: number; drops?: number };
  tcpInfo?: { retrans?: number; totalRetrans?: number };
}

/** What the kernel's own counters say is wrong with the socket (drops, full queues, retransmits). */
export function kernelViewFindings(k: KernelViewLike | undefined): string[] {
  if (!k) return [];
  const out: string[] = [];
  if (k.skmem?.drops) out.push(`the kernel dropped ${k.skmem.drops} packet(s) for this socket (skmem d): ${k.state === 'LISTEN' ? 'SYNs or connections dropped while the accept queue was full' : 'the receive buffer was full'}`);
  if (k.state === 'LISTEN' && k.sendQ > 0 && k.recvQ >= k.sendQ) out.push(`accept queue full: ${k.recvQ} connection(s) waiting for accept() with a backlog of ${k.sendQ}`);
  if (k.state !== 'LISTEN' && k.skmem && k.skmem.rcvbuf > 0 && k.skmem.rmemAlloc >= k.skmem.rcvbuf * 0.9) out.push(`receive buffer ${Math.round((k.skmem.rmemAlloc / k.skmem.rcvbuf) * 100)}% full: the application is not reading fast enough`);
  if (k.tcpInfo?.retrans) out.push(`${k.tcpInfo.retrans} retransmission(s) outstanding right now`);
  return out;
}
