// A few plain text lines (the port view's listeners), each truncated to the width.
import { Box } from 'ink';
import { memo } from 'react';
import { fit } from '../format.js';
import type { Theme } from '../theme.js';
import { TextLine } from './TextLine.js';

export const Lines = memo(function Lines({ lines, width, theme, dim }: { lines: readonly string[]; width: number; theme: Theme; dim?: boolean }) {
  return (
    <Box flexDirection="column" flexShrink={0}>
      {lines.map((l, i) => (
        <Box key={i} flexShrink={0} height={1}>
          <TextLine spans={[{ text: fit(l, width) }]} style={dim ? theme.dim : undefined} width={width} />
        </Box>
      ))}
    </Box>
  );
});
