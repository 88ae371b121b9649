// The monitor's UI state and its reducer: pure, so navigation is tested without rendering.
import type { DetailsScope } from '../collect/source.js';
import type { Protocol, Socket } from '../model/socket.js';
import type { ProtocolToggles } from './derive.js';
import type { SortState } from './tables/sorting.js';

/** One level of the view stack. */
export type Frame =
  | { view: 'ports' }
  /** label: the port as the port view's title shows it ("TCP PORT 80", "web1: TO TCP PORT 443", "UNIX /run/x.sock"), escaped. */
  | { view: 'port'; id: string; direction: 'local' | 'peer'; protocol: Protocol; port: number; label: string; host?: string }
  | { view: 'socket'; id: string; last: Socket }
  | { view: 'help' }
  | { view: 'wizard'; initial?: { type?: 'tcp' | 'udp'; port?: number } };

/** Which list is on screen; each has its own sort. */
export type TableKind = 'ports' | 'peerports' | 'sockets' | 'peers';

export interface UiState {
  stack: Frame[];
  /** Home view shows local ports or outgoing connections by peer port. */
  table: 'local' | 'peer';
  groupByPeer: boolean;
  /** Filter text per table key (ports, peerports, port:tcp:80...). */
  filters: Record<string, string>;
  editingFilter: boolean;
  sort: Record<TableKind, SortState>;
  /** Selected row id per table key: the selection follows the row, not the index. */
  selected: Record<string, string>;
  /** Where the selection is drawn (kept in step with every render), for when its row disappears. */
  lastIndex: Record<string, number>;
  /** The rows drawn next to the selection, for when its row disappears: it lands on a neighbour. */
  near: Record<string, Near>;
  /** First visible row per table key (kept in step with every render). */
  top: Record<string, number>;
  /** The sort and filter (orderOf) each table key's `top` was drawn under: a new one starts from the first page. */
  topOrder: Record<string, string>;
  /** Scroll offset of text views (socket, help). */
  scroll: number;
  paused: boolean;
  protocols: ProtocolToggles;
  intervalMs: number;
  /** The interval the monitor started with (--interval or config): + and - step along its halvings and doublings. */
  intervalStartMs: number;
  /** --port: only this local port. */
  port?: number;
  /** q or Ctrl-C was pressed. */
  quit?: boolean;
  /** Why the last key did nothing (t, u, x refused to hide the last protocol shown): the footer says it until the next action. */
  notice?: string;
}

/** The ids of the rows after and before the selected one, as drawn. */
export interface Near {
  next?: string;
  prev?: string;
}

/** The neighbours of row `i` in `ids`. */
export function nearOf(ids: readonly string[], i: number): Near {
  return { next: ids[i + 1], prev: i > 0 ? ids[i - 1] : undefined };
}

export const MIN_INTERVAL_MS = 100;
/** Where - (slower) stops from a shorter start; a longer --interval (the CLI takes up to 1 h) is its own ceiling. */
export const MAX_INTERVAL_MS = 60_000;

/** The range + and - move in from `startMs`: a start outside 100 ms-60 s is its own bound, never clamped away. */
function intervalBounds(startMs: number): { min: number; max: number } {
  return { min: Math.min(MIN_INTERVAL_MS, startMs), max: Math.max(MAX_INTERVAL_MS, startMs) };
}

/**
 * The rung of an interval: startMs * 2^rung. A bound is the rung just past it (60 s from 1 s is rung 6,
 * 64 s cut to 60), so one step back from a bound lands on the ladder again.
 */
function rungOf(ms: number, startMs: number): number {
  const { min, max } = intervalBounds(startMs);
  const exact = Math.log2(ms / startMs);
  if (ms >= max) return Math.ceil(exact - 1e-9);
  if (ms <= min) return Math.floor(exact + 1e-9);
  return Math.round(exact);
}

/**
 * The interval `steps` rungs slower (+) or faster (-) than `ms`, within the bounds. Multiplying what was
 * shown knocked the interval off its ladder at a bound (from 1 s: - up to 60 s, then + gave 30, 15, 7.5,
 * 3.75, 1.875 s, "every 938ms"); and a cap of 60 s for every start made - (slower) from a 2 min
 * --interval jump to 60 s, with no way back to 2 min.
 */
export function stepInterval(ms: number, startMs: number, steps: number): number {
  const { min, max } = intervalBounds(startMs);
  const next = Math.round(startMs * 2 ** (rungOf(ms, startMs) + steps));
  return Math.min(max, Math.max(min, next));
}

export function initialState(opts: { intervalMs: number; protocols: ProtocolToggles; port?: number }): UiState {
  return {
    stack: [{ view: 'ports' }],
    table: 'local',
    groupByPeer: false,
    filters: {},
    editingFilter: false,
    sort: {
      ports: { index: 0, reversed: false },
      peerports: { index: 0, reversed: false },
      sockets: { index: 0, reversed: false },
      peers: { index: 0, reversed: false },
    },
    selected: {},
    lastIndex: {},
    near: {},
    top: {},
    topOrder: {},
    scroll: 0,
    paused: false,
    protocols: opts.protocols,
    intervalMs: opts.intervalMs,
    intervalStartMs: opts.intervalMs,
    port: opts.port,
  };
}

export type Action =
  | { type: 'select'; table: string; id: string | undefined; index: number; top: number; near?: Near; order?: string }
  /**
   * What a render drew (its selected row, index, scroll position, neighbours), recorded so that the next
   * refresh starts from there. Applied only if the selection is still the one that render started from
   * (`was`): a key pressed meanwhile wins.
   */
  | { type: 'follow'; table: string; was: { id?: string; index?: number; top?: number }; id: string; index: number; top: number; near: Near; order?: string }
  | { type: 'push'; frame: Frame }
  | { type: 'back' }
  | { type: 'filterStart' }
  | { type: 'filterInput'; table: string; text: string }
  | { type: 'filterAppend'; table: string; text: string }
  | { type: 'filterBackspace'; table: string }
  | { type: 'filterEnd'; clear: boolean; table: string }
  | { type: 'sortNext'; kind: TableKind; count: number }
  | { type: 'sortReverse'; kind: TableKind }
  | { type: 'pause' }
  | { type: 'toggleProtocol'; protocol: Protocol }
  /** factor 2: one rung slower (-), 0.5: one rung faster (+). */
  | { type: 'interval'; factor: number }
  | { type: 'switchTable' }
  | { type: 'groupByPeer' }
  | { type: 'scroll'; delta: number; max: number }
  | { type: 'help' };

/** The frame on screen. */
export function current(s: UiState): Frame {
  return s.stack[s.stack.length - 1];
}

/**
 * The TCP sockets whose tcp_info the view on top needs (CollectOptions.detailsFor): a port view's port (local
 * or peer: either end, so that the other ends of this host's own connections are detailed too); a socket
 * view's, the port view it was opened from (its sockets stay detailed when going back), else the socket's own
 * local port. Undefined for views without details, remote ports (the remote source
 * details every socket anyway), and UDP and unix (their details are socket memory, kept for every socket).
 */
export function detailsScopeOf(stack: readonly Frame[]): DetailsScope | undefined {
  const top = stack[stack.length - 1];
  if (!top || (top.view !== 'port' && top.view !== 'socket')) return undefined;
  for (let i = stack.length - 1; i >= 0; i--) {
    const f = stack[i];
    if (f.view !== 'port') continue;
    if (f.protocol !== 'tcp' || f.host !== undefined) return undefined;
    return { protocol: 'tcp', port: f.port };
  }
  const last = top.view === 'socket' ? top.last : undefined;
  return last && last.protocol === 'tcp' && last.host === undefined ? { protocol: 'tcp', port: last.local.port } : undefined;
}

/** The footer's line when t, u or x would hide the last protocol shown. */
export function lastProtocolNotice(protocol: Protocol): string {
  return `at least one protocol stays shown: show another before hiding ${protocol === 'unix' ? 'unix' : protocol.toUpperCase()}`;
}

export function reducer(s: UiState, a: Action): UiState {
  // A notice lasts until the next action of a key ('follow' is a render's bookkeeping).
  return step(s.notice !== undefined && a.type !== 'follow' ? { ...s, notice: undefined } : s, a);
}

function step(s: UiState, a: Action): UiState {
  switch (a.type) {
    case 'select':
      return {
        ...s,
        selected: a.id === undefined ? s.selected : { ...s.selected, [a.table]: a.id },
        lastIndex: { ...s.lastIndex, [a.table]: a.index },
        near: a.near ? { ...s.near, [a.table]: a.near } : s.near,
        top: { ...s.top, [a.table]: a.top },
        topOrder: a.order === undefined ? s.topOrder : { ...s.topOrder, [a.table]: a.order },
      };
    case 'follow':
      if (s.selected[a.table] !== a.was.id || s.lastIndex[a.table] !== a.was.index || s.top[a.table] !== a.was.top) return s;
      return step(s, { type: 'select', table: a.table, id: a.id, index: a.index, top: a.top, near: a.near, order: a.order });
    case 'push':
      return { ...s, stack: [...s.stack, a.frame], scroll: 0, editingFilter: false };
    case 'back':
      return s.stack.length > 1 ? { ...s, stack: s.stack.slice(0, -1), scroll: 0, editingFilter: false } : s;
    case 'filterStart':
      return { ...s, editingFilter: true };
    case 'filterInput':
      return { ...s, filters: { ...s.filters, [a.table]: a.text } };
    case 'filterAppend':
      return { ...s, filters: { ...s.filters, [a.table]: (s.filters[a.table] ?? '') + a.text } };
    case 'filterBackspace':
      return { ...s, filters: { ...s.filters, [a.table]: [...(s.filters[a.table] ?? '')].slice(0, -1).join('') } };
    case 'filterEnd':
      return { ...s, editingFilter: false, filters: a.clear ? { ...s.filters, [a.table]: '' } : s.filters };
    case 'sortNext': {
      const cur = s.sort[a.kind];
      return { ...s, sort: { ...s.sort, [a.kind]: { index: (cur.index + 1) % Math.max(1, a.count), reversed: false } } };
    }
    case 'sortReverse': {
      const cur = s.sort[a.kind];
      return { ...s, sort: { ...s.sort, [a.kind]: { ...cur, reversed: !cur.reversed } } };
    }
    case 'pause':
      return { ...s, paused: !s.paused };
    case 'toggleProtocol': {
      const next = { ...s.protocols, [a.protocol]: !s.protocols[a.protocol] };
      // Never switch everything off: an empty monitor looks like a broken one. The footer says why the key did nothing.
      if (!next.tcp && !next.udp && !next.unix) return { ...s, notice: lastProtocolNotice(a.protocol) };
      return { ...s, protocols: next };
    }
    case 'interval': {
      const steps = Math.round(Math.log2(a.factor));
      if (!Number.isFinite(steps) || steps === 0) return s;
      return { ...s, intervalMs: stepInterval(s.intervalMs, s.intervalStartMs, steps) };
    }
    case 'switchTable':
      return { ...s, table: s.table === 'local' ? 'peer' : 'local' };
    case 'groupByPeer':
      return { ...s, groupByPeer: !s.groupByPeer };
    case 'scroll':
      return { ...s, scroll: Math.max(0, Math.min(a.max, s.scroll + a.delta)) };
    case 'help':
      return current(s).view === 'help' ? reducer(s, { type: 'back' }) : reducer(s, { type: 'push', frame: { view: 'help' } });
  }
}

/**
 * The index of the selected row: where its id is now, or (when that row is gone) where its neighbour as
 * last drawn is now (the row after it, else the one after the row before it), else the position it was
 * last drawn at, clamped: the selection lands on a neighbour instead of jumping to the top. `lastIndex`
 * and `near` must be those of the last render (the App records them with 'follow'): kept only from the
 * last key press, a row that had moved since was replaced by whatever sat at its old row number.
 */
export function selectedIndex(ids: readonly string[], selectedId: string | undefined, lastIndex: number | undefined, near?: Near): number {
  if (ids.length === 0) return -1;
  if (selectedId !== undefined) {
    const i = ids.indexOf(selectedId);
    if (i >= 0) return i;
    if (near?.next !== undefined) {
      const n = ids.indexOf(near.next);
      if (n >= 0) return n;
    }
    if (near?.prev !== undefined) {
      const p = ids.indexOf(near.prev);
      if (p >= 0) return Math.min(p + 1, ids.length - 1);
    }
  }
  return Math.min(Math.max(0, lastIndex ?? 0), ids.length - 1);
}

/**
 * The scroll position to start from: the last one drawn, moved by as many rows as the selection moved
 * (rows came or went above it), so the selected row stays where it is on screen.
 */
export function followTop(lastTop: number | undefined, lastIndex: number | undefined, index: number): number {
  const top = lastTop ?? 0;
  return lastIndex === undefined || index < 0 ? top : Math.max(0, top + index - lastIndex);
}

/** What orders and picks a table's rows: its sort and its filter text (a change of either is a new order). */
export function orderOf(sort: SortState | undefined, filter: string | undefined): string {
  return `${sort?.index ?? 0}${sort?.reversed ? '-' : '+'}:${filter ?? ''}`;
}

/**
 * The scroll position to start from (windowTop then keeps the selected row in view): across refreshes the
 * selected row stays on its screen line (followTop); after a sort or filter change (`lastOrder`, the order the
 * last position was drawn under, differs from `order`) the first page, as htop and k9s do. Keeping the row on
 * its line there too hid the new order's top rows above the screen (`sort: C-WAIT ↓ · row 2/34`, the one
 * CLOSE_WAIT port, row 1, scrolled off).
 */
export function startTop(lastTop: number | undefined, lastIndex: number | undefined, index: number, lastOrder: string | undefined, order: string): number {
  return lastOrder !== undefined && lastOrder !== order ? 0 : followTop(lastTop, lastIndex, index);
}
