// Which fds of one process a pass of the attribution cache (pid-fd-cache.ts) reads again: the plan readFdLinks
// (fd-links.ts) follows, from the process's cached fds, its fd count now and the socket inodes that vanished.
import type { FdReadPlan } from './fd-links.js';

/** A pass: 'incremental' (what changed), 'fallback' (also behind known non-socket fds), 'full' (everything). */
export type Mode = 'incremental' | 'fallback' | 'full';

/**
 * The plan for reading process `pid` in a pass of `mode`: `count` is its fd count now (0: unknown), `prev` its cached
 * entry (fd -> socket inode, 0 for other files; the count then), `disappeared` the socket inodes gone from the dump.
 * `sizeIsCount` says whether /proc/PID/fd's size is the fd count here (asked only when the plan depends on it).
 */
export function fdReadPlan(pid: number, count: number, prev: { count: number; fds: ReadonlyMap<number, number> } | undefined, mode: Mode, disappeared: ReadonlySet<number>, sizeIsCount: () => boolean): FdReadPlan {
  // Not for this process's own directory: the directory fd readFdLinks opens is one more fd in it, and
  // in a hole below the last fd it would make the count stop one fd short (its own listener, missed).
  const own = pid === process.pid;
  if ((prev === undefined || mode === 'full') && count > 0 && !own && sizeIsCount()) {
    // Every fd is read anyway: 0, 1, 2... until `count` links were found (see readFdLinks).
    return { firstCount: count, reuse: () => undefined };
  }
  if (mode === 'fallback' && prev && prev.count === count && count > 0 && !own && sizeIsCount()) {
    // Same fd count: the fallback looks again behind the fd numbers it knows (non-socket fds, vanished
    // sockets) without listing the directory; a socket at a new number with the count unchanged waits
    // for the periodic full refresh.
    const known = new Map<number, number>();
    const names: string[] = [];
    for (const [fd, ino] of prev.fds) {
      if (ino !== 0 && !disappeared.has(ino)) known.set(fd, ino);
      else names.push(String(fd));
    }
    return { firstCount: 0, known, names, reuse: () => undefined };
  }
  return {
    firstCount: 0,
    reuse: (fd) => {
      const cached = mode === 'full' ? undefined : prev?.fds.get(fd);
      return cached !== undefined && !(cached === 0 && mode === 'fallback') && !(cached !== 0 && disappeared.has(cached)) ? cached : undefined;
    },
  };
}
