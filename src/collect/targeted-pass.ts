// Targeted attribution passes (one-shot commands such as `analyze --port P`): which of the processes
// not read yet to read, and in what order, so that every wanted socket gets its owners without reading
// every fd of the host. The ProcessAttributor (processes.ts) lists the processes and does the reading.
import type { ProcessRef, Socket } from '../model/socket.js';
import { isListenerSocket } from '../model/listener-socket.js';
import { readStartAndParent, type PidStat, type ReadResult } from './proc-pid.js';

/** Targeted passes sample this many fds of a process with at least PROBE_MIN_FDS fds to order the reads. */
const PROBES_PER_PID = 6;
/**
 * Samples per process when guessing the owner from part of the wanted sockets (ProcessAttributor.prefetch):
 * enough for about PREFETCH_EXPECTED_HITS hits in a process holding them all, within these bounds.
 */
const PREFETCH_PROBES_MIN = 32;
const PREFETCH_PROBES_MAX = 128;
const PREFETCH_EXPECTED_HITS = 6;
const PROBE_MIN_FDS = 256;
/** At most this many readlinks to look for other holders of a wanted listener at the same fd number. */
const SAME_FD_PROBE_BUDGET = 4096;

/** What the attributor lends a targeted pass: its cache, and reads that keep that cache and the pass's counters up to date. */
export interface TargetedReads {
  /** Root of the proc filesystem. */
  readonly root: string;
  /** Pids in the cache (read). */
  cachedPids(): Iterable<number>;
  /** fd -> socket inode (0: not a socket) of a cached pid. */
  fdsOf(pid: number): ReadonlyMap<number, number> | undefined;
  /** Cached holders of a socket inode. */
  holders(ino: number): readonly ProcessRef[] | undefined;
  /** Reads a whole process into the cache. */
  readWhole(st: PidStat): Promise<ReadResult>;
  /** The socket inode behind /proc/PID/fd/FD; 0 when it is not a socket or cannot be read. */
  readSocketLink(pid: number, fd: number): number;
  /** Yields to the event loop when the pass has run for a while. */
  pause(): Promise<void>;
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
 * Reads, of the processes in `unread` (removed from it as they are read), those needed to name the
 * owners of `wanted`: the likely owners until none of `missing` (wanted inodes without a known holder;
 * ticked off as found) is left, then the processes that may share them. See AttributeOptions.targeted.
 */
export async function readTargeted(wanted: Socket[], missing: Set<number>, unread: Map<number, PidStat>, reads: TargetedReads): Promise<void> {
  const state: TargetedState = { unread, missing, wantedInodes: new Set(), uids: new Set() };
  for (const s of wanted) {
    state.wantedInodes.add(s.inode!);
    if (s.uid !== undefined) state.uids.add(s.uid);
  }
  await readUntilFound(state, reads);
  if (unread.size > 0) await readSharers(wanted, state, reads);
}

/** Holds `pid` (just read) any wanted socket? Also ticks off the ones it holds. */
function takeFound(pid: number, state: TargetedState, reads: TargetedReads): boolean {
  const fds = reads.fdsOf(pid);
  if (!fds) return false;
  let holds = false;
  for (const ino of fds.values()) {
    if (ino !== 0 && state.wantedInodes.has(ino)) {
      holds = true;
      state.missing.delete(ino);
    }
  }
  return holds;
}

/** Sampled fds of each process with PROBE_MIN_FDS fds or more that hold one of `wanted`: pid -> hits. */
function probeHits(candidates: Iterable<PidStat>, wanted: ReadonlySet<number>, readSocketLink: (pid: number, fd: number) => number, probesOf: (st: PidStat) => number = () => PROBES_PER_PID): Map<number, number> {
  const hits = new Map<number, number>();
  for (const st of candidates) {
    if (st.count < PROBE_MIN_FDS) continue;
    const probes = probesOf(st);
    // fds are allocated lowest-first, so numbers below the count are mostly open: sample them evenly.
    let h = 0;
    for (let k = 1; k <= probes; k++) {
      const ino = readSocketLink(st.pid, Math.floor((st.count * k) / (probes + 1)));
      if (ino !== 0 && wanted.has(ino)) h++;
    }
    if (h > 0) hits.set(st.pid, h);
  }
  return hits;
}

/**
 * The process whose sampled fds hold the most of `wanted` (ties: fewer fds, then lower pid), or
 * undefined when no sample hits: what ProcessAttributor.prefetch reads while the dump still runs.
 */
export function likelyOwner(candidates: readonly PidStat[], wanted: ReadonlySet<number>, readSocketLink: (pid: number, fd: number) => number): PidStat | undefined {
  // Only part of the wanted sockets is known this early: more samples than a pass after the dump takes.
  // The owner of 15,000 fds when 1,000 of its sockets are known: 90 samples, about 6 hits (none: 0.1%).
  const probesOf = (st: PidStat) => Math.min(PREFETCH_PROBES_MAX, Math.max(PREFETCH_PROBES_MIN, Math.ceil((PREFETCH_EXPECTED_HITS * st.count) / Math.max(1, wanted.size))));
  const hits = probeHits(candidates, wanted, readSocketLink, probesOf);
  let best: PidStat | undefined;
  for (const st of candidates) {
    const h = hits.get(st.pid);
    if (h === undefined) continue;
    const b = best ? hits.get(best.pid)! : 0;
    if (!best || h > b || (h === b && (st.count < best.count || (st.count === best.count && st.pid < best.pid)))) best = st;
  }
  return best;
}

/** Targeted pass: reads unread processes, most likely owners first, until every wanted socket has one. */
async function readUntilFound(state: TargetedState, reads: TargetedReads): Promise<void> {
  if (state.missing.size === 0) return;
  const hits = probeHits(state.unread.values(), state.missing, (pid, fd) => reads.readSocketLink(pid, fd));
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
    if ((await reads.readWhole(st)) === 'ok') takeFound(st.pid, state, reads);
    await reads.pause();
  }
}

/**
 * Targeted pass, once every wanted socket has an owner: reads the unread processes that may share
 * them. Fork copies the fd table, so the parents and children of an owner (transitively, through every
 * process found holding one) are read; for listeners, each unread process is also asked for the same
 * fd number (workers whose parent closed its copy keep the number they inherited).
 */
async function readSharers(wanted: Socket[], state: TargetedState, reads: TargetedReads): Promise<void> {
  const parent = new Map<number, number>();
  const children = new Map<number, number[]>();
  for (const pid of [...reads.cachedPids(), ...state.unread.keys()]) {
    const ppid = readStartAndParent(reads.root, pid)?.ppid;
    if (ppid === undefined) continue;
    parent.set(pid, ppid);
    const list = children.get(ppid);
    if (list) list.push(pid);
    else children.set(ppid, [pid]);
  }
  const owners: number[] = [];
  for (const s of wanted) for (const r of reads.holders(s.inode!) ?? []) owners.push(r.pid);
  const done = new Set<number>();
  const visit = async (pid: number): Promise<void> => {
    const st = state.unread.get(pid);
    if (!st) return;
    state.unread.delete(pid);
    if ((await reads.readWhole(st)) === 'ok' && takeFound(pid, state, reads)) owners.push(pid);
    await reads.pause();
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
    for (const r of reads.holders(s.inode!) ?? []) probes.push({ fd: r.fd, ino: s.inode! });
  }
  if (probes.length === 0 || probes.length * state.unread.size > SAME_FD_PROBE_BUDGET) return;
  for (const st of [...state.unread.values()]) {
    for (const p of probes) {
      if (reads.readSocketLink(st.pid, p.fd) !== p.ino) continue;
      await visit(st.pid);
      break;
    }
  }
  await closeFamily();
}
