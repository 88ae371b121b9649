// The home table: one row per local port (or unix path), with queues, state counts, peers, trend and health.
import type { Severity } from '../../advise/types.js';
import type { PortSummary } from '../../model/aggregate.js';
import { escapeControl } from '../../model/escape.js';
import { localOwnerView } from '../../model/owner.js';
import { bytes, count, fit, fitPathAndOwner, OWNER_UNKNOWN, summaryProcessLabel } from '../format.js';
import type { Column } from '../layout.js';
import { sparkline } from '../sparkline.js';
import { nameTerms, stateTerms } from './filter.js';
import type { SortDef } from './sorting.js';

export interface PortRow {
  id: string;
  /** The port number, or the escaped path of a unix socket group. */
  label: string;
  summary: PortSummary;
  health: Severity | 'ok';
  /** Connections (non-listening sockets) over recent samples, oldest first. */
  trend: readonly number[];
  /**
   * Some socket of the row may be held by a process that the snapshot did not look up (the home view
   * attributes listeners only): its PROCESS cell says OWNER_UNKNOWN, not "-" (no process holds it).
   */
  ownersNotLookedUp?: boolean;
  /**
   * The snapshot looked up its listeners' owners only (attribution scope 'listeners'): a hidden owner is told
   * of those alone; the row's other sockets' owners are not known, never "hidden uid N" (model/owner.ts).
   */
  listenerOwnersOnly?: boolean;
}

/**
 * A port row's PROCESS cell: its processes (with "hidden uid N" after them when other owners are out of sight),
 * "hidden uid N", "-" (no process holds its sockets) or OWNER_UNKNOWN (owners not looked up in this view: Enter
 * or --port looks them up; or looked up and not found).
 */
function portProcessLabel(r: PortRow): string {
  const label = summaryProcessLabel(r.summary, localOwnerView(), r.listenerOwnersOnly);
  return label === '-' && r.ownersNotLookedUp ? OWNER_UNKNOWN : label;
}

/** FIN_WAIT1 + FIN_WAIT2: our side closed, waiting for the peer. */
export function finWait(s: PortSummary): number {
  return s.states.FIN_WAIT1 + s.states.FIN_WAIT2;
}

/** Sockets in states without their own column (LAST_ACK, CLOSING, SYN_SENT, unconnected CLOSE...), listeners excluded. */
export function otherStates(s: PortSummary): number {
  const shown = s.states.ESTABLISHED + s.states.SYN_RECV + s.states.TIME_WAIT + s.states.CLOSE_WAIT + finWait(s);
  return Math.max(0, s.total - shown - s.listeners.length);
}

/** Accept-queue fill of one listener: queue / backlog, or the queue itself when the backlog is unknown or 0. */
function fill(l: PortSummary['listeners'][number]): number {
  return l.backlog ? l.acceptQueue / l.backlog : l.acceptQueue;
}

/**
 * The listener closest to overflowing. Each listener (IPv4 and IPv6, or an SO_REUSEPORT group) has its
 * own queue and overflows on its own: a sum (5/4 full beside 0/8 read 5/12) would hide a full one. On a
 * tie (0/16 beside 0/32, two members at 3/8) the one with more waiting, then the larger backlog, then the
 * first in the summary's order (address, then inode: model/aggregate.ts), so every source shows the same.
 */
export function fullestListener(s: PortSummary): PortSummary['listeners'][number] | undefined {
  let best: PortSummary['listeners'][number] | undefined;
  for (const l of s.listeners) {
    if (!best) best = l;
    else if ((fill(l) - fill(best) || l.acceptQueue - best.acceptQueue || (l.backlog ?? -1) - (best.backlog ?? -1)) > 0) best = l;
  }
  return best;
}

/**
 * Bytes in a short form for a 9-cell column: format.ts bytes(), the monitor's one form for byte figures ("832 B",
 * "7.3 KiB", "208 KiB", "8 MiB"). A UDP queue is bytes, so its cell carries the unit: under QUEUE a TCP cell is
 * connections over backlog ("2/511").
 */
export function queueBytes(n: number): string {
  return bytes(n);
}

/**
 * The bytes waiting in the port's fullest UDP socket, connected or not: each socket of a port (an SO_REUSEPORT
 * group, an address beside 0.0.0.0, a connected socket per client as QUIC servers keep) fills and drops on
 * its own. The unconnected ones are the listeners, each with its queue; the fullest connected one is the
 * summary's fullestConnectedRecvQ (PortAggregator).
 */
export function fullestUdp(s: PortSummary): number {
  let fullest = s.fullestConnectedRecvQ ?? 0;
  for (const l of s.listeners) fullest = Math.max(fullest, l.acceptQueue);
  return fullest;
}

/**
 * The QUEUE cell. TCP and unix (a unix row's listeners are LISTEN sockets, stream or seqpacket, whose Recv-Q
 * and Send-Q are connections waiting for accept() and the backlog, as `ss -xl` shows them): the fullest
 * listener's accept queue / backlog, in connections (the port view lists every listener). UDP: the bytes
 * waiting to be read in the port's fullest socket, connected or not (fullestUdp), with the unit ("7.3 KiB").
 */
export function listenQueue(s: PortSummary): string {
  // A UDP port's connected sockets have queues of their own: bytes even when no unconnected socket is left.
  if (s.protocol === 'udp') return queueBytes(fullestUdp(s));
  if (s.listeners.length === 0) return '-';
  const l = fullestListener(s)!;
  // procfs and netstat cannot see the backlog (null): say so rather than show 0.
  return `${l.acceptQueue}/${l.backlog == null ? '?' : l.backlog}`;
}

/** Accept-queue fill of the fullest TCP or unix listener (0 when there is none), bytes queued in the fullest UDP socket, connected or not (for sorting). */
export function queueFill(s: PortSummary): number {
  if (s.protocol === 'udp') return fullestUdp(s);
  const l = fullestListener(s);
  return l ? fill(l) : 0;
}

export const TREND_WIDTH = 10;

export const PORT_COLUMNS: readonly Column<PortRow>[] = [
  { id: 'port', title: 'PORT', width: 6, align: 'right', cell: (r) => (r.summary.protocol === 'unix' ? '-' : r.label) },
  { id: 'proto', title: 'PROTO', width: 5, cell: (r) => r.summary.protocol },
  {
    id: 'process',
    title: 'PROCESS',
    width: 'flex',
    minWidth: 10,
    cell: (r) => (r.summary.protocol === 'unix' ? `${r.label} ${portProcessLabel(r)}` : portProcessLabel(r)),
    // A unix path is the row's address: cut in the middle, keeping its file name and the owner.
    fitTo: (r, cells) => (r.summary.protocol === 'unix' ? fitPathAndOwner(r.label, portProcessLabel(r), cells) : fit(portProcessLabel(r), cells)),
  },
  // QUEUE, not ACCEPTQ: the column also holds UDP rows, whose queue is bytes of datagrams, not connections
  // (unix rows are connections over backlog, as TCP's).
  { id: 'queue', title: 'QUEUE', width: 9, align: 'right', cell: (r) => listenQueue(r.summary) },
  { id: 'estab', title: 'ESTAB', width: 6, align: 'right', cell: (r) => count(r.summary.states.ESTABLISHED) },
  { id: 'synrecv', title: 'SYN-R', width: 5, align: 'right', cell: (r) => count(r.summary.states.SYN_RECV) },
  { id: 'timewait', title: 'T-WAIT', width: 6, align: 'right', cell: (r) => count(r.summary.states.TIME_WAIT) },
  { id: 'closewait', title: 'C-WAIT', width: 6, align: 'right', cell: (r) => count(r.summary.states.CLOSE_WAIT) },
  { id: 'finwait', title: 'FIN-W', width: 5, align: 'right', from: 'medium', cell: (r) => count(finWait(r.summary)) },
  { id: 'other', title: 'OTHER', width: 5, align: 'right', from: 'medium', cell: (r) => count(otherStates(r.summary)) },
  { id: 'peers', title: 'PEERS', width: 5, align: 'right', cell: (r) => count(r.summary.peerCount) },
  { id: 'trend', title: 'TREND', width: TREND_WIDTH, from: 'wide', cell: (r) => sparkline(r.trend, TREND_WIDTH) },
];

const portNumber = (r: PortRow) => (r.summary.protocol === 'unix' ? 70000 : r.summary.port);

export const PORT_SORTS: readonly SortDef<PortRow>[] = [
  { id: 'port', label: 'port', desc: false, key: portNumber },
  { id: 'total', label: 'sockets', desc: true, key: (r) => r.summary.total },
  { id: 'estab', label: 'ESTAB', desc: true, key: (r) => r.summary.states.ESTABLISHED },
  { id: 'queue', label: 'queue', desc: true, key: (r) => queueFill(r.summary) },
  { id: 'synrecv', label: 'SYN-R', desc: true, key: (r) => r.summary.states.SYN_RECV },
  { id: 'timewait', label: 'T-WAIT', desc: true, key: (r) => r.summary.states.TIME_WAIT },
  { id: 'closewait', label: 'C-WAIT', desc: true, key: (r) => r.summary.states.CLOSE_WAIT },
  { id: 'peers', label: 'peers', desc: true, key: (r) => r.summary.peerCount },
  { id: 'health', label: 'health', desc: true, key: (r) => ({ ok: 0, info: 1, warning: 2, critical: 3 })[r.health] },
];

/**
 * What the / filter searches in a port row. Its states by every name the monitor and ss give them (stateTerms:
 * TIME_WAIT, TIME-WAIT, T-WAIT, tw). An unconnected UDP (or unix datagram) socket is in the kernel's CLOSE
 * state, which no column of the row shows: it is searched as UNCONN, ss's name for it, so `close` finds the
 * ports with CLOSE_WAIT (or a TCP CLOSE), not every UDP port.
 */
export function portSearchTerms(r: PortRow): string[] {
  const s = r.summary;
  const terms = [r.label, `${s.protocol}`, `:${s.port}`];
  for (const p of s.processes) terms.push(...nameTerms(escapeControl(p.name), p.name), String(p.pid));
  for (const l of s.listeners) terms.push(l.address);
  for (const p of s.topPeers) terms.push(p.address);
  for (const [state, n] of Object.entries(s.states)) if (n > 0) terms.push(stateTerms(state, s.protocol));
  return terms;
}
