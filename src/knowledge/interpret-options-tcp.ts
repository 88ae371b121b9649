// Meanings of the TCP options whose value depends on the connection's history: TCP_WINDOW_CLAMP, TCP_MAXSEG and
// the keepalive count. Pure: the facts come from the other values read and from tcp_info.
import { fmtBytes } from '../advise/format.js';
import type { TcpFacts } from './interpret-option-buffers.js';
import type { OptionContext } from './interpret-options.js';

export function seconds(n: number): string {
  if (n < 120) return `${n} s`;
  if (n < 7200) return `${n} s (${Math.round(n / 6) / 10} min)`;
  return `${n} s (${Math.round(n / 360) / 10} h)`;
}

/**
 * Whether a socket ever had a connection: tcpi_bytes_acked counts the SYN, so a socket that connected has at least
 * 1 (as bufferVerdict tests it). undefined when no tcp_info was read.
 */
export function everConnected(tcp: TcpFacts | undefined): boolean | undefined {
  if (!tcp || (tcp.bytesAcked === undefined && tcp.bytesReceived === undefined)) return undefined;
  return (tcp.bytesReceived ?? 0) > 0 || (tcp.bytesAcked ?? 0) > 0;
}

/**
 * tp->window_clamp is the kernel's own bound on the advertised window, not only an application's choice: it is
 * filled from the receive buffer at connection (half of it: 65536 for 131072) and follows the buffer as autotuning
 * grows it (measured on 6.18: 5143391 with rcvbuf 5225033 after 200 MiB). Only a value well below what the buffer
 * gives, or one set before the connection exists, is the application's clamp (20000 read with rcvbuf 131072). An
 * unconnected socket reads 0 unless the clamp was set (measured by the review, s11 knowledge item 5). SO_RCVBUF raised
 * after connect() leaves the clamp where the handshake put it (measured there: 65536 with rcvbuf 131072, still 65536
 * after SO_RCVBUF 1 MiB gave rcvbuf 2097152).
 */
export function windowClamp(v: number, c: OptionContext): { meaning: string; unusual?: string } {
  if (v === 0) return { meaning: 'no clamp set: the window will follow the receive buffer' };
  const rcvbuf = c.values.SO_RCVBUF;
  if (c.state === 'LISTEN') return { meaning: `set on the listener: connections it accepts start with their advertised window clamped to ${v} bytes`, unusual: `TCP_WINDOW_CLAMP ${v} on a listener: the connections it accepts advertise at most ${v} bytes of window, which caps their throughput at about ${v} bytes per round trip` };
  if (c.state === 'CLOSE' && everConnected(c.tcp) === false)
    return { meaning: `set before connect(): the connection will advertise at most ${v} bytes of window`, unusual: `TCP_WINDOW_CLAMP ${v} set before connect(): the connection will advertise at most ${v} bytes of window, which caps its throughput at about ${v} bytes per round trip` };
  const auto = `the largest receive window this side advertises; the kernel sets it from the receive buffer and raises it as autotuning grows the buffer`;
  if (typeof rcvbuf === 'number' && v < rcvbuf / 4)
    return {
      meaning: `${auto}, but ${v} bytes is well below the ${fmtBytes(rcvbuf)} buffer (the kernel keeps it at half the buffer or more)`,
      unusual: `TCP_WINDOW_CLAMP ${v} is well below what the ${fmtBytes(rcvbuf)} receive buffer allows: set by the application, or SO_RCVBUF was raised after connect() (the clamp is taken from the buffer at the handshake); it caps the window and so throughput at about ${v} bytes per round trip`,
    };
  return { meaning: `${auto}: ${fmtBytes(v)} now` };
}

/**
 * What TCP_KEEPCNT means with keepalive on (or not read): how long a silent peer goes unnoticed, idle + count *
 * interval, unless TCP_USER_TIMEOUT is set. Then tcp_keepalive_timer drops the connection at the first probe time
 * (idle + k * interval, k >= 1) at or after the user timeout, and TCP_KEEPCNT is not used (tcp(7)). Measured by the
 * review (s11 item 8, veth pair, dead peer): idle 2, interval 2, count 5: ETIMEDOUT after 11.9 s without it, 3.8 s
 * with TCP_USER_TIMEOUT 3000. The count is never said to decide when TCP_USER_TIMEOUT was not read: inspect-options
 * reads it along (getsockopt-options.ts DEPENDS_ON); a caller that gives no value for it is told it depends on it.
 */
export function keepCount(count: number, c: OptionContext, keepaliveUnknown: boolean): string {
  const idle = c.values.TCP_KEEPIDLE;
  const intvl = c.values.TCP_KEEPINTVL;
  const times = typeof idle === 'number' && typeof intvl === 'number';
  const ifOn = keepaliveUnknown ? ' if SO_KEEPALIVE is on' : '';
  const uto = c.values.TCP_USER_TIMEOUT;
  if (typeof uto === 'number' && uto > 0) {
    const over = `${count} probes, but unused: TCP_USER_TIMEOUT ${uto} ms overrides the count`;
    if (!times) return `${over}: the connection is dropped at the first unanswered probe sent ${uto} ms or more into the silence${ifOn}`;
    const k = Math.max(1, Math.ceil((uto / 1000 - idle) / intvl));
    return `${over}: a dead peer is detected after about ${seconds(idle + k * intvl)} of silence${ifOn} (the first probe at or after the timeout)`;
  }
  const m = `${count} unanswered probes drop the connection${times ? ` (a dead peer is detected after ${seconds(idle + intvl * count)} of silence${ifOn})` : ''}`;
  return typeof uto === 'number' ? m : `${m}, unless TCP_USER_TIMEOUT is set (it was not read): then the count is unused and the first probe at or after that timeout drops it`;
}

/**
 * What getsockopt(TCP_MAXSEG) reads with nothing set, before the peer's MSS is known: 536 (TCP_MSS_DEFAULT) on an
 * unconnected socket; in SYN_SENT the clamp tcp_v4_connect/tcp_v6_connect give, less 12 when timestamps are on.
 * Measured on 6.18 by the review (s11 knowledge item 2): 524 for IPv4 (and a v4-mapped peer, which tcp_v4_connect
 * serves), 1208 for IPv6 (IPV6_MIN_MTU - 60 - 12).
 */
const UNSET_CONNECTING = new Set([536, 524, 1220, 1208]);

/**
 * On a listener or an unconnected socket getsockopt(TCP_MAXSEG) returns the value set with setsockopt (user_mss),
 * else 536; on a connection, the MSS in use; on a closed socket that was connected, the MSS that connection used
 * (32741 measured after a loopback peer's reset). A listener's value clamps every accepted connection: the review
 * (s11 item 9) measured mss 988 for a client of a listener with 1000, where loopback gives 32741 (and mss 1188 for 1200):
 * the value less the 12 bytes of the timestamp option.
 */
export function maxSeg(v: number, c: OptionContext): { meaning: string; unusual?: string } {
  if (c.state === 'LISTEN') {
    if (v === 536) return { meaning: `${v} bytes: not set; a listener has no negotiated MSS (536 is the kernel's placeholder; each connection negotiates its own)` };
    return { meaning: `set on the listener: every connection it accepts sends and announces segments of at most ${v} bytes (minus TCP options)`, unusual: `TCP_MAXSEG ${v} on a listener: the MSS of every accepted connection is clamped to ${v} bytes (${v - 12} with TCP timestamps on, which take 12 bytes of each segment), whatever the path allows` };
  }
  const set = { meaning: `set before connect(): the connection will use segments of at most ${v} bytes (minus TCP options)` };
  const unsetConnecting = c.family === 'inet' ? v === 536 || v === 524 : UNSET_CONNECTING.has(v);
  if (c.state === 'SYN_SENT') return unsetConnecting ? { meaning: `${v} bytes: not set; the kernel's default clamp until the SYN-ACK gives the peer's MSS` } : set;
  if (c.state === 'CLOSE') {
    const connected = everConnected(c.tcp);
    if (connected) return { meaning: `${v} bytes: the MSS its connection used (the socket is closed)` };
    if (v === 536) return { meaning: `${v} bytes: not set (536 is the kernel's placeholder until a connection negotiates one)` };
    // A connect() that never completed (no SYN-ACK: timed out, refused) leaves the clamp connect() gave.
    if (unsetConnecting && connected === false) return { meaning: `${v} bytes: not set; the kernel's default clamp left by a connect() that never completed (no SYN-ACK)` };
    return connected === false ? set : { meaning: `set before connect(), or the MSS of a connection this socket had (no tcp_info was read to tell): ${v} bytes` };
  }
  const m = `largest segment this connection sends: ${v} bytes`;
  // The MSS follows the path MTU (minus 40-100 bytes of headers and options); on loopback (MTU 65536) it also starts
  // at half the peer's first window (32741 measured). Well below that, something announced a smaller MSS, or the
  // peer's window is small: tcp_bound_to_half_wnd keeps the MSS at half the largest window the peer advertised
  // (measured by the review, s11 knowledge item 4: a server with SO_RCVBUF 4096 before listen() gave its loopback
  // client TCP_MAXSEG 2048 with pmtu 65495).
  const pmtu = c.tcp?.pmtu;
  if (pmtu && pmtu > 0 && v < (pmtu > 16384 ? pmtu / 2 : pmtu) - 100)
    return { meaning: `${m}, well below what the path MTU of ${pmtu} allows`, unusual: `TCP_MAXSEG ${v} with a path MTU of ${pmtu}: the MSS was clamped: the peer advertises a small receive window (the MSS is at most half of it), TCP_MAXSEG set before connect() on either side, the peer's smaller MTU, or a firewall that rewrites the MSS` };
  return { meaning: m };
}
