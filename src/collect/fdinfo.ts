// Reads /proc/PID/fdinfo/FD (open flags such as O_NONBLOCK) for the monitor's socket view; parsing is in src/parse/fdinfo.ts.
import { readFile, stat } from 'node:fs/promises';
import { parseFdinfo, type FdInfo } from '../parse/fdinfo.js';
import { logOsCall } from './debug.js';

export type { FdInfo } from '../parse/fdinfo.js';

/** The fd's flags, or one sentence saying why they are unknown. */
export interface FdInfoResult {
  info?: FdInfo;
  path: string;
  missing?: string;
}

/**
 * Whether pid runs as this user but is not dumpable (prctl PR_SET_DUMPABLE 0, or a setuid start): the kernel then
 * hands its /proc entries to root (/proc/PID/fd is owned by uid 0), so its own user is refused its fdinfo too.
 */
async function notDumpableOwn(pid: number, procRoot: string): Promise<boolean> {
  const ourUid = process.getuid?.();
  if (ourUid === undefined || ourUid === 0) return false;
  const [status, dir] = await Promise.all([readFile(`${procRoot}/${pid}/status`, 'utf8').catch(() => undefined), stat(`${procRoot}/${pid}/fd`).catch(() => undefined)]);
  const uid = status ? /^Uid:\s+(\d+)/m.exec(status)?.[1] : undefined;
  return uid !== undefined && Number(uid) === ourUid && dir !== undefined && dir.uid !== ourUid;
}

/** Why a /proc read failed, in words a user can act on. */
async function explain(code: string | undefined, pid: number, fd: number, procRoot: string): Promise<string> {
  switch (code) {
    case 'EACCES':
    case 'EPERM':
      if (await notDumpableOwn(pid, procRoot)) return `not permitted: pid ${pid} is yours (uid ${process.getuid!()}) but not dumpable, so /proc/${pid}/fdinfo/${fd} is readable only by root (CAP_SYS_PTRACE)`;
      return `not permitted: /proc/${pid}/fdinfo/${fd} is readable only by root or the owner of pid ${pid}`;
    case 'ENOENT':
      return `pid ${pid} no longer has fd ${fd} (closed or exited)`;
    default:
      return `could not read /proc/${pid}/fdinfo/${fd} (${code ?? 'error'})`;
  }
}

/** Reads and parses one fd's fdinfo. Never throws: failures come back as `missing`. */
export async function readFdInfo(pid: number, fd: number, procRoot = '/proc'): Promise<FdInfoResult> {
  const path = `${procRoot}/${pid}/fdinfo/${fd}`;
  const t0 = performance.now();
  try {
    const text = await readFile(path, 'utf8');
    logOsCall('read', path, performance.now() - t0, text.length);
    return { info: parseFdinfo(text), path };
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    logOsCall('read', path, performance.now() - t0, 0, `error=${code ?? 'unknown'}`);
    return { path, missing: await explain(code, pid, fd, procRoot) };
  }
}
