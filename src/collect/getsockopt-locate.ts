// Finds (pid, fd) for a socket given its inode or its listening port, for inspect-options and `try`.
import { readdir, readlink, readFile } from 'node:fs/promises';
import { isListener } from '../model/aggregate.js';
import type { ProcessRef, Socket } from '../model/socket.js';
import { logOsCall } from './debug.js';
import { createSource } from './index.js';
import { hiddenKind, hiddenNote, readFailure, type HiddenCounts } from './proc-pid.js';
import type { SocketSource } from './source.js';

export interface Holders {
  holders: ProcessRef[];
  /** Other users' processes whose fd table could not be read (without root); kernel threads and exited processes are not counted. */
  hidden: number;
  /** This user's processes that are not dumpable (prctl PR_SET_DUMPABLE 0, setuid): only root can read their fds. */
  ownUndumpable: number;
  /** What the hidden processes mean, worded as the attributor's note (undefined when none are hidden). */
  hiddenNote?: string;
}

/**
 * Walks /proc/PID/fd of every process for `socket:[inode]` (bounded by the number of processes). Processes
 * that cannot be read are counted as the ProcessAttributor counts them (proc-pid.ts hiddenKind), so that
 * inspect-options and `try` give the number analyze gives: a process that exits during the walk and a kernel
 * thread (no fds to search) are not hidden from anyone. `uid`: the uid the walk runs as (tests).
 */
export async function findSocketHolders(inodes: readonly number[], procRoot = '/proc', uid = process.getuid?.() ?? 0): Promise<Map<number, Holders>> {
  const t0 = performance.now();
  const want = new Map(inodes.map((i) => [`socket:[${i}]`, i]));
  const out = new Map<number, Holders>(inodes.map((i) => [i, { holders: [], hidden: 0, ownUndumpable: 0 }]));
  const counts: HiddenCounts = { otherUsers: 0, ownUndumpable: 0 };
  const pids = (await readdir(procRoot)).filter((d) => /^\d+$/.test(d));
  await Promise.all(
    pids.map(async (p) => {
      let fds: string[];
      try {
        fds = await readdir(`${procRoot}/${p}/fd`);
      } catch (e) {
        if (readFailure(e) === 'gone') return;
        const kind = hiddenKind(procRoot, Number(p), uid);
        if (kind === 'other-user') counts.otherUsers++;
        else if (kind === 'own-undumpable') counts.ownUndumpable++;
        return;
      }
      let name: string | undefined;
      for (const f of fds) {
        let link: string;
        try {
          link = await readlink(`${procRoot}/${p}/fd/${f}`);
        } catch {
          continue;
        }
        const ino = want.get(link);
        if (ino === undefined) continue;
        name ??= (await readFile(`${procRoot}/${p}/comm`, 'utf8').catch(() => '?')).replace(/\n$/, '');
        out.get(ino)!.holders.push({ pid: Number(p), name, fd: Number(f) });
      }
    }),
  );
  const note = hiddenNote(counts, uid);
  for (const h of out.values()) {
    h.hidden = counts.otherUsers;
    h.ownUndumpable = counts.ownUndumpable;
    if (note) h.hiddenNote = note;
    h.holders.sort((a, b) => a.pid - b.pid || a.fd - b.fd);
  }
  logOsCall('read', `/proc/*/fd walk for ${inodes.length} inode(s)`, performance.now() - t0, undefined, `pids=${pids.length} hidden=${counts.otherUsers} own-undumpable=${counts.ownUndumpable}`);
  return out;
}

export interface LocatedSocket {
  socket: Socket;
  /** Which collector listed it. */
  source: string;
  holders: ProcessRef[];
  /** Other users' processes that could not be searched (as Holders.hidden). */
  hidden: number;
  /** This user's undumpable processes that could not be searched (as Holders.ownUndumpable). */
  ownUndumpable: number;
  /** What could not be searched, in words (as Holders.hiddenNote). */
  hiddenNote?: string;
  /** Other sockets that matched (a v4 and a v6 listener, an SO_REUSEPORT group). */
  others: Socket[];
}

async function withHolders(s: Socket, source: string, others: Socket[]): Promise<LocatedSocket> {
  if (s.processes.length > 0) return { socket: s, source, holders: s.processes, hidden: 0, ownUndumpable: 0, others };
  if (s.inode === undefined || s.inode === 0) return { socket: s, source, holders: [], hidden: 0, ownUndumpable: 0, others };
  const h = (await findSocketHolders([s.inode])).get(s.inode)!;
  return { socket: s, source, holders: h.holders, hidden: h.hidden, ownUndumpable: h.ownUndumpable, ...(h.hiddenNote ? { hiddenNote: h.hiddenNote } : {}), others };
}

/**
 * Why no process could be found holding a located socket, for the kernel-view fallback of inspect-options:
 * the hidden processes in the attributor's words, or that nobody holds it.
 */
export function noHolderReason(l: Pick<LocatedSocket, 'hiddenNote'>): string {
  return l.hiddenNote ? `no visible process holds the socket: ${l.hiddenNote}` : 'no process holds the socket (it may be closing)';
}

/** The listener on local port `port` (TCP first, then a bound UDP socket); null when nothing listens. */
export async function locateListener(port: number, source?: SocketSource): Promise<LocatedSocket | null> {
  const src = source ?? createSource('auto');
  const snap = await src.collect({ protocols: ['tcp', 'udp'], port, processes: 'all', details: true });
  const listeners = snap.sockets.filter((s) => s.local.port === port && isListener(s));
  listeners.sort((a, b) => (a.protocol === b.protocol ? 0 : a.protocol === 'tcp' ? -1 : 1));
  if (listeners.length === 0) return null;
  return withHolders(listeners[0], snap.source, listeners.slice(1));
}

/** The socket with this inode and the processes holding it; null when no collector lists it. */
export async function locateInode(inode: number, source?: SocketSource): Promise<LocatedSocket | null> {
  const src = source ?? createSource('auto');
  for (const protocols of [['tcp', 'udp'], ['unix']] as const) {
    // Find it without process attribution (cheap even with 100,000 sockets), then attribute only its port.
    const snap = await src.collect({ protocols, processes: 'none', details: true });
    const hit = snap.sockets.find((s) => s.inode === inode);
    if (!hit) continue;
    if (hit.protocol !== 'unix' && hit.local.port !== 0) {
      const again = await src.collect({ protocols: [hit.protocol], port: hit.local.port, processes: 'all', details: true });
      const attributed = again.sockets.find((s) => s.inode === inode);
      if (attributed) return withHolders(attributed, again.source, []);
    }
    return withHolders(hit, snap.source, []);
  }
  return null;
}
