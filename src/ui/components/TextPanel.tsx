// A scrollable block of pre-formatted lines (socket details, help): only the visible slice is rendered.
import { Box } from 'ink';
import { memo } from 'react';
import { fit } from '../format.js';
import type { Theme } from '../theme.js';
import { TextLine } from './TextLine.js';

/** A line of a text panel; `heading` lines are drawn like table headers. */
export interface PanelLine {
  text: string;
  heading?: boolean;
  dim?: boolean;
}

export interface TextPanelProps {
  lines: readonly PanelLine[];
  scroll: number;
  height: number;
  width: number;
  theme: Theme;
}

function TextPanelImpl({ lines, scroll, height, width, theme }: TextPanelProps) {
  const top = Math.max(0, Math.min(scroll, lines.length - height));
  const shown = lines.slice(top, top + height);
  return (
    <Box flexDirection="column" flexShrink={0}>
      {shown.map((l, i) => (
        <Box key={top + i} flexShrink={0} height={1}>
          <TextLine spans={[{ text: fit(l.text, width) }]} style={l.heading ? theme.tableHeader : l.dim ? theme.dim : undefined} width={width} />
        </Box>
      ))}
    </Box>
  );
}

export const TextPanel = memo(TextPanelImpl);

/** The largest useful scroll offset. */
export function maxScroll(lines: number, height: number): number {
  return Math.max(0, lines - height);
}
