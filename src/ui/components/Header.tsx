// The header lines: identity (host, kernel, source, interval, time, PAUSED/STALE), totals, counter rates, and
// the collector's notes once a snapshot has had any (NotesLine.tsx).
import { Box } from 'ink';
import { memo } from 'react';
import { fit } from '../format.js';
import type { Theme } from '../theme.js';
import { NotesLine } from './NotesLine.js';
import { TextLine, type Span } from './TextLine.js';

export interface HeaderProps {
  identity: string;
  totals: string;
  rates: string;
  paused: boolean;
  /** The last collection error: the data on screen is stale. */
  stale?: string;
  /** useNotesLine()'s notes: a fourth line when defined ('' keeps it, empty); the App counts it out of the body. */
  notes?: string;
  /** Lines it may take (a short terminal): identity first, then the STALE line, totals, notes, rates. All when absent. */
  maxLines?: number;
  width: number;
  theme: Theme;
}

/**
 * Which of the header's lines are drawn when only `max` fit (in screen order): the identity line (PAUSED is on
 * it) is the last to go, then a STALE line, the totals, the notes, and first of all the rates.
 */
export function headerLinesShown(o: { stale: boolean; notes: boolean; max?: number }): Array<'identity' | 'totals' | 'third' | 'notes'> {
  const all: Array<'identity' | 'totals' | 'third' | 'notes'> = ['identity', 'totals', 'third', ...(o.notes ? (['notes'] as const) : [])];
  if (o.max === undefined || o.max >= all.length) return all;
  const priority: Array<'identity' | 'totals' | 'third' | 'notes'> = o.stale ? ['identity', 'third', 'totals', 'notes'] : ['identity', 'totals', 'notes', 'third'];
  const kept = new Set(priority.filter((l) => all.includes(l)).slice(0, Math.max(0, o.max)));
  return all.filter((l) => kept.has(l));
}

function HeaderImpl({ identity, totals, rates, paused, stale, notes, maxLines, width, theme }: HeaderProps) {
  const badge = paused ? ' PAUSED ' : '';
  const staleText = stale ? ` STALE: ${stale} (retrying) ` : '';
  const idWidth = Math.max(0, width - badge.length - (badge ? 1 : 0));
  const first: Span[] = [{ text: fit(identity, idWidth), style: theme.title }];
  if (badge) first.push({ text: ' ' }, { text: badge, style: theme.paused });
  const shown = new Set(headerLinesShown({ stale: !!staleText, notes: notes !== undefined, max: maxLines }));
  return (
    <Box flexDirection="column" flexShrink={0}>
      {shown.has('identity') && (
        <Box flexShrink={0} height={1}>
          <TextLine spans={first} width={width} />
        </Box>
      )}
      {shown.has('totals') && (
        <Box flexShrink={0} height={1}>
          <TextLine spans={[{ text: fit(totals, width) }]} width={width} />
        </Box>
      )}
      {shown.has('third') && (
        <Box flexShrink={0} height={1}>
          {staleText ? (
            <TextLine spans={[{ text: fit(staleText, width) }]} style={theme.stale} width={width} />
          ) : (
            <TextLine spans={[{ text: fit(rates, width) }]} style={theme.dim} width={width} />
          )}
        </Box>
      )}
      {shown.has('notes') && notes !== undefined && (
        <Box flexShrink={0} height={1}>
          <NotesLine text={notes} width={width} theme={theme} />
        </Box>
      )}
    </Box>
  );
}

export const Header = memo(HeaderImpl);
