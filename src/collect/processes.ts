// Process attribution: socket inode -> processes holding it, from /proc/*/fd, cached between polls.
// This file holds the ProcessAttributor (the polling: which processes to re-read, and when) and registers
// the shared one with attribution.ts. Its parts: pid-fd-cache.ts (the per-process cache and the walk over
// /proc that brings it up to date, with fd-read-plan.ts: which fds a pass reads again), inode-index.ts
// (inode -> holders), fd-links.ts (reading a process's fd links), proc-pid.ts (the other /proc/PID files),
// targeted-pass.ts (one-shot passes).
//
// Why it is built this way (measured on a 100k-socket host, see the final report of issue 2 and the
// attribution paragraph of README "Figures"): a pid is re-read only when it is new, its fd count changed or
// a socket it held vanished, and then only the fds that may have changed (pid-fd-cache.ts says how).
// Remaining blind spot (a non-socket fd replaced by a socket at the same number with the count unchanged,
// or a shared socket's fd number reused) is covered by a fallback pass when sockets that need attribution
// appear unresolved, rate-limited (it re-reads the non-socket fds of every process, listing only those
// whose count changed), plus a periodic full refresh.
// The inode -> holders index is kept up to date as pids change (not rebuilt per poll): a warm poll of 100,000
// sockets costs about 2 ms. Whole processes are read with readlinkat(2) through koffi when it loads (see fd-links.ts).
// Targeted passes (one-shot commands such as `analyze --port P`) read only the processes needed: see
// `targeted` below and targeted-pass.ts.
// All calls are synchronous (an async readlink per fd costs far more than the syscall) and the walk
// yields to the event loop every few milliseconds so the monitor stays responsive.
import type { AttributionInfo } from '../model/snapshot.js';
import type { ProcessRef, Socket } from '../model/socket.js';
import { setAttributor } from './attribution.js';
import { logOsCall } from './debug.js';
import { SHARED_READ_MIN_FDS, startFdReadHelper, stopFdReadHelper } from './fd-read-helper.js';
import { PidFdCache, SAME_LIST } from './pid-fd-cache.js';
import { hiddenNote, PROC_NOT_MOUNTED_NOTE, procMount, statPidFd, type HiddenCounts, type PidStat } from './proc-pid.js';
import { likelyOwner, readTargeted } from './targeted-pass.js';
import { stillOpen, type StillOpenContext, type StillOpenFn } from './still-open.js';
import { markClosedSinceDump } from '../model/owner.js';

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
  /**
   * Asks the kernel which sockets found without an owner still exist (still-open.ts; null: never ask).
   * Default: sock_diag lookups when procRoot is /proc (a fake tree's sockets are not the kernel's).
   */
  stillOpen?: StillOpenFn | null;
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
  /** Sockets found without an owner that the kernel was asked about (settleUnfound), and of them those closed since the dump. */
  stillOpenAsked: number;
  closedSinceDump: number;
  /** Of those questions, the exact lookups sent, and the fresh dumps that answered the rest (still-open.ts). */
  stillOpenLookups: number;
  stillOpenDumps: number;
}

/** Which sockets the 'listeners' scope names the owners of (kept here: part of the public API). */
export { isListenerSocket } from '../model/listener-socket.js';

const YIELD_EVERY_MS = 8;
/** How long the process list of prepare() stands in for a new one in the prefetch. */
const PREPARED_FOR_MS = 1000;
/**
 * At most this many exact lookups of sockets without an owner per pass, both rounds of settleUnfound
 * together (a lookup costs about 5-10 us: ~10 ms); more questions about one protocol go to one fresh dump of
 * it instead (1-2 us per socket listed), unless lookups still cost less (still-open.ts chooseDump).
 */
const STILL_OPEN_MAX = 1024;

/** Counters of a pass that has not read anything yet. */
function newStats(): AttributionStats {
  return { pids: 0, pidsRelisted: 0, readlinks: 0, workerReadlinks: 0, fallback: false, full: false, durationMs: 0, pidsSkipped: 0, listChanged: true, namesRead: 0, stillOpenAsked: 0, closedSinceDump: 0, stillOpenLookups: 0, stillOpenDumps: 0 };
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
  private readonly cache: PidFdCache;
  private prevUnresolved = new Set<number>();
  /** Inodes found without an owner that the kernel said were still open (settleUnfound): not asked about again while unfound. */
  private readonly unfoundOpen = new Set<number>();
  private readonly stillOpen: StillOpenFn | null;
  /** The process the last prefetch read (while the dump ran), until the pass after it (settleUnfound may read it again). */
  private prefetched: number | undefined;
  private lastFull = -Infinity;
  private lastFallback = -Infinity;
  private hidden: HiddenCounts = { otherUsers: 0, ownUndumpable: 0 };
  private queue: Promise<void> = Promise.resolve();
  private lastStats: AttributionStats = newStats();
  private lastYield = 0;
  /** How long a pass runs between yields to the event loop (shorter while a prefetch overlaps a dump). */
  private yieldEveryMs = YIELD_EVERY_MS;
  /** The process list prepare() made, for the prefetch that follows. */
  private prepared: { at: number; candidates: PidStat[] } | undefined;

  constructor(opts: AttributorOptions = {}) {
    this.root = opts.procRoot ?? '/proc';
    this.fullRefreshMs = opts.fullRefreshMs ?? 120_000;
    this.fallbackMinIntervalMs = opts.fallbackMinIntervalMs ?? 10_000;
    this.now = opts.now ?? (() => performance.now());
    this.uid = opts.uid ?? (typeof process.getuid === 'function' ? process.getuid() : 0);
    this.countFromStat = opts.countFromStat ?? true;
    this.targetedDefault = opts.targeted ?? false;
    this.stillOpen = opts.stillOpen !== undefined ? opts.stillOpen : this.root === '/proc' ? stillOpen : null;
    this.cache = new PidFdCache(this.root, this.uid, this.countFromStat, () => this.maybeYield());
  }

  /** Statistics of the last attribute() call. */
  stats(): AttributionStats {
    return { ...this.lastStats };
  }

  /** Processes holding a socket inode, as of the last attribute() call. */
  lookup(inode: number): ProcessRef[] {
    return this.cache.lookup(inode);
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
    if (!this.cache.empty) return;
    const candidates = this.cache.listPidStats();
    if (!candidates) return;
    this.prepared = { at: performance.now(), candidates };
    if (candidates.some((st) => st.count >= SHARED_READ_MIN_FDS)) startFdReadHelper();
  }

  private async prefetchNow(inodes: readonly number[]): Promise<void> {
    if (!this.cache.empty || inodes.length === 0) return;
    const t0 = performance.now();
    this.lastYield = t0;
    const stats = newStats();
    // The list prepare() made as the dump started (tens of milliseconds ago), else a new one.
    const prepared = this.prepared && t0 - this.prepared.at < PREPARED_FOR_MS ? this.prepared.candidates : null;
    this.prepared = undefined;
    const candidates = prepared ?? this.cache.listPidStats();
    if (!candidates) return;
    stats.pids = candidates.length;
    const wanted = new Set(inodes);
    const owner = likelyOwner(candidates, wanted, this.cache.targetedReads(stats).readSocketLink);
    if (owner !== undefined) {
      // This read starts the refresh period: the pass that follows reads only what changed since.
      this.lastFull = this.now();
      this.yieldEveryMs = 1;
      this.cache.entryGen = -1;
      try {
        await this.cache.readPid(owner, undefined, 'incremental', SAME_LIST, stats);
        this.prefetched = owner.pid;
      } finally {
        this.yieldEveryMs = YIELD_EVERY_MS;
        this.cache.entryGen = undefined;
      }
    }
    logOsCall('read', `${this.root}/*/fd`, performance.now() - t0, undefined, `prefetch pids=${stats.pids} readlinks=${stats.readlinks} worker=${stats.workerReadlinks}${owner ? ` owner=${owner.pid}` : ''}`);
  }

  private async attributeNow(sockets: Socket[], scope: 'listeners' | 'all', targeted: boolean): Promise<AttributionInfo> {
    // No /proc (umount, a bare chroot or container): no process can be read. Not looked up ('none'), so that
    // owners read `?` with this reason, not "not found" (another PID namespace, kernel sockets).
    const mount = procMount(this.root);
    if (!mount.mounted) return { scope: 'none', complete: false, hiddenProcesses: 0, note: PROC_NOT_MOUNTED_NOTE };
    const t0 = performance.now();
    this.lastYield = t0;
    const cache = this.cache;
    const wanted: Socket[] = [];
    const disappeared = cache.startPass(sockets, scope, wanted);
    const suspects = cache.holdersOf(disappeared);

    const full = this.now() - this.lastFull >= this.fullRefreshMs;
    if (full) this.lastFull = this.now();
    const stats: AttributionStats = { ...newStats(), full, listChanged: disappeared !== SAME_LIST };
    const unread = targeted ? new Map<number, PidStat>() : null;
    this.hidden = await cache.walk(full ? 'full' : 'incremental', disappeared, suspects, stats, unread);

    let unresolved = cache.resolve(wanted);
    if (unread && unread.size > 0) {
      await readTargeted(wanted, unresolved, unread, cache.targetedReads(stats));
      stats.pidsSkipped = unread.size;
      unresolved = cache.resolve(wanted);
    }
    let fresh = 0;
    for (const ino of unresolved) if (!this.prevUnresolved.has(ino) && !disappeared.has(ino)) fresh++;
    if (!full && fresh > 0 && this.now() - this.lastFallback >= this.fallbackMinIntervalMs) {
      this.lastFallback = this.now();
      stats.fallback = true;
      this.hidden = await cache.walk('fallback', disappeared, suspects, stats, null);
      unresolved = cache.resolve(wanted);
    }
    // Owners not found, with every process read (a complete attribution): closed since the dump (churn), or out of sight.
    if (hiddenNote(this.hidden, this.uid, mount) === undefined && unresolved.size > 0) unresolved = await this.settleUnfound(sockets, wanted, unresolved, targeted, stats);
    this.prefetched = undefined;
    // Only a pass that looked everywhere (fallback or full) makes an unresolved socket "known unresolvable";
    // when the fallback was rate-limited, new unresolved sockets stay new and trigger it on a later poll.
    this.prevUnresolved = full || stats.fallback ? unresolved : new Set([...unresolved].filter((i) => this.prevUnresolved.has(i)));
    // A full pass read every name; otherwise a process that renamed itself (prctl PR_SET_NAME, process.title,
    // setproctitle, a forked worker naming itself) keeps its fd count and would keep its old name until then.
    if (!full && cache.refreshNames(stats)) cache.resolve(wanted);
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
    // With hidepid=2 other users' processes are not listed, so none is counted: the note says so (mount).
    const note = hiddenNote(this.hidden, this.uid, mount);
    const info: AttributionInfo = { scope, complete: note === undefined, hiddenProcesses: this.hidden.otherUsers };
    if (note) info.note = note;
    return info;
  }

  /**
   * The wanted sockets nobody was found holding, with every process read: a socket the dump listed may
   * have been closed before its owner's fds were read (connection churn: 50 connections a second on
   * loopback left 5-50 "owners not found" per one-shot), have come after its owner was read (a prefetch
   * reads while the dump runs) or have moved (SCM_RIGHTS). Asks the kernel (still-open.ts: lookups, or a
   * fresh dump for many) which of them it still has; for those it has, re-reads the processes whose fd
   * directory changed since they were read (one stat per pid), those that appeared since (targeted passes)
   * and, when one of them may be its own, the one a prefetch read, then asks again about the ones still
   * unfound. Those the kernel no longer has are marked closed since the dump (not counted as owners not
   * found); the rest are remembered and not asked about again while they stay unfound (another PID
   * namespace, a kernel socket): a pass with nothing new to ask drops from that memory what is no longer
   * unfound and rebuilds nothing. Returns the inodes still unresolved.
   */
  private async settleUnfound(sockets: readonly Socket[], wanted: Socket[], unresolved: Set<number>, targeted: boolean, stats: AttributionStats): Promise<Set<number>> {
    const ask = this.stillOpen;
    const known = this.unfoundOpen;
    for (const ino of known) if (!unresolved.has(ino)) known.delete(ino);
    // Every unfound socket already known to be open (known is part of unresolved now): nothing to ask.
    if (!ask || known.size >= unresolved.size) return unresolved;
    let asking: Socket[] = [];
    for (let i = 0; i < wanted.length; i++) {
      const s = wanted[i];
      if (unresolved.has(s.inode!) && !known.has(s.inode!)) asking.push(s);
    }
    const gone = new Set<number>();
    // One budget of lookups for both rounds.
    const ctx: StillOpenContext = { lookupsLeft: STILL_OPEN_MAX, sockets, lookups: 0, dumps: 0 };
    /** Asks about `asking`; marks the gone ones; returns those the kernel still has (or cannot tell). */
    const settle = async (): Promise<Socket[]> => {
      stats.stillOpenAsked += asking.length;
      const verdicts = await ask(asking, ctx);
      const kept: Socket[] = [];
      for (let i = 0; i < asking.length; i++) {
        if (verdicts[i] !== 'gone') kept.push(asking[i]);
        else {
          markClosedSinceDump(asking[i]);
          gone.add(asking[i].inode!);
          stats.closedSinceDump++;
        }
      }
      return kept;
    };
    asking = await settle();
    if (asking.length > 0) {
      await this.recheck(targeted, stats, asking);
      unresolved = this.cache.resolve(wanted);
      asking = asking.filter((s) => unresolved.has(s.inode!));
      // Closed since the first question (the recheck took a while): asked again, as few as are left.
      if (asking.length > 0) asking = await settle();
    }
    stats.stillOpenLookups += ctx.lookups;
    stats.stillOpenDumps += ctx.dumps;
    for (const ino of gone) unresolved.delete(ino);
    // 'unknown' ones (bound to an interface...) are not asked about again either.
    for (const s of asking) known.add(s.inode!);
    return unresolved;
  }

  /**
   * settleUnfound's re-read: the processes whose fd count changed since read, new ones, and the prefetch's
   * owner (read while the dump ran) when one of `open` (unfound, still open) may be its own: of its uid, or
   * of none known. A socket that took the fd number of one closed after the prefetch keeps the fd count, so
   * that owner is read whole again (its every fd); a socket of another uid (another PID namespace's process,
   * a kernel socket with a non-root owner) does not make it.
   */
  private async recheck(targeted: boolean, stats: AttributionStats, open: readonly Socket[]): Promise<void> {
    const cache = this.cache;
    const appeared = targeted ? new Map<number, PidStat>() : null;
    await cache.walk('incremental', SAME_LIST, new Set(), stats, appeared);
    const reads = cache.targetedReads(stats);
    for (const st of appeared?.values() ?? []) {
      await reads.readWhole(st);
      await this.maybeYield();
    }
    const pid = this.prefetched;
    this.prefetched = undefined;
    const st = pid === undefined ? undefined : statPidFd(this.root, pid, this.countFromStat);
    if (typeof st === 'object' && open.some((s) => s.uid === undefined || s.uid === st.uid)) await reads.readWhole(st);
  }

  private async maybeYield(): Promise<void> {
    if (performance.now() - this.lastYield > this.yieldEveryMs) {
      await new Promise<void>((res) => setImmediate(res));
      this.lastYield = performance.now();
    }
  }}

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
