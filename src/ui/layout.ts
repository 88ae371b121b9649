// Width breakpoints and column fitting: low-value columns drop first as the terminal narrows.
import { fit, fitAddress, stringWidth } from './format.js';

/** Terminal widths at which optional columns appear. The monitor is designed to be usable at NARROW (80x24). */
export const BREAKPOINTS = {
  narrow: 80,
  medium: 100,
  wide: 120,
  huge: 160,
} as const;
export type Breakpoint = keyof typeof BREAKPOINTS;

/** Rows the chrome takes around a table. */
export const HEADER_LINES = 3;
export const FOOTER_LINES = 1;
/** The least body the header leaves on a short terminal: a table's title, its column header and the selected row. */
export const MIN_BODY_LINES = 3;
/** Recommendations shown under the ports table: a share of the height, within bounds. */
export const MIN_REC_LINES = 2;
export const MAX_REC_LINES = 10;

/** One table column: a fixed width or 'flex' (shares what is left), shown from `from` width up. */
export interface Column<R> {
  id: string;
  title: string;
  width: number | 'flex';
  /** Minimum width of a flex column. */
  minWidth?: number;
  align?: 'left' | 'right';
  /** The column appears only when the terminal is at least this wide. */
  from?: Breakpoint;
  /** An address or endpoint: cut in the middle, keeping the port and the address's end (fitAddress). */
  address?: boolean;
  cell: (row: R) => string;
  /** The cell fitted to `cells` by the column itself (instead of fit or fitAddress): a unix row's path and owner. */
  fitTo?: (row: R, cells: number) => string;
  /**
   * Below the narrow breakpoint, when the row would not fit: columns with a rank are left out, the lowest first
   * (after the flex columns shrank to their leastWidth). A column without one is never left out.
   */
  dropRank?: number;
  /** A flex column's floor when the row does not fit with its minWidth (the terminal narrower than 80). */
  leastWidth?: number;
  /**
   * A flex column's floor from the rows on screen, above leastWidth: the cells a row needs to keep its number whole
   * (PROCESS: the widest `/pid+n` and a letter). A 7-digit pid did not fit PROCESS's 8 cells and was cut.
   */
  leastCells?: (row: R) => number;
}

export interface PlacedColumn<R> extends Column<R> {
  cells: number;
}

/**
 * The columns that fit `width`, flex columns sharing the rest (one space between columns). Breakpoints
 * are judged on the terminal width (`terminalWidth`, default `width`), not on what a mark column leaves.
 * With `rows` (the rows on screen) the room goes where the content needs it: each flex column gets up to its
 * widest cell (or title), evenly among those that need more, and what is left is shared evenly. Split evenly
 * always, a long peer address was cut at 80 columns beside a PROCESS column with empty room.
 */
export function placeColumns<R>(columns: readonly Column<R>[], width: number, terminalWidth = width, rows?: readonly R[], keep?: string): PlacedColumn<R>[] {
  const least = leastOf(rows);
  const shown = fitting(
    columns.filter((c) => !c.from || terminalWidth >= BREAKPOINTS[c.from]),
    width,
    least,
    keep,
  );
  const fixed = shown.reduce((s, c) => s + (c.width === 'flex' ? 0 : c.width), 0);
  const flex = shown.filter((c) => c.width === 'flex');
  const gaps = Math.max(0, shown.length - 1);
  const left = Math.max(0, width - fixed - gaps);
  const cells = new Map<Column<R>, number>();
  // The flex columns' least: their minWidth, or less (down to leastWidth, the first flex column first) when the
  // row is narrower than that (below 80 columns).
  const floors = flex.map((c) => Math.max(c.minWidth ?? 4, least(c)));
  for (let i = 0, over = floors.reduce((a, b) => a + b, 0) - left; i < flex.length && over > 0; i++) {
    const give = Math.min(over, floors[i] - Math.min(floors[i], Math.max(flex[i].leastWidth ?? floors[i], least(flex[i]))));
    floors[i] -= give;
    over -= give;
  }
  // Still wider than the room (one column left that does not fit, a terminal of 20 columns): the flex columns
  // take what is left, the last first, so that no row is wider than the terminal.
  for (let i = flex.length - 1, over = floors.reduce((a, b) => a + b, 0) - left; i >= 0 && over > 0; i--) {
    const give = Math.min(over, floors[i]);
    floors[i] -= give;
    over -= give;
  }
  if (rows && rows.length > 0 && flex.length > 0) {
    const least = floors.slice();
    const want = flex.map((c, i) => Math.max(least[i], stringWidth(c.title), ...rows.map((r) => stringWidth(c.cell(r)))));
    const got = least.slice();
    let rest = left - got.reduce((a, b) => a + b, 0);
    // Water-filling: every round gives each column still short of its want an even part (bounded: each
    // round fills a column or spends what is left).
    for (let hungry = flex.map((_, i) => i).filter((i) => got[i] < want[i]); rest > 0 && hungry.length > 0; hungry = hungry.filter((i) => got[i] < want[i])) {
      const part = Math.max(1, Math.floor(rest / hungry.length));
      for (const i of hungry) {
        const g = Math.min(part, want[i] - got[i], rest);
        got[i] += g;
        rest -= g;
      }
    }
    for (let i = 0; rest > 0; i = (i + 1) % flex.length, rest--) got[i]++;
    flex.forEach((c, i) => cells.set(c, got[i]));
  } else {
    const each = flex.length ? Math.floor(left / flex.length) : 0;
    let extra = flex.length ? left - each * flex.length : 0;
    const even = flex.map(() => {
      const n = each + (extra > 0 ? 1 : 0);
      if (extra > 0) extra--;
      return n;
    });
    const got = flex.map((_, i) => Math.max(floors[i], even[i]));
    // Floors above an even share: the others give way (the row stays within the width).
    for (let i = flex.length - 1, over = got.reduce((a, b) => a + b, 0) - left; i >= 0 && over > 0; i--) {
      const give = Math.min(over, got[i] - floors[i]);
      got[i] -= give;
      over -= give;
    }
    flex.forEach((c, i) => cells.set(c, got[i]));
  }
  return shown.map((c) => ({ ...c, cells: c.width === 'flex' ? cells.get(c)! : c.width }));
}

/** A flex column's floor from the rows on screen (leastCells), 0 without. */
function leastOf<R>(rows: readonly R[] | undefined): (c: Column<R>) => number {
  return (c) => (c.leastCells && rows && rows.length > 0 ? Math.max(...rows.map(c.leastCells)) : 0);
}

/**
 * The columns that fit `width` with every flex column at its leastWidth (else minWidth; at least its leastCells):
 * the columns with a dropRank go, the lowest first, then, when that is not enough (a port's sockets at 40 columns,
 * the ports table at 20), the others from the right, until the row fits or only the first column is left. The column
 * named `keep` (the one the table is sorted by) goes only after all but the first: `sort: ESTAB ↓` reordered by a
 * column no longer shown. A row
 * wider than the terminal was cut at its right edge, numbers and all (60 columns: C-WAIT and PEERS gone, `C-…`).
 */
function fitting<R>(shown: readonly Column<R>[], width: number, least: (c: Column<R>) => number, keep?: string): readonly Column<R>[] {
  const floor = (c: Column<R>) => (c.width === 'flex' ? Math.max(c.leastWidth ?? c.minWidth ?? 4, least(c)) : c.width);
  const need = (cs: readonly Column<R>[]) => cs.reduce((s, c) => s + floor(c), 0) + Math.max(0, cs.length - 1);
  if (need(shown) <= width) return shown;
  const first = shown[0];
  const ranked = shown.filter((c) => c.dropRank !== undefined && c.id !== keep && c !== first).sort((a, b) => a.dropRank! - b.dropRank!);
  const rest = shown.filter((c) => c.dropRank === undefined && c.id !== keep && c !== first).reverse();
  // The sorted column goes only when nothing else is left beside the first column (what tells the rows apart).
  const last = shown.filter((c) => c.id === keep && c !== first);
  let kept = shown;
  for (const c of [...ranked, ...rest, ...last]) {
    if (need(kept) <= width || kept.length <= 1) break;
    kept = kept.filter((k) => k !== c);
  }
  return kept;
}

/** One line of text for a row. */
export function renderRow<R>(columns: readonly PlacedColumn<R>[], row: R): string {
  return columns.map((c) => (c.fitTo ? fit(c.fitTo(row, c.cells), c.cells, c.align) : (c.address ? fitAddress : fit)(c.cell(row), c.cells, c.align))).join(' ');
}

/** The header line of a table. */
export function renderHeader<R>(columns: readonly PlacedColumn<R>[]): string {
  return columns.map((c) => fit(c.title, c.cells, c.align)).join(' ');
}

/**
 * The first visible row index: keeps the previous scroll position while the selection stays in view
 * (no jumping as rows come and go), otherwise scrolls just enough.
 */
export function windowTop(total: number, selected: number, height: number, prevTop: number): number {
  if (height <= 0 || total <= height) return 0;
  let top = Math.min(Math.max(0, prevTop), total - height);
  if (selected < top) top = selected;
  else if (selected >= top + height) top = selected - height + 1;
  return Math.max(0, Math.min(top, total - height));
}

/** Lines for the recommendations panel at a given terminal height. */
export function recommendationLines(rows: number, count: number): number {
  if (count === 0) return 1;
  const share = Math.floor(rows / 5);
  return Math.max(MIN_REC_LINES, Math.min(MAX_REC_LINES, share, count * 2));
}
