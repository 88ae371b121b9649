// Errors the CLI maps to exit codes: UsageError -> 2 (bad input), anything else -> 1.
import { briefText } from '../model/input-error.js';

/** Bad input from the user: printed as one line, exit code 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/**
 * A word longer than this is abusive, not a value of normal length (a DNS name is at most 253 characters): a
 * message quotes its first WORD_SHOWN_CHARS characters only. Values of normal length (a path, a host name, an
 * ssh alias) are quoted whole, so that the message can be read and its suggested command copied.
 */
export const ABUSIVE_WORD_CHARS = 256;
/** How much of an abusive word a message quotes, '…' and the word's length after it. */
export const WORD_SHOWN_CHARS = 64;
/** The most characters a CLI message prints, whatever it quotes: a safety net, messages are far shorter. */
export const MESSAGE_MAX_CHARS = 4096;

/** The length of a text in characters (code points), as a message counts them. */
function characters(text: string): number {
  let n = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0xd800 || c > 0xdbff || i + 1 >= text.length) n++;
    else {
      const d = text.charCodeAt(i + 1);
      n++;
      if (d >= 0xdc00 && d <= 0xdfff) i++;
    }
  }
  return n;
}


/**
 * A word as a message quotes it: whole (through `quote`, e.g. JSON.stringify) up to ABUSIVE_WORD_CHARS
 * characters; longer, its first WORD_SHOWN_CHARS characters and '…' (quoted) then its length:
 * `"aaaa…" (100000 characters)`. Cut before quoting, so that a quote that escapes (JSON's \\) cannot grow it.
 */
export function briefWord(text: string, quote: (s: string) => string = (s) => s): string {
  if (text.length <= ABUSIVE_WORD_CHARS) return quote(text);
  const n = characters(text);
  if (n <= ABUSIVE_WORD_CHARS) return quote(text);
  return `${quote(briefText(text, WORD_SHOWN_CHARS))} (${n} characters)`;
}

/**
 * A message as the CLI prints it, every abusive command-line word (over ABUSIVE_WORD_CHARS characters) quoted
 * as briefWord does: `--port <100,000 digits>` was echoed whole, 100 KB on stderr. Values of normal length are
 * left whole, in bad-input and runtime messages alike. Done once where messages are printed (main.ts), so that
 * no flag's message can miss a word it quotes as typed: each long word (and the value of `--flag=value`,
 * trimmed or not) is cut wherever it stands, then any remaining run of more than ABUSIVE_WORD_CHARS characters
 * without a space, quote, comma or colon that is part of one (an item of `--keepalive 1,2,<long>`, a label of a
 * host name). A value a message quotes changed (JSON.stringify, escaped) is cut where the message is made;
 * capMessage is the net for anything else.
 */
export function briefWords(message: string, words: readonly string[]): string {
  const long = new Set<string>();
  for (const w of words) {
    if (w.length <= ABUSIVE_WORD_CHARS) continue;
    for (const s of [w, w.slice(w.indexOf('=') + 1)]) for (const t of [s, s.trim()]) if (briefWord(t) !== t) long.add(t);
  }
  if (long.size === 0) return message;
  let out = message;
  for (const s of [...long].sort((a, b) => b.length - a.length)) if (out.includes(s)) out = out.split(s).join(briefWord(s));
  const run = new RegExp(`[^\\s"'\`,;:]{${ABUSIVE_WORD_CHARS + 1},}`, 'g');
  return out.replace(run, (r) => (briefWord(r) !== r && [...long].some((w) => w.includes(r)) ? briefWord(r) : r));
}

/** A whole message at most MESSAGE_MAX_CHARS characters long: longer, cut with what was left out counted. */
export function capMessage(message: string): string {
  if (message.length <= MESSAGE_MAX_CHARS) return message;
  const n = characters(message);
  if (n <= MESSAGE_MAX_CHARS) return message;
  return `${briefText(message, MESSAGE_MAX_CHARS)} (message cut: ${n} characters)`;
}
