// Builds inet_diag_req_v2 requests, with an optional port-filter bytecode the kernel runs (linux/inet_diag.h).
import { AF_INET, AF_INET6, AF_UNSPEC, IPPROTO_TCP, IPPROTO_UDP, NLMSG_HDRLEN, NLM_F_DUMP, NLM_F_REQUEST, SOCK_DIAG_BY_FAMILY, align4 } from './netlink-frame.js';

// ---- inet_diag (linux/inet_diag.h) ----
export const INET_DIAG_MSG_LEN = 72;
export const INET_DIAG_REQ_V2_LEN = 56;
/** struct inet_diag_req (the first interface): family, lengths, ext, id (48), states, dbs. */
export const INET_DIAG_REQ_V1_LEN = 60;
/**
 * The first interface's TCP dump (linux/inet_diag.h, still served by every kernel with inet_diag). Its
 * dump runs with sdiag_family AF_UNSPEC (inet_diag_dump_compat), so one walk of the TCP hash returns
 * IPv4 and IPv6 sockets; SOCK_DIAG_BY_FAMILY needs one walk per family, and the IPv6 walk visits every
 * IPv4 socket too. Replies carry this type instead of SOCK_DIAG_BY_FAMILY, with the same payload.
 */
export const TCPDIAG_GETSOCK = 18;
export const INET_DIAG_REQ_BYTECODE = 1;
export const INET_DIAG_MEMINFO = 1;
export const INET_DIAG_INFO = 2;
export const INET_DIAG_CONG = 4;
export const INET_DIAG_SKMEMINFO = 7;
export const INET_DIAG_SHUTDOWN = 8;
/**
 * IPV6_V6ONLY of an AF_INET6 full socket, one byte. The kernel sends it unasked with every such socket
 * (inet_diag_msg_attrs_fill: no idiag_ext bit), not with time-wait or request sockets.
 */
export const INET_DIAG_SKV6ONLY = 11;
export const INET_DIAG_BC_S_GE = 2;
export const INET_DIAG_BC_S_LE = 3;
export const INET_DIAG_BC_D_GE = 4;
export const INET_DIAG_BC_D_LE = 5;
/** Every TCP state bit, TCP_ESTABLISHED (1) .. TCP_NEW_SYN_RECV (12). */
export const ALL_STATES_MASK = 0x1ffe;
/** Kernel TCP state numbers the parsers test for (include/net/tcp_states.h). */
export const TCP_TIME_WAIT = 6;
export const TCP_LISTEN = 10;
export const TCP_NEW_SYN_RECV = 12;
/**
 * TCP sockets bound to a port but neither listening nor connected (bind() without listen() or
 * connect()): they hold the port (EADDRINUSE), and `ss` lists them only with -B (iproute2 6.7+).
 * Recent kernels dump them when asked with this bit (TCP_BOUND_INACTIVE, 13; measured on 6.18) and
 * report them in state CLOSE; older kernels ignore the bit. Asking walks the bind hash too (about
 * 12 ms at 100,000 sockets, measured), so only `try`'s dumps filtered on a local port ask.
 */
export const BOUND_INACTIVE_BIT = 1 << 13;

/** Extension bits of inet_diag_req_v2.idiag_ext: bit (attr - 1). */
export function extBit(attr: number): number {
  return 1 << (attr - 1);
}

export interface InetDiagRequest {
  /** AF_UNSPEC (TCP only): both families in one walk, through TCPDIAG_GETSOCK. */
  family: typeof AF_INET | typeof AF_INET6 | typeof AF_UNSPEC;
  protocol: typeof IPPROTO_TCP | typeof IPPROTO_UDP;
  /** Bitmask of kernel states (1 << TCP_ESTABLISHED ...). */
  states?: number;
  /** Ask for tcp_info, congestion control name and skmeminfo. */
  details?: boolean;
  /** Ask for skmeminfo alone (without `details`): a UDP socket's buffer, queue and drop counter. */
  memory?: boolean;
  /** Kernel-side filter: local port equals (or, when both are given, peer port equals). */
  port?: number;
  /** Kernel-side filter: peer port equals. */
  peerPort?: number;
  /** With peerPort: also sockets with no peer (peer port 0: TCP listeners, unconnected UDP), in the same walk. */
  listeners?: boolean;
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

/**
 * The kernel-side filter for CollectOptions.port / peerPort (either matches, as the ss collector does);
 * `listeners` (CollectOptions.withListeners) adds peer port 0 to a peerPort filter.
 */
export function portFilterBytecode(port?: number, peerPort?: number, listeners = false): Buffer | null {
  const l = port !== undefined ? portEqualsBytecode('local', port) : null;
  let p = peerPort !== undefined ? portEqualsBytecode('peer', peerPort) : null;
  if (p && listeners) p = orBytecode(p, portEqualsBytecode('peer', 0));
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

/**
 * Builds nlmsghdr + inet_diag_req_v2 (+ INET_DIAG_REQ_BYTECODE attribute) for a SOCK_DIAG_BY_FAMILY
 * dump; for family AF_UNSPEC (TCP), nlmsghdr + inet_diag_req for a TCPDIAG_GETSOCK dump of both
 * families (same states, extensions and bytecode).
 */
export function buildInetDiagRequest(r: InetDiagRequest): Buffer {
  const compat = r.family === AF_UNSPEC;
  if (compat && r.protocol !== IPPROTO_TCP) throw new RangeError('a dump of both families (AF_UNSPEC) exists for TCP only');
  const bc = portFilterBytecode(r.port, r.peerPort, r.listeners);
  const attrLen = bc ? align4(4 + bc.length) : 0;
  const reqLen = compat ? INET_DIAG_REQ_V1_LEN : INET_DIAG_REQ_V2_LEN;
  const total = NLMSG_HDRLEN + reqLen + attrLen;
  const b = Buffer.alloc(total);
  b.writeUInt32LE(total, 0);
  b.writeUInt16LE(compat ? TCPDIAG_GETSOCK : SOCK_DIAG_BY_FAMILY, 4);
  b.writeUInt16LE(NLM_F_REQUEST | NLM_F_DUMP, 6);
  b.writeUInt32LE(r.seq ?? 1, 8);
  b.writeUInt32LE(0, 12);
  const p = NLMSG_HDRLEN;
  let ext = 0;
  if (r.details) {
    ext = extBit(INET_DIAG_INFO) | extBit(INET_DIAG_SKMEMINFO);
    if (r.protocol === IPPROTO_TCP) ext |= extBit(INET_DIAG_CONG);
  } else if (r.memory) ext = extBit(INET_DIAG_SKMEMINFO);
  const states = (r.states ?? ALL_STATES_MASK) >>> 0;
  // id: all zero = wildcard; cookie INET_DIAG_NOCOOKIE.
  if (compat) {
    // idiag_family only matters to single-socket requests; the dump walks both families.
    b.writeUInt8(AF_INET, p);
    b.writeUInt8(ext, p + 3);
    b.writeUInt32LE(0xffffffff, p + 4 + 40);
    b.writeUInt32LE(0xffffffff, p + 4 + 44);
    b.writeUInt32LE(states, p + 52);
  } else {
    b.writeUInt8(r.family, p);
    b.writeUInt8(r.protocol, p + 1);
    b.writeUInt8(ext, p + 2);
    b.writeUInt32LE(states, p + 4);
    b.writeUInt32LE(0xffffffff, p + 8 + 40);
    b.writeUInt32LE(0xffffffff, p + 8 + 44);
  }
  if (bc) {
    const a = p + reqLen;
    b.writeUInt16LE(4 + bc.length, a);
    b.writeUInt16LE(INET_DIAG_REQ_BYTECODE, a + 2);
    bc.copy(b, a + 4);
  }
  return b;
}
