// A titled table: "LOCAL PORTS 12 of 40 · filter "ngi" · sort: port ↑", then the table rows.
import { Box } from 'ink';
import { memo } from 'react';
import { escapeMessage } from '../../model/escape.js';
import { fit } from '../format.js';
import type { Theme } from '../theme.js';
import { Table, type Line } from './Table.js';
import { TextLine } from './TextLine.js';

export interface TableSectionProps {
  title: string;
  count: number;
  unfiltered: number;
  filter: string;
  sortLabel: string;
  header: string;
  lines: readonly Line[];
  selectedId?: string;
  /** 1-based position of the selection, for "row 3/40". */
  position: number;
  width: number;
  emptyText: string;
  /** The rows are not shown at all (the port view of a hidden protocol): the title says why instead of a count. */
  hiddenNote?: string;
  /** Rows the table will list once collected (unix shown by x while paused): said after the count. */
  pendingNote?: string;
  theme: Theme;
}

/**
 * The title line's text (pure). The filter is what was typed, shown as the wizard shows its text fields
 * (escapeMessage): a control, C1 or bidi character escaped (`\u202e`), a backslash as typed, so the text reads
 * as the table's escaped names do. It drew a typed U+202E raw (reversing the rest of the line) and U+009B out of sight.
 */
export function sectionTitle(p: Pick<TableSectionProps, 'title' | 'count' | 'unfiltered' | 'filter' | 'sortLabel' | 'position' | 'hiddenNote' | 'pendingNote'>): string {
  if (p.hiddenNote) return `${p.title} · not shown: ${p.hiddenNote}`;
  const parts = [`${p.title} ${p.filter ? `${p.count} of ${p.unfiltered}` : p.count}`];
  // Before the sort: the title is cut at the width, and this says why rows are missing.
  if (p.pendingNote) parts.push(p.pendingNote);
  if (p.filter) parts.push(`filter "${escapeMessage(p.filter)}"`);
  parts.push(`sort: ${p.sortLabel}`);
  if (p.count > 0) parts.push(`row ${p.position}/${p.count}`);
  return parts.join(' · ');
}

function TableSectionImpl(p: TableSectionProps) {
  return (
    <Box flexDirection="column" flexShrink={0}>
      <Box flexShrink={0} height={1}>
        <TextLine spans={[{ text: fit(sectionTitle(p), p.width) }]} style={p.theme.title} width={p.width} />
      </Box>
      <Table header={p.header} lines={p.lines} selectedId={p.selectedId} width={p.width} emptyText={p.emptyText} theme={p.theme} />
    </Box>
  );
}

export const TableSection = memo(TableSectionImpl);
