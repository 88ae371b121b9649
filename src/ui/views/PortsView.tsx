// The home view: the ports (or outgoing) table and the live recommendations under it.
import { Box } from 'ink';
import type { Recommendation } from '../../advise/types.js';
import { Recommendations } from '../components/Recommendations.js';
import { TableSection, type TableSectionProps } from '../components/TableSection.js';

export interface PortsViewProps {
  table: TableSectionProps;
  recs: readonly Recommendation[];
  recLines: number;
  /** Index in recs of the selected row's worst recommendation, shown in full first. */
  recFocus?: number;
  adviceEveryMs?: number;
  /** False before the first snapshot (the panel says no rule has run yet). Default true. */
  collected?: boolean;
}

export function PortsView({ table, recs, recLines, recFocus, adviceEveryMs, collected }: PortsViewProps) {
  return (
    <Box flexDirection="column" flexShrink={0}>
      <TableSection {...table} />
      {recLines > 0 && <Recommendations recs={recs} lines={recLines} width={table.width} theme={table.theme} everyMs={adviceEveryMs} focus={recFocus} collected={collected} />}
    </Box>
  );
}
