// Which of a few sockets of a dump the kernel still has, held by a process (a socket file). The attributor
// (processes.ts) asks it about the sockets whose owner it did not find: one closed between the dump and the
// reading of /proc/PID/fd (connection churn) had an owner in plain sight, and is not counted as "owners not
// found". Two ways to ask, per kind of socket (TCP, UDP, unix), whichever costs less:
//   - one exact sock_diag lookup per socket (no NLM_F_DUMP; the kernel answers each from its hash tables),
//     sent in batches of LOOKUPS_PER_SEND requests in one datagram: about 5-10 us each (measured: 1,024
//     lookups 4-5 ms when the sockets are gone, 6-13 ms when open, 9,800 TCP sockets in the table);
//   - one fresh dump of that kind, socket inodes only (no attributes), by the same port filter when the
//     sockets asked about share a port, and the difference taken: about 1-2 us per socket dumped (measured:
//     10-19 ms for 9,800 TCP sockets). Taken when there are more sockets to ask about than the lookups left
//     for the pass (StillOpenContext.lookupsLeft), unless lookups still cost less (fewer than a fifth of
//     the sockets of that kind). A socket that stays open for the whole dump is in it; one the kernel's
//     resumption between two dump chunks skips (a socket before it in the same hash bucket removed in
//     between: rare) would be taken as gone.
// ENOENT (no such socket) is taken as "gone" only for a kind of socket the kernel has answered for in this
// process: a kernel without udp_diag or unix_diag answers ENOENT to every request of that kind (as
// netlink-dumps.ts says, "no diagnostics"), so that kind is probed once (an empty dump) before its ENOENTs are
// believed, and without it every socket of that kind is 'unknown'.
import type { Socket } from '../model/socket.js';
import { runDump } from './netlink-dump.js';
import { NetlinkError, NetlinkSocket } from './netlink-socket.js';
import { ALL_STATES_MASK, TCP_NEW_SYN_RECV, TCP_TIME_WAIT, buildInetDiagRequest } from '../parse/inet-diag-request.js';
import { AF_INET, AF_INET6, AF_UNSPEC, IPPROTO_TCP, IPPROTO_UDP } from '../parse/netlink-frame.js';

/** Per socket asked about: 'open' (same inode, still there), 'gone' (closed since the dump) or 'unknown'. */
export type StillOpen = 'open' | 'gone' | 'unknown';

/** What the attributor lends one pass's questions (both rounds of settleUnfound share one). */
export interface StillOpenContext {
  /** Lookups this pass may still make before a kind's questions go to a dump instead (counted down). */
  lookupsLeft: number;
  /** The snapshot's sockets (how many of each kind a dump would list: see chooseDump). */
  sockets: readonly Socket[];
  /** Counters: lookups sent and dumps made. */
  lookups: number;
  dumps: number;
}
export type StillOpenFn = (sockets: readonly Socket[], ctx?: StillOpenContext) => Promise<StillOpen[]>;

const SOCK_DIAG_BY_FAMILY = 20;
const TCPDIAG_GETSOCK = 18;
const NLMSG_ERROR = 2;
const NLMSG_DONE = 3;
const NLM_F_REQUEST = 1;
const NLM_F_DUMP = 0x300;
const AF_UNIX = 1;
const ENOENT = 2;
/** Requests per send: their replies (a few hundred bytes each) must fit the receive buffer. */
const LOOKUPS_PER_SEND = 64;
const INET_REQ_LEN = 16 + 56;
const UNIX_REQ_LEN = 16 + 24;
/** A dump costs about a fifth of a lookup per socket listed (see the top of this file). */
const LOOKUPS_PER_DUMPED = 1 / 5;
/** TCP states a socket with a socket file can be in (TIME_WAIT and request sockets have none). */
const TCP_DUMP_STATES = ALL_STATES_MASK & ~(1 << TCP_TIME_WAIT) & ~(1 << TCP_NEW_SYN_RECV);

/** The kinds of socket sock_diag answers for separately (a handler each: tcp_diag, udp_diag, unix_diag; IPv6). */
type Kind = 'tcp4' | 'tcp6' | 'udp4' | 'udp6' | 'unix';
const KIND_REQ: Record<Kind, [family: number, protocol: number]> = { tcp4: [AF_INET, IPPROTO_TCP], tcp6: [AF_INET6, IPPROTO_TCP], udp4: [AF_INET, IPPROTO_UDP], udp6: [AF_INET6, IPPROTO_UDP], unix: [AF_UNIX, 0] };
function kindOf(s: Socket): Kind {
  if (s.protocol === 'unix') return 'unix';
  return `${s.protocol}${s.ipVersion === 6 ? '6' : '4'}` as Kind;
}

/** 16 bytes of an address (IPv4 in the first 4 of an AF_INET request; IPv4-mapped for an IPv6 socket), or null. */
function addressBytes(address: string, v6: boolean): Buffer | null {
  const out = Buffer.alloc(16);
  const v4 = /^(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(address);
  if (v4) {
    const at = v6 ? 12 : 0;
    if (v6) out.writeUInt16BE(0xffff, 10);
    for (let i = 0; i < 4; i++) out[at + i] = Number(v4[i + 1]);
    return out;
  }
  if (!v6 || address.includes('%') || address.includes('.')) return null;
  const [head, tail, extra] = address.split('::');
  if (extra !== undefined) return null;
  const h = head ? head.split(':') : [];
  const t = tail ? tail.split(':') : [];
  if (tail === undefined ? h.length !== 8 : h.length + t.length > 7) return null;
  const groups = [...h, ...new Array<string>(8 - h.length - t.length).fill('0'), ...t];
  for (let i = 0; i < 8; i++) {
    if (!/^[0-9a-f]{1,4}$/i.test(groups[i])) return null;
    out.writeUInt16BE(Number.parseInt(groups[i], 16), i * 2);
  }
  return out;
}

/**
 * Whether the kernel can be asked about `s` at all: not a TCP socket in state CLOSE (bound, neither
 * listening nor connected: only in the bind hash, which neither a lookup nor a dump without
 * BOUND_INACTIVE_BIT searches, so it would read as gone while open), and with an inode.
 */
function askable(s: Socket): boolean {
  return !!s.inode && !(s.protocol === 'tcp' && s.state === 'CLOSE');
}

/**
 * The lookup request for `s` (sequence number `seq`), or null when it cannot be asked exactly: see askable;
 * a socket bound to an interface or with a zone (the lookup would need its ifindex), no address family.
 */
function requestFor(s: Socket, seq: number): Buffer | null {
  if (!askable(s)) return null;
  if (s.protocol === 'unix') {
    const b = Buffer.alloc(UNIX_REQ_LEN);
    b.writeUInt32LE(UNIX_REQ_LEN, 0);
    b.writeUInt16LE(SOCK_DIAG_BY_FAMILY, 4);
    b.writeUInt16LE(NLM_F_REQUEST, 6);
    b.writeUInt32LE(seq, 8);
    b[16] = AF_UNIX;
    b.writeUInt32LE(0xffffffff, 20); // states
    b.writeUInt32LE(s.inode!, 24);
    b.writeUInt32LE(0xffffffff, 32); // INET_DIAG_NOCOOKIE
    b.writeUInt32LE(0xffffffff, 36);
    return b;
  }
  if (s.ipVersion === undefined || s.boundDevice || s.local.scope || s.peer.scope) return null;
  const v6 = s.ipVersion === 6;
  const local = addressBytes(s.local.address, v6);
  const peer = addressBytes(s.peer.address === '*' ? (v6 ? '::' : '0.0.0.0') : s.peer.address, v6);
  if (!local || !peer) return null;
  const b = Buffer.alloc(INET_REQ_LEN);
  b.writeUInt32LE(INET_REQ_LEN, 0);
  b.writeUInt16LE(SOCK_DIAG_BY_FAMILY, 4);
  b.writeUInt16LE(NLM_F_REQUEST, 6);
  b.writeUInt32LE(seq, 8);
  b[16] = v6 ? AF_INET6 : AF_INET;
  b[17] = s.protocol === 'tcp' ? IPPROTO_TCP : IPPROTO_UDP;
  b.writeUInt32LE(0xffffffff, 20); // states
  // inet_diag_sockid: TCP's lookup takes src as the socket's local end; UDP's (udp_dump_one) takes them
  // the other way round ("src and dst are swapped for historical reasons").
  const [src, sport, dst, dport] = s.protocol === 'tcp' ? [local, s.local.port, peer, s.peer.port] : [peer, s.peer.port, local, s.local.port];
  b.writeUInt16BE(sport, 24);
  b.writeUInt16BE(dport, 26);
  src.copy(b, 28);
  dst.copy(b, 44);
  b.writeUInt32LE(0, 60); // idiag_if
  b.writeUInt32LE(0xffffffff, 64); // INET_DIAG_NOCOOKIE
  b.writeUInt32LE(0xffffffff, 68);
  return b;
}

/** One lookup's reply: the inode of the socket the kernel found (0: no socket file), ENOENT, another error, or none. */
export type LookupReply = number | 'enoent' | 'error' | undefined;

/**
 * What one lookup reply says of `s`. A different socket at a connected socket's ports means ours is gone (a
 * 4-tuple is one socket); at an unconnected one's (a listener, a bound UDP socket) it may be another of an
 * SO_REUSEPORT group, so nothing is known. ENOENT is 'gone' only when `kindAnswers` (the kernel has a
 * handler for this kind of socket: it answered for one in this process); without one every request is ENOENT.
 */
export function lookupVerdict(s: Socket, reply: LookupReply, kindAnswers: boolean): StillOpen {
  if (reply === undefined || reply === 'error') return 'unknown';
  if (reply === 'enoent') return kindAnswers ? 'gone' : 'unknown';
  if (reply === s.inode) return 'open';
  if (s.protocol === 'unix') return 'unknown';
  const connected = s.peer.port !== 0 && s.state !== 'LISTEN';
  return connected ? 'gone' : 'unknown';
}

/** Kinds the kernel answered for in this process (a socket found, a dump done) or refused (ENOENT to a dump). */
const answered = new Map<Kind, boolean>();

let opening: Promise<NetlinkSocket | null> | undefined;

/** One NETLINK_SOCK_DIAG socket for the life of the process; null when netlink cannot be used (no koffi, not Linux). */
function lookupSocket(): Promise<NetlinkSocket | null> {
  opening ??= NetlinkSocket.open(1000).catch(() => null);
  return opening;
}

/**
 * Dumps the socket inodes of one request (nlmsghdr + request, NLM_F_DUMP): the inodes, 'absent' (ENOENT:
 * the kernel has no diagnostics for it), or throws (other errors, timeouts).
 */
async function dumpInodes(nl: NetlinkSocket, req: Buffer, inodeAt: number, into: Set<number>): Promise<'done' | 'absent'> {
  try {
    await runDump(nl, req, 'sock_diag inodes', (buf, len) => {
      for (let off = 0; off + 16 <= len; ) {
        const mlen = buf.readUInt32LE(off);
        if (mlen < 16 || off + mlen > len) return { done: false, error: 0, interrupted: false, trailing: len - off };
        const type = buf.readUInt16LE(off + 4);
        if (type === NLMSG_DONE) return { done: true, error: mlen >= 20 ? Math.min(0, buf.readInt32LE(off + 16)) : 0, interrupted: false, trailing: 0 };
        if (type === NLMSG_ERROR) return { done: true, error: buf.readInt32LE(off + 16) || -5, interrupted: false, trailing: 0 };
        if (off + inodeAt + 4 <= off + mlen) into.add(buf.readUInt32LE(off + inodeAt));
        off += (mlen + 3) & ~3;
      }
      return { done: false, error: 0, interrupted: false, trailing: 0 };
    });
    return 'done';
  } catch (e) {
    if (e instanceof NetlinkError && e.errno === ENOENT) return 'absent';
    throw e;
  }
}

/** A dump request of `kind` (`states` for inet kinds; 0: none matches, a probe of the handler), by a local or peer port. */
function dumpRequest(kind: Kind | 'tcp', states: number, filter: { port?: number; peerPort?: number }): Buffer {
  if (kind === 'unix') {
    const b = Buffer.alloc(UNIX_REQ_LEN);
    b.writeUInt32LE(UNIX_REQ_LEN, 0);
    b.writeUInt16LE(SOCK_DIAG_BY_FAMILY, 4);
    b.writeUInt16LE(NLM_F_REQUEST | NLM_F_DUMP, 6);
    b.writeUInt32LE(0x5e100000, 8);
    b[16] = AF_UNIX;
    b.writeUInt32LE(states === 0 ? 0 : 0xffffffff, 20); // no attributes (udiag_show 0)
    b.writeUInt32LE(0xffffffff, 32);
    b.writeUInt32LE(0xffffffff, 36);
    return b;
  }
  const [family, protocol] = kind === 'tcp' ? [AF_UNSPEC, IPPROTO_TCP] : KIND_REQ[kind];
  return buildInetDiagRequest({ family: family as 0 | 2 | 10, protocol: protocol as 6 | 17, states, ...filter, seq: 0x5e100000 });
}

/** Whether the kernel answers for `kind` at all (a dump that matches nothing: ENOENT when it has no handler); asked once per process. */
async function kindAnswers(nl: NetlinkSocket, kind: Kind): Promise<boolean> {
  let known = answered.get(kind);
  if (known === undefined) {
    known = (await dumpInodes(nl, dumpRequest(kind, 0, {}), 0, new Set())) === 'done';
    answered.set(kind, known);
  }
  return known;
}

/** The port every one of `sockets` has at its local end, or else at its peer end, as a dump filter ({} when none). */
function sharedPort(sockets: readonly Socket[]): { port?: number; peerPort?: number } {
  const first = sockets[0];
  if (first.protocol !== 'unix') {
    if (sockets.every((s) => s.local.port === first.local.port)) return { port: first.local.port };
    if (first.peer.port !== 0 && sockets.every((s) => s.peer.port === first.peer.port)) return { peerPort: first.peer.port };
  }
  return {};
}

/**
 * The sockets of a group (one protocol) still open by one fresh dump: TCP over both families in one walk
 * (as the collector dumps it), UDP per family, unix; by `filter`. Null when a dump failed; a kind without
 * diagnostics lists nothing (its sockets are 'unknown': `absent`).
 */
async function dumpGroup(nl: NetlinkSocket, protocol: Socket['protocol'], filter: { port?: number; peerPort?: number }, absent: Set<Kind>): Promise<Set<number> | null> {
  const inodes = new Set<number>();
  const inodeAt = protocol === 'unix' ? 16 + 4 : 16 + 68;
  try {
    if (protocol === 'unix') {
      if ((await dumpInodes(nl, dumpRequest('unix', 1, {}), inodeAt, inodes)) === 'absent') absent.add('unix');
      else answered.set('unix', true);
      return inodes;
    }
    if (protocol === 'tcp') {
      // The first interface's dump of both families (TCPDIAG_GETSOCK); one per family where it is refused.
      const r = await dumpInodes(nl, dumpRequest('tcp', TCP_DUMP_STATES, filter), inodeAt, inodes).catch((e: unknown) => {
        if (e instanceof NetlinkError && (e.errno === 22 || e.errno === 95) && inodes.size === 0) return 'absent' as const;
        throw e;
      });
      if (r === 'done') {
        answered.set('tcp4', true);
        answered.set('tcp6', true);
        return inodes;
      }
    }
    for (const kind of protocol === 'tcp' ? (['tcp4', 'tcp6'] as const) : (['udp4', 'udp6'] as const)) {
      if ((await dumpInodes(nl, dumpRequest(kind, protocol === 'tcp' ? TCP_DUMP_STATES : 0xffffffff, filter), inodeAt, inodes)) === 'absent') absent.add(kind);
      else answered.set(kind, true);
    }
    return inodes;
  } catch {
    return null;
  }
}

/**
 * Whether `n` questions about one protocol's sockets go to a dump: more than the lookups left, and a dump
 * of that kind (by `filter`: as many sockets as the snapshot has there) costs less than the lookups.
 */
function chooseDump(n: number, protocol: Socket['protocol'], filter: { port?: number; peerPort?: number }, ctx: StillOpenContext): boolean {
  if (n <= ctx.lookupsLeft) return false;
  let listed = 0;
  for (const s of ctx.sockets) {
    // What the dump lists: no TIME_WAIT or request socket (TCP_DUMP_STATES).
    if (s.protocol !== protocol || s.state === 'TIME_WAIT' || s.state === 'SYN_RECV') continue;
    if (filter.port !== undefined ? s.local.port === filter.port : filter.peerPort === undefined || s.peer.port === filter.peerPort) listed++;
  }
  return n > listed * LOOKUPS_PER_DUMPED;
}

/**
 * Asks the kernel, for each of `sockets`, whether it still has that socket (in the current network
 * namespace, the one the dump read): exact lookups, or per protocol one fresh dump when there are more than
 * `ctx.lookupsLeft` (default: as many lookups as it takes). 'unknown' for each when netlink is not usable.
 */
export async function stillOpen(sockets: readonly Socket[], ctx?: StillOpenContext): Promise<StillOpen[]> {
  const out: StillOpen[] = sockets.map(() => 'unknown');
  if (sockets.length === 0) return out;
  const nl = await lookupSocket();
  if (!nl) return out;
  const byProtocol = new Map<Socket['protocol'], number[]>();
  for (let i = 0; i < sockets.length; i++) {
    if (!askable(sockets[i])) continue;
    const list = byProtocol.get(sockets[i].protocol);
    if (list) list.push(i);
    else byProtocol.set(sockets[i].protocol, [i]);
  }
  const lookup: number[] = [];
  for (const [protocol, idx] of byProtocol) {
    const group = idx.map((i) => sockets[i]);
    const filter = sharedPort(group);
    if (!ctx || !chooseDump(idx.length, protocol, filter, ctx)) {
      for (const i of idx) lookup.push(i);
      if (ctx) ctx.lookupsLeft = Math.max(0, ctx.lookupsLeft - idx.length);
      continue;
    }
    ctx.dumps++;
    const absent = new Set<Kind>();
    const inodes = await dumpGroup(nl, protocol, filter, absent);
    if (!inodes) {
      // A dump that failed may leave replies queued: a new socket next time; the rest stay 'unknown'.
      opening = undefined;
      nl.close();
      return out;
    }
    for (const i of idx) out[i] = inodes.has(sockets[i].inode!) ? 'open' : absent.has(kindOf(sockets[i])) ? 'unknown' : 'gone';
  }
  if (ctx) ctx.lookups += lookup.length;
  const replies = await lookupReplies(nl, sockets, lookup);
  if (!replies) return out;
  // ENOENT believed only for a kind the kernel answers for (probed once when nothing has shown it yet).
  const kinds = new Map<Kind, boolean>();
  for (const i of lookup) {
    const kind = kindOf(sockets[i]);
    if (replies[i] === 'enoent' && !kinds.has(kind)) kinds.set(kind, await kindAnswers(nl, kind).catch(() => false));
    out[i] = lookupVerdict(sockets[i], replies[i], kinds.get(kind) ?? true);
  }
  return out;
}

/** The replies to lookups of `sockets[i]` for each i of `which`, by index; null when netlink failed (the socket is closed and reopened next time). */
async function lookupReplies(nl: NetlinkSocket, sockets: readonly Socket[], which: readonly number[]): Promise<LookupReply[] | null> {
  const replies: LookupReply[] = [];
  const buf = Buffer.allocUnsafe(64 * 1024);
  for (let from = 0; from < which.length; from += LOOKUPS_PER_SEND) {
    const reqs: Buffer[] = [];
    const asked = new Map<number, number>();
    for (const i of which.slice(from, from + LOOKUPS_PER_SEND)) {
      const seq = 0x5e000000 + i;
      const r = requestFor(sockets[i], seq);
      if (!r) continue;
      reqs.push(r);
      asked.set(seq, i);
    }
    if (reqs.length === 0) continue;
    try {
      // The kernel answers every request of the datagram inside send(): the replies are queued when it returns.
      await nl.send(Buffer.concat(reqs));
      while (asked.size > 0) {
        const n = nl.recvSync(buf);
        for (let off = 0; off + 16 <= n; ) {
          const len = buf.readUInt32LE(off);
          if (len < 16) break;
          const type = buf.readUInt16LE(off + 4);
          const seq = buf.readUInt32LE(off + 8);
          const i = asked.get(seq);
          if (i !== undefined) {
            asked.delete(seq);
            const s = sockets[i];
            if (type === NLMSG_ERROR) replies[i] = -buf.readInt32LE(off + 16) === ENOENT ? 'enoent' : 'error';
            else if (type === SOCK_DIAG_BY_FAMILY || type === TCPDIAG_GETSOCK) {
              replies[i] = buf.readUInt32LE(off + 16 + (s.protocol === 'unix' ? 4 : 68));
              answered.set(kindOf(s), true);
            }
          }
          off += (len + 3) & ~3;
        }
      }
    } catch {
      // A reply that did not come (the receive timeout) or a failed send: the rest stay 'unknown'.
      opening = undefined;
      nl.close();
      return replies;
    }
  }
  return replies;
}
