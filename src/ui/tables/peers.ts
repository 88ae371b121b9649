// The port view grouped by peer address (toggle): one row per remote host.
import { emptyStateCounts, isListener, type StateCounts } from '../../model/aggregate.js';
import type { Socket } from '../../model/socket.js';
import { bytes, compactNumber, count } from '../format.js';
import type { Column } from '../layout.js';
import { stateTerms } from './filter.js';
import type { SortDef } from './sorting.js';
import { peerAddress } from './sockets.js';

export interface PeerGroupRow {
  id: string;
  /** The peer address as shown (escaped), also the value of the socket list's `peer=` filter word. */
  address: string;
  /** The protocol of its sockets (a port view's sockets are of one protocol): which names its states go by. */
  protocol: Socket['protocol'];
  states: StateCounts;
  total: number;
  recvQ: number;
  sendQ: number;
}

/**
 * Groups sockets by peer address (unix: by peer label), most sockets first. Listeners are not peers: their
 * "peer" is the wildcard 0.0.0.0:* (the port view lists them above the table).
 */
export function groupByPeer(sockets: readonly Socket[]): PeerGroupRow[] {
  const m = new Map<string, PeerGroupRow>();
  for (const s of sockets) {
    if (isListener(s)) continue;
    const address = peerAddress(s);
    let g = m.get(address);
    if (!g) m.set(address, (g = { id: `peer ${address}`, address, protocol: s.protocol, states: emptyStateCounts(), total: 0, recvQ: 0, sendQ: 0 }));
    g.states[s.state]++;
    g.total++;
    g.recvQ += s.recvQ;
    g.sendQ += s.sendQ;
  }
  return [...m.values()];
}

export const PEER_GROUP_COLUMNS: readonly Column<PeerGroupRow>[] = [
  { id: 'peer', title: 'PEER ADDRESS', width: 'flex', minWidth: 15, address: true, cell: (r) => r.address },
  { id: 'total', title: 'SOCKETS', width: 7, align: 'right', cell: (r) => compactNumber(r.total) },
  { id: 'estab', title: 'ESTAB', width: 6, align: 'right', cell: (r) => count(r.states.ESTABLISHED) },
  { id: 'timewait', title: 'T-WAIT', width: 6, align: 'right', cell: (r) => count(r.states.TIME_WAIT) },
  { id: 'closewait', title: 'C-WAIT', width: 6, align: 'right', cell: (r) => count(r.states.CLOSE_WAIT) },
  // Bytes (its sockets' queues together; listeners are not peers), in the monitor's one byte form.
  { id: 'recvq', title: 'RECV-Q', width: 8, align: 'right', cell: (r) => (r.recvQ === 0 ? '0' : bytes(r.recvQ)) },
  { id: 'sendq', title: 'SEND-Q', width: 8, align: 'right', cell: (r) => (r.sendQ === 0 ? '0' : bytes(r.sendQ)) },
];

export const PEER_GROUP_SORTS: readonly SortDef<PeerGroupRow>[] = [
  { id: 'total', label: 'sockets', desc: true, key: (r) => r.total },
  { id: 'peer', label: 'peer', desc: false, key: (r) => r.address },
  { id: 'closewait', label: 'C-WAIT', desc: true, key: (r) => r.states.CLOSE_WAIT },
  { id: 'recvq', label: 'RECV-Q', desc: true, key: (r) => r.recvQ },
];

export function peerGroupSearchTerms(r: PeerGroupRow): string[] {
  return [r.address, ...Object.entries(r.states).filter(([, n]) => n > 0).map(([s]) => stateTerms(s, r.protocol))];
}
