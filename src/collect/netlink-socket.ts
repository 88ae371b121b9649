// A NETLINK_SOCK_DIAG socket through koffi: socket(), send(), recv() on koffi's worker threads so a
// big dump never blocks the event loop, and close(). The only file that makes these syscalls.
import { constants as osConstants } from 'node:os';

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
    const mod = (await import('koffi')) as unknown as { default?: typeof import('koffi') } & typeof import('koffi');
    const koffi = mod.default ?? mod;
    const lib = koffi.load('libc.so.6');
    return {
      socket: lib.func('int socket(int domain, int type, int protocol)') as AsyncFn,
      send: lib.func('long send(int fd, const void *buf, size_t len, int flags)') as AsyncFn,
      recv: lib.func('long recv(int fd, _Out_ void *buf, size_t len, int flags)') as AsyncFn,
      close: lib.func('int close(int fd)') as AsyncFn,
      setsockopt: lib.func('int setsockopt(int fd, int level, int name, const void *val, uint32_t len)') as AsyncFn,
      errno: () => koffi.errno(),
    };
  })();
  bindings.catch(() => undefined);
  return bindings;
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

  /** Sends one request to the kernel (netlink's default destination). */
  send(req: Buffer): void {
    if (this.closed) throw new NetlinkError('send', osConstants.errno.EBADF);
    const n = this.b.send(this.fd, req, req.length, 0);
    if (n < 0) throw new NetlinkError('send', this.b.errno());
    if (n !== req.length) throw new NetlinkError('send (short write)', osConstants.errno.EIO);
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

  /** Receives synchronously (blocks this thread): for scripts and tests that want no worker hop. */
  recvSync(buf: Buffer): number {
    const n = this.b.recv(this.fd, buf, buf.length, 0);
    if (n < 0) throw new NetlinkError('recv', this.b.errno());
    return n;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.b.close(this.fd);
  }
}
