// Process attribution: socket inode -> processes holding it, from /proc/*/fd, cached between polls.
//
// Why it is built this way (measured on a 100k-socket host, see the final report of issue 2):
// readlink of /proc/PID/fd/N costs ~25 us each, so re-reading every fd on every poll is what makes
// `ss -p` slow. Instead, per pid we keep the fd -> socket inode map and re-read a pid only when
//   - it is new, or its /proc/PID/fd directory is a new one (pid reuse),
//   - its fd count changed (stat(/proc/PID/fd).st_size is the number of open fds on Linux >= 6.2;
//     on older kernels the size is 0 and the directory is listed every time),
//   - one of the socket inodes it held disappeared from the socket dump (fd closed, number reused).
// When re-reading a pid, only fd numbers that are new or whose cached socket disappeared are readlink'ed.
// Remaining blind spot (a non-socket fd replaced by a socket at the same number with the count unchanged,
// or a shared socket's fd number reused) is covered by a fallback pass when sockets that need attribution
// appear unresolved, rate-limited, plus a periodic full refresh.
// All calls are synchronous (an async readlink per fd costs far more than the syscall) and the walk
// yields to the event loop every few milliseconds so the monitor stays responsive.
import { readdirSync, readFileSync, readlinkSync, statSync } from 'node:fs';
import type { AttributionInfo } from '../model/snapshot.js';
import type { ProcessRef, Socket } from '../model/socket.js';
import { setAttributor } from './attribution.js';
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
}

/** Counters of the last pass, for tests, the bench and SOCKET_DEBUG. */
export interface AttributionStats {
  pids: number;
  pidsRelisted: number;
  readlinks: number;
  fallback: boolean;
  full: boolean;
  durationMs: number;
}

interface PidEntry {
  /** Inode of /proc/PID/fd: a new process with the same pid gets a new directory inode. */
  dirIno: number;
  /** Open fd count at the last listing (0 = unknown on this kernel). */
  count: number;
  /** fd -> socket inode; 0 for fds that are not sockets. */
  fds: Map<number, number>;
  name: string;
  /** One ProcessRef per socket fd, reused across polls while the pid is unchanged. */
  refs: ProcessRef[];
}

/** True for sockets that serve: TCP/unix LISTEN, and UDP/unix-dgram sockets without a connected peer. */
export function isListenerSocket(s: Socket): boolean {
  if (s.state === 'LISTEN') return true;
  if (s.protocol === 'udp') return s.peer.port === 0;
  if (s.protocol === 'unix' && s.unixType === 'dgram') return s.local.address !== '' && s.peer.address === '';
  return false;
}

const SOCKET_LINK = /^socket:\[(\d+)\]$/;
const YIELD_EVERY_MS = 8;

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
  private pids = new Map<number, PidEntry>();
  private index = new Map<number, ProcessRef[]>();
  private prevInodes = new Set<number>();
  private prevUnresolved = new Set<number>();
  private lastFull = -Infinity;
  private lastFallback = -Infinity;
  private hidden = 0;
  private queue: Promise<void> = Promise.resolve();
  /** Unreadable pids -> whether they are user processes (kernel threads have an empty cmdline and hold no sockets). */
  private unreadable = new Map<number, boolean>();
  private lastStats: AttributionStats = { pids: 0, pidsRelisted: 0, readlinks: 0, fallback: false, full: false, durationMs: 0 };

  constructor(opts: AttributorOptions = {}) {
    this.root = opts.procRoot ?? '/proc';
    this.fullRefreshMs = opts.fullRefreshMs ?? 120_000;
    this.fallbackMinIntervalMs = opts.fallbackMinIntervalMs ?? 10_000;
    this.now = opts.now ?? (() => performance.now());
    this.uid = opts.uid ?? (typeof process.getuid === 'function' ? process.getuid() : 0);
    this.countFromStat = opts.countFromStat ?? true;
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
  attribute(sockets: Socket[], scope: AttributionScope = 'listeners'): Promise<AttributionInfo> {
    if (scope === 'none') return Promise.resolve({ scope: 'none', complete: true, hiddenProcesses: 0 });
    // One pass at a time: the monitor and the exporter may share this cache.
    const run = this.queue.then(() => this.attributeNow(sockets, scope));
    this.queue = run.then(
      () => undefined,
      () => undefined,
    );
    return run;
  }

  private async attributeNow(sockets: Socket[], scope: 'listeners' | 'all'): Promise<AttributionInfo> {
    const t0 = performance.now();
    const current = new Set<number>();
    const wanted: Socket[] = [];
    for (const s of sockets) {
      if (!s.inode) continue;
      current.add(s.inode);
      if (scope === 'all' || isListenerSocket(s)) wanted.push(s);
    }
    const disappeared = new Set<number>();
    for (const ino of this.prevInodes) if (!current.has(ino)) disappeared.add(ino);

    const full = this.now() - this.lastFull >= this.fullRefreshMs;
    if (full) this.lastFull = this.now();
    const stats: AttributionStats = { pids: 0, pidsRelisted: 0, readlinks: 0, fallback: false, full, durationMs: 0 };
    await this.walk(disappeared, full ? 'full' : 'incremental', stats);

    let unresolved = this.resolve(wanted);
    let fresh = 0;
    for (const ino of unresolved) if (!this.prevUnresolved.has(ino) && !disappeared.has(ino)) fresh++;
    if (!full && fresh > 0 && this.now() - this.lastFallback >= this.fallbackMinIntervalMs) {
      this.lastFallback = this.now();
      stats.fallback = true;
      await this.walk(disappeared, 'fallback', stats);
      unresolved = this.resolve(wanted);
    }
    // Only a pass that looked everywhere (fallback or full) makes an unresolved socket "known unresolvable";
    // when the fallback was rate-limited, new unresolved sockets stay new and trigger it on a later poll.
    this.prevUnresolved = full || stats.fallback ? unresolved : new Set([...unresolved].filter((i) => this.prevUnresolved.has(i)));
    this.prevInodes = current;
    stats.durationMs = performance.now() - t0;
    this.lastStats = stats;
    logOsCall('read', `${this.root}/*/fd`, stats.durationMs, undefined, `pids=${stats.pids} relisted=${stats.pidsRelisted} readlinks=${stats.readlinks}${full ? ' full' : ''}${stats.fallback ? ' fallback' : ''}`);

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

  /** One pass over /proc: updates the per-pid cache and rebuilds the inode index. */
  private async walk(disappeared: Set<number>, mode: 'incremental' | 'fallback' | 'full', stats: AttributionStats): Promise<void> {
    const tList = performance.now();
    let names: string[];
    try {
      names = readdirSync(this.root);
    } catch (e) {
      logOsCall('read', this.root, performance.now() - tList, undefined, `error=${(e as NodeJS.ErrnoException).code}`);
      this.pids.clear();
      this.index.clear();
      this.hidden = 0;
      return;
    }
    const seen = new Set<number>();
    let hidden = 0;
    let lastYield = performance.now();
    for (const n of names) {
      const c = n.charCodeAt(0);
      if (c < 48 || c > 57) continue;
      const pid = Number(n);
      if (!Number.isInteger(pid)) continue;
      stats.pids++;
      const r = this.refreshPid(pid, disappeared, mode, stats);
      if (r === 'hidden') {
        seen.add(pid);
        if (this.isUserProcess(pid)) hidden++;
      } else if (r === 'ok') seen.add(pid);
      if (performance.now() - lastYield > YIELD_EVERY_MS) {
        await new Promise<void>((res) => setImmediate(res));
        lastYield = performance.now();
      }
    }
    for (const pid of this.pids.keys()) if (!seen.has(pid)) this.pids.delete(pid);
    for (const pid of this.unreadable.keys()) if (!seen.has(pid)) this.unreadable.delete(pid);
    this.hidden = hidden;
    const index = new Map<number, ProcessRef[]>();
    for (const e of this.pids.values()) {
      for (const ref of e.refs) {
        const ino = e.fds.get(ref.fd)!;
        const list = index.get(ino);
        if (list) list.push(ref);
        else index.set(ino, [ref]);
      }
    }
    for (const list of index.values()) if (list.length > 1) list.sort((a, b) => a.pid - b.pid || a.fd - b.fd);
    this.index = index;
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

  /** Brings one pid's cache up to date; 'gone' when it exited, 'hidden' when its fds cannot be read. */
  private refreshPid(pid: number, disappeared: Set<number>, mode: 'incremental' | 'fallback' | 'full', stats: AttributionStats): 'ok' | 'hidden' | 'gone' {
    const dir = `${this.root}/${pid}/fd`;
    let dirIno: number;
    let count: number;
    try {
      const st = statSync(dir);
      dirIno = st.ino;
      count = this.countFromStat ? st.size : 0;
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      this.pids.delete(pid);
      return code === 'EACCES' || code === 'EPERM' ? 'hidden' : 'gone';
    }
    let prev = this.pids.get(pid);
    if (prev && prev.dirIno !== dirIno) prev = undefined;
    let suspect = false;
    if (prev && disappeared.size > 0) {
      for (const ino of prev.fds.values()) {
        if (ino !== 0 && disappeared.has(ino)) {
          suspect = true;
          break;
        }
      }
    }
    if (prev && mode === 'incremental' && count > 0 && prev.count === count && !suspect) return 'ok';

    let list: string[];
    try {
      list = readdirSync(dir);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      this.pids.delete(pid);
      return code === 'EACCES' || code === 'EPERM' ? 'hidden' : 'gone';
    }
    stats.pidsRelisted++;
    const fds = new Map<number, number>();
    for (const name of list) {
      const fd = Number(name);
      const cached = mode === 'full' ? undefined : prev?.fds.get(fd);
      if (cached !== undefined && !(cached === 0 && mode === 'fallback') && !(cached !== 0 && disappeared.has(cached))) {
        fds.set(fd, cached);
        continue;
      }
      let link: string;
      try {
        stats.readlinks++;
        link = readlinkSync(`${dir}/${name}`);
      } catch {
        continue; // closed meanwhile
      }
      const m = SOCKET_LINK.exec(link);
      fds.set(fd, m ? Number(m[1]) : 0);
    }
    let name = prev?.name;
    if (name === undefined || mode !== 'incremental' || prev?.count !== count) name = readComm(`${this.root}/${pid}/comm`) ?? name ?? '';
    const refs: ProcessRef[] = [];
    for (const [fd, ino] of fds) if (ino !== 0) refs.push({ pid, name, fd });
    this.pids.set(pid, { dirIno, count, fds, name, refs });
    return 'ok';
  }
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

let shared: ProcessAttributor | undefined;

/** The process-wide attributor every collector shares (one cache, so the second poll is incremental). */
export function sharedAttributor(): ProcessAttributor {
  shared ??= new ProcessAttributor();
  return shared;
}

setAttributor((sockets, scope) => sharedAttributor().attribute(sockets, scope));
