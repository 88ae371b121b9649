// Pure parser for the output of the fixed remote script (src/collect/remote.ts): sections split by marker lines.
import { SYSCTL_NAMES, type KernelCounters, type Sysctls } from '../model/snapshot.js';
import { parseNetstatCounters, parseSockstat } from './proc-counters.js';

export const REMOTE_MARKER = '@@sockscope@@';

export interface RemoteBundle {
  ss: string;
  ssExit: number | null;
  hostname: string;
  kernel: string;
  counters: KernelCounters;
  sysctls: Sysctls;
}

/** Splits "@@sockscope@@ NAME" sections; text before the first marker is ignored. */
export function splitSections(text: string): Map<string, string> {
  const out = new Map<string, string>();
  let name: string | null = null;
  let buf: string[] = [];
  for (const line of text.split('\n')) {
    if (line.startsWith(`${REMOTE_MARKER} `)) {
      if (name !== null) out.set(name, buf.join('\n'));
      name = line.slice(REMOTE_MARKER.length + 1).trim();
      buf = [];
    } else if (name !== null) buf.push(line);
  }
  if (name !== null) out.set(name, buf.join('\n'));
  return out;
}

/** Parses the whole bundle; missing sections become unknown values, never errors. */
export function parseRemoteBundle(text: string): RemoteBundle {
  const s = splitSections(text);
  const sysctls = Object.fromEntries(SYSCTL_NAMES.map((n) => [n, null])) as Sysctls;
  for (const line of (s.get('sysctl') ?? '').split('\n')) {
    const eq = line.indexOf('=');
    if (eq <= 0) continue;
    const name = line.slice(0, eq) as (typeof SYSCTL_NAMES)[number];
    const value = line.slice(eq + 1).trim();
    if ((SYSCTL_NAMES as readonly string[]).includes(name) && value !== '') sysctls[name] = value.replace(/\s+/g, ' ');
  }
  const uname = (s.get('uname') ?? '').split('\n').filter(Boolean);
  const exit = /^(\d+)$/.exec((s.get('ss-exit') ?? '').trim());
  const opt = (k: string) => (s.has(k) && s.get(k)!.trim() !== '' ? s.get(k)! : null);
  const netstat = opt('netstat');
  const snmp = opt('snmp');
  const sockstat = opt('sockstat');
  return {
    ss: s.get('ss') ?? '',
    ssExit: exit ? Number(exit[1]) : null,
    hostname: uname[0] ?? 'unknown',
    kernel: uname[1] ?? 'unknown',
    counters: {
      netstat: netstat == null ? null : parseNetstatCounters(netstat),
      snmp: snmp == null ? null : parseNetstatCounters(snmp),
      sockstat: sockstat == null ? null : parseSockstat(sockstat),
    },
    sysctls,
  };
}
