// The / filter: a case-insensitive substring over a row's port, process, addresses and non-zero states,
// and `key=value` words that select one value exactly (the by-peer drill's `peer=127.0.0.1` must not
// also select 127.0.0.10 and 127.0.0.100, as a substring does).

/**
 * Values a row can be selected by exactly, by key (`peer`): the value, or a test of the typed value (lowercased,
 * quotes removed) for a key written several ways (a peer as [::1], [::1]:PORT or ::ffff:127.0.0.1).
 */
export type ExactTerms = Readonly<Record<string, string | ((typed: string) => boolean)>>;

/** The filter's words: split on spaces, except inside double quotes (`peer="/tmp/a b.sock"`). */
export function filterWords(filter: string): string[] {
  return filter.match(/(?:[^\s"]+|"[^"]*"?)+/g) ?? [];
}

/** The filter word that selects exactly one value of `key`, quoted when the value holds a space or a quote. */
export function exactWord(key: string, value: string): string {
  return /[\s"]/.test(value) || value === '' ? `${key}="${value.replace(/"/g, '')}"` : `${key}=${value}`;
}

/**
 * True when every word of the filter holds for the row: `key=value` (key among the row's exact terms)
 * equals that term, any other word occurs in one of the row's search terms.
 */
export function matchesFilter(terms: readonly string[], filter: string, exact?: ExactTerms): boolean {
  const words = filterWords(filter.trim().toLowerCase());
  if (words.length === 0) return true;
  let hay: string | undefined;
  for (const w of words) {
    const eq = w.indexOf('=');
    if (exact && eq > 0) {
      const key = w.slice(0, eq);
      const have = exact[key];
      if (have !== undefined) {
        const typed = w.slice(eq + 1).replace(/"/g, '');
        if (typeof have === 'function' ? !have(typed) : have.toLowerCase().replace(/"/g, '') !== typed) return false;
        continue;
      }
    }
    hay ??= terms.join('\u0000').toLowerCase();
    if (!hay.includes(w)) return false;
  }
  return true;
}
