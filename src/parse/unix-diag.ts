// Pure parser for unix_diag replies (linux/unix_diag.h) and the builder of the unix_diag_req dump request.
import { decodeUtf8 } from '../model/escape.js';
import { KERNEL_STATE_BY_NUMBER, type Socket } from '../model/socket.js';
import { AF_UNIX, NLMSG_HDRLEN, NLM_F_DUMP, NLM_F_REQUEST, SOCK_DIAG_BY_FAMILY, align4, cookieString, parseSkMemInfo, walkNetlink } from './inet-diag.js';

export const UNIX_DIAG_MSG_LEN = 16;
export const UNIX_DIAG_REQ_LEN = 24;
export const UDIAG_SHOW_NAME = 0x01;
export const UDIAG_SHOW_VFS = 0x02;
export const UDIAG_SHOW_PEER = 0x04;
export const UDIAG_SHOW_ICONS = 0x08;
export const UDIAG_SHOW_RQLEN = 0x10;
export const UDIAG_SHOW_MEMINFO = 0x20;
export const UDIAG_SHOW_UID = 0x40;

export const UNIX_DIAG_NAME = 0;
export const UNIX_DIAG_VFS = 1;
export const UNIX_DIAG_PEER = 2;
export const UNIX_DIAG_ICONS = 3;
export const UNIX_DIAG_RQLEN = 4;
export const UNIX_DIAG_MEMINFO = 5;
export const UNIX_DIAG_SHUTDOWN = 6;
export const UNIX_DIAG_UID = 7;

const UNIX_TYPES: Record<number, Socket['unixType']> = { 1: 'stream', 2: 'dgram', 5: 'seqpacket' };

/** A unix socket plus what only the diag reply knows: the peer's inode and the bound file's inode. */
export type UnixDiagSocket = Socket & { peerInode?: number; vfsInode?: number };

/** Builds nlmsghdr + unix_diag_req for a dump of every unix socket (all states). */
export function buildUnixDiagRequest(opts: { details?: boolean; seq?: number } = {}): Buffer {
  const total = NLMSG_HDRLEN + UNIX_DIAG_REQ_LEN;
  const b = Buffer.alloc(total);
  b.writeUInt32LE(total, 0);
  b.writeUInt16LE(SOCK_DIAG_BY_FAMILY, 4);
  b.writeUInt16LE(NLM_F_REQUEST | NLM_F_DUMP, 6);
  b.writeUInt32LE(opts.seq ?? 1, 8);
  const p = NLMSG_HDRLEN;
  b.writeUInt8(AF_UNIX, p);
  b.writeUInt32LE(0xffffffff, p + 4); // every state
  let show = UDIAG_SHOW_NAME | UDIAG_SHOW_VFS | UDIAG_SHOW_PEER | UDIAG_SHOW_RQLEN | UDIAG_SHOW_UID;
  if (opts.details) show |= UDIAG_SHOW_MEMINFO;
  b.writeUInt32LE(show, p + 12);
  b.writeUInt32LE(0xffffffff, p + 16);
  b.writeUInt32LE(0xffffffff, p + 20);
  return b;
}

/**
 * The text shown for a unix name: a path as is (cut at its terminating NUL); an abstract name (leading
 * NUL) as '@' and its bytes, its trailing NULs as '@' as ss and /proc/net/unix print them (a name padded
 * with NULs: runtimes such as Node bind the whole sun_path; `@name@@@`, as ss shows it). A NUL inside the
 * name (a byte other than NUL follows it) is kept as NUL, which every printer escapes (`\x00`):
 * ss prints it as '@' too, so `\0dup\0x` and `\0dup@x`, two sockets, read as one name `@dup@x` and
 * were one row; with the exact byte they stay two. Bytes are decoded as UTF-8, a byte that is not UTF-8
 * kept as decodeUtf8 keeps it (shown \xNN, not as U+FFFD: two such names stay apart; paths are
 * untrusted: callers escape before printing).
 */
export function unixName(buf: Uint8Array, off: number, len: number): string {
  if (len <= 0) return '';
  const bytes = Buffer.from(buf.buffer, buf.byteOffset + off, len);
  if (bytes[0] !== 0) {
    const nul = bytes.indexOf(0);
    return decodeUtf8(nul >= 0 ? bytes.subarray(0, nul) : bytes);
  }
  // NUL is one byte in UTF-8 and never part of a longer sequence: decoding keeps each inner one as U+0000.
  let end = len;
  while (end > 1 && bytes[end - 1] === 0) end--;
  return `@${decodeUtf8(bytes.subarray(1, end))}${'@'.repeat(len - end)}`;
}

/** Parses one unix_diag_msg payload and its attributes; null when too short or not AF_UNIX. */
export function parseUnixDiagMsg(buf: Uint8Array, offset: number, length: number): UnixDiagSocket | null {
  if (length < UNIX_DIAG_MSG_LEN || offset + length > buf.length) return null;
  const dv = new DataView(buf.buffer, buf.byteOffset + offset, length);
  if (dv.getUint8(0) !== AF_UNIX) return null;
  const type = dv.getUint8(1);
  const state = KERNEL_STATE_BY_NUMBER[dv.getUint8(2)];
  if (!state) return null;
  const inode = dv.getUint32(4, true);
  const cookieLo = dv.getUint32(8, true);
  const cookieHi = dv.getUint32(12, true);
  const sock: UnixDiagSocket = {
    protocol: 'unix',
    state,
    local: { address: '', port: 0 },
    peer: { address: '', port: 0 },
    recvQ: 0,
    sendQ: 0,
    inode,
    cookie: cookieString(cookieLo, cookieHi),
    processes: [],
  };
  const ut = UNIX_TYPES[type];
  if (ut) sock.unixType = ut;
  let off = UNIX_DIAG_MSG_LEN;
  while (off + 4 <= length) {
    const alen = dv.getUint16(off, true);
    if (alen < 4 || off + alen > length) break;
    const atype = dv.getUint16(off + 2, true) & 0x3fff;
    const d = off + 4;
    const dlen = alen - 4;
    switch (atype) {
      case UNIX_DIAG_NAME:
        sock.local.address = unixName(buf, offset + d, dlen);
        break;
      case UNIX_DIAG_VFS:
        if (dlen >= 4) sock.vfsInode = dv.getUint32(d, true);
        break;
      case UNIX_DIAG_PEER:
        if (dlen >= 4) {
          const p = dv.getUint32(d, true);
          if (p !== 0) sock.peerInode = p;
        }
        break;
      case UNIX_DIAG_RQLEN:
        if (dlen >= 8) {
          sock.recvQ = dv.getUint32(d, true);
          sock.sendQ = dv.getUint32(d + 4, true);
        }
        break;
      case UNIX_DIAG_MEMINFO: {
        const m = parseSkMemInfo(dv, d, dlen);
        if (m) sock.skmem = m;
        break;
      }
      case UNIX_DIAG_UID:
        if (dlen >= 4) sock.uid = dv.getUint32(d, true);
        break;
    }
    off += align4(alen);
  }
  return sock;
}

export interface UnixDiagBatch {
  sockets: UnixDiagSocket[];
  done: boolean;
  error: number;
  interrupted: boolean;
  skipped: number;
  trailing: number;
}

/** Parses a receive buffer of unix_diag replies, appending to `into` when given. */
export function parseUnixDiagBuffer(buf: Uint8Array, len: number, into: UnixDiagSocket[] = []): UnixDiagBatch {
  const walk = walkNetlink(buf, len);
  let skipped = 0;
  for (const m of walk.messages) {
    const s = m.type === SOCK_DIAG_BY_FAMILY ? parseUnixDiagMsg(buf, m.offset, m.length) : null;
    if (s) into.push(s);
    else skipped++;
  }
  return { sockets: into, done: walk.done, error: walk.error, interrupted: walk.interrupted, skipped, trailing: walk.trailing };
}

/**
 * Fills each socket's peer address with the name its peer is bound to (as ss does: a client
 * connected to /run/x.sock shows /run/x.sock as its peer). Needs the whole dump.
 */
export function resolveUnixPeers(sockets: readonly UnixDiagSocket[]): void {
  const names = new Map<number, string>();
  for (const s of sockets) if (s.inode !== undefined && s.local.address) names.set(s.inode, s.local.address);
  for (const s of sockets) {
    if (s.peerInode === undefined) continue;
    const n = names.get(s.peerInode);
    if (n) s.peer.address = n;
  }
}
