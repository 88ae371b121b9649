// The / filter: a case-insensitive substring over a row's port, process, addresses and non-zero states,
// and `key=value` words that select one value exactly (the by-peer drill's `peer=127.0.0.1` must not
// also select 127.0.0.10 and 127.0.0.100, as a substring does).

/**
 * A key written several ways (a peer as [::1], [::1]:PORT or ::ffff:127.0.0.1): the typed value (lowercased,
 * quotes removed) is parsed once per filter text, not once per row (review api #3: parsing it on each row made
 * `peer=` 20 times slower at 100,000 sockets), and each row tests the parsed value. `parse` must be one
 * function for every row (a module-level one): the parsed value is kept by it.
 */
export interface ParsedTerm<P> {
  parse(typed: string): P;
  matches(parsed: P): boolean;
}

/** Values a row can be selected by exactly, by key (`peer`): the value, or a test of the typed value. */
export type ExactTerms = Readonly<Record<string, string | ParsedTerm<unknown>>>;

/**
 * A name's search terms: as shown (escapeControl: `\u202e`, what a reader types from the screen) and, when it
 * differs, as the system gave it, so a pasted raw control or bidi character finds it too (the filter matches what
 * was typed; only the six characters `\u202e` found a process named U+202E "evil.exe").
 */
export function nameTerms(shown: string, raw: string): string[] {
  return shown === raw ? [shown] : [shown, raw];
}

/**
 * A state's search terms, as one string (matchesFilter joins a row's terms with NUL, so the NULs here part them
 * the same way; a constant per state, built once: the terms are built per row on every refresh): the kernel's
 * name (TIME_WAIT), ss's (TIME-WAIT), the column's (T-WAIT) and the header's (tw), so that what a reader sees
 * on screen or in ss finds the rows holding that state (user review s26 #3: `/time-wait` and `/tw` found none).
 * A shorter name inside a longer one (SYN-R in SYN-RECV, syn-recv and syn in the header) needs no term of its
 * own. An unconnected UDP or unix socket (the kernel's CLOSE) is UNCONN only, as ss names it: `close` finds
 * CLOSE_WAIT, not every UDP port.
 */
export function stateTerms(state: string, protocol: string): string {
  if (state === 'CLOSE' && protocol !== 'tcp') return 'UNCONN';
  return STATE_TERMS[state] ?? state;
}

const STATE_TERMS: Readonly<Record<string, string>> = {
  // ESTAB, est, LISTEN, lis are in the kernel's names already.
  SYN_RECV: 'SYN_RECV\0SYN-RECV',
  SYN_SENT: 'SYN_SENT\0SYN-SENT',
  TIME_WAIT: 'TIME_WAIT\0TIME-WAIT\0T-WAIT\0tw',
  CLOSE_WAIT: 'CLOSE_WAIT\0CLOSE-WAIT\0C-WAIT\0cw',
  FIN_WAIT1: 'FIN_WAIT1\0FIN-WAIT-1',
  FIN_WAIT2: 'FIN_WAIT2\0FIN-WAIT-2',
  // The header's "closing" counts LAST_ACK and CLOSING.
  LAST_ACK: 'LAST_ACK\0LAST-ACK\0closing',
  // A TCP socket bound and never connected or listening: ss's UNCONN, the header's "closed" (cld).
  CLOSE: 'CLOSE\0UNCONN\0closed\0cld',
};

/** The filter's words: split on spaces, except inside double quotes (`peer="/tmp/a b.sock"`). */
export function filterWords(filter: string): string[] {
  return filter.match(/(?:[^\s"]+|"[^"]*"?)+/g) ?? [];
}

/** The filter word that selects exactly one value of `key`, quoted when the value holds a space or a quote. */
export function exactWord(key: string, value: string): string {
  return /[\s"]/.test(value) || value === '' ? `${key}="${value.replace(/"/g, '')}"` : `${key}=${value}`;
}

interface FilterWord {
  /** The word, lowercased. */
  text: string;
  /** For `key=value`: the key and the value without quotes. */
  key?: string;
  typed?: string;
  /** The typed value parsed, and the parse function that parsed it. */
  parse?: (typed: string) => unknown;
  parsed?: unknown;
}

/** The last filter's words: matchesFilter runs once per row with the same filter text. */
let last: { filter: string; words: FilterWord[] } | undefined;

function wordsOf(filter: string): FilterWord[] {
  if (last?.filter === filter) return last.words;
  const words = filterWords(filter.trim().toLowerCase()).map((text): FilterWord => {
    const eq = text.indexOf('=');
    return eq > 0 ? { text, key: text.slice(0, eq), typed: text.slice(eq + 1).replace(/"/g, '') } : { text };
  });
  last = { filter, words };
  return words;
}

function parsedValue(w: FilterWord, term: ParsedTerm<unknown>): unknown {
  if (w.parse !== term.parse) {
    w.parsed = term.parse(w.typed!);
    w.parse = term.parse;
  }
  return w.parsed;
}

/**
 * True when every word of the filter holds for the row: `key=value` (key among the row's exact terms)
 * equals that term, any other word occurs in one of the row's search terms.
 */
export function matchesFilter(terms: readonly string[], filter: string, exact?: ExactTerms): boolean {
  const words = wordsOf(filter);
  if (words.length === 0) return true;
  let hay: string | undefined;
  for (const w of words) {
    if (exact && w.key !== undefined) {
      const have = exact[w.key];
      if (have !== undefined) {
        if (typeof have === 'string' ? have.toLowerCase().replace(/"/g, '') !== w.typed : !have.matches(parsedValue(w, have))) return false;
        continue;
      }
    }
    hay ??= terms.join('\u0000').toLowerCase();
    if (!hay.includes(w.text)) return false;
  }
  return true;
}
