// ss records that span lines. ss prints unix names and process names (-p) byte for byte, so a newline in
// one splits its record: the line after it cannot begin a record and is the rest of it. SsStreamParser
// (ss-stream.ts) holds each record parseSsLine read in an SsRecord while the next lines may continue it;
// the joining and the reading again live here, on text, apart from the stream's byte-level fast path.
import type { ProcessRef, Socket } from '../model/socket.js';
import { NETIDS, parseSsLine, parseUnixColumns, parseUsers, SS_STATES, unixTailStart } from './ss-line.js';

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

/** Tokens that begin the -e/-m tail of a unix record, after the peer inode and ss -p's users:. */
const UNIX_TAIL = /^(?:<->|<-|->|--|ino:|dev:|peers:|skmem:\(|cgroup:|uid:|sk:)/;

/** Whether `text` ends, before `at`, with a space and a number (the peer inode ss prints before users:). */
function numberBefore(text: string, at: number): boolean {
  let d = at;
  while (d > 0 && text.charCodeAt(d - 1) >= 0x30 && text.charCodeAt(d - 1) <= 0x39) d--;
  return d < at && d > 0 && text.charCodeAt(d - 1) === 0x20;
}

/**
 * ss -p's own `users:((...))` in a unix record: ss prints it after both names, so it is the last one that
 * follows a number (the peer inode), reads to its `))` and is followed only by the tail (or nothing). A
 * name may hold a users: of its own ("/tmp/u\ntcp LISTEN ... users:((\"sshd\",pid=1,fd=3))"): taking
 * the first, as parseSsLine does, cut it out of the name and lost the socket when ss's came after it.
 */
function ssUsersField(text: string): { start: number; end: number; processes: ProcessRef[] } | null {
  for (let at = text.lastIndexOf(' users:(('); at > 0; at = text.lastIndexOf(' users:((', at - 1)) {
    if (!numberBefore(text, at)) continue;
    const r = parseUsers(text, at + 1);
    if (r.processes.length === 0 || !text.startsWith('))', r.end - 2)) continue;
    const rest = text.slice(r.end);
    if (rest.trim() !== '' && !(rest.startsWith(' ') && UNIX_TAIL.test(rest.trimStart()))) continue;
    return { start: at, end: r.end, processes: r.processes };
  }
  return null;
}

/**
 * Reads one unix record of an `ss -x` run whose names hold newlines. Its names are read from the columns
 * (parseUnixColumns) once ss's own users: (ssUsersField) is out, and parseSsLine reads the rest with
 * stand-ins for them: it cuts the first ` users:((`, ` timer:(`, ` skmem:(` from its line, which in such
 * a record may be a name's text. Null when the text does not read as a unix socket.
 */
function readUnixRecord(text: string): Socket | null {
  const users = ssUsersField(text);
  const line = (users ? text.slice(0, users.start) + text.slice(users.end) : text).replace(/\s+$/, '');
  const head = /^ *(\S+) +\S+ +\S+ +\S+/.exec(line);
  if (!head || !Object.hasOwn(NETIDS, head[1]) || NETIDS[head[1]].protocol !== 'unix') return null;
  // The tail: the first token (split on spaces only) that begins like one and follows a number.
  const tailAt = unixTailStart(line, head[0].length, UNIX_TAIL);
  const cols = parseUnixColumns(line.slice(head[0].length, tailAt));
  if (!cols) return null;
  const stand = (name: string) => (name === '' ? '*' : 'n');
  const tail = tailAt < line.length ? ` ${line.slice(tailAt)}` : '';
  const s = parseSsLine(`${head[0]} ${stand(cols.local)} ${cols.inode} ${stand(cols.peer)} ${cols.peerInode}${tail}`);
  if (s === null || s.protocol !== 'unix') return null;
  s.local = { address: cols.local, port: 0 };
  s.peer = { address: cols.peer, port: 0 };
  s.processes = users ? users.processes : [];
  return s;
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
    return this.defaultNetid === 'unix-only' ? readUnixRecord(text) : parseSsLine(text, this.defaultNetid);
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
