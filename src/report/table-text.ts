// A table of plain rows as text, drawn in the box characters @alcalzone/ink-table used, never wrapped.
import { stringWidth } from '../ui/format.js';

type TextRow = Record<string, string | number>;

/**
 * The rows as a bordered table, or "  (none)". Every cell is padded to its column's width in terminal
 * cells (stringWidth), so a wide character keeps the borders straight: ink-table padded with
 * String.length, and a CJK process name ('日本語/12': 9 cells, 6 characters) pushed its row's borders 3
 * cells right. The table is as wide as it needs: a narrower terminal wraps whole lines, which stays
 * readable, and a pipe gets the lines intact (Ink wrapped cells inside the box and broke the borders).
 */
export function tableText(rows: readonly TextRow[]): string {
  if (rows.length === 0) return '  (none)';
  const keys = [...new Set(rows.flatMap((r) => Object.keys(r)))];
  const cell = (r: TextRow, k: string) => (r[k] == null ? '' : String(r[k]));
  const widths = keys.map((k) => Math.max(stringWidth(k), ...rows.map((r) => stringWidth(cell(r, k)))) + 2);
  const rule = (l: string, cross: string, r: string) => `${l}${widths.map((w) => '─'.repeat(w)).join(cross)}${r}`;
  const line = (texts: string[]) => `│${texts.map((t, i) => ` ${t}${' '.repeat(widths[i] - 1 - stringWidth(t))}`).join('│')}│`;
  const out = [rule('┌', '┬', '┐'), line(keys)];
  for (const r of rows) out.push(rule('├', '┼', '┤'), line(keys.map((k) => cell(r, k))));
  out.push(rule('└', '┴', '┘'));
  return out.join('\n');
}
