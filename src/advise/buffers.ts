// Buffer sizing: bandwidth-delay product, recommended SO_RCVBUF/SO_SNDBUF and sysctl caps, setsockopt code (pure).
import { sysctlInt, sysctlInts, type Sysctls } from '../model/snapshot.js';
import { isLoopback, type Socket } from '../model/socket.js';
import { fmtBitRate, fmtBytes, trimNum } from './format.js';

/** The kernel's buffer caps, read from the snapshot's sysctls (null when unknown). */
export interface BufferCaps {
  rmemMax: number | null;
  wmemMax: number | null;
  rmemDefault: number | null;
  wmemDefault: number | null;
  /** net.ipv4.tcp_rmem: min, default, max. */
  tcpRmem: [number, number, number] | null;
  tcpWmem: [number, number, number] | null;
}

/** Largest value sockscope proposes for one buffer (an int in the kernel; SO_RCVBUF is doubled). */
export const MAX_BUFFER = 1024 * 1024 * 1024;

/** Reads the caps from sysctls. */
export function capsFromSysctls(s: Sysctls): BufferCaps {
  const triple = (v: number[] | null): [number, number, number] | null => (v && v.length >= 3 ? [v[0], v[1], v[2]] : null);
  return {
    rmemMax: sysctlInt(s, 'net.core.rmem_max'),
    wmemMax: sysctlInt(s, 'net.core.wmem_max'),
    rmemDefault: sysctlInt(s, 'net.core.rmem_default'),
    wmemDefault: sysctlInt(s, 'net.core.wmem_default'),
    tcpRmem: triple(sysctlInts(s, 'net.ipv4.tcp_rmem')),
    tcpWmem: triple(sysctlInts(s, 'net.ipv4.tcp_wmem')),
  };
}

/** Bandwidth (bytes/s) x rtt (ms) in bytes. */
export function bdpBytes(bytesPerSecond: number, rttMs: number): number {
  return Math.ceil((bytesPerSecond * rttMs) / 1000);
}

function roundUp(n: number, step: number): number {
  return Math.ceil(n / step) * step;
}

function pow2AtLeast(n: number): number {
  let p = 4096;
  while (p < n) p *= 2;
  return p;
}

/** One sysctl: its current value, the value the BDP needs, and the line to apply. */
export interface SysctlAdvice {
  name: string;
  current: string | null;
  recommended: string;
  /** True when the current value is already enough. */
  ok: boolean;
  line: string;
}

/** Everything sockscope recommends for one bandwidth-delay product. */
export interface BufferPlan {
  bandwidthBytesPerSecond: number;
  rttMs: number;
  bdpBytes: number;
  /** The setsockopt(SO_RCVBUF / SO_SNDBUF) argument: the BDP (the kernel doubles it for bookkeeping overhead). */
  soRcvbuf: number;
  soSndbuf: number;
  /** What the kernel then allocates (2 x the argument). */
  allocatedBytes: number;
  /** Autotuning ceiling that lets the window reach the BDP: 2 x BDP, a power of two. */
  autotuneMax: number;
  sysctls: SysctlAdvice[];
  notes: string[];
}

/** The buffers and sysctls that fit a bandwidth and rtt, compared with the current caps (never lowered). */
export function planBuffers(bytesPerSecond: number, rttMs: number, caps: BufferCaps): BufferPlan {
  const bdp = bdpBytes(bytesPerSecond, rttMs);
  const notes: string[] = [];
  let so = Math.max(4096, roundUp(bdp, bdp >= 1024 * 1024 ? 65536 : 4096));
  if (so > MAX_BUFFER / 2) {
    notes.push(`The BDP (${fmtBytes(bdp)}) is beyond what one socket buffer can hold; capped at ${fmtBytes(MAX_BUFFER / 2)} (use several connections).`);
    so = MAX_BUFFER / 2;
  }
  const autotuneMax = Math.min(MAX_BUFFER, pow2AtLeast(2 * bdp));
  const sysctls: SysctlAdvice[] = [];
  const single = (name: string, cur: number | null, need: number): void => {
    const rec = Math.max(cur ?? 0, need);
    sysctls.push({ name, current: cur == null ? null : String(cur), recommended: String(rec), ok: cur != null && cur >= need, line: `${name} = ${rec}` });
  };
  const triple = (name: string, cur: [number, number, number] | null, dflt: [number, number, number], need: number): void => {
    const base = cur ?? dflt;
    const rec: [number, number, number] = [base[0], base[1], Math.max(base[2], need)];
    sysctls.push({ name, current: cur ? cur.join(' ') : null, recommended: rec.join(' '), ok: cur != null && cur[2] >= need, line: `${name} = ${rec.join(' ')}` });
  };
  single('net.core.rmem_max', caps.rmemMax, so);
  single('net.core.wmem_max', caps.wmemMax, so);
  triple('net.ipv4.tcp_rmem', caps.tcpRmem, [4096, 131072, 6291456], autotuneMax);
  triple('net.ipv4.tcp_wmem', caps.tcpWmem, [4096, 16384, 4194304], autotuneMax);
  notes.push(
    'Prefer autotuning: raise net.ipv4.tcp_rmem/tcp_wmem max and do not call setsockopt; setting SO_RCVBUF/SO_SNDBUF turns autotuning off for that socket.',
    'If you set them, do it before listen()/connect(): the window scale is fixed during the handshake.',
    'The kernel doubles the setsockopt value (bookkeeping overhead) and caps the request at net.core.rmem_max / wmem_max.',
  );
  return { bandwidthBytesPerSecond: bytesPerSecond, rttMs, bdpBytes: bdp, soRcvbuf: so, soSndbuf: so, allocatedBytes: so * 2, autotuneMax, sysctls, notes };
}

/** The sysctl lines to apply (only the ones that need raising), as a file for /etc/sysctl.d. */
export function sysctlFile(plan: BufferPlan): string {
  const lines = plan.sysctls.filter((s) => !s.ok).map((s) => s.line);
  if (lines.length === 0) return '# current limits already fit this BDP\n';
  return `# /etc/sysctl.d/90-sockscope-buffers.conf  (apply: sysctl --system)\n${lines.join('\n')}\n`;
}

export type CodeLanguage = 'c' | 'python' | 'node';

/** setsockopt code for the plan in C, Python or Node.js. */
export function setsockoptCode(plan: BufferPlan, language: CodeLanguage): string {
  const bdp = `BDP ${fmtBytes(plan.bdpBytes)} = ${fmtBitRate(plan.bandwidthBytesPerSecond)} x ${trimNum(plan.rttMs)} ms`;
  switch (language) {
    case 'c':
      return [
        `/* ${bdp}; the kernel doubles these values and caps them at net.core.rmem_max / wmem_max. */`,
        '/* Call before listen() or connect(). Setting them turns receive/send autotuning off for this socket. */',
        `int rcvbuf = ${plan.soRcvbuf}, sndbuf = ${plan.soSndbuf};`,
        'if (setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof rcvbuf) == -1) perror("setsockopt SO_RCVBUF");',
        'if (setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &sndbuf, sizeof sndbuf) == -1) perror("setsockopt SO_SNDBUF");',
      ].join('\n');
    case 'python':
      return [
        `# ${bdp}; the kernel doubles these values and caps them at net.core.rmem_max / wmem_max.`,
        '# Call before listen() or connect(). Setting them turns autotuning off for this socket.',
        `sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, ${plan.soRcvbuf})`,
        `sock.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, ${plan.soSndbuf})`,
      ].join('\n');
    case 'node':
      return [
        `// ${bdp}.`,
        "// TCP (net): Node has no SO_RCVBUF/SO_SNDBUF for TCP sockets; they autotune, so raise net.ipv4.tcp_rmem/tcp_wmem max (sysctl lines).",
        '// UDP (dgram): the kernel doubles these values and caps them at net.core.rmem_max / wmem_max.',
        `const sock = dgram.createSocket({ type: 'udp4', recvBufferSize: ${plan.soRcvbuf}, sendBufferSize: ${plan.soSndbuf} });`,
        `// or, once bound: sock.setRecvBufferSize(${plan.soRcvbuf}); sock.setSendBufferSize(${plan.soSndbuf});`,
      ].join('\n');
  }
}

/** One connection's buffer picture (from tcp_info and skmem). */
export interface ConnectionBuffers {
  local: string;
  peer: string;
  state: string;
  processes: { pid: number; name: string }[];
  rttMs: number | null;
  /** Measured delivery rate of the data direction, bytes/s (the local peer's when this side receives). */
  deliveryRate: number | null;
  /** Bandwidth the BDP is computed with (target if given, else delivery rate), bytes/s. */
  bandwidthBasis: number | null;
  /** Where the bandwidth comes from: --bandwidth, this socket's delivery rate, or the local peer's (receiving side). */
  basis: 'target' | 'delivery-rate' | 'peer-delivery-rate' | 'unknown';
  bdpBytes: number | null;
  rcvbuf: number | null;
  sndbuf: number | null;
  rwndLimitedPct: number | null;
  sndbufLimitedPct: number | null;
  /** setsockopt arguments that fit the BDP (null when rtt or rate is unknown). */
  recommendedRcvbuf: number | null;
  recommendedSndbuf: number | null;
  verdict: string;
}

/** No data sent or received on this end (bytes_acked counts the SYN as 1). */
function idle(t: Socket['tcpInfo']): boolean {
  return !!t && !((t.bytesSent ?? 0) > 0) && !((t.bytesReceived ?? 0) > 0) && !((t.bytesAcked ?? 0) > 1);
}

function ep(a: string, p: number): string {
  return a.includes(':') ? `[${a}]:${p}` : `${a}:${p}`;
}

/** A peer on this host: loopback, or this socket's own address (connections between local processes). */
function localPeerAddress(s: Socket): boolean {
  const a = s.peer.address;
  return a === s.local.address || isLoopback(a);
}

/**
 * The verdict of a connection that has received but measured no rate, nor its peer: a remote peer measures
 * it on its own host; a local one either was found without a rate (it closed, and the kernel keeps a
 * closed socket's end without tcp_info) or is not in this view (another network namespace).
 */
function receivesOnly(s: Socket, peer: Socket | undefined): string {
  if (peer) return `no delivery rate: this side only receives, and its local peer (${ep(peer.local.address, peer.local.port)}, ${peer.state}) has measured none (closed, or not sending): give --bandwidth to size it`;
  if (localPeerAddress(s)) return 'no delivery rate: this side only receives, and its local peer is not in the socket list (closed, or in another network namespace): give --bandwidth to size it';
  return 'no delivery rate (this side only receives from a remote peer): give --bandwidth to size it';
}

/**
 * Buffer analysis of one TCP connection; `targetBytesPerSecond` replaces the measured delivery rate when
 * given. `peer` is the other end when it is a socket on this host (loopback, containers): a receiving
 * socket then borrows the sender's rate and rwnd-limited time, since only senders measure them.
 */
export function connectionBuffers(s: Socket, targetBytesPerSecond?: number, peer?: Socket, caps?: BufferCaps): ConnectionBuffers {
  const ti = s.tcpInfo;
  const pti = peer?.tcpInfo;
  const ownRate = ti?.deliveryRate != null && ti.deliveryRate > 0 && (ti.bytesSent ?? ti.bytesAcked ?? 1) > 1 ? ti.deliveryRate : null;
  const peerRate = pti?.deliveryRate != null && pti.deliveryRate > 0 ? pti.deliveryRate : null;
  // The direction that carries data: this side's sending, or (receiver) the local peer's sending.
  const receiving = ownRate == null && peerRate != null;
  const rate = receiving ? peerRate : ownRate;
  // The sender's rtt is the one the window must cover (a receiver's own rtt estimate is rough).
  const rttUs = receiving ? (pti?.rttUs ?? ti?.rttUs) : (ti?.rttUs ?? pti?.rttUs);
  const rttMs = rttUs != null ? rttUs / 1000 : null;
  const basisRate = targetBytesPerSecond ?? rate;
  const bdp = rttMs != null && basisRate != null ? bdpBytes(basisRate, rttMs) : null;
  const pct = (t: TcpInfoLike | undefined, v?: number) => (v != null && t?.busyUs ? Math.min(100, (100 * v) / t.busyUs) : null);
  const rwnd = receiving ? pct(pti, pti?.rwndLimitedUs) : pct(ti, ti?.rwndLimitedUs);
  const sndl = receiving ? null : pct(ti, ti?.sndbufLimitedUs);
  const rcvbuf = s.skmem?.rcvbuf ?? null;
  const sndbuf = s.skmem?.sndbuf ?? null;
  const recommended = bdp != null ? Math.max(4096, roundUp(bdp, 4096)) : null;
  let verdict: string;
  if (bdp == null)
    verdict = !ti && !pti
      ? 'no tcp_info from this source (try --source ss)'
      : rttMs == null
        ? 'rtt unknown: no BDP'
        : idle(ti) && (!peer || idle(pti))
          ? 'idle: no data sent either way yet, nothing to measure (give --bandwidth to size it for a link)'
          : receivesOnly(s, peer);
  else if (sndl != null && sndl >= 20 && sndbuf != null && sndbuf < 2 * bdp) verdict = `send buffer too small: sndbuf-limited ${Math.round(sndl)}% of busy time; raise SO_SNDBUF or tcp_wmem max`;
  else if (rwnd != null && rwnd >= 20)
    verdict = receiving
      ? rcvbuf != null && rcvbuf < 2 * bdp && caps?.tcpRmem && rcvbuf < caps.tcpRmem[2] / 2
        ? `receive buffer too small and not autotuned: the sender is rwnd-limited ${Math.round(rwnd)}% of busy time, rcvbuf (${rcvbuf} bytes) is below 2 x BDP and far below tcp_rmem max (${caps.tcpRmem[2]}): the application probably set SO_RCVBUF (which turns autotuning off); remove it or set SO_RCVBUF >= ${recommended}`
        : rcvbuf != null && rcvbuf < 2 * bdp
        ? `receive buffer too small: the sender is rwnd-limited ${Math.round(rwnd)}% of busy time and rcvbuf (${rcvbuf} bytes) is below 2 x BDP; raise tcp_rmem max, or SO_RCVBUF >= ${recommended}`
        : `the sender is rwnd-limited ${Math.round(rwnd)}% of busy time with rcvbuf >= 2 x BDP: this application reads too slowly (its buffer fills)`
      : `receiver's window too small: rwnd-limited ${Math.round(rwnd)}% of busy time; raise the peer's receive buffer (tcp_rmem max there) or make the peer read faster`;
  else if ((rcvbuf == null || rcvbuf >= 2 * bdp) && (sndbuf == null || sndbuf >= 2 * bdp)) verdict = 'buffers fit the BDP';
  else verdict = 'buffers below 2 x BDP but not limiting now (autotuning grows them on demand)';
  return {
    local: ep(s.local.address, s.local.port),
    peer: ep(s.peer.address, s.peer.port),
    state: s.state,
    processes: s.processes.map((p) => ({ pid: p.pid, name: p.name })),
    rttMs,
    deliveryRate: rate,
    bandwidthBasis: basisRate,
    basis: targetBytesPerSecond != null ? 'target' : basisRate != null ? (receiving ? 'peer-delivery-rate' : 'delivery-rate') : 'unknown',
    bdpBytes: bdp,
    rcvbuf,
    sndbuf,
    rwndLimitedPct: rwnd,
    sndbufLimitedPct: sndl,
    recommendedRcvbuf: recommended,
    recommendedSndbuf: recommended,
    verdict,
  };
}

type TcpInfoLike = { busyUs?: number };

/** Finds the other end of a connection when it is also on this host (same 4-tuple reversed); index built once. */
export function localPeerFinder(sockets: readonly Socket[]): (s: Socket) => Socket | undefined {
  const byTuple = new Map<string, Socket>();
  for (const x of sockets) if (x.protocol === 'tcp' && x.state !== 'LISTEN') byTuple.set(`${x.local.address}|${x.local.port}|${x.peer.address}|${x.peer.port}`, x);
  return (s) => {
    if (s.protocol !== 'tcp') return undefined;
    const peer = byTuple.get(`${s.peer.address}|${s.peer.port}|${s.local.address}|${s.local.port}`);
    return peer === s ? undefined : peer;
  };
}
