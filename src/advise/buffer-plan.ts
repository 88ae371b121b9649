// Buffer sizing for a bandwidth-delay product: the kernel's caps, the SO_RCVBUF/SO_SNDBUF and sysctl values
// that fit, the sysctl file and setsockopt code (pure).
import { sysctlInt, sysctlInts, type Sysctls } from '../model/snapshot.js';
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
  /**
   * net.ipv4.tcp_moderate_rcvbuf (receive autotuning; per network namespace): false when 0, where the
   * kernel never grows a socket's rcvbuf past the tcp_rmem default (measured: rcvbuf stayed at the
   * tcp_rmem default, 11.5 of 20 Mbit/s). Null when unknown (a --host without it, an old snapshot).
   */
  moderateRcvbuf?: boolean | null;
}

/**
 * The largest buffer one socket can have: INT_MAX (sk_rcvbuf/sk_sndbuf are ints). A setsockopt value is
 * doubled up to it (MAX_SETSOCKOPT), and net.ipv4.tcp_rmem/tcp_wmem max accept it.
 */
export const MAX_BUFFER = 2147483647;

/**
 * The largest SO_RCVBUF/SO_SNDBUF (or *BUFFORCE) request the kernel keeps: INT_MAX / 2, which it doubles
 * (__sock_set_rcvbuf: min(val, INT_MAX / 2) * 2). Measured: SO_RCVBUFFORCE 629145600 read back 1258291200.
 */
export const MAX_SETSOCKOPT = 1073741823;

/** TCP's largest window: 65535 << 14 (window scale 14, RFC 7323), about 1 GiB. */
export const MAX_WINDOW = 65535 * 2 ** 14;

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

/**
 * The tcp_rmem/tcp_wmem max that lets autotuning cover a BDP: 2 x BDP, rounded up to a power of two, capped
 * at MAX_BUFFER (the most the sysctls take; autotuneCapped tells when).
 */
export function autotuneCeiling(bdp: number): number {
  return Math.min(MAX_BUFFER, pow2AtLeast(BUFFER_PER_WINDOW * bdp));
}

/** Whether autotuneCeiling was capped at MAX_BUFFER (2 x BDP rounded up to a power of two is above it). */
export function autotuneCapped(bdp: number): boolean {
  return pow2AtLeast(BUFFER_PER_WINDOW * bdp) > MAX_BUFFER;
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

/**
 * The setsockopt value for a BDP (the kernel doubles it): rounded up to 4 KiB, or to 64 KiB from 1 MiB,
 * capped at MAX_SETSOCKOPT. The verdicts and the plan both use it, so they name one value for one BDP.
 */
export function setsockoptValue(bdp: number): number {
  return Math.min(MAX_SETSOCKOPT, Math.max(4096, roundUp(bdp, bdp >= 1024 * 1024 ? 65536 : 4096)));
}

/** A max above the current one that covers 2 x BDP: never the current value again (at most MAX_BUFFER). */
export function raisedMax(bdp: number, current: number): number {
  return Math.min(MAX_BUFFER, Math.max(autotuneCeiling(bdp), pow2AtLeast(current + 1)));
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
  const so = setsockoptValue(bdp);
  if (bdp > MAX_WINDOW || BUFFER_PER_WINDOW * bdp > MAX_BUFFER)
    notes.push(
      `The BDP (${fmtBytes(bdp)}) is beyond what one connection can hold: TCP's largest window is about 1 GiB (65535 << 14) and a socket buffer at most ${MAX_BUFFER} bytes (INT_MAX; SO_RCVBUF/SO_SNDBUF capped at ${MAX_SETSOCKOPT}, which the kernel doubles), about half of it window: use several connections.`,
    );
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
