// A table of plain rows as text (@alcalzone/ink-table through Ink's renderToString), never wrapped by Ink.
import React from 'react';
import { renderToString } from 'ink';
import { Table } from '@alcalzone/ink-table';
import { stringWidth } from '../ui/format.js';

export type TextRow = Record<string, string | number>;

/** The table's own width in cells: each column is its widest cell or header plus ' │ ' padding, and the borders. */
export function tableWidth(rows: readonly TextRow[]): number {
  if (rows.length === 0) return 0;
  return Object.keys(rows[0]).reduce((w, k) => w + 3 + Math.max(stringWidth(k), ...rows.map((r) => stringWidth(String(r[k])))), 1);
}

/**
 * The rows as a bordered table, or "  (none)". Ink lays the table out in `columns` cells and, when the table
 * is wider, wraps its cells inside the box and breaks the borders (measured: a listener held by four
 * forked workers in a 100-column report). So the layout gets at least the table's own width: a terminal
 * narrower than that wraps whole lines, which stays readable, and a pipe gets the lines intact.
 */
export function tableText(rows: readonly TextRow[], columns: number): string {
  if (rows.length === 0) return '  (none)';
  return renderToString(<Table data={[...rows]} />, { columns: Math.max(columns, tableWidth(rows) + 2) });
}
