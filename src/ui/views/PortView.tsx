// One port: its listeners and backlog, every socket on it (or grouped by peer), and its recommendations.
import { Box } from 'ink';
import type { Recommendation } from '../../advise/types.js';
import { Lines } from '../components/Lines.js';
import { Recommendations } from '../components/Recommendations.js';
import { TableSection, type TableSectionProps } from '../components/TableSection.js';

export interface PortViewProps {
  /** The port frame's label ("tcp port 80", "web1: to tcp port 443", "unix /run/x.sock"), escaped. */
  label: string;
  listeners: readonly string[];
  table: TableSectionProps;
  recs: readonly Recommendation[];
  recLines: number;
}

/**
 * The table title with the frame's label in it as the user knows it: sockscope's own words in capitals
 * ("TCP PORT 80", "UNIX"), a unix path and a host name as they are. The title made the whole label
 * upper case: "/tmp/tmux-0/default" read "/TMP/TMUX-0/DEFAULT", a path that does not exist, and an
 * escaped control character "\x1b[31m" read "\X1B[31M", which is no escape either.
 */
export function portTitle(title: string, label: string): string {
  const upper = label.toUpperCase();
  if (!title.startsWith(upper)) return title;
  let shown: string;
  if (label.startsWith('unix ')) shown = `UNIX ${label.slice('unix '.length)}`;
  else {
    // "host: tcp port 80": the host (escaped, from --host) keeps its case.
    const i = label.lastIndexOf(': ');
    shown = i < 0 ? upper : label.slice(0, i + 2) + label.slice(i + 2).toUpperCase();
  }
  return shown + title.slice(upper.length);
}

export function PortView({ label, listeners, table, recs, recLines }: PortViewProps) {
  return (
    <Box flexDirection="column" flexShrink={0}>
      <Lines lines={listeners} width={table.width} theme={table.theme} />
      <TableSection {...table} title={portTitle(table.title, label)} />
      <Recommendations recs={recs} lines={recLines} width={table.width} theme={table.theme} emptyText="Nothing to recommend for this port." />
    </Box>
  );
}
