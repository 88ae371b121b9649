// One wine session per test file's WINEPREFIX, started before the tests with no descriptor of the test process
// and ended (wineserver -k, then -w) after them, with what is left of it to assert on.
//
// Why: a wine process that finds no wineserver for its prefix starts one, and the first process of a session runs
// wineboot --init, which starts services.exe, winedevice.exe, plugplay.exe, svchost.exe, rpcss.exe and
// explorer.exe. All of them inherit that process's stderr, and the wineserver keeps it as its own fd 2. A server
// run with piped stdio that starts a session so leaves its stderr pipe open in a dozen processes the test never
// waits for, alive until the session ends after it (Debian's wineserver wrapper passes -p0; a wine process that
// joins a session still ending keeps it longer), and for good when the wineserver aborts (Wine 8.0 does, about
// once in 20 http tests killed with SIGKILL in select()/WSAPoll()): its system processes stay with no wineserver
// to end them. Node's 'exit' came, the pipe's 'close' did not, and c-wine.test.ts once had 3 PipeWrap handles
// open 30 s after its last test (scripts/test-exit-watch.mjs).
// With the session started here (persistent, output to PREFIX/wine.log), a server joins it and its pipes are
// held by itself alone (and by the wineserver's copies of its handles, closed when it ends).
import { closeSync, openSync, readdirSync, readFileSync, readlinkSync, rmdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { spawnSync } from 'node:child_process';
import { basename, join } from 'node:path';

export interface Wine {
  wine: string;
  wineserver: string;
}

export const wineEnv = (prefix: string): NodeJS.ProcessEnv => ({ ...process.env, WINEPREFIX: prefix, WINEDEBUG: '-all' });

function pids(): number[] {
  return readdirSync('/proc').filter((p) => /^\d+$/.test(p)).map(Number);
}

function describeProcess(pid: number): string {
  try {
    return `${readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0')[0] || readFileSync(`/proc/${pid}/comm`, 'utf8').trim()} (pid ${pid})`;
  } catch {
    return `pid ${pid}`;
  }
}

function isWineserver(pid: number): boolean {
  try {
    return basename(readlinkSync(`/proc/${pid}/exe`)).startsWith('wineserver');
  } catch {
    return false;
  }
}

/** Live processes whose environment names this WINEPREFIX (a zombie's environment reads empty). */
export function prefixProcesses(prefix: string): number[] {
  const want = `WINEPREFIX=${prefix}`;
  return pids().filter((pid) => {
    try {
      return readFileSync(`/proc/${pid}/environ`, 'latin1').split('\0').includes(want);
    } catch {
      return false;
    }
  });
}

/**
 * Other processes holding pid's standard output or error (the same pipe or socket), as "name (pid N) fd F".
 * The wineserver's descriptors above 2 are its copies of pid's handles, closed when pid ends, and not listed;
 * its fd 2 is listed (it inherited the pipe, as when pid started the wineserver).
 */
export function stdioHolders(pid: number): string[] {
  const targets = [1, 2].map((fd) => readlinkSync(`/proc/${pid}/fd/${fd}`)).filter((t) => /^(pipe|socket):/.test(t));
  const out: string[] = [];
  for (const other of pids()) {
    if (other === pid) continue;
    let fds: string[];
    try {
      fds = readdirSync(`/proc/${other}/fd`);
    } catch {
      continue;
    }
    for (const fd of fds) {
      let target: string;
      try {
        target = readlinkSync(`/proc/${other}/fd/${fd}`);
      } catch {
        continue;
      }
      if (!targets.includes(target)) continue;
      if (Number(fd) > 2 && isWineserver(other)) continue;
      out.push(`${describeProcess(other)} fd ${fd}`);
    }
  }
  return out;
}

/** What the session's wineserver and wineboot wrote (PREFIX/wine.log), for failure messages. */
export function sessionLog(prefix: string): string {
  try {
    return readFileSync(join(prefix, 'wine.log'), 'utf8').trim() || '(empty)';
  } catch (e) {
    return `(${(e as Error).message})`;
  }
}

/** The prefix's wineserver is running (a session that died leaves the next wine process to start its own). */
export function sessionRunning(prefix: string): boolean {
  return prefixProcesses(prefix).some(isWineserver);
}

/**
 * Starts a persistent wineserver for prefix and runs wineboot -i in it, neither with a descriptor of this process:
 * their output goes to PREFIX/wine.log, which the wineserver and the system processes wineboot starts keep open.
 */
export function startWineSession(w: Wine, prefix: string): { ok: boolean; detail: string } {
  const log = openSync(join(prefix, 'wine.log'), 'a');
  try {
    const server = spawnSync(w.wineserver, ['-p'], { env: wineEnv(prefix), stdio: ['ignore', log, log], timeout: 30_000 });
    if (server.status !== 0) return { ok: false, detail: `${w.wineserver} -p: exit ${server.status} ${server.error ?? ''}\n${sessionLog(prefix)}` };
    const boot = spawnSync(w.wine, ['wineboot', '-i'], { env: wineEnv(prefix), stdio: ['ignore', log, log], timeout: 180_000 });
    if (boot.status !== 0) return { ok: false, detail: `wineboot -i: exit ${boot.status} ${boot.error ?? ''}\n${sessionLog(prefix)}` };
    if (!sessionRunning(prefix)) return { ok: false, detail: `the wineserver did not stay after wineboot -i\n${sessionLog(prefix)}` };
    return { ok: true, detail: '' };
  } finally {
    closeSync(log);
  }
}

/**
 * Ends the prefix's session (wineserver -k kills it and every process of it; -w waits for the wineserver to be
 * gone), removes the wineserver's socket directories (/tmp/wine-XXXXXX/server-DEV-INODE of the prefix, which
 * Debian's wine leaves behind, one more made by each wineserver -k and -w), and returns the processes of the prefix still alive 5 s later, if any, which it then
 * kills (SIGKILL, by pid: a wineserver that died leaves its system processes running with no one to end them).
 * Idempotent.
 */
export async function stopWineSession(w: Wine, prefix: string): Promise<string[]> {
  let serverName = '';
  try {
    const st = statSync(prefix);
    serverName = `server-${st.dev.toString(16)}-${st.ino.toString(16)}`;
  } catch {
    /* no prefix */
  }
  spawnSync(w.wineserver, ['-k'], { env: wineEnv(prefix), stdio: 'ignore', timeout: 30_000 });
  spawnSync(w.wineserver, ['-w'], { env: wineEnv(prefix), stdio: 'ignore', timeout: 30_000 });
  const until = Date.now() + 5000;
  let left = prefixProcesses(prefix);
  while (left.length > 0 && Date.now() < until) {
    await new Promise((r) => setTimeout(r, 50));
    left = prefixProcesses(prefix);
  }
  const named = left.map(describeProcess);
  for (const pid of left) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      /* gone */
    }
  }
  if (left.length === 0 && serverName) {
    for (const tmp of new Set(['/tmp', tmpdir()])) {
      let names: string[] = [];
      try {
        names = readdirSync(tmp).filter((n) => /^wine-\w+$/.test(n));
      } catch {
        continue;
      }
      for (const n of names) {
        const parent = join(tmp, n);
        try {
          if (!readdirSync(parent).includes(serverName)) continue;
          rmSync(join(parent, serverName), { recursive: true, force: true });
          rmdirSync(parent); // only when empty
        } catch {
          /* another server's too, or gone */
        }
      }
    }
  }
  return named;
}
