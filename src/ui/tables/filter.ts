// The / filter: a case-insensitive substring over a row's port, process, addresses and non-zero states.

/** True when every space-separated word of the filter occurs in one of the row's search terms. */
export function matchesFilter(terms: readonly string[], filter: string): boolean {
  const words = filter.trim().toLowerCase().split(/\s+/).filter(Boolean);
  if (words.length === 0) return true;
  const hay = terms.join('\u0000').toLowerCase();
  return words.every((w) => hay.includes(w));
}
