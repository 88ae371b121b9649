// Which process and fd inspect-options reads: the process (name, uid, the owner of its fd directory, the
// process a thread id belongs to) and the socket inode behind the fd, or why the numbers name no socket.
import { stat } from 'node:fs/promises';
import { escapeControl } from '../model/escape.js';
import { logOsCall } from './debug.js';
import { readProcText } from './host.js';
import { readComm, readFdTarget, zombieText } from './proc-pid.js';
import { CollectorError } from './source.js';

export async function readProcess(procRoot: string, pid: number): Promise<{ name?: string; uid?: number; ownerUid?: number; tgid?: number }> {
  // comm as every other printer reads it (readComm: bytes that are not UTF-8 kept, shown \xNN, not U+FFFD).
  const comm = readComm(procRoot, pid);
  const [status, dir] = await Promise.all([
    readProcText(`${procRoot}/${pid}/status`),
    stat(`${procRoot}/${pid}/fd`).catch(() => undefined),
  ]);
  const uid = status ? /^Uid:\s+(\d+)/m.exec(status)?.[1] : undefined;
  // /proc/TID exists for every thread (ls /proc does not list it); Tgid names the process it belongs to.
  const tgid = status ? /^Tgid:\s+(\d+)/m.exec(status)?.[1] : undefined;
  // The owner of /proc/PID/fd is root, not the real uid, for a process that is not dumpable (prctl, setuid start).
  return { name: comm, uid: uid !== undefined ? Number(uid) : undefined, ownerUid: dir?.uid, tgid: tgid !== undefined ? Number(tgid) : undefined };
}

/**
 * A --pid/--socket-fd that names no socket: no such process, no such fd, or an fd that is not a socket. A runtime
 * failure (exit 1), as `buffers --pid --socket-fd` and a port nothing listens on are: the numbers are well
 * formed, and whether they name a socket is the system's state at that moment (a process exits, an fd is
 * closed). `field` is the input that named it, 'pid' or 'socketFd'; the CLI says --pid / --socket-fd.
 */
export class NoSuchSocketError extends CollectorError {
  constructor(
    readonly field: 'pid' | 'socketFd',
    /** The sentence without the field's name, for callers that name it their own way (the CLI: --socket-fd). */
    readonly detail: string,
  ) {
    super(field, detail);
    this.name = 'NoSuchSocketError';
  }
}

/**
 * The socket inode behind /proc/PID/fd/FD (readFdTarget); the error code when the link cannot be read (the
 * caller may still borrow the fd). No such fd, no such process or an fd that is not a socket: NoSuchSocketError.
 */
export function fdLinkInode(procRoot: string, pid: number, fd: number): { inode?: number; code?: string } {
  const t0 = performance.now();
  const target = readFdTarget(procRoot, pid, fd, process.getuid?.() ?? -1);
  logOsCall('read', `readlink ${procRoot}/${pid}/fd/${fd}`, performance.now() - t0, undefined, target.kind === 'socket' ? `inode=${target.inode}` : target.kind);
  switch (target.kind) {
    case 'socket':
      return { inode: target.inode };
    case 'not-socket':
      throw new NoSuchSocketError('socketFd', `fd ${fd} of pid ${pid} is not a socket (it is ${escapeControl(target.link)})`);
    case 'no-fd':
      throw new NoSuchSocketError('socketFd', `pid ${pid} has no fd ${fd} (ls -l /proc/${pid}/fd lists its fds)`);
    case 'no-process':
      throw new NoSuchSocketError('pid', `no process with pid ${pid} (it may have exited)`);
    case 'zombie':
      throw new NoSuchSocketError('pid', zombieText(pid, target));
    case 'unreadable':
      return { code: target.code };
  }
}
