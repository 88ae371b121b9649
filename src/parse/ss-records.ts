// ss records that span lines. ss prints unix names and process names (-p) byte for byte, so a newline in
// one splits its record: the line after it cannot begin a record and is the rest of it. SsStreamParser
// (ss-stream.ts) holds each record parseSsLine read in an SsRecord while the next lines may continue it;
// the joining and the reading again live here, on text, apart from the stream's byte-level fast path.
import type { Socket } from '../model/socket.js';
import { NETIDS, parseSsLine, SS_STATES } from './ss-line.js';

/** A record held for continuation lines stops growing here (a unix name is at most 107 bytes; -p names 15 each). */
export const MAX_RECORD = 65_536;

/**
 * The first two tokens of a line: runs of printable ASCII (!-~) after spaces, the first followed by a space
 * and the second by a space or the line's end. Other whitespace, control and non-ASCII characters are in
 * no token: such a line begins no record (the stream parser's byte test reads them the same way).
 */
const FIRST_TOKENS = /^ *([!-~]+) +([!-~]+)(?: |$)/;

/**
 * True when `line` (without its newline) can begin a record: a Netid and a state, or, when ss leaves the
 * Netid column out (`defaultNetid`), a state and a number. A line that cannot is the rest of the record before it.
 */
export function beginsRecord(line: string, defaultNetid?: 'tcp' | 'udp'): boolean {
  const m = FIRST_TOKENS.exec(line);
  if (m === null) return false;
  const [, first, second] = m;
  if (defaultNetid !== undefined && Object.hasOwn(SS_STATES, first)) return /^\d{1,15}$/.test(second);
  return Object.hasOwn(NETIDS, first) && Object.hasOwn(SS_STATES, second);
}

/**
 * One record read by parseSsLine, with the continuation lines joined to it so far. `socket` is what the
 * whole read as last time it read as a socket (null: not yet); a joined text that reads as none keeps it.
 */
export class SsRecord {
  private text: string;
  private lines = 1;
  /** How many of the lines `socket` was read from. */
  private used: number;
  socket: Socket | null;

  constructor(
    line: string,
    private readonly defaultNetid?: 'tcp' | 'udp',
  ) {
    this.text = line;
    this.socket = parseSsLine(line, defaultNetid);
    this.used = this.socket ? 1 : 0;
  }

  /** Whether `line` is the rest of this record: it cannot begin one, and the record has not reached MAX_RECORD. */
  continuedBy(line: string): boolean {
    return this.text.length < MAX_RECORD && !beginsRecord(line, this.defaultNetid);
  }

  /** Joins `line` with the newline ss split the record at and reads the whole again; the new socket, or null when it reads as none. */
  join(line: string): Socket | null {
    this.text = `${this.text}\n${line}`;
    this.lines++;
    const s = parseSsLine(this.text, this.defaultNetid);
    if (s === null) return null;
    this.socket = s;
    this.used = this.lines;
    return s;
  }

  /** The record's non-blank lines that no socket was read from (the lines after the last one `socket` took in). */
  unreadLines(): number {
    if (this.lines === this.used) return 0;
    const lines = this.text.split('\n');
    let n = 0;
    for (let i = this.used; i < lines.length; i++) if (lines[i].trim() !== '') n++;
    return n;
  }
}
