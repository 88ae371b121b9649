// The processes a child of sockscope started, read from /proc: each one's state, parent and start time (a pid
// is signalled only while its start time is the one taken), a child's descendants (task/*/children, or a scan of
// every /proc/N/stat where the kernel has no children files), and how much a process has read (/proc/PID/io).
// exec.ts stops ssh and what it started (its ProxyCommand, a ProxyJump's ssh -W) with them.
import { readdirSync, readFileSync } from 'node:fs';

/** /proc/PID/stat's state, parent and start time (fields 3, 4 and 22), undefined when the process is gone. */
export function procStat(pid: number): { state: string; ppid: number; start: string } | undefined {
  try {
    const t = readFileSync(`/proc/${pid}/stat`, 'latin1');
    const f = t.slice(t.lastIndexOf(')') + 2).split(' ');
    return { state: f[0], ppid: Number(f[1]), start: f[19] };
  } catch {
    return undefined;
  }
}

/** The last scan of processesByParent and when it was made (shared by every child's polls). */
let lastScan: { at: number; byParent: Map<number, number[]> } | undefined;
/** How old a scan the idle polls take (a full /proc scan is ~20 us a process; every poll of every host took one). */
export const SCAN_REUSE_MS = 2000;

/**
 * Every process by parent pid (/proc/[0-9]*\/stat's PPID): the children where /proc/PID/task/TID/children is
 * missing. `maxAgeMs`: a scan at most that old is taken again (0 when stopping: the tree as it is now).
 */
function processesByParent(maxAgeMs: number): Map<number, number[]> {
  const now = performance.now();
  if (lastScan && now - lastScan.at <= maxAgeMs) return lastScan.byParent;
  const out = new Map<number, number[]>();
  let names: string[] = [];
  try {
    names = readdirSync('/proc');
  } catch {
    // no /proc
  }
  for (const n of names) {
    const ppid = /^\d+$/.test(n) ? procStat(Number(n))?.ppid : undefined;
    if (ppid === undefined) continue;
    const list = out.get(ppid);
    if (list) list.push(Number(n));
    else out.set(ppid, [Number(n)]);
  }
  lastScan = { at: now, byParent: out };
  return out;
}

/**
 * The children of `pid`: /proc/PID/task/TID/children, or where the kernel has no such file (no
 * CONFIG_PROC_CHILDREN) the processes whose PPID is `pid` (`byParent`: one scan of /proc per walk).
 */
function childrenOf(pid: number, byParent: () => Map<number, number[]>): number[] {
  const out: number[] = [];
  try {
    for (const tid of readdirSync(`/proc/${pid}/task`)) {
      for (const c of readFileSync(`/proc/${pid}/task/${tid}/children`, 'latin1').split(' ')) if (c !== '') out.push(Number(c));
    }
  } catch {
    if (procStat(pid)) return byParent().get(pid) ?? []; // no children file
  }
  return out;
}

/**
 * `pid` and its descendants (its ProxyCommand, a ProxyJump's ssh -W and what they run), each with its start time.
 * `scanAgeMs`: where children files are missing, how old a /proc scan may be (processesByParent).
 */
export function processTree(pid: number, scanAgeMs = 0): Map<number, string> {
  const out = new Map<number, string>();
  let parents: Map<number, number[]> | undefined;
  const byParent = () => (parents ??= processesByParent(scanAgeMs));
  const todo = [pid];
  while (todo.length && out.size < 1000) {
    const p = todo.pop()!;
    const st = procStat(p);
    if (!st || out.has(p)) continue;
    out.set(p, st.start);
    todo.push(...childrenOf(p, byParent));
  }
  return out;
}


/** Sends `sig` to each of `procs` that is still the process it was (same start time). */
export function signalAll(procs: ReadonlyMap<number, string>, sig: NodeJS.Signals): void {
  for (const [pid, start] of procs) {
    if (procStat(pid)?.start !== start) continue;
    try {
      process.kill(pid, sig);
    } catch {
      // gone already
    }
  }
}

/** Whether every one of `procs` has ended (gone, reused, or a zombie not yet reaped). */
export function allEnded(procs: ReadonlyMap<number, string>): boolean {
  for (const [pid, start] of procs) {
    const st = procStat(pid);
    if (st && st.start === start && st.state !== 'Z' && st.state !== 'X') return false;
  }
  return true;
}

/** The bytes `pid` has read (/proc/PID/io rchar: files, pipes, sockets); undefined when it cannot be read. */
export function bytesRead(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined;
  try {
    const m = /^rchar: (\d+)$/m.exec(readFileSync(`/proc/${pid}/io`, 'latin1'));
    return m ? Number(m[1]) : undefined;
  } catch {
    return undefined;
  }
}
