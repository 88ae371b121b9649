// Node decodes the command line as UTF-8 and turns a byte that is not UTF-8 into U+FFFD: `task $'caf\xe9.json'`
// looked for caf\xEF\xBF\xBD.json (no such file) and `--output $'caf\xe9.c'` wrote a file under that other name.
// The words' own bytes are in /proc/self/cmdline; this says whether a value came from a word that was not UTF-8.
import { readFileSync } from 'node:fs';

const STRICT_UTF8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Whether `value` (a path from process.argv) holds U+FFFD that stands for bytes that were not UTF-8: one of the
 * command line's own words (the last process.argv.length - 2 words of /proc/self/cmdline; Node's own flags come
 * before the script) is not valid UTF-8 and, decoded as Node decoded it, contains the value (`--output=X` too).
 * False without U+FFFD, and where /proc cannot be read (nothing to compare with: the value is used as given).
 */
export function cameFromNonUtf8Word(value: string): boolean {
  if (!value.includes('\uFFFD')) return false;
  let raw: Buffer;
  try {
    raw = readFileSync('/proc/self/cmdline');
  } catch {
    return false;
  }
  const words: Buffer[] = [];
  for (let start = 0; start < raw.length; ) {
    const end = raw.indexOf(0, start);
    words.push(raw.subarray(start, end < 0 ? raw.length : end));
    start = end < 0 ? raw.length : end + 1;
  }
  const args = words.slice(Math.max(0, words.length - (process.argv.length - 2)));
  return args.some((w) => {
    try {
      STRICT_UTF8.decode(w);
      return false;
    } catch {
      return w.toString('utf8').includes(value);
    }
  });
}
