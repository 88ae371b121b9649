// UDP socket memory (skmem: rb, the queue, the drop counter d) for a collection that does not ask for details: the
// monitor's home view collects without details (tcp_info for every TCP connection of a busy host costs more than the
// rest of a poll), so its UDP sockets had no drop counter and udp-socket-drops, which the exporter raised on the same
// host, never fired there. It asks for CollectOptions.udpMemory: netlink reads skmeminfo in its UDP dumps, ss runs
// UDP apart with -m. Only ss with -p (no attributor: one run, since each walks every process) needs a second run of
// the UDP sockets alone, matched by inode onto the main snapshot's sockets.
import { ALL_PROTOCOLS, type CollectOptions, type SocketSource } from './source.js';
import type { Snapshot } from '../model/snapshot.js';
import type { SkMem } from '../model/socket.js';

/**
 * `source.collect({...opts, udpMemory: true})`. Measured at 10,000 UDP sockets on loopback (median of 15, a home-view
 * collection): netlink 15.9 -> 16.7 ms, ss 48 -> 114 ms (ss's -m itself). Where the UDP sockets still have no skmem
 * (ss with -p) a second run of them alone with details and no owners gives it; procfs gives drops without it (the
 * drops column of /proc/net/udp), netstat cannot, and a remote host would pay another ssh round trip per poll. The
 * second run follows the main one (an `auto` source knows which collector it uses only after its first collection);
 * if it fails, the main snapshot is returned as it is.
 */
export async function collectWithUdpMemory(source: SocketSource, opts: CollectOptions = {}): Promise<Snapshot> {
  const udp = (opts.protocols ?? ALL_PROTOCOLS).includes('udp') && !opts.details;
  const snap = await source.collect(udp ? { ...opts, udpMemory: true } : opts);
  if (!udp || snap.source !== 'ss' || !snap.sockets.some((s) => s.protocol === 'udp' && !s.skmem)) return snap;
  const memory = await source
    .collect({ protocols: ['udp'], processes: 'none', details: true, ...(opts.port !== undefined ? { port: opts.port } : {}), ...(opts.peerPort !== undefined ? { peerPort: opts.peerPort, withListeners: opts.withListeners } : {}), ...(opts.timeoutMs !== undefined ? { timeoutMs: opts.timeoutMs } : {}) })
    .catch(() => undefined);
  return memory ? withUdpMemory(snap, memory) : snap;
}

/** `snap` with each UDP socket that has no skmem given the one `memory` has for the same inode (pure). */
export function withUdpMemory(snap: Snapshot, memory: Snapshot): Snapshot {
  const byInode = new Map<number, SkMem>();
  for (const s of memory.sockets) if (s.protocol === 'udp' && s.skmem && s.inode) byInode.set(s.inode, s.skmem);
  if (byInode.size === 0) return snap;
  let changed = false;
  const sockets = snap.sockets.map((s) => {
    if (s.protocol !== 'udp' || s.skmem || !s.inode) return s;
    const skmem = byInode.get(s.inode);
    if (!skmem) return s;
    changed = true;
    return { ...s, skmem };
  });
  return changed ? { ...snap, sockets } : snap;
}
