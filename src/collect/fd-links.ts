// The fd-link reader of process attribution: what socket inode /proc/PID/fd/N points to. readlinkat(2)
// on a directory fd through koffi when it loads, fs.readlinkSync otherwise; one reader per process.
import { readdirSync, readlinkSync } from 'node:fs';
import { socketInodeInLink, socketInodeInText } from '../parse/fd-link.js';
import { readRangeShared, SHARED_READ_MIN_FDS } from './fd-read-helper.js';
import { loadKoffi } from './koffi.js';

/** Reads /proc/PID/fd links: socket inode, 0 for other files, -1 when the fd is not open. */
export interface LinkReader {
  /** True when links are read with readlinkat(2) on a directory fd (koffi), without Node's path handling. */
  readonly native: boolean;
  /** A directory fd for `dir`, or -1 (then read() takes the path). */
  open(dir: string): number;
  read(dirFd: number, dir: string, name: string): number;
  close(dirFd: number): void;
}

const nodeReader: LinkReader = {
  native: false,
  open: () => -1,
  read(_dirFd, dir, name) {
    try {
      return socketInodeInText(readlinkSync(`${dir}/${name}`));
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
export function linkReader(): LinkReader {
  if (reader) return reader;
  reader = nodeReader;
  if (process.platform !== 'linux') return reader;
  try {
    const koffi = loadKoffi();
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
        return socketInodeInLink(buf, dirFd >= 0 ? readlinkat(dirFd, name, buf, 64) : readlinkat(-100 /* AT_FDCWD */, `${dir}/${name}`, buf, 64));
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

/** What to read of one /proc/PID/fd directory (the attributor decides; see readPid in processes.ts). */
export interface FdReadPlan {
  /**
   * Every fd is read anyway: try fds 0, 1, 2... until this many links were found (fds are allocated
   * lowest-first), then list the directory only if some are still missing. 0: list it straight away.
   */
  firstCount: number;
  /** fds already known, kept without reading them. */
  known?: Map<number, number>;
  /** fd numbers to look at instead of listing the directory. */
  names?: string[];
  /** The cached inode of an fd that need not be read again, or undefined to read its link. */
  reuse(fd: number): number | undefined;
}

/**
 * Reads one process's fd table as fd -> socket inode (0 for other files) following `plan`; fds closed
 * meanwhile are left out. Counts each readlink in `counter` and calls `pause` every 256 of them.
 * Throws the listing's error (EACCES/EPERM for another user's process, ENOENT when it exited).
 */
export async function readFdLinks(dir: string, plan: FdReadPlan, counter: { readlinks: number; workerReadlinks?: number }, pause: () => Promise<void>): Promise<Map<number, number>> {
  const reader = linkReader();
  const dirFd = reader.open(dir);
  let fds = new Map<number, number>(plan.known);
  let k = 0;
  try {
    let list = plan.names;
    if (plan.firstCount > 0 && dirFd >= 0) {
      // Listing 15,000 fds costs a fifth of reading them. Holes past the slack, or fds opened meanwhile,
      // are picked up by the listing below.
      const count = plan.firstCount;
      const end = count + Math.max(64, count >> 4);
      // Thousands of fds: when a one-shot command started the worker thread, it reads part of them at the same time (null otherwise; fd-read-helper.ts).
      const shared = count >= SHARED_READ_MIN_FDS && !plan.known ? await readRangeShared(dir, end, count, (fd) => reader.read(dirFd, dir, String(fd)), pause) : null;
      if (shared) {
        fds = shared.fds;
        counter.readlinks += shared.readlinks;
        counter.workerReadlinks = (counter.workerReadlinks ?? 0) + shared.workerReadlinks;
      } else {
        for (let fd = 0; fd < end && fds.size < count; fd++) {
          counter.readlinks++;
          const ino = reader.read(dirFd, dir, String(fd));
          if (ino >= 0) fds.set(fd, ino);
          if ((++k & 255) === 0) await pause();
        }
      }
      list = fds.size < count ? readdirSync(dir) : [];
    }
    list ??= readdirSync(dir);
    for (const name of list) {
      const fd = Number(name);
      if (fds.has(fd)) continue;
      const cached = plan.reuse(fd);
      if (cached !== undefined) {
        fds.set(fd, cached);
        continue;
      }
      counter.readlinks++;
      const ino = reader.read(dirFd, dir, name);
      if (ino >= 0) fds.set(fd, ino); // < 0: closed meanwhile
      if ((++k & 255) === 0) await pause();
    }
  } finally {
    reader.close(dirFd);
  }
  return fds;
}

/** The socket inode behind one fd (`dir`/`fd`, no directory fd); 0 when it is not a socket or cannot be read. */
export function socketLinkAt(dir: string, fd: number): number {
  return Math.max(0, linkReader().read(-1, dir, String(fd)));
}
