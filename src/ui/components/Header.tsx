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
  width: number;
  theme: Theme;
}

function HeaderImpl({ identity, totals, rates, paused, stale, notes, width, theme }: HeaderProps) {
  const badge = paused ? ' PAUSED ' : '';
  const staleText = stale ? ` STALE: ${stale} (retrying) ` : '';
  const idWidth = Math.max(0, width - badge.length - (badge ? 1 : 0));
  const first: Span[] = [{ text: fit(identity, idWidth), style: theme.title }];
  if (badge) first.push({ text: ' ' }, { text: badge, style: theme.paused });
  return (
    <Box flexDirection="column" flexShrink={0}>
      <Box flexShrink={0} height={1}>
        <TextLine spans={first} width={width} />
      </Box>
      <Box flexShrink={0} height={1}>
        <TextLine spans={[{ text: fit(totals, width) }]} width={width} />
      </Box>
      <Box flexShrink={0} height={1}>
        {staleText ? (
          <TextLine spans={[{ text: fit(staleText, width) }]} style={theme.stale} width={width} />
        ) : (
          <TextLine spans={[{ text: fit(rates, width) }]} style={theme.dim} width={width} />
        )}
      </Box>
      {notes !== undefined && (
        <Box flexShrink={0} height={1}>
          <NotesLine text={notes} width={width} theme={theme} />
        </Box>
      )}
    </Box>
  );
}

export const Header = memo(HeaderImpl);
