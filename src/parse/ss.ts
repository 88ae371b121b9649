// Pure parser for `ss -tuxanOH` output, with the optional -p (users:), -o (timer:), -e (uid, ino, sk),
// -i (tcp_info) and -m (skmem:) fields. One socket per line (-O). Lines it cannot read are skipped.
import { normalizeAddress, type Endpoint, type ProcessRef, type Protocol, type SkMem, type Socket, type SocketState, type SocketTimer, type TcpInfo } from '../model/socket.js';

const SS_STATES: Record<string, SocketState> = {
  ESTAB: 'ESTABLISHED',
  'SYN-SENT': 'SYN_SENT',
  'SYN-RECV': 'SYN_RECV',
  'FIN-WAIT-1': 'FIN_WAIT1',
  'FIN-WAIT-2': 'FIN_WAIT2',
  'TIME-WAIT': 'TIME_WAIT',
  UNCONN: 'CLOSE',
  CLOSE: 'CLOSE',
  'CLOSE-WAIT': 'CLOSE_WAIT',
  'LAST-ACK': 'LAST_ACK',
  LISTEN: 'LISTEN',
  CLOSING: 'CLOSING',
};

const NETIDS: Record<string, { protocol: Protocol; unixType?: Socket['unixType'] }> = {
  tcp: { protocol: 'tcp' },
  udp: { protocol: 'udp' },
  u_str: { protocol: 'unix', unixType: 'stream' },
  u_dgr: { protocol: 'unix', unixType: 'dgram' },
  u_seq: { protocol: 'unix', unixType: 'seqpacket' },
};

/** Parses `users:(("name",pid=1,fd=3),("other name",pid=2,fd=4))` starting at `start`; returns the processes and the end index. */
export function parseUsers(line: string, start: number): { processes: ProcessRef[]; end: number } {
  const processes: ProcessRef[] = [];
  let i = start + 'users:('.length;
  const entry = /",pid=(\d+),fd=(\d+)\)/g;
  while (i < line.length && line.startsWith('("', i)) {
    entry.lastIndex = i + 2;
    const m = entry.exec(line);
    if (!m) break;
    processes.push({ name: line.slice(i + 2, m.index), pid: Number(m[1]), fd: Number(m[2]) });
    i = m.index + m[0].length;
    if (line[i] === ',') i++;
  }
  if (line[i] === ')') i++;
  return { processes, end: i };
}

/** Parses an ss duration ("200ms", "59sec", "1.234ms" meaning 1.234 s, "2min5sec", "10min") to milliseconds. */
export function parseSsDuration(text: string): number {
  const m = /^(?:(\d+)min)?(?:(\d+)sec|(\d+)\.(\d+)ms|(\d+)sec)?(?:(\d+)ms)?$/.exec(text);
  if (!m) return Number.NaN;
  let ms = 0;
  if (m[1]) ms += Number(m[1]) * 60_000;
  if (m[2]) ms += Number(m[2]) * 1000;
  if (m[3]) ms += Number(m[3]) * 1000 + Number(m[4]);
  if (m[5]) ms += Number(m[5]) * 1000;
  if (m[6]) ms += Number(m[6]);
  return ms;
}

function parseTimer(body: string): SocketTimer | undefined {
  const [name, when, retrans] = body.split(',');
  const known = ['on', 'keepalive', 'timewait', 'persist', 'unknown', 'off'] as const;
  const n = (known as readonly string[]).includes(name) ? (name as SocketTimer['name']) : 'unknown';
  const expiresMs = parseSsDuration(when ?? '');
  return { name: n, expiresMs: Number.isFinite(expiresMs) ? expiresMs : 0, retrans: retrans ? Number(retrans) : undefined };
}

/** Splits "addr:port", "[v6]:port", "[fe80::1]%eth0:22", "0.0.0.0%lo:53", "*:*" into an endpoint. */
export function parseInetEndpoint(text: string): (Endpoint & { device?: string; star?: boolean }) | null {
  const colon = text.lastIndexOf(':');
  if (colon <= 0) return null;
  const portText = text.slice(colon + 1);
  let host = text.slice(0, colon);
  const port = portText === '*' ? 0 : Number(portText);
  if (!Number.isInteger(port) || port < 0 || port > 65535) return null;
  let device: string | undefined;
  if (host.startsWith('[')) {
    const close = host.indexOf(']');
    if (close < 0) return null;
    const after = host.slice(close + 1);
    if (after.startsWith('%')) device = after.slice(1);
    host = host.slice(1, close);
  } else {
    const pct = host.indexOf('%');
    if (pct >= 0) {
      device = host.slice(pct + 1);
      host = host.slice(0, pct);
    }
  }
  // ss prints a dual-stack (v6only:0) IPv6 wildcard as '*'.
  const star = host === '*';
  if (star) host = '::';
  const n = normalizeAddress(host);
  const scope = n.scope ?? (device && n.address.startsWith('fe80:') ? device : undefined);
  return { address: n.address, port, ...(scope ? { scope } : {}), ...(device ? { device } : {}), ...(star ? { star } : {}) };
}

function parseSkmem(body: string): SkMem {
  const v: Record<string, number> = {};
  for (const part of body.split(',')) {
    const m = /^([a-z]+)(\d+)$/.exec(part);
    if (m) v[m[1]] = Number(m[2]);
  }
  return {
    rmemAlloc: v.r ?? 0,
    rcvbuf: v.rb ?? 0,
    wmemAlloc: v.t ?? 0,
    sndbuf: v.tb ?? 0,
    fwdAlloc: v.f,
    wmemQueued: v.w,
    optmem: v.o,
    backlog: v.bl,
    drops: v.d,
  };
}

const CONGESTION = new Set(['cubic', 'reno', 'bbr', 'bbr2', 'bbr3', 'dctcp', 'vegas', 'westwood', 'htcp', 'bic', 'highspeed', 'hybla', 'illinois', 'lp', 'nv', 'scalable', 'veno', 'yeah', 'cdg']);

/** Reads the tcp_info tokens ss -i prints into TcpInfo; returns undefined when none are present. */
function parseTcpInfo(tokens: string[], from: number): TcpInfo | undefined {
  const info: TcpInfo = {};
  let any = false;
  for (let i = from; i < tokens.length; i++) {
    const t = tokens[i];
    const c = t.indexOf(':');
    if (c < 0) {
      if (CONGESTION.has(t)) {
        info.congestion = t;
        any = true;
      } else if (t === 'delivery_rate' && i + 1 < tokens.length) {
        const bps = Number.parseFloat(tokens[++i]);
        if (Number.isFinite(bps)) info.deliveryRate = Math.round(bps / 8);
        any = true;
      }
      continue;
    }
    const k = t.slice(0, c);
    const v = t.slice(c + 1);
    switch (k) {
      case 'rtt': {
        const [rtt, rttvar] = v.split('/');
        info.rttUs = Math.round(Number(rtt) * 1000);
        if (rttvar !== undefined) info.rttVarUs = Math.round(Number(rttvar) * 1000);
        any = true;
        break;
      }
      case 'rto':
        info.rtoMs = Number(v);
        any = true;
        break;
      case 'cwnd':
        info.cwnd = Number(v);
        any = true;
        break;
      case 'ssthresh':
        info.ssthresh = Number(v);
        break;
      case 'mss':
        info.mss = Number(v);
        break;
      case 'retrans': {
        const [cur, total] = v.split('/');
        info.retrans = Number(cur);
        info.totalRetrans = Number(total ?? cur);
        any = true;
        break;
      }
      case 'bytes_acked':
        info.bytesAcked = Number(v);
        break;
      case 'bytes_received':
        info.bytesReceived = Number(v);
        break;
      case 'bytes_sent':
        info.bytesSent = Number(v);
        break;
      case 'rwnd_limited':
        info.rwndLimitedUs = Math.round(Number.parseFloat(v) * 1000);
        break;
      case 'sndbuf_limited':
        info.sndbufLimitedUs = Math.round(Number.parseFloat(v) * 1000);
        break;
      case 'busy':
        info.busyUs = Math.round(Number.parseFloat(v) * 1000);
        break;
      case 'lastsnd':
        info.lastSendMs = Number(v);
        break;
      case 'lastrcv':
        info.lastRecvMs = Number(v);
        break;
      case 'lastack':
        info.lastAckMs = Number(v);
        break;
      case 'rcv_space':
        info.rcvSpace = Number(v);
        break;
      case 'wscale': {
        const [snd, rcv] = v.split(',');
        info.sndWscale = Number(snd);
        info.rcvWscale = Number(rcv);
        break;
      }
    }
  }
  if (any && info.totalRetrans === undefined) {
    info.retrans = info.retrans ?? 0;
    info.totalRetrans = 0;
  }
  return any ? info : undefined;
}

/** Extracts a parenthesised field such as "timer:(...)" or "skmem:(...)"; returns its body and the rest of the line. */
function takeField(line: string, name: string): { body: string | undefined; rest: string } {
  const at = line.indexOf(` ${name}:(`);
  if (at < 0) return { body: undefined, rest: line };
  const open = at + name.length + 3;
  const close = line.indexOf(')', open);
  if (close < 0) return { body: undefined, rest: line.slice(0, at) };
  return { body: line.slice(open, close), rest: line.slice(0, at) + line.slice(close + 1) };
}

/** Index of the first token that starts the optional tail (users:, timer:, ino:, skmem: ...). */
const TAIL_PREFIX = /^(ino:|sk:|uid:|cgroup:|v6only:|<->|<-|->|--|dev:|peers:|fwmark:|ts$|sack$|wscale:|rto:)/;

/**
 * Parses one line of `ss -tuxanOH` (with any of -p -o -e -i -m). Returns null for unreadable or
 * other-protocol lines. ss drops the Netid column when only one socket type is asked for (`ss -t`):
 * `defaultNetid` ('tcp' or 'udp') is then assumed.
 */
export function parseSsLine(rawLine: string, defaultNetid?: 'tcp' | 'udp'): Socket | null {
  let line = rawLine.replace(/\s+$/, '');
  if (line === '') return null;
  // users:(...) may hold spaces, quotes and parentheses inside process names: cut it out first.
  let processes: ProcessRef[] = [];
  const u = line.indexOf(' users:((');
  if (u >= 0) {
    const r = parseUsers(line, u + 1);
    processes = r.processes;
    line = line.slice(0, u) + line.slice(r.end);
  }
  const timerField = takeField(line, 'timer');
  line = timerField.rest;
  const skmemField = takeField(line, 'skmem');
  line = skmemField.rest;
  // Drop nested parenthesised blocks such as bbr:(...) that carry no fields we use.
  line = line.replace(/ [a-z_]+:\([^)]*\)/g, '');

  const tokens = line.trim().split(/\s+/);
  if (defaultNetid && !NETIDS[tokens[0]] && SS_STATES[tokens[0]]) tokens.unshift(defaultNetid);
  if (tokens.length < 6) return null;
  const netid = NETIDS[tokens[0]];
  const state = SS_STATES[tokens[1]];
  if (!netid || !state) return null;
  const recvQ = Number(tokens[2]);
  const sendQ = Number(tokens[3]);
  if (!Number.isFinite(recvQ) || !Number.isFinite(sendQ)) return null;

  let tail = tokens.length;
  for (let i = 4; i < tokens.length; i++) {
    if (TAIL_PREFIX.test(tokens[i])) {
      tail = i;
      break;
    }
  }
  const sock: Socket = { protocol: netid.protocol, state, local: { address: '', port: 0 }, peer: { address: '', port: 0 }, recvQ, sendQ, processes };

  if (netid.protocol === 'unix') {
    sock.unixType = netid.unixType;
    // [local path tokens..., local inode, peer path tokens..., peer inode]
    const mid = tokens.slice(4, tail);
    if (mid.length < 4) return null;
    const peerIno = mid[mid.length - 1];
    let k = -1;
    for (let j = mid.length - 2; j >= 1; j--) {
      if (/^\d+$/.test(mid[j])) {
        k = j;
        break;
      }
    }
    if (k < 1 || !/^\d+$/.test(peerIno)) return null;
    const localPath = mid.slice(0, k).join(' ');
    const peerPath = mid.slice(k + 1, mid.length - 1).join(' ');
    sock.local = { address: localPath === '*' ? '' : localPath, port: 0 };
    sock.peer = { address: peerPath === '*' ? '' : peerPath, port: 0 };
    sock.inode = Number(mid[k]);
    const peerInode = Number(peerIno);
    if (peerInode > 0) (sock as Socket & { peerInode?: number }).peerInode = peerInode;
  } else {
    if (tail < 6) return null;
    const local = parseInetEndpoint(tokens[4]);
    const peer = parseInetEndpoint(tokens[5]);
    if (!local || !peer) return null;
    const { device, star, ...l } = local;
    const { device: _pd, star: _ps, ...p } = peer;
    sock.local = l;
    sock.peer = p;
    if (device) sock.boundDevice = device;
    // ss brackets every address of an AF_INET6 socket (including IPv4-mapped ones).
    sock.ipVersion = tokens[4].startsWith('[') || star ? 6 : 4;
  }

  for (let i = tail; i < tokens.length; i++) {
    const t = tokens[i];
    if (t.startsWith('ino:') && netid.protocol !== 'unix') sock.inode = Number(t.slice(4));
    else if (t.startsWith('uid:')) sock.uid = Number(t.slice(4));
    else if (t.startsWith('sk:')) {
      const hex = t.slice(3);
      if (/^[0-9a-f]+$/i.test(hex)) sock.cookie = BigInt(`0x${hex}`).toString();
    }
  }
  if (sock.uid === undefined && tail < tokens.length && tokens.slice(tail).some((t) => t.startsWith('ino:'))) sock.uid = 0; // ss -e omits uid:0
  if (timerField.body !== undefined) sock.timer = parseTimer(timerField.body);
  if (skmemField.body !== undefined) sock.skmem = parseSkmem(skmemField.body);
  if (netid.protocol === 'tcp') {
    const info = parseTcpInfo(tokens, tail);
    if (info) sock.tcpInfo = info;
  }
  return sock;
}

/**
 * Parses the whole output of ss (-H, -O); skips empty and unknown lines. ss ends every line with a
 * newline, so a last line without one was cut short (a killed or timed-out ss) and is dropped.
 */
export function parseSs(text: string, defaultNetid?: 'tcp' | 'udp'): Socket[] {
  const p = new SsStreamParser(defaultNetid);
  p.push(Buffer.from(text, 'utf8'));
  return p.end();
}

// ---- The fast path: ss's bytes straight to Socket records ----
//
// At 100,000 sockets the line parser above (regexes, split, token arrays) cost about 400 ms, twice
// what ss itself takes. Nearly every line of a snapshot has one shape: `tcp|udp STATE RQ SQ
// a.b.c.d:port a.b.c.d:port` (or [v6]:port) followed by -o/-e tokens (timer:(...) uid: ino: sk:
// cgroup: v6only: <->). SsStreamParser reads that shape in one pass over the bytes, without
// intermediate strings, and builds the record parseSsLine would build, key for key and in the same
// key order; a line it is not sure of (unix sockets, users:(...), -i/-m details, a device suffix, an
// unexpected token or byte) goes to parseSsLine. test/parse/ss-fast.test.ts holds the two equal on
// every fixture line, on generated lines and across chunk boundaries.

/** Shared by every socket without an owner: attribution replaces the array, never mutates it. */
const NO_PROCESSES = Object.freeze([]) as unknown as ProcessRef[];

const SPACE = 0x20;
const NEWLINE = 0x0a;
const COLON = 0x3a;

/** ss state names as bytes by their length and first byte, for stateAt. */
const STATE_INDEX = new Map<number, [Buffer, SocketState][]>();
for (const [name, state] of Object.entries(SS_STATES)) {
  const key = name.length * 256 + name.charCodeAt(0);
  STATE_INDEX.set(key, [...(STATE_INDEX.get(key) ?? []), [Buffer.from(name, 'latin1'), state]]);
}

/** The state whose ss name is buf[a, b), or undefined. */
function stateAt(buf: Buffer, a: number, b: number): SocketState | undefined {
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
function plain(c: number): boolean {
  return c > SPACE && c < 0x7f;
}

/** Decimal digits in buf[a, b) as a number; -1 when empty, too long or not all digits. */
function digitsAt(buf: Buffer, a: number, b: number): number {
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
function cookieAt(buf: Buffer, a: number, b: number): string | undefined {
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

function startsWithAt(buf: Buffer, a: number, b: number, prefix: string): boolean {
  if (b - a < prefix.length) return false;
  for (let j = 0; j < prefix.length; j++) if (buf[a + j] !== prefix.charCodeAt(j)) return false;
  return true;
}

/** The shutdown arrows ss -e prints last: <-> <-- --> ---. */
function arrowAt(buf: Buffer, a: number, b: number): boolean {
  if (b - a !== 3 || buf[a + 1] !== 0x2d) return false;
  const c0 = buf[a];
  const c2 = buf[a + 2];
  return (c0 === 0x3c || c0 === 0x2d) && (c2 === 0x3e || c2 === 0x2d);
}

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

  /** The sockets of every complete line; a last line without its newline was cut short and is dropped. */
  end(): Socket[] {
    this.rest = null;
    return this.out;
  }

  /** buf[from, to) holds whole lines: `to` is just past a newline. */
  private lines(buf: Buffer, from: number, to: number): void {
    let start = from;
    while (start < to) {
      const next = this.fastLine(buf, start);
      if (next > 0) {
        start = next;
        continue;
      }
      const end = buf.indexOf(NEWLINE, start);
      this.slowLines++;
      const s = parseSsLine(buf.toString('utf8', start, end), this.defaultNetid);
      if (s) this.out.push(s);
      start = end + 1;
    }
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
        if (digitsAt(buf, t0 + 7, i) < 0) return -1;
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
    this.out.push(sock);
    return i + 1;
  }
}
