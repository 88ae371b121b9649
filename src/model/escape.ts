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
