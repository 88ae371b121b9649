// Reads host facts every snapshot carries: hostname, kernel, kernel counters and the sysctls the advice needs.
import { readFileSync } from 'node:fs';
import { hostname, release } from 'node:os';
import { decodeUtf8 } from '../model/escape.js';
import { SYSCTL_NAMES, type KernelCounters, type Sysctls } from '../model/snapshot.js';
import { parseNetstatCounters, parseSnmp6, parseSockstat } from '../parse/proc-counters.js';
import { logOsCall } from './debug.js';

export interface HostInfo {
  hostname: string;
  kernel: string;
  counters: KernelCounters;
  sysctls: Sysctls;
}

/**
 * Reads a /proc file; null when it is missing or unreadable (recorded as unknown, never an error).
 * Synchronous underneath: a /proc read never waits for a disk and takes 10-20 us, where an async
 * readFile is four or five hops through libuv's thread pool (4 threads) that the netlink dump's
 * receives also need. Measured at 100,000 sockets: the 23 files of readHostInfo took 0.4 ms read
 * in turn, and 33 ms through the pool while a dump ran, stretching the dump by as much.
 */
export async function readProcText(path: string): Promise<string | null> {
  const t0 = performance.now();
  try {
    const text = readFileSync(path, 'utf8');
    logOsCall('read', path, performance.now() - t0, text.length);
    return text;
  } catch (e) {
    logOsCall('read', path, performance.now() - t0, 0, `error=${(e as NodeJS.ErrnoException).code ?? 'unknown'}`);
    return null;
  }
}

/** /proc/sys path of a dotted sysctl name (net.core.somaxconn -> /proc/sys/net/core/somaxconn). */
export function sysctlPath(name: string, procRoot = '/proc'): string {
  return `${procRoot}/sys/${name.replace(/\./g, '/')}`;
}

/** Reads every sysctl in SYSCTL_NAMES; missing ones are null. */
export async function readSysctls(procRoot = '/proc'): Promise<Sysctls> {
  const entries = await Promise.all(
    SYSCTL_NAMES.map(async (n) => {
      const v = await readProcText(sysctlPath(n, procRoot));
      return [n, v == null ? null : v.trim().replace(/\s+/g, ' ')] as const;
    }),
  );
  return Object.fromEntries(entries) as Sysctls;
}

/** Reads /proc/net/netstat, snmp (+ snmp6: IPv6 UDP drops are counted only there) and sockstat(6). */
export async function readCounters(procRoot = '/proc'): Promise<KernelCounters> {
  const [netstat, snmp, snmp6, sockstat, sockstat6] = await Promise.all([
    readProcText(`${procRoot}/net/netstat`),
    readProcText(`${procRoot}/net/snmp`),
    readProcText(`${procRoot}/net/snmp6`),
    readProcText(`${procRoot}/net/sockstat`),
    readProcText(`${procRoot}/net/sockstat6`),
  ]);
  let ss: Record<string, Record<string, number>> | null = null;
  if (sockstat != null || sockstat6 != null) ss = { ...parseSockstat(sockstat ?? ''), ...parseSockstat(sockstat6 ?? '') };
  return {
    netstat: netstat == null ? null : parseNetstatCounters(netstat),
    snmp: snmp == null ? null : { ...parseNetstatCounters(snmp), ...parseSnmp6(snmp6 ?? '') },
    sockstat: ss,
  };
}

/**
 * This host's name (its UTS namespace's, as os.hostname()), read as bytes from /proc/sys/kernel/hostname and
 * decoded with decodeUtf8: sethostname takes any bytes, and os.hostname() turned each one that is not UTF-8
 * into U+FFFD ("X\x9b1m" read "X\ufffd1m"), where process names and unix paths keep it (shown as \x9b).
 * os.hostname() where the file cannot be read (not Linux).
 */
export function readHostname(): string {
  const t0 = performance.now();
  const path = '/proc/sys/kernel/hostname';
  try {
    const bytes = readFileSync(path);
    logOsCall('read', path, performance.now() - t0, bytes.length);
    // The kernel ends it with one newline; a newline inside is the name's own.
    return decodeUtf8(bytes.at(-1) === 0x0a ? bytes.subarray(0, -1) : bytes);
  } catch (e) {
    logOsCall('read', path, performance.now() - t0, 0, `error=${(e as NodeJS.ErrnoException).code ?? 'unknown'}`);
    return hostname();
  }
}

/** Everything a Snapshot needs besides the sockets. */
export async function readHostInfo(procRoot = '/proc'): Promise<HostInfo> {
  const [counters, sysctls] = await Promise.all([readCounters(procRoot), readSysctls(procRoot)]);
  return { hostname: readHostname(), kernel: release(), counters, sysctls };
}
