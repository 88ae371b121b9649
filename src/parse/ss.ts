// Parser of `ss -tuxanOH` output: the line parser (ss-line.ts: every field ss can print) and the byte-level
// stream parser (ss-stream.ts: the common line shape, fast, with the rest handed to ss-records.ts, which
// joins records split over lines and reads them with the line parser).
import { encodeUtf8Bytes } from '../model/escape.js';
import type { Socket } from '../model/socket.js';
import { SsStreamParser } from './ss-stream.js';

export { parseInetEndpoint, parseSsDuration, parseSsLine, parseUsers } from './ss-line.js';
export { SsStreamParser } from './ss-stream.js';

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
