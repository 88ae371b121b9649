// Buffer sizing: bandwidth-delay product, recommended SO_RCVBUF/SO_SNDBUF and sysctl caps, setsockopt code (pure).
import { sysctlInt, sysctlInts, type Sysctls } from '../model/snapshot.js';
import { isLoopback, type Socket } from '../model/socket.js';
import { fmtBitRate, fmtBytes, fmtEndpoint, trimNum } from './format.js';
import { resolveThresholds } from './thresholds.js';

/** The kernel's buffer caps, read from the snapshot's sysctls (null when unknown). */
export interface BufferCaps {
  rmemMax: number | null;
  wmemMax: number | null;
  rmemDefault: number | null;
  wmemDefault: number | null;
  /** net.ipv4.tcp_rmem: min, default, max. */
  tcpRmem: [number, number, number] | null;
  tcpWmem: [number, number, number] | null;
  /**
   * net.ipv4.tcp_moderate_rcvbuf (receive autotuning; per network namespace): false when 0, where the
   * kernel never grows a socket's rcvbuf past the tcp_rmem default (measured: rcvbuf stayed at the
   * tcp_rmem default, 11.5 of 20 Mbit/s). Null when unknown (a --host without it, an old snapshot).
   */
  moderateRcvbuf?: boolean | null;
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
    moderateRcvbuf: moderateRcvbuf(s['net.ipv4.tcp_moderate_rcvbuf']),
  };
}

/** net.ipv4.tcp_moderate_rcvbuf's text as a flag (null when unknown). */
function moderateRcvbuf(v: string | null | undefined): boolean | null {
  const n = v == null ? NaN : Number.parseInt(v.trim(), 10);
  return Number.isFinite(n) ? n !== 0 : null;
}

/**
 * Buffer per byte of window: a socket buffer is counted in skb truesize (headers, struct sk_buff and slack
 * besides the payload), and the kernel offers about half of rcvbuf as window (tcp_adv_win_scale 1 / the
 * measured scaling ratio; 1448-byte segments take 2304 bytes of sndbuf). So a window of one BDP needs
 * 2 x BDP of buffer: the autotuning ceiling, the verdicts and buffer-below-bdp all use this factor, and the
 * setsockopt value is the BDP itself because the kernel doubles it.
 */
export const BUFFER_PER_WINDOW = 2;

/** The tcp_rmem/tcp_wmem max that lets autotuning cover a BDP: 2 x BDP, rounded up to a power of two. */
export function autotuneCeiling(bdp: number): number {
  return Math.min(MAX_BUFFER, pow2AtLeast(BUFFER_PER_WINDOW * bdp));
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
  const autotuneMax = autotuneCeiling(bdp);
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
  if (caps.moderateRcvbuf === false) {
    // With receive autotuning off a socket keeps the tcp_rmem default: no tcp_rmem max takes effect.
    sysctls.push({ name: 'net.ipv4.tcp_moderate_rcvbuf', current: '0', recommended: '1', ok: false, line: 'net.ipv4.tcp_moderate_rcvbuf = 1' });
    notes.push('Receive autotuning is off here (net.ipv4.tcp_moderate_rcvbuf = 0): every TCP socket keeps the tcp_rmem default, so raising tcp_rmem max does nothing until it is 1 (or raise the tcp_rmem default itself, which every socket then allocates).');
  }
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

/** One connection's buffer picture (from tcp_info and skmem). Sizes in bytes, rates in bytes/s, times in ms. */
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
  /** Bytes. */
  bdpBytes: number | null;
  /**
   * True when bdpBytes comes from a measured rate that a buffer or window holds down (the connection is
   * rwnd- or sndbuf-limited): the link needs more, so no setsockopt value is derived from it.
   */
  bdpLowerBound: boolean;
  rcvbuf: number | null;
  sndbuf: number | null;
  /** Percent of busy time (0 when the kernel reports busy time but no limited time). */
  rwndLimitedPct: number | null;
  sndbufLimitedPct: number | null;
  /** setsockopt arguments that fit the BDP (null when rtt or rate is unknown, or the BDP is only a lower bound). */
  recommendedRcvbuf: number | null;
  recommendedSndbuf: number | null;
  verdict: string;
}

/** When a connection counts as limited: buffer-below-bdp's thresholds (bufferLimitedRatio, bufferMinBusyMs). */
export interface BufferLimits {
  /** Share of busy time, 0-1. */
  ratio: number;
  minBusyUs: number;
}

/** The limits from thresholds (config `thresholds:`), defaults otherwise. */
export function bufferLimits(thresholds: Record<string, number> = {}): BufferLimits {
  const t = resolveThresholds(thresholds);
  return { ratio: t.bufferLimitedRatio, minBusyUs: t.bufferMinBusyMs * 1000 };
}

/** The largest window without window scaling (a 16-bit field). */
const UNSCALED_WINDOW = 65535;

/** A cause and what to do about it, for a verdict or a rule's evidence and fix. */
export interface BufferDiagnosis {
  /**
   * fixed: the facts show a buffer the application set (window scale 0, beyond the autotuning range, below
   * the tcp_rmem default, a limited sndbuf autotuning would have grown); slow-reader: unread data fills the
   * buffer; size: the buffer's size otherwise.
   */
  kind: 'fixed' | 'slow-reader' | 'size';
  cause: string;
  fix: string;
}

/** The setsockopt value for a BDP (the kernel doubles it), rounded up to 4 KiB. */
function setsockoptValue(bdp: number): number {
  return Math.max(4096, roundUp(bdp, 4096));
}

/**
 * What to set a buffer to. A BDP measured while a buffer held the rate down says only that the link needs
 * more (review: SO_SNDBUF 53248 sized that way still left a 20 Mbit/s link at 9.9 Mbit/s, sndbuf-limited
 * 52%), so then the link's BDP is asked for instead of a number.
 */
function sizeFor(bdp: number, lowerBound: boolean): string {
  return lowerBound
    ? `the link's BDP (more than the ${fmtBytes(bdp)} measured here, which the limit holds down: size it with --bandwidth <link speed>)`
    : String(setsockoptValue(bdp));
}

/** "(to N; Linux doubles it)" when the size can be a doubled setsockopt value. */
function asked(buffer: number): string {
  return buffer % 2 === 0 ? ` (to ${buffer / 2}; Linux doubles it)` : '';
}

/** A max above the current one that covers 2 x BDP: never the current value again. */
function raisedMax(bdp: number, current: number): number {
  return Math.max(autotuneCeiling(bdp), pow2AtLeast(current + 1));
}

/**
 * The most a window of `window` bytes carries per round trip, as a rate. Left out when the measured rate is
 * higher: on loopback srtt is inflated by delayed ACKs (1.04 ms with a 64 KiB window at 2.67 Gbit/s).
 */
function windowRate(window: number, rttMs: number | null, measured?: number | null): string {
  if (rttMs == null || rttMs <= 0) return '';
  const most = window / (rttMs / 1000);
  return measured != null && measured > most ? '' : `; at rtt ${trimNum(rttMs)} ms that is at most ${fmtBitRate(most)}`;
}

/**
 * Whether a sndbuf-limited connection's send buffer is the limit to report: below 2 x the measured BDP,
 * fixed by the application, or autotuned to tcp_wmem max. At the max 2 x BDP can exceed sndbuf only
 * because the measured BDP is a lower bound while the buffer holds the rate down (the limited time adds
 * up over the connection's life, the rate is the latest sample): the max is still what stops it.
 */
export function sendBufferLimits(sndbuf: number, bdp: number, d: BufferDiagnosis, caps: BufferCaps | undefined): boolean {
  return sndbuf < BUFFER_PER_WINDOW * bdp || d.kind === 'fixed' || (caps?.tcpWmem != null && sndbuf === caps.tcpWmem[2]);
}

/**
 * A sender limited by its own send buffer (sndbuf_limited). Autotuning sizes sndbuf from cwnd up to
 * tcp_wmem max: measured on a 20 Mbit/s x 50 ms link, default buffers were sndbuf-limited 0% (tb 1.75 MiB),
 * SO_SNDBUF 16384 (tb 32768) 66%. So a limited sndbuf below tcp_wmem max was fixed by the application,
 * where raising tcp_wmem does nothing; one at the max needs a higher max. sock_diag does not report the
 * lock (SOCK_SNDBUF_LOCK), hence "probably".
 */
export function sendBufferDiagnosis(sndbuf: number, bdp: number, lowerBound: boolean, caps: BufferCaps | undefined): BufferDiagnosis {
  const size = sizeFor(bdp, lowerBound);
  const wmem = caps?.tcpWmem;
  if (!wmem)
    return { kind: 'size', cause: `sndbuf is ${sndbuf} bytes (net.ipv4.tcp_wmem unknown)`, fix: `if the application sets SO_SNDBUF, remove it or set it >= ${size}; otherwise raise net.ipv4.tcp_wmem max` };
  const max = wmem[2];
  if (sndbuf > max)
    return {
      kind: 'fixed',
      cause: `sndbuf (${sndbuf} bytes) is above net.ipv4.tcp_wmem max (${max}), which autotuning never exceeds: the application set SO_SNDBUF${asked(sndbuf)}, and it is too small`,
      fix: `set SO_SNDBUF >= ${size} (capped by net.core.wmem_max ${caps?.wmemMax ?? 'unknown'})`,
    };
  if (sndbuf === max) {
    const need = raisedMax(bdp, max);
    return {
      kind: 'size',
      cause: `autotuning has taken sndbuf to net.ipv4.tcp_wmem max (${max})`,
      fix: `raise the max to ${lowerBound ? 'at least ' : ''}${need} (2 x BDP${lowerBound ? ", from the rate the buffer holds down: size it for the link with --bandwidth" : ''}): sysctl -w net.ipv4.tcp_wmem="${wmem[0]} ${wmem[1]} ${need}"`,
    };
  }
  return {
    kind: 'fixed',
    cause: `sndbuf (${sndbuf} bytes) is below net.ipv4.tcp_wmem max (${max}), where send autotuning would take it: the application probably set SO_SNDBUF${asked(sndbuf)}, which turns autotuning off for the socket (else TCP memory is under pressure: net.ipv4.tcp_mem)`,
    fix: `remove the setsockopt (autotuning then grows sndbuf up to ${max}) or set SO_SNDBUF >= ${size}; raising tcp_wmem does nothing for a fixed SO_SNDBUF`,
  };
}

/**
 * What limits a receiving socket on this host, from its own facts: unread data, its window scale, its
 * rcvbuf against the tcp_rmem default and max, and tcp_moderate_rcvbuf. Receive autotuning
 * (tcp_rcv_space_adjust) starts every socket at the tcp_rmem default and grows rcvbuf with what the
 * application reads per round trip, up to the max; SO_RCVBUF fixes it (and, set before listen()/connect(),
 * picks window scale 0 for a small buffer); tcp_moderate_rcvbuf=0 stops the growth. Measured: a reader
 * sleeping 10 ms per 64 KiB kept rcvbuf at the default with 73% of it unread; SO_RCVBUF 16384 gave rcvbuf
 * 32768, wscale 0, Recv-Q 0; tcp_moderate_rcvbuf=0 kept rcvbuf at the default (131072) after 11 MB.
 */
export function receiveBufferDiagnosis(r: Socket, bdp: number, lowerBound: boolean, caps: BufferCaps | undefined, rttMs: number | null, measured?: number | null): BufferDiagnosis | null {
  if (!r.skmem) return null;
  const rcvbuf = r.skmem.rcvbuf;
  const size = sizeFor(bdp, lowerBound);
  const rmem = caps?.tcpRmem ?? null;
  const [rmin, rdef, rmax] = rmem ?? [null, null, null];
  const unread = r.recvQUnknown ? 0 : r.recvQ;
  // One sample of the queue: on loopback a 64 KiB segment can sit in a small buffer between arrival and
  // read even with a fast reader, so a buffer the application fixed is named first when the facts show one.
  const full = r.skmem.rmemAlloc >= rcvbuf / 2 || unread >= rcvbuf / 4;
  const alsoUnread = full ? `; it also holds unread data now (Recv-Q ${unread} bytes), so the reader may be slow as well` : '';
  if (r.tcpInfo?.rcvWscale === 0 && (lowerBound || BUFFER_PER_WINDOW * bdp > UNSCALED_WINDOW))
    return {
      kind: 'fixed',
      cause: `the socket advertises no window scaling (wscale 0), so its window can never exceed 64 KiB whatever rcvbuf or tcp_rmem${windowRate(UNSCALED_WINDOW, rttMs, measured)}; a small SO_RCVBUF set before listen()/connect() does this (the kernel picks the scale from it; rcvbuf ${rcvbuf}${rcvbuf % 2 === 0 ? ` = 2 x ${rcvbuf / 2}` : ''}), or window scaling is off (net.ipv4.tcp_window_scaling = 0)${alsoUnread}`,
      fix: `remove the setsockopt, or set SO_RCVBUF >= ${size} before listen()/connect()`,
    };
  if (rmax != null && rcvbuf > rmax)
    return {
      kind: 'fixed',
      cause: `rcvbuf (${rcvbuf} bytes) is above net.ipv4.tcp_rmem max (${rmax}), which autotuning never exceeds: the application set SO_RCVBUF${asked(rcvbuf)}, and it is too small${alsoUnread}`,
      fix: `set SO_RCVBUF >= ${size} before listen()/connect() (capped by net.core.rmem_max ${caps?.rmemMax ?? 'unknown'})`,
    };
  if (rdef != null && rcvbuf < rdef)
    return {
      kind: 'fixed',
      cause: `rcvbuf (${rcvbuf} bytes) is below the tcp_rmem default (${rdef}) every socket starts with and autotuning only grows: the application set SO_RCVBUF${asked(rcvbuf)}, which turns receive autotuning off${alsoUnread}`,
      fix: `remove the setsockopt (autotuning then grows rcvbuf up to ${rmax}), or set SO_RCVBUF >= ${size} before listen()/connect()`,
    };
  if (full)
    return {
      kind: 'slow-reader',
      cause: `the application reads too slowly: its receive buffer holds unread data (Recv-Q ${unread} bytes, ${r.skmem.rmemAlloc} of rcvbuf ${rcvbuf} in use)${rcvbuf === rdef ? `, and rcvbuf is still the tcp_rmem default (${rdef}): autotuning grows it only as fast as the application reads` : ''}`,
      fix: 'make the application read faster (larger reads, no stalls between them); no buffer setting fixes a slow reader, and a fixed SO_RCVBUF would turn autotuning off',
    };
  if (caps?.moderateRcvbuf === false && (rdef == null || rcvbuf === rdef)) {
    const need = autotuneCeiling(bdp);
    return {
      kind: 'size',
      cause: `receive autotuning is off (net.ipv4.tcp_moderate_rcvbuf = 0), so rcvbuf stays at the tcp_rmem default (${rdef ?? rcvbuf}) and raising tcp_rmem max does nothing`,
      fix: `sysctl -w net.ipv4.tcp_moderate_rcvbuf=1${rmem ? `, or raise the default to ${lowerBound ? 'at least ' : ''}${need}: sysctl -w net.ipv4.tcp_rmem="${rmin} ${Math.max(need, rdef!)} ${Math.max(need, rmax!)}"` : ''}`,
    };
  }
  if (!rmem)
    return { kind: 'size', cause: `rcvbuf is ${rcvbuf} bytes (net.ipv4.tcp_rmem unknown)`, fix: `if the application sets SO_RCVBUF, remove it or set it >= ${size}; otherwise raise net.ipv4.tcp_rmem max, or make the application read faster` };
  if (rcvbuf === rmax) {
    const need = raisedMax(bdp, rmax);
    return {
      kind: 'size',
      cause: `autotuning has taken rcvbuf to net.ipv4.tcp_rmem max (${rmax})`,
      fix: `raise the max to ${lowerBound ? 'at least ' : ''}${need} (2 x BDP${lowerBound ? ', from the rate the window holds down: size it for the link with --bandwidth' : ''}): sysctl -w net.ipv4.tcp_rmem="${rmin} ${rdef} ${need}"`,
    };
  }
  const off = caps?.moderateRcvbuf == null ? ', or receive autotuning is off (net.ipv4.tcp_moderate_rcvbuf = 0)' : '';
  if (rcvbuf === rdef)
    return {
      kind: 'size',
      cause: `rcvbuf is still the tcp_rmem default (${rdef}): autotuning has not grown it, because the application reads slowly (it grows with what is read per round trip), or it set SO_RCVBUF to ${rdef! / 2} (Linux doubles it; autotuning off)${off}`,
      fix: `if the application sets SO_RCVBUF, remove it (autotuning then grows rcvbuf up to ${rmax}) or set it >= ${size}; otherwise make it read faster`,
    };
  return {
    kind: 'size',
    cause: `rcvbuf (${rcvbuf} bytes) is above the tcp_rmem default (${rdef}), so autotuning has grown it and can grow it up to ${rmax}, unless the application set SO_RCVBUF${asked(rcvbuf)}${off}`,
    fix: `if the application sets SO_RCVBUF, remove it or set it >= ${size}; otherwise autotuning follows what the application reads: make it read faster`,
  };
}

/**
 * A sender limited by the window of a receiver on another host: its rcvbuf, unread data and sysctls are
 * seen only there, so this host's tcp_rmem says nothing about it. What the sender does see is the
 * receiver's window scale (tcpi_snd_wscale): 0 caps its window at 64 KiB (measured: SO_RCVBUF 16384
 * before listen() gave wscale:0,10 on the sender and 2.9 Mbit/s on a 20 Mbit/s x 50 ms link).
 */
export function remoteReceiverDiagnosis(s: Socket, bdp: number, lowerBound: boolean, rttMs: number | null, measured?: number | null): BufferDiagnosis {
  if (s.tcpInfo?.sndWscale === 0)
    return {
      kind: 'fixed',
      cause: `the receiver advertises no window scaling (wscale 0): its window can never exceed 64 KiB whatever its tcp_rmem${windowRate(UNSCALED_WINDOW, rttMs, measured)}; a small SO_RCVBUF set before listen()/connect() on the receiving side does this, or window scaling is off there (net.ipv4.tcp_window_scaling = 0)`,
      fix: `on the receiving host, remove that setsockopt or set SO_RCVBUF >= ${sizeFor(bdp, lowerBound)} before listen()/connect()`,
    };
  return {
    kind: 'size',
    cause: "the receiver's window limits, and the receiver is on another host (its buffers and sysctls are seen there)",
    fix: `on the receiving host, look at the socket (sockscope buffers --port ${s.peer.port}): the application reads too slowly, sets a small SO_RCVBUF (remove it), receive autotuning is off there (net.ipv4.tcp_moderate_rcvbuf = 0), or its net.ipv4.tcp_rmem max is below 2 x BDP (raise the max there, keeping its min and default)`,
  };
}

/** No data sent or received on this end (bytes_acked counts the SYN as 1). */
function idle(t: Socket['tcpInfo']): boolean {
  return !!t && !((t.bytesSent ?? 0) > 0) && !((t.bytesReceived ?? 0) > 0) && !((t.bytesAcked ?? 0) > 1);
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
  if (peer) return `no delivery rate: this side only receives, and its local peer (${fmtEndpoint(peer.local)}, ${peer.state}) has measured none (closed, or not sending): give --bandwidth to size it`;
  if (localPeerAddress(s)) return 'no delivery rate: this side only receives, and its local peer is not in the socket list (closed, or in another network namespace): give --bandwidth to size it';
  return 'no delivery rate (this side only receives from a remote peer): give --bandwidth to size it';
}

const pctText = (v: number) => `${Math.round(v)}%`;

/**
 * Buffer analysis of one TCP connection; `targetBytesPerSecond` replaces the measured delivery rate when
 * given. `peer` is the other end when it is a socket on this host (loopback, containers): a receiving
 * socket then borrows the sender's rate and rwnd-limited time, since only senders measure them. Only the
 * buffers of the direction that carries data are judged (a bulk sender's rcvbuf holds nothing), and
 * "limited" means what buffer-below-bdp means (`limits`).
 */
export function connectionBuffers(s: Socket, targetBytesPerSecond?: number, peer?: Socket, caps?: BufferCaps, limits: BufferLimits = bufferLimits()): ConnectionBuffers {
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
  // The kernel reports busy time with the limited times (Linux 4.10+); ss prints rwnd_limited and
  // sndbuf_limited only when non-zero, so a missing one next to busy time is 0, not unknown.
  const pct = (t: TcpInfoLike | undefined, v?: number) => (t?.busyUs ? Math.min(100, (100 * (v ?? 0)) / t.busyUs) : null);
  const senderInfo = receiving ? pti : ti;
  const rwnd = pct(senderInfo, senderInfo?.rwndLimitedUs);
  const sndl = receiving ? null : pct(ti, ti?.sndbufLimitedUs);
  const judged = (senderInfo?.busyUs ?? 0) >= limits.minBusyUs;
  const sndLimited = judged && sndl != null && sndl >= 100 * limits.ratio;
  const rwndLimited = judged && rwnd != null && rwnd >= 100 * limits.ratio;
  const rcvbuf = s.skmem?.rcvbuf ?? null;
  const sndbuf = s.skmem?.sndbuf ?? null;
  const lowerBound = bdp != null && targetBytesPerSecond == null && (sndLimited || rwndLimited);
  const recommended = bdp != null && !lowerBound ? setsockoptValue(bdp) : null;
  // Which of this socket's buffers carry data: sndbuf when it sends, rcvbuf when it receives.
  const sends = ownRate != null;
  const receives = !sends || (ti?.bytesReceived ?? 0) > (ti?.bytesSent ?? 0);
  const sndDiagnosis = bdp != null && sndLimited && sndbuf != null ? sendBufferDiagnosis(sndbuf, bdp, lowerBound, caps) : null;
  let verdict: string;
  if (bdp == null)
    verdict = !ti && !pti
      ? 'no tcp_info from this source (try --source ss)'
      : rttMs == null
        ? 'rtt unknown: no BDP'
        : idle(ti) && (!peer || idle(pti))
          ? 'idle: no data sent either way yet, nothing to measure (give --bandwidth to size it for a link)'
          : receivesOnly(s, peer);
  else if (sndDiagnosis && sendBufferLimits(sndbuf!, bdp, sndDiagnosis, caps))
    verdict = `send buffer too small: sndbuf-limited ${pctText(sndl!)} of busy time; ${sndDiagnosis.cause}: ${sndDiagnosis.fix}`;
  else if (rwndLimited) {
    if (receiving) {
      const d = receiveBufferDiagnosis(s, bdp, lowerBound, caps, rttMs, rate);
      // rcvbuf >= 2 x BDP while the window limits means unread data shrinks the window, unless the
      // facts show a fixed buffer (on loopback a fixed 64 KiB one limits 64 KiB segments).
      verdict =
        d?.kind === 'slow-reader'
          ? `the sender is rwnd-limited ${pctText(rwnd!)} of busy time: ${d.cause}: ${d.fix}`
          : rcvbuf != null && rcvbuf >= BUFFER_PER_WINDOW * bdp && d?.kind !== 'fixed'
            ? `the sender is rwnd-limited ${pctText(rwnd!)} of busy time with rcvbuf >= 2 x BDP: this application reads too slowly (its buffer fills)`
            : `receive buffer too small: the sender is rwnd-limited ${pctText(rwnd!)} of busy time; ${d ? `${d.cause}: ${d.fix}` : `rcvbuf unknown: raise it (SO_RCVBUF >= ${sizeFor(bdp, lowerBound)}) or read faster`}`;
    } else {
      const local = peer?.skmem ? receiveBufferDiagnosis(peer, bdp, lowerBound, caps, rttMs, rate) : null;
      const d = local ?? remoteReceiverDiagnosis(s, bdp, lowerBound, rttMs, rate);
      verdict = `${d.kind === 'slow-reader' ? 'the receiver reads too slowly' : "receiver's window too small"}: rwnd-limited ${pctText(rwnd!)} of busy time; ${local ? `the receiver (${fmtEndpoint(peer!.local)}, on this host): ` : ''}${d.cause}: ${d.fix}`;
    }
  } else {
    const below: string[] = [];
    if (sends && sndbuf != null && sndbuf < BUFFER_PER_WINDOW * bdp) below.push('sndbuf');
    if (receives && rcvbuf != null && rcvbuf < BUFFER_PER_WINDOW * bdp) below.push('rcvbuf');
    const which = [sends ? 'sndbuf' : '', receives ? 'rcvbuf' : ''].filter(Boolean).join(' and ');
    // Limited time is measured by the sender: this socket, or the local peer of a receiving one.
    const measuredHere = sends || receiving;
    // sndbuf-limited while sndbuf is 2 x the measured BDP (a lower bound) and tcp_wmem unknown: the
    // limited time stands, so never "fits".
    if (sndDiagnosis) verdict = `sndbuf-limited ${pctText(sndl!)} of busy time with sndbuf ${fmtBytes(sndbuf!)} (the BDP measured while limited is only a lower bound); ${sndDiagnosis.cause}: ${sndDiagnosis.fix}`;
    else if (below.length === 0) verdict = `${which || 'buffers'} ${which.includes(' and ') || !which ? 'fit' : 'fits'} the BDP`;
    else if (measuredHere && judged)
      verdict = `${below.join(' and ')} below 2 x BDP but not limiting now (rwnd-limited ${pctText(rwnd ?? 0)}${sndl != null ? `, sndbuf-limited ${pctText(sndl)}` : ''} of busy time)`;
    else if (measuredHere)
      verdict = `${below.join(' and ')} below 2 x BDP; too little busy time (${Math.round((senderInfo?.busyUs ?? 0) / 1000)} ms, bufferMinBusyMs ${Math.round(limits.minBusyUs / 1000)}) to tell whether it limits`;
    else {
      // Receiving from a remote sender: only the sender measures rwnd_limited.
      const d = receiveBufferDiagnosis(s, bdp, lowerBound, caps, rttMs, rate);
      verdict = `rcvbuf below 2 x BDP (whether it limits shows on the sender, in its rwnd_limited: sockscope buffers there)${d ? `; ${d.cause}: ${d.fix}` : ''}`;
    }
  }
  return {
    local: fmtEndpoint(s.local),
    peer: fmtEndpoint(s.peer),
    state: s.state,
    processes: s.processes.map((p) => ({ pid: p.pid, name: p.name })),
    rttMs,
    deliveryRate: rate,
    bandwidthBasis: basisRate,
    basis: targetBytesPerSecond != null ? 'target' : basisRate != null ? (receiving ? 'peer-delivery-rate' : 'delivery-rate') : 'unknown',
    bdpBytes: bdp,
    bdpLowerBound: lowerBound,
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
