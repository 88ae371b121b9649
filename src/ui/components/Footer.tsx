// The key hints line, generated from the keymap.
import { Box, Text } from 'ink';
import { memo } from 'react';
import type { Theme } from '../theme.js';

export interface FooterProps {
  hints: ReadonlyArray<{ key: string; label: string }>;
  width: number;
  theme: Theme;
}

/** Hints that fit the width, in keymap order. */
export function hintText(hints: FooterProps['hints'], width: number): Array<{ key: string; label: string }> {
  const out: Array<{ key: string; label: string }> = [];
  let used = 0;
  for (const h of hints) {
    const w = h.key.length + 1 + h.label.length + 2;
    if (used + w > width) break;
    out.push(h);
    used += w;
  }
  return out;
}

function FooterImpl({ hints, width, theme }: FooterProps) {
  const shown = hintText(hints, width);
  // No padding to the width: the rest of the line is unstyled spaces anyway, and Ink trims them.
  return (
    <Box flexShrink={0} height={1}>
      <Text wrap="truncate">
        {shown.map((h) => (
          <Text key={h.key + h.label}>
            <Text {...theme.key}>{h.key}</Text>
            {` ${h.label}  `}
          </Text>
        ))}
      </Text>
    </Box>
  );
}

export const Footer = memo(FooterImpl);
