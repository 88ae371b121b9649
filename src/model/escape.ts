// Text from the system (process names, unix paths) is untrusted: show control characters escaped.

/**
 * Escapes C0/C1 control characters, DEL and backslash so that a process named "\x1b[2Jevil" cannot
 * drive the terminal: ESC becomes \x1b, newline \n, tab \t, others \xNN (C1 as \u0080..\u009f).
 */
export function escapeControl(text: string): string {
  let out = '';
  for (const ch of text) {
    const c = ch.codePointAt(0)!;
    if (ch === '\\') out += '\\\\';
    else if (ch === '\n') out += '\\n';
    else if (ch === '\t') out += '\\t';
    else if (ch === '\r') out += '\\r';
    else if (c < 0x20 || c === 0x7f) out += `\\x${c.toString(16).padStart(2, '0')}`;
    else if (c >= 0x80 && c <= 0x9f) out += `\\u${c.toString(16).padStart(4, '0')}`;
    else if (c === 0x2028 || c === 0x2029 || (c >= 0x202a && c <= 0x202e) || (c >= 0x2066 && c <= 0x2069))
      out += `\\u${c.toString(16).padStart(4, '0')}`; // line separators and bidi overrides
    else out += ch;
  }
  return out;
}

/**
 * Characters JSON.stringify leaves raw that a terminal acts on or that break text: DEL and the C1 controls
 * (U+009B is CSI, as ESC [ is), the line/paragraph separators, the bidi overrides (as escapeControl does).
 */
const UNSAFE_IN_JSON = /[\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

/** A JSON document as --json prints it: indented, and safe to cat in a terminal (JSON.parse gives back the same value). */
export function jsonText(doc: unknown): string {
  // The characters can only stand inside strings, where \uXXXX is the same character to any JSON reader.
  return (JSON.stringify(doc, null, 2) ?? 'null').replace(UNSAFE_IN_JSON, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
