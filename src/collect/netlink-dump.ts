// Runs one SOCK_DIAG_BY_FAMILY dump on a netlink socket: send the request, then receive kernel chunks
// (one skb per recv, on koffi's worker threads) until NLMSG_DONE, parsing each chunk on the main
// thread while the kernel fills the next one. Partial trailing bytes, NLMSG_ERROR and timeouts fail loudly.
import { NLMSG_DONE, NLMSG_ERROR, NLMSG_HDRLEN, align4 } from '../parse/inet-diag.js';
import { logOsCall } from './debug.js';
import { NetlinkError, type NetlinkSocket } from './netlink-socket.js';

/** Large enough for any dump skb (the kernel caps them near 32 KiB); two are used in turn. */
export const RECV_BUFFER_BYTES = 256 * 1024;

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

/** Two reusable receive buffers per process (a dump needs no more; dumps run one at a time per socket). */
const pool: Buffer[][] = [];

function takeBuffers(): Buffer[] {
  return pool.pop() ?? [Buffer.allocUnsafe(RECV_BUFFER_BYTES), Buffer.allocUnsafe(RECV_BUFFER_BYTES)];
}

/**
 * Sends `request` and feeds every received chunk to `parse` until the dump ends. Rejects with a
 * NetlinkError for a kernel error reply, a truncated message, or a receive timeout (EAGAIN).
 */
export async function runDump(sock: NetlinkSocket, request: Buffer, what: string, parse: (buf: Buffer, len: number) => ChunkResult): Promise<DumpStats> {
  const t0 = performance.now();
  const bufs = takeBuffers();
  const stats: DumpStats = { bytes: 0, chunks: 0, interrupted: false, ms: 0, maxParseMs: 0 };
  let pending: Promise<number> | null = null;
  try {
    sock.send(request);
    let i = 0;
    pending = sock.recv(bufs[0]);
    while (pending) {
      const n: number = await pending;
      const cur = bufs[i];
      pending = null;
      if (n === 0) throw new NetlinkError(`${what}: recv returned 0 bytes before NLMSG_DONE`, 5);
      stats.bytes += n;
      stats.chunks++;
      // Ask for the next chunk before parsing this one, so the kernel works while JavaScript parses.
      const last = chunkEndsDump(cur, n);
      if (!last) {
        i ^= 1;
        pending = sock.recv(bufs[i]);
      }
      const p0 = performance.now();
      const r = parse(cur, n);
      const dt = performance.now() - p0;
      if (dt > stats.maxParseMs) stats.maxParseMs = dt;
      if (r.interrupted) stats.interrupted = true;
      if (r.error < 0) throw new NetlinkError(`${what}: kernel replied`, -r.error);
      if (r.trailing > 0) throw new NetlinkError(`${what}: truncated message (${r.trailing} stray bytes)`, 5);
      if (r.done) break;
      if (last) throw new NetlinkError(`${what}: dump ended without NLMSG_DONE`, 5);
    }
    stats.ms = performance.now() - t0;
    logOsCall('netlink', what, stats.ms, stats.bytes, `chunks=${stats.chunks} maxParse=${stats.maxParseMs.toFixed(1)}ms${stats.interrupted ? ' interrupted' : ''}`);
    pool.push(bufs);
    return stats;
  } catch (e) {
    logOsCall('netlink', what, performance.now() - t0, stats.bytes, `error=${(e as Error).message}`);
    // A worker thread may still be receiving into one of the buffers: let it finish (the socket's
    // receive timeout bounds the wait) before the caller closes the socket.
    if (pending) await pending.catch(() => 0);
    throw e;
  }
}
