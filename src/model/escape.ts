// Text from the system (process names, unix paths) is untrusted: show control characters escaped.

/**
 * Characters that reorder or hide text without a glyph of their own: the line and paragraph separators, every
 * Bidi_Control character (U+061C ALM, U+200E LRM, U+200F RLM, the embeddings and overrides U+202A..U+202E, the
 * isolates U+2066..U+2069), the zero-width space U+200B, the invisible operators U+2060..U+2064 and U+FEFF. Not
 * U+200C/U+200D (ZWNJ, ZWJ), which Persian, Indic scripts and emoji sequences need.
 */
function invisible(c: number): boolean {
  return c === 0x061c || c === 0x200b || c === 0x200e || c === 0x200f || c === 0x2028 || c === 0x2029 || (c >= 0x202a && c <= 0x202e) || (c >= 0x2060 && c <= 0x2064) || (c >= 0x2066 && c <= 0x2069) || c === 0xfeff;
}

/**
 * Escapes C0/C1 control characters, DEL and backslash so that a process named "\x1b[2Jevil" cannot
 * drive the terminal: ESC becomes \x1b, newline \n, tab \t, others \xNN (C1 as \u0080..\u009f). A byte
 * that was not UTF-8 (decodeUtf8's U+DC80..U+DCFF) becomes \xNN with NN from 80 to ff.
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
    else if (c >= 0xdc80 && c <= 0xdcff) out += `\\x${(c - 0xdc00).toString(16)}`; // a byte decodeUtf8 could not decode
    else if (c >= 0xd800 && c <= 0xdfff) out += `\\u${c.toString(16)}`; // any other lone surrogate
    else if (invisible(c)) out += `\\u${c.toString(16).padStart(4, '0')}`; // line separators, bidi controls, invisible marks
    else out += ch;
  }
  return out;
}

/**
 * A one-line message for the terminal (the CLI's `sockscope: ...` errors): as escapeControl, but a
 * backslash stays as it is, since messages quote text a printer already escaped (a path shown as
 * `/tmp/d\x1b[31m`) and escaping it again would double every backslash. Raw control characters still
 * cannot reach the terminal: a config file's key or a directory name in a message is untrusted text.
 */
export function escapeMessage(text: string): string {
  return text
    .split('\\')
    .map((part) => escapeControl(part))
    .join('\\');
}

/**
 * Characters JSON.stringify leaves raw that a terminal acts on or that break text: DEL and the C1 controls
 * (U+009B is CSI, as ESC [ is), and the characters escapeControl escapes as invisible (separators, bidi controls).
 */
const UNSAFE_IN_JSON = /[\u007f-\u009f\u061c\u200b\u200e\u200f\u2028\u2029\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]/g;

/** A JSON document as --json prints it: indented, and safe to cat in a terminal (JSON.parse gives back the same value). */
export function jsonText(doc: unknown): string {
  // The characters can only stand inside strings, where \uXXXX is the same character to any JSON reader.
  return (JSON.stringify(doc, null, 2) ?? 'null').replace(UNSAFE_IN_JSON, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

const STRICT_UTF8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/**
 * Bytes from the system or a peer (a reply, an interface name) as text: UTF-8 where it is UTF-8, and each
 * byte that is not as a lone surrogate U+DC80..U+DCFF (PEP 383's "surrogateescape", as Python's
 * os.fsdecode), which escapeControl shows as \xNN. Unlike latin1 ("hÃ©llo" for "héllo") or U+FFFD
 * (every bad byte alike), nothing is lost: the bytes can be had back. jsonText writes such a byte as \udcNN.
 */
export function decodeUtf8(bytes: Uint8Array): string {
  // Node's decoder is the fast path (names are short and nearly always UTF-8); it gives U+FFFD for a bad
  // byte, so text holding one is decoded again, strictly (a real U+FFFD in the bytes decodes the same).
  const fast = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8');
  if (!fast.includes('\ufffd')) return fast;
  try {
    return STRICT_UTF8.decode(bytes);
  } catch {
    // not all UTF-8: decoded below, byte by byte where it is not
  }
  let out = '';
  let i = 0;
  while (i < bytes.length) {
    const b = bytes[i];
    if (b < 0x80) {
      out += String.fromCharCode(b);
      i++;
      continue;
    }
    // RFC 3629: lead bytes C2..F4; no overlong forms, no surrogates, nothing above U+10FFFF.
    const need = b >= 0xc2 && b <= 0xdf ? 1 : b >= 0xe0 && b <= 0xef ? 2 : b >= 0xf0 && b <= 0xf4 ? 3 : 0;
    let cp = need === 1 ? b & 0x1f : need === 2 ? b & 0x0f : b & 0x07;
    let ok = need > 0;
    for (let k = 1; ok && k <= need; k++) {
      const c = bytes[i + k];
      if (c === undefined || (c & 0xc0) !== 0x80) ok = false;
      else cp = (cp << 6) | (c & 0x3f);
    }
    if (ok && cp >= [0, 0x80, 0x800, 0x10000][need] && cp <= 0x10ffff && (cp < 0xd800 || cp > 0xdfff)) {
      out += String.fromCodePoint(cp);
      i += need + 1;
    } else {
      out += String.fromCharCode(0xdc00 + b);
      i++;
    }
  }
  return out;
}

/**
 * Text that may hold names from the system (a child's output, /proc/net/unix) as text, with decodeUtf8's semantics: a byte that is not UTF-8 (a unix socket path or a
 * process name netstat prints raw) is kept as U+DC80..U+DCFF, as the netlink source keeps it,
 * not turned into U+FFFD. Node's decoder does the whole; only when it met such a byte (a U+FFFD in its
 * text) is the output decoded again line by line, so that decodeUtf8's byte-by-byte path runs on the
 * few lines that hold one, not on megabytes of output. A newline byte is never inside a UTF-8 sequence.
 */
export function decodeUtf8Lines(bytes: Uint8Array): string {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const fast = buf.toString('utf8');
  if (!fast.includes('\ufffd')) return fast;
  const lines: string[] = [];
  for (let start = 0; start < buf.length; ) {
    const nl = buf.indexOf(0x0a, start);
    const end = nl < 0 ? buf.length : nl + 1;
    lines.push(decodeUtf8(buf.subarray(start, end)));
    start = end;
  }
  return lines.join('');
}

/** Lone surrogates U+DC80..U+DCFF (the u flag keeps the low half of a real pair out). */
const ESCAPED_BYTES = /[\uDC80-\uDCFF]+/gu;
const HAS_ESCAPED_BYTE = /[\uDC80-\uDCFF]/u;

/**
 * The inverse of decodeUtf8 and decodeUtf8Lines: UTF-8, except that each lone surrogate U+DC80..U+DCFF, which
 * stands for a byte that was not UTF-8, is that byte again. Buffer.from(text, 'utf8') writes U+FFFD for each,
 * so parseSs, which turns run()'s text back into ss's bytes, lost a unix path's or process name's bytes read over
 * ssh that the local ss source keeps.
 */
export function encodeUtf8Bytes(text: string): Buffer {
  if (!HAS_ESCAPED_BYTE.test(text)) return Buffer.from(text, 'utf8');
  const parts: Buffer[] = [];
  let last = 0;
  for (const m of text.matchAll(ESCAPED_BYTES)) {
    parts.push(Buffer.from(text.slice(last, m.index), 'utf8'));
    parts.push(Buffer.from(Array.from(m[0], (c) => c.charCodeAt(0) - 0xdc00)));
    last = m.index + m[0].length;
  }
  parts.push(Buffer.from(text.slice(last), 'utf8'));
  return Buffer.concat(parts);
}
