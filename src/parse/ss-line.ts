// Pure line parser for `ss -tuxanOH` output, with the optional -p (users:), -o (timer:), -e (uid, ino, sk),
// -i (tcp_info) and -m (skmem:) fields (the last two read by ss-details.ts). One socket per line (-O), except
// that ss prints unix names and process names byte for byte: a newline in one splits the record, and SsRecord
// (ss-records.ts) joins the pieces again. Lines it cannot read give null; SsRecord counts them.
// Whole outputs go through SsStreamParser (ss-stream.ts), which reads the common line shape itself and
// hands every other line to ss-records.ts and so to parseSsLine; ss.ts is the entry point for both.
import { normalizeAddress, type Endpoint, type ProcessRef, type Protocol, type Socket, type SocketState, type SocketTimer } from '../model/socket.js';
import { parseSkmem, parseSsTcpInfo } from './ss-details.js';

/** ss's state names to the model's states (UNCONN: an unconnected datagram socket). */
export const SS_STATES: Record<string, SocketState> = {
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

/** ss's Netid column to protocol and unix type. */
export const NETIDS: Record<string, { protocol: Protocol; unixType?: Socket['unixType'] }> = {
  tcp: { protocol: 'tcp' },
  udp: { protocol: 'udp' },
  u_str: { protocol: 'unix', unixType: 'stream' },
  u_dgr: { protocol: 'unix', unixType: 'dgram' },
  u_seq: { protocol: 'unix', unixType: 'seqpacket' },
};

function digitsOnly(s: string, a: number, b: number): boolean {
  if (b <= a) return false;
  for (let i = a; i < b; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x30 || c > 0x39) return false;
  }
  return true;
}

/**
 * Reads ss's unix columns `[pad]NAME INODE[pad]PEER PEER_INODE[pad]`: each name field is right-aligned
 * and ends with one space before its inode field, which is left-aligned. Names keep every byte ss
 * printed (spaces, tabs, newlines, a trailing space: `@trailing space ` is `@trailing space  1234`);
 * only the padding before a name is dropped. The local inode is the last ` DIGITS ` before the peer
 * (a peer name is '*' or a bound name). Null when `mid` does not read so.
 */
export function parseUnixColumns(mid: string): { local: string; inode: number; peer: string; peerInode: number } | null {
  let end = mid.length;
  while (end > 0 && mid.charCodeAt(end - 1) === 0x20) end--;
  const sp = mid.lastIndexOf(' ', end - 1);
  if (sp <= 0 || !digitsOnly(mid, sp + 1, end)) return null;
  for (let k = mid.lastIndexOf(' ', sp - 1); k > 0; k = mid.lastIndexOf(' ', k - 1)) {
    const j = mid.lastIndexOf(' ', k - 1);
    if (j < 0 || !digitsOnly(mid, j + 1, k)) continue;
    let a = 0;
    while (a < j && mid.charCodeAt(a) === 0x20) a++;
    let b = k + 1;
    while (b < sp && mid.charCodeAt(b) === 0x20) b++;
    if (a === j || b === sp) return null;
    const local = mid.slice(a, j);
    const peer = mid.slice(b, sp);
    return { local: local === '*' ? '' : local, inode: Number(mid.slice(j + 1, k)), peer: peer === '*' ? '' : peer, peerInode: Number(mid.slice(sp + 1, end)) };
  }
  return null;
}

/**
 * Where the -e/-p tail of a unix record starts in `line` (at or after `from`): the first token (tokens
 * split on spaces only, so a name's tab or newline stays inside its token) that starts like a tail
 * field (`prefix`) and follows a number, the peer inode. line.length when there is none.
 */
export function unixTailStart(line: string, from: number, prefix: RegExp = TAIL_PREFIX): number {
  let prevDigits = false;
  let i = from;
  for (;;) {
    while (line.charCodeAt(i) === 0x20) i++;
    if (i >= line.length) return line.length;
    let e = line.indexOf(' ', i);
    if (e < 0) e = line.length;
    if (prevDigits && prefix.test(line.slice(i, e))) return i;
    prevDigits = digitsOnly(line, i, e);
    i = e;
  }
}

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

/** The body of ss -o's timer:(name,expires,retrans) as a SocketTimer; undefined when it does not read as one. */
export function parseTimer(body: string): SocketTimer | undefined {
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
  // Drop nested parenthesised blocks such as bbr:(...) that carry no fields we use (tcp -i only: in a
  // unix line, one starting with u_, the pattern could eat part of a name).
  let lead = 0;
  while (line.charCodeAt(lead) === 0x20) lead++;
  if (line.charCodeAt(lead) !== 0x75 || line.charCodeAt(lead + 1) !== 0x5f) line = line.replace(/ [a-z_]+:\([^)]*\)/g, '');

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
  const sock: Socket = { protocol: netid.protocol, state, local: { address: '', port: 0 }, peer: { address: '', port: 0 }, recvQ, sendQ, processes };

  if (netid.protocol === 'unix') {
    sock.unixType = netid.unixType;
    // The names are read from the text itself, not from whitespace-split tokens, so that they keep
    // their spaces, tabs and newlines as ss printed them.
    const head = /^\s*\S+\s+\S+\s+\S+\s+\S+/.exec(line);
    if (!head) return null;
    const tailAt = unixTailStart(line, head[0].length);
    const cols = parseUnixColumns(line.slice(head[0].length, tailAt));
    if (!cols) return null;
    sock.local = { address: cols.local, port: 0 };
    sock.peer = { address: cols.peer, port: 0 };
    sock.inode = cols.inode;
    if (cols.peerInode > 0) (sock as Socket & { peerInode?: number }).peerInode = cols.peerInode;
    tokens.length = 4;
    if (tailAt < line.length) for (const t of line.slice(tailAt).trim().split(/\s+/)) tokens.push(t);
    tail = 4;
  } else {
    for (let i = 4; i < tokens.length; i++) {
      if (TAIL_PREFIX.test(tokens[i])) {
        tail = i;
        break;
      }
    }
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

  let v6only: boolean | undefined;
  for (let i = tail; i < tokens.length; i++) {
    const t = tokens[i];
    if (t.startsWith('v6only:') && /^v6only:\d+$/.test(t)) v6only = t !== 'v6only:0';
    else if (t.startsWith('ino:') && netid.protocol !== 'unix') sock.inode = Number(t.slice(4));
    else if (t.startsWith('uid:')) sock.uid = Number(t.slice(4));
    else if (t.startsWith('sk:')) {
      const hex = t.slice(3);
      if (/^[0-9a-f]+$/i.test(hex)) sock.cookie = BigInt(`0x${hex}`).toString();
    }
  }
  // ss -e omits uid:0 of a TCP or UDP socket. A unix line never has a uid: its ino: (path-bound sockets) is
  // the bound file's inode, so uid 0 cannot be inferred from it.
  if (sock.uid === undefined && netid.protocol !== 'unix' && tail < tokens.length && tokens.slice(tail).some((t) => t.startsWith('ino:'))) sock.uid = 0;
  if (timerField.body !== undefined) sock.timer = parseTimer(timerField.body);
  if (skmemField.body !== undefined) sock.skmem = parseSkmem(skmemField.body);
  if (netid.protocol === 'tcp') {
    const info = parseSsTcpInfo(tokens, tail);
    if (info) sock.tcpInfo = info;
  }
  // ss -e prints v6only: for every AF_INET6 socket; kept where it changes what the socket serves (Socket.v6only).
  if (v6only !== undefined && sock.ipVersion === 6 && sock.local.address === '::') sock.v6only = v6only;
  return sock;
}
