// SOCKET_DEBUG=true logging of every OS call (what, duration, size) to stderr or SOCKET_DEBUG_FILE.
import { appendFileSync } from 'node:fs';

let forceFile: string | undefined;
let forced: boolean | undefined;

/** True when SOCKET_DEBUG (true/1/yes/on, any case) or the config's `debug` asks for OS-call logging. */
export function debugEnabled(): boolean {
  if (forced !== undefined) return forced;
  return /^(true|1|yes|on)$/i.test(process.env.SOCKET_DEBUG ?? '');
}

/** Turns logging on or off regardless of the environment (the CLI applies the effective config's `debug`). */
export function setDebugEnabled(on: boolean | undefined): void {
  forced = on;
}

/** The monitor owns the terminal: route debug lines to SOCKET_DEBUG_FILE (or drop them when unset). */
export function setDebugFileOnly(on: boolean): void {
  forceFile = on ? (process.env.SOCKET_DEBUG_FILE ?? '') : undefined;
}

/** Logs one OS call: kind (exec, read, netlink, ffi, ssh), what was called, how long, how many bytes. */
export function logOsCall(kind: string, what: string, durationMs: number, bytes?: number, extra?: string): void {
  if (!debugEnabled()) return;
  const line =
    `[sockscope ${new Date().toISOString()}] ${kind} ${what} ${durationMs.toFixed(1)}ms` +
    (bytes != null ? ` ${bytes}B` : '') +
    (extra ? ` ${extra}` : '') +
    '\n';
  const file = process.env.SOCKET_DEBUG_FILE;
  if (forceFile !== undefined) {
    if (forceFile) appendFileSync(forceFile, line);
    return;
  }
  if (file) appendFileSync(file, line);
  else process.stderr.write(line);
}
