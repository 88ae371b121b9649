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

/** The encoding iconv reads a file with a byte order mark as (`iconv -f utf-16`: the mark says the byte order, and is dropped). */
const ICONV_FROM_BOM: Record<string, string> = { 'UTF-16LE': 'utf-16', 'UTF-16BE': 'utf-16', 'UTF-32LE': 'utf-32', 'UTF-32BE': 'utf-32' };

/** How many of a file's first bytes are looked at for the NUL bytes of UTF-16 without a byte order mark. */
const UTF16_SNIFF_BYTES = 64;

/**
 * UTF-16 without a byte order mark, by the NUL bytes among the first characters (ASCII in UTF-16 has one in every
 * character: PowerShell 5's `>` writes UTF-16LE, a tool may leave out the mark): little-endian when most are at odd
 * offsets (the high byte second), big-endian otherwise; undefined when the first bytes hold no NUL.
 */
function utf16Sniff(bytes: Uint8Array): 'UTF-16LE' | 'UTF-16BE' | undefined {
  let odd = 0;
  let even = 0;
  for (let i = 0; i < Math.min(bytes.length, UTF16_SNIFF_BYTES); i++) if (bytes[i] === 0) i % 2 ? odd++ : even++;
  return odd + even === 0 ? undefined : odd >= even ? 'UTF-16LE' : 'UTF-16BE';
}

/**
 * A file's bytes as UTF-8 text (a UTF-8 byte order mark is dropped), or why they are not: the encoding a byte order
 * mark names (UTF-16/32), or the first byte that is not UTF-8, or a NUL byte (no text format takes one: UTF-16
 * without a byte order mark has one in every ASCII character), with its offset, line and column (characters).
 * `from` is the encoding to convert from (iconv -f FROM -t utf-8): utf-16/utf-32 with a byte order mark, utf-16le or
 * utf-16be for NUL bytes (UTF-16 without a mark: its first NUL is the byte named, even after a byte that is not
 * UTF-8, as the first character é is in UTF-16LE, E9 00), latin1 for another byte. Config files (config/load.ts)
 * and task inputs (api/task-input.ts) say it from here.
 */
export type Utf8Text =
  | { ok: true; text: string }
  | { ok: false; bom: string; bomBytes: string; from: string }
  | { ok: false; bom?: undefined; byte: number; offset: number; line: number; col: number; from: string; utf16?: { name: 'UTF-16LE' | 'UTF-16BE'; sure: boolean } };

/** Decodes what precedes a bad byte, to count its characters (a byte before it may be bad too: U+FFFD counts one). */
const LENIENT_UTF8 = new TextDecoder('utf-8');

export function utf8Text(bytes: Uint8Array): Utf8Text {
  for (const [mark, name] of OTHER_BOMS) {
    if (mark.every((x, i) => bytes[i] === x)) return { ok: false, bom: name, bomBytes: mark.map((x) => x.toString(16).toUpperCase().padStart(2, '0')).join(' '), from: ICONV_FROM_BOM[name] };
  }
  let offset = -1;
  let text = '';
  try {
    text = STRICT_UTF8.decode(bytes);
  } catch {
    offset = firstNonUtf8(bytes);
  }
  const nul = bytes.indexOf(0);
  const sniffed = utf16Sniff(bytes);
  // NUL bytes among the first characters: UTF-16, said so even when a byte that is not UTF-8 comes before the first one.
  if (nul >= 0 && (sniffed !== undefined || offset < 0 || nul < offset)) offset = nul;
  if (offset < 0) return { ok: true, text };
  const lineStart = offset === 0 ? 0 : bytes.lastIndexOf(0x0a, offset - 1) + 1;
  let line = 1;
  for (let i = 0; i < lineStart; i++) if (bytes[i] === 0x0a) line++;
  // The bytes before the bad one are UTF-8 (but for UTF-16's first character): the column counts their characters.
  const before = LENIENT_UTF8.decode(bytes.subarray(lineStart, offset));
  const byte = bytes[offset];
  // A NUL further on, after UTF-8 text: UTF-16 by its offset's parity, as asked before (the high byte first at an even one).
  // `sure`: NUL bytes among the first characters (utf16Sniff), not one NUL further on.
  const utf16 = byte === 0 ? { name: sniffed ?? (offset % 2 ? 'UTF-16LE' : 'UTF-16BE'), sure: sniffed !== undefined } : undefined;
  return { ok: false, byte, offset, line, col: [...before].length + 1, from: utf16?.name.toLowerCase() ?? 'latin1', ...(utf16 ? { utf16 } : {}) };
}
