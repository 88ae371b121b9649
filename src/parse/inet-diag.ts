// Pure parsers for NETLINK_SOCK_DIAG replies: netlink message framing, rtattr walking, inet_diag_msg,
// tcp_info and skmeminfo (layouts from include/uapi/linux/{netlink,inet_diag,tcp,sock_diag}.h).
// Also builds the binary requests (inet_diag_req_v2 with an optional port bytecode filter).
import { KERNEL_STATE_BY_NUMBER, type Endpoint, type ProcessRef, type Protocol, type SkMem, type Socket, type SocketTimer, type TcpInfo } from '../model/socket.js';

// ---- netlink framing (linux/netlink.h) ----
export const NLMSG_HDRLEN = 16;
export const NLMSG_NOOP = 1;
export const NLMSG_ERROR = 2;
export const NLMSG_DONE = 3;
export const NLMSG_OVERRUN = 4;
export const NLM_F_REQUEST = 0x1;
export const NLM_F_MULTI = 0x2;
export const NLM_F_DUMP_INTR = 0x10;
export const NLM_F_DUMP = 0x300;
export const SOCK_DIAG_BY_FAMILY = 20;

export const AF_UNIX = 1;
export const AF_INET = 2;
export const AF_INET6 = 10;
export const IPPROTO_TCP = 6;
export const IPPROTO_UDP = 17;

// ---- inet_diag (linux/inet_diag.h) ----
export const INET_DIAG_MSG_LEN = 72;
export const INET_DIAG_REQ_V2_LEN = 56;
export const INET_DIAG_REQ_BYTECODE = 1;
export const INET_DIAG_MEMINFO = 1;
export const INET_DIAG_INFO = 2;
export const INET_DIAG_CONG = 4;
export const INET_DIAG_SKMEMINFO = 7;
export const INET_DIAG_SHUTDOWN = 8;
export const INET_DIAG_BC_S_GE = 2;
export const INET_DIAG_BC_S_LE = 3;
export const INET_DIAG_BC_D_GE = 4;
export const INET_DIAG_BC_D_LE = 5;
/** Every TCP state bit, TCP_ESTABLISHED (1) .. TCP_NEW_SYN_RECV (12). */
export const ALL_STATES_MASK = 0x1ffe;

/** Aligns to the netlink 4-byte boundary (NLMSG_ALIGN / RTA_ALIGN / NLA_ALIGN). */
export function align4(n: number): number {
  return (n + 3) & ~3;
}

/** One netlink message inside a receive buffer: header fields plus where its payload lies. */
export interface NlMessage {
  type: number;
  flags: number;
  seq: number;
  pid: number;
  /** Offset of the payload (after the 16-byte header) in the buffer. */
  offset: number;
  /** Payload length in bytes (nlmsg_len - 16). */
  length: number;
}

/** Result of walking one receive buffer. */
export interface NlWalk {
  messages: NlMessage[];
  /** NLMSG_DONE seen: the dump is complete. */
  done: boolean;
  /** Negative errno from NLMSG_ERROR (or a failed NLMSG_DONE); 0 when none. */
  error: number;
  /** Some message carried NLM_F_DUMP_INTR (the table changed during the dump; results may be inconsistent). */
  interrupted: boolean;
  /** Bytes at the end that did not form a whole message (a truncated buffer). */
  trailing: number;
}

/**
 * Splits a receive buffer into netlink messages (NLMSG_OK / NLMSG_NEXT). Stops at NLMSG_DONE or
 * NLMSG_ERROR; a message whose length is impossible or runs past `len` ends the walk (counted as trailing).
 */
export function walkNetlink(buf: Uint8Array, len: number = buf.length): NlWalk {
  const dv = new DataView(buf.buffer, buf.byteOffset, Math.min(len, buf.length));
  const end = dv.byteLength;
  const out: NlWalk = { messages: [], done: false, error: 0, interrupted: false, trailing: 0 };
  let off = 0;
  while (off + NLMSG_HDRLEN <= end) {
    const mlen = dv.getUint32(off, true);
    if (mlen < NLMSG_HDRLEN || off + mlen > end) break;
    const type = dv.getUint16(off + 4, true);
    const flags = dv.getUint16(off + 6, true);
    if (flags & NLM_F_DUMP_INTR) out.interrupted = true;
    if (type === NLMSG_DONE) {
      out.done = true;
      if (mlen >= NLMSG_HDRLEN + 4) {
        const e = dv.getInt32(off + NLMSG_HDRLEN, true);
        if (e < 0) out.error = e;
      }
      return out;
    }
    if (type === NLMSG_ERROR) {
      out.error = mlen >= NLMSG_HDRLEN + 4 ? dv.getInt32(off + NLMSG_HDRLEN, true) : -5; /* EIO */
      // error 0 is an ACK, not a failure; a dump never asks for ACKs, so treat it as the end.
      out.done = true;
      return out;
    }
    if (type !== NLMSG_NOOP && type !== NLMSG_OVERRUN) {
      out.messages.push({ type, flags, seq: dv.getUint32(off + 8, true), pid: dv.getUint32(off + 12, true), offset: off + NLMSG_HDRLEN, length: mlen - NLMSG_HDRLEN });
    }
    off += align4(mlen);
  }
  out.trailing = Math.max(0, end - off);
  return out;
}

/** One attribute (struct rtattr / nlattr): type with the NESTED and BYTEORDER flags masked off. */
export interface RtAttr {
  type: number;
  offset: number;
  length: number;
}

/** Walks the rtattrs in [start, end) of a buffer (RTA_OK / RTA_NEXT); stops at the first malformed one. */
export function walkAttrs(dv: DataView, start: number, end: number): RtAttr[] {
  const out: RtAttr[] = [];
  let off = start;
  while (off + 4 <= end) {
    const alen = dv.getUint16(off, true);
    if (alen < 4 || off + alen > end) break;
    out.push({ type: dv.getUint16(off + 2, true) & 0x3fff, offset: off + 4, length: alen - 4 });
    off += align4(alen);
  }
  return out;
}

// ---- requests ----

/** Extension bits of inet_diag_req_v2.idiag_ext: bit (attr - 1). */
export function extBit(attr: number): number {
  return 1 << (attr - 1);
}

export interface InetDiagRequest {
  family: typeof AF_INET | typeof AF_INET6;
  protocol: typeof IPPROTO_TCP | typeof IPPROTO_UDP;
  /** Bitmask of kernel states (1 << TCP_ESTABLISHED ...). */
  states?: number;
  /** Ask for tcp_info, congestion control name and skmeminfo. */
  details?: boolean;
  /** Kernel-side filter: local port equals (or, when both are given, peer port equals). */
  port?: number;
  /** Kernel-side filter: peer port equals. */
  peerPort?: number;
  seq?: number;
}

export const INET_DIAG_BC_JMP = 1;

/**
 * Bytecode block that is true when the local (source) or peer (dest) port equals `port`: S_GE then
 * S_LE. Block convention (as in ss): falling off the end of a block means true; jumping to
 * block length + 4 means false.
 */
export function portEqualsBytecode(which: 'local' | 'peer', port: number): Buffer {
  const [ge, le] = which === 'local' ? [INET_DIAG_BC_S_GE, INET_DIAG_BC_S_LE] : [INET_DIAG_BC_D_GE, INET_DIAG_BC_D_LE];
  const b = Buffer.alloc(16);
  for (const [i, code] of [ge, le].entries()) {
    const off = i * 8;
    b.writeUInt8(code, off);
    b.writeUInt8(8, off + 1); // yes: the next op (or the block end: true)
    b.writeUInt16LE(16 - off + 4, off + 2); // no: block end + 4: false
    b.writeUInt16LE(port, off + 6); // the port rides in the "no" field of the second op
  }
  return b;
}

/** `a || b` as ss compiles it: a, then a JMP over b (taken when a is true), then b. */
export function orBytecode(a: Buffer, b: Buffer): Buffer {
  const out = Buffer.alloc(a.length + 4 + b.length);
  a.copy(out, 0);
  out.writeUInt8(INET_DIAG_BC_JMP, a.length);
  out.writeUInt8(4, a.length + 1);
  out.writeUInt16LE(b.length + 4, a.length + 2);
  b.copy(out, a.length + 4);
  return out;
}

/** The kernel-side filter for CollectOptions.port / peerPort (either matches, as the ss collector does). */
export function portFilterBytecode(port?: number, peerPort?: number): Buffer | null {
  const l = port !== undefined ? portEqualsBytecode('local', port) : null;
  const p = peerPort !== undefined ? portEqualsBytecode('peer', peerPort) : null;
  if (l && p) return orBytecode(l, p);
  return l ?? p;
}

/** Runs inet_diag bytecode as the kernel does (inet_diag_bc_run) for ports only: for tests of the builder. */
export function runPortBytecode(bc: Buffer, sport: number, dport: number): boolean {
  let len = bc.length;
  let pc = 0;
  while (len > 0) {
    const code = bc.readUInt8(pc);
    let yes = true;
    switch (code) {
      case INET_DIAG_BC_JMP:
        yes = false;
        break;
      case INET_DIAG_BC_S_GE:
        yes = sport >= bc.readUInt16LE(pc + 6);
        break;
      case INET_DIAG_BC_S_LE:
        yes = sport <= bc.readUInt16LE(pc + 6);
        break;
      case INET_DIAG_BC_D_GE:
        yes = dport >= bc.readUInt16LE(pc + 6);
        break;
      case INET_DIAG_BC_D_LE:
        yes = dport <= bc.readUInt16LE(pc + 6);
        break;
      default:
        return false;
    }
    const step = yes ? bc.readUInt8(pc + 1) : bc.readUInt16LE(pc + 2);
    len -= step;
    pc += step;
  }
  return len === 0;
}

/** Builds nlmsghdr + inet_diag_req_v2 (+ INET_DIAG_REQ_BYTECODE attribute) for a SOCK_DIAG_BY_FAMILY dump. */
export function buildInetDiagRequest(r: InetDiagRequest): Buffer {
  const bc = portFilterBytecode(r.port, r.peerPort);
  const attrLen = bc ? align4(4 + bc.length) : 0;
  const total = NLMSG_HDRLEN + INET_DIAG_REQ_V2_LEN + attrLen;
  const b = Buffer.alloc(total);
  b.writeUInt32LE(total, 0);
  b.writeUInt16LE(SOCK_DIAG_BY_FAMILY, 4);
  b.writeUInt16LE(NLM_F_REQUEST | NLM_F_DUMP, 6);
  b.writeUInt32LE(r.seq ?? 1, 8);
  b.writeUInt32LE(0, 12);
  const p = NLMSG_HDRLEN;
  b.writeUInt8(r.family, p);
  b.writeUInt8(r.protocol, p + 1);
  let ext = 0;
  if (r.details) {
    ext = extBit(INET_DIAG_INFO) | extBit(INET_DIAG_SKMEMINFO);
    if (r.protocol === IPPROTO_TCP) ext |= extBit(INET_DIAG_CONG);
  }
  b.writeUInt8(ext, p + 2);
  b.writeUInt32LE((r.states ?? ALL_STATES_MASK) >>> 0, p + 4);
  // id: all zero = wildcard; cookie INET_DIAG_NOCOOKIE.
  b.writeUInt32LE(0xffffffff, p + 8 + 40);
  b.writeUInt32LE(0xffffffff, p + 8 + 44);
  if (bc) {
    const a = p + INET_DIAG_REQ_V2_LEN;
    b.writeUInt16LE(4 + bc.length, a);
    b.writeUInt16LE(INET_DIAG_REQ_BYTECODE, a + 2);
    bc.copy(b, a + 4);
  }
  return b;
}

// ---- addresses ----

const v4Cache = new Map<number, string>();

/** Dotted IPv4 from a big-endian u32 (cached: a host has few distinct addresses). */
export function ipv4FromU32(v: number): string {
  let s = v4Cache.get(v);
  if (s === undefined) {
    s = `${v >>> 24}.${(v >>> 16) & 255}.${(v >>> 8) & 255}.${v & 255}`;
    if (v4Cache.size > 65536) v4Cache.clear();
    v4Cache.set(v, s);
  }
  return s;
}

/** RFC 5952 text of an IPv6 address given as eight 16-bit groups (longest zero run of 2+ compressed). */
export function formatIpv6Groups(g: readonly number[]): string {
  let bestStart = -1;
  let bestLen = 0;
  for (let i = 0; i < 8; ) {
    if (g[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && g[j] === 0) j++;
    if (j - i > bestLen) {
      bestStart = i;
      bestLen = j - i;
    }
    i = j;
  }
  if (bestLen < 2) return g.map((x) => x.toString(16)).join(':');
  const head = g.slice(0, bestStart).map((x) => x.toString(16)).join(':');
  const tail = g.slice(bestStart + bestLen).map((x) => x.toString(16)).join(':');
  return `${head}::${tail}`;
}

const v6Cache = new Map<string, string>();

/**
 * Reads a 16-byte address at `off`. IPv4 sockets use the first 4 bytes; IPv6 addresses that are
 * IPv4-mapped (::ffff:a.b.c.d) come back as plain IPv4, as the model wants.
 */
export function readAddress(dv: DataView, off: number, family: number): string {
  const w0 = dv.getUint32(off, false);
  if (family === AF_INET) return ipv4FromU32(w0);
  const w1 = dv.getUint32(off + 4, false);
  const w2 = dv.getUint32(off + 8, false);
  const w3 = dv.getUint32(off + 12, false);
  if (w0 === 0 && w1 === 0) {
    if (w2 === 0xffff) return ipv4FromU32(w3);
    if (w2 === 0 && w3 === 0) return '::';
    if (w2 === 0 && w3 === 1) return '::1';
  }
  const key = `${w0},${w1},${w2},${w3}`;
  let s = v6Cache.get(key);
  if (s === undefined) {
    s = formatIpv6Groups([w0 >>> 16, w0 & 0xffff, w1 >>> 16, w1 & 0xffff, w2 >>> 16, w2 & 0xffff, w3 >>> 16, w3 & 0xffff]);
    if (v6Cache.size > 65536) v6Cache.clear();
    v6Cache.set(key, s);
  }
  return s;
}

function isLinkLocal(address: string): boolean {
  return address.startsWith('fe8') || address.startsWith('fe9') || address.startsWith('fea') || address.startsWith('feb');
}

/** A u64 little-endian field as a Number (exact below 2^53, which byte and time counters stay under). */
export function u64(dv: DataView, off: number): number {
  return dv.getUint32(off, true) + dv.getUint32(off + 4, true) * 4294967296;
}

/** Decimal text of a 64-bit socket cookie given as two u32 halves (cookie[0] low, cookie[1] high). */
export function cookieString(lo: number, hi: number): string {
  if (hi < 0x200000) return String(hi * 4294967296 + lo);
  return ((BigInt(hi) << 32n) | BigInt(lo)).toString();
}

// ---- tcp_info (linux/tcp.h) ----

/** Byte offsets of the struct tcp_info fields sockscope reads. Older kernels send a shorter struct. */
export const TCP_INFO_OFFSETS = {
  state: 0,
  caState: 1,
  retransmits: 2,
  wscale: 6,
  rto: 8,
  ato: 12,
  sndMss: 16,
  rcvMss: 20,
  unacked: 24,
  retrans: 36,
  lastDataSent: 44,
  lastDataRecv: 52,
  lastAckRecv: 56,
  pmtu: 60,
  rcvSsthresh: 64,
  rtt: 68,
  rttvar: 72,
  sndSsthresh: 76,
  sndCwnd: 80,
  advmss: 84,
  reordering: 88,
  rcvRtt: 92,
  rcvSpace: 96,
  totalRetrans: 100,
  pacingRate: 104,
  maxPacingRate: 112,
  bytesAcked: 120,
  bytesReceived: 128,
  segsOut: 136,
  segsIn: 140,
  notsentBytes: 144,
  minRtt: 148,
  dataSegsIn: 152,
  dataSegsOut: 156,
  deliveryRate: 160,
  busyTime: 168,
  rwndLimited: 176,
  sndbufLimited: 184,
  delivered: 192,
  deliveredCe: 196,
  bytesSent: 200,
  bytesRetrans: 208,
  dsackDups: 216,
  reordSeen: 220,
  rcvOoopack: 224,
  sndWnd: 228,
} as const;

/** TCP_INFINITE_SSTHRESH and friends: ss hides ssthresh at or above 0xFFFF, and so do we. */
const SSTHRESH_SHOWN_BELOW = 0xffff;

/**
 * Parses struct tcp_info of `len` bytes at `off`. Each field is read only when the struct the kernel
 * sent is long enough to hold it (kernels before 4.x send fewer fields); returns undefined under 8 bytes.
 */
export function parseTcpInfo(dv: DataView, off: number, len: number): TcpInfo | undefined {
  if (len < 8) return undefined;
  const O = TCP_INFO_OFFSETS;
  const has = (field: number, size: number) => field + size <= len;
  const u32 = (field: number) => dv.getUint32(off + field, true);
  const info: TcpInfo = {};
  const ws = dv.getUint8(off + O.wscale);
  info.sndWscale = ws & 0x0f;
  info.rcvWscale = ws >> 4;
  if (has(O.rto, 4)) info.rtoMs = u32(O.rto) / 1000;
  if (has(O.sndMss, 4)) info.mss = u32(O.sndMss);
  if (has(O.retrans, 4)) info.retrans = u32(O.retrans);
  if (has(O.lastDataSent, 4)) info.lastSendMs = u32(O.lastDataSent);
  if (has(O.lastDataRecv, 4)) info.lastRecvMs = u32(O.lastDataRecv);
  if (has(O.lastAckRecv, 4)) info.lastAckMs = u32(O.lastAckRecv);
  if (has(O.rtt, 4)) info.rttUs = u32(O.rtt);
  if (has(O.rttvar, 4)) info.rttVarUs = u32(O.rttvar);
  if (has(O.sndSsthresh, 4)) {
    const v = u32(O.sndSsthresh);
    if (v < SSTHRESH_SHOWN_BELOW) info.ssthresh = v;
  }
  if (has(O.sndCwnd, 4)) info.cwnd = u32(O.sndCwnd);
  if (has(O.rcvSpace, 4)) info.rcvSpace = u32(O.rcvSpace);
  if (has(O.totalRetrans, 4)) info.totalRetrans = u32(O.totalRetrans);
  if (has(O.bytesAcked, 8)) info.bytesAcked = u64(dv, off + O.bytesAcked);
  if (has(O.bytesReceived, 8)) info.bytesReceived = u64(dv, off + O.bytesReceived);
  if (has(O.deliveryRate, 8)) info.deliveryRate = u64(dv, off + O.deliveryRate);
  if (has(O.busyTime, 8)) info.busyUs = u64(dv, off + O.busyTime);
  if (has(O.rwndLimited, 8)) info.rwndLimitedUs = u64(dv, off + O.rwndLimited);
  if (has(O.sndbufLimited, 8)) info.sndbufLimitedUs = u64(dv, off + O.sndbufLimited);
  if (has(O.bytesSent, 8)) info.bytesSent = u64(dv, off + O.bytesSent);
  return info;
}

/** Parses the u32[SK_MEMINFO_VARS] array of INET_DIAG_SKMEMINFO / UNIX_DIAG_MEMINFO; undefined under 16 bytes. */
export function parseSkMemInfo(dv: DataView, off: number, len: number): SkMem | undefined {
  if (len < 16) return undefined;
  const at = (i: number) => (i * 4 + 4 <= len ? dv.getUint32(off + i * 4, true) : undefined);
  return {
    rmemAlloc: at(0)!,
    rcvbuf: at(1)!,
    wmemAlloc: at(2)!,
    sndbuf: at(3)!,
    fwdAlloc: at(4),
    wmemQueued: at(5),
    optmem: at(6),
    backlog: at(7),
    drops: at(8),
  };
}

/** Reads a NUL-terminated (or length-bounded) ASCII string attribute. */
export function readCString(buf: Uint8Array, off: number, len: number): string {
  let end = off;
  const stop = off + len;
  while (end < stop && buf[end] !== 0) end++;
  return Buffer.from(buf.buffer, buf.byteOffset + off, end - off).toString('latin1');
}

// ---- inet_diag_msg ----

const TIMER_NAMES: SocketTimer['name'][] = ['off', 'on', 'keepalive', 'timewait', 'persist'];

/**
 * The `processes` of every socket before attribution: one frozen empty array instead of 100,000
 * (attribution replaces the array, never pushes into it; snapshots are treated as immutable).
 */
export const NO_PROCESSES = Object.freeze([]) as unknown as ProcessRef[];
const TCP_TIME_WAIT = 6;
const TCP_NEW_SYN_RECV = 12;

/** What the caller knows that the buffer does not: the protocol dumped and interface names. */
export interface InetDiagContext {
  protocol: Exclude<Protocol, 'unix'>;
  /** ifindex -> name (from /sys/class/net); unknown indexes are shown as the number. */
  interfaces?: ReadonlyMap<number, string>;
}

function ifName(ctx: InetDiagContext, index: number): string {
  return ctx.interfaces?.get(index) ?? String(index);
}

/**
 * Parses one inet_diag_msg payload (plus its attributes) into a Socket. Returns null when the
 * payload is shorter than the fixed struct or carries an unknown family/state.
 */
export function parseInetDiagMsg(buf: Uint8Array, offset: number, length: number, ctx: InetDiagContext): Socket | null {
  if (length < INET_DIAG_MSG_LEN || offset + length > buf.length) return null;
  const dv = new DataView(buf.buffer, buf.byteOffset, buf.length);
  return parseInetDiagAt(dv, buf, offset, offset + length, ctx);
}

/** The hot path: `dv` spans the whole receive buffer; the message payload is [b, end). */
function parseInetDiagAt(dv: DataView, buf: Uint8Array, b: number, end: number, ctx: InetDiagContext): Socket | null {
  const family = dv.getUint8(b);
  if (family !== AF_INET && family !== AF_INET6) return null;
  const kstate = dv.getUint8(b + 1);
  const state = KERNEL_STATE_BY_NUMBER[kstate];
  if (!state) return null;
  const timer = dv.getUint8(b + 2);
  const localAddr = readAddress(dv, b + 8, family);
  const peerAddr = readAddress(dv, b + 24, family);
  const ifindex = dv.getUint32(b + 40, true);
  const cookieLo = dv.getUint32(b + 44, true);
  const cookieHi = dv.getUint32(b + 48, true);

  const local: Endpoint = { address: localAddr, port: dv.getUint16(b + 4, false) };
  const peer: Endpoint = { address: peerAddr, port: dv.getUint16(b + 6, false) };
  const protocol = ctx.protocol;
  const ipVersion = family === AF_INET6 ? 6 : 4;
  const recvQ = dv.getUint32(b + 56, true);
  const sendQ = dv.getUint32(b + 60, true);
  const hasCookie = cookieLo !== 0xffffffff || cookieHi !== 0xffffffff;
  // Each shape is one object literal, so V8 keeps every field in the object itself (no separate
  // property store per socket: at 100,000 sockets that is megabytes and an allocation each).
  // Time-wait and request (SYN_RECV) mini-sockets have no owner and no inode: the kernel sends 0.
  let sock: Socket;
  if (kstate === TCP_TIME_WAIT || kstate === TCP_NEW_SYN_RECV) {
    sock = hasCookie
      ? { protocol, ipVersion, state, local, peer, recvQ, sendQ, processes: NO_PROCESSES, cookie: cookieString(cookieLo, cookieHi) }
      : { protocol, ipVersion, state, local, peer, recvQ, sendQ, processes: NO_PROCESSES };
  } else {
    const uid = dv.getUint32(b + 64, true);
    const inode = dv.getUint32(b + 68, true);
    sock = hasCookie
      ? { protocol, ipVersion, state, local, peer, recvQ, sendQ, processes: NO_PROCESSES, uid, inode, cookie: cookieString(cookieLo, cookieHi) }
      : { protocol, ipVersion, state, local, peer, recvQ, sendQ, processes: NO_PROCESSES, uid, inode };
  }
  if (timer !== 0) sock.timer = { name: TIMER_NAMES[timer] ?? 'unknown', expiresMs: dv.getUint32(b + 52, true), retrans: dv.getUint8(b + 3) };
  if (ifindex !== 0) {
    const name = ifName(ctx, ifindex);
    sock.boundDevice = name;
    if (family === AF_INET6) {
      if (isLinkLocal(localAddr)) local.scope = name;
      if (isLinkLocal(peerAddr)) peer.scope = name;
    }
  }

  if (end > b + INET_DIAG_MSG_LEN) {
    let off = b + INET_DIAG_MSG_LEN;
    let cong: string | undefined;
    while (off + 4 <= end) {
      const alen = dv.getUint16(off, true);
      if (alen < 4 || off + alen > end) break;
      const type = dv.getUint16(off + 2, true) & 0x3fff;
      const dataLen = alen - 4;
      if (type === INET_DIAG_INFO && ctx.protocol === 'tcp') {
        const info = parseTcpInfo(dv, off + 4, dataLen);
        if (info) sock.tcpInfo = info;
      } else if (type === INET_DIAG_SKMEMINFO) {
        const m = parseSkMemInfo(dv, off + 4, dataLen);
        if (m) sock.skmem = m;
      } else if (type === INET_DIAG_CONG) {
        cong = readCString(buf, off + 4, dataLen);
      }
      off += align4(alen);
    }
    if (cong) {
      if (sock.tcpInfo) sock.tcpInfo.congestion = cong;
      else sock.tcpInfo = { congestion: cong };
    }
  }
  return sock;
}

/** What one receive buffer of an inet_diag dump held. */
export interface InetDiagBatch {
  sockets: Socket[];
  done: boolean;
  /** Negative errno from the kernel, 0 when none. */
  error: number;
  interrupted: boolean;
  /** Messages that could not be parsed (short payload, unknown family or state). */
  skipped: number;
  trailing: number;
}

/**
 * Parses a whole receive buffer of SOCK_DIAG_BY_FAMILY replies into sockets, appending to `into`
 * when given (saves copying on big dumps). Hot path of the netlink collector: one DataView per buffer.
 */
export function parseInetDiagBuffer(buf: Uint8Array, len: number, ctx: InetDiagContext, into: Socket[] = []): InetDiagBatch {
  // One DataView and one pass over the netlink headers (walkNetlink's logic, without its array).
  const end = Math.min(len, buf.length);
  const dv = new DataView(buf.buffer, buf.byteOffset, end);
  const out: InetDiagBatch = { sockets: into, done: false, error: 0, interrupted: false, skipped: 0, trailing: 0 };
  let off = 0;
  while (off + NLMSG_HDRLEN <= end) {
    const mlen = dv.getUint32(off, true);
    if (mlen < NLMSG_HDRLEN || off + mlen > end) break;
    const type = dv.getUint16(off + 4, true);
    if (dv.getUint16(off + 6, true) & NLM_F_DUMP_INTR) out.interrupted = true;
    if (type === SOCK_DIAG_BY_FAMILY) {
      const s = mlen - NLMSG_HDRLEN >= INET_DIAG_MSG_LEN ? parseInetDiagAt(dv, buf, off + NLMSG_HDRLEN, off + mlen, ctx) : null;
      if (s) into.push(s);
      else out.skipped++;
    } else if (type === NLMSG_DONE || type === NLMSG_ERROR) {
      const w = walkNetlink(buf.subarray(off, end), end - off);
      out.done = w.done;
      out.error = w.error;
      return out;
    } else if (type !== NLMSG_NOOP && type !== NLMSG_OVERRUN) {
      out.skipped++;
    }
    off += align4(mlen);
  }
  out.trailing = end - off;
  return out;
}
