// Levenshtein distance, for every "did you mean" (config keys, errno names, option names, commands, flags).

/**
 * Edit distance between two strings (insertions, deletions, substitutions each cost 1). `swaps`: a swap of two
 * neighbours counts as one edit too (optimal string alignment: --prot is one from --port).
 */
export function editDistance(a: string, b: string, opts: { swaps?: boolean } = {}): number {
  let before: number[] = [];
  let row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const next = [i];
    for (let j = 1; j <= b.length; j++) {
      next[j] = Math.min(row[j] + 1, next[j - 1] + 1, row[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
      if (opts.swaps && i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) next[j] = Math.min(next[j], before[j - 2] + 1);
    }
    before = row;
    row = next;
  }
  return row[b.length];
}
