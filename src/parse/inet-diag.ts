// Pure parser for inet_diag replies: inet_diag_msg and its attributes into Socket records
// (layout from include/uapi/linux/inet_diag.h). Framing is in netlink-frame.ts, requests in
// inet-diag-request.ts, tcp_info and skmeminfo in tcp-info.ts, reuse of unchanged sockets in
// inet-diag-reuse.ts; all are re-exported here.
import { isLinkLocal, KERNEL_STATE_BY_NUMBER, NO_PROCESSES, type Endpoint, type Protocol, type Socket, type SocketTimer } from '../model/socket.js';
import { AF_INET, AF_INET6, NLMSG_DONE, NLMSG_ERROR, NLMSG_HDRLEN, NLMSG_NOOP, NLMSG_OVERRUN, NLM_F_DUMP_INTR, SOCK_DIAG_BY_FAMILY, align4, walkNetlink } from './netlink-frame.js';
import { INET_DIAG_CONG, INET_DIAG_INFO, INET_DIAG_MSG_LEN, INET_DIAG_SKMEMINFO, INET_DIAG_SKV6ONLY, TCPDIAG_GETSOCK, TCP_NEW_SYN_RECV, TCP_TIME_WAIT } from './inet-diag-request.js';
import { reusable, type SocketReuse } from './inet-diag-reuse.js';
import { parseSkMemInfo, parseTcpInfo, readCString } from './tcp-info.js';

export * from './netlink-frame.js';
export * from './inet-diag-request.js';
export * from './tcp-info.js';
export * from './inet-diag-reuse.js';


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


/** Decimal text of a 64-bit socket cookie given as two u32 halves (cookie[0] low, cookie[1] high). */
export function cookieString(lo: number, hi: number): string {
  if (hi < 0x200000) return String(hi * 4294967296 + lo);
  return ((BigInt(hi) << 32n) | BigInt(lo)).toString();
}

// ---- endpoints ----

/**
 * The last endpoint made for each port number. Most sockets share one end with many others (every
 * connection accepted on 10.0.0.5:443 has that local end; every connection to db:5432 that peer
 * end), so reusing the object when the address matches saves one allocation per socket, and the
 * objects are shared across snapshots too. Endpoints are treated as immutable (the model's
 * contract; the only later change, an interface scope, applies to endpoints this cache never makes).
 */
const endpointByPort: (Endpoint | undefined)[] = new Array(65536);

function sharedEndpoint(address: string, port: number): Endpoint {
  const e = endpointByPort[port];
  // Address strings come from ipv4FromU32/readAddress caches, so equal ones are usually the same string.
  if (e !== undefined && e.address === address) return e;
  const made: Endpoint = { address, port };
  endpointByPort[port] = made;
  return made;
}

// ---- inet_diag_msg ----

const TIMER_NAMES: SocketTimer['name'][] = ['off', 'on', 'keepalive', 'timewait', 'persist'];

/** What the caller knows that the buffer does not: the protocol dumped and interface names. */
export interface InetDiagContext {
  protocol: Exclude<Protocol, 'unix'>;
  /** ifindex -> name (from /sys/class/net); unknown indexes are shown as the number. */
  interfaces?: ReadonlyMap<number, string>;
  /** The previous dump of the same sockets, whose unchanged TCP sockets are reused (see SocketReuse). */
  reuse?: SocketReuse;
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

  // Endpoints that carry an interface scope are filled in later (netlink-dumps.ts): never shared.
  const local: Endpoint = ifindex === 0 ? sharedEndpoint(localAddr, dv.getUint16(b + 4, false)) : { address: localAddr, port: dv.getUint16(b + 4, false) };
  const peer: Endpoint = ifindex === 0 ? sharedEndpoint(peerAddr, dv.getUint16(b + 6, false)) : { address: peerAddr, port: dv.getUint16(b + 6, false) };
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
    // Where tcp_info and the congestion-control name are, first: the name goes into tcp_info's literal.
    let off = b + INET_DIAG_MSG_LEN;
    let infoAt = -1;
    let infoLen = 0;
    let cong: string | undefined;
    while (off + 4 <= end) {
      const alen = dv.getUint16(off, true);
      if (alen < 4 || off + alen > end) break;
      const type = dv.getUint16(off + 2, true) & 0x3fff;
      const dataLen = alen - 4;
      if (type === INET_DIAG_INFO && ctx.protocol === 'tcp') {
        infoAt = off + 4;
        infoLen = dataLen;
      } else if (type === INET_DIAG_SKMEMINFO) {
        const m = parseSkMemInfo(dv, off + 4, dataLen);
        if (m) sock.skmem = m;
      } else if (type === INET_DIAG_CONG) {
        cong = readCString(buf, off + 4, dataLen) || undefined;
      } else if (type === INET_DIAG_SKV6ONLY && dataLen >= 1 && localAddr === '::') {
        // Only where it changes what the socket serves: bound to the wildcard, a listener (or unconnected
        // UDP) takes IPv4 too unless it is set. Connections keep their object shape.
        sock.v6only = dv.getUint8(off + 4) !== 0;
      }
      off += align4(alen);
    }
    const info = infoAt >= 0 ? parseTcpInfo(dv, infoAt, infoLen, cong) : cong ? { congestion: cong } : undefined;
    if (info) sock.tcpInfo = info;
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
  const reuse = ctx.protocol === 'tcp' ? ctx.reuse : undefined;
  let off = 0;
  while (off + NLMSG_HDRLEN <= end) {
    const mlen = dv.getUint32(off, true);
    if (mlen < NLMSG_HDRLEN || off + mlen > end) break;
    const type = dv.getUint16(off + 4, true);
    if (dv.getUint16(off + 6, true) & NLM_F_DUMP_INTR) out.interrupted = true;
    if (type === SOCK_DIAG_BY_FAMILY || type === TCPDIAG_GETSOCK) {
      if (mlen - NLMSG_HDRLEN < INET_DIAG_MSG_LEN) out.skipped++;
      else {
        const same = reuse !== undefined ? reusable(dv, off + NLMSG_HDRLEN, off + mlen, reuse, into.length) : undefined;
        if (same) {
          reuse!.accept(into.length);
          into.push(same);
        } else {
          const s = parseInetDiagAt(dv, buf, off + NLMSG_HDRLEN, off + mlen, ctx);
          if (s) {
            // null: the same socket, changed only where the per-port aggregation does not look.
            if (same === null) reuse!.carryIfSame(into.length, s);
            into.push(s);
          } else out.skipped++;
        }
      }
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
