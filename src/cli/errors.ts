// Errors the CLI maps to exit codes: UsageError -> 2 (bad input), anything else -> 1.
import { ECHO_MAX_CHARS, briefText } from '../model/input-error.js';

/** Bad input from the user: printed as one line, exit code 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/**
 * A message as the CLI prints it, quoting at most ECHO_MAX_CHARS characters of any command-line word ('…'
 * where cut, as briefText): `--port <100,000 digits>` was echoed whole, 100 KB on stderr. Done once where
 * messages are printed (main.ts), so that no flag's message can miss it: each long word (and the value of
 * `--flag=value`, trimmed or not) is cut wherever it stands, then any remaining run of more than
 * ECHO_MAX_CHARS characters without a space, quote, comma or colon that is part of a word (an item of
 * `--keepalive 1,2,<long>`, a label of a host name).
 */
export function briefWords(message: string, words: readonly string[], max = ECHO_MAX_CHARS): string {
  const long = new Set<string>();
  for (const w of words) {
    if (w.length <= max) continue;
    for (const s of [w, w.slice(w.indexOf('=') + 1)]) for (const t of [s, s.trim()]) if (briefText(t, max) !== t) long.add(t);
  }
  if (long.size === 0) return message;
  let out = message;
  for (const s of [...long].sort((a, b) => b.length - a.length)) if (out.includes(s)) out = out.split(s).join(briefText(s, max));
  const run = new RegExp(`[^\\s"'\`,;:]{${max + 1},}`, 'g');
  return out.replace(run, (r) => (briefText(r, max) !== r && [...long].some((w) => w.includes(r)) ? briefText(r, max) : r));
}
