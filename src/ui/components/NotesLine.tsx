// The header's notes line: what the collector says about the snapshot on screen (a remote host failed or
// is stale, unix names with newlines, ss lines it could not read, a netlink dump the tables changed under).
// The one-shot table and --json print these notes; the full-screen monitor showed none of them.
import { memo, useRef } from 'react';
import type { Snapshot } from '../../model/snapshot.js';
import { fit } from '../format.js';
import type { Theme } from '../theme.js';
import { notesText } from './notes-text.js';
import { TextLine } from './TextLine.js';

export { notesText } from './notes-text.js';

/**
 * The notes line for the Header: undefined until a snapshot first has notes, then the line stays for the
 * rest of the run ('' while there are none), so a note that comes and goes between refreshes (a netlink
 * dump the socket tables changed under) moves the table down once, not on every refresh. `lines` is the
 * height it takes from the body (0 or 1).
 */
export function useNotesLine(s: Snapshot | undefined): { notes: string | undefined; lines: 0 | 1 } {
  const text = notesText(s);
  const reserved = useRef(false);
  if (text !== '') reserved.current = true;
  return reserved.current ? { notes: text, lines: 1 } : { notes: undefined, lines: 0 };
}

export interface NotesLineProps {
  /** notesText(): '' keeps the line, empty. */
  text: string;
  width: number;
  theme: Theme;
}

function NotesLineImpl({ text, width, theme }: NotesLineProps) {
  if (text === '') return <TextLine spans={[{ text: fit('notes: none now', width) }]} style={theme.dim} width={width} />;
  // "notes (2):" in the key style, the notes plain: set apart from the dim rates line above.
  const cut = fit(text, width);
  const head = cut.indexOf(': ') + 1;
  if (head <= 0) return <TextLine spans={[{ text: cut }]} width={width} />;
  return <TextLine spans={[{ text: cut.slice(0, head), style: theme.key }, { text: cut.slice(head) }]} width={width} />;
}

/** One line, cut to the width with '…' (the one-shot table and --json have every note in full). */
export const NotesLine = memo(NotesLineImpl);
