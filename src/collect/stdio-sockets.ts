// The unix sockets that carry a child's stdout and stderr: libuv makes each 'pipe' of the stdio a
// socketpair, so a child that lists unix sockets (ss -x, netstat -x) lists these too, sockets that exist
// only because sockscope asked (`ss -xa` or `netstat -xa` from a shell lists none). Their inodes are read
// at spawn (exec.ts asks), and the ss and netstat sources leave them out of what the child listed.
import type { ChildProcess } from 'node:child_process';
import { readlinkSync } from 'node:fs';
import type { Socket } from '../model/socket.js';
import { socketInodeInText } from '../parse/fd-link.js';

/** The inode of a socket fd link (`socket:[123]`); undefined for anything else or when it cannot be read. */
function socketInode(link: string): number | undefined {
  try {
    return socketInodeInText(readlinkSync(link)) || undefined;
  } catch {
    return undefined;
  }
}

/**
 * The inodes of the unix sockets that carry a child's stdout and stderr, both ends. This process's ends
 * come from the handles' fds in /proc/self/fd; the child's from /proc/PID/fd/1 and 2, read at once after
 * spawn (libuv returns once the child has exec'd). A child that is already done has no fds left to read
 * (8 of 200 spawns of `ss -xanOHe` in an empty namespace, 2 busy cores): its end is then taken to be
 * ours + 1, as socketpair() allocates the two inodes one after the other (get_next_ino) and libuv keeps
 * the first. Four readlinks, only for collections that list unix sockets.
 */
export function stdioSocketInodes(child: ChildProcess): number[] {
  const out: number[] = [];
  const ends: [unknown, number][] = [
    [child.stdout, 1],
    [child.stderr, 2],
  ];
  for (const [stream, childFd] of ends) {
    // The pipe handle's fd: not a documented API, so anything else than a number is skipped.
    const fd = (stream as { _handle?: { fd?: unknown } } | null)?._handle?.fd;
    const mine = typeof fd === 'number' && fd >= 0 ? socketInode(`/proc/self/fd/${fd}`) : undefined;
    const theirs = child.pid !== undefined ? socketInode(`/proc/${child.pid}/fd/${childFd}`) : undefined;
    if (mine !== undefined) out.push(mine);
    if (theirs !== undefined) out.push(theirs);
    else if (mine !== undefined) out.push(mine + 1);
  }
  return out;
}

/** An unnamed unix socket whose inode, or peer's inode (ss prints peers; netstat does not), is one of `own`. */
function isStdioSocket(s: Socket & { peerInode?: number }, own: ReadonlySet<number>): boolean {
  if (s.protocol !== 'unix' || s.local.address !== '') return false;
  return (s.inode !== undefined && own.has(s.inode)) || (s.peerInode !== undefined && own.has(s.peerInode));
}

/**
 * Removes from `sockets`, in place, the stdio sockets (isStdioSocket) of the children whose inodes are
 * `own`. `unixAt` (ascending indexes of the unix sockets, as SsStreamParser records them) spares a
 * 100,000-socket list a scan for a few sockets; without it every socket is looked at.
 */
export function dropStdioSockets(sockets: Socket[], own: ReadonlySet<number>, unixAt?: readonly number[]): void {
  if (own.size === 0) return;
  if (unixAt) {
    for (let k = unixAt.length - 1; k >= 0; k--) if (isStdioSocket(sockets[unixAt[k]], own)) sockets.splice(unixAt[k], 1);
    return;
  }
  let kept = 0;
  for (const s of sockets) if (!isStdioSocket(s, own)) sockets[kept++] = s;
  sockets.length = kept;
}
