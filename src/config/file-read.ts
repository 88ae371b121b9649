// Reading a file the user named (a config file, a task input) without trusting it: what it is when it is not a
// regular file, and its bytes up to a limit (/dev/zero, `yes |` or a huge log must not be read whole).
import { readSync, type Stats } from 'node:fs';

/** What fstat says a path is: "regular file", "directory", "FIFO", "character device", "block device", "socket". */
export function fileKind(st: Stats): string {
  if (st.isFile()) return 'regular file';
  if (st.isDirectory()) return 'directory';
  if (st.isFIFO()) return 'FIFO';
  if (st.isCharacterDevice()) return 'character device';
  if (st.isBlockDevice()) return 'block device';
  if (st.isSocket()) return 'socket';
  return 'special file';
}

/**
 * The bytes of `fd` to its end, or null once more than `max` have come (at most max + 1 are read). A non-blocking
 * descriptor with nothing yet (EAGAIN: a stdin inherited so) is waited for, 10 ms at a time.
 */
export function readAtMost(fd: number, max: number): Buffer | null {
  const chunks: Buffer[] = [];
  let total = 0;
  for (;;) {
    const buf = Buffer.allocUnsafe(Math.min(1 << 20, max + 1 - total));
    let n: number;
    try {
      n = readSync(fd, buf, 0, buf.length, null);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EAGAIN') throw e;
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 10);
      continue;
    }
    if (n === 0) return Buffer.concat(chunks, total);
    chunks.push(buf.subarray(0, n));
    total += n;
    if (total > max) return null;
  }
}
