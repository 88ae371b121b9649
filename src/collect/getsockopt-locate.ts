// Finds (pid, fd) for a socket given its inode or its listening port, for inspect-options and `try`.
import { readdir, readlink, readFile } from 'node:fs/promises';
import { isListener } from '../model/aggregate.js';
import { escapeControl } from '../model/escape.js';
import { socketDrops, type ProcessRef, type Socket } from '../model/socket.js';
import { logOsCall } from './debug.js';
import { createSource } from './index.js';
import { hiddenKind, hiddenNote, PROC_NOT_MOUNTED_NOTE, procMount, readFailure, type HiddenCounts } from './proc-pid.js';
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
  const mount = procMount(procRoot);
  const note = mount.mounted ? hiddenNote(counts, uid, mount) : PROC_NOT_MOUNTED_NOTE;
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
  /**
   * Why this one of several was chosen, and which the others are (address, inode, fd), e.g. "chosen: the
   * member whose drop counter rose (+120 in 0.3 s); others: 127.0.0.1:40002 inode 8812 fd 5 of pid 27440, ...".
   * Absent when only one socket matched.
   */
  choice?: string;
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

/** How full a socket's receive side is: a TCP listener's accept queue over backlog + 1, a UDP socket's skmem r over rb. */
function fill(s: Socket): number {
  if (s.protocol === 'tcp') return s.recvQ / (s.sendQUnknown ? Math.max(1, s.recvQ) : s.sendQ + 1);
  if (s.skmem && s.skmem.rcvbuf > 0) return s.skmem.rmemAlloc / s.skmem.rcvbuf;
  return s.recvQ > 0 ? 0.5 : 0;
}

/** "127.0.0.1:40002 inode 8812 fd 5 of pid 27440": one member of a shared port, told apart from the others. */
function memberText(s: Socket): string {
  const addr = s.local.address.includes(':') ? `[${s.local.address}]` : s.local.address;
  const fds = s.processes.slice(0, 2).map((p) => (p.fd !== undefined ? `fd ${p.fd} of pid ${p.pid}` : `pid ${p.pid}`));
  return escapeControl([`${s.protocol} ${addr}:${s.local.port}`, ...(s.inode ? [`inode ${s.inode}`] : []), ...fds].join(' '));
}

/** Milliseconds between the two reads that tell which UDP member of a shared port is dropping now. */
const DROP_PROBE_MS = 300;

/**
 * The listener on local port `port` (TCP first, then a bound UDP socket); null when nothing listens. Where
 * several share the port (an SO_REUSEPORT group, an address next to the wildcard), the one in trouble: the
 * UDP member whose drop counter rises (read twice, DROP_PROBE_MS apart), else the fullest queue, else the
 * most drops. Taking the first one listed inspected a healthy member of a group where one was not read.
 */
export async function locateListener(port: number, source?: SocketSource): Promise<LocatedSocket | null> {
  const src = source ?? createSource('auto');
  const snap = await src.collect({ protocols: ['tcp', 'udp'], port, processes: 'all', details: true });
  const listeners = snap.sockets.filter((s) => s.local.port === port && isListener(s));
  if (listeners.length === 0) return null;
  const rise = new Map<Socket, number>();
  const udp = listeners.filter((s) => s.protocol === 'udp');
  if (udp.length > 1 && udp.some((s) => socketDrops(s) != null)) {
    await new Promise((r) => setTimeout(r, DROP_PROBE_MS));
    const again = await src.collect({ protocols: ['udp'], port, processes: 'none', details: true });
    for (const s of udp) {
      const now = again.sockets.find((x) => x.inode !== undefined && x.inode === s.inode && x.local.address === s.local.address);
      const a = socketDrops(s);
      const b = now && socketDrops(now);
      if (a != null && b != null && b > a) rise.set(s, b - a);
    }
  }
  const order = (s: Socket) => (s.protocol === 'tcp' ? 0 : 1);
  const ranked = listeners
    .map((s, i) => ({ s, i }))
    .sort((x, y) => order(x.s) - order(y.s) || (rise.get(y.s) ?? 0) - (rise.get(x.s) ?? 0) || fill(y.s) - fill(x.s) || (socketDrops(y.s) ?? 0) - (socketDrops(x.s) ?? 0) || x.i - y.i)
    .map((x) => x.s);
  const [chosen, ...others] = ranked;
  const located = await withHolders(chosen, snap.source, others);
  if (others.length === 0) return located;
  const sameProto = others.filter((o) => o.protocol === chosen.protocol);
  const r = rise.get(chosen);
  const why =
    sameProto.length === 0
      ? 'the TCP listener (UDP sockets on the port follow)'
      : r
        ? `the member whose drop counter rose (+${r} in ${DROP_PROBE_MS / 1000} s)`
        : fill(chosen) > 0 && fill(chosen) > Math.max(...sameProto.map(fill))
          ? `the member with the fullest receive queue (${chosen.protocol === 'udp' && chosen.skmem ? `${chosen.skmem.rmemAlloc} of ${chosen.skmem.rcvbuf} bytes` : `Recv-Q ${chosen.recvQ}`})`
          : (socketDrops(chosen) ?? 0) > Math.max(...sameProto.map((o) => socketDrops(o) ?? 0))
            ? `the member with the most drops (${socketDrops(chosen)})`
            : 'the first listed: none of them is fuller or dropping';
  const shown = others.slice(0, 8).map(memberText);
  return { ...located, choice: `chosen: ${memberText(chosen)}, ${why}; others: ${shown.join('; ')}${others.length > shown.length ? `; ${others.length - shown.length} more` : ''}` };
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
