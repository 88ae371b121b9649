// Process attribution: socket inode -> processes holding it, from /proc/*/fd, cached between polls.
// This file holds the ProcessAttributor (the polling: which processes to re-read, and when) and registers
// the shared one with attribution.ts. Its parts: inode-index.ts (inode -> holders), fd-links.ts (reading
// a process's fd links), proc-pid.ts (the other /proc/PID files), targeted-pass.ts (one-shot passes).
//
// Why it is built this way (measured on a 100k-socket host, see the final report of issue 2 and the
// attribution paragraph of README "Figures"):
// readlink of /proc/PID/fd/N costs ~4-6 us each, so re-reading every fd on every poll is what makes
// `ss -p` slow. Instead, per pid we keep the fd -> socket inode map and re-read a pid only when
//   - it is new, or its /proc/PID/fd directory is a new one and its start time differs (pid reuse;
//     the same process can get a new directory inode when the kernel drops and re-creates the dentry),
//   - its fd count changed (stat(/proc/PID/fd).st_size is the number of open fds on Linux >= 6.2;
//     on older kernels the size is 0 and the directory is listed every time),
//   - one of the socket inodes it held disappeared from the socket dump (fd closed, number reused).
// When re-reading a pid, only fd numbers that are new or whose cached socket disappeared are readlink'ed.
// Remaining blind spot (a non-socket fd replaced by a socket at the same number with the count unchanged,
// or a shared socket's fd number reused) is covered by a fallback pass when sockets that need attribution
// appear unresolved, rate-limited (it re-reads the non-socket fds of every process, listing only those
// whose count changed), plus a periodic full refresh.
// The inode -> holders index is kept up to date as pids change (not rebuilt per poll), in an open-addressing
// table keyed by inode (inode-index.ts). A warm poll of 100,000 sockets costs one pass over the socket list (a fingerprint;
// one index probe per socket only when the list changed, to find the vanished ones) plus one stat per pid:
// about 2 ms. Whole processes are read with readlinkat(2) through koffi when it loads (see fd-links.ts).
// Targeted passes (one-shot commands such as `analyze --port P`) read only the processes needed: see
// `targeted` below and targeted-pass.ts.
// All calls are synchronous (an async readlink per fd costs far more than the syscall) and the walk
// yields to the event loop every few milliseconds so the monitor stays responsive.
import { oldestFirst } from './oldest-first.js';
import { readdirSync } from 'node:fs';
import type { AttributionInfo } from '../model/snapshot.js';
import type { ProcessRef, Socket } from '../model/socket.js';
import { setAttributor } from './attribution.js';
import { logOsCall } from './debug.js';
import { readFdLinks, socketLinkAt, type FdReadPlan } from './fd-links.js';
import { SHARED_READ_MIN_FDS, startFdReadHelper, stopFdReadHelper } from './fd-read-helper.js';
import { InodeIndex } from './inode-index.js';
import { isListenerSocket } from './listener-socket.js';
import { canListFds, fdSizeIsCount, hiddenKind, hiddenNote, readComm, readFailure, readStartAndParent, statPidFd, type HiddenCounts, type HiddenKind, type PidStat, type ReadResult } from './proc-pid.js';
import { likelyOwner, readTargeted, type TargetedReads } from './targeted-pass.js';

export type AttributionScope = 'none' | 'listeners' | 'all';

export interface AttributorOptions {
  /** Root of the proc filesystem (tests point it at a fake tree of symlinks). */
  procRoot?: string;
  /** Re-read every fd of every process at least this often (ms). Default 120 000. */
  fullRefreshMs?: number;
  /** Minimum time between fallback passes triggered by unresolved new sockets (ms). Default 10 000. */
  fallbackMinIntervalMs?: number;
  /** Clock (tests). */
  now?: () => number;
  /** Effective uid, to decide whether hidden processes are expected (tests). */
  uid?: number;
  /** Use stat(/proc/PID/fd).st_size as the fd count (true; fake trees in tests set false: always list). */
  countFromStat?: boolean;
  /** Default of attribute()'s `targeted` (false: read every process). */
  targeted?: boolean;
}

export interface AttributeOptions {
  /**
   * Read only the processes needed to name the owners of the wanted sockets, instead of every process.
   * Processes not read yet are read in order of likelihood (a few sampled fds that hold a wanted socket,
   * then the socket's uid, then the cheapest first) until every wanted socket has an owner; then the
   * parents and children of every owner (a forked process shares its parent's sockets), and for
   * listeners every other process at the same fd number (workers forked by a parent that has since
   * closed its copy). Other processes are left unread. Sharing that fork does not explain (a socket
   * passed with SCM_RIGHTS or pidfd_getfd to an unrelated process that already has an owner here) is seen
   * only if that process was read anyway. Hidden processes are counted as always. For one-shot commands
   * (`analyze --port P`): the first pass then costs the owners' fds, not every fd of the host.
   */
  targeted?: boolean;
}

/** Counters of the last pass, for tests, the bench and SOCKET_DEBUG. */
export interface AttributionStats {
  pids: number;
  pidsRelisted: number;
  readlinks: number;
  /** Of `readlinks`, those a worker thread made (processes with thousands of fds; fd-read-helper.ts). */
  workerReadlinks: number;
  fallback: boolean;
  full: boolean;
  durationMs: number;
  /** Targeted passes: processes left unread because no wanted socket needed them. */
  pidsSkipped: number;
  /** False when the socket list was the previous pass's (same fingerprint): no per-socket index probes. */
  listChanged: boolean;
  /** /proc/PID/comm reads of owners whose fds did not change (a process renames itself: refreshNames). */
  namesRead: number;
}

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

type Mode = 'incremental' | 'fallback' | 'full';

/** Which sockets the 'listeners' scope names the owners of (kept here: part of the public API). */
export { isListenerSocket } from './listener-socket.js';

const YIELD_EVERY_MS = 8;
/**
 * At most this many owners' names are re-read per pass (refreshNames), those read longest ago when there are more:
 * one read of /proc/PID/comm costs 15-40 us here (measured, a loaded 2-core host), so about 1-2.5 ms at most.
 */
const NAME_READS_PER_PASS = 64;
/** How long the process list of prepare() stands in for a new one in the prefetch. */
const PREPARED_FOR_MS = 1000;

/** Counters of a pass that has not read anything yet. */
function newStats(): AttributionStats {
  return { pids: 0, pidsRelisted: 0, readlinks: 0, workerReadlinks: 0, fallback: false, full: false, durationMs: 0, pidsSkipped: 0, listChanged: true, namesRead: 0 };
}

/** `disappeared` of a pass whose socket list is the previous one's (never modified). */
const SAME_LIST: ReadonlySet<number> = new Set<number>();

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

/**
 * Maps socket inodes to the processes holding them. Keep one instance per source and call
 * attribute() once per poll: the second poll onwards only re-reads what changed.
 */
export class ProcessAttributor {
  private readonly root: string;
  private readonly fullRefreshMs: number;
  private readonly fallbackMinIntervalMs: number;
  private readonly now: () => number;
  private readonly uid: number;
  private readonly countFromStat: boolean;
  private readonly targetedDefault: boolean;
  private pids = new Map<number, PidEntry>();
  private index = new InodeIndex((pid) => this.pids.get(pid)?.name ?? '');
  /** Pass number: index slots remember the last pass whose socket list held their inode. */
  private gen = 0;
  /** Of the socket list of pass `gen` (passes with the same list keep its number). */
  private fingerprint = { n: 0, sum: 0, mix: 0, mix2: 0 };
  private prevUnresolved = new Set<number>();
  private lastFull = -Infinity;
  private lastFallback = -Infinity;
  private hidden: HiddenCounts = { otherUsers: 0, ownUndumpable: 0 };
  private queue: Promise<void> = Promise.resolve();
  /** Unreadable pids -> whose they are (kernel threads have an empty cmdline and hold no sockets; see proc-pid.ts hiddenKind). */
  private unreadable = new Map<number, HiddenKind>();
  private lastStats: AttributionStats = newStats();
  private lastYield = 0;
  /** How long a pass runs between yields to the event loop (shorter while a prefetch overlaps a dump). */
  private yieldEveryMs = YIELD_EVERY_MS;
  /** The pass number index entries get (prefetch: -1, never a pass, so that no later pass takes them as gone). */
  private entryGen: number | undefined;
  private sizeCounts: boolean | undefined;
  /** The process list prepare() made, for the prefetch that follows. */
  private prepared: { at: number; candidates: PidStat[] } | undefined;
  /** Pids holding the wanted sockets of the last resolve(), in the sockets' order. */
  private owners = new Set<number>();
  /** Reads of /proc/PID/comm so far: PidEntry.namedAt orders the names by age. */
  private nameReads = 0;
  /** Pids whose name readPid read in the current pass (refreshNames need not read them again). */
  private namedInPass = new Set<number>();

  constructor(opts: AttributorOptions = {}) {
    this.root = opts.procRoot ?? '/proc';
    this.fullRefreshMs = opts.fullRefreshMs ?? 120_000;
    this.fallbackMinIntervalMs = opts.fallbackMinIntervalMs ?? 10_000;
    this.now = opts.now ?? (() => performance.now());
    this.uid = opts.uid ?? (typeof process.getuid === 'function' ? process.getuid() : 0);
    this.countFromStat = opts.countFromStat ?? true;
    this.targetedDefault = opts.targeted ?? false;
  }

  /** Statistics of the last attribute() call. */
  stats(): AttributionStats {
    return { ...this.lastStats };
  }

  /** Processes holding a socket inode, as of the last attribute() call. */
  lookup(inode: number): ProcessRef[] {
    return this.index.get(inode) ?? [];
  }

  /**
   * Fills `processes` of the sockets in scope (listeners only, or all) in place and says what was hidden.
   * Sockets out of scope keep whatever they had (ss gives its own). Never throws for unreadable processes.
   */
  attribute(sockets: Socket[], scope: AttributionScope = 'listeners', opts: AttributeOptions = {}): Promise<AttributionInfo> {
    if (scope === 'none') return Promise.resolve({ scope: 'none', complete: true, hiddenProcesses: 0 });
    const targeted = opts.targeted ?? this.targetedDefault;
    return this.oneAtATime(() => this.attributeNow(sockets, scope, targeted).finally(stopFdReadHelper));
  }

  /** Runs `pass` after the passes queued before it: one pass at a time (the monitor and the exporter may share this cache). */
  private oneAtATime<T>(pass: () => Promise<T>): Promise<T> {
    const run = this.queue.then(pass);
    this.queue = run.then(
      () => undefined,
      () => undefined,
    );
    return run;
  }

  /**
   * Starts a targeted pass early, while the dump that lists the wanted sockets is still running (the
   * kernel fills the dump on another thread, so reading fds now overlaps it): from the first wanted
   * inodes seen, reads the one process most likely to own them (sampled fds, as a targeted pass orders
   * them), yielding to the event loop every millisecond so that the dump keeps receiving. The
   * targeted attribute() that follows finds that process in the cache instead of reading it. Only on a
   * fresh cache (a one-shot command): a warm cache is cheaper to bring up to date than this guess.
   */
  prefetch(inodes: readonly number[]): Promise<void> {
    return this.oneAtATime(() => this.prefetchNow(inodes).finally(stopFdReadHelper));
  }

  /**
   * Called as a targeted collection's dump starts, on a fresh cache: lists the processes and their fd
   * counts (the prefetch then uses this list), and when one holds thousands of fds, starts the thread
   * that reads fd links alongside this one, so that it is ready (about 35 ms) when the owner is read.
   */
  prepare(): void {
    if (this.pids.size > 0) return;
    const candidates = this.listPidStats();
    if (!candidates) return;
    this.prepared = { at: performance.now(), candidates };
    if (candidates.some((st) => st.count >= SHARED_READ_MIN_FDS)) startFdReadHelper();
  }

  /** Every pid with its fd count and directory inode (unreadable ones left out); null when the proc root cannot be listed. */
  private listPidStats(): PidStat[] | null {
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

  private async prefetchNow(inodes: readonly number[]): Promise<void> {
    if (this.pids.size > 0 || inodes.length === 0) return;
    const t0 = performance.now();
    this.lastYield = t0;
    const stats = newStats();
    // The list prepare() made as the dump started (tens of milliseconds ago), else a new one.
    const prepared = this.prepared && t0 - this.prepared.at < PREPARED_FOR_MS ? this.prepared.candidates : null;
    this.prepared = undefined;
    const candidates = prepared ?? this.listPidStats();
    if (!candidates) return;
    stats.pids = candidates.length;
    const wanted = new Set(inodes);
    const owner = likelyOwner(candidates, wanted, this.targetedReads(stats).readSocketLink);
    if (owner !== undefined) {
      // This read starts the refresh period: the pass that follows reads only what changed since.
      this.lastFull = this.now();
      this.yieldEveryMs = 1;
      this.entryGen = -1;
      try {
        await this.readPid(owner, undefined, 'incremental', SAME_LIST, stats);
      } finally {
        this.yieldEveryMs = YIELD_EVERY_MS;
        this.entryGen = undefined;
      }
    }
    logOsCall('read', `${this.root}/*/fd`, performance.now() - t0, undefined, `prefetch pids=${stats.pids} readlinks=${stats.readlinks} worker=${stats.workerReadlinks}${owner ? ` owner=${owner.pid}` : ''}`);
  }

  private async attributeNow(sockets: Socket[], scope: 'listeners' | 'all', targeted: boolean): Promise<AttributionInfo> {
    const t0 = performance.now();
    this.lastYield = t0;
    this.namedInPass.clear();
    const wanted: Socket[] = [];
    const { n, sum, mix, mix2 } = listFingerprint(sockets, scope, wanted);
    const index = this.index;
    const fp = this.fingerprint;
    let disappeared: ReadonlySet<number>;
    if (this.gen > 0 && fp.n === n && fp.sum === sum && fp.mix === mix && fp.mix2 === mix2) disappeared = SAME_LIST;
    else {
      const gen = ++this.gen;
      for (let i = 0; i < sockets.length; i++) {
        const ino = sockets[i].inode;
        if (ino) index.markSeen(ino, gen);
      }
      disappeared = new Set(index.disappearedSince(gen - 1));
      this.fingerprint = { n, sum, mix, mix2 };
    }
    const suspects = new Set<number>();
    for (const ino of disappeared) for (const r of index.get(ino)!) suspects.add(r.pid);

    const full = this.now() - this.lastFull >= this.fullRefreshMs;
    if (full) this.lastFull = this.now();
    const stats: AttributionStats = { ...newStats(), full, listChanged: disappeared !== SAME_LIST };
    const unread = targeted ? new Map<number, PidStat>() : null;
    await this.walk(full ? 'full' : 'incremental', disappeared, suspects, stats, unread);

    let unresolved = this.resolve(wanted);
    if (unread && unread.size > 0) {
      await readTargeted(wanted, unresolved, unread, this.targetedReads(stats));
      stats.pidsSkipped = unread.size;
      unresolved = this.resolve(wanted);
    }
    let fresh = 0;
    for (const ino of unresolved) if (!this.prevUnresolved.has(ino) && !disappeared.has(ino)) fresh++;
    if (!full && fresh > 0 && this.now() - this.lastFallback >= this.fallbackMinIntervalMs) {
      this.lastFallback = this.now();
      stats.fallback = true;
      await this.walk('fallback', disappeared, suspects, stats, null);
      unresolved = this.resolve(wanted);
    }
    // Only a pass that looked everywhere (fallback or full) makes an unresolved socket "known unresolvable";
    // when the fallback was rate-limited, new unresolved sockets stay new and trigger it on a later poll.
    this.prevUnresolved = full || stats.fallback ? unresolved : new Set([...unresolved].filter((i) => this.prevUnresolved.has(i)));
    // A full pass read every name; otherwise a process that renamed itself (prctl PR_SET_NAME, process.title,
    // setproctitle, a forked worker naming itself) keeps its fd count and would keep its old name until then.
    if (!full && this.refreshNames(stats)) this.resolve(wanted);
    stats.durationMs = performance.now() - t0;
    this.lastStats = stats;
    logOsCall(
      'read',
      `${this.root}/*/fd`,
      stats.durationMs,
      undefined,
      `pids=${stats.pids} relisted=${stats.pidsRelisted} readlinks=${stats.readlinks} worker=${stats.workerReadlinks}${targeted ? ` skipped=${stats.pidsSkipped}` : ''}${full ? ' full' : ''}${stats.fallback ? ' fallback' : ''}`,
    );

    // hiddenProcesses counts other users' processes (the monitor says "other users' processes hidden");
    // the user's own undumpable processes make the attribution incomplete too, and the note says which.
    const note = hiddenNote(this.hidden, this.uid);
    const info: AttributionInfo = { scope, complete: note === undefined, hiddenProcesses: this.hidden.otherUsers };
    if (note) info.note = note;
    return info;
  }

  /** This cache and the reads of pass `stats`, as a targeted pass (targeted-pass.ts) uses them. */
  private targetedReads(stats: AttributionStats): TargetedReads {
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
      pause: () => this.maybeYield(),
    };
  }

  /** Sets socket.processes for the wanted sockets (their pids in `owners`); returns the inodes nobody was found holding. */
  private resolve(wanted: Socket[]): Set<number> {
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
  private refreshNames(stats: AttributionStats): boolean {
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

  private async maybeYield(): Promise<void> {
    if (performance.now() - this.lastYield > this.yieldEveryMs) {
      await new Promise<void>((res) => setImmediate(res));
      this.lastYield = performance.now();
    }
  }

  /**
   * One pass over /proc: brings the cached pids up to date and drops the ones that exited. Pids not in
   * the cache are read, or, in a targeted pass (`unread` given), only listed there for the caller to decide.
   */
  private async walk(mode: Mode, disappeared: ReadonlySet<number>, suspects: ReadonlySet<number>, stats: AttributionStats, unread: Map<number, PidStat> | null): Promise<void> {
    const tList = performance.now();
    let names: string[];
    try {
      names = readdirSync(this.root);
    } catch (e) {
      logOsCall('read', this.root, performance.now() - tList, undefined, `error=${(e as NodeJS.ErrnoException).code}`);
      this.pids.clear();
      this.index.clear();
      this.fingerprint = { n: -1, sum: 0, mix: 0, mix2: 0 };
      this.hidden = { otherUsers: 0, ownUndumpable: 0 };
      return;
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
      await this.maybeYield();
    }
    for (const pid of [...this.pids.keys()]) if (!seen.has(pid)) this.setEntry(pid, undefined);
    for (const pid of this.unreadable.keys()) if (!seen.has(pid)) this.unreadable.delete(pid);
    this.hidden = hidden;
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
  private async readPid(st: PidStat, prev: PidEntry | undefined, mode: Mode, disappeared: ReadonlySet<number>, stats: AttributionStats): Promise<ReadResult> {
    const pid = st.pid;
    let plan: FdReadPlan;
    // Not for this process's own directory: the directory fd readFdLinks opens is one more fd in it, and
    // in a hole below the last fd it would make the count stop one fd short (its own listener, missed).
    const own = pid === process.pid;
    if ((prev === undefined || mode === 'full') && st.count > 0 && !own && this.sizeIsCount()) {
      // Every fd is read anyway: 0, 1, 2... until `count` links were found (see readFdLinks).
      plan = { firstCount: st.count, reuse: () => undefined };
    } else if (mode === 'fallback' && prev && prev.count === st.count && st.count > 0 && !own && this.sizeIsCount()) {
      // Same fd count: the fallback looks again behind the fd numbers it knows (non-socket fds, vanished
      // sockets) without listing the directory; a socket at a new number with the count unchanged waits
      // for the periodic full refresh.
      const known = new Map<number, number>();
      const names: string[] = [];
      for (const [fd, ino] of prev.fds) {
        if (ino !== 0 && !disappeared.has(ino)) known.set(fd, ino);
        else names.push(String(fd));
      }
      plan = { firstCount: 0, known, names, reuse: () => undefined };
    } else {
      plan = {
        firstCount: 0,
        reuse: (fd) => {
          const cached = mode === 'full' ? undefined : prev?.fds.get(fd);
          return cached !== undefined && !(cached === 0 && mode === 'fallback') && !(cached !== 0 && disappeared.has(cached)) ? cached : undefined;
        },
      };
    }
    let fds: Map<number, number>;
    try {
      fds = await readFdLinks(`${this.root}/${pid}/fd`, plan, stats, () => this.maybeYield());
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

let shared: ProcessAttributor | undefined;

/** The process-wide attributor every collector shares (one cache, so the second poll is incremental). */
export function sharedAttributor(): ProcessAttributor {
  shared ??= new ProcessAttributor();
  return shared;
}

setAttributor(
  (sockets, scope, opts) => sharedAttributor().attribute(sockets, scope, { targeted: opts?.reach === 'targeted' }),
  (inodes) => sharedAttributor().prefetch(inodes),
  () => sharedAttributor().prepare(),
);
