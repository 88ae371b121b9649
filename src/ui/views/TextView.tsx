// The socket and help views: a title line and a scrollable text panel.
import { Box, Text } from 'ink';
import { TextPanel, type PanelLine } from '../components/TextPanel.js';
import { fit } from '../format.js';
import type { Theme } from '../theme.js';

export interface TextViewProps {
  title: string;
  lines: readonly PanelLine[];
  scroll: number;
  height: number;
  width: number;
  theme: Theme;
}

export function TextView({ title, lines, scroll, height, width, theme }: TextViewProps) {
  const more = lines.length > height ? ` · ${Math.min(scroll + height, lines.length)}/${lines.length} lines (↑↓ scroll)` : '';
  return (
    <Box flexDirection="column" flexShrink={0}>
      <Box flexShrink={0} height={1}>
        <Text wrap="truncate" {...theme.title}>
          {fit(title + more, width)}
        </Text>
      </Box>
      <TextPanel lines={lines} scroll={scroll} height={height} width={width} theme={theme} />
    </Box>
  );
}
