// A second thread for reading the fd links of processes with thousands of fds (process attribution).
// Each readlink of /proc/PID/fd/N costs the kernel about 3 µs, so a server holding 15,000 sockets is
// 45-50 ms of readlinks on one core; this worker thread reads part of the same fd range at the same
// time. Both threads claim chunks of fd numbers from a counter in shared memory, so the split balances
// itself: a worker still starting (about 35 ms the first time) joins the range part-way, or not at all.
// Only one-shot commands start it (ProcessAttributor.prepare, as their dump starts), and it stops at
// the end of each attribution pass: in the monitor's process it cost 13-24 MB of resident memory for the
// rest of the run (the bench's RSS figure: 183 MB without, 196-207 MB with), for one faster cold pass.
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import { socketInodeInLink } from '../parse/fd-link.js';

/** Processes with fewer fds than this are read by the calling thread alone. */
export const SHARED_READ_MIN_FDS = 1024;
/** fd numbers per claim. */
const CHUNK = 64;
/** The worker stops after this long without a range to read (a safety net: attribution passes stop it as they end). */
const IDLE_STOP_MS = 3000;
/** How long the caller waits for chunks the worker claimed before reading them itself. */
const WORKER_CHUNK_DEADLINE_MS = 250;
const WORKER_LIMITS = { maxYoungGenerationSizeMb: 2, maxOldGenerationSizeMb: 16 };
/** Claim counter value that closes a range (every later claim lands past its end). */
const CLOSED = 0x3fffffff;

// Control words of one range (Int32Array over a SharedArrayBuffer).
const NEXT = 0; // next fd number to claim
const DONE = 1; // fds read so far (both threads)
const FOUND = 2; // open fds found so far
const BY_WORKER = 3; // fds the worker read

/**
 * The worker's code, plain JavaScript run with `eval` (the same text from the bundle and from the
 * TypeScript sources; no file to locate next to a bundle chunk). It does what readRangeShared below does:
 * readlinkat on a directory fd, the link parsed by parse/fd-link.ts's socketInodeInLink (its source, inlined).
 */
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const setup = new Int32Array(workerData.setup);
let koffi, lib, open, readlinkat, close;
try {
  koffi = require(workerData.koffiPath);
  lib = koffi.load('libc.so.6');
  open = lib.func('int open(const char *path, int flags)');
  readlinkat = lib.func('long readlinkat(int dirfd, const char *path, _Out_ uint8_t *buf, size_t size)');
  close = lib.func('int close(int fd)');
} finally {
  Atomics.store(setup, 0, 1);
  Atomics.notify(setup, 0);
}
const buf = Buffer.alloc(64);
const inodeOf = ${socketInodeInLink.toString()};
parentPort.postMessage('ready');
parentPort.on('message', (job) => {
  const ctl = new Int32Array(job.ctl);
  const out = new Float64Array(job.out);
  const dirFd = open(job.dir, 0o2200000);
  if (dirFd >= 0) {
    try {
      for (;;) {
        if (Atomics.load(ctl, ${FOUND}) >= job.count) break;
        const start = Atomics.add(ctl, ${NEXT}, ${CHUNK});
        if (start >= job.end) break;
        const stop = Math.min(job.end, start + ${CHUNK});
        let found = 0;
        for (let fd = start; fd < stop; fd++) {
          const ino = inodeOf(buf, readlinkat(dirFd, String(fd), buf, 64));
          out[fd] = ino;
          if (ino >= 0) found++;
        }
        Atomics.add(ctl, ${FOUND}, found);
        Atomics.add(ctl, ${BY_WORKER}, stop - start);
        Atomics.add(ctl, ${DONE}, stop - start);
        Atomics.notify(ctl, ${DONE});
      }
    } finally {
      close(dirFd);
    }
  }
});
`;

interface Helper {
  worker: Worker;
  idle: NodeJS.Timeout | undefined;
  /** Resolves true once the worker has loaded koffi and reads ranges, false if it failed first. */
  ready: Promise<boolean>;
  /** Word 0 turns 1 when the worker's koffi set-up has finished or failed (see settledSetup). */
  setup: Int32Array;
  stopping: boolean;
}

/**
 * How long stopping waits, at most, for a worker still loading koffi. Terminating a worker while
 * koffi's native module initialises aborts the whole process (node-addon-api's fatal "napi_throw":
 * koffi's init fails once the worker is terminating, and throwing that failure fails too); measured:
 * 3 of 60 `analyze --port` runs on a port without sockets, whose attribution pass ended, stopping the
 * worker, while it was still loading (about 20-40 ms after its start).
 */
const SETUP_WAIT_MS = 2000;

/** Blocks this thread until the worker's koffi set-up has finished (or SETUP_WAIT_MS passed). */
function settledSetup(h: Helper): void {
  if (Atomics.load(h.setup, 0) === 0) Atomics.wait(h.setup, 0, 0, SETUP_WAIT_MS);
}

/** Workers that may still be loading koffi when the process exits (see SETUP_WAIT_MS). */
const loading = new Set<Helper>();
let exitHooked = false;
function hookExit(): void {
  if (exitHooked) return;
  exitHooked = true;
  // Process exit terminates workers too: wait for any still loading (tens of ms) before it does.
  process.on('exit', () => {
    for (const h of loading) settledSetup(h);
  });
}

/** undefined: not started; null: cannot run here (no koffi, not Linux, or the worker failed). */
let helper: Helper | undefined | null;
/** For tests: where the worker loads koffi from. */
let koffiPathOverride: string | undefined;

function stop(h: Helper): void {
  if (helper === h) helper = undefined;
  if (h.idle) clearTimeout(h.idle);
  if (h.stopping) return;
  h.stopping = true;
  // Never while it loads koffi (see SETUP_WAIT_MS): once its set-up is over, without blocking the caller.
  if (Atomics.load(h.setup, 0) !== 0) void h.worker.terminate();
  else void h.ready.then(() => h.worker.terminate());
}

/**
 * Starts the worker if it is not running (it takes about 35 ms to be ready, on another core; ranges
 * posted before then wait in its queue and it joins them late). Never throws; false when it cannot run.
 */
export function startFdReadHelper(): boolean {
  if (helper) return true;
  if (helper === null || process.platform !== 'linux') return false;
  try {
    const koffiPath = koffiPathOverride ?? createRequire(import.meta.url).resolve('koffi');
    // It allocates a short string per readlink and keeps nothing: a small heap keeps its memory small.
    const setup = new SharedArrayBuffer(4);
    const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { koffiPath, setup }, stdout: true, stderr: true, resourceLimits: WORKER_LIMITS });
    worker.unref();
    let settle: (ok: boolean) => void = () => undefined;
    const h: Helper = { worker, idle: undefined, ready: new Promise<boolean>((res) => (settle = res)), setup: new Int32Array(setup), stopping: false };
    hookExit();
    loading.add(h);
    void h.ready.then(() => loading.delete(h));
    worker.once('message', () => settle(true));
    // A worker that fails (koffi missing in it, a crash) is not restarted: ranges are read by the caller.
    worker.on('error', () => {
      settle(false);
      stop(h);
      helper = null;
    });
    worker.on('exit', () => {
      settle(false);
      if (helper === h) helper = undefined;
    });
    helper = h;
    armIdleStop(h);
    return true;
  } catch {
    helper = null;
    return false;
  }
}

function armIdleStop(h: Helper): void {
  if (h.idle) clearTimeout(h.idle);
  h.idle = setTimeout(() => stop(h), IDLE_STOP_MS);
  h.idle.unref();
}

/** Whether the worker is running (started and not stopped or failed). */
export function fdReadHelperRunning(): boolean {
  return helper !== undefined && helper !== null;
}

/**
 * Resolves true once the worker reads ranges, false when it is not running or failed to start (tests;
 * callers never wait for it: a range read posted before it is ready is joined late).
 */
export function fdReadHelperReady(): Promise<boolean> {
  return helper ? helper.ready : Promise.resolve(false);
}

/** Stops the worker now (tests; it also stops by itself when idle). */
export function stopFdReadHelper(): void {
  if (helper) stop(helper);
}

/** Tests: load koffi in the worker from this path (a bad path makes the worker fail), or undefined to reset. */
export function setFdReadHelperKoffiPath(path: string | undefined): void {
  koffiPathOverride = path;
  if (helper) stop(helper);
  helper = undefined;
}

/** What a shared range read found. */
export interface SharedRange {
  /** fd -> socket inode (0: not a socket) for every open fd read. */
  fds: Map<number, number>;
  /** Readlinks made by the calling thread and by the worker. */
  readlinks: number;
  workerReadlinks: number;
}

/**
 * Reads the links of fds 0 .. end-1 of `dir`, stopping once `count` open fds were found, with the
 * calling thread (`read`: inode, 0 for another file, -1 for an fd that is not open) and the worker.
 * Returns null when the worker is not running (the caller reads alone). `pause` is awaited every 256
 * readlinks of the calling thread, as readFdLinks does.
 */
export async function readRangeShared(
  dir: string,
  end: number,
  count: number,
  read: (fd: number) => number,
  pause: () => Promise<void>,
): Promise<SharedRange | null> {
  const h = helper;
  if (!h) return null;
  if (h.idle) clearTimeout(h.idle);
  const ctl = new Int32Array(new SharedArrayBuffer(4 * 4));
  const out = new Float64Array(new SharedArrayBuffer(8 * end)).fill(Number.NaN);
  try {
    h.worker.postMessage({ dir, end, count, ctl: ctl.buffer, out: out.buffer });
  } catch {
    return null;
  }
  let mine = 0;
  let k = 0;
  for (;;) {
    if (Atomics.load(ctl, FOUND) >= count) break;
    const start = Atomics.add(ctl, NEXT, CHUNK);
    if (start >= end) break;
    const upTo = Math.min(end, start + CHUNK);
    let found = 0;
    for (let fd = start; fd < upTo; fd++) {
      const ino = read(fd);
      out[fd] = ino;
      mine++;
      if (ino >= 0) found++;
    }
    Atomics.add(ctl, FOUND, found);
    Atomics.add(ctl, DONE, upTo - start);
    if (((k += upTo - start) & 255) === 0) await pause();
  }
  // Close the range: whatever the worker claims from now on lies past its end.
  const claimed = Math.min(end, Atomics.exchange(ctl, NEXT, CLOSED));
  // Chunks the worker is still reading take well under a millisecond; a worker that stopped mid-chunk
  // leaves NaN slots, which this thread reads itself after the deadline.
  const deadline = performance.now() + WORKER_CHUNK_DEADLINE_MS;
  for (let done = Atomics.load(ctl, DONE); done < claimed && performance.now() < deadline; done = Atomics.load(ctl, DONE)) {
    Atomics.wait(ctl, DONE, done, 2);
  }
  const workerReadlinks = Atomics.load(ctl, BY_WORKER);
  const fds = new Map<number, number>();
  for (let fd = 0; fd < claimed; fd++) {
    let ino = out[fd];
    if (Number.isNaN(ino)) {
      ino = read(fd);
      mine++;
    }
    if (ino >= 0) fds.set(fd, ino);
  }
  armIdleStop(h);
  return { fds, readlinks: mine + workerReadlinks, workerReadlinks };
}
