// Borrowing another process's socket: pidfd_open + pidfd_getfd give sockscope a duplicate of the fd, checked
// to be the socket the caller described, used and closed at once; why it failed, in words, when it cannot be.
import { fstatSync } from 'node:fs';
import { logOsCall } from './debug.js';
import { closeFd, errnoName, lastErrno, libc, libcLoadError } from './libc.js';

/** Explains a pidfd_open / pidfd_getfd failure in one sentence. */
export function explainPidfdError(call: string, code: string, ctx: { pid: number; fd: number; targetUid?: number; targetOwnerUid?: number; ourUid: number; ptraceScope: string | null; kernel: string }): string {
  switch (code) {
    case 'EPERM':
    case 'EACCES': {
      if (ctx.targetUid === ctx.ourUid && ctx.ourUid !== 0 && ctx.targetOwnerUid !== undefined && ctx.targetOwnerUid !== ctx.ourUid)
        return `${call} failed with ${code}: pid ${ctx.pid} is yours (uid ${ctx.ourUid}) but not dumpable (prctl PR_SET_DUMPABLE 0, or started from a setuid binary), so only root (CAP_SYS_PTRACE) may borrow its sockets`;
      const who = ctx.targetUid !== undefined && ctx.targetUid !== ctx.ourUid ? `pid ${ctx.pid} runs as uid ${ctx.targetUid} and sockscope as uid ${ctx.ourUid}` : `sockscope (uid ${ctx.ourUid}) may not ptrace pid ${ctx.pid}`;
      const yama = ctx.ptraceScope && ctx.ptraceScope !== '0' ? `; kernel.yama.ptrace_scope=${ctx.ptraceScope} restricts ptrace further` : '';
      return `${call} failed with ${code}: reading another process's socket needs root (CAP_SYS_PTRACE) or the same user with ptrace allowed; ${who}${yama}`;
    }
    case 'ENOSYS':
      return `${call} is not available (ENOSYS): kernel ${ctx.kernel} is older than Linux 5.6`;
    case 'ESRCH':
      return `${call} failed with ESRCH: pid ${ctx.pid} has exited`;
    case 'EBADF':
      return `${call} failed with EBADF: pid ${ctx.pid} has no fd ${ctx.fd} any more`;
    case 'ENOENT':
    case 'EINVAL':
      // pidfd_open of a thread id (not its process's): ENOENT on Linux 6.9+, EINVAL before. inspectSocketOptions borrows through the Tgid.
      return call === 'pidfd_open' ? `pidfd_open failed with ${code}: pid ${ctx.pid} is not a process (a thread id? the Tgid line of /proc/${ctx.pid}/status names its process)` : `${call} failed with ${code}`;
    default:
      return `${call} failed with ${code}`;
  }
}

/** What borrowFd gives: `use`'s result, or why there is none (`otherInode`: fd holds another socket now). */
export interface Borrowed<T> {
  result?: T;
  inode?: number;
  error?: string;
  otherInode?: number;
}

/**
 * Borrows (pid, fd) and hands the duplicate to `use`, closing it after; the reason when it cannot be made. `pid` is a
 * process (pidfd_open refuses a thread id: ENOENT). `expectInode` is the socket the caller described (the
 * fdinfo's ino, or --port/--inode): a process that closes fd numbers and reuses them can have put another
 * socket there since, so the duplicate's own inode (fstat) must match it before anything is read (measured:
 * a process swapping fd 50 between a listener and a UDP socket every 0.2 ms gave a TCP header with the UDP
 * socket's options in 6 of 25 runs).
 */
export function borrowFd<T>(
  pid: number,
  fd: number,
  ctx: Omit<Parameters<typeof explainPidfdError>[2], 'pid' | 'fd'>,
  expectInode: number | undefined,
  use: (dup: number) => T,
): Borrowed<T> {
  const l = libc();
  if (!l) return { error: `cannot call getsockopt: koffi could not load libc (${libcLoadError() ?? 'unknown'})` };
  const t0 = performance.now();
  const pidfd = Number(l.pidfdOpen(pid));
  if (pidfd < 0) {
    const code = errnoName(lastErrno());
    logOsCall('ffi', `pidfd_open(${pid})`, performance.now() - t0, undefined, `errno=${code}`);
    return { error: explainPidfdError('pidfd_open', code, { ...ctx, pid, fd }) };
  }
  try {
    const dup = Number(l.pidfdGetfd(pidfd, fd));
    if (dup < 0) {
      const code = errnoName(lastErrno());
      logOsCall('ffi', `pidfd_getfd(${pid}, ${fd})`, performance.now() - t0, undefined, `errno=${code}`);
      return { error: explainPidfdError('pidfd_getfd', code, { ...ctx, pid, fd }) };
    }
    logOsCall('ffi', `pidfd_getfd(${pid}, ${fd}) -> ${dup}`, performance.now() - t0);
    try {
      const ino = dupInode(dup);
      if (expectInode !== undefined && ino !== expectInode) return { error: `fd ${fd} of pid ${pid} now holds another ${ino === 0 ? 'file' : `socket (inode ${ino})`}, not inode ${expectInode}`, otherInode: ino };
      return { result: use(dup), ...(ino ? { inode: ino } : {}) };
    } finally {
      closeFd(dup);
    }
  } finally {
    closeFd(pidfd);
  }
}

/** The inode of an fd sockscope holds (a socket's is the N of socket:[N]); 0 when fstat fails or it is no socket. */
function dupInode(fd: number): number {
  try {
    const st = fstatSync(fd);
    return st.isSocket() ? st.ino : 0;
  } catch {
    return 0;
  }
}
