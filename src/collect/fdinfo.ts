// Reads /proc/PID/fdinfo/FD (open flags such as O_NONBLOCK) for the monitor's socket view; parsing is in src/parse/fdinfo.ts.
import { readFile } from 'node:fs/promises';
import { parseFdinfo, type FdInfo } from '../parse/fdinfo.js';
import { logOsCall } from './debug.js';

export type { FdInfo } from '../parse/fdinfo.js';

/** The fd's flags, or one sentence saying why they are unknown. */
export interface FdInfoResult {
  info?: FdInfo;
  path: string;
  missing?: string;
}

/** Why a /proc read failed, in words a user can act on. */
function explain(code: string | undefined, pid: number, fd: number): string {
  switch (code) {
    case 'EACCES':
    case 'EPERM':
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
    return { path, missing: explain(code, pid, fd) };
  }
}
