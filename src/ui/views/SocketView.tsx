// One socket: every field, state meaning, tcp_info, buffers, fd flags and option values (lines from socket-lines.ts).
import { useMemo } from 'react';
import { escapeControl } from '../../model/escape.js';
import { formatEndpoint, type Socket } from '../../model/socket.js';
import type { PanelLine } from '../components/TextPanel.js';
import { stringWidth, wrapText } from '../format.js';
import type { Theme } from '../theme.js';
import { TextView } from './TextView.js';

export interface SocketViewProps {
  socket?: Socket;
  lines: readonly PanelLine[];
  scroll: number;
  height: number;
  width: number;
  theme: Theme;
}

/**
 * How a line starts and where its wrapped lines continue: a "  key      value" line keeps its key column
 * and continues under the value, any other line continues two cells in.
 */
function lineHead(text: string): { head: string; indent: string } {
  const kv = /^ *\S.*? {2,}(?=\S)/.exec(text);
  if (kv && kv[0].length <= 32) return { head: kv[0], indent: ' '.repeat(kv[0].length) };
  const lead = /^ */.exec(text)![0];
  return { head: lead, indent: ' '.repeat(lead.length + 2) };
}

/**
 * The lines wrapped to `width` ("Who acts: …", "unknown: <why>" are sentences). At most `room` lines are
 * added: past that, the rest of a line stays on its last line (and is cut with "…" where it is drawn).
 */
export function wrapPanelLines(lines: readonly PanelLine[], width: number, room = Number.POSITIVE_INFINITY): readonly PanelLine[] {
  if (!lines.some((l) => stringWidth(l.text) > width)) return lines;
  const out: PanelLine[] = [];
  let left = room;
  for (const l of lines) {
    if (l.heading || stringWidth(l.text) <= width) {
      out.push(l);
      continue;
    }
    const { head, indent } = lineHead(l.text);
    let parts = wrapText(l.text.slice(head.length), width, head, indent);
    // Out of room: the rest stays on the last line it may take (cut with "…" where it is drawn).
    if (parts.length - 1 > left) parts = [...parts.slice(0, left), indent + parts.slice(left).map((p) => p.trim()).join(' ')];
    if (left === 0) parts = [l.text];
    left -= parts.length - 1;
    for (const text of parts) out.push({ ...l, text });
  }
  return out;
}

/** The lines wrapped for a panel of `height`: when nothing scrolls, only as much as fits on the screen, or the last lines could never be reached. */
function wrapFor(lines: readonly PanelLine[], height: number, width: number): readonly PanelLine[] {
  return wrapPanelLines(lines, width, lines.length <= height ? height - lines.length : undefined);
}

/**
 * The wrapped lines and where they start for the scroll position `scroll`, which counts the given lines
 * (the App's scroll range). Equal to the input when no line is too wide (the App wrapped them already).
 */
export function wrappedView(lines: readonly PanelLine[], scroll: number, height: number, width: number, wrapped = wrapFor(lines, height, width)): { lines: readonly PanelLine[]; scroll: number } {
  const maxGiven = Math.max(0, lines.length - height);
  if (wrapped === lines || maxGiven === 0) return { lines: wrapped, scroll: wrapped === lines ? scroll : 0 };
  // The given range maps onto the wrapped one: both ends stay reachable, each step moves a line or more.
  const maxWrapped = Math.max(0, wrapped.length - height);
  return { lines: wrapped, scroll: Math.round((Math.min(scroll, maxGiven) * maxWrapped) / maxGiven) };
}

export function SocketView({ socket: s, lines, scroll, height, width, theme }: SocketViewProps) {
  const title = s ? `SOCKET ${s.protocol} ${escapeControl(formatEndpoint(s.local, s.protocol))} -> ${escapeControl(formatEndpoint(s.peer, s.protocol))}` : 'SOCKET';
  const wrapped = useMemo(() => wrapFor(lines, height, width), [lines, height, width]);
  const shown = wrappedView(lines, scroll, height, width, wrapped);
  return <TextView title={title} lines={shown.lines} scroll={shown.scroll} height={height} width={width} theme={theme} />;
}
