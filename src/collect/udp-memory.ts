// UDP socket memory (skmem: rb, the queue, the drop counter d) for a collection that does not ask for details: the
// monitor's home view collects without details (tcp_info for every TCP connection of a busy host costs more than the
// rest of a poll), so its UDP sockets had no drop counter and udp-socket-drops, which the exporter raised on the same
// host, never fired there. A second dump of the UDP sockets alone with details and no owners (the exporter's reading,
// export/server.ts) gives each one its skmem, matched by inode onto the main snapshot's sockets, whose owners stay.
import { ALL_PROTOCOLS, type CollectOptions, type SocketSource } from './source.js';
import type { Snapshot } from '../model/snapshot.js';
import type { SkMem } from '../model/socket.js';

/**
 * Sources whose UDP dump with details has socket memory, and whose second dump is local and cheap: netlink (a UDP
 * dump: 8.5 -> 13 ms at 10,000 UDP sockets with skmem) and ss (one more `ss -uanOHe -m`). procfs gives drops without
 * it (/proc/net/udp), netstat cannot, and a remote host would pay another ssh round trip per poll.
 */
const WITH_MEMORY: ReadonlySet<string> = new Set(['netlink', 'ss']);

/**
 * `source.collect(opts)`, with socket memory added to its UDP sockets when `opts` leaves it out (no details) and the
 * snapshot's source can give it. The UDP dump follows the main one (an `auto` source knows which collector it uses
 * only after its first collection; a second collection at the same time would choose too); if it fails, the main
 * snapshot is returned as it is.
 */
export async function collectWithUdpMemory(source: SocketSource, opts: CollectOptions = {}): Promise<Snapshot> {
  const snap = await source.collect(opts);
  const wanted = (opts.protocols ?? ALL_PROTOCOLS).includes('udp') && !opts.details && WITH_MEMORY.has(snap.source) && snap.sockets.some((s) => s.protocol === 'udp' && !s.skmem);
  if (!wanted) return snap;
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
