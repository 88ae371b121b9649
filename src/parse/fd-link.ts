// A /proc/PID/fd link: which socket it names (process attribution, getsockopt's socket lookup), read
// with readlink(2) into a byte buffer or as a string.

const SOCKET_LINK = /^socket:\[(\d+)\]$/;

/** The socket inode a whole link text names ("socket:[12345]" -> 12345); 0 for any other link. */
export function socketInodeInText(link: string): number {
  const m = SOCKET_LINK.exec(link);
  return m ? Number(m[1]) : 0;
}

/**
 * The socket inode in the first `n` bytes of `buf`, a readlink(2) result ("socket:[12345]"); 0 for any
 * other link, -1 when the read failed (n < 0). Self-contained (no outer names):
 * collect/fd-read-helper.ts runs its source in a worker thread.
 */
export function socketInodeInLink(buf: Uint8Array, n: number): number {
  if (n < 0) return -1;
  // "socket:[" + digits + "]"
  if (n < 10 || n >= buf.length || buf[n - 1] !== 0x5d) return 0;
  if (buf[0] !== 0x73 || buf[1] !== 0x6f || buf[2] !== 0x63 || buf[3] !== 0x6b || buf[4] !== 0x65 || buf[5] !== 0x74 || buf[6] !== 0x3a || buf[7] !== 0x5b) return 0;
  let ino = 0;
  for (let i = 8; i < n - 1; i++) {
    const d = buf[i] - 48;
    if (d < 0 || d > 9) return 0;
    ino = ino * 10 + d;
  }
  return ino;
}
