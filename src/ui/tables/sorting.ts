// Sort definitions as data: `s` cycles through a table's list, `S` reverses the current one.

export interface SortDef<R> {
  id: string;
  /** Shown in the table header as "sort: <label>". */
  label: string;
  /** Descending by default (counts), ascending for names and numbers like ports. */
  desc: boolean;
  key: (row: R) => number | string;
  /** Tie breaker so the order is stable between refreshes. */
}

export interface SortState {
  index: number;
  reversed: boolean;
}

/** Sorts a copy of rows; ties keep the rows' identity order (idOf) so equal rows do not swap between refreshes. */
export function sortRows<R>(rows: readonly R[], defs: readonly SortDef<R>[], state: SortState, idOf: (r: R) => string): R[] {
  const def = defs[state.index % defs.length];
  const dir = (def.desc ? -1 : 1) * (state.reversed ? -1 : 1);
  const keyed = rows.map((r) => ({ r, k: def.key(r), id: idOf(r) }));
  keyed.sort((a, b) => {
    const c = typeof a.k === 'number' && typeof b.k === 'number' ? a.k - b.k : String(a.k).localeCompare(String(b.k));
    if (c !== 0) return c * dir;
    return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
  });
  return keyed.map((x) => x.r);
}

/** "port ↑" / "ESTAB ↓". */
export function sortLabel<R>(defs: readonly SortDef<R>[], state: SortState): string {
  const def = defs[state.index % defs.length];
  const desc = def.desc !== state.reversed;
  return `${def.label} ${desc ? '↓' : '↑'}`;
}
