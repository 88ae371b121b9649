// The per-process cache of process attribution (the ProcessAttributor of processes.ts runs the passes over it):
// for each pid, its fd -> socket inode map, name and start time, and the inode -> holders index built from them
// (inode-index.ts), brought up to date by a walk over /proc.
//
// readlink of /proc/PID/fd/N costs ~4-6 us each, so re-reading every fd on every poll is what makes
// `ss -p` slow. Instead, per pid we keep the fd -> socket inode map and re-read a pid only when
//   - it is new, or its /proc/PID/fd directory is a new one and its start time differs (pid reuse;
//     the same process can get a new directory inode when the kernel drops and re-creates the dentry),
//   - its fd count changed (stat(/proc/PID/fd).st_size is the number of open fds on Linux >= 6.2;
//     on older kernels the size is 0 and the directory is listed every time),
//   - one of the socket inodes it held disappeared from the socket dump (fd closed, number reused).
// When re-reading a pid, only fd numbers that are new or whose cached socket disappeared are readlink'ed.
// The inode -> holders index is kept up to date as pids change (not rebuilt per poll), in an open-addressing
// table keyed by inode. A warm poll of 100,000 sockets costs one pass over the socket list (a fingerprint;
// one index probe per socket only when the list changed, to find the vanished ones) plus one stat per pid.
// All calls are synchronous (an async readlink per fd costs far more than the syscall); `pause` yields to
// the event loop every few milliseconds so the monitor stays responsive.
import { readdirSync } from 'node:fs';
import type { ProcessRef, Socket } from '../model/socket.js';
import { logOsCall } from './debug.js';
import { readFdLinks, socketLinkAt } from './fd-links.js';
import { fdReadPlan, type Mode } from './fd-read-plan.js';
import { InodeIndex } from './inode-index.js';
import { isListenerSocket } from '../model/listener-socket.js';
import { oldestFirst } from './oldest-first.js';
import { canListFds, fdSizeIsCount, hiddenKind, readComm, readFailure, readStartAndParent, statPidFd, type HiddenCounts, type HiddenKind, type PidStat, type ReadResult } from './proc-pid.js';
import type { AttributionStats } from './processes.js';
import type { TargetedReads } from './targeted-pass.js';

interface PidEntry {
  /** Inode of /proc/PID/fd: a new process with the same pid gets a new directory inode. */
  dirIno: number;
  /** Start time (clock ticks after boot, /proc/PID/stat field 22); -1 when unknown. */
  start: number;
  /** Open fd count at the last listing (0 = unknown on this kernel). */
  count: number;
  /** fd -> socket inode; 0 for fds that are not sockets. */
  fds: Map<number, number>;
  name: string;
  /** When `name` was last read from /proc/PID/comm (ProcessAttributor.nameReads): refreshNames reads the oldest first. */
  namedAt: number;
}

/**
 * At most this many owners' names are re-read per pass (refreshNames), those read longest ago when there are more:
 * one read of /proc/PID/comm costs 15-40 us here (measured, a loaded 2-core host), so about 1-2.5 ms at most.
 */
const NAME_READS_PER_PASS = 64;

/** `disappeared` of a pass whose socket list is the previous one's (never modified). */
export const SAME_LIST: ReadonlySet<number> = new Set<number>();

/**
 * Fingerprint of a socket list (count, sum and two hashes of the inodes): when it equals the previous
 * pass's, no socket disappeared and the per-socket index probes are skipped (steady state). Pushes the
 * sockets to attribute into `wanted`. A plain function, so the optimizing compiler takes its loop on
 * its own (inside the async pass it stayed unoptimized: a heap number per socket for `sum`, 3 MB a
 * poll at 100,000 sockets); indexed, because an unoptimized for-of makes an iterator result per socket.
 */
function listFingerprint(sockets: readonly Socket[], scope: 'listeners' | 'all', wanted: Socket[]): { n: number; sum: number; mix: number; mix2: number } {
  let n = 0;
  let sum = 0;
  let mix = 0;
  let mix2 = 0;
  for (let i = 0; i < sockets.length; i++) {
    const s = sockets[i];
    const ino = s.inode;
    if (!ino) continue;
    n++;
    sum += ino;
    mix ^= Math.imul(ino, 0x9e3779b1);
    mix2 += Math.imul(ino, 0x2545f491) >>> 0;
    if (scope === 'all' || isListenerSocket(s)) wanted.push(s);
  }
  return { n, sum, mix, mix2 };
}

/** The processes read so far, their sockets, and the index from socket inode to holders. */
export class PidFdCache {
  private pids = new Map<number, PidEntry>();
  private index = new InodeIndex((pid) => this.pids.get(pid)?.name ?? '');
  /** Pass number: index slots remember the last pass whose socket list held their inode. */
  private gen = 0;
  /** Of the socket list of pass `gen` (passes with the same list keep its number). */
  private fingerprint = { n: 0, sum: 0, mix: 0, mix2: 0 };
  /** Unreadable pids -> whose they are (kernel threads have an empty cmdline and hold no sockets; see proc-pid.ts hiddenKind). */
  private unreadable = new Map<number, HiddenKind>();
  /** The pass number index entries get (prefetch: -1, never a pass, so that no later pass takes them as gone). */
  entryGen: number | undefined;
  private sizeCounts: boolean | undefined;
  /** Pids holding the wanted sockets of the last resolve(), in the sockets' order. */
  private owners = new Set<number>();
  /** Reads of /proc/PID/comm so far: PidEntry.namedAt orders the names by age. */
  private nameReads = 0;
  /** Pids whose name readPid read in the current pass (refreshNames need not read them again). */
  private namedInPass = new Set<number>();

  /** `uid`: the uid sockscope runs as (whose hidden processes are); `pause`: yields to the event loop now and then. */
  constructor(
    private readonly root: string,
    private readonly uid: number,
    private readonly countFromStat: boolean,
    private readonly pause: () => Promise<void>,
  ) {}

  /** Whether no process has been read yet (a fresh cache: a one-shot command). */
  get empty(): boolean {
    return this.pids.size === 0;
  }

  /** Processes holding a socket inode, as of the last pass. */
  lookup(inode: number): ProcessRef[] {
    return this.index.get(inode) ?? [];
  }

  /**
   * Starts a pass over `sockets`: pushes those in scope to `wanted` and returns the inodes that vanished since the
   * last pass (SAME_LIST when the list is the previous pass's: its fingerprint is unchanged).
   */
  startPass(sockets: readonly Socket[], scope: 'listeners' | 'all', wanted: Socket[]): ReadonlySet<number> {
    this.namedInPass.clear();
    const { n, sum, mix, mix2 } = listFingerprint(sockets, scope, wanted);
    const index = this.index;
    const fp = this.fingerprint;
    if (this.gen > 0 && fp.n === n && fp.sum === sum && fp.mix === mix && fp.mix2 === mix2) return SAME_LIST;
    const gen = ++this.gen;
    for (let i = 0; i < sockets.length; i++) {
      const ino = sockets[i].inode;
      if (ino) index.markSeen(ino, gen);
    }
    const disappeared = new Set(index.disappearedSince(gen - 1));
    this.fingerprint = { n, sum, mix, mix2 };
    return disappeared;
  }

  /** The pids that held the vanished inodes (their fds are read again). */
  holdersOf(disappeared: ReadonlySet<number>): Set<number> {
    const suspects = new Set<number>();
    for (const ino of disappeared) for (const r of this.index.get(ino)!) suspects.add(r.pid);
    return suspects;
  }

  /** This cache and the reads of pass `stats`, as a targeted pass (targeted-pass.ts) uses them. */
  targetedReads(stats: AttributionStats): TargetedReads {
    return {
      root: this.root,
      cachedPids: () => this.pids.keys(),
      fdsOf: (pid) => this.pids.get(pid)?.fds,
      holders: (ino) => this.index.get(ino),
      readWhole: (st) => this.readPid(st, undefined, 'full', new Set(), stats),
      readSocketLink: (pid, fd) => {
        stats.readlinks++;
        return socketLinkAt(`${this.root}/${pid}/fd`, fd);
      },
      pause: () => this.pause(),
    };
  }

  /** Sets socket.processes for the wanted sockets (their pids in `owners`); returns the inodes nobody was found holding. */
  resolve(wanted: Socket[]): Set<number> {
    const unresolved = new Set<number>();
    const owners = this.owners;
    owners.clear();
    let last = -1;
    for (const s of wanted) {
      const refs = this.index.get(s.inode!);
      if (refs) {
        s.processes = refs; // shared, treated as immutable like the snapshot itself
        // Consecutive sockets mostly have the same owner: one Set insertion per run of them.
        for (let k = 0; k < refs.length; k++) if (refs[k].pid !== last) owners.add((last = refs[k].pid));
      } else unresolved.add(s.inode!);
    }
    return unresolved;
  }

  /**
   * Re-reads the names (/proc/PID/comm) of the owners of the wanted sockets: the walk skips a process
   * whose fd count did not change, and a rename changes nothing else that it looks at. There is no cheap
   * sign of a rename, so the names are read: all of them each pass up to NAME_READS_PER_PASS owners, and
   * beyond that the ones read longest ago (by the walk or here). The owners, and which of them the walk
   * just read, change from pass to pass, so a cursor into that list skipped some (review api #8); by age,
   * every owner is read again within ceil(owners / 64) passes. True when a name changed (the index then
   * holds new refs, and the sockets must be resolved again to get them).
   */
  refreshNames(stats: AttributionStats): boolean {
    const due = oldestFirst(this.owners, NAME_READS_PER_PASS, (pid) => (this.namedInPass.has(pid) ? undefined : this.pids.get(pid)?.namedAt));
    let renamed = false;
    for (const pid of due) {
      const entry = this.pids.get(pid)!;
      stats.namesRead++;
      const name = readComm(this.root, pid);
      entry.namedAt = ++this.nameReads;
      if (name === undefined || name === entry.name) continue;
      this.setEntry(pid, { ...entry, name });
      renamed = true;
    }
    return renamed;
  }

  /**
   * One pass over /proc: brings the cached pids up to date and drops the ones that exited. Pids not in
   * the cache are read, or, in a targeted pass (`unread` given), only listed there for the caller to decide.
   * Returns the processes whose fds could not be read, by whose they are.
   */
  async walk(mode: Mode, disappeared: ReadonlySet<number>, suspects: ReadonlySet<number>, stats: AttributionStats, unread: Map<number, PidStat> | null): Promise<HiddenCounts> {
    const tList = performance.now();
    let names: string[];
    try {
      names = readdirSync(this.root);
    } catch (e) {
      logOsCall('read', this.root, performance.now() - tList, undefined, `error=${(e as NodeJS.ErrnoException).code}`);
      this.pids.clear();
      this.index.clear();
      this.fingerprint = { n: -1, sum: 0, mix: 0, mix2: 0 };
      return { otherUsers: 0, ownUndumpable: 0 };
    }
    const seen = new Set<number>();
    const hidden: HiddenCounts = { otherUsers: 0, ownUndumpable: 0 };
    for (const n of names) {
      const c = n.charCodeAt(0);
      if (c < 48 || c > 57) continue;
      const pid = Number(n);
      if (!Number.isInteger(pid)) continue;
      stats.pids++;
      const st = statPidFd(this.root, pid, this.countFromStat);
      if (st === 'gone') {
        this.setEntry(pid, undefined);
        continue;
      }
      let r: ReadResult = 'ok';
      if (st === 'hidden') r = 'hidden';
      else {
        let prev = this.pids.get(pid);
        if (prev && prev.dirIno !== st.dirIno) {
          // A new directory inode: pid reuse, or the same process whose dentry was dropped and re-created.
          const start = readStartAndParent(this.root, pid)?.start ?? -1;
          if (start !== -1 && start === prev.start) prev.dirIno = st.dirIno;
          else prev = undefined;
        }
        if (prev) {
          if (mode === 'incremental' && prev.count === st.count && (st.count > 0 || this.sizeIsCount()) && !suspects.has(pid)) {
            seen.add(pid);
            continue;
          }
          r = await this.readPid(st, prev, mode, disappeared, stats);
        } else if (unread) {
          if (this.pids.has(pid)) this.setEntry(pid, undefined);
          r = canListFds(this.root, pid);
          if (r === 'ok') unread.set(pid, st);
        } else r = await this.readPid(st, undefined, mode, disappeared, stats);
      }
      if (r !== 'gone') seen.add(pid);
      if (r === 'hidden') {
        this.setEntry(pid, undefined);
        const kind = this.hiddenKindOf(pid);
        if (kind === 'other-user') hidden.otherUsers++;
        else if (kind === 'own-undumpable') hidden.ownUndumpable++;
      }
      await this.pause();
    }
    for (const pid of [...this.pids.keys()]) if (!seen.has(pid)) this.setEntry(pid, undefined);
    for (const pid of this.unreadable.keys()) if (!seen.has(pid)) this.unreadable.delete(pid);
    return hidden;
  }

  /** Every pid with its fd count and directory inode (unreadable ones left out); null when the proc root cannot be listed. */
  listPidStats(): PidStat[] | null {
    let names: string[];
    try {
      names = readdirSync(this.root);
    } catch {
      return null;
    }
    const candidates: PidStat[] = [];
    for (const n of names) {
      const c = n.charCodeAt(0);
      if (c < 48 || c > 57) continue;
      const st = statPidFd(this.root, Number(n), this.countFromStat);
      if (typeof st === 'object') candidates.push(st);
    }
    return candidates;
  }

  /**
   * Whether the size of /proc/PID/fd is the fd count here (Linux >= 6.2), so that 0 means "no fds"
   * (kernel threads) rather than "unknown": checked once on this process's own directory, never empty.
   */
  private sizeIsCount(): boolean {
    if (this.sizeCounts === undefined) {
      this.sizeCounts = this.countFromStat && fdSizeIsCount(this.root);
    }
    return this.sizeCounts;
  }

  /**
   * Kernel threads are unreadable too without root but are not "processes of other users", nor are the
   * user's own processes that are not dumpable: read cmdline and status once per pid.
   */
  private hiddenKindOf(pid: number): HiddenKind {
    let v = this.unreadable.get(pid);
    if (v === undefined) {
      v = hiddenKind(this.root, pid, this.uid);
      this.unreadable.set(pid, v);
    }
    return v;
  }

  /**
   * Brings one pid's cache entry up to date: lists its fds and readlinks those not known (all of them
   * without `prev` or in a full pass). 'hidden' / 'gone' when it cannot be listed (the entry is dropped).
   */
  async readPid(st: PidStat, prev: PidEntry | undefined, mode: Mode, disappeared: ReadonlySet<number>, stats: AttributionStats): Promise<ReadResult> {
    const pid = st.pid;
    const plan = fdReadPlan(pid, st.count, prev, mode, disappeared, () => this.sizeIsCount());
    let fds: Map<number, number>;
    try {
      fds = await readFdLinks(`${this.root}/${pid}/fd`, plan, stats, () => this.pause());
    } catch (e) {
      this.setEntry(pid, undefined);
      return readFailure(e);
    }
    stats.pidsRelisted++;
    let name = prev?.name;
    let namedAt = prev?.namedAt ?? 0;
    if (name === undefined || mode !== 'incremental' || prev?.count !== st.count) {
      name = readComm(this.root, pid) ?? name ?? '';
      namedAt = ++this.nameReads;
      this.namedInPass.add(pid);
    }
    const start = prev?.start ?? readStartAndParent(this.root, pid)?.start ?? -1;
    this.setEntry(pid, { dirIno: st.dirIno, start, count: st.count, fds, name, namedAt });
    return 'ok';
  }

  /** Replaces (or with undefined removes) a pid's entry and moves the index from its old sockets to the new. */
  private setEntry(pid: number, next: PidEntry | undefined): void {
    const prev = this.pids.get(pid);
    const renamed = prev !== undefined && next !== undefined && prev.name !== next.name;
    if (prev) {
      for (const [fd, ino] of prev.fds) if (ino !== 0 && (renamed || next?.fds.get(fd) !== ino)) this.index.remove(ino, pid, fd);
    }
    if (next) {
      if (!prev) this.index.reserve(next.fds.size);
      // The entry first: refs made on demand take the name of the entry in place.
      this.pids.set(pid, next);
      const gen = this.entryGen ?? this.gen;
      for (const [fd, ino] of next.fds) if (ino !== 0 && (renamed || prev?.fds.get(fd) !== ino)) this.index.add(ino, pid, fd, next.name, gen);
    } else this.pids.delete(pid);
  }
}
