// The text of the header's notes line (NotesLine.tsx), pure: the refresh check compares it too.
import { escapeMessage } from '../../model/escape.js';
import type { Snapshot } from '../../model/snapshot.js';

/**
 * The snapshot's notes as one line of text, each escaped (a remote host's error text is the host's), in
 * the collector's order (failed and stale hosts first), '' when there are none. The attribution note is
 * left out while the identity line says it (attribution incomplete: header-lines.ts hiddenOwners).
 */
export function notesText(s: Snapshot | undefined): string {
  if (!s) return '';
  const said = !s.attribution.complete ? s.attribution.note : undefined;
  const notes = s.notes.filter((n) => n !== said).map(escapeMessage);
  if (notes.length === 0) return '';
  return `${notes.length === 1 ? 'note' : `notes (${notes.length})`}: ${notes.join(' · ')}`;
}
