// Runs one SOCK_DIAG_BY_FAMILY dump on a netlink socket: send the request, then receive kernel chunks
// in batches (recvmmsg on koffi's worker threads, NetlinkSocket.recvBatch) until NLMSG_DONE, parsing
// each batch on the main thread while the kernel fills the next one. Partial trailing bytes, NLMSG_ERROR and timeouts fail loudly.
import { NLMSG_DONE, NLMSG_ERROR, NLMSG_HDRLEN, align4 } from '../parse/inet-diag.js';
import { logOsCall } from './debug.js';
import { NetlinkError, type NetlinkSocket } from './netlink-socket.js';

/** What a chunk parser reports back for one receive buffer. */
export interface ChunkResult {
  done: boolean;
  error: number;
  interrupted: boolean;
  trailing: number;
}

export interface DumpStats {
  bytes: number;
  chunks: number;
  interrupted: boolean;
  /** Wall time of the whole dump. */
  ms: number;
  /** Longest stretch the main thread spent parsing one chunk (what the event loop waits, at most). */
  maxParseMs: number;
  /** Sockets whose object the previous dump made (SocketReuse), when the dump reused. */
  reused?: number;
}

/** True when the buffer holds NLMSG_DONE or NLMSG_ERROR (a cheap header-only scan). */
export function chunkEndsDump(buf: Uint8Array, len: number): boolean {
  const dv = new DataView(buf.buffer, buf.byteOffset, len);
  let off = 0;
  while (off + NLMSG_HDRLEN <= len) {
    const mlen = dv.getUint32(off, true);
    if (mlen < NLMSG_HDRLEN || off + mlen > len) return false;
    const type = dv.getUint16(off + 4, true);
    if (type === NLMSG_DONE || type === NLMSG_ERROR) return true;
    off += align4(mlen);
  }
  return false;
}

/**
 * Sends `request` and feeds every received chunk to `parse` until the dump ends. Rejects with a
 * NetlinkError for a kernel error reply, a truncated message, or a receive timeout (EAGAIN).
 */
export async function runDump(sock: NetlinkSocket, request: Buffer, what: string, parse: (buf: Buffer, len: number) => ChunkResult): Promise<DumpStats> {
  const t0 = performance.now();
  const stats: DumpStats = { bytes: 0, chunks: 0, interrupted: false, ms: 0, maxParseMs: 0 };
  let pending: Promise<Buffer[]> | null = null;
  try {
    await sock.send(request);
    let slot: 0 | 1 = 0;
    pending = sock.recvBatch(slot);
    while (pending) {
      const batch: Buffer[] = await pending;
      pending = null;
      if (batch.length === 0 || batch[0].length === 0) throw new NetlinkError(`${what}: recv returned 0 bytes before NLMSG_DONE`, 5);
      // Ask for the next batch before parsing this one, so the kernel works while JavaScript parses
      // (into the other slot: this batch's chunks stay valid until then).
      const lastChunk = batch[batch.length - 1];
      const last = chunkEndsDump(lastChunk, lastChunk.length);
      if (!last) {
        slot = slot === 0 ? 1 : 0;
        pending = sock.recvBatch(slot);
      }
      const p0 = performance.now();
      let finished = false;
      for (const cur of batch) {
        const n = cur.length;
        if (n === 0) throw new NetlinkError(`${what}: recv returned 0 bytes before NLMSG_DONE`, 5);
        stats.bytes += n;
        stats.chunks++;
        const r = parse(cur, n);
        if (r.interrupted) stats.interrupted = true;
        if (r.error < 0) throw new NetlinkError(`${what}: kernel replied`, -r.error);
        if (r.trailing > 0) throw new NetlinkError(`${what}: truncated message (${r.trailing} stray bytes)`, 5);
        if (r.done) {
          finished = true;
          break;
        }
      }
      const dt = performance.now() - p0;
      if (dt > stats.maxParseMs) stats.maxParseMs = dt;
      if (finished) break;
      if (last) throw new NetlinkError(`${what}: dump ended without NLMSG_DONE`, 5);
    }
    stats.ms = performance.now() - t0;
    logOsCall('netlink', what, stats.ms, stats.bytes, `chunks=${stats.chunks} maxParse=${stats.maxParseMs.toFixed(1)}ms${stats.interrupted ? ' interrupted' : ''}`);
    return stats;
  } catch (e) {
    logOsCall('netlink', what, performance.now() - t0, stats.bytes, `error=${(e as Error).message}`);
    // A worker thread may still be receiving into the other slot: let it finish (the socket's
    // receive timeout bounds the wait) before the caller closes the socket.
    if (pending) await pending.catch(() => []);
    throw e;
  }
}
