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
export function beginsRecord(line: string, defaultNetid?: 'tcp' | 'udp' | 'unix-only'): boolean {
  const m = FIRST_TOKENS.exec(line);
  if (m === null) return false;
  const [, first, second] = m;
  if (defaultNetid === 'unix-only') return Object.hasOwn(NETIDS, first) && NETIDS[first].protocol === 'unix' && Object.hasOwn(SS_STATES, second);
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

  /** `defaultNetid` 'unix-only': the output of an `ss -x` run, where only a unix netid begins a record. */
  constructor(
    line: string,
    private readonly defaultNetid?: 'tcp' | 'udp' | 'unix-only',
  ) {
    this.text = line;
    this.socket = this.read(line);
    this.used = this.socket ? 1 : 0;
  }

  /** parseSsLine, less any socket that is not unix in an `ss -x` run (there it can only be text of a name). */
  private read(text: string): Socket | null {
    if (this.defaultNetid !== 'unix-only') return parseSsLine(text, this.defaultNetid);
    const s = parseSsLine(text);
    return s !== null && s.protocol === 'unix' ? s : null;
  }

  /** Whether `line` is the rest of this record: it cannot begin one, and the record has not reached MAX_RECORD. */
  continuedBy(line: string): boolean {
    return this.text.length < MAX_RECORD && !beginsRecord(line, this.defaultNetid);
  }

  /** Joins `line` with the newline ss split the record at and reads the whole again; the new socket, or null when it reads as none. */
  join(line: string): Socket | null {
    this.text = `${this.text}\n${line}`;
    this.lines++;
    const s = this.read(this.text);
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

/**
 * Parses the output of an `ss -x` run whose every socket has a newline in its name (the `src '*\n*'`
 * half, see ssUnixRuns): only a line that begins with a unix netid and a state begins a record, and a
 * record goes on until the next such line, so no text of a name can become a TCP or UDP socket. Which
 * lines belong to which of these sockets is still ss's raw text (a name can hold a whole unix record):
 * the collector says so in a note. `unread`: non-blank lines no socket was read from.
 */
export function parseSsUnixRecords(text: string): { sockets: Socket[]; unread: number } {
  const sockets: Socket[] = [];
  let unread = 0;
  let held: SsRecord | null = null;
  let heldIndex = -1;
  const lines = text.split('\n');
  if (lines.at(-1) === '') lines.pop();
  const release = () => {
    if (held !== null) unread += held.unreadLines();
    held = null;
  };
  for (const line of lines) {
    if (held !== null && held.continuedBy(line)) {
      const s = held.join(line);
      if (s !== null) {
        if (heldIndex >= 0) sockets[heldIndex] = s;
        else {
          sockets.push(s);
          heldIndex = sockets.length - 1;
        }
      }
      continue;
    }
    release();
    if (line.trim() === '') continue;
    held = new SsRecord(line, 'unix-only');
    heldIndex = -1;
    if (held.socket) {
      sockets.push(held.socket);
      heldIndex = sockets.length - 1;
    }
  }
  release();
  return { sockets, unread };
}
