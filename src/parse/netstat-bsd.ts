// Pure parser for BSD / macOS `netstat -an -p tcp` (and `-p udp`): "127.0.0.1.8080", "*.80", "fe80::1%lo0.5353".
//
// Format facts (macOS and FreeBSD netstat inet.c; fixtures in test/fixtures/netstat-bsd were written by hand
// from that format): Proto is tcp4 / tcp6 / tcp46 (a dual-stack socket) / udp4 / udp6 / udp46 (OpenBSD: tcp,
// tcp6); the port follows the LAST dot; '*' is the wildcard address or port; the state is in the kernel's BSD
// spelling (SYN_RCVD, FIN_WAIT_1, CLOSED...) and blank for UDP. Without -W long IPv6 addresses are cut to fit
// the column (the cut text is kept as is). No process, inode or uid columns.
import type { Socket } from '../model/socket.js';
import { NETSTAT_STATES, completeLines, parseHostPort } from './netstat-common.js';

const LINE = /^(tcp|udp)(4|6|46)?\s+(\d+)\s+(\d+)\s+(\S+)\s+(\S+)(?:\s+([A-Z][A-Z0-9_]*))?\s*$/;

/** Parses one data line; null for headers and anything malformed. */
export function parseBsdNetstatLine(line: string): Socket | null {
  const m = LINE.exec(line);
  if (!m) return null;
  const protocol = m[1] as 'tcp' | 'udp';
  const fam = m[2];
  const wildV6 = fam === '6' || fam === '46';
  const local = parseHostPort(m[5], '.', wildV6);
  const peer = parseHostPort(m[6], '.', wildV6);
  if (!local || !peer) return null;
  const word = m[7] ?? '';
  let state = NETSTAT_STATES[word];
  if (!state) {
    if (protocol === 'udp' && word === '') state = 'CLOSE';
    else return null;
  }
  const v6 = fam ? wildV6 : local.v6 || peer.v6;
  const sock: Socket = {
    protocol,
    ipVersion: v6 ? 6 : 4,
    state,
    local: local.scope ? { address: local.address, port: local.port, scope: local.scope } : { address: local.address, port: local.port },
    peer: peer.scope ? { address: peer.address, port: peer.port, scope: peer.scope } : { address: peer.address, port: peer.port },
    recvQ: Number(m[3]),
    sendQ: Number(m[4]),
    processes: [],
  };
  // BSD netstat prints so_qlen / so_qlimit for listeners on some versions and 0 on others: treat as unknown.
  if (state === 'LISTEN') sock.sendQUnknown = true;
  return sock;
}

/** Parses the whole output; headers, other sections and a truncated last line are skipped. */
export function parseBsdNetstat(text: string): Socket[] {
  const out: Socket[] = [];
  for (const line of completeLines(text)) {
    const s = parseBsdNetstatLine(line);
    if (s) out.push(s);
  }
  return out;
}
