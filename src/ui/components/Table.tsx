// A virtualized table: it receives only the visible rows, already formatted, and re-renders only when their text changes.
import { Box } from 'ink';
import { memo } from 'react';
import type { Severity } from '../../advise/types.js';
import { fit } from '../format.js';
import type { Theme } from '../theme.js';
import { TextLine, type Span } from './TextLine.js';

/** One visible row: its identity, its text, and an optional health mark drawn in the severity colour. */
export interface Line {
  id: string;
  text: string;
  mark?: Severity | 'ok';
}

export interface TableProps {
  header: string;
  lines: readonly Line[];
  selectedId?: string;
  width: number;
  /** Rows available for lines (the table pads nothing: short tables stay short). */
  emptyText?: string;
  theme: Theme;
}

const NO_STYLE = {};

function RowImpl({ line, selected, width, theme }: { line: Line; selected: boolean; width: number; theme: Theme }) {
  const markWidth = line.mark ? 3 : 0;
  const text = fit(line.text, width - markWidth);
  const spans: Span[] = line.mark ? [{ text: `${theme.mark[line.mark]} `, style: selected ? NO_STYLE : theme.severity[line.mark] }, { text }] : [{ text }];
  return (
    <Box flexShrink={0} height={1}>
      <TextLine spans={spans} style={selected ? theme.selected : undefined} width={width} />
    </Box>
  );
}

/** A row re-renders only when what it draws changes (a refresh makes new Line objects for equal rows). */
const Row = memo(
  RowImpl,
  (a, b) => a.selected === b.selected && a.width === b.width && a.theme === b.theme && a.line.text === b.line.text && a.line.mark === b.line.mark,
);

function sameLines(a: readonly Line[], b: readonly Line[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i].id !== b[i].id || a[i].text !== b[i].text || a[i].mark !== b[i].mark) return false;
  return true;
}

function TableImpl({ header, lines, selectedId, width, emptyText, theme }: TableProps) {
  const markWidth = lines[0]?.mark ? 3 : 0;
  return (
    <Box flexDirection="column" flexShrink={0}>
      <Box flexShrink={0} height={1}>
        <TextLine spans={[{ text: fit(' '.repeat(markWidth) + header, width) }]} style={theme.tableHeader} width={width} />
      </Box>
      {lines.length === 0 ? (
        <Box flexShrink={0} height={1}>
          <TextLine spans={[{ text: emptyText ?? 'nothing to show' }]} style={theme.dim} width={width} />
        </Box>
      ) : (
        lines.map((l) => <Row key={l.id} line={l} selected={l.id === selectedId} width={width} theme={theme} />)
      )}
    </Box>
  );
}

/** Skips rendering when the visible rows did not change (the refresh brought equal data). */
export const Table = memo(
  TableImpl,
  (a, b) => a.header === b.header && a.selectedId === b.selectedId && a.width === b.width && a.theme === b.theme && a.emptyText === b.emptyText && sameLines(a.lines, b.lines),
);
