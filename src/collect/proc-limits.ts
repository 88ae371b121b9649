// Open files against RLIMIT_NOFILE for the processes that own sockets (/proc/PID/fd, /proc/PID/limits).
import { readdir, stat } from 'node:fs/promises';
import type { ProcessLimits, Snapshot } from '../model/snapshot.js';
import { logOsCall } from './debug.js';
import { readProcText } from './host.js';

/**
 * Parses the soft "Max open files" limit from /proc/PID/limits (pure):
 *   "Max open files            1024                 524288               files"
 * -> 1024; "unlimited" or a missing line -> null.
 */
export function parseMaxOpenFiles(text: string): number | null {
  return parseOpenFileLimits(text).soft;
}

/** Both "Max open files" limits (soft, hard) from /proc/PID/limits; each null when unlimited or missing. */
export function parseOpenFileLimits(text: string): { soft: number | null; hard: number | null } {
  const num = (v: string | undefined) => {
    if (!v || v === 'unlimited') return null;
    const n = Number(v);
    return Number.isInteger(n) && n >= 0 ? n : null;
  };
  for (const line of text.split('\n')) {
    if (!line.startsWith('Max open files')) continue;
    const rest = line.slice('Max open files'.length).trim().split(/\s+/);
    return { soft: num(rest[0]), hard: num(rest[1]) };
  }
  return { soft: null, hard: null };
}

/**
 * Open fds of a process. Since Linux 6.2 the size of /proc/PID/fd is the number of open fds (what the
 * attributor uses too), so a process holding 100,000 sockets is not listed every refresh; older
 * kernels report 0 and the directory is listed. Only procfs has this meaning (`fromStat`: the real /proc).
 */
async function countFds(dir: string, fromStat: boolean): Promise<number | null> {
  const t0 = performance.now();
  try {
    const st = fromStat ? await stat(dir) : null;
    if (st && st.size > 0) {
      logOsCall('stat', dir, performance.now() - t0, undefined, `fds=${st.size}`);
      return st.size;
    }
    const names = await readdir(dir);
    logOsCall('readdir', dir, performance.now() - t0, names.length);
    return names.length;
  } catch (e) {
    logOsCall('readdir', dir, performance.now() - t0, 0, `error=${(e as NodeJS.ErrnoException).code ?? 'unknown'}`);
    return null;
  }
}

/**
 * Reads open-file counts and limits for the given pids. Processes that cannot be read (gone, or another
 * user's without privilege) are left out. At most `maxPids` are read (default 500), in pid order.
 */
export async function collectProcessLimits(
  pids: Iterable<number>,
  opts: { procRoot?: string; names?: Map<number, string>; maxPids?: number } = {},
): Promise<Record<number, ProcessLimits>> {
  const procRoot = opts.procRoot ?? '/proc';
  const list = [...new Set(pids)].filter((p) => Number.isInteger(p) && p > 0).sort((a, b) => a - b).slice(0, opts.maxPids ?? 500);
  const out: Record<number, ProcessLimits> = {};
  await Promise.all(
    list.map(async (pid) => {
      const [fds, limits, comm] = await Promise.all([
        countFds(`${procRoot}/${pid}/fd`, procRoot === '/proc'),
        readProcText(`${procRoot}/${pid}/limits`),
        opts.names?.has(pid) ? Promise.resolve(opts.names.get(pid)!) : readProcText(`${procRoot}/${pid}/comm`),
      ]);
      if (fds == null || limits == null) return;
      const { soft, hard } = parseOpenFileLimits(limits);
      out[pid] = { openFiles: fds, maxOpenFiles: soft, hardMaxOpenFiles: hard, name: (comm ?? '').trim() || String(pid) };
    }),
  );
  return out;
}

/** The snapshot with `processLimits` filled for every process that owns one of its sockets. */
export async function withProcessLimits(snap: Snapshot, opts: { procRoot?: string; maxPids?: number } = {}): Promise<Snapshot> {
  const names = new Map<number, string>();
  for (const s of snap.sockets) for (const p of s.processes) if (!names.has(p.pid)) names.set(p.pid, p.name);
  const processLimits = await collectProcessLimits(names.keys(), { ...opts, names });
  return { ...snap, processLimits };
}
