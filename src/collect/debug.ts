// SOCKET_DEBUG=true logging of every OS call (what, duration, size) to stderr or SOCKET_DEBUG_FILE.
// A SOCKET_DEBUG_FILE that cannot be opened is bad input (exit 2, checked when logging is switched on); one that
// fails later (disk full, directory removed) is said once and logging stops: it never fails a collection.
// No open() of it blocks: it is always opened O_NONBLOCK (a FIFO without a reader is ENXIO at once, not a hang
// that Ctrl-C cannot end), and a FIFO or character device is opened once and kept open. A path that names one of
// this process's own descriptors (/dev/stderr, /dev/fd/N, /proc/self/fd/N) is written to through that descriptor,
// never opened: open() refuses a socket, and Node's piped stdio (and systemd's journal) give stderr a socket.
import { accessSync, closeSync, constants, fstatSync, openSync, statSync, writeSync, type Stats } from 'node:fs';
import { dirname } from 'node:path';
import { UsageError } from '../cli/errors.js';
import { fileKind } from '../config/file-read.js';
import { escapeMessage } from '../model/escape.js';

let forceFile: string | undefined;
let forced: boolean | undefined;
/** Set once a write to SOCKET_DEBUG_FILE failed: what went wrong. Nothing is logged after it. */
let problem: string | undefined;
/** Whether `problem` still has to be said (the monitor says it once it has given the terminal back). */
let unsaid = false;

/** True when SOCKET_DEBUG (true/1/yes/on, any case) or the config's `debug` asks for OS-call logging. */
export function debugEnabled(): boolean {
  if (forced !== undefined) return forced;
  return /^(true|1|yes|on)$/i.test(process.env.SOCKET_DEBUG ?? '');
}

/** Turns logging on or off regardless of the environment (the CLI applies the effective config's `debug`). */
export function setDebugEnabled(on: boolean | undefined): void {
  forced = on;
  checkDebugFile();
}

/** "ENOENT: no such file or directory" out of Node's "ENOENT: no such file or directory, open '/x'". */
function reason(e: unknown): string {
  const message = (e as Error)?.message ?? String(e);
  return /^([A-Z][A-Z0-9_]*: [^,]+)/.exec(message)?.[1] ?? message;
}

function cannotWrite(file: string, e: unknown): string {
  return `SOCKET_DEBUG_FILE: cannot write the debug log to ${file} (${reason(e)})`;
}

/** O_NONBLOCK: opening a FIFO without a reader fails (ENXIO) instead of blocking the main thread for good. */
const OPEN_FLAGS = constants.O_WRONLY | constants.O_APPEND | constants.O_CREAT | constants.O_NONBLOCK | constants.O_NOCTTY;

/** A FIFO or character device, opened once: reopened per line, a FIFO's reader would see end-of-file after the first. */
let held: { file: string; fd: number } | undefined;

/**
 * The descriptor of this process that the path names (/dev/stdin, /dev/stdout, /dev/stderr, /dev/fd/N,
 * /proc/self/fd/N, /proc/thread-self/fd/N, /proc/<this pid>/fd/N), else undefined.
 */
export function ownFd(file: string): number | undefined {
  const std = /^\/dev\/std(in|out|err)$/.exec(file);
  if (std) return ['in', 'out', 'err'].indexOf(std[1]);
  const m = /^(?:\/dev\/fd|\/proc\/(self|thread-self|[0-9]+)\/fd)\/([0-9]{1,9})$/.exec(file);
  if (!m || (m[1] !== undefined && /^[0-9]/.test(m[1]) && Number(m[1]) !== process.pid)) return undefined;
  return Number(m[2]);
}

/** An own descriptor takes the log if it is open, not a directory, and open for writing (a write of 0 bytes says EBADF if not). */
function checkOwnFd(fd: number): void {
  const st = fstatSync(fd);
  if (st.isDirectory()) throw Object.assign(new Error('EISDIR: illegal operation on a directory'), { code: 'EISDIR' });
  writeSync(fd, Buffer.alloc(0));
}

/** A line to one of this process's own descriptors: stdout and stderr as Node writes them (process.stdout/stderr), another one directly. */
function writeOwnFd(fd: number, line: string): void {
  if (fd === 1) process.stdout.write(line);
  else if (fd === 2) process.stderr.write(line);
  // Non-blocking or not as its opener left it: EAGAIN fails the write (logging stops, said once), it never waits here.
  else writeAll(fd, line);
}

/** The whole line, in as many writes as it takes; a write that fails (EAGAIN on a full pipe) throws. */
function writeAll(fd: number, line: string): void {
  const bytes = Buffer.from(line);
  for (let off = 0; off < bytes.length; ) off += writeSync(fd, bytes, off);
}

/**
 * Opens SOCKET_DEBUG_FILE without blocking. A regular file: the descriptor, to be closed after the line. A FIFO or
 * a character device: kept open (held) from then on. Anything else is closed and refused, naming what it is.
 */
function openLog(file: string): number {
  if (held?.file === file) return held.fd;
  let fd: number;
  try {
    fd = openSync(file, OPEN_FLAGS, 0o666);
  } catch (e) {
    // ENXIO: a FIFO without a reader, or a UNIX socket (which open() never opens).
    const st = (e as NodeJS.ErrnoException).code === 'ENXIO' ? statOrUndefined(file) : undefined;
    if (st?.isFIFO()) throw new Error(`${reason(e)}: a FIFO with no reader`);
    if (st?.isSocket()) throw new Error(notTaken(st));
    throw e;
  }
  const st = fstatSync(fd);
  if (st.isFile()) return fd;
  if (!st.isFIFO() && !st.isCharacterDevice()) {
    closeSync(fd);
    throw new Error(notTaken(st));
  }
  if (held) closeQuietly(held.fd);
  held = { file, fd };
  return fd;
}

function statOrUndefined(file: string): Stats | undefined {
  try {
    return statSync(file);
  } catch {
    return undefined;
  }
}

/** "is a socket: ..." for what takes no log lines (a block device, a socket, a directory). */
function notTaken(st: Stats): string {
  return `it is a ${fileKind(st)}; a regular file, a FIFO or a character device takes the log`;
}

function closeQuietly(fd: number): void {
  try {
    closeSync(fd);
  } catch {
    // already gone
  }
}

/**
 * With logging on and SOCKET_DEBUG_FILE set: a file that can never be written is refused before any command
 * runs (UsageError: exit 2, naming the variable and the reason). A regular file (or one to be created) is checked
 * with access(2), not opened: opening created the file for commands that log nothing (errno). A FIFO or a
 * character device is opened now, non-blocking, and kept (a FIFO without a reader is refused: ENXIO); a socket,
 * a block device or a directory is refused naming what it is. Nothing here waits.
 */
export function checkDebugFile(): void {
  const file = process.env.SOCKET_DEBUG_FILE;
  if (!debugEnabled() || !file) return;
  try {
    const fd = ownFd(file);
    if (fd !== undefined) return checkOwnFd(fd);
    let st;
    try {
      st = statSync(file);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
      // A file to be created needs a writable directory (a missing one: ENOENT, as opening it said).
      accessSync(dirname(file), constants.W_OK);
      return;
    }
    if (st.isDirectory()) throw Object.assign(new Error('EISDIR: illegal operation on a directory'), { code: 'EISDIR' });
    if (st.isFile()) accessSync(file, constants.W_OK);
    else if (st.isFIFO() || st.isCharacterDevice()) openLog(file);
    else throw new Error(notTaken(st));
  } catch (e) {
    throw new UsageError(cannotWrite(file, e));
  }
}

/** Says the problem on stderr, once. */
function sayProblem(): void {
  if (!unsaid || problem === undefined) return;
  unsaid = false;
  try {
    process.stderr.write(`sockscope: ${escapeMessage(problem)}\n`);
  } catch {
    // stderr gone too
  }
}

/** Appends a line to SOCKET_DEBUG_FILE; a failure stops the logging and is kept to be said once, never thrown. */
function append(file: string, line: string): void {
  try {
    const own = ownFd(file);
    if (own !== undefined) return writeOwnFd(own, line);
    // Opened per line (a file removed or rotated is created again), except a FIFO or a device: kept open.
    const fd = openLog(file);
    try {
      // A full pipe (EAGAIN, non-blocking) fails the write: logging stops, said once; it never waits.
      writeAll(fd, line);
    } finally {
      if (held?.fd !== fd) closeSync(fd);
    }
  } catch (e) {
    problem = `${cannotWrite(file, e)}; OS-call logging stopped`;
    unsaid = true;
    // The monitor owns the terminal: it is said when the monitor gives it back (setDebugFileOnly(false)).
    if (forceFile === undefined) sayProblem();
  }
}

/** What stopped the logging (a write to SOCKET_DEBUG_FILE that failed), or undefined: the monitor's notes line shows it while it runs. */
export function debugLogProblem(): string | undefined {
  return problem;
}

/** The monitor owns the terminal: route debug lines to SOCKET_DEBUG_FILE (or drop them when unset). */
export function setDebugFileOnly(on: boolean): void {
  forceFile = on ? (process.env.SOCKET_DEBUG_FILE ?? '') : undefined;
  if (!on) sayProblem();
}

/** Logs one OS call: kind (exec, read, netlink, ffi, ssh), what was called, how long, how many bytes. */
export function logOsCall(kind: string, what: string, durationMs: number, bytes?: number, extra?: string): void {
  if (!debugEnabled() || problem !== undefined) return;
  const line =
    `[sockscope ${new Date().toISOString()}] ${kind} ${what} ${durationMs.toFixed(1)}ms` +
    (bytes != null ? ` ${bytes}B` : '') +
    (extra ? ` ${extra}` : '') +
    '\n';
  const file = process.env.SOCKET_DEBUG_FILE;
  if (forceFile !== undefined) {
    if (forceFile) append(forceFile, line);
    return;
  }
  if (file) append(file, line);
  else process.stderr.write(line);
}
