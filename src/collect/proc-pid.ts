// Reads of one process's /proc/PID files for process attribution: the fd directory's identity and size,
// whether it can be listed, comm, the parent and start time from stat, and whether cmdline is empty.
// Synchronous on purpose (see processes.ts); `root` is the proc filesystem (tests use a fake tree).
import { accessSync, constants as fsConstants, readFileSync, statSync } from 'node:fs';

/** One listed pid of a pass (from stat of /proc/PID/fd). */
export interface PidStat {
  pid: number;
  dirIno: number;
  count: number;
  uid: number;
}

/** Whether a process's fd directory can be read: 'hidden' (another user's, without root) or 'gone' (exited). */
export type ReadResult = 'ok' | 'hidden' | 'gone';

/** The error of stat'ing, listing or reading a process's fds, as a ReadResult. */
export function readFailure(e: unknown): Exclude<ReadResult, 'ok'> {
  const code = (e as NodeJS.ErrnoException).code;
  return code === 'EACCES' || code === 'EPERM' ? 'hidden' : 'gone';
}

/**
 * stat(/proc/PID/fd): identity and fd count (recent kernels allow it for other users' processes too;
 * listing them fails). `countFromStat` false: the count is reported as 0 (unknown).
 */
export function statPidFd(root: string, pid: number, countFromStat: boolean): PidStat | Exclude<ReadResult, 'ok'> {
  try {
    const st = statSync(`${root}/${pid}/fd`);
    return { pid, dirIno: st.ino, count: countFromStat ? st.size : 0, uid: st.uid };
  } catch (e) {
    return readFailure(e);
  }
}

/** Whether /proc/PID/fd can be listed, without listing it (a targeted pass may never read this pid). */
export function canListFds(root: string, pid: number): ReadResult {
  try {
    accessSync(`${root}/${pid}/fd`, fsConstants.R_OK);
    return 'ok';
  } catch (e) {
    return readFailure(e);
  }
}

/**
 * Whether the size of /proc/PID/fd is the fd count here (Linux >= 6.2), so that 0 means "no fds"
 * (kernel threads) rather than "unknown": checked on this process's own directory, never empty.
 */
export function fdSizeIsCount(root: string): boolean {
  try {
    return statSync(`${root}/self/fd`).size > 0;
  } catch {
    return false;
  }
}

/** Kernel threads have an empty cmdline (and hold no sockets); true for user processes, and when it cannot be read. */
export function hasCmdline(root: string, pid: number): boolean {
  try {
    return readFileSync(`${root}/${pid}/cmdline`).length > 0;
  } catch {
    return true; // hidepid or gone: count it, the user cannot see it either way
  }
}

/** The process name as ss shows it (/proc/PID/comm without the trailing newline); undefined if unreadable. */
export function readComm(root: string, pid: number): string | undefined {
  try {
    const s = readFileSync(`${root}/${pid}/comm`, 'utf8');
    return s.endsWith('\n') ? s.slice(0, -1) : s;
  } catch {
    return undefined;
  }
}

/** Parent pid and start time from /proc/PID/stat (fields 4 and 22, counted after the "(comm)" field). */
export function readStartAndParent(root: string, pid: number): { ppid: number; start: number } | undefined {
  let text: string;
  try {
    text = readFileSync(`${root}/${pid}/stat`, 'latin1');
  } catch {
    return undefined;
  }
  const f = text.slice(text.lastIndexOf(')') + 2).split(' ');
  const ppid = Number(f[1]);
  const start = Number(f[19]);
  if (!Number.isInteger(ppid)) return undefined;
  return { ppid, start: Number.isInteger(start) ? start : -1 };
}
