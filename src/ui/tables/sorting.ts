// Sort definitions as data: `s` cycles through a table's list, `S` reverses the current one.

export interface SortDef<R> {
  id: string;
  /** Shown in the table header as "sort: <label>". */
  label: string;
  /** Descending by default (counts), ascending for names and numbers like ports. */
  desc: boolean;
  key: (row: R) => number | string;
  /**
   * On a table's first sort (its home order): ids that tie compare as plain text, not by compareIds. The port
   * view's socket list: at 100,000 sockets on one port, most of them ESTABLISHED, compareIds made the sort
   * about 300 ms slower per refresh than the text order (measured), for peer addresses only.
   */
  textIdTies?: boolean;
}

export interface SortState {
  index: number;
  reversed: boolean;
}

const isDigit = (c: number) => c >= 48 && c <= 57;

/**
 * Compares two row ids with their digit runs as numbers ('tcp:9000' before 'tcp:10000', peer 10.0.0.9 before
 * 10.0.0.10, peer port 9999 before 10000), the rest by character code (so 'tcp:80' before 'udp:80', as the
 * home view lists them). The plain text order put 10000 before 9000 (user review s26 #2).
 */
export function compareIds(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  let i = 0;
  while (i < n && a.charCodeAt(i) === b.charCodeAt(i)) i++;
  if (i === n) return a.length - b.length;
  // The digit run holding the first difference, from its start (shared by both) to its end in each id.
  let start = i;
  while (start > 0 && isDigit(a.charCodeAt(start - 1))) start--;
  let endA = i;
  let endB = i;
  while (endA < a.length && isDigit(a.charCodeAt(endA))) endA++;
  while (endB < b.length && isDigit(b.charCodeAt(endB))) endB++;
  // Both numbers there (no leading zeros in ports, octets or inodes): the longer is the larger.
  if (endA > start && endB > start && endA - start !== endB - start) return endA - start - (endB - start);
  return a.charCodeAt(i) - b.charCodeAt(i);
}

function compareKeys(a: number | string, b: number | string): number {
  // Equal keys (most rows in a sort by a count) skip localeCompare.
  if (a === b) return 0;
  return typeof a === 'number' && typeof b === 'number' ? a - b : String(a).localeCompare(String(b));
}

/**
 * Above this many rows, ids that tie compare as plain text, not by compareIds. At 100,000 peer groups compareIds
 * made each sort 2-3.5x slower than the text order, every refresh (diff review s26 of 6b0d6d17: sockets 24.9 ->
 * 46.7 ms, C-WAIT 18.5 -> 52.2 ms); at 10,000 rows it costs about 2 ms. Ids precomputed as padded keys
 * (decorate-sort) cost as much to build as compareIds did (measured), so a large table ties by text instead.
 */
export const NUMERIC_ID_TIES_MAX_ROWS = 10_000;

/**
 * Sorts a copy of rows. Ties keep the table's first sort (the home order: ports by number, the port view's
 * sockets by state), then the rows' identity (idOf, digit runs as numbers: compareIds; as plain text above
 * NUMERIC_ID_TIES_MAX_ROWS rows or with textIdTies), so equal rows do not swap between refreshes and read in the
 * order the table shows without a sort.
 */
export function sortRows<R>(rows: readonly R[], defs: readonly SortDef<R>[], state: SortState, idOf: (r: R) => string): R[] {
  const def = defs[state.index % defs.length];
  const dir = (def.desc ? -1 : 1) * (state.reversed ? -1 : 1);
  const home = defs[0];
  const homeDir = home.desc ? -1 : 1;
  const tieByHome = home !== def;
  const byId = home.textIdTies || rows.length > NUMERIC_ID_TIES_MAX_ROWS ? (a: string, b: string) => (a < b ? -1 : 1) : compareIds;
  const keyed = rows.map((r) => ({ r, k: def.key(r), h: tieByHome ? home.key(r) : 0, id: idOf(r) }));
  keyed.sort((a, b) => {
    const c = compareKeys(a.k, b.k);
    if (c !== 0) return c * dir;
    const h = tieByHome ? compareKeys(a.h, b.h) : 0;
    if (h !== 0) return h * homeDir;
    return a.id === b.id ? 0 : byId(a.id, b.id);
  });
  return keyed.map((x) => x.r);
}

/** "port ↑" / "ESTAB ↓". */
export function sortLabel<R>(defs: readonly SortDef<R>[], state: SortState): string {
  const def = defs[state.index % defs.length];
  const desc = def.desc !== state.reversed;
  return `${def.label} ${desc ? '↓' : '↑'}`;
}
