// The port view's table: one row per socket (peer, state, queues, timer, rtt, retransmits, cwnd, process).
import { isListener } from '../../model/aggregate.js';
import { escapeControl } from '../../model/escape.js';
import { formatEndpoint, normalizeAddress, type Socket } from '../../model/socket.js';
import { wildcardFamilies } from '../../report/print-analyze.js';
import { bytes, compactNumber, micros, millis, socketProcessLabel, stateLabel } from '../format.js';
import type { Column } from '../layout.js';
import { nameTerms, stateTerms, type ParsedTerm } from './filter.js';
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
  const text = s.peer.scope ? `${s.peer.address}%${s.peer.scope}` : s.peer.address;
  // The `peer=` filter asks this of every row: most addresses need no escape, and escapeControl copies
  // character by character (measured: about 50 ms of the filter's pass at 100,000 sockets).
  return PRINTABLE.test(text) ? text : escapeControl(text);
}

/** Text escapeControl leaves as it is: printable ASCII but the backslash. */
const PRINTABLE = /^[\x20-\x5b\x5d-\x7e]*$/;

/**
 * Which clients a listener on :: takes (IPV6_V6ONLY: "IPv6 only", "IPv4+IPv6", or "v6only unknown" from
 * procfs and netstat); undefined for any other socket. Its PEER cell says so: [::]:* reads the same for both.
 */
export function listenerFamilies(s: Socket): string | undefined {
  return s.ipVersion === 6 && s.local.address === '::' && isListener(s) ? wildcardFamilies(s.v6only ?? null) : undefined;
}

/** The PEER cell: the far end, and for a listener on :: which clients it takes. */
function peerCell(s: Socket): string {
  // A unix peer with its inode, as ss -x prints it (`* 54438160`): mostly unnamed, the inode tells the peers apart.
  if (s.protocol === 'unix' && s.peerInode !== undefined) return `${peerLabel(s)} ${s.peerInode}`;
  const families = listenerFamilies(s);
  return families === undefined ? peerLabel(s) : `${peerLabel(s)} (${families})`;
}

/**
 * A `peer=` value (lowercase) in the forms the PEER column, ss and server logs print: ADDRESS, [ADDRESS],
 * [ADDRESS]:PORT, a.b.c.d:PORT, with an IPv6 zone (%eth0) or v4-mapped (::ffff:a.b.c.d, which the model
 * holds as a.b.c.d), normalized as the sockets' addresses are; undefined when it is none of them. An IPv6
 * address takes brackets before a port, as ss writes it: ::1:8080 is an address.
 */
export function parsePeerWord(typed: string): { address: string; scope?: string; port?: number } | undefined {
  let host = typed;
  let portText: string | undefined;
  if (typed.startsWith('[')) {
    const close = typed.indexOf(']');
    if (close < 0) return undefined;
    host = typed.slice(1, close);
    const rest = typed.slice(close + 1);
    if (rest !== '') {
      if (!rest.startsWith(':')) return undefined;
      portText = rest.slice(1);
    }
  } else {
    const colon = typed.indexOf(':');
    if (colon >= 0 && colon === typed.lastIndexOf(':')) {
      host = typed.slice(0, colon);
      portText = typed.slice(colon + 1);
    }
  }
  let port: number | undefined;
  if (portText !== undefined) {
    port = portText === '*' ? 0 : /^\d{1,5}$/.test(portText) ? Number(portText) : -1;
    if (port < 0 || port > 65535) return undefined;
  }
  if (host === '') return undefined;
  const n = normalizeAddress(host);
  return { address: n.address, ...(n.scope !== undefined ? { scope: n.scope } : {}), ...(port !== undefined ? { port } : {}) };
}

/** A typed `peer=` value: as typed, and parsed (parsePeerWord). */
export interface PeerQuery {
  typed: string;
  word: ReturnType<typeof parsePeerWord>;
}

/** Parses a `peer=` value once for all the rows (matchesFilter keeps the result per filter text). */
export function peerQuery(typed: string): PeerQuery {
  return { typed, word: parsePeerWord(typed) };
}

/**
 * Whether `peer=TYPED` (lowercase, unquoted) selects the socket: the same address in any form (parsePeerWord;
 * a port, when typed, must match too), or its exact peer address as the by-peer drill writes it (`*`, unix).
 */
export function peerMatches(s: Socket, typed: string | PeerQuery): boolean {
  const q = typeof typed === 'string' ? peerQuery(typed) : typed;
  const w = q.word;
  if (s.protocol !== 'unix' && w !== undefined && w.address === s.peer.address.toLowerCase()) {
    if ((w.scope === undefined || w.scope === escapeControl(s.peer.scope ?? '').toLowerCase()) && (w.port === undefined || w.port === s.peer.port)) return true;
  }
  return peerAddress(s).toLowerCase() === q.typed;
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
/** The smoothed RTT, none before the first sample: tcpi_rtt is 0 until an ACK is timed (SYN_SENT), which read as 0us. */
const rttOf = (s: Socket) => (measured(s)?.rttUs ? measured(s)!.rttUs : undefined);
const retransmits = (s: Socket) => measured(s)?.totalRetrans ?? measured(s)?.retrans;

/**
 * A RECV-Q or SEND-Q cell: bytes in the monitor's one form (format.ts bytes: "3.7 MiB", as the socket view says it),
 * but for a TCP or unix listener, whose Recv-Q and Send-Q are connections waiting for accept() and the backlog.
 */
export function queueCell(s: Socket, n: number, unknown: boolean | undefined): string {
  if (unknown) return '?';
  // 0 without a unit: most rows are idle, and a column of "0 B" hid the ones that are not.
  return s.state === 'LISTEN' ? compactNumber(n) : n === 0 ? '0' : bytes(n);
}

export const SOCKET_COLUMNS: readonly Column<SocketRow>[] = [
  // Addresses are cut in the middle (fitAddress): the port and the address's end tell the rows apart.
  { id: 'peer', title: 'PEER', width: 'flex', minWidth: 14, address: true, cell: (r) => peerCell(r.socket) },
  { id: 'local', title: 'LOCAL', width: 'flex', minWidth: 14, from: 'huge', address: true, cell: (r) => escapeControl(formatEndpoint(r.socket.local, r.socket.protocol)) },
  // UNCONN for an unconnected UDP socket (the kernel's CLOSE), as ss and the home view's filter name it.
  { id: 'state', title: 'STATE', width: 11, cell: (r) => stateLabel(r.socket) },
  { id: 'recvq', title: 'RECV-Q', width: 8, align: 'right', cell: (r) => queueCell(r.socket, r.socket.recvQ, r.socket.recvQUnknown) },
  { id: 'sendq', title: 'SEND-Q', width: 8, align: 'right', cell: (r) => queueCell(r.socket, r.socket.sendQ, r.socket.sendQUnknown) },
  { id: 'timer', title: 'TIMER', width: 14, from: 'medium', cell: (r) => timerLabel(r.socket) },
  { id: 'rtt', title: 'RTT', width: 7, align: 'right', cell: (r) => micros(rttOf(r.socket)) },
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
  // textIdTies: the sockets of one state in their ids' text order, which costs nothing at 100,000 sockets (sorting.ts).
  { id: 'state', label: 'state', desc: false, key: (r) => STATE_ORDER[r.socket.state] ?? 99, textIdTies: true },
  { id: 'peer', label: 'peer', desc: false, key: (r) => peerLabel(r.socket) },
  { id: 'recvq', label: 'RECV-Q', desc: true, key: (r) => r.socket.recvQ },
  { id: 'sendq', label: 'SEND-Q', desc: true, key: (r) => r.socket.sendQ },
  { id: 'rtt', label: 'RTT', desc: true, key: (r) => rttOf(r.socket) ?? -1 },
  { id: 'retr', label: 'retransmits', desc: true, key: (r) => retransmits(r.socket) ?? -1 },
];

/** The outgoing drill's sorts: the socket list's, and by local port. */
export const OUTGOING_SOCKET_SORTS: readonly SortDef<SocketRow>[] = [...SOCKET_SORTS, { id: 'lport', label: 'local port', desc: false, key: (r) => r.socket.local.port }];

/** What the `peer=` filter word selects exactly (the by-peer drill, or a peer pasted from ss or a log). */
export function socketExactTerms(r: SocketRow): { peer: ParsedTerm<PeerQuery> } {
  return { peer: { parse: peerQuery, matches: (q) => peerMatches(r.socket, q) } };
}

export function socketSearchTerms(r: SocketRow): string[] {
  const s = r.socket;
  // Endpoints as shown (escaped: `\u202ekcos.sock`, what a reader types from the screen) and as the system gave
  // them (a pasted raw character): the local path was searched raw only, the escaped text found 0 of 2.
  const local = formatEndpoint(s.local, s.protocol);
  const rawPeer = s.protocol === 'unix' ? s.peer.address : formatEndpoint(s.peer);
  const terms = [...nameTerms(peerCell(s), rawPeer), ...nameTerms(escapeControl(local), local), stateTerms(s.state, s.protocol), s.protocol];
  for (const p of s.processes) terms.push(...nameTerms(escapeControl(p.name), p.name), String(p.pid));
  return terms;
}
