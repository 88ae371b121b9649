// What a socket's SO_RCVBUF / SO_SNDBUF value says: the default, grown by autotuning, or fixed with setsockopt.
// getsockopt and netlink cannot show the lock (SOCK_RCVBUF_LOCK / SOCK_SNDBUF_LOCK) that setsockopt sets, so
// a verdict is given only where the value or tcp_info proves it; elsewhere the meaning names both readings.
import { fmtBytes } from '../advise/format.js';
import { sysctlInt, sysctlInts, type Sysctls } from '../model/snapshot.js';

/** The tcp_info fields the verdicts use (getsockopt TCP_INFO, or the kernel view's tcp_info). */
export interface TcpFacts {
  /** tcpi_rcv_space: the most bytes the application read in one round trip so far. */
  rcvSpace?: number;
  /** tcpi_snd_mss: the MSS this side sends with. */
  sndMss?: number;
  /** tcpi_pmtu: the path MTU in use. */
  pmtu?: number;
  bytesReceived?: number;
  bytesAcked?: number;
  /** tcpi_bytes_sent: data bytes sent, retransmissions included (not pure ACKs). */
  bytesSent?: number;
  /** tcpi_snd_cwnd, in segments. */
  sndCwnd?: number;
  /** tcpi_reordering. */
  reordering?: number;
  /**
   * tcpi_rcv_ooopack: packets that arrived out of order (getsockopt's struct tcp_info, and the kernel view's: netlink
   * always, ss when it prints snd_wnd). tcp_data_queue_ofo counts each, and since Linux 6.16 grows the receive buffer
   * there (tcp_rcvbuf_grow).
   */
  rcvOoopack?: number;
}

export interface BufferContext {
  state?: string;
  protocol?: string;
  sysctls: Sysctls;
  extraSysctls: Record<string, string | null>;
  tcp?: TcpFacts;
  /** The kernel release (uname -r, InspectResult.kernel): whether packets out of order grow the receive buffer (6.16+). */
  kernel?: string;
  /** The other values read (SO_RCVLOWAT, read along with SO_RCVBUF: getsockopt-options.ts DEPENDS_ON). */
  values?: Record<string, unknown>;
}

/**
 * Whether SO_RCVLOWAT can have made this receive buffer. tcp_set_rcvlowat raises the sk_rcvbuf of a socket no
 * setsockopt fixed to tcp_space_from_win(lowat) and leaves SOCK_RCVBUF_LOCK unset, so autotuning stays on (measured
 * on 6.18: SO_RCVLOWAT 1000000 on a fresh loopback connection gave 2000000, then 32 MiB after data). The space is
 * lowat << 1 before 6.6 and lowat * 256 / scaling_ratio since (not capped by tcp_rmem[2]): the ratio starts at 128
 * (6.11 on; 6.6 to 6.10 started near 64) and tcp_measure_rcv_mss moves it within 1..255 as data arrives, so every
 * ratio is tried. 'unknown' when SO_RCVLOWAT was not read. A value set earlier and lowered since cannot be seen.
 */
function lowatMade(v: number, c: BufferContext): { lowat: number; made: boolean } | 'unknown' {
  const lowat = c.values?.SO_RCVLOWAT;
  if (typeof lowat !== 'number') return 'unknown';
  if (lowat <= 1) return { lowat, made: false };
  for (let ratio = 1; ratio <= 255; ratio++) if (Math.floor((lowat * 256) / ratio) === v) return { lowat, made: true };
  return { lowat, made: false };
}

/**
 * The most a send buffer of a connection that has sent nothing can hold without setsockopt: tcp_sndbuf_expand gives
 * it, once at connection, 2 (3 with BBR) * max(10, cwnd, reordering + 1) * per_mss, where per_mss is
 * roundup_pow_of_two(MSS + MAX_TCP_HEADER + skb_shared_info) + sk_buff: at most 128 KiB + 512 for an MSS of 65535
 * (measured on 6.18 with BBR: 3939840 = 3 * 10 * 131328 on loopback); it grows again only when data is acknowledged
 * (tcp_new_space). undefined when tcp_info does not show that nothing was sent, or lacks the cwnd. The reordering
 * comes from getsockopt's TCP_INFO (read along with SO_SNDBUF: getsockopt-options.ts DEPENDS_ON); the kernel view's
 * tcp_info lacks it.
 */
const PER_MSS_MAX = 131072 + 512;
function unsentSndbufMax(c: BufferContext): { max: number; cwnd: number } | undefined {
  const t = c.tcp;
  if (!t || t.sndCwnd === undefined || t.bytesAcked === undefined || t.bytesAcked > 1 || (t.bytesSent ?? 0) > 0) return undefined;
  // tp->reordering starts at net.ipv4.tcp_reordering (3) or what tcp_metrics kept for the peer (measured: 10 on
  // loopback, so 3 * 11 segments: 4 MiB on a fresh default connection), at most tcp_max_reordering (300) when unknown.
  const segs = Math.max(10, t.sndCwnd, (t.reordering ?? 300) + 1);
  return { max: 3 * segs * PER_MSS_MAX, cwnd: t.sndCwnd };
}

/**
 * Why a connected TCP socket's buffer must be fixed, when tcp_info proves it (undefined when it cannot tell).
 * Receive: autotuning sets rcvbuf to at least twice the most the application read in one round trip
 * (tcp_rcv_space_adjust: rcvwin = 2 * copied, rcvbuf = tcp_space_from_win(rcvwin) >= rcvwin) unless capped by
 * tcp_rmem[2]. Measured on 6.18 after 50 MiB over loopback: SO_RCVBUF 65536 -> rcvbuf 131072 with rcv_space
 * 189652; default -> rcvbuf 4657615 with rcv_space 851279.
 * Send: an unlocked socket's sndbuf is raised at connection to at least 2 * max(10, cwnd) * (MSS + headers), so more
 * than 20 * MSS (tcp_sndbuf_expand); measured: SO_SNDBUF 100000 -> 200000 with mss 65483, default 4 MiB; MSS 488 ->
 * 72960. Both rules hold whatever default the socket started with: autotuning only raises.
 * Not proof: a value other than today's tcp_[rw]mem[1] on a connection that moved nothing, or on a listener, or below
 * the default: tcp_init_sock gives a socket tcp_[rw]mem[1] as it was at creation (any value 1..INT_MAX, stored as is),
 * and tcp_sndbuf_expand only raises, so a socket created under another default keeps it (oldDefault).
 */
function proofOfLock(kind: 'rcv' | 'snd', v: number, cap: number, c: BufferContext): string | undefined {
  if (kind === 'rcv') {
    if (v >= cap || c.extraSysctls['net.ipv4.tcp_moderate_rcvbuf'] === '0') return undefined;
    const s = c.tcp?.rcvSpace;
    if (s !== undefined && 2 * s > v) return `the application has read ${fmtBytes(s)} in one round trip, and autotuning would have grown the buffer to at least twice that (tcp_info rcv_space)`;
    return undefined;
  }
  if (v >= cap) return undefined; // at tcp_wmem[2], where autotuning stops too
  const mss = c.tcp?.sndMss;
  if (mss !== undefined && mss > 0 && v < 20 * mss) return `autotuning gives a connected socket at least 20 times its MSS of ${mss} bytes (${fmtBytes(20 * mss)}) unless the host ran short of TCP memory`;
  return undefined;
}

/**
 * Why autotuning cannot have grown a connection's receive buffer yet, when tcp_info shows it (undefined otherwise).
 * tcp_rcv_space_adjust grows it only when the application read more than rcvq_space.space (tcpi_rcv_space) within
 * one round trip, and then sets the space to what was read; the space never shrinks. So once it grew that way, the
 * bytes received are at least the space (review s23 #2: SO_RCVBUF 100000, 1 byte received, rcv_space 65483, was
 * offered "grown by autotuning"). But since Linux 6.16 tcp_data_queue_ofo grows it too, through tcp_rcvbuf_grow, for
 * every packet queued out of order (to 2 * rcv_space plus the out-of-order span), before any of those bytes count in
 * tcpi_bytes_received, which counts in-order data only: measured on 6.18 (review s23 dB #1), one segment dropped and
 * the next ones queued out of order gave rb 84316 with bytes_received 1, rcv_space 14480, rcv_ooopack 33. So only
 * tcpi_rcv_ooopack 0 (getsockopt TCP_INFO, or the kernel view's tcp_info) rules that growth out, or a kernel before 6.16. The
 * other growth, tcp_clamp_window, needs the unread data's memory to reach the buffer, which the window the buffer
 * advertises keeps the sender from. The lock setsockopt sets (SOCK_RCVBUF_LOCK) is shown by neither getsockopt nor sock_diag.
 */
function tooLittleReceived(t: TcpFacts | undefined, kernel: string | undefined): string | undefined {
  const received = t?.bytesReceived;
  const ofo = ofoGrows(kernel);
  if (received === undefined || (ofo && t?.rcvOoopack !== 0)) return undefined;
  // Nothing in order and nothing out of order: no data at all.
  if (received === 0 && ofo) return 'the connection has received no data, so autotuning has not grown it: ';
  const noOoo = ofo
    ? 'and no packet arrived out of order (tcp_info rcv_ooopack 0; Linux 6.16 and later grow the buffer for those)'
    : `and Linux ${kernel!.split('-')[0]} (before 6.16) does not grow it for packets out of order`;
  if (received === 0) return `the connection has received no data in order, ${noOoo}, so autotuning has not grown it: `;
  const space = t?.rcvSpace;
  if (space === undefined || received >= space) return undefined;
  return `the connection has received ${received < 1024 ? `${received} byte${received === 1 ? '' : 's'}` : fmtBytes(received)} in all, less than the ${fmtBytes(space)} the application must read within one round trip before autotuning grows the buffer (tcp_info rcv_space), ${noOoo}, so autotuning has not grown it: `;
}

/** Packets out of order on a connection that read too little for tcp_rcv_space_adjust: the growth that explains the buffer. */
function grownOutOfOrder(t: TcpFacts | undefined, kernel: string | undefined): string {
  const n = t?.rcvOoopack;
  if (!n || !ofoGrows(kernel) || t?.bytesReceived === undefined || t.rcvSpace === undefined || t.bytesReceived >= t.rcvSpace) return '';
  return ` as ${n} packet${n === 1 ? '' : 's'} arrived out of order (tcp_info rcv_ooopack; Linux 6.16 and later grow the buffer then, before the application reads)`;
}

/**
 * Whether tcp_data_queue_ofo grows the receive buffer on this kernel (tcp_rcvbuf_grow, Linux 6.16 and later): false
 * only for a release known to be older; an unknown one ('' or unparsable) may.
 */
export function ofoGrows(kernel: string | undefined): boolean {
  const m = /^(\d+)\.(\d+)/.exec(kernel ?? '');
  if (!m) return true;
  const [major, minor] = [Number(m[1]), Number(m[2])];
  return major > 6 || (major === 6 && minor >= 16);
}

/**
 * The most a buffer can be set to: SO_RCVBUFFORCE / SO_SNDBUFFORCE (and SO_RCVBUF / SO_SNDBUF) cap the request at
 * INT_MAX / 2 before doubling it (__sock_set_rcvbuf, __sock_set_sndbuf): 1 GiB or more asked reads 2147483646.
 */
const SET_CEILING = 2 * Math.floor(0x7fffffff / 2);

/**
 * Detects a fixed (setsockopt'd) buffer size: Linux doubles the request and stops autotuning for that socket.
 * SO_RCVBUF / SO_SNDBUF cap the request at net.core.[rw]mem_max, so a value above twice that was set with
 * SO_RCVBUFFORCE / SO_SNDBUFFORCE (CAP_NET_ADMIN) or grown by autotuning, which stops at tcp_[rw]mem[2]
 * (tcp_rcv_space_adjust, tcp_sndbuf_expand). A value above tcp_[rw]mem[2] is not proof of a lock: autotuning may
 * have grown it before the sysctl was lowered (measured on 6.18: 32 MiB received and 3939840 sent over loopback,
 * then tcp_rmem[2] 8 MiB and tcp_wmem[2] 1 MiB). Nor is a value other than today's tcp_[rw]mem[1] where nothing
 * autotuned (a listener, before connect, no data moved) or below it: the socket may keep the default it was created
 * with (measured on 6.18: tcp_wmem "4096 16M 16M" and tcp_rmem "4096 1M 32M" at connect, restored after: 16 MiB and
 * 1 MiB stay, no setsockopt). So it is called fixed only with proof (the request ceiling, tcp_info's rcv_space or
 * MSS); and SO_RCVLOWAT grows a receive buffer without fixing it.
 */
export function bufferVerdict(kind: 'rcv' | 'snd', v: number, c: BufferContext): { meaning: string; unusual?: string } {
  const opt = kind === 'rcv' ? 'SO_RCVBUF' : 'SO_SNDBUF';
  const force = `${opt}FORCE`;
  const tcpMem = sysctlInts(c.sysctls, kind === 'rcv' ? 'net.ipv4.tcp_rmem' : 'net.ipv4.tcp_wmem');
  const coreMax = sysctlInt(c.sysctls, kind === 'rcv' ? 'net.core.rmem_max' : 'net.core.wmem_max');
  const coreDef = sysctlInt(c.sysctls, kind === 'rcv' ? 'net.core.rmem_default' : 'net.core.wmem_default');
  const maxName = kind === 'rcv' ? 'net.core.rmem_max' : 'net.core.wmem_max';
  const base = `${fmtBytes(v)} of ${kind === 'rcv' ? 'receive' : 'send'} buffer (the kernel counts twice the size set with setsockopt: half is bookkeeping)`;
  // More than twice the cap: only the FORCE option, which ignores the cap, can have set it.
  const byForce = coreMax !== null && v > 2 * coreMax;
  const askedFor = v >= SET_CEILING ? '1 GiB or more (the kernel caps a request at INT_MAX/2)' : fmtBytes(v / 2);
  const asked = byForce
    ? `set with ${force}, which needs CAP_NET_ADMIN: ${opt} cannot ask for more than ${maxName}=${fmtBytes(coreMax)}; it asked for ${askedFor} and Linux doubles it`
    : `setsockopt asked for ${askedFor}; Linux doubles it`;
  if (c.protocol === 'tcp' && tcpMem && tcpMem.length === 3) {
    const [, def, max] = tcpMem;
    const sysName = kind === 'rcv' ? 'tcp_rmem' : 'tcp_wmem';
    const fixed = (why: string) => ({ meaning: byForce ? `${base}; fixed with ${force}` : base, unusual: `${opt} fixed at ${fmtBytes(v)} (${asked}): autotuning is off for this socket${why}` });
    // The setsockopt reading, for a meaning that names it beside another.
    const setReading = byForce
      ? `set with ${force} (needs CAP_NET_ADMIN: ${opt} cannot ask for more than ${maxName}=${fmtBytes(coreMax)}), which fixes it (autotuning off)`
      : `setsockopt asked for exactly ${fmtBytes(v / 2)}, which fixes it (autotuning off)`;
    const cannotTell = 'the value alone cannot tell';
    // The default a socket started with: tcp_init_sock copies tcp_[rw]mem[1] at creation, and it may have changed since.
    const oldDefault = `net.ipv4.${sysName}[1] was ${fmtBytes(v)} when the socket was created (a socket keeps the default it started with: autotuning only raises it)`;
    // SO_RCVLOWAT grows a receive buffer no setsockopt fixed (tcp_set_rcvlowat), and autotuning stays on.
    const lowat = kind === 'rcv' ? lowatMade(v, c) : undefined;
    const byLowat = typeof lowat === 'object' && lowat.made ? `raised by SO_RCVLOWAT ${lowat.lowat} (Linux grows a receive buffer that is not fixed to about twice the low-water mark, and autotuning stays on)` : undefined;
    // tcpi_bytes_acked counts the SYN: a socket that ever connected has at least 1.
    const connected = (c.tcp?.bytesReceived ?? 0) > 0 || (c.tcp?.bytesAcked ?? 0) > 0;
    // Before a connection exists nothing has been autotuned: any value but the default was set.
    const notStarted = c.state === 'LISTEN' || c.state === 'SYN_SENT' || (c.state === 'CLOSE' && !connected);
    const either = `or setsockopt asked for exactly ${fmtBytes(v / 2)}, which fixes it (autotuning off): ${cannotTell}`;
    const theDefault = { meaning: `${base}; the default net.ipv4.${sysName}[1], which autotuning can grow up to ${fmtBytes(max)}, ${either}` };
    // Set, or SO_RCVLOWAT (read or not), or the default at creation; `why` says why autotuning is not a reading.
    const setOrOld = (why: string) => {
      if (byLowat) return { meaning: `${base}; ${why}${byLowat}, or ${setReading}, or ${oldDefault}: ${cannotTell}` };
      const notRead = lowat === 'unknown' ? ', or raised by SO_RCVLOWAT (not read), which grows a receive buffer that is not fixed and leaves autotuning on' : '';
      return { meaning: `${base}; ${why}${setReading}${notRead}, or ${oldDefault}: ${cannotTell}` };
    };
    // A request of 1 GiB or more: the ceiling of setsockopt, not a size autotuning grows to, nor a default anyone sets.
    if (v >= SET_CEILING && (notStarted || v > max))
      return fixed(`: ${v} is the ceiling of a request (1 GiB or more asked, capped at INT_MAX/2 and doubled), not a size autotuning grows to (it stops at net.ipv4.${sysName}[2]=${fmtBytes(max)})`);
    if (coreMax !== null && v === 2 * coreMax && v !== max) return setOrOld(`twice ${maxName}=${coreMax}, where setsockopt caps a request: `);
    if (notStarted) {
      if (v === def) return theDefault;
      return setOrOld(c.state === 'LISTEN' ? 'a listener has not autotuned (the connections it accepts inherit its buffer): ' : 'not connected, so autotuning has not grown it: ');
    }
    const proof = proofOfLock(kind, v, max, c);
    if (proof) return fixed(`: ${proof}`);
    // Autotuning only grows a buffer (so does SO_RCVLOWAT), and setsockopt's doubled values are even.
    if (v < def && v % 2 === 0)
      return setOrOld(kind === 'rcv' ? `below the default ${fmtBytes(def)}, which autotuning never shrinks: ` : `below the default ${fmtBytes(def)}, which autotuning does not shrink unless the host ran short of TCP memory: `);
    if (v > max) {
      // An odd receive buffer is autotuning's: it grew while the limit was higher, and the sysctl was lowered since.
      if (kind === 'rcv' && v % 2 === 1) return { meaning: `${base}; grown by autotuning while net.ipv4.${sysName}[2] was higher than the ${fmtBytes(max)} it is now (setsockopt gives even sizes)` };
      // Above where autotuning stops now, but autotuning may have grown it before the sysctl was lowered.
      const set = byForce ? `set with ${force} (needs CAP_NET_ADMIN: above twice ${maxName}=${fmtBytes(coreMax)})` : `set with setsockopt (asked for ${fmtBytes(v / 2)})`;
      const lowatToo = byLowat ? `, or ${byLowat}` : '';
      return { meaning: `${base}; above net.ipv4.${sysName}[2]=${fmtBytes(max)}, where autotuning stops: ${set}, which fixes it (autotuning off), or grown by autotuning before net.ipv4.${sysName}[2] was lowered to ${fmtBytes(max)}${lowatToo}, or ${oldDefault}: ${cannotTell}` };
    }
    if (kind === 'rcv' && v % 2 === 1) return { meaning: `${base}; grown by autotuning from ${fmtBytes(def)} (limit ${fmtBytes(max)}): setsockopt gives even sizes` };
    // Too little received for autotuning: setsockopt, SO_RCVLOWAT or the default at creation made it.
    const tooLittle = kind === 'rcv' ? tooLittleReceived(c.tcp, c.kernel) : undefined;
    if (tooLittle && v !== def) return setOrOld(tooLittle);
    // Nothing sent: tcp_sndbuf_expand raised it at most to unsent.max.
    const unsent = kind === 'snd' ? unsentSndbufMax(c) : undefined;
    if (unsent && v > Math.max(unsent.max, def))
      return setOrOld(`the connection has sent nothing, and until data is acknowledged autotuning raises a send buffer to at most ${fmtBytes(unsent.max)} (tcp_sndbuf_expand: 3 times max(10, cwnd ${unsent.cwnd}, reordering + 1) segments of at most ${fmtBytes(PER_MSS_MAX)}): `);
    if (v === def) return theDefault;
    if (byForce) return { meaning: `${base}; grown by autotuning from ${fmtBytes(def)} (limit ${fmtBytes(max)}), or fixed with ${force} (needs CAP_NET_ADMIN; autotuning off): ${opt} cannot ask for more than ${maxName}=${fmtBytes(coreMax)}, and the value alone cannot tell which` };
    if (v > def) return { meaning: `${base}; grown by autotuning from ${fmtBytes(def)} (limit ${fmtBytes(max)})${kind === 'rcv' ? grownOutOfOrder(c.tcp, c.kernel) : ''}, ${either}` };
    return { meaning: `${base}; differs from the default ${fmtBytes(def)}` };
  }
  if (coreDef !== null) {
    const sys = `net.core.${kind === 'rcv' ? 'r' : 'w'}mem_default`;
    if (v === coreDef) return { meaning: `${base}; the default ${sys}` };
    // No autotuning outside TCP: a value of exactly twice the cap is a request that setsockopt cut down
    // without an error (a UDP socket that asked for 100 MiB held 8 MiB under rmem_max 4 MiB, and nothing said so).
    if (coreMax !== null && v === 2 * coreMax)
      return {
        meaning: base,
        unusual: `${opt} is ${fmtBytes(v)}, twice ${maxName}=${coreMax}: the application asked for ${fmtBytes(coreMax)} or more and the kernel capped the request silently; to give it what it asked for, raise the cap (sysctl -w ${maxName}=BYTES, then the application must set ${opt} again) or set ${opt}FORCE (needs CAP_NET_ADMIN)`,
      };
    if (byForce) return { meaning: `${base}; fixed with ${force}`, unusual: `${opt} is ${fmtBytes(v)}, more than twice ${maxName}=${fmtBytes(coreMax)}: ${asked}` };
    return { meaning: base, unusual: `${opt} is ${fmtBytes(v)}, not the default ${sys}=${fmtBytes(coreDef)}: set by the application` };
  }
  return { meaning: base };
}
