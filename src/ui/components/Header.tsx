// The three header lines: identity (host, kernel, source, interval, time, PAUSED/STALE), totals, counter rates.
import { Box, Text } from 'ink';
import { memo } from 'react';
import { fit } from '../format.js';
import type { Theme } from '../theme.js';

export interface HeaderProps {
  identity: string;
  totals: string;
  rates: string;
  paused: boolean;
  /** The last collection error: the data on screen is stale. */
  stale?: string;
  width: number;
  theme: Theme;
}

function HeaderImpl({ identity, totals, rates, paused, stale, width, theme }: HeaderProps) {
  const badge = paused ? ' PAUSED ' : '';
  const staleText = stale ? ` STALE: ${stale} (retrying) ` : '';
  const idWidth = Math.max(0, width - badge.length - (badge ? 1 : 0));
  return (
    <Box flexDirection="column" flexShrink={0}>
      <Box flexShrink={0} height={1}>
        <Text wrap="truncate">
          <Text {...theme.title}>{fit(identity, idWidth)}</Text>
          {badge ? (
            <>
              {' '}
              <Text {...theme.paused}>{badge}</Text>
            </>
          ) : null}
        </Text>
      </Box>
      <Box flexShrink={0} height={1}>
        <Text wrap="truncate">{fit(totals, width)}</Text>
      </Box>
      <Box flexShrink={0} height={1}>
        {staleText ? (
          <Text wrap="truncate" {...theme.stale}>
            {fit(staleText, width)}
          </Text>
        ) : (
          <Text wrap="truncate" {...theme.dim}>
            {fit(rates, width)}
          </Text>
        )}
      </Box>
    </Box>
  );
}

export const Header = memo(HeaderImpl);
