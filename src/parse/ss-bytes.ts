// Byte-level readers for SsStreamParser (ss-stream.ts): tokens of ss's output read straight from the Buffer,
// without making strings. Pure.
import type { SocketState } from '../model/socket.js';
import { SS_STATES } from './ss-line.js';

export const SPACE = 0x20;
export const NEWLINE = 0x0a;
export const COLON = 0x3a;

/** ss state names as bytes by their length and first byte, for stateAt. */
const STATE_INDEX = new Map<number, [Buffer, SocketState][]>();
for (const [name, state] of Object.entries(SS_STATES)) {
  const key = name.length * 256 + name.charCodeAt(0);
  STATE_INDEX.set(key, [...(STATE_INDEX.get(key) ?? []), [Buffer.from(name, 'latin1'), state]]);
}

/** The state whose ss name is buf[a, b), or undefined. */
export function stateAt(buf: Buffer, a: number, b: number): SocketState | undefined {
  const candidates = STATE_INDEX.get((b - a) * 256 + buf[a]);
  if (candidates === undefined) return undefined;
  for (let k = 0; k < candidates.length; k++) {
    const name = candidates[k][0];
    let j = 1;
    while (j < name.length && name[j] === buf[a + j]) j++;
    if (j === name.length) return candidates[k][1];
  }
  return undefined;
}

/** A byte inside a token. Spaces end it; other whitespace, control and non-ASCII bytes send the line to parseSsLine (its \s is wider). */
export function plain(c: number): boolean {
  return c > SPACE && c < 0x7f;
}

/** Decimal digits in buf[a, b) as a number; -1 when empty, too long or not all digits. */
export function digitsAt(buf: Buffer, a: number, b: number): number {
  if (b <= a || b - a > 15) return -1;
  let v = 0;
  for (let i = a; i < b; i++) {
    const d = buf[i] - 0x30;
    if (d < 0 || d > 9) return -1;
    v = v * 10 + d;
  }
  return v;
}

/** The socket cookie printed as sk:HEX, in decimal as parseSsLine gives it; undefined when not hex. */
export function cookieAt(buf: Buffer, a: number, b: number): string | undefined {
  if (b <= a) return undefined;
  if (b - a > 13) {
    const hex = buf.toString('latin1', a, b);
    return /^[0-9a-f]+$/i.test(hex) ? BigInt(`0x${hex}`).toString() : undefined;
  }
  let v = 0;
  for (let i = a; i < b; i++) {
    const c = buf[i];
    const d = c >= 0x30 && c <= 0x39 ? c - 0x30 : c >= 0x61 && c <= 0x66 ? c - 0x57 : c >= 0x41 && c <= 0x46 ? c - 0x37 : -1;
    if (d < 0) return undefined;
    v = v * 16 + d;
  }
  return String(v);
}

/** Whether buf[a, b) starts with the ASCII prefix. */
export function startsWithAt(buf: Buffer, a: number, b: number, prefix: string): boolean {
  if (b - a < prefix.length) return false;
  for (let j = 0; j < prefix.length; j++) if (buf[a + j] !== prefix.charCodeAt(j)) return false;
  return true;
}

/** The shutdown arrows ss -e prints last: <-> <-- --> ---. */
export function arrowAt(buf: Buffer, a: number, b: number): boolean {
  if (b - a !== 3 || buf[a + 1] !== 0x2d) return false;
  const c0 = buf[a];
  const c2 = buf[a + 2];
  return (c0 === 0x3c || c0 === 0x2d) && (c2 === 0x3e || c2 === 0x2d);
}
