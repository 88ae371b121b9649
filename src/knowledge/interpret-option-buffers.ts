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
}

export interface BufferContext {
  state?: string;
  protocol?: string;
  sysctls: Sysctls;
  extraSysctls: Record<string, string | null>;
  tcp?: TcpFacts;
}

/**
 * Why a connected TCP socket's buffer must be fixed, when tcp_info proves it (undefined when it cannot tell).
 * Receive: autotuning sets rcvbuf to at least twice the most the application read in one round trip
 * (tcp_rcv_space_adjust: rcvwin = 2 * copied, rcvbuf = tcp_space_from_win(rcvwin) >= rcvwin) unless capped by
 * tcp_rmem[2]. Measured on 6.18 after 50 MiB over loopback: SO_RCVBUF 65536 -> rcvbuf 131072 with rcv_space
 * 189652; default -> rcvbuf 4657615 with rcv_space 851279.
 * Send: an unlocked socket's sndbuf is set at connection to 2 * max(10, cwnd) * (MSS + headers), so more than
 * 20 * MSS (tcp_sndbuf_expand); measured: SO_SNDBUF 100000 -> 200000 with mss 65483, default 4 MiB; MSS 488 -> 72960.
 */
function proofOfLock(kind: 'rcv' | 'snd', v: number, cap: number, c: BufferContext): string | undefined {
  if (v >= cap) return undefined; // at tcp_[rw]mem[2], where autotuning stops too
  if (kind === 'rcv') {
    if (c.extraSysctls['net.ipv4.tcp_moderate_rcvbuf'] === '0') return undefined;
    const s = c.tcp?.rcvSpace;
    if (s !== undefined && 2 * s > v) return `the application has read ${fmtBytes(s)} in one round trip, and autotuning would have grown the buffer to at least twice that (tcp_info rcv_space)`;
    return undefined;
  }
  const mss = c.tcp?.sndMss;
  if (mss !== undefined && mss > 0 && v < 20 * mss) return `autotuning gives a connected socket at least 20 times its MSS of ${mss} bytes (${fmtBytes(20 * mss)}) unless the host ran short of TCP memory`;
  return undefined;
}

/**
 * The most a buffer can be set to: SO_RCVBUFFORCE / SO_SNDBUFFORCE (and SO_RCVBUF / SO_SNDBUF) cap the request at
 * INT_MAX / 2 before doubling it (__sock_set_rcvbuf, __sock_set_sndbuf): 1 GiB or more asked reads 2147483646.
 */
const SET_CEILING = 2 * Math.floor(0x7fffffff / 2);

/**
 * Detects a fixed (setsockopt'd) buffer size: Linux doubles the request and stops autotuning for that socket.
 * SO_RCVBUF / SO_SNDBUF cap the request at net.core.[rw]mem_max, so a value above twice that was set with
 * SO_RCVBUFFORCE / SO_SNDBUFFORCE (CAP_NET_ADMIN), and autotuning never grows a TCP buffer past tcp_[rw]mem[2]
 * (tcp_rcv_space_adjust, tcp_sndbuf_expand): a value above it was set too (measured on 6.18: FORCE 8 MiB reads
 * 16 MiB on a connection that moved no data, under tcp_wmem[2] = wmem_max = 4 MiB).
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
    // tcpi_bytes_acked counts the SYN: a socket that ever connected has at least 1.
    const connected = (c.tcp?.bytesReceived ?? 0) > 0 || (c.tcp?.bytesAcked ?? 0) > 0;
    // Before a connection exists nothing has been autotuned: any value but the default was set.
    const notStarted = c.state === 'LISTEN' || c.state === 'SYN_SENT' || (c.state === 'CLOSE' && !connected);
    const either = `or setsockopt asked for exactly ${fmtBytes(v / 2)}, which fixes it (autotuning off): the value alone cannot tell`;
    const theDefault = { meaning: `${base}; the default net.ipv4.${sysName}[1], which autotuning can grow up to ${fmtBytes(max)}, ${either}` };
    if (coreMax !== null && v === 2 * coreMax && v !== max)
      return { meaning: base, unusual: `${opt} fixed at ${fmtBytes(v)}: set with setsockopt and capped by ${maxName}=${coreMax}, so autotuning is off for this socket (it cannot grow to tcp ${sysName}[2]=${fmtBytes(max)})` };
    if (notStarted) return v === def ? theDefault : fixed(c.state === 'LISTEN' ? '; a listener keeps the default unless it was set, and the connections it accepts inherit the fixed size' : '');
    // Autotuning only grows a buffer, and setsockopt's doubled values are even.
    if (v < def && v % 2 === 0) return fixed(kind === 'rcv' ? `; autotuning never shrinks a receive buffer below the default ${fmtBytes(def)}` : `; autotuning keeps a send buffer above the default ${fmtBytes(def)} unless the host ran short of TCP memory`);
    if (v > max) {
      // An odd receive buffer is autotuning's: it grew while the limit was higher, and the sysctl was lowered since.
      if (kind === 'rcv' && v % 2 === 1) return { meaning: `${base}; grown by autotuning while net.ipv4.${sysName}[2] was higher than the ${fmtBytes(max)} it is now (setsockopt gives even sizes)` };
      return fixed(`: it is above net.ipv4.${sysName}[2]=${fmtBytes(max)}, where autotuning stops`);
    }
    if (kind === 'rcv' && v % 2 === 1) return { meaning: `${base}; grown by autotuning from ${fmtBytes(def)} (limit ${fmtBytes(max)}): setsockopt gives even sizes` };
    const proof = proofOfLock(kind, v, max, c);
    if (proof) return fixed(`: ${proof}`);
    // Only data the application reads grows a receive buffer (tcp_rcv_space_adjust): with none received it was set.
    if (kind === 'rcv' && v !== def && c.tcp?.bytesReceived === 0) return fixed(`: the connection has received no data, and only received data grows a receive buffer`);
    if (v === def) return theDefault;
    if (byForce) return { meaning: `${base}; grown by autotuning from ${fmtBytes(def)} (limit ${fmtBytes(max)}), or fixed with ${force} (needs CAP_NET_ADMIN; autotuning off): ${opt} cannot ask for more than ${maxName}=${fmtBytes(coreMax)}, and the value alone cannot tell which` };
    if (v > def) return { meaning: `${base}; grown by autotuning from ${fmtBytes(def)} (limit ${fmtBytes(max)}), ${either}` };
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
