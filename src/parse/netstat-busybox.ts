// Pure parser for busybox `netstat -tuan[W][p]` and `netstat -xan[p]` (the -p and -W options exist only when
// busybox was built with FEATURE_NETSTAT_PRG / FEATURE_NETSTAT_WIDE, as on Alpine; Debian's build has neither).
//
// Format facts (busybox networking/netstat.c, checked on the Debian captures in test/fixtures/netstat-busybox):
// - inet: "%s   %6lu %6lu %-23s %-23s %-12s" (51-wide addresses with -W) then, with -p, "%.20s" right after the
//   padded State: "PID/" + basename of argv[0], at most 19 characters, '-' when unknown or hidden.
// - Proto is "tcp"/"udp" for IPv4 and IPv6 alike; IPv4-mapped addresses stay "::ffff:a.b.c.d"; the State of an
//   unconnected UDP socket is blank; without -W a long IPv6 address is cut to fit its column.
// - unix: "%-5s %-6lu %-11s %-10s %-13s %6lu " then, with -p, "%-20s", then the whole path with control bytes
//   shown as ^X (fputc_printable); spaces in paths are kept.
// - No uid, no inode for inet sockets, no timers; one process per socket.
import type { Socket } from '../model/socket.js';
import { markUnixQueuesUnknown } from './proc-unix.js';
import { NETSTAT_STATES, NETSTAT_UNIX_STATES, NETSTAT_UNIX_TYPES, completeLines, parseHostPort, parsePidProgram } from './netstat-common.js';

const INET = /^(tcp|udp|tcp6|udp6)\s+(\d+)\s+(\d+)\s+(\S+)\s+(\S+)(?: (.*))?$/s;
const UNIX = /^(unix)\s+(\d+)\s+\[ ([A-Z ]*)\]\s+(\S+)\s+?((?:[A-Z]+)?)\s+(\d+) /;

/** Parses one inet line; `program` says whether the header announced PID/Program name. */
export function parseBusyboxInetLine(line: string, program: boolean): Socket | null {
  const m = INET.exec(line);
  if (!m) return null;
  const protocol = m[1].startsWith('tcp') ? 'tcp' : 'udp';
  const local = parseHostPort(m[4], ':');
  const peer = parseHostPort(m[5], ':', local?.v6);
  if (!local || !peer) return null;
  const rest = (m[6] ?? '').replace(/^ +/, '');
  const sm = /^(?:([A-Z][A-Z0-9_]*)(?: +|$))?(.*)$/s.exec(rest);
  if (!sm) return null;
  const word = sm[1] ?? '';
  let state = NETSTAT_STATES[word];
  if (!state) {
    if (protocol === 'udp' && word === '') state = 'CLOSE';
    else return null;
  }
  const v6 = local.v6 || peer.v6 || m[1].endsWith('6');
  const sock: Socket = {
    protocol,
    ipVersion: v6 ? 6 : 4,
    state,
    local: endpoint(local),
    peer: endpoint(peer),
    recvQ: Number(m[2]),
    sendQ: Number(m[3]),
    processes: [],
  };
  if (v6 && local.address === '0.0.0.0') sock.local.address = '::';
  if (state === 'LISTEN') sock.sendQUnknown = true;
  if (program) {
    const p = parsePidProgram(sm[2].replace(/ +$/, ''));
    if (p) sock.processes = [p];
  }
  return sock;
}

/** Parses one unix line. */
export function parseBusyboxUnixLine(line: string, program: boolean): Socket | null {
  const m = UNIX.exec(line);
  if (!m) return null;
  const state = m[3].includes('ACC') ? 'LISTEN' : NETSTAT_UNIX_STATES[m[5]];
  if (!state) return null;
  let rest = line.slice(m[0].length);
  const sock: Socket = {
    protocol: 'unix',
    state,
    local: { address: '', port: 0 },
    peer: { address: '', port: 0 },
    recvQ: 0,
    sendQ: 0,
    inode: Number(m[6]),
    processes: [],
  };
  markUnixQueuesUnknown(sock);
  const type = NETSTAT_UNIX_TYPES[m[4]];
  if (type) sock.unixType = type;
  if (program) {
    const p = parsePidProgram(rest.slice(0, 20).replace(/ +$/, ''));
    if (p) sock.processes = [p];
    rest = rest.slice(20);
  }
  sock.local.address = rest;
  return sock;
}

function endpoint(e: { address: string; port: number; scope?: string }): Socket['local'] {
  return e.scope ? { address: e.address, port: e.port, scope: e.scope } : { address: e.address, port: e.port };
}

/** Parses busybox netstat output (inet and/or unix sections); malformed lines and a truncated last line are skipped. */
export function parseBusybox(text: string): Socket[] {
  const out: Socket[] = [];
  let inetProgram = false;
  let unixProgram = false;
  for (const line of completeLines(text)) {
    if (line.startsWith('Proto ')) {
      if (line.includes('RefCnt')) unixProgram = line.includes('PID/Program');
      else inetProgram = line.includes('PID/Program');
      continue;
    }
    const s = line.startsWith('unix') ? parseBusyboxUnixLine(line, unixProgram) : parseBusyboxInetLine(line, inetProgram);
    if (s) out.push(s);
  }
  return out;
}
