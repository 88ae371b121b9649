// Small pure formatters shared by the monitor views and the plain (non-TTY) table.
import { escapeControl } from '../model/escape.js';
import { hiddenOwnerUid, localOwnerView, mustBeHeld, summaryHiddenUids, type OwnerRow, type OwnerView } from '../model/owner.js';
import type { ProcessRef, Socket } from '../model/socket.js';

/** Terminal cells of a string: wide East Asian and emoji count 2, combining marks 0 (enough for names and paths). */
export function stringWidth(text: string): number {
  let w = 0;
  for (const ch of text) {
    const c = ch.codePointAt(0)!;
    if ((c >= 0x300 && c <= 0x36f) || c === 0x200b || (c >= 0xfe00 && c <= 0xfe0f)) continue;
    const wide =
      (c >= 0x1100 && c <= 0x115f) ||
      (c >= 0x2e80 && c <= 0xa4cf) ||
      (c >= 0xac00 && c <= 0xd7a3) ||
      (c >= 0xf900 && c <= 0xfaff) ||
      (c >= 0xfe30 && c <= 0xfe4f) ||
      (c >= 0xff00 && c <= 0xff60) ||
      (c >= 0xffe0 && c <= 0xffe6) ||
      (c >= 0x1f300 && c <= 0x1f64f) ||
      (c >= 0x1f900 && c <= 0x1f9ff) ||
      (c >= 0x20000 && c <= 0x3fffd);
    w += wide ? 2 : 1;
  }
  return w;
}

/** Fits text into exactly `width` cells: cut with an ellipsis, or padded. */
const PRINTABLE_ASCII = /^[\x20-\x7e]*$/;

export function fit(text: string, width: number, align: 'left' | 'right' = 'left'): string {
  if (width <= 0) return '';
  if (PRINTABLE_ASCII.test(text)) {
    // Fast path (most cells): one cell per character.
    const t = text.length > width ? `${text.slice(0, width - 1)}…` : text;
    const pad = ' '.repeat(width - (t === text ? text.length : width));
    return align === 'right' ? pad + t : t + pad;
  }
  let w = stringWidth(text);
  let t = text;
  if (w > width) {
    // Cut by characters until it fits with the ellipsis (names are short; this loop is bounded by length).
    const chars = [...t];
    while (chars.length > 0 && stringWidth(chars.join('')) > width - 1) chars.pop();
    t = chars.join('') + '…';
    w = stringWidth(t);
  }
  const pad = ' '.repeat(Math.max(0, width - w));
  return align === 'right' ? pad + t : t + pad;
}

/**
 * Fits an address, address:port or endpoint cell into exactly `width` cells. What tells such cells apart is
 * the port and the address's end (2001:db8:…:eeee:1 and …:eeee:2, 10.0.0.1 and 10.0.0.2): one that does not
 * fit is cut in the middle of the address, keeping its port, `[2001:db8:…eeee:2]:41234`. A note after the
 * endpoint (` (IPv6 only)`) is cut first. fit() cut from the end, and four IPv6 peers read the same.
 */
export function fitAddress(text: string, width: number, align: 'left' | 'right' = 'left'): string {
  if (width <= 0) return '';
  const space = text.indexOf(' ');
  const endpoint = space < 0 ? text : text.slice(0, space);
  if (stringWidth(text) <= width || stringWidth(endpoint) <= width) return fit(text, width, align);
  // The kept end: "]:PORT" of [v6]:PORT, ":PORT" of v4:PORT; a bare address (more colons, or none) keeps none.
  let cut = endpoint.length;
  if (endpoint.startsWith('[') && endpoint.includes(']')) cut = endpoint.indexOf(']');
  else if (endpoint.indexOf(':') >= 0 && endpoint.indexOf(':') === endpoint.lastIndexOf(':')) cut = endpoint.indexOf(':');
  const suffix = endpoint.slice(cut);
  const room = width - stringWidth(suffix);
  if (room < 3) return fit(text, width, align);
  // The address's end gets the larger half: it is what differs between neighbours.
  return fit(`${cutMiddle(endpoint.slice(0, cut), room, 0)}${suffix}`, width, align);
}

/**
 * `text` in at most `width` cells, cut in the middle: the end gets the larger part, and at least `keepEnd` cells
 * (a path's file name) when the width has them.
 */
function cutMiddle(text: string, width: number, keepEnd: number): string {
  if (stringWidth(text) <= width) return text;
  if (width <= 1) return width === 1 ? '…' : '';
  // escapeControl's escapes (\x07, \u200e, \\, \n) are kept or cut whole: half of one read as literal text.
  const chars = text.match(/\\x[0-9a-f]{2}|\\u[0-9a-f]{4}|\\[\\ntr]|[\s\S]/gu) ?? [];
  let tailRoom = Math.min(width - 1, Math.max(Math.ceil((width - 1) / 2), keepEnd));
  let headRoom = width - 1 - tailRoom;
  let tail = '';
  for (let i = chars.length - 1; i >= 0 && stringWidth(chars[i]) <= tailRoom; i--) {
    tail = chars[i] + tail;
    tailRoom -= stringWidth(chars[i]);
  }
  let head = '';
  for (let i = 0; i < chars.length && stringWidth(chars[i]) <= headRoom; i++) {
    head += chars[i];
    headRoom -= stringWidth(chars[i]);
  }
  return `${head}…${tail}`;
}

/**
 * A unix row's PROCESS cell, its path (escaped) and its owner, in exactly `width` cells. The path is its address:
 * one that does not fit is cut in the middle, keeping its end (the file name), and the owner keeps what the file
 * name leaves (8 cells or a quarter of the cell at least). fit() cut the whole from the end, and every socket of a directory
 * read `/tmp/dir/…` at 80 columns.
 */
export function fitPathAndOwner(path: string, owner: string, width: number): string {
  const pw = stringWidth(path);
  const ow = stringWidth(owner);
  if (pw + 1 + ow <= width || width < 4) return fit(`${path} ${owner}`, width);
  // An abstract name (@name, where a '/' is no directory) or (unnamed) has no directory: all of it is its name.
  const abstract = path.startsWith('@');
  const slash = abstract ? -1 : path.lastIndexOf('/');
  const name = slash >= 0 ? stringWidth(path.slice(slash)) : pw;
  // First the file name (with its "…"), then the owner (8 cells or a quarter of the cell at least, at most half), then
  // the rest of the path.
  const room = width - 1;
  const first = Math.min(name < pw ? name + 1 : pw, room - Math.min(ow, Math.max(8, Math.ceil(room / 4)), Math.floor(room / 2)));
  const ownerRoom = Math.min(ow, room - first);
  const pathRoom = room - ownerRoom;
  // An abstract name keeps its '@' (cut, it read as a fragment of a path): `@…end`.
  const shown = abstract && pathRoom >= 3 ? `@${cutMiddle(path.slice(1), pathRoom - 1, pathRoom - 2)}` : cutMiddle(path, pathRoom, name);
  return fit(`${shown} ${fitOwner(owner, ownerRoom)}`, width);
}

/** An owner `name/PID` (`+N` after it when several) in `room` cells: its name is cut before its PID (`pyth…/3356`). */
function fitOwner(owner: string, room: number): string {
  if (stringWidth(owner) <= room) return owner;
  const m = /^(.+?)(\/\d+.*)$/.exec(owner);
  const pidW = m ? stringWidth(m[2]) : 0;
  return m && pidW + 2 <= room ? fit(m[1], room - pidW) + m[2] : fit(owner, room);
}

/** 1234 -> "1234", 12345 -> "12.3k", 1234567 -> "1.2M". */
export function compactNumber(n: number): string {
  if (n < 10_000) return String(n);
  if (n < 1_000_000) return `${(n / 1000).toFixed(n < 100_000 ? 1 : 0)}k`;
  return `${(n / 1_000_000).toFixed(1)}M`;
}

/** A count column: blank for zero keeps tables quiet. */
export function count(n: number): string {
  return n === 0 ? '·' : compactNumber(n);
}

/** Per-second rate, "-" when unknown. */
export function rate(r: number | null): string {
  if (r == null) return '-';
  if (r === 0) return '0/s';
  if (r < 10) return `${r.toFixed(1)}/s`;
  return `${compactNumber(Math.round(r))}/s`;
}

/**
 * Bytes with binary units and their IEC names, one form for every byte figure of the monitor (the ports table's
 * UDP QUEUE, the port view's RECV-Q/SEND-Q, the socket view): "832 B", "7.3 KiB", "208 KiB", "3.7 MiB", at most 8
 * cells. Counts (sockets, connections) stay decimal (compactNumber). The socket view said "3.7M" for the same
 * queue the port view's cell read "3.8M" (1,000,000 there).
 */
export function bytes(n: number | undefined): string {
  if (n == null) return '-';
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let v = n;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${i === 0 || v >= 100 ? String(Math.round(v)) : String(Math.round(v * 10) / 10)} ${units[i]}`;
}

/** Microseconds as a short duration: 120us, 1.2ms, 34ms, 1.2s. */
export function micros(us: number | undefined): string {
  if (us == null) return '-';
  if (us < 1000) return `${Math.round(us)}us`;
  if (us < 10_000) return `${(us / 1000).toFixed(1)}ms`;
  if (us < 1_000_000) return `${Math.round(us / 1000)}ms`;
  return `${(us / 1_000_000).toFixed(1)}s`;
}

/** Milliseconds as a short duration. */
export function millis(ms: number | undefined): string {
  return ms == null ? '-' : micros(ms * 1000);
}

/** The PROCESS cell of a socket some process holds whose owner is not known: not looked up in this view, or looked up and not found. */
export const OWNER_UNKNOWN = '?';

/**
 * "name/pid", "+N" when several processes share the socket; names escaped (they are untrusted). "hidden uid 0"
 * when `hiddenUids` holds the users whose processes hold it out of sight (model/owner.ts), after the names when
 * some owners are visible (a row of several sockets: `python3/812, hidden uid 0`). With neither, OWNER_UNKNOWN
 * when `held` (some process must hold it: its owner was not looked up, or not found: another PID namespace, a
 * kernel socket), else "-" (no process holds it: TIME_WAIT, orphans).
 */
export function processLabel(procs: readonly ProcessRef[], hiddenUids?: readonly number[], held = false): string {
  const hidden = hiddenUids && hiddenUids.length > 0 ? `hidden uid ${hiddenUids.join(',')}` : undefined;
  if (procs.length === 0) return hidden ?? (held ? OWNER_UNKNOWN : '-');
  const first = `${escapeControl(procs[0].name)}/${procs[0].pid}`;
  const names = procs.length > 1 ? `${first}+${procs.length - 1}` : first;
  return hidden ? `${names}, ${hidden}` : names;
}

/** A PROCESS label's parts: the name, the last `/pid[+n]` (a name may hold `/digits`: `worker/1/29996`), what follows. */
const PROCESS_PARTS = /^(.*)(\/\d+(?:\+\d+)?)((?:, .*)?)$/s;

/**
 * A PROCESS cell ("nginx/8123", "nginx/8123+2", "python3/812, hidden uid 0") fitted to `width` without cutting the
 * pid: the name gives way first ("ngi…/8123", "pyt…/812…" when more follows); without room for a letter of it, the
 * pid alone. The pid is the last `/digits` (`worker/1/29996` read `worker/1…`, pid 1). Other text, or a width too
 * small for the pid, is cut as fit cuts it. A cut "python3/2…" read as another pid.
 */
export function fitProcessCell(text: string, width: number): string {
  if (stringWidth(text) <= width) return fit(text, width);
  const m = PROCESS_PARTS.exec(text);
  if (!m || m[1] === '') return fit(text, width);
  const [, name, pid, more] = m;
  const tail = pid + (more ? '…' : '');
  const room = width - stringWidth(tail);
  if (room < 2) return stringWidth(pid) <= width ? fit(pid, width) : fit(text, width);
  return fit(`${fit(name, room).trimEnd()}${tail}`, width);
}

/** The cells a PROCESS cell needs to keep its pid whole beside a letter of the name (0: no pid in it). */
export function processLeastCells(text: string): number {
  const m = PROCESS_PARTS.exec(text);
  return m && m[1] !== '' ? Math.min(stringWidth(text), stringWidth(m[2]) + (m[3] ? 1 : 0) + 2) : 0;
}

/** A socket's PROCESS cell: its processes, "hidden uid N" when another user's process holds it out of sight, "?" when some process must hold it (mustBeHeld). */
export function socketProcessLabel(s: Socket, view: OwnerView = localOwnerView()): string {
  if (s.processes.length !== 0) return processLabel(s.processes);
  const uid = hiddenOwnerUid(s, view);
  return processLabel(s.processes, uid === undefined ? undefined : [uid], mustBeHeld(s));
}

/**
 * A port (or peer port, or unix) row's PROCESS cell: its processes, and "hidden uid N" when some of its sockets
 * whose owners were looked up are another user's out of sight (`listenersOnly`: only its listeners' were, see
 * summaryHiddenUids), or "?" when none is visible and some of its sockets must be held (PortSummary.uids) by an
 * owner not found.
 */
export function summaryProcessLabel(p: OwnerRow & { processes: readonly ProcessRef[] }, view: OwnerView = localOwnerView(), listenersOnly = false): string {
  return processLabel(p.processes, summaryHiddenUids(p, view, listenersOnly), (p.uids?.length ?? 0) > 0);
}

/**
 * A socket's state as the tables and the socket view name it: an unconnected UDP (or unix datagram) socket is
 * in the kernel's CLOSE state, which ss names UNCONN (the home view's filter searches it so: portSearchTerms).
 */
export function stateLabel(s: Pick<Socket, 'protocol' | 'state'>): string {
  return s.state === 'CLOSE' && s.protocol !== 'tcp' ? 'UNCONN' : s.state;
}

/** An interval as the user typed it: 1s, 500ms, 2.5s. */
export function interval(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000}s` : ms > 1000 ? `${(ms / 1000).toFixed(1)}s` : `${ms}ms`;
}

/** HH:MM of a timestamp (minute precision keeps refreshes with unchanged data byte-free). */
export function clock(t: number): string {
  const d = new Date(t);
  return `${String(d.getHours()).padStart(2, '0')}:${String(d.getMinutes()).padStart(2, '0')}`;
}

/**
 * Word-wraps `text` to lines of at most `width` cells: the first line starts with `first`, the others
 * with `rest` (a hanging indent). A word longer than a line is cut across lines. Explanations and
 * recommendations are sentences: cut at the edge with "…" they lose their point (and the fix).
 */
export function wrapText(text: string, width: number, first = '', rest = first): string[] {
  const out: string[] = [];
  let line = first;
  let lineWidth = stringWidth(first);
  let empty = true;
  const room = (prefixWidth: number) => Math.max(1, width - prefixWidth);
  for (const word of text.split(/ +/).filter(Boolean)) {
    let w = word;
    let ww = stringWidth(w);
    if (!empty && lineWidth + 1 + ww > width) {
      out.push(line);
      line = rest;
      lineWidth = stringWidth(rest);
      empty = true;
    }
    // A word wider than a whole line: cut it, a line at a time (bounded by the word's length).
    while (ww > room(lineWidth) && empty) {
      const chars = [...w];
      let take = '';
      let tw = 0;
      for (const ch of chars) {
        const cw = stringWidth(ch);
        if (tw + cw > room(lineWidth)) break;
        take += ch;
        tw += cw;
      }
      if (take === '') break;
      out.push(line + take);
      w = w.slice(take.length);
      ww = stringWidth(w);
      line = rest;
      lineWidth = stringWidth(rest);
    }
    if (w === '') continue;
    line += (empty ? '' : ' ') + w;
    lineWidth += (empty ? 0 : 1) + ww;
    empty = false;
  }
  if (!empty || out.length === 0) out.push(line);
  return out;
}
