// Pure parser for net-tools `netstat -tunaW [-e] [-p] [-o]` and `netstat -xan [-p]` (Linux).
//
// Format facts (net-tools 2.10, checked on captures in test/fixtures/netstat-nettools):
// - inet lines: Proto Recv-Q Send-Q Local Foreign State [User Inode] [PID/Program name]; the State of an
//   unconnected UDP socket is blank; IPv4-mapped addresses on tcp6 are printed as IPv4.
// - PID/Program name is "PID/" + argv[0] (its basename when argv[0] starts with '/'), cut to 19 characters,
//   '-' when the owner is unknown or hidden; it may contain spaces, quotes, parentheses and raw control bytes.
// - net-tools shows one process per socket even when several share it, and 0 as Send-Q of a LISTEN socket.
// - unix lines: fixed columns "%-5s %-6ld %-11s %-10s %-13s %-8lu [%-20s ]path"; net-tools reads the path
//   with sscanf("%s"), so a path with a space is cut at the space.
// - -o (--timers) ends each inet line with " NAME (SECONDS/RETR/PROBES)" and adds "Timer" to the header;
//   unix lines are unchanged. NAME is the tr field of /proc/net/tcp: off, on, keepalive, timewait, probe
//   (the zero-window persist timer), unkn-N; SECONDS is "%2.2f" of the clock_t delta over USER_HZ; RETR is
//   icsk_retransmits (SYN retransmissions of a SYN_SENT socket), PROBES icsk_probes_out (the kernel's
//   "timeout" column). UDP sockets have no timer ("off (0.00/0/0)").
import type { Socket, SocketTimer } from '../model/socket.js';
import { markUnixQueuesUnknown } from './proc-unix.js';
import { NETSTAT_STATES, NETSTAT_UNIX_STATES, NETSTAT_UNIX_TYPES, completeLines, parseHostPort, parsePidProgram } from './netstat-common.js';

interface Columns {
  extended: boolean;
  program: boolean;
  /** -o: a Timer column ends the line. */
  timer?: boolean;
}

/** The Timer column's text: "NAME (SECONDS/RETR/PROBES)". */
const TIMER = /^(off|on\d*|keepalive|timewait|probe|unkn-\d+) \((\d+(?:[.,]\d+)?)\/(-?\d+)\/(-?\d+)\)\s*$/;

/**
 * Where the Timer column starts in the rest of an inet line, or -1. It is always last and holds one space
 * (before its parenthesis), so it is found from the end: a program name holding the same text cannot pass for it.
 */
function timerStart(rest: string): number {
  const open = rest.lastIndexOf(' (');
  return open < 0 ? -1 : rest.lastIndexOf(' ', open - 1) + 1;
}
/** A delta above 2^31 ticks is an expired timer printed unsigned by old kernels (as procfs-net.ts reads it). */
const MAX_TIMER_SECONDS = 0x7fffffff / 100;

/**
 * netstat -o's timer text ("on (0.20/3/0)") as a SocketTimer, with the names and counts ss -o and the
 * netlink source give: probe is persist; retrans is the retransmit count for on and timewait, and the
 * probe count for persist and keepalive (inet_diag's idiag_retrans). Undefined for off (no timer, as ss
 * prints none) and for text that is not a timer.
 */
export function parseNetToolsTimer(text: string): SocketTimer | undefined {
  const m = TIMER.exec(text);
  if (!m || m[1] === 'off') return undefined;
  const name: SocketTimer['name'] = m[1] === 'probe' ? 'persist' : m[1].startsWith('on') ? 'on' : m[1] === 'keepalive' || m[1] === 'timewait' ? m[1] : 'unknown';
  const seconds = Number(m[2].replace(',', '.'));
  const expiresMs = Number.isFinite(seconds) && seconds >= 0 && seconds <= MAX_TIMER_SECONDS ? Math.round(seconds * 1000) : 0;
  const retrans = Number(name === 'persist' || name === 'keepalive' ? m[4] : m[3]);
  return { name, expiresMs, retrans: Math.max(0, retrans) };
}

const INET = /^(tcp6?|udp6?|udpl6?)\s+(\d+)\s+(\d+)\s+(\S+)\s+(\S+)(?:\s+(.*))?$/s;
const UNIX = /^(unix)\s+(\d+)\s+\[ ([A-Z ]*)\]\s+(\S+)\s+?((?:[A-Z]+)?)\s+(\d+)/;

/** Parses one inet line given which optional columns the header announced. */
export function parseNetToolsInetLine(line: string, cols: Columns): Socket | null {
  const m = INET.exec(line);
  if (!m) return null;
  const proto = m[1];
  const v6 = proto.endsWith('6');
  const local = parseHostPort(m[4], ':', v6);
  const peer = parseHostPort(m[5], ':', v6);
  if (!local || !peer) return null;
  let rest = m[6] ?? '';
  let timer: SocketTimer | undefined;
  if (cols.timer) {
    // Taken off the end first: it follows the program name, which may hold anything.
    const at = timerStart(rest);
    // "off (0.00/0/0)", on nearly every line, is no timer: not worth the regex (10,000 lines: 10 ms less).
    const off = at >= 0 && rest.startsWith('off (', at) && rest.endsWith(')');
    if (off || (at >= 0 && (timer = parseNetToolsTimer(rest.slice(at))))) rest = rest.slice(0, at);
  }
  let stateWord = '';
  const sm = /^([A-Z][A-Z0-9_]*)(?:\s+|$)/.exec(rest);
  if (sm && (NETSTAT_STATES[sm[1]] || sm[1] === 'UNKNOWN')) {
    stateWord = sm[1];
    rest = rest.slice(sm[0].length);
  }
  const protocol = proto.startsWith('tcp') ? 'tcp' : 'udp';
  let state = NETSTAT_STATES[stateWord];
  if (!state) {
    if (protocol === 'udp' && stateWord === '') state = 'CLOSE';
    else return null;
  }
  const sock: Socket = {
    protocol,
    ipVersion: v6 ? 6 : 4,
    state,
    local: stripV6(local),
    peer: stripV6(peer),
    recvQ: Number(m[2]),
    sendQ: Number(m[3]),
    processes: [],
  };
  if (state === 'LISTEN') sock.sendQUnknown = true;
  if (timer) sock.timer = timer;
  if (cols.extended) {
    const em = /^(\S+)\s+(\d+)(?:\s+|$)/.exec(rest);
    if (!em) return null;
    if (/^\d+$/.test(em[1])) sock.uid = Number(em[1]);
    sock.inode = Number(em[2]);
    rest = rest.slice(em[0].length);
  }
  if (cols.program) {
    const p = parsePidProgram(rest.replace(/ +$/, ''));
    if (p) sock.processes = [p];
  }
  return sock;
}

/** Parses one unix line; `program` says whether the PID/Program name column is present. */
export function parseNetToolsUnixLine(line: string, program: boolean): Socket | null {
  const m = UNIX.exec(line);
  if (!m) return null;
  const state = (m[3].includes('ACC') ? 'LISTEN' : NETSTAT_UNIX_STATES[m[5]]) ?? null;
  if (!state) return null;
  const inodeEnd = m[0].length;
  const inodeText = m[6];
  // The inode column is %-8lu followed by one space; PID/Program name is %-20s followed by one space.
  const afterInode = inodeEnd - inodeText.length + Math.max(8, inodeText.length) + 1;
  let pathStart = afterInode;
  // A complete line always carries the inode's padding (and the program column when announced).
  if (line.length < afterInode + (program ? 1 : 0)) return null;
  const sock: Socket = {
    protocol: 'unix',
    state,
    local: { address: '', port: 0 },
    peer: { address: '', port: 0 },
    recvQ: 0,
    sendQ: 0,
    inode: Number(inodeText),
    processes: [],
  };
  markUnixQueuesUnknown(sock);
  const type = NETSTAT_UNIX_TYPES[m[4]];
  if (type) sock.unixType = type;
  if (program) {
    const field = line.slice(afterInode, afterInode + 20).replace(/ +$/, '');
    const p = parsePidProgram(field);
    if (p) sock.processes = [p];
    pathStart = afterInode + Math.max(20, field.length) + 1;
  }
  sock.local.address = line.length > pathStart ? line.slice(pathStart).replace(/ +$/, '') : '';
  return sock;
}

/** IPv6 wildcard/addresses keep their family in ipVersion; the endpoint itself only needs address/port/scope. */
function stripV6(e: { address: string; port: number; scope?: string }): Socket['local'] {
  return e.scope ? { address: e.address, port: e.port, scope: e.scope } : { address: e.address, port: e.port };
}

/**
 * Parses `netstat -tunaW[e][p][o]` and/or `netstat -xan[p]` output (both sections may be in one text).
 * Header lines decide which optional columns exist; malformed lines and a truncated last line are skipped.
 */
export function parseNetTools(text: string): Socket[] {
  const out: Socket[] = [];
  let cols: Columns = { extended: false, program: false };
  let unixProgram = false;
  for (const line of completeLines(text)) {
    if (line.startsWith('Proto ')) {
      if (line.includes('RefCnt')) unixProgram = line.includes('PID/Program');
      else cols = { extended: /\bInode\b/.test(line), program: line.includes('PID/Program'), timer: /\sTimer\s*$/.test(line) };
      continue;
    }
    const s = line.startsWith('unix') ? parseNetToolsUnixLine(line, unixProgram) : parseNetToolsInetLine(line, cols);
    if (s) out.push(s);
  }
  return out;
}
