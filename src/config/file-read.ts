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

const STRICT_UTF8 = new TextDecoder('utf-8', { fatal: true });

/** The byte order marks of the encodings a text file other than UTF-8 starts with (UTF-32LE before UTF-16LE: FF FE 00 00). */
const OTHER_BOMS: readonly (readonly [readonly number[], string])[] = [
  [[0xff, 0xfe, 0x00, 0x00], 'UTF-32LE'],
  [[0x00, 0x00, 0xfe, 0xff], 'UTF-32BE'],
  [[0xff, 0xfe], 'UTF-16LE'],
  [[0xfe, 0xff], 'UTF-16BE'],
];

/**
 * Where UTF-8 decoding fails: the offset of the first byte that does not start a valid sequence (RFC 3629: lead
 * bytes C2..F4 with their continuation bytes, no overlong forms, no surrogates, nothing above U+10FFFF), or -1.
 */
export function firstNonUtf8(b: Uint8Array): number {
  let i = 0;
  while (i < b.length) {
    const c = b[i];
    if (c < 0x80) {
      i++;
      continue;
    }
    const need = c >= 0xc2 && c <= 0xdf ? 1 : c >= 0xe0 && c <= 0xef ? 2 : c >= 0xf0 && c <= 0xf4 ? 3 : -1;
    if (need < 0) return i;
    const lo = c === 0xe0 ? 0xa0 : c === 0xf0 ? 0x90 : 0x80;
    const hi = c === 0xed ? 0x9f : c === 0xf4 ? 0x8f : 0xbf;
    for (let k = 1; k <= need; k++) {
      const x = b[i + k];
      if (x === undefined || x < (k === 1 ? lo : 0x80) || x > (k === 1 ? hi : 0xbf)) return i;
    }
    i += need + 1;
  }
  return -1;
}

/**
 * A file's bytes as UTF-8 text (a UTF-8 byte order mark is dropped), or why they are not: the encoding a byte order
 * mark names (UTF-16/32), or the first byte that is not UTF-8, or a NUL byte (no text format takes one: UTF-16
 * without a byte order mark has one in every ASCII character), with its offset, line and column (characters).
 */
export type Utf8Text =
  | { ok: true; text: string }
  | { ok: false; bom: string; bomBytes: string }
  | { ok: false; bom?: undefined; byte: number; offset: number; line: number; col: number };

export function utf8Text(bytes: Uint8Array): Utf8Text {
  for (const [mark, name] of OTHER_BOMS) {
    if (mark.every((x, i) => bytes[i] === x)) return { ok: false, bom: name, bomBytes: mark.map((x) => x.toString(16).toUpperCase().padStart(2, '0')).join(' ') };
  }
  let offset = -1;
  let text = '';
  try {
    text = STRICT_UTF8.decode(bytes);
  } catch {
    offset = firstNonUtf8(bytes);
  }
  if (offset < 0) offset = bytes.indexOf(0);
  if (offset < 0) return { ok: true, text };
  const lineStart = offset === 0 ? 0 : bytes.lastIndexOf(0x0a, offset - 1) + 1;
  let line = 1;
  for (let i = 0; i < lineStart; i++) if (bytes[i] === 0x0a) line++;
  // The bytes before the bad one are UTF-8: the column counts their characters (a BOM on line 1 is none).
  const before = STRICT_UTF8.decode(bytes.subarray(lineStart, offset));
  return { ok: false, byte: bytes[offset], offset, line, col: [...before].length + 1 };
}
