// Pure parser for /proc/net/tcp, tcp6, udp and udp6 (net/ipv4/tcp_ipv4.c get_tcp4_sock and friends).
import { isLinkLocal, KERNEL_STATE_BY_NUMBER, normalizeAddress, type Socket, type SocketTimer } from '../model/socket.js';
import { compressIpv6 } from './ipv6-text.js';

export type ProcNetKind = 'tcp' | 'tcp6' | 'udp' | 'udp6';

export interface ProcNetOptions {
  /** Byte order of the machine that produced the text: the kernel prints each 32-bit word natively. Default: little-endian. */
  littleEndian?: boolean;
  /** Milliseconds per tm->when unit: the kernel prints clock_t ticks (USER_HZ, 100 on Linux): 10 ms. */
  msPerTick?: number;
  /**
   * Called with each link-local IPv6 address (fe80::/10) as it is decoded, local or peer: the file has
   * no interface field, so the address is shown without its zone (fe80::1, where ss shows fe80::1%eth0).
   */
  onLinkLocal?: (address: string) => void;
}

/** tr field of /proc/net/tcp -> the timer names ss -o uses. */
const TIMERS: Record<number, SocketTimer['name']> = { 1: 'on', 2: 'keepalive', 3: 'timewait', 4: 'persist' };

const HEX = /^[0-9A-Fa-f]+$/;

function wordBytes(hex8: string, littleEndian: boolean): number[] {
  const b = [0, 2, 4, 6].map((i) => Number.parseInt(hex8.slice(i, i + 2), 16));
  return littleEndian ? b.reverse() : b;
}

/**
 * Decodes a /proc/net address field "0100007F:1F90" or the 32+4 hex-digit IPv6 form.
 * IPv4-mapped IPv6 addresses come back as IPv4 (mapped: true). Null when malformed.
 */
export function parseProcNetAddress(field: string, littleEndian = true): { address: string; port: number; mapped: boolean } | null {
  const colon = field.indexOf(':');
  if (colon < 0) return null;
  const a = field.slice(0, colon);
  const p = field.slice(colon + 1);
  if (p.length !== 4 || !HEX.test(p) || !HEX.test(a)) return null;
  const port = Number.parseInt(p, 16);
  if (a.length === 8) return { address: wordBytes(a, littleEndian).join('.'), port, mapped: false };
  if (a.length !== 32) return null;
  const bytes: number[] = [];
  for (let w = 0; w < 4; w++) bytes.push(...wordBytes(a.slice(w * 8, w * 8 + 8), littleEndian));
  const groups: string[] = [];
  for (let i = 0; i < 16; i += 2) groups.push(((bytes[i] << 8) | bytes[i + 1]).toString(16));
  const n = normalizeAddress(compressIpv6(groups));
  return { address: n.address, port, mapped: n.mapped };
}

// One anchored regex per line (fast on 100k-line files): sl, local, remote, st, tx:rx, tr:when, retrnsmt, uid,
// timeout, inode, refcount and the socket pointer; a line cut before the pointer does not match.
const LINE4 = /^ *\d+: ([0-9A-Fa-f]{8}):([0-9A-Fa-f]{4}) ([0-9A-Fa-f]{8}):([0-9A-Fa-f]{4}) ([0-9A-Fa-f]{2}) ([0-9A-Fa-f]{8}):([0-9A-Fa-f]{8}) ([0-9A-Fa-f]{2}):([0-9A-Fa-f]{8}) ([0-9A-Fa-f]{8}) +(\d+) +(-?\d+) +(\d+) +(-?\d+) +[0-9A-Fa-f]+(?: +(\d+))?(?: |$)/;
const LINE6 = /^ *\d+: ([0-9A-Fa-f]{32}):([0-9A-Fa-f]{4}) ([0-9A-Fa-f]{32}):([0-9A-Fa-f]{4}) ([0-9A-Fa-f]{2}) ([0-9A-Fa-f]{8}):([0-9A-Fa-f]{8}) ([0-9A-Fa-f]{2}):([0-9A-Fa-f]{8}) ([0-9A-Fa-f]{8}) +(\d+) +(-?\d+) +(\d+) +(-?\d+) +[0-9A-Fa-f]+(?: +(\d+))?(?: |$)/;

/** Decoded addresses by their hex text: busy hosts repeat a few addresses thousands of times. */
const addrCache = new Map<string, string>();


function decodeAddress(hex: string, littleEndian: boolean, onLinkLocal: ((address: string) => void) | undefined): string {
  const key = littleEndian ? hex : `be:${hex}`;
  let a = addrCache.get(key);
  if (a === undefined) {
    a = parseProcNetAddress(`${hex}:0000`, littleEndian)!.address;
    // A link-local address is never cached, so that every decode reports it: the cached path (every
    // other address) does no work for it.
    if (isLinkLocal(a)) {
      onLinkLocal?.(a);
      return a;
    }
    if (addrCache.size > 50_000) addrCache.clear();
    addrCache.set(key, a);
  }
  return a;
}

/**
 * Parses one data line; null when it is not a complete socket line (header, blank, truncated).
 * Fields: sl local rem st tx_queue:rx_queue tr:tm->when retrnsmt uid timeout inode ref pointer, then
 * drops (UDP) or rto ato quick/pingpong cwnd ssthresh (TCP).
 */
export function parseProcNetLine(line: string, kind: ProcNetKind, opts: ProcNetOptions = {}): Socket | null {
  const v6 = kind.endsWith('6');
  const m = (v6 ? LINE6 : LINE4).exec(line);
  if (!m) return null;
  const le = opts.littleEndian ?? true;
  const state = KERNEL_STATE_BY_NUMBER[Number.parseInt(m[5], 16)];
  if (!state) return null;
  const protocol = kind.startsWith('tcp') ? 'tcp' : 'udp';
  const sock: Socket = {
    protocol,
    ipVersion: v6 ? 6 : 4,
    state,
    local: { address: decodeAddress(m[1], le, opts.onLinkLocal), port: Number.parseInt(m[2], 16) },
    peer: { address: decodeAddress(m[3], le, opts.onLinkLocal), port: Number.parseInt(m[4], 16) },
    sendQ: Number.parseInt(m[6], 16),
    recvQ: Number.parseInt(m[7], 16),
    uid: Number(m[11]),
    inode: Number(m[13]),
    processes: [],
  };
  // UDP lines end with sk_drops (udp4_format_sock); on TCP lines the same place holds rto.
  if (protocol === 'udp' && m[15] !== undefined) sock.drops = Number(m[15]);
  // For LISTEN the kernel prints write_seq - snd_una (0) here, not the backlog (only sock_diag has it).
  if (state === 'LISTEN') sock.sendQUnknown = true;
  const tr = Number.parseInt(m[8], 16);
  if (TIMERS[tr]) {
    // tm->when is a signed clock_t delta printed as unsigned hex: an expired timer shows as a huge value.
    let ticks = Number.parseInt(m[9], 16);
    if (ticks >= 0x80000000) ticks = 0;
    const timer: SocketTimer = { name: TIMERS[tr], expiresMs: ticks * (opts.msPerTick ?? 10) };
    // What the timer counts, as inet_diag's idiag_retrans (netlink, ss -o) and netstat -o give it: the retransmit
    // timer counts retransmits (retrnsmt, icsk_retransmits, hex); the keepalive and zero-window probe timers count
    // unanswered probes, icsk_probes_out, which get_tcp4_sock/get_tcp6_sock print in the "timeout" column (decimal).
    // Measured on 6.18: a keepalive socket whose peer went away shows retrnsmt 0, timeout 4, and ss keepalive,...,4.
    if (protocol === 'tcp' && tr !== 3) timer.retrans = tr === 1 ? Number.parseInt(m[10], 16) : Number(m[12]);
    sock.timer = timer;
  }
  return sock;
}

/**
 * Parses a whole /proc/net/{tcp,tcp6,udp,udp6} text. The header and malformed lines are skipped; when
 * the text does not end with a newline its last line is treated as truncated and skipped.
 */
export function parseProcNet(text: string, kind: ProcNetKind, opts: ProcNetOptions = {}): Socket[] {
  const lines = text.split('\n');
  if (!text.endsWith('\n')) lines.pop();
  const out: Socket[] = [];
  for (const line of lines) {
    if (line.length === 0) continue;
    const s = parseProcNetLine(line, kind, opts);
    if (s) out.push(s);
  }
  return out;
}
