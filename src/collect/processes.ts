// Process attribution: socket inode -> processes holding it, from /proc/*/fd, cached between polls.
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
// table keyed by inode. A warm poll of 100,000 sockets costs one pass over the socket list (a fingerprint;
// one index probe per socket only when the list changed, to find the vanished ones) plus one stat per pid:
// about 2 ms. Whole processes are read with readlinkat(2) through koffi when it loads (see linkReader).
// Targeted passes (one-shot commands such as `analyze --port P`) read only the processes needed: see
// `targeted` below.
// All calls are synchronous (an async readlink per fd costs far more than the syscall) and the walk
// yields to the event loop every few milliseconds so the monitor stays responsive.
import { accessSync, constants as fsConstants, readdirSync, readFileSync, readlinkSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { AttributionInfo } from '../model/snapshot.js';
import type { ProcessRef, Socket } from '../model/socket.js';
import { attributionReach, setAttributor } from './attribution.js';
import { logOsCall } from './debug.js';

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
  fallback: boolean;
  full: boolean;
  durationMs: number;
  /** Targeted passes: processes left unread because no wanted socket needed them. */
  pidsSkipped: number;
  /** False when the socket list was the previous pass's (same fingerprint): no per-socket index probes. */
  listChanged: boolean;
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
}

/** One listed pid of this pass (from stat of /proc/PID/fd). */
interface PidStat {
  pid: number;
  dirIno: number;
  count: number;
  uid: number;
}

type Mode = 'incremental' | 'fallback' | 'full';
type ReadResult = 'ok' | 'hidden' | 'gone';

/** True for sockets that serve: TCP/unix LISTEN, and UDP/unix-dgram sockets without a connected peer. */
export function isListenerSocket(s: Socket): boolean {
  if (s.state === 'LISTEN') return true;
  if (s.protocol === 'udp') return s.peer.port === 0;
  if (s.protocol === 'unix' && s.unixType === 'dgram') return s.local.address !== '' && s.peer.address === '';
  return false;
}

const SOCKET_LINK = /^socket:\[(\d+)\]$/;
const SOCKET_PREFIX = Buffer.from('socket:[', 'latin1');
const YIELD_EVERY_MS = 8;
/** Targeted passes sample this many fds of a process with at least PROBE_MIN_FDS fds to order the reads. */
const PROBES_PER_PID = 6;
const PROBE_MIN_FDS = 256;
/** At most this many readlinks to look for other holders of a wanted listener at the same fd number. */
const SAME_FD_PROBE_BUDGET = 4096;

/** `disappeared` of a pass whose socket list is the previous one's (never modified). */
const SAME_LIST: ReadonlySet<number> = new Set<number>();

const byPidFd = (a: ProcessRef, b: ProcessRef): number => a.pid - b.pid || a.fd - b.fd;

/**
 * inode -> processes holding it: open addressing with linear probing over typed arrays (a Map keyed by
 * numbers above 2^31 costs several times more per lookup, and a warm poll looks up every socket). Each
 * slot also remembers the last pass whose socket list contained the inode, so that "disappeared since
 * the previous pass" needs no set of the previous pass's inodes. A lone holder (most sockets) is kept as
 * two numbers, pid and fd; the ProcessRef array is made when the socket's owners are asked for, and then
 * kept. Holder arrays are replaced, never mutated: snapshots share them as `socket.processes`.
 */
class InodeIndex {
  private keys = new Float64Array(1024);
  /** Several holders (sorted), or a lone holder's array once asked for; undefined: the lone holder below. */
  private holders: (ProcessRef[] | undefined)[] = new Array(1024).fill(undefined);
  private pid = new Int32Array(1024);
  private fd = new Int32Array(1024);
  private seen = new Int32Array(1024);
  private mask = 1023;
  /** 32 - log2(capacity): multiplicative hashing keeps the high bits of the product. */
  private shift = 22;
  private used = 0;

  /** `nameOf(pid)`: the current name of a cached process, for ProcessRefs made on demand. */
  constructor(private readonly nameOf: (pid: number) => string) {}

  get size(): number {
    return this.used;
  }

  private home(ino: number): number {
    // Kernel socket inodes are 32-bit (get_next_ino); wider values still work, hashed on both halves.
    const x = ino <= 0xffffffff ? ino : ino % 4294967296 ^ Math.floor(ino / 4294967296);
    return Math.imul(x, 0x9e3779b1) >>> this.shift;
  }

  /** Slot of `ino`, or -1. */
  private find(ino: number): number {
    const keys = this.keys;
    for (let i = this.home(ino); ; i = (i + 1) & this.mask) {
      const k = keys[i];
      if (k === ino) return i;
      if (k === 0) return -1;
    }
  }

  private listAt(i: number): ProcessRef[] {
    let list = this.holders[i];
    if (list === undefined) {
      const pid = this.pid[i];
      list = [{ pid, name: this.nameOf(pid), fd: this.fd[i] }];
      this.holders[i] = list;
    }
    return list;
  }

  get(ino: number): ProcessRef[] | undefined {
    const i = this.find(ino);
    return i < 0 ? undefined : this.listAt(i);
  }

  /** Room for `more` inodes without growing on the way (a process with 15,000 sockets is read at once). */
  reserve(more: number): void {
    while ((this.used + more) * 2 > this.keys.length) this.grow();
  }

  /** Records that the socket list of pass `gen` contains `ino` (no-op when nobody holds it). */
  markSeen(ino: number, gen: number): void {
    const i = this.find(ino);
    if (i >= 0) this.seen[i] = gen;
  }

  /** Inodes seen in pass `prev` and not since: they disappeared from the socket list. */
  disappearedSince(prev: number): number[] {
    const out: number[] = [];
    const { keys, seen } = this;
    for (let i = 0; i < keys.length; i++) if (keys[i] !== 0 && seen[i] === prev) out.push(keys[i]);
    return out;
  }

  add(ino: number, pid: number, fd: number, name: string, gen: number): void {
    let i = this.find(ino);
    if (i >= 0) {
      const list = [...this.listAt(i), { pid, name, fd }];
      list.sort(byPidFd);
      this.holders[i] = list;
      return;
    }
    if ((this.used + 1) * 2 > this.keys.length) this.grow();
    for (i = this.home(ino); this.keys[i] !== 0; i = (i + 1) & this.mask);
    this.keys[i] = ino;
    this.holders[i] = undefined;
    this.pid[i] = pid;
    this.fd[i] = fd;
    // A socket found in this pass is taken as present in it: if it is gone by the next pass its holder is re-read.
    this.seen[i] = gen;
    this.used++;
  }

  /** Drops the holder `pid` at `fd` of `ino`. */
  remove(ino: number, pid: number, fd: number): void {
    const i = this.find(ino);
    if (i < 0) return;
    const h = this.holders[i];
    if (h === undefined || h.length === 1) {
      const only = h ? h[0] : { pid: this.pid[i], fd: this.fd[i] };
      if (only.pid === pid && only.fd === fd) this.deleteSlot(i);
      return;
    }
    const list = h.filter((r) => r.pid !== pid || r.fd !== fd);
    if (list.length === 0) this.deleteSlot(i);
    else this.holders[i] = list;
  }

  clear(): void {
    this.alloc(1024);
    this.used = 0;
  }

  private alloc(size: number): void {
    this.keys = new Float64Array(size);
    this.holders = new Array(size).fill(undefined);
    this.pid = new Int32Array(size);
    this.fd = new Int32Array(size);
    this.seen = new Int32Array(size);
    this.mask = size - 1;
    this.shift = 32 - Math.log2(size);
  }

  private move(from: number, to: number): void {
    this.keys[to] = this.keys[from];
    this.holders[to] = this.holders[from];
    this.pid[to] = this.pid[from];
    this.fd[to] = this.fd[from];
    this.seen[to] = this.seen[from];
  }

  /** Backward-shift deletion: keeps every remaining key reachable from its home slot without tombstones. */
  private deleteSlot(i: number): void {
    const { keys, mask } = this;
    let j = i;
    for (;;) {
      j = (j + 1) & mask;
      const k = keys[j];
      if (k === 0) break;
      const h = this.home(k);
      // Leave k where it is when its home lies cyclically in (i, j].
      if (i <= j ? i < h && h <= j : i < h || h <= j) continue;
      this.move(j, i);
      i = j;
    }
    keys[i] = 0;
    this.holders[i] = undefined;
    this.seen[i] = 0;
    this.used--;
  }

  private grow(): void {
    const { keys, holders, pid, fd, seen } = this;
    this.alloc(keys.length * 2);
    for (let j = 0; j < keys.length; j++) {
      if (keys[j] === 0) continue;
      let i = this.home(keys[j]);
      while (this.keys[i] !== 0) i = (i + 1) & this.mask;
      this.keys[i] = keys[j];
      this.holders[i] = holders[j];
      this.pid[i] = pid[j];
      this.fd[i] = fd[j];
      this.seen[i] = seen[j];
    }
  }
}

/** What a targeted pass still has to decide about processes it has not read. */
interface TargetedState {
  unread: Map<number, PidStat>;
  /** Wanted inodes nobody is known to hold yet. */
  missing: Set<number>;
  /** Every wanted inode (to recognise a process that holds one). */
  wantedInodes: Set<number>;
  uids: Set<number>;
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
  private hidden = 0;
  private queue: Promise<void> = Promise.resolve();
  /** Unreadable pids -> whether they are user processes (kernel threads have an empty cmdline and hold no sockets). */
  private unreadable = new Map<number, boolean>();
  private lastStats: AttributionStats = { pids: 0, pidsRelisted: 0, readlinks: 0, fallback: false, full: false, durationMs: 0, pidsSkipped: 0, listChanged: true };
  private lastYield = 0;
  private sizeCounts: boolean | undefined;

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
    // One pass at a time: the monitor and the exporter may share this cache.
    const run = this.queue.then(() => this.attributeNow(sockets, scope, targeted));
    this.queue = run.then(
      () => undefined,
      () => undefined,
    );
    return run;
  }

  private async attributeNow(sockets: Socket[], scope: 'listeners' | 'all', targeted: boolean): Promise<AttributionInfo> {
    const t0 = performance.now();
    this.lastYield = t0;
    const wanted: Socket[] = [];
    // Fingerprint of the socket list (count, sum and two hashes of the inodes): when it equals the
    // previous pass's, no socket disappeared and the per-socket index probes are skipped (steady state).
    let n = 0;
    let sum = 0;
    let mix = 0;
    let mix2 = 0;
    for (const s of sockets) {
      const ino = s.inode;
      if (!ino) continue;
      n++;
      sum += ino;
      mix ^= Math.imul(ino, 0x9e3779b1);
      mix2 += Math.imul(ino, 0x2545f491) >>> 0;
      if (scope === 'all' || isListenerSocket(s)) wanted.push(s);
    }
    const index = this.index;
    const fp = this.fingerprint;
    let disappeared: ReadonlySet<number>;
    if (this.gen > 0 && fp.n === n && fp.sum === sum && fp.mix === mix && fp.mix2 === mix2) disappeared = SAME_LIST;
    else {
      const gen = ++this.gen;
      for (const s of sockets) if (s.inode) index.markSeen(s.inode, gen);
      disappeared = new Set(index.disappearedSince(gen - 1));
      this.fingerprint = { n, sum, mix, mix2 };
    }
    const suspects = new Set<number>();
    for (const ino of disappeared) for (const r of index.get(ino)!) suspects.add(r.pid);

    const full = this.now() - this.lastFull >= this.fullRefreshMs;
    if (full) this.lastFull = this.now();
    const stats: AttributionStats = { pids: 0, pidsRelisted: 0, readlinks: 0, fallback: false, full, durationMs: 0, pidsSkipped: 0, listChanged: disappeared !== SAME_LIST };
    const unread = targeted ? new Map<number, PidStat>() : null;
    await this.walk(full ? 'full' : 'incremental', disappeared, suspects, stats, unread);

    let unresolved = this.resolve(wanted);
    if (unread && unread.size > 0) {
      const state: TargetedState = { unread, missing: unresolved, wantedInodes: new Set(), uids: new Set() };
      for (const s of wanted) {
        state.wantedInodes.add(s.inode!);
        if (s.uid !== undefined) state.uids.add(s.uid);
      }
      await this.readUntilFound(state, stats);
      if (unread.size > 0) await this.readSharers(wanted, state, stats);
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
    stats.durationMs = performance.now() - t0;
    this.lastStats = stats;
    logOsCall(
      'read',
      `${this.root}/*/fd`,
      stats.durationMs,
      undefined,
      `pids=${stats.pids} relisted=${stats.pidsRelisted} readlinks=${stats.readlinks}${targeted ? ` skipped=${stats.pidsSkipped}` : ''}${full ? ' full' : ''}${stats.fallback ? ' fallback' : ''}`,
    );

    const info: AttributionInfo = { scope, complete: this.hidden === 0, hiddenProcesses: this.hidden };
    if (this.hidden > 0) {
      info.note =
        `${this.hidden} process${this.hidden === 1 ? '' : 'es'} of other users ${this.hidden === 1 ? 'is' : 'are'} hidden` +
        (this.uid === 0 ? ' (their /proc/PID/fd could not be read)' : ': run as root to see them');
    }
    return info;
  }

  /** Sets socket.processes for the wanted sockets; returns the inodes nobody was found holding. */
  private resolve(wanted: Socket[]): Set<number> {
    const unresolved = new Set<number>();
    for (const s of wanted) {
      const refs = this.index.get(s.inode!);
      if (refs) s.processes = refs; // shared, treated as immutable like the snapshot itself
      else unresolved.add(s.inode!);
    }
    return unresolved;
  }

  private async maybeYield(): Promise<void> {
    if (performance.now() - this.lastYield > YIELD_EVERY_MS) {
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
      this.hidden = 0;
      return;
    }
    const seen = new Set<number>();
    let hidden = 0;
    for (const n of names) {
      const c = n.charCodeAt(0);
      if (c < 48 || c > 57) continue;
      const pid = Number(n);
      if (!Number.isInteger(pid)) continue;
      stats.pids++;
      const st = this.statPid(pid);
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
          const start = readStartAndParent(`${this.root}/${pid}/stat`)?.start ?? -1;
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
          r = this.access(pid);
          if (r === 'ok') unread.set(pid, st);
        } else r = await this.readPid(st, undefined, mode, disappeared, stats);
      }
      if (r !== 'gone') seen.add(pid);
      if (r === 'hidden') {
        this.setEntry(pid, undefined);
        if (this.isUserProcess(pid)) hidden++;
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
      try {
        this.sizeCounts = this.countFromStat && statSync(`${this.root}/self/fd`).size > 0;
      } catch {
        this.sizeCounts = false;
      }
    }
    return this.sizeCounts;
  }

  /** stat(/proc/PID/fd): identity and fd count (recent kernels allow it for other users' processes too; listing them fails). */
  private statPid(pid: number): PidStat | Exclude<ReadResult, 'ok'> {
    try {
      const st = statSync(`${this.root}/${pid}/fd`);
      return { pid, dirIno: st.ino, count: this.countFromStat ? st.size : 0, uid: st.uid };
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      return code === 'EACCES' || code === 'EPERM' ? 'hidden' : 'gone';
    }
  }

  /** Whether /proc/PID/fd can be listed, without listing it (a targeted pass may never read this pid). */
  private access(pid: number): ReadResult {
    try {
      accessSync(`${this.root}/${pid}/fd`, fsConstants.R_OK);
      return 'ok';
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      return code === 'EACCES' || code === 'EPERM' ? 'hidden' : 'gone';
    }
  }

  /** Kernel threads are unreadable too without root but are not "processes of other users": read cmdline once. */
  private isUserProcess(pid: number): boolean {
    let v = this.unreadable.get(pid);
    if (v === undefined) {
      try {
        v = readFileSync(`${this.root}/${pid}/cmdline`).length > 0;
      } catch {
        v = true; // hidepid or gone: count it, the user cannot see it either way
      }
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
    const dir = `${this.root}/${pid}/fd`;
    const reader = linkReader();
    const dirFd = reader.open(dir);
    const fds = new Map<number, number>();
    let k = 0;
    try {
      let list: string[] | undefined;
      if ((prev === undefined || mode === 'full') && st.count > 0 && this.sizeIsCount() && dirFd >= 0) {
        // Every fd is read anyway and fds are allocated lowest-first: try 0, 1, 2... until `count` links
        // were found (listing 15,000 fds costs a fifth of reading them). Holes past the slack, or fds opened
        // meanwhile, are picked up by the listing below.
        const end = st.count + Math.max(64, st.count >> 4);
        for (let fd = 0; fd < end && fds.size < st.count; fd++) {
          stats.readlinks++;
          const ino = reader.read(dirFd, dir, String(fd));
          if (ino >= 0) fds.set(fd, ino);
          if ((++k & 255) === 0) await this.maybeYield();
        }
        if (fds.size < st.count) list = readdirSync(dir);
        else list = [];
      } else if (mode === 'fallback' && prev && prev.count === st.count && st.count > 0 && this.sizeIsCount()) {
        // Same fd count: the fallback looks again behind the fd numbers it knows (non-socket fds, vanished
        // sockets) without listing the directory; a socket at a new number with the count unchanged waits
        // for the periodic full refresh.
        list = [];
        for (const [fd, ino] of prev.fds) {
          if (ino !== 0 && !disappeared.has(ino)) fds.set(fd, ino);
          else list.push(String(fd));
        }
      } else list = readdirSync(dir);
      for (const name of list) {
        const fd = Number(name);
        if (fds.has(fd)) continue;
        const cached = mode === 'full' ? undefined : prev?.fds.get(fd);
        if (cached !== undefined && !(cached === 0 && mode === 'fallback') && !(cached !== 0 && disappeared.has(cached))) {
          fds.set(fd, cached);
          continue;
        }
        stats.readlinks++;
        const ino = reader.read(dirFd, dir, name);
        if (ino >= 0) fds.set(fd, ino); // < 0: closed meanwhile
        if ((++k & 255) === 0) await this.maybeYield();
      }
    } catch (e) {
      this.setEntry(pid, undefined);
      const code = (e as NodeJS.ErrnoException).code;
      return code === 'EACCES' || code === 'EPERM' ? 'hidden' : 'gone';
    } finally {
      reader.close(dirFd);
    }
    stats.pidsRelisted++;
    let name = prev?.name;
    if (name === undefined || mode !== 'incremental' || prev?.count !== st.count) name = readComm(`${this.root}/${pid}/comm`) ?? name ?? '';
    const start = prev?.start ?? readStartAndParent(`${this.root}/${pid}/stat`)?.start ?? -1;
    this.setEntry(pid, { dirIno: st.dirIno, start, count: st.count, fds, name });
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
      for (const [fd, ino] of next.fds) if (ino !== 0 && (renamed || prev?.fds.get(fd) !== ino)) this.index.add(ino, pid, fd, next.name, this.gen);
    } else this.pids.delete(pid);
  }

  /** Holds `pid` (just read) any wanted socket? Also ticks off the ones it holds. */
  private takeFound(pid: number, state: TargetedState): boolean {
    const e = this.pids.get(pid);
    if (!e) return false;
    let holds = false;
    for (const ino of e.fds.values()) {
      if (ino !== 0 && state.wantedInodes.has(ino)) {
        holds = true;
        state.missing.delete(ino);
      }
    }
    return holds;
  }

  /** Targeted pass: reads unread processes, most likely owners first, until every wanted socket has one. */
  private async readUntilFound(state: TargetedState, stats: AttributionStats): Promise<void> {
    if (state.missing.size === 0) return;
    const hits = new Map<number, number>();
    for (const st of state.unread.values()) {
      if (st.count < PROBE_MIN_FDS) continue;
      // fds are allocated lowest-first, so numbers below the count are mostly open: sample them evenly.
      let h = 0;
      for (let k = 1; k <= PROBES_PER_PID; k++) {
        const ino = this.readSocketLink(st.pid, Math.floor((st.count * k) / (PROBES_PER_PID + 1)), stats);
        if (ino !== 0 && state.missing.has(ino)) h++;
      }
      if (h > 0) hits.set(st.pid, h);
    }
    const order = [...state.unread.values()].sort(
      (a, b) =>
        (hits.get(b.pid) ?? 0) - (hits.get(a.pid) ?? 0) ||
        Number(state.uids.has(b.uid)) - Number(state.uids.has(a.uid)) ||
        a.count - b.count ||
        a.pid - b.pid,
    );
    for (const st of order) {
      if (state.missing.size === 0) break;
      state.unread.delete(st.pid);
      if ((await this.readPid(st, undefined, 'full', new Set(), stats)) === 'ok') this.takeFound(st.pid, state);
      await this.maybeYield();
    }
  }

  /**
   * Targeted pass, once every wanted socket has an owner: reads the unread processes that may share
   * them. Fork copies the fd table, so the parents and children of an owner (transitively, through every
   * process found holding one) are read; for listeners, each unread process is also asked for the same
   * fd number (workers whose parent closed its copy keep the number they inherited).
   */
  private async readSharers(wanted: Socket[], state: TargetedState, stats: AttributionStats): Promise<void> {
    const parent = new Map<number, number>();
    const children = new Map<number, number[]>();
    for (const pid of [...this.pids.keys(), ...state.unread.keys()]) {
      const ppid = readStartAndParent(`${this.root}/${pid}/stat`)?.ppid;
      if (ppid === undefined) continue;
      parent.set(pid, ppid);
      const list = children.get(ppid);
      if (list) list.push(pid);
      else children.set(ppid, [pid]);
    }
    const owners: number[] = [];
    for (const s of wanted) for (const r of this.index.get(s.inode!) ?? []) owners.push(r.pid);
    const done = new Set<number>();
    const visit = async (pid: number): Promise<void> => {
      const st = state.unread.get(pid);
      if (!st) return;
      state.unread.delete(pid);
      if ((await this.readPid(st, undefined, 'full', new Set(), stats)) === 'ok' && this.takeFound(pid, state)) owners.push(pid);
      await this.maybeYield();
    };
    const closeFamily = async (): Promise<void> => {
      while (owners.length > 0 && state.unread.size > 0) {
        const o = owners.pop()!;
        if (done.has(o)) continue;
        done.add(o);
        for (let p = parent.get(o); p !== undefined && p > 0 && !done.has(p); p = parent.get(p)) await visit(p);
        const stack = [...(children.get(o) ?? [])];
        while (stack.length > 0) {
          const c = stack.pop()!;
          await visit(c);
          for (const g of children.get(c) ?? []) stack.push(g);
        }
        // Parents and children just read may hold wanted sockets too: their families follow (owners grew).
      }
    };
    await closeFamily();

    // Listeners: the same fd number in every process still unread.
    const probes: { fd: number; ino: number }[] = [];
    for (const s of wanted) {
      if (!isListenerSocket(s)) continue;
      for (const r of this.index.get(s.inode!) ?? []) probes.push({ fd: r.fd, ino: s.inode! });
    }
    if (probes.length === 0 || probes.length * state.unread.size > SAME_FD_PROBE_BUDGET) return;
    for (const st of [...state.unread.values()]) {
      for (const p of probes) {
        if (this.readSocketLink(st.pid, p.fd, stats) !== p.ino) continue;
        await visit(st.pid);
        break;
      }
    }
    await closeFamily();
  }

  /** The socket inode behind /proc/PID/fd/FD; 0 when it is not a socket or cannot be read. */
  private readSocketLink(pid: number, fd: number, stats: AttributionStats): number {
    stats.readlinks++;
    return Math.max(0, linkReader().read(-1, `${this.root}/${pid}/fd`, String(fd)));
  }
}

/** Reads /proc/PID/fd links: socket inode, 0 for other files, -1 when the fd is not open. */
interface LinkReader {
  /** True when links are read with readlinkat(2) on a directory fd (koffi), without Node's path handling. */
  readonly native: boolean;
  /** A directory fd for `dir`, or -1 (then read() takes the path). */
  open(dir: string): number;
  read(dirFd: number, dir: string, name: string): number;
  close(dirFd: number): void;
}

/** Parses "socket:[12345]" (the whole link) to 12345; 0 for anything else. */
function socketInode(link: string): number {
  const m = SOCKET_LINK.exec(link);
  return m ? Number(m[1]) : 0;
}

const nodeReader: LinkReader = {
  native: false,
  open: () => -1,
  read(_dirFd, dir, name) {
    try {
      return socketInode(readlinkSync(`${dir}/${name}`));
    } catch {
      return -1;
    }
  },
  close: () => undefined,
};

let reader: LinkReader | undefined;

/**
 * readlinkat(2) through koffi (already loaded by the netlink collector; about 7 ms otherwise): about a
 * third cheaper per fd than fs.readlinkSync (no path string per fd, no lookup of /proc/PID for each, no
 * exception for a closed fd), which matters at tens of thousands of fds. Falls back to readlinkSync.
 */
function linkReader(): LinkReader {
  if (reader) return reader;
  reader = nodeReader;
  if (process.platform !== 'linux') return reader;
  try {
    const koffi = createRequire(import.meta.url)('koffi') as typeof import('koffi');
    const lib = koffi.load('libc.so.6');
    const openat = lib.func('int open(const char *path, int flags)') as (path: string, flags: number) => number;
    const readlinkat = lib.func('long readlinkat(int dirfd, const char *path, _Out_ uint8_t *buf, size_t size)') as (fd: number, path: string, buf: Buffer, size: number) => number;
    const close = lib.func('int close(int fd)') as (fd: number) => number;
    const buf = Buffer.alloc(64);
    const O_RDONLY_DIRECTORY_CLOEXEC = 0o2200000;
    reader = {
      native: true,
      open: (dir) => openat(dir, O_RDONLY_DIRECTORY_CLOEXEC),
      read(dirFd, dir, name) {
        const n = dirFd >= 0 ? readlinkat(dirFd, name, buf, 64) : readlinkat(-100 /* AT_FDCWD */, `${dir}/${name}`, buf, 64);
        if (n < 0) return -1;
        // "socket:[" + digits + "]"
        if (n < 10 || n >= 64 || buf[n - 1] !== 0x5d) return 0;
        for (let i = 0; i < 8; i++) if (buf[i] !== SOCKET_PREFIX[i]) return 0;
        let ino = 0;
        for (let i = 8; i < n - 1; i++) {
          const d = buf[i] - 48;
          if (d < 0 || d > 9) return 0;
          ino = ino * 10 + d;
        }
        return ino;
      },
      close: (dirFd) => {
        if (dirFd >= 0) close(dirFd);
      },
    };
  } catch {
    reader = nodeReader;
  }
  return reader;
}

/** The process name as ss shows it (/proc/PID/comm without the trailing newline); undefined if unreadable. */
function readComm(path: string): string | undefined {
  try {
    const s = readFileSync(path, 'utf8');
    return s.endsWith('\n') ? s.slice(0, -1) : s;
  } catch {
    return undefined;
  }
}

/** Parent pid and start time from /proc/PID/stat (fields 4 and 22, counted after the "(comm)" field). */
function readStartAndParent(path: string): { ppid: number; start: number } | undefined {
  let text: string;
  try {
    text = readFileSync(path, 'latin1');
  } catch {
    return undefined;
  }
  const f = text.slice(text.lastIndexOf(')') + 2).split(' ');
  const ppid = Number(f[1]);
  const start = Number(f[19]);
  if (!Number.isInteger(ppid)) return undefined;
  return { ppid, start: Number.isInteger(start) ? start : -1 };
}

let shared: ProcessAttributor | undefined;

/** The process-wide attributor every collector shares (one cache, so the second poll is incremental). */
export function sharedAttributor(): ProcessAttributor {
  shared ??= new ProcessAttributor();
  return shared;
}

setAttributor((sockets, scope) => sharedAttributor().attribute(sockets, scope, { targeted: attributionReach() === 'targeted' }));
