// Which of a few sockets of a dump the kernel still has, held by a process (a socket file): one exact
// sock_diag lookup per socket (no NLM_F_DUMP; the kernel answers each from its hash tables), sent in
// batches of LOOKUPS_PER_SEND requests in one datagram. The attributor (processes.ts) asks it about the
// sockets whose owner it did not find: one closed between the dump and the reading of /proc/PID/fd
// (connection churn) had an owner in plain sight, and is not counted as "owners not found".
import type { Socket } from '../model/socket.js';
import { NetlinkSocket } from './netlink-socket.js';

/** Per socket asked about: 'open' (same inode, still there), 'gone' (closed since the dump) or 'unknown'. */
export type StillOpen = 'open' | 'gone' | 'unknown';
export type StillOpenFn = (sockets: readonly Socket[]) => Promise<StillOpen[]>;

const SOCK_DIAG_BY_FAMILY = 20;
const NLMSG_ERROR = 2;
const NLM_F_REQUEST = 1;
const AF_UNIX = 1;
const AF_INET = 2;
const AF_INET6 = 10;
const IPPROTO_TCP = 6;
const IPPROTO_UDP = 17;
const ENOENT = 2;
/** Requests per send: their replies (a few hundred bytes each) must fit the receive buffer. */
const LOOKUPS_PER_SEND = 64;
const INET_REQ_LEN = 16 + 56;
const UNIX_REQ_LEN = 16 + 24;

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
 * The lookup request for `s` (sequence number `seq`), or null when it cannot be asked exactly: a socket
 * bound to an interface or with a zone (the lookup would need its ifindex), no inode, no address family.
 */
function requestFor(s: Socket, seq: number): Buffer | null {
  if (!s.inode) return null;
  if (s.protocol === 'unix') {
    const b = Buffer.alloc(UNIX_REQ_LEN);
    b.writeUInt32LE(UNIX_REQ_LEN, 0);
    b.writeUInt16LE(SOCK_DIAG_BY_FAMILY, 4);
    b.writeUInt16LE(NLM_F_REQUEST, 6);
    b.writeUInt32LE(seq, 8);
    b[16] = AF_UNIX;
    b.writeUInt32LE(0xffffffff, 20); // states
    b.writeUInt32LE(s.inode, 24);
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

/**
 * What one reply says of `s`: the socket the kernel found, by its inode (0: no socket file any more, a
 * TIME_WAIT or orphan on the same ports), or ENOENT. A different socket at a connected socket's ports means
 * ours is gone (a 4-tuple is one socket); at an unconnected one's (a listener, a bound UDP socket) it may be
 * another of an SO_REUSEPORT group, so nothing is known.
 */
function verdict(s: Socket, foundInode: number | 'enoent' | 'error'): StillOpen {
  if (foundInode === 'error') return 'unknown';
  if (foundInode === 'enoent') return 'gone';
  if (foundInode === s.inode) return 'open';
  if (s.protocol === 'unix') return 'unknown';
  const connected = s.peer.port !== 0 && s.state !== 'LISTEN';
  return connected ? 'gone' : 'unknown';
}

let opening: Promise<NetlinkSocket | null> | undefined;

/** One NETLINK_SOCK_DIAG socket for the life of the process; null when netlink cannot be used (no koffi, not Linux). */
function lookupSocket(): Promise<NetlinkSocket | null> {
  opening ??= NetlinkSocket.open(1000).catch(() => null);
  return opening;
}

/**
 * Asks the kernel, for each of `sockets`, whether it still has that socket (exact sock_diag lookups in
 * the current network namespace, the one the dump read). 'unknown' for each when netlink is not usable.
 */
export async function stillOpen(sockets: readonly Socket[]): Promise<StillOpen[]> {
  const out: StillOpen[] = sockets.map(() => 'unknown');
  if (sockets.length === 0) return out;
  const nl = await lookupSocket();
  if (!nl) return out;
  const buf = Buffer.allocUnsafe(64 * 1024);
  for (let from = 0; from < sockets.length; from += LOOKUPS_PER_SEND) {
    const reqs: Buffer[] = [];
    const asked = new Map<number, number>();
    for (let i = from; i < Math.min(sockets.length, from + LOOKUPS_PER_SEND); i++) {
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
          const i = asked.get(buf.readUInt32LE(off + 8));
          if (i !== undefined) {
            asked.delete(buf.readUInt32LE(off + 8));
            const s = sockets[i];
            if (type === NLMSG_ERROR) out[i] = verdict(s, -buf.readInt32LE(off + 16) === ENOENT ? 'enoent' : 'error');
            else if (type === SOCK_DIAG_BY_FAMILY) out[i] = verdict(s, buf.readUInt32LE(off + 16 + (s.protocol === 'unix' ? 4 : 68)));
          }
          off += (len + 3) & ~3;
        }
      }
    } catch {
      // A reply that did not come (the receive timeout) or a failed send: the rest stay 'unknown'.
      opening = undefined;
      nl.close();
      return out;
    }
  }
  return out;
}
