// Pure parser for Windows `netstat -ano` (and `-anob`): Proto, Local Address, Foreign Address, State, PID.
//
// Format facts (fixtures in test/fixtures/netstat-windows were written by hand from that format): lines are
// indented by two spaces and end in CRLF; IPv6 addresses are bracketed, with the zone as a number
// ([fe80::1%12]:139); the foreign address of UDP sockets is "*:*" and their State is blank; states are
// LISTENING, SYN_SENT, SYN_RECEIVED, ESTABLISHED, FIN_WAIT_1, FIN_WAIT_2, CLOSE_WAIT, CLOSING, LAST_ACK,
// TIME_WAIT, CLOSED, DELETE_TCB and BOUND (mapped to the kernel names); the words are localized on non-English
// Windows, and such lines are skipped. There are no Recv-Q/Send-Q columns (0 here, sendQUnknown), no inode
// and no fd; the process name is only known with -b, on the line after the connection: " [svchost.exe]".
import type { Socket } from '../model/socket.js';
import { NETSTAT_STATES, completeLines, parseHostPort } from './netstat-common.js';

const LINE = /^\s*(TCP|UDP)\s+(\S+)\s+(\S+)\s+(?:([A-Z][A-Z0-9_]*)\s+)?(\d+)\s*$/;
const OWNER = /^\s*\[(.+)\]\s*$/;

/** Parses one connection line; null for headers, -b owner lines and anything malformed. */
export function parseWindowsNetstatLine(line: string): Socket | null {
  const m = LINE.exec(line);
  if (!m) return null;
  const protocol = m[1] === 'TCP' ? 'tcp' : 'udp';
  const local = parseHostPort(m[2], ':');
  if (!local) return null;
  const peer = parseHostPort(m[3], ':', local.v6);
  if (!peer) return null;
  const word = m[4] ?? '';
  let state = NETSTAT_STATES[word];
  if (!state) {
    if (protocol === 'udp' && word === '') state = 'CLOSE';
    else return null;
  }
  const pid = Number(m[5]);
  const sock: Socket = {
    protocol,
    ipVersion: local.v6 ? 6 : 4,
    state,
    local: local.scope ? { address: local.address, port: local.port, scope: local.scope } : { address: local.address, port: local.port },
    peer: peer.scope ? { address: peer.address, port: peer.port, scope: peer.scope } : { address: peer.address, port: peer.port },
    recvQ: 0,
    sendQ: 0,
    sendQUnknown: true,
    recvQUnknown: true,
    // PID 0 is the System Idle Process: TIME_WAIT and other sockets no process owns.
    processes: pid > 0 ? [{ pid, name: '', fd: -1 }] : [],
  };
  return sock;
}

/** Parses the whole output; with -b, " [name.exe]" lines name the process of the connection above them. */
export function parseWindowsNetstat(text: string): Socket[] {
  const out: Socket[] = [];
  let last: Socket | undefined;
  for (const line of completeLines(text)) {
    const s = parseWindowsNetstatLine(line);
    if (s) {
      out.push(s);
      last = s;
      continue;
    }
    const o = OWNER.exec(line);
    if (o && last && last.processes.length === 1 && last.processes[0].name === '') {
      last.processes = [{ ...last.processes[0], name: o[1] }];
    }
  }
  return out;
}
