// Runs a child process with an argument array (never a shell), a timeout, and SOCKET_DEBUG logging.
import { spawn, type ChildProcess } from 'node:child_process';
import { allEnded, bytesRead, procStat, processTree, SCAN_REUSE_MS, signalAll } from './process-tree.js';
import { decodeUtf8Lines } from '../model/escape.js';
import { logOsCall } from './debug.js';
import { stdioSocketInodes } from './stdio-sockets.js';
import { CollectorError, DEFAULT_TIMEOUT_MS } from './source.js';

/**
 * The stdio socket inodes of this process's children that list unix sockets (ss, netstat), by inode,
 * with the time until which they count. Every such child lists the socketpairs of every other one
 * running at that moment, so a collection leaves out all of them, not only its own runs': two library
 * snapshots at once each counted the other's 2-4 as unnamed ESTABLISHED unix sockets (one with the
 * other ss's pending output in its Recv-Q). An inode counts while its child runs and for
 * STDIO_GRACE_MS after (a listing taken just before a child ended is parsed after it), then is
 * forgotten: the map holds those of running children and of the last minute only. It is pruned where
 * entries are added too, not only where it is read: a process that only reads remote hosts (every ssh
 * adds 4) never lists local unix sockets, and 200 ssh runs left 800 entries that nothing removed.
 */
const stdioInodes = new Map<number, number>();
const STDIO_GRACE_MS = 60_000;
/** The size at which holdStdioInodes next drops the expired entries (doubled past the live ones: amortised O(1)). */
let pruneAt = 256;

/** How many stdio socket inodes are held now (for tests). */
export function stdioInodesHeld(): number {
  return stdioInodes.size;
}

function holdStdioInodes(inodes: readonly number[]): () => void {
  if (stdioInodes.size >= pruneAt) {
    stdioInodesInUse();
    pruneAt = Math.max(256, stdioInodes.size * 2);
  }
  for (const i of inodes) stdioInodes.set(i, Infinity);
  return () => {
    const until = Date.now() + STDIO_GRACE_MS;
    for (const i of inodes) stdioInodes.set(i, until);
  };
}

/** `own` and the stdio socket inodes of every other child of this process that counts (holdStdioInodes). */
export function stdioInodesInUse(own: Iterable<number> = []): Set<number> {
  const now = Date.now();
  const out = new Set(own);
  for (const [inode, until] of stdioInodes) {
    if (until < now) stdioInodes.delete(inode);
    else out.add(inode);
  }
  return out;
}

export interface RunResult {
  stdout: string;
  stderr: string;
  exitCode: number;
  /** With `stdioSockets: true`: the inodes of the unix sockets carrying the child's stdout and stderr (stdio-sockets.ts). */
  stdioSockets?: number[];
}

/**
 * How a run() child ended, for the debug log: `exit=N`, `signal=SIGKILL` when a signal ended it, or
 * `error=ENOENT` when it never ran (spawn failed). Before, a spawn failure logged `exit=signal`.
 */
function runEnding(r: { exitCode?: number; signal?: string; code?: string }): string {
  if (r.exitCode !== undefined) return `exit=${r.exitCode}`;
  if (r.signal) return `signal=${r.signal}`;
  return `error=${r.code ?? 'unknown'}`;
}

/** Runs `file args...`; throws CollectorError naming the tool on spawn failure or timeout. Non-zero exit is returned, not thrown. */
export async function run(
  file: string,
  args: readonly string[],
  opts: { timeoutMs?: number; input?: string; env?: Record<string, string>; stdioSockets?: boolean } = {},
): Promise<RunResult> {
  const t0 = performance.now();
  try {
    // Loaded on first use: execa's module graph costs ~20 ms of start-up that commands without a child process never need.
    const { execa } = await import('execa');
    const child = execa(file, args, {
      timeout: opts.timeoutMs ?? DEFAULT_TIMEOUT_MS,
      reject: false,
      stripFinalNewline: false,
      input: opts.input,
      stdin: opts.input === undefined ? 'ignore' : undefined,
      env: { LC_ALL: 'C', ...opts.env },
      // None of these tools (ip, netstat, busybox, nsenter) reads a relative path; execa's default, the current
      // directory, makes the child's chdir fail (ENOENT, taken for "not installed") once that directory is removed.
      cwd: '/',
      maxBuffer: 1024 * 1024 * 1024,
      encoding: 'buffer', // decoded by decodeUtf8Lines: Node's own decoding turns every byte that is not UTF-8 into U+FFFD
    });
    const stdioSockets = opts.stdioSockets ? stdioSocketInodes(child) : undefined;
    const release = stdioSockets ? holdStdioInodes(stdioSockets) : undefined;
    const r = await child.finally(() => release?.());
    // A spawn that failed early (ENOENT, EMFILE) has no stdout at all.
    logOsCall('exec', [file, ...args].join(' '), performance.now() - t0, r.stdout?.byteLength ?? 0, runEnding(r as { exitCode?: number; signal?: string; code?: string }));
    if (r.timedOut) throw new CollectorError(file, `timed out after ${opts.timeoutMs ?? DEFAULT_TIMEOUT_MS} ms`);
    if (r.failed && r.exitCode === undefined) {
      const code = (r as { code?: string }).code;
      // The spawn error (with its code: ENOENT, EACCES) as the cause, for callers that tell lasting failures apart.
      const cause = Object.assign(new Error(`spawn ${file} ${code ?? 'failed'}`), code ? { code } : {});
      throw new CollectorError(file, code === 'ENOENT' ? 'not installed (command not found)' : r.shortMessage || 'could not run', cause);
    }
    const result: RunResult = { stdout: decodeUtf8Lines(r.stdout), stderr: decodeUtf8Lines(r.stderr), exitCode: r.exitCode ?? 1 };
    if (stdioSockets) result.stdioSockets = stdioSockets;
    return result;
  } catch (e) {
    if (e instanceof CollectorError) throw e;
    logOsCall('exec', [file, ...args].join(' '), performance.now() - t0, 0, 'error');
    throw new CollectorError(file, (e as Error).message, e);
  }
}

/**
 * The children of runStreaming still running, each with its start time (taken right after spawn) and its
 * descendants as last seen while it ran (pid -> start time). They are stopped when this process exits: a
 * remote host whose login hangs keeps its ssh running across the monitor's refreshes, and at quit that ssh
 * (and what it runs) stayed on, one more each time the monitor was quit. What a child started goes with it
 * (stopChild): SIGKILL to ssh alone never ended its ProxyCommand or the `ssh -W` of a ProxyJump, which
 * stayed on with PPID 1 after sockscope exited. The children stay in sockscope's process group, so a
 * terminal's hangup or Ctrl-C still reaches them when sockscope dies by it (the full-screen monitor dies
 * by SIGHUP's default action: no 'exit' listener runs).
 */
const inFlight = new Map<ChildProcess, { start?: string; tree: Map<number, string> }>();
/** Processes sent SIGTERM whose SIGKILL (after KILL_GRACE_MS) is still to come: pid -> start time (/proc/PID/stat). */
const dying = new Map<number, string>();
let exitHook = false;

/** How long a stopped child and its descendants have between SIGTERM and SIGKILL (ssh then says goodbye to sshd). */
export const KILL_GRACE_MS = 1000;
/** The same grace at exit, where it is waited for synchronously (an 'exit' listener cannot wait): short, so quitting stays quick. */
const EXIT_GRACE_MS = 150;
/** How long after a child exits its stdout and stderr may stay open (held by what it started) before the call ends anyway. */
const CLOSE_GRACE_MS = 300;

/**
 * What stopping `child` must reach: its descendants as seen while it ran (every walk adds to them; one is
 * dropped only once gone: a descendant reparented to PID 1, its parent shell dead, stays), and, while it runs
 * (not yet exited nor a zombie, and its pid still the process spawned: same start time), its tree now. Once ssh
 * has exited, its pid may be another process's: that one's tree is never walked. `scanAgeMs`: processTree's.
 */
function treeOf(child: ChildProcess, scanAgeMs = 0): Map<number, string> {
  const r = inFlight.get(child);
  if (!r) return new Map();
  for (const [p, s] of r.tree) if (procStat(p)?.start !== s) r.tree.delete(p);
  const st = child.exitCode === null && child.signalCode === null ? procStat(child.pid!) : undefined;
  // A zombie (ssh dead, not yet reaped): its children are PID 1's now; walking it would find none.
  if (r.start !== undefined && st && st.start === r.start && st.state !== 'Z' && st.state !== 'X') {
    for (const [p, s] of processTree(child.pid!, scanAgeMs)) r.tree.set(p, s);
  }
  return new Map(r.tree);
}

/**
 * Stops a runStreaming child and everything it started (treeOf: taken before any is signalled, since once
 * ssh ends its proxy is reparented; and kept while it runs, so what a proxy started still goes after ssh
 * has exited by itself): SIGTERM now, SIGKILL to those still there KILL_GRACE_MS later (or at this
 * process's exit, whichever comes first), so nothing is left behind, even by a proxy that ignores SIGTERM
 * or runs a child of its own.
 */
function stopChild(child: ChildProcess): void {
  if (child.pid === undefined || dying.has(child.pid)) return;
  const procs = treeOf(child);
  for (const [pid, start] of procs) dying.set(pid, start);
  signalAll(procs, 'SIGTERM');
  const running = () => child.exitCode === null && child.signalCode === null;
  if (!procs.has(child.pid) && running()) child.kill('SIGTERM'); // no /proc: the child alone
  setTimeout(() => {
    for (const pid of procs.keys()) dying.delete(pid);
    signalAll(procs, 'SIGKILL');
    if (running()) child.kill('SIGKILL');
  }, KILL_GRACE_MS).unref();
}

function track(child: ChildProcess): void {
  if (!exitHook) {
    exitHook = true;
    process.once('exit', () => {
      const procs = new Map(dying);
      for (const c of inFlight.keys()) for (const [p, s] of treeOf(c)) procs.set(p, s);
      if (procs.size === 0) return;
      signalAll(procs, 'SIGTERM');
      // Synchronous and bounded: up to EXIT_GRACE_MS for them to end on SIGTERM, then SIGKILL.
      for (const end = Date.now() + EXIT_GRACE_MS; Date.now() < end && !allEnded(procs); ) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 10);
      signalAll(procs, 'SIGKILL');
      for (const c of inFlight.keys()) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
    });
  }
  inFlight.set(child, { start: child.pid === undefined ? undefined : procStat(child.pid)?.start, tree: new Map() });
  child.once('close', () => inFlight.delete(child));
  child.once('error', () => inFlight.delete(child));
}

export interface StreamResult {
  stderr: string;
  exitCode: number;
  /** With `stdioSockets: true`: the inodes of the unix sockets carrying the child's stdout and stderr (stdio-sockets.ts). */
  stdioSockets?: number[];
}

/** A runner whose stdout goes to `onStdout` chunk by chunk (runStreaming, or a fake in tests). */
export type StreamRunner = (
  file: string,
  args: readonly string[],
  opts: {
    timeoutMs?: number;
    env?: Record<string, string>;
    onStdout: (chunk: Buffer) => void;
    stdioSockets?: boolean;
    /** Written to the child's stdin, which is then closed (without it stdin is /dev/null). */
    input?: string;
    /** Also give up when the child writes nothing (stdout or stderr) for this long. */
    idleTimeoutMs?: number;
    /**
     * With idleTimeoutMs: the child reading this many bytes (its /proc/PID/io rchar: from a socket, a pipe)
     * also counts as activity. ssh hands output over per packet (up to 32 KB), so over a slow link its stdout
     * is quiet for seconds while data arrives the whole time; ssh reads it as it comes. Counted from the first
     * poll (a quarter of idleTimeoutMs, at most 1 s, after the start): what it read at start-up is not a link's.
     */
    idleReadBytes?: number;
    /** Kills the child and rejects (CollectorError "was stopped") when aborted. */
    signal?: AbortSignal;
  },
) => Promise<StreamResult>;

/**
 * Like run(), but hands stdout to `onStdout` as it arrives instead of collecting it, so a parser can
 * work while the child is still writing (ss at 100,000 sockets writes 11 MB over ~200 ms) and no
 * copy of the whole output is ever held. node:child_process directly: execa's stream machinery
 * and its full-output buffer are what this avoids. Same errors as run(): CollectorError naming the
 * tool on spawn failure, timeout (the child is killed), a signal, `signal` aborted, or an exception from `onStdout`;
 * a non-zero exit is returned. `idleTimeoutMs` gives up on a child that has gone quiet ("sent nothing
 * for N ms") while one that keeps writing may run to `timeoutMs` (a large output over a slow link).
 */
export const runStreaming: StreamRunner = (file, args, opts) => {
  const t0 = performance.now();
  const timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const what = [file, ...args].join(' ');
  return new Promise<StreamResult>((resolve, reject) => {
    let bytes = 0;
    // stderr as bytes, decoded once at the end (decodeUtf8Lines): a byte that is not UTF-8 in ssh's message
    // stays \xNN instead of U+FFFD, and a character split across two chunks stays whole.
    const stderrChunks: Buffer[] = [];
    let stderrBytes = 0;
    let timedOut = false;
    let idle = false;
    let failure: unknown;
    let settled = false;
    const fail = (err: CollectorError, ending = 'error') => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      clearTimeout(idleTimer);
      clearInterval(readPoll);
      logOsCall('exec', what, performance.now() - t0, bytes, ending);
      reject(err);
    };
    if (opts.signal?.aborted) return reject(new CollectorError(file, 'was stopped'));
    const child = spawn(file, args, { stdio: [opts.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'], env: { ...process.env, LC_ALL: 'C', ...opts.env } });
    if (child.stdout == null || child.stderr == null) {
      // Out of file descriptors (EMFILE, ENFILE): Node's spawn returns a child without pipes and emits 'error' on
      // the next tick. Reading the pipes was a TypeError ("Cannot read properties of undefined"), and the 'error',
      // heard by no one, ended the process with Node's stack trace.
      child.once('error', (e: NodeJS.ErrnoException) => {
        logOsCall('exec', what, performance.now() - t0, 0, `error=${e.code ?? 'unknown'}`);
        reject(new CollectorError(file, e.message || 'could not run', e));
      });
      return;
    }
    track(child);
    let aborted = false;
    const onAbort = () => {
      aborted = true;
      stopChild(child);
    };
    opts.signal?.addEventListener('abort', onAbort, { once: true });
    child.once('close', () => opts.signal?.removeEventListener('abort', onAbort));
    if (opts.input !== undefined && child.stdin) {
      // A child that exits before reading all of it (ssh refused) closes the pipe: EPIPE is not this call's failure.
      child.stdin.on('error', () => {});
      child.stdin.end(opts.input);
    }
    const stdioSockets = opts.stdioSockets ? stdioSocketInodes(child) : undefined;
    if (stdioSockets) child.once('close', holdStdioInodes(stdioSockets));
    const timer = setTimeout(() => {
      timedOut = true;
      stopChild(child);
    }, timeoutMs);
    let idleTimer: NodeJS.Timeout | undefined;
    // What the child had read (rchar) at its last activity; undefined until the first poll, and where /proc/PID/io cannot be read.
    let readMark: number | undefined;
    const active = (read = readMark === undefined ? undefined : bytesRead(child.pid)) => {
      if (opts.idleTimeoutMs === undefined) return;
      // Reads count from the last activity on: a window holds only its own.
      if (read !== undefined) readMark = read;
      clearTimeout(idleTimer);
      idleTimer = setTimeout(() => {
        timedOut = idle = true;
        stopChild(child);
      }, opts.idleTimeoutMs);
    };
    active();
    // Polled a few times per idle limit: the child's descendants are noted (treeOf: what it started is stopped
    // even once it has exited), and idleReadBytes read since the last activity is activity. The first poll takes
    // the baseline: ssh's own start-up reads (libraries, ssh_config, openssl.cnf: some 58 KB) are no link's.
    const readPoll =
      opts.idleTimeoutMs === undefined
        ? undefined
        : setInterval(() => {
            treeOf(child, SCAN_REUSE_MS);
            const now = opts.idleReadBytes === undefined ? undefined : bytesRead(child.pid);
            if (now === undefined || timedOut) return;
            if (readMark === undefined) readMark = now;
            else if (now - readMark >= opts.idleReadBytes!) active(now);
          }, Math.max(100, Math.min(1000, opts.idleTimeoutMs / 4)));
    // A child that exited while what it started still holds its stdout or stderr (a ProxyCommand's child, once
    // ssh gave up by itself) never closes them: that rest is stopped and the call ends CLOSE_GRACE_MS later
    // (after this turn's reads: setImmediate), instead of waiting as long as the rest runs.
    let closeTimer: NodeJS.Timeout | undefined;
    child.once('exit', () => {
      clearInterval(readPoll);
      closeTimer = setTimeout(() => setImmediate(() => {
        if (!inFlight.has(child)) return;
        stopChild(child);
        child.stdout?.destroy();
        child.stderr?.destroy();
      }), CLOSE_GRACE_MS);
    });
    child.once('close', () => {
      clearInterval(readPoll);
      clearTimeout(closeTimer);
    });
    child.stdout!.on('data', (chunk: Buffer) => {
      active();
      if (failure !== undefined) return;
      bytes += chunk.length;
      try {
        opts.onStdout(chunk);
      } catch (e) {
        failure = e;
        stopChild(child);
      }
    });
    child.stderr!.on('data', (d: Buffer) => {
      active();
      if (stderrBytes < 65536) {
        stderrChunks.push(d);
        stderrBytes += d.length;
      }
    });
    child.on('error', (e: NodeJS.ErrnoException) => {
      fail(new CollectorError(file, e.code === 'ENOENT' ? 'not installed (command not found)' : e.message || 'could not run', e), `error=${e.code ?? 'unknown'}`);
    });
    child.on('close', (code, signal) => {
      if (settled) return;
      if (aborted) return fail(new CollectorError(file, 'was stopped'));
      if (idle) return fail(new CollectorError(file, `sent nothing for ${opts.idleTimeoutMs} ms`));
      if (timedOut) return fail(new CollectorError(file, `timed out after ${timeoutMs} ms`));
      if (failure !== undefined) return fail(failure instanceof CollectorError ? failure : new CollectorError(file, (failure as Error).message, failure));
      if (code === null) return fail(new CollectorError(file, `was killed with ${signal ?? 'a signal'}`), `signal=${signal ?? 'unknown'}`);
      settled = true;
      clearTimeout(timer);
      clearTimeout(idleTimer);
      clearInterval(readPoll);
      logOsCall('exec', what, performance.now() - t0, bytes, `exit=${code}`);
      const stderr = decodeUtf8Lines(Buffer.concat(stderrChunks));
      resolve(stdioSockets ? { stderr, exitCode: code, stdioSockets } : { stderr, exitCode: code });
    });
  });
};
