// The filter being typed: replaces the footer while / is active.
import { Box } from 'ink';
import { memo } from 'react';
import { escapeMessage } from '../../model/escape.js';
import { fit } from '../format.js';
import type { Theme } from '../theme.js';
import { TextLine } from './TextLine.js';

/** The filter input line: "/ text_   Enter keep · Esc clear". The text is escaped as in the title (sectionTitle); the state keeps it as typed. */
export const FilterBar = memo(function FilterBar({ text, width, theme }: { text: string; width: number; theme: Theme }) {
  const tail = '   Enter keep · Esc clear';
  return (
    <Box flexShrink={0} height={1}>
      <TextLine spans={[{ text: '/ ', style: theme.key }, { text: fit(`${escapeMessage(text)}█${tail}`, Math.max(0, width - 2)) }]} width={width} />
    </Box>
  );
});
