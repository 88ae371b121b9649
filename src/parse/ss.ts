// Parser of `ss -tuxanOH` output: the line parser (ss-line.ts: every field ss can print) and the byte-level
// stream parser (ss-stream.ts: the common line shape, fast, with the rest handed to ss-records.ts, which
// joins records split over lines and reads them with the line parser).
import type { Socket } from '../model/socket.js';
import { SsStreamParser } from './ss-stream.js';

export { parseInetEndpoint, parseSsDuration, parseSsLine, parseUsers } from './ss-line.js';
export { SsStreamParser } from './ss-stream.js';

/** Lone surrogates U+DC80..U+DCFF (the u flag keeps the low half of a real pair out). */
const ESCAPED_BYTES = /[\uDC80-\uDCFF]+/gu;
const HAS_ESCAPED_BYTE = /[\uDC80-\uDCFF]/u;

/**
 * The bytes behind text decoded with decodeUtf8 or decodeUtf8Lines (run()'s stdout): UTF-8, except that
 * each lone surrogate U+DC80..U+DCFF, which stands for a byte that was not UTF-8, is that byte again.
 * Buffer.from(text, 'utf8') wrote U+FFFD for each, so a unix path or process name read over ssh lost the
 * bytes the local ss source keeps.
 */
export function encodeUtf8Bytes(text: string): Buffer {
  if (!HAS_ESCAPED_BYTE.test(text)) return Buffer.from(text, 'utf8');
  const parts: Buffer[] = [];
  let last = 0;
  for (const m of text.matchAll(ESCAPED_BYTES)) {
    parts.push(Buffer.from(text.slice(last, m.index), 'utf8'));
    parts.push(Buffer.from(Array.from(m[0], (c) => c.charCodeAt(0) - 0xdc00)));
    last = m.index + m[0].length;
  }
  parts.push(Buffer.from(text.slice(last), 'utf8'));
  return Buffer.concat(parts);
}

/**
 * Parses the whole output of ss (-H, -O); skips empty and unknown lines. ss ends every line with a
 * newline, so a last line without one was cut short (a killed or timed-out ss) and is dropped. The text
 * is ss's bytes as run() decodes them: a byte that is not UTF-8 is read back as that byte, as the local
 * ss source, which parses the bytes, reads it.
 */
export function parseSs(text: string, defaultNetid?: 'tcp' | 'udp'): Socket[] {
  const p = new SsStreamParser(defaultNetid);
  p.push(encodeUtf8Bytes(text));
  return p.end();
}
