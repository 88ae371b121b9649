// A NETLINK_SOCK_DIAG socket through koffi: socket(), send(), recv() on koffi's worker threads so a
// big dump never blocks the event loop, and close(). The only file that makes these syscalls.
import { constants as osConstants } from 'node:os';
import { loadKoffi } from './koffi.js';

const AF_NETLINK = 16;
const SOCK_RAW = 3;
const SOCK_CLOEXEC = 0o2000000;
const NETLINK_SOCK_DIAG = 4;
const SOL_SOCKET = 1;
const SO_RCVBUF = 8;
const SO_RCVTIMEO = 20; // x86_64 / arm64 (asm-generic); the 64-bit struct timeval
const SOL_NETLINK = 270;
const NETLINK_EXT_ACK = 11;

type AsyncFn = ((...args: unknown[]) => number) & { async: (...args: unknown[]) => void };

interface Bindings {
  socket: AsyncFn;
  send: AsyncFn;
  recv: AsyncFn;
  recvmmsg: AsyncFn;
  /** Native memory that never moves (recvmmsg's message vector points into it): [address, view]. */
  alloc: (bytes: number) => [bigint, ArrayBuffer];
  close: AsyncFn;
  setsockopt: AsyncFn;
  errno: () => number;
}

let bindings: Promise<Bindings> | undefined;

/** errno number -> its first name in Node's table (EAGAIN rather than EWOULDBLOCK). */
const ERRNO_NAMES: Record<number, string> = {};
for (const [k, v] of Object.entries(osConstants.errno)) ERRNO_NAMES[v as number] ??= k;

/** Name of an errno number (EPERM), or E<n>. */
export function errnoText(n: number): string {
  return ERRNO_NAMES[Math.abs(n)] ?? `E${Math.abs(n)}`;
}

/** A failed netlink syscall or kernel error reply, with its errno. */
export class NetlinkError extends Error {
  constructor(
    readonly call: string,
    readonly errno: number,
  ) {
    super(`${call}: ${errnoText(errno)}`);
    this.name = 'NetlinkError';
  }
}

/** Loads koffi and libc once; rejects (caller falls back to ss) when koffi or libc cannot be loaded. */
function loadBindings(): Promise<Bindings> {
  bindings ??= (async () => {
    if (process.platform !== 'linux') throw new Error(`netlink needs Linux (this is ${process.platform})`);
    const koffi = loadKoffi();
    const lib = koffi.load('libc.so.6');
    return {
      socket: lib.func('int socket(int domain, int type, int protocol)') as AsyncFn,
      send: lib.func('long send(int fd, const void *buf, size_t len, int flags)') as AsyncFn,
      recv: lib.func('long recv(int fd, _Out_ void *buf, size_t len, int flags)') as AsyncFn,
      close: lib.func('int close(int fd)') as AsyncFn,
      recvmmsg: lib.func('int recvmmsg(int fd, void *msgvec, unsigned int vlen, int flags, void *timeout)') as AsyncFn,
      alloc: (bytes: number) => {
        const ptr = koffi.alloc('uint8_t', bytes) as unknown;
        return [koffi.address(ptr), koffi.view(ptr, bytes)];
      },
      setsockopt: lib.func('int setsockopt(int fd, int level, int name, const void *val, uint32_t len)') as AsyncFn,
      errno: () => koffi.errno(),
    };
  })();
  bindings.catch(() => undefined);
  return bindings;
}

// ---- batched receive (recvmmsg) ----

/** Datagrams (dump chunks) one recvmmsg call can return. */
export const BATCH_CHUNKS = 16;
/** Room per chunk: the kernel caps dump skbs at 32 KiB (max_recvmsg_len); twice that for safety. */
export const CHUNK_BYTES = 64 * 1024;
const MSG_TRUNC = 0x20;
const MSG_WAITFORONE = 0x10000;
/** struct mmsghdr on 64-bit Linux: struct msghdr (56 bytes) + unsigned msg_len, padded to 64. */
const MMSGHDR_BYTES = 64;
const IOVEC_BYTES = 16;

/**
 * One receive area in native memory: BATCH_CHUNKS mmsghdr entries, their iovecs, and the chunk
 * buffers they point at. Built once and reused (pooled for the life of the process: about 1 MiB each).
 */
interface BatchArea {
  address: bigint;
  view: ArrayBuffer;
  chunks: Buffer[];
}

const areaPool: BatchArea[] = [];

function makeArea(b: Bindings): BatchArea {
  const headers = BATCH_CHUNKS * (MMSGHDR_BYTES + IOVEC_BYTES);
  const [address, view] = b.alloc(headers + BATCH_CHUNKS * CHUNK_BYTES);
  const dv = new DataView(view);
  const chunks: Buffer[] = [];
  for (let i = 0; i < BATCH_CHUNKS; i++) {
    const m = i * MMSGHDR_BYTES;
    const iov = BATCH_CHUNKS * MMSGHDR_BYTES + i * IOVEC_BYTES;
    const data = headers + i * CHUNK_BYTES;
    for (let k = 0; k < MMSGHDR_BYTES; k += 4) dv.setUint32(m + k, 0, true);
    dv.setBigUint64(m + 16, address + BigInt(iov), true); // msg_iov
    dv.setBigUint64(m + 24, 1n, true); // msg_iovlen
    dv.setBigUint64(iov, address + BigInt(data), true); // iov_base
    dv.setBigUint64(iov + 8, BigInt(CHUNK_BYTES), true); // iov_len
    chunks.push(Buffer.from(view, data, CHUNK_BYTES));
  }
  return { address, view, chunks };
}

/** One open NETLINK_SOCK_DIAG socket. Not thread-safe: one dump at a time. */
export class NetlinkSocket {
  private closed = false;
  private constructor(
    private readonly b: Bindings,
    readonly fd: number,
  ) {}

  /** Opens the socket with a receive timeout (a stuck dump fails instead of hanging). */
  static async open(timeoutMs: number): Promise<NetlinkSocket> {
    const b = await loadBindings();
    const fd = b.socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_SOCK_DIAG);
    if (fd < 0) throw new NetlinkError('socket(AF_NETLINK, NETLINK_SOCK_DIAG)', b.errno());
    const s = new NetlinkSocket(b, fd);
    const tv = Buffer.alloc(16);
    tv.writeBigInt64LE(BigInt(Math.floor(timeoutMs / 1000)), 0);
    tv.writeBigInt64LE(BigInt((timeoutMs % 1000) * 1000), 8);
    if (b.setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, tv, 16) < 0) {
      const e = b.errno();
      s.close();
      throw new NetlinkError('setsockopt(SO_RCVTIMEO)', e);
    }
    // A bigger receive buffer lets the kernel queue whole 32 KiB dump chunks; failures are harmless.
    const rb = Buffer.alloc(4);
    rb.writeInt32LE(1 << 20, 0);
    b.setsockopt(fd, SOL_SOCKET, SO_RCVBUF, rb, 4);
    const one = Buffer.alloc(4);
    one.writeInt32LE(1, 0);
    b.setsockopt(fd, SOL_NETLINK, NETLINK_EXT_ACK, one, 4);
    return s;
  }

  /**
   * Sends one request to the kernel (netlink's default destination), on a koffi worker thread: the
   * kernel fills the first dump chunk inside send(), and for a family with no sockets that means
   * walking the whole hash table (about 15 ms at 100,000 TCP sockets), which must not stall the
   * event loop.
   */
  send(req: Buffer): Promise<void> {
    if (this.closed) return Promise.reject(new NetlinkError('send', osConstants.errno.EBADF));
    return new Promise((resolve, reject) => {
      this.b.send.async(this.fd, req, req.length, 0, (err: unknown, n: number) => {
        if (err) reject(err instanceof Error ? err : new Error(String(err)));
        else if (n < 0) reject(new NetlinkError('send', this.b.errno()));
        else if (n !== req.length) reject(new NetlinkError('send (short write)', osConstants.errno.EIO));
        else resolve();
      });
    });
  }

  /** Receives one datagram (one kernel skb) into `buf` on a koffi worker thread; resolves with its length. */
  recv(buf: Buffer): Promise<number> {
    if (this.closed) return Promise.reject(new NetlinkError('recv', osConstants.errno.EBADF));
    return new Promise((resolve, reject) => {
      this.b.recv.async(this.fd, buf, buf.length, 0, (err: unknown, n: number) => {
        if (err) reject(err instanceof Error ? err : new Error(String(err)));
        else if (n < 0) {
          const errno = this.b.errno();
          reject(new NetlinkError(errno === osConstants.errno.EAGAIN ? 'recv: no reply within the timeout' : 'recv', errno));
        }
        else resolve(n);
      });
    });
  }

  private areas: BatchArea[] = [];

  /**
   * Receives up to BATCH_CHUNKS datagrams with one recvmmsg on a koffi worker thread: it waits for
   * the first (bounded by the receive timeout), then takes what the kernel has queued. A netlink dump
   * fills its next chunk inside each receive, so one call carries many chunks and JavaScript pays
   * one thread hop per batch instead of one per 32 KiB. `slot` (0 or 1) picks one of two areas so
   * that one batch can be parsed while the next is received. The returned chunks are views into the
   * area and stay valid until that slot is received into again.
   */
  recvBatch(slot: 0 | 1): Promise<Buffer[]> {
    if (this.closed) return Promise.reject(new NetlinkError('recvmmsg', osConstants.errno.EBADF));
    if (!process.arch.endsWith('64')) {
      // The mmsghdr layout above is LP64's; elsewhere, one datagram per call.
      const buf = (this.areas[slot] ??= { address: 0n, view: new ArrayBuffer(0), chunks: [Buffer.allocUnsafe(CHUNK_BYTES)] }).chunks[0];
      return this.recv(buf).then((n) => [buf.subarray(0, n)]);
    }
    const area = (this.areas[slot] ??= areaPool.pop() ?? makeArea(this.b));
    return new Promise((resolve, reject) => {
      this.b.recvmmsg.async(this.fd, area.address, BATCH_CHUNKS, MSG_WAITFORONE, null, (err: unknown, n: number) => {
        if (err) return reject(err instanceof Error ? err : new Error(String(err)));
        if (n < 0) {
          const errno = this.b.errno();
          return reject(new NetlinkError(errno === osConstants.errno.EAGAIN ? 'recv: no reply within the timeout' : 'recvmmsg', errno));
        }
        const dv = new DataView(area.view);
        const out: Buffer[] = [];
        for (let i = 0; i < n; i++) {
          const m = i * MMSGHDR_BYTES;
          if (dv.getInt32(m + 48, true) & MSG_TRUNC) return reject(new NetlinkError('recvmmsg: a dump chunk was larger than its buffer (MSG_TRUNC)', osConstants.errno.EMSGSIZE));
          out.push(area.chunks[i].subarray(0, dv.getUint32(m + 56, true)));
        }
        resolve(out);
      });
    });
  }

  /** Receives synchronously (blocks this thread): for scripts and tests that want no worker hop. */
  recvSync(buf: Buffer): number {
    const n = this.b.recv(this.fd, buf, buf.length, 0);
    if (n < 0) throw new NetlinkError('recv', this.b.errno());
    return n;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    // The areas go back to the pool (no receive is in flight: runDump awaits its last one first).
    for (const a of this.areas) if (a && a.address !== 0n) areaPool.push(a);
    this.areas = [];
    this.b.close(this.fd);
  }
}
