// The fast path of the ss parser: ss's bytes straight to Socket records, chunk by chunk as ss writes them.
//
// At 100,000 sockets the line parser in ss-line.ts (regexes, split, token arrays) cost about 400 ms, twice
// what ss itself takes. Nearly every line of a snapshot has one shape: `tcp|udp STATE RQ SQ
// a.b.c.d:port a.b.c.d:port` (or [v6]:port) followed by -o/-e tokens (timer:(...) uid: ino: sk:
// cgroup: v6only: <->). SsStreamParser reads that shape in one pass over the bytes, without
// intermediate strings, and builds the record parseSsLine would build, key for key and in the same
// key order; a line it is not sure of (unix sockets, users:(...), -i/-m details, a device suffix, an
// unexpected token or byte) goes to parseSsLine. test/parse/ss-fast.test.ts holds the two equal on
// every fixture line, on generated lines and across chunk boundaries. A record parseSsLine read may go
// on over the next lines (a newline in a unix or process name): ss-records.ts joins those; lines that
// give no socket are counted (unreadLines).
import { decodeUtf8 } from '../model/escape.js';
import { NO_PROCESSES, normalizeAddress, type Endpoint, type Socket, type SocketTimer } from '../model/socket.js';
import { arrowAt, COLON, cookieAt, digitsAt, NEWLINE, plain, SPACE, startsWithAt, stateAt } from './ss-bytes.js';
import { parseTimer } from './ss-line.js';
import { SsRecord } from './ss-records.js';

/** Incremental parser of ss's stdout: push() chunks as they arrive (lines may span chunks), end() returns the sockets. */
export class SsStreamParser {
  private readonly out: Socket[] = [];
  private rest: Buffer | null = null;
  /** Dotted IPv4 text by value: a host has few distinct addresses, so each string is made once per snapshot. */
  private readonly ipv4 = new Map<number, string>();
  /** Normalized IPv6 address by its text between the brackets. */
  private readonly ipv6 = new Map<string, { address: string; scope?: string }>();
  /** parseTimer's result by the text between timer:( and ): ss prints few distinct ones. */
  private readonly timers = new Map<string, SocketTimer>();
  /** Lines the fast path handed to parseSsLine (tests count them). */
  slowLines = 0;
  /**
   * Non-blank lines that gave no socket (unknown shapes, a record cut short): the collector says how
   * many in a note instead of dropping them silently.
   */
  unreadLines = 0;
  /** Where the unix sockets are in the result (read by parseSsLine only): the collector drops its own stdio sockets by index. */
  readonly unixAt: number[] = [];
  /** The last record parseSsLine read, kept while the lines after it may continue it; `heldIndex` is its socket in `out` (-1: none yet). */
  private held: SsRecord | null = null;
  private heldIndex = -1;
  /** Set by endpointAt: where the endpoint token ended and whether it was bracketed (AF_INET6). */
  private at = 0;
  private v6 = false;

  constructor(private readonly defaultNetid?: 'tcp' | 'udp') {}

  /** Parses every complete line of `chunk` (with the partial line kept from the previous chunk). */
  push(chunk: Uint8Array): void {
    const buf = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    let from = 0;
    if (this.rest) {
      const nl = buf.indexOf(NEWLINE);
      if (nl < 0) {
        this.rest = Buffer.concat([this.rest, buf]);
        return;
      }
      const joined = Buffer.concat([this.rest, buf.subarray(0, nl + 1)]);
      this.rest = null;
      this.lines(joined, 0, joined.length);
      from = nl + 1;
    }
    const last = buf.lastIndexOf(NEWLINE);
    if (last < from) {
      if (from < buf.length) this.rest = Buffer.from(buf.subarray(from));
      return;
    }
    this.lines(buf, from, last + 1);
    // A copy: the caller may reuse its buffer.
    if (last + 1 < buf.length) this.rest = Buffer.from(buf.subarray(last + 1));
  }

  /** The sockets of every complete line; a last line without its newline was cut short and is dropped (and counted in unreadLines). */
  end(): Socket[] {
    this.release();
    if (this.rest !== null && this.rest.some((c) => c !== SPACE)) this.unreadLines++;
    this.rest = null;
    return this.out;
  }

  /** buf[from, to) holds whole lines: `to` is just past a newline. */
  private lines(buf: Buffer, from: number, to: number): void {
    let start = from;
    while (start < to) {
      // A line the fast path reads as a socket begins a record (a Netid and a state, or a state and a
      // queue), so it ends the held one as it is: only lines the fast path cannot read are decoded and
      // asked whether they continue it (test/parse/ss-fast.test.ts checks that the two tests agree).
      // A blank line gives no socket and may be part of a held record's name.
      const count = this.out.length;
      const next = this.fastLine(buf, start);
      if (next > 0 && (this.held === null || this.out.length > count)) {
        this.release();
        start = next;
        continue;
      }
      const end = buf.indexOf(NEWLINE, start);
      // As the netlink and procfs sources read names (decodeUtf8): a byte of a unix or process name that
      // is not UTF-8 stays itself (U+DC80..U+DCFF, shown \xNN) instead of becoming U+FFFD. Node's decoder
      // first, as decodeUtf8 does, without its view of the bytes: unix lines all come this way.
      let text = buf.toString('utf8', start, end);
      if (text.includes('\ufffd')) text = decodeUtf8(buf.subarray(start, end));
      start = end + 1;
      if (this.held !== null) {
        if (this.held.continuedBy(text)) {
          this.continueHeld(this.held, text);
          continue;
        }
        this.release();
      }
      this.slowLines++;
      const record = new SsRecord(text, this.defaultNetid);
      if (record.socket) this.keep(record.socket);
      this.held = record;
      this.heldIndex = record.socket ? this.out.length - 1 : -1;
    }
  }

  /** Joins a continuation line to the held record; the socket read from the whole replaces the one read before. */
  private continueHeld(held: SsRecord, line: string): void {
    this.slowLines++;
    const s = held.join(line);
    if (!s) return;
    if (this.heldIndex >= 0) this.out[this.heldIndex] = s;
    else {
      this.keep(s);
      this.heldIndex = this.out.length - 1;
    }
  }

  /** Appends a socket parseSsLine read. */
  private keep(s: Socket): void {
    if (s.protocol === 'unix') this.unixAt.push(this.out.length);
    this.out.push(s);
  }

  /** Ends the held record: its lines that no socket came from are unread (blank ones aside). */
  private release(): void {
    if (this.held === null) return;
    this.unreadLines += this.held.unreadLines();
    this.held = null;
  }

  /** IPv4 text for `value` (buf[a, b) holds it, canonical), made once per parser. */
  private ipv4Text(value: number, buf: Buffer, a: number, b: number): string {
    let text = this.ipv4.get(value);
    if (text === undefined) {
      text = buf.toString('latin1', a, b);
      this.ipv4.set(value, text);
    }
    return text;
  }

  /**
   * The endpoint token at `i`, a.b.c.d:port or [v6]:port with port digits or '*', followed by a space
   * or the newline; sets `at` (the token's end) and `v6`. Undefined for anything else (a device
   * suffix, the dual-stack '*', leading zeros, a port out of range), which parseSsLine then reads.
   */
  private endpointAt(buf: Buffer, i: number): Endpoint | undefined {
    const a = i;
    let address: string | undefined;
    const c0 = buf[i];
    if (c0 >= 0x30 && c0 <= 0x39) {
      // Dotted quad, each octet 0-255 without leading zeros, so that text and value map one to one.
      let value = 0;
      for (let dots = 0; ; dots++) {
        const d0 = buf[i] - 0x30;
        if (d0 < 0 || d0 > 9) return undefined;
        let octet = d0;
        i++;
        let d = buf[i] - 0x30;
        if (d >= 0 && d <= 9) {
          if (d0 === 0) return undefined;
          octet = octet * 10 + d;
          i++;
          d = buf[i] - 0x30;
          if (d >= 0 && d <= 9) {
            octet = octet * 10 + d;
            i++;
            if (octet > 255) return undefined;
          }
        }
        value = value * 256 + octet;
        if (dots === 3) break;
        if (buf[i] !== 0x2e) return undefined;
        i++;
      }
      if (buf[i] !== COLON) return undefined;
      address = this.ipv4Text(value | 0, buf, a, i); // int32: a small-integer Map key, never a boxed number
      this.v6 = false;
    } else if (c0 === 0x5b) {
      // [v6]:port
      let j = i + 1;
      while (plain(buf[j]) && buf[j] !== 0x5d) j++;
      if (buf[j] !== 0x5d || buf[j + 1] !== COLON || j === i + 1) return undefined;
      const key = buf.toString('latin1', i + 1, j);
      let n = this.ipv6.get(key);
      if (n === undefined) {
        if (key === '*' || key.includes('[')) return undefined;
        const r = normalizeAddress(key);
        n = r.scope ? { address: r.address, scope: r.scope } : { address: r.address };
        this.ipv6.set(key, n);
      }
      i = j + 1;
      this.v6 = true;
      if (n.scope !== undefined) {
        const port = this.portAt(buf, i + 1);
        return port < 0 ? undefined : { address: n.address, port, scope: n.scope };
      }
      address = n.address;
    } else return undefined;
    const port = this.portAt(buf, i + 1);
    return port < 0 ? undefined : { address, port };
  }

  /** The port at `i` (digits, or '*' for 0) up to a space or the newline; sets `at`. -1 when it is not one. */
  private portAt(buf: Buffer, i: number): number {
    let port: number;
    if (buf[i] === 0x2a) {
      port = 0;
      i++;
    } else {
      port = 0;
      const p0 = i;
      for (let d = buf[i] - 0x30; d >= 0 && d <= 9; d = buf[i] - 0x30) {
        port = port * 10 + d;
        i++;
      }
      if (i === p0 || i - p0 > 5 || port > 65535) return -1;
    }
    const c = buf[i];
    if (c !== SPACE && c !== NEWLINE) return -1;
    this.at = i;
    return port;
  }

  /** The parsed timer:(...) body buf[a, b), a fresh object each time. */
  private timerAt(buf: Buffer, a: number, b: number): SocketTimer | undefined {
    const body = buf.toString('latin1', a, b);
    let t = this.timers.get(body);
    if (t === undefined) {
      t = parseTimer(body);
      if (t === undefined) return undefined;
      this.timers.set(body, t);
    }
    return { name: t.name, expiresMs: t.expiresMs, retrans: t.retrans };
  }

  /**
   * Reads the line at `start` when it has the common shape: pushes its socket and returns the index
   * just past its newline; returns -1 when parseSsLine must read it instead. The record's keys are
   * added in the order parseSsLine adds them, so JSON output is unchanged too.
   */
  private fastLine(buf: Buffer, start: number): number {
    let i = start;
    while (buf[i] === SPACE) i++;
    if (buf[i] === NEWLINE) return i + 1; // a blank line: no socket
    // Netid (or, without a Netid column, the state).
    let t0 = i;
    while (plain(buf[i])) i++;
    if (buf[i] !== SPACE) return -1;
    let protocol: 'tcp' | 'udp';
    if (i - t0 === 3 && buf[t0] === 0x74 && buf[t0 + 1] === 0x63 && buf[t0 + 2] === 0x70) protocol = 'tcp';
    else if (i - t0 === 3 && buf[t0] === 0x75 && buf[t0 + 1] === 0x64 && buf[t0 + 2] === 0x70) protocol = 'udp';
    else if (this.defaultNetid && stateAt(buf, t0, i) !== undefined) {
      protocol = this.defaultNetid;
      i = t0; // the token is the state
    } else return -1;
    // State.
    while (buf[i] === SPACE) i++;
    t0 = i;
    while (plain(buf[i])) i++;
    if (buf[i] !== SPACE) return -1;
    const state = stateAt(buf, t0, i);
    if (state === undefined) return -1;
    // Recv-Q, Send-Q.
    while (buf[i] === SPACE) i++;
    t0 = i;
    while (plain(buf[i])) i++;
    if (buf[i] !== SPACE) return -1;
    const recvQ = digitsAt(buf, t0, i);
    while (buf[i] === SPACE) i++;
    t0 = i;
    while (plain(buf[i])) i++;
    if (buf[i] !== SPACE) return -1;
    const sendQ = digitsAt(buf, t0, i);
    if (recvQ < 0 || sendQ < 0) return -1;
    // Local and peer.
    while (buf[i] === SPACE) i++;
    const local = this.endpointAt(buf, i);
    if (local === undefined) return -1;
    const v6 = this.v6;
    i = this.at;
    while (buf[i] === SPACE) i++;
    const peer = this.endpointAt(buf, i);
    if (peer === undefined) return -1;
    i = this.at;

    // The tail: timer:(...) from -o; uid:, ino:, sk:, cgroup:, v6only: and a shutdown arrow from -e.
    // uid, ino and sk at most once each; `order` keeps the order they came in, one octal digit each.
    let timer: SocketTimer | undefined;
    let inode = -1;
    let uid = -1;
    let cookie: string | undefined;
    let v6only = -1;
    let order = 0;
    for (;;) {
      while (buf[i] === SPACE) i++;
      if (buf[i] === NEWLINE) break;
      t0 = i;
      while (plain(buf[i])) i++;
      const c = buf[i];
      if (c !== SPACE && c !== NEWLINE) return -1;
      const c0 = buf[t0];
      if (c0 === 0x69 && startsWithAt(buf, t0, i, 'ino:')) {
        if (inode >= 0 || (inode = digitsAt(buf, t0 + 4, i)) < 0) return -1;
        order = order * 8 + 2;
      } else if (c0 === 0x73 && startsWithAt(buf, t0, i, 'sk:')) {
        if (cookie !== undefined || (cookie = cookieAt(buf, t0 + 3, i)) === undefined) return -1;
        order = order * 8 + 3;
      } else if (c0 === 0x75 && startsWithAt(buf, t0, i, 'uid:')) {
        if (uid >= 0 || (uid = digitsAt(buf, t0 + 4, i)) < 0) return -1;
        order = order * 8 + 1;
      } else if (c0 === 0x74 && startsWithAt(buf, t0, i, 'timer:(')) {
        if (timer !== undefined || buf[i - 1] !== 0x29) return -1;
        for (let j = t0 + 7; j < i - 1; j++) if (buf[j] === 0x28 || buf[j] === 0x29) return -1;
        if ((timer = this.timerAt(buf, t0 + 7, i - 1)) === undefined) return -1;
      } else if (c0 === 0x63 && startsWithAt(buf, t0, i, 'cgroup:')) {
        for (let j = t0 + 7; j < i; j++) if (buf[j] === 0x28 || buf[j] === 0x29) return -1;
      } else if (c0 === 0x76 && startsWithAt(buf, t0, i, 'v6only:')) {
        if ((v6only = digitsAt(buf, t0 + 7, i)) < 0) return -1;
      } else if (!arrowAt(buf, t0, i)) return -1;
    }

    const ipVersion = v6 ? 6 : 4;
    let sock: Socket;
    // One literal per common shape (one hidden class each, no property-array growth).
    if (order === 0o23) sock = { protocol, state, local, peer, recvQ, sendQ, processes: NO_PROCESSES, ipVersion, inode, cookie, uid: 0 }; // root: ss -e omits uid:0
    else if (order === 0o123) sock = { protocol, state, local, peer, recvQ, sendQ, processes: NO_PROCESSES, ipVersion, uid, inode, cookie };
    else if (order === 0) sock = { protocol, state, local, peer, recvQ, sendQ, processes: NO_PROCESSES, ipVersion };
    else {
      sock = { protocol, state, local, peer, recvQ, sendQ, processes: NO_PROCESSES, ipVersion };
      for (let shift = 64; shift >= 1; shift /= 8) {
        const k = Math.floor(order / shift) % 8;
        if (k === 1) sock.uid = uid;
        else if (k === 2) sock.inode = inode;
        else if (k === 3) sock.cookie = cookie;
      }
      if (uid < 0 && inode >= 0) sock.uid = 0; // ss -e omits uid:0
    }
    if (timer !== undefined) sock.timer = timer;
    // Last, as parseSsLine sets it: IPV6_V6ONLY where it changes what the socket serves (bound to ::).
    if (v6only >= 0 && v6 && local.address === '::') sock.v6only = v6only !== 0;
    this.out.push(sock);
    return i + 1;
  }
}
