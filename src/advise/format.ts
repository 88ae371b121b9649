// Human formatting of the numbers quoted in evidence: bytes, rates, durations, processes.
import { escapeControl } from '../model/escape.js';
import { formatEndpoint, type Endpoint, type ProcessRef } from '../model/socket.js';

/**
 * An endpoint as ss prints it (127.0.0.1:80, [::1]:80, [fe80::1%eth0]:80), escaped: the zone is an interface
 * name, untrusted text (the kernel allows control characters in it).
 */
export function fmtEndpoint(e: Endpoint): string {
  return escapeControl(formatEndpoint(e));
}

/** 1536 -> "1.5 KiB"; 4194304 -> "4 MiB". */
export function fmtBytes(n: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let v = n;
  let i = 0;
  while (Math.abs(v) >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${i === 0 ? String(Math.round(v)) : trimNum(v)} ${units[i]}`;
}

/** Bytes per second as bits per second: 1_250_000 -> "10 Mbit/s". */
export function fmtBitRate(bytesPerSecond: number): string {
  const bits = bytesPerSecond * 8;
  const units = ['bit/s', 'kbit/s', 'Mbit/s', 'Gbit/s', 'Tbit/s'];
  let v = bits;
  let i = 0;
  while (Math.abs(v) >= 1000 && i < units.length - 1) {
    v /= 1000;
    i++;
  }
  return `${trimNum(v)} ${units[i]}`;
}

/** A per-second rate with sensible precision: 0.25 -> "0.25/s", 340 -> "340/s". */
export function fmtRate(perSecond: number): string {
  return `${trimNum(perSecond)}/s`;
}

/** Seconds, rounded: 59.6 -> "60 s"; 0.25 -> "0.25 s". */
export function fmtSeconds(s: number): string {
  return `${s >= 10 ? Math.round(s) : trimNum(s)} s`;
}

/** Microseconds as ms: 1234 -> "1.23 ms". */
export function fmtUsAsMs(us: number): string {
  return `${trimNum(us / 1000)} ms`;
}

/** 0.1234 -> "12.3%". */
export function fmtPct(ratio: number): string {
  return `${trimNum(ratio * 100)}%`;
}

/** Up to 3 significant digits without trailing zeros. */
export function trimNum(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  const a = Math.abs(v);
  const s = a >= 100 ? v.toFixed(0) : a >= 10 ? v.toFixed(1) : a >= 1 ? v.toFixed(2) : v.toPrecision(2);
  return s.includes('.') && !s.includes('e') ? s.replace(/\.?0+$/, '') : s;
}

/** Names processes for a message: "nginx (pid 120)", "node (pids 7, 9)", "python3 (pid 5) and nginx (pid 6)". Names are escaped. */
export function describeProcesses(procs: readonly ProcessRef[], max = 3): string {
  const byName = new Map<string, number[]>();
  for (const p of procs) {
    const name = escapeControl(p.name || '?');
    const list = byName.get(name) ?? [];
    if (!list.includes(p.pid)) list.push(p.pid);
    byName.set(name, list);
  }
  const parts = [...byName.entries()].slice(0, max).map(([name, pids]) => {
    pids.sort((a, b) => a - b);
    const shown = pids.slice(0, 5).join(', ') + (pids.length > 5 ? `, +${pids.length - 5}` : '');
    return `${name} (${pids.length === 1 ? 'pid' : 'pids'} ${shown})`;
  });
  if (byName.size > max) parts.push(`${byName.size - max} more`);
  return parts.length <= 1 ? (parts[0] ?? 'an unknown process') : `${parts.slice(0, -1).join(', ')} and ${parts[parts.length - 1]}`;
}

/** Distinct processes of a list of sockets, by pid. */
export function uniqueProcesses(lists: readonly (readonly ProcessRef[])[]): ProcessRef[] {
  const m = new Map<number, ProcessRef>();
  for (const l of lists) for (const p of l) if (!m.has(p.pid)) m.set(p.pid, p);
  return [...m.values()].sort((a, b) => a.pid - b.pid);
}
