// A few plain text lines (the port view's listeners), each truncated to the width.
import { Box, Text } from 'ink';
import { memo } from 'react';
import { fit } from '../format.js';
import type { Theme } from '../theme.js';

export const Lines = memo(function Lines({ lines, width, theme, dim }: { lines: readonly string[]; width: number; theme: Theme; dim?: boolean }) {
  return (
    <Box flexDirection="column" flexShrink={0}>
      {lines.map((l, i) => (
        <Box key={i} flexShrink={0} height={1}>
          <Text wrap="truncate" {...(dim ? theme.dim : {})}>
            {fit(l, width)}
          </Text>
        </Box>
      ))}
    </Box>
  );
});
