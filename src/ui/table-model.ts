// Which table a frame shows: its rows (filtered, sorted), columns, sort list, identity and what Enter does.
import type { Severity } from '../advise/types.js';
import { socketsOnPort, socketsToPeerPort } from '../model/aggregate.js';
import { escapeControl } from '../model/escape.js';
import type { Protocol, Socket } from '../model/socket.js';
import { fitProcessCell, processLeastCells } from './format.js';
import { socketId } from './identity.js';
import type { PortTables } from './derive.js';
import type { Column } from './layout.js';
import type { Action, Frame, TableKind, UiState } from './state.js';
import { exactWord, matchesFilter, type ExactTerms } from './tables/filter.js';
import { PEER_GROUP_COLUMNS, PEER_GROUP_SORTS, groupByPeer, peerGroupSearchTerms, type PeerGroupRow } from './tables/peers.js';
import { PEER_PORT_COLUMNS, PEER_PORT_SORTS, peerPortSearchTerms, type PeerPortRow } from './tables/peer-ports.js';
import { PORT_COLUMNS, PORT_SORTS, portSearchTerms, type PortRow } from './tables/ports.js';
import { OUTGOING_SOCKET_COLUMNS, OUTGOING_SOCKET_SORTS, SOCKET_COLUMNS, SOCKET_SORTS, socketExactTerms, socketSearchTerms, type SocketRow } from './tables/sockets.js';
import { sortLabel, sortRows, type SortDef } from './tables/sorting.js';

export interface TableModel<R = unknown> {
  /** Key for selection, scroll and filter state. */
  key: string;
  kind: TableKind;
  title: string;
  rows: R[];
  /** Rows before the filter. */
  unfiltered: number;
  columns: readonly Column<R>[];
  sorts: readonly SortDef<R>[];
  sortLabel: string;
  /** The id of the sort in use: the column of that id is never left out at narrow widths (placeColumns keep). */
  sortColumn: string;
  filter: string;
  idOf: (r: R) => string;
  markOf?: (r: R) => Severity | 'ok';
  /** What Enter on a row does. */
  drill?: (r: R) => Action[];
  /** Shown instead of rows: why there are none (nothing there, or the filter hides every row). */
  emptyText: string;
}

/** A table's two empty cases: nothing there at all, or the filter hides every row. */
interface EmptyTexts {
  empty: string;
  noMatch: string;
}

function build<R extends { id: string }>(
  { empty, ...base }: Omit<TableModel<R>, 'rows' | 'unfiltered' | 'sortLabel' | 'sortColumn' | 'filter' | 'idOf' | 'emptyText'> & { empty: EmptyTexts },
  all: readonly R[],
  state: UiState,
  terms: (r: R) => string[],
  exact?: (r: R) => ExactTerms,
): TableModel<R> {
  const filter = state.filters[base.key] ?? '';
  const filtered = filter ? all.filter((r) => matchesFilter(terms(r), filter, exact?.(r))) : all;
  const sort = state.sort[base.kind];
  return {
    ...base,
    emptyText: filter && all.length > 0 ? empty.noMatch : empty.empty,
    rows: sortRows(filtered, base.sorts, sort, (r) => r.id),
    unfiltered: all.length,
    sortLabel: sortLabel(base.sorts, sort),
    sortColumn: base.sorts[sort.index % base.sorts.length].id,
    filter,
    idOf: (r) => r.id,
  };
}

/** 'HOST: ' for a row of one of several hosts. */
function hostPrefix(host: string | undefined): string {
  return host === undefined ? '' : `${escapeControl(host)}: `;
}

/**
 * The port frame's label, as the port view's title shows it: sockscope's own words in capitals ("TCP PORT
 * 80", "TO TCP PORT 443", "UNIX"), a unix path and a host name as they are. The title used to upper-case
 * the whole label: "/tmp/tmux-0/default" read "/TMP/TMUX-0/DEFAULT", a path that does not exist, and an
 * escaped control character "\x1b[31m" read "\X1B[31M", which is no escape either.
 */
function portFrameLabel(p: { direction: 'local' | 'peer'; protocol: Protocol; port: number; host?: string; path?: string }): string {
  if (p.protocol === 'unix') return `${hostPrefix(p.host)}UNIX ${p.path ?? ''}`;
  return `${hostPrefix(p.host)}${p.direction === 'peer' ? 'TO ' : ''}${p.protocol.toUpperCase()} PORT ${p.port}`;
}

/** The HOST column first, only when some row carries a host (several --host): one host renders as before. */
export function withHostColumn<R extends { summary: { host?: string } }>(columns: readonly Column<R>[], rows: readonly R[]): readonly Column<R>[] {
  if (!rows.some((r) => r.summary.host !== undefined)) return columns;
  const width = Math.min(24, Math.max(4, ...rows.map((r) => (r.summary.host ?? '').length)));
  return [{ id: 'host', title: 'HOST', width, cell: (r) => escapeControl(r.summary.host ?? '') }, ...columns];
}

/**
 * Below 80 columns (README: the header keeps every number down to 50): PROCESS shrinks to 8 cells first (or what
 * its widest pid needs: processLeastCells), its pid kept whole (fitOwner), an address to 10 cells (its port kept),
 * then the least telling columns go, lowest rank first, so that no number is cut at the right edge and no row is
 * wider than the terminal (layout.ts placeColumns). The sorted column stays.
 */
function narrowing<R>(columns: readonly Column<R>[], ranks: Readonly<Record<string, number>>, ownerFit: (c: Column<R>) => (r: R, cells: number) => string): readonly Column<R>[] {
  return columns.map((c) => {
    const ranked = ranks[c.id] !== undefined ? { ...c, dropRank: ranks[c.id] } : c;
    if (c.id === 'process') return { ...ranked, leastWidth: 8, leastCells: (r: R) => processLeastCells(c.cell(r)), fitTo: ownerFit(c) };
    if (c.width === 'flex' && c.address) return { ...ranked, leastWidth: 10 };
    return ranked;
  });
}
const plainOwner = <R,>(c: Column<R>) => (r: R, cells: number) => fitProcessCell(c.cell(r), cells);
/** The least telling first, in the header's order (SYN-R, ESTAB, then T-WAIT: `TCP 8181 (tw 5678 cw 1234 …)`). */
const NARROW_PORT_COLUMNS = narrowing(PORT_COLUMNS, { synrecv: 1, peers: 2, estab: 3, timewait: 4, queue: 5, process: 6 }, (c) => (r: PortRow, cells) =>
  // A unix row's path and owner are fitted by the column itself (its file name and owner kept).
  r.summary.protocol === 'unix' && c.fitTo ? c.fitTo(r, cells) : fitProcessCell(c.cell(r), cells),
);
const NARROW_PEER_PORT_COLUMNS = narrowing(PEER_PORT_COLUMNS, { synsent: 1, peers: 2, estab: 3, timewait: 4, process: 5 }, plainOwner);
const NARROW_SOCKET_COLUMNS = narrowing(SOCKET_COLUMNS, { retr: 1, rtt: 2, sendq: 3, recvq: 4, process: 5 }, plainOwner);
const NARROW_OUTGOING_SOCKET_COLUMNS = narrowing(OUTGOING_SOCKET_COLUMNS, { retr: 1, rtt: 2, sendq: 3, recvq: 4, process: 5 }, plainOwner);
const NARROW_PEER_GROUP_COLUMNS = narrowing(PEER_GROUP_COLUMNS, { sendq: 1, timewait: 2, estab: 3, recvq: 4 }, plainOwner);

/** The ports view: local ports, or outgoing connections by peer port (Tab). */
export function portsTableModel(tables: PortTables, state: UiState): TableModel<PortRow> | TableModel<PeerPortRow> {
  if (state.table === 'peer') {
    return build<PeerPortRow>(
      {
        key: 'peerports',
        kind: 'peerports',
        title: 'OUTGOING CONNECTIONS BY PEER PORT',
        columns: withHostColumn(NARROW_PEER_PORT_COLUMNS, tables.peer()),
        sorts: PEER_PORT_SORTS,
        markOf: (r) => r.health,
        drill: (r) => [
          {
            type: 'push',
            frame: {
              view: 'port',
              id: r.id,
              direction: 'peer',
              protocol: r.summary.protocol,
              port: r.summary.peerPort,
              label: portFrameLabel({ direction: 'peer', protocol: r.summary.protocol, port: r.summary.peerPort, host: r.summary.host }),
              ...(r.summary.host !== undefined ? { host: r.summary.host } : {}),
            },
          },
        ],
        empty: { empty: 'no outgoing connections now', noMatch: 'no outgoing connections match the filter' },
      },
      tables.peer(),
      state,
      peerPortSearchTerms,
    );
  }
  return build<PortRow>(
    {
      key: 'ports',
      kind: 'ports',
      title: 'LOCAL PORTS',
      columns: withHostColumn(NARROW_PORT_COLUMNS, tables.local),
      sorts: PORT_SORTS,
      markOf: (r) => r.health,
      drill: (r) => [
        {
          type: 'push',
          frame: {
            view: 'port',
            id: r.id,
            direction: 'local',
            protocol: r.summary.protocol,
            port: r.summary.port,
            label: portFrameLabel({ direction: 'local', protocol: r.summary.protocol, port: r.summary.port, host: r.summary.host, path: r.label }),
            ...(r.summary.host !== undefined ? { host: r.summary.host } : {}),
          },
        },
      ],
      empty: { empty: state.port !== undefined ? `no sockets on port ${state.port} now` : 'no sockets now', noMatch: 'no ports match the filter' },
    },
    tables.local,
    state,
    portSearchTerms,
  );
}

/** Sockets of one port frame (local port, unix path, or peer port: with `ephemeral`, the outgoing table's rule, isServedLocalPort). */
export function portSockets(sockets: readonly Socket[], frame: Extract<Frame, { view: 'port' }>, ephemeral?: readonly [number, number]): Socket[] {
  if (frame.protocol === 'unix') {
    // The row's id is unixId(label, host): 'unix:LABEL', or 'HOST unix:LABEL' with several hosts (one row per host and path).
    const label = frame.id.slice((frame.host === undefined ? 0 : frame.host.length + 1) + 'unix:'.length);
    return sockets.filter((s) => s.protocol === 'unix' && s.host === frame.host && escapeControl(s.local.address || '(unnamed)') === label);
  }
  return frame.direction === 'peer' ? socketsToPeerPort(sockets, frame.port, frame.protocol, frame.host, ephemeral) : socketsOnPort(sockets, frame.port, frame.protocol, frame.host);
}

/** The port view: every socket on the port, or the same grouped by peer address. */
export function portTableModel(sockets: readonly Socket[], frame: Extract<Frame, { view: 'port' }>, state: UiState): TableModel<SocketRow> | TableModel<PeerGroupRow> {
  if (state.groupByPeer) {
    const key = `peers:${frame.id}`;
    return build<PeerGroupRow>(
      {
        key,
        kind: 'peers',
        title: `${frame.label} BY PEER ADDRESS`,
        columns: NARROW_PEER_GROUP_COLUMNS,
        sorts: PEER_GROUP_SORTS,
        // Enter on a peer: ungroup and select that address's sockets exactly (peer=ADDRESS), not by substring:
        // 127.0.0.1 must not bring 127.0.0.10, 127.0.0.100 and the listener's 0.0.0.0 along.
        drill: (r) => [{ type: 'groupByPeer' }, { type: 'filterInput', table: `port:${frame.id}`, text: exactWord('peer', r.address) }],
        empty: { empty: 'no connections on this port now (listeners are not peers)', noMatch: 'no peers match the filter' },
      },
      groupByPeer(sockets),
      state,
      peerGroupSearchTerms,
    );
  }
  const rows = sockets.map((s) => ({ id: socketId(s), socket: s }));
  const outgoing = frame.direction === 'peer';
  return build<SocketRow>(
    {
      key: `port:${frame.id}`,
      kind: 'sockets',
      title: `${frame.label}: SOCKETS`,
      columns: outgoing ? NARROW_OUTGOING_SOCKET_COLUMNS : NARROW_SOCKET_COLUMNS,
      sorts: outgoing ? OUTGOING_SOCKET_SORTS : SOCKET_SORTS,
      drill: (r) => [{ type: 'push', frame: { view: 'socket', id: r.id, last: r.socket } }],
      empty: { empty: outgoing ? 'no connections to this port now' : 'no sockets on this port now', noMatch: 'no sockets match the filter' },
    },
    rows,
    state,
    socketSearchTerms,
    socketExactTerms,
  );
}
