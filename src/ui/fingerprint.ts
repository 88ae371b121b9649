// A hash of what the ports view shows of a snapshot's sockets, so a refresh that brings equal data
// causes no render at all (Ink lays out and draws the whole frame on every React commit).
import type { Snapshot } from '../model/snapshot.js';

const cache = new WeakMap<Snapshot, string>();

function mix(h: number, n: number): number {
  return Math.imul(h ^ n, 0x01000193) >>> 0;
}

function mixString(h: number, s: string): number {
  for (let i = 0; i < s.length; i++) h = mix(h, s.charCodeAt(i));
  return mix(h, 0x2f);
}

/**
 * Two 32-bit FNV-style hashes over protocol, state, endpoints, queues and owning pids of every socket
 * (not timers or tcp_info, which the ports view does not show), plus the socket count.
 */
export function portsFingerprint(s: Snapshot): string {
  const hit = cache.get(s);
  if (hit !== undefined) return hit;
  let a = 0x811c9dc5;
  let b = 0x12345678;
  for (const x of s.sockets) {
    a = mixString(a, x.protocol);
    a = mixString(a, x.state);
    a = mixString(a, x.local.address);
    a = mix(a, x.local.port);
    b = mixString(b, x.peer.address);
    b = mix(b, x.peer.port);
    b = mix(b, x.recvQ);
    b = mix(b, x.sendQ);
    b = mix(b, (x.sendQUnknown ? 1 : 0) | (x.recvQUnknown ? 2 : 0));
    for (const p of x.processes) {
      b = mix(b, p.pid);
      b = mixString(b, p.name);
    }
    b = mix(b, 0x7c);
  }
  const f = `${s.sockets.length}:${a.toString(16)}:${b.toString(16)}:${s.hostname}:${s.kernel}:${s.source}:${s.attribution.complete ? 1 : 0}:${s.attribution.hiddenProcesses > 0 ? 1 : 0}`;
  cache.set(s, f);
  return f;
}
