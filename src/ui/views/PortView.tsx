// One port: its listeners and backlog, every socket on it (or grouped by peer), and its recommendations.
import { Box } from 'ink';
import type { Recommendation } from '../../advise/types.js';
import { Lines } from '../components/Lines.js';
import { Recommendations } from '../components/Recommendations.js';
import { TableSection, type TableSectionProps } from '../components/TableSection.js';

export interface PortViewProps {
  listeners: readonly string[];
  /** Its title (table-model's portTableModel) carries the frame's label. */
  table: TableSectionProps;
  recs: readonly Recommendation[];
  recLines: number;
  /** Instead of "Nothing to recommend for this port." (its protocol hidden: nothing was evaluated). */
  recsEmptyText?: string;
  /** False before the first snapshot (the panel says no rule has run yet). Default true. */
  collected?: boolean;
}

export function PortView({ listeners, table, recs, recLines, recsEmptyText, collected }: PortViewProps) {
  return (
    <Box flexDirection="column" flexShrink={0}>
      <Lines lines={listeners} width={table.width} theme={table.theme} />
      <TableSection {...table} />
      {recLines > 0 && <Recommendations recs={recs} lines={recLines} width={table.width} theme={table.theme} emptyText={recsEmptyText ?? 'Nothing to recommend for this port.'} collected={collected} />}
    </Box>
  );
}
