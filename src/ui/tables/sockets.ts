// The port view's table: one row per socket (peer, state, queues, timer, rtt, retransmits, cwnd, process).
import { escapeControl } from '../../model/escape.js';
import { formatEndpoint, type Socket } from '../../model/socket.js';
import { compactNumber, micros, millis, socketProcessLabel } from '../format.js';
import type { Column } from '../layout.js';
import type { SortDef } from './sorting.js';

export interface SocketRow {
  id: string;
  socket: Socket;
}

/** The far end as text: address:port, or the unix peer (escaped path or inode). */
export function peerLabel(s: Socket): string {
  if (s.protocol === 'unix') return s.peer.address ? escapeControl(s.peer.address) : s.peer.port ? `inode ${s.peer.port}` : '*';
  return escapeControl(formatEndpoint(s.peer));
}

/**
 * The peer address without the port (unix: the peer label), escaped (an IPv6 zone is an interface name):
 * what the port view groups by (p) and the value of the `peer=` filter word its drill sets.
 */
export function peerAddress(s: Socket): string {
  if (s.protocol === 'unix') return peerLabel(s);
  if (!s.peer.address) return '*';
  return escapeControl(s.peer.scope ? `${s.peer.address}%${s.peer.scope}` : s.peer.address);
}

/** Timer as ss shows it: "keepalive 7.1s/0". */
export function timerLabel(s: Socket): string {
  const t = s.timer;
  if (!t || t.name === 'off') return '-';
  return `${t.name} ${millis(t.expiresMs)}${t.retrans ? `/${t.retrans}` : ''}`;
}

/**
 * The socket's tcp_info as a connection's measurements: none for a listener, whose rtt and retransmits are 0
 * because nothing was measured (ss -ti shows none). The RTT and RETR cells and their sorts read this.
 */
const measured = (s: Socket) => (s.state === 'LISTEN' ? undefined : s.tcpInfo);
const retransmits = (s: Socket) => measured(s)?.totalRetrans ?? measured(s)?.retrans;

export const SOCKET_COLUMNS: readonly Column<SocketRow>[] = [
  { id: 'peer', title: 'PEER', width: 'flex', minWidth: 14, cell: (r) => peerLabel(r.socket) },
  { id: 'local', title: 'LOCAL', width: 'flex', minWidth: 14, from: 'huge', cell: (r) => escapeControl(formatEndpoint(r.socket.local, r.socket.protocol)) },
  { id: 'state', title: 'STATE', width: 11, cell: (r) => r.socket.state },
  { id: 'recvq', title: 'RECV-Q', width: 7, align: 'right', cell: (r) => (r.socket.recvQUnknown ? '?' : compactNumber(r.socket.recvQ)) },
  { id: 'sendq', title: 'SEND-Q', width: 7, align: 'right', cell: (r) => (r.socket.sendQUnknown ? '?' : compactNumber(r.socket.sendQ)) },
  { id: 'timer', title: 'TIMER', width: 14, from: 'medium', cell: (r) => timerLabel(r.socket) },
  { id: 'rtt', title: 'RTT', width: 7, align: 'right', cell: (r) => micros(measured(r.socket)?.rttUs) },
  { id: 'retr', title: 'RETR', width: 5, align: 'right', cell: (r) => String(retransmits(r.socket) ?? '-') },
  { id: 'cwnd', title: 'CWND', width: 5, align: 'right', from: 'medium', cell: (r) => String(r.socket.tcpInfo?.cwnd ?? '-') },
  { id: 'process', title: 'PROCESS', width: 'flex', minWidth: 10, cell: (r) => socketProcessLabel(r.socket) },
];

/**
 * The outgoing drill (Tab, Enter on a peer port): every row goes to the same peer port, often the same peer,
 * so the local port comes first: it is what tells the sockets apart (the whole local endpoint from 160 columns).
 */
export const OUTGOING_SOCKET_COLUMNS: readonly Column<SocketRow>[] = [
  { id: 'lport', title: 'LPORT', width: 6, align: 'right', cell: (r) => (r.socket.local.port ? String(r.socket.local.port) : '*') },
  ...SOCKET_COLUMNS,
];

const STATE_ORDER: Record<string, number> = { LISTEN: 0, ESTABLISHED: 1, SYN_RECV: 2, SYN_SENT: 3, CLOSE_WAIT: 4, FIN_WAIT1: 5, FIN_WAIT2: 6, LAST_ACK: 7, CLOSING: 8, TIME_WAIT: 9, CLOSE: 10 };

export const SOCKET_SORTS: readonly SortDef<SocketRow>[] = [
  { id: 'state', label: 'state', desc: false, key: (r) => STATE_ORDER[r.socket.state] ?? 99 },
  { id: 'peer', label: 'peer', desc: false, key: (r) => peerLabel(r.socket) },
  { id: 'recvq', label: 'RECV-Q', desc: true, key: (r) => r.socket.recvQ },
  { id: 'sendq', label: 'SEND-Q', desc: true, key: (r) => r.socket.sendQ },
  { id: 'rtt', label: 'RTT', desc: true, key: (r) => measured(r.socket)?.rttUs ?? -1 },
  { id: 'retr', label: 'retransmits', desc: true, key: (r) => retransmits(r.socket) ?? -1 },
];

/** The outgoing drill's sorts: the socket list's, and by local port. */
export const OUTGOING_SOCKET_SORTS: readonly SortDef<SocketRow>[] = [...SOCKET_SORTS, { id: 'lport', label: 'local port', desc: false, key: (r) => r.socket.local.port }];

/** What the `peer=` filter word selects exactly (the by-peer drill). */
export function socketExactTerms(r: SocketRow): { peer: string } {
  return { peer: peerAddress(r.socket) };
}

export function socketSearchTerms(r: SocketRow): string[] {
  const s = r.socket;
  const terms = [peerLabel(s), formatEndpoint(s.local, s.protocol), s.state, s.protocol];
  for (const p of s.processes) terms.push(escapeControl(p.name), String(p.pid));
  return terms;
}
