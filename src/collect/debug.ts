// SOCKET_DEBUG=true logging of every OS call (what, duration, size) to stderr or SOCKET_DEBUG_FILE.
// A SOCKET_DEBUG_FILE that cannot be opened is bad input (exit 2, checked when logging is switched on); one that
// fails later (disk full, directory removed) is said once and logging stops: it never fails a collection.
import { accessSync, appendFileSync, constants, statSync } from 'node:fs';
import { dirname } from 'node:path';
import { UsageError } from '../cli/errors.js';
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

/**
 * With logging on and SOCKET_DEBUG_FILE set: a file that can never be written is refused before any command
 * runs (UsageError: exit 2, naming the variable and the reason). Checked with access(2), not opened: opening
 * created the file for commands that log nothing (errno) and blocked on a FIFO without a reader.
 */
export function checkDebugFile(): void {
  const file = process.env.SOCKET_DEBUG_FILE;
  if (!debugEnabled() || !file) return;
  try {
    let exists = true;
    try {
      if (statSync(file).isDirectory()) throw Object.assign(new Error('EISDIR: illegal operation on a directory'), { code: 'EISDIR' });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
      exists = false;
    }
    // A file to be created needs a writable directory (a missing one: ENOENT, as opening it said).
    accessSync(exists ? file : dirname(file), constants.W_OK);
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
    appendFileSync(file, line);
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
