// What the probes (debug-connections, TCP and UDP) send and report: --send/--expect as typed on a command line, a
// reply as text for reports, and durations as the reports and JSON give them.
import { decodeUtf8 } from '../model/escape.js';

/** Milliseconds since t0, rounded to 0.01 ms (for reports and JSON). */
export function msSince(t0: number): number {
  return Math.round((performance.now() - t0) * 100) / 100;
}

/** Turns \n, \r, \t and \\ in a command-line text into the characters. */
export function unescapeText(s: string): string {
  return s.replace(/\\([nrt\\])/g, (_, c: string) => ({ n: '\n', r: '\r', t: '\t', '\\': '\\' })[c]!);
}

/** The reply as text for reports: UTF-8, bytes that are not as \xNN once escaped (decodeUtf8), at most 4096 UTF-16 units, no pair cut. */
export function replyText(bytes: Buffer): string {
  const text = decodeUtf8(bytes);
  if (text.length <= 4096) return text;
  const last = text.charCodeAt(4095);
  return text.slice(0, last >= 0xd800 && last <= 0xdbff ? 4095 : 4096);
}

/** The reply for an exchange's JSON: its text (replyText), how many bytes were read, and whether the text holds less than all of them. */
export function replyFields(bytes: Buffer): { received: string; receivedBytes: number; truncated?: true } {
  const received = replyText(bytes);
  const whole = decodeUtf8(bytes).length;
  return { received, receivedBytes: bytes.length, ...(received.length < whole ? { truncated: true as const } : {}) };
}
