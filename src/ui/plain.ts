// The monitor's non-TTY output (`sockscope | cat`, cron): one snapshot as a plain table, same rows and columns as the screen.
import type { Recommendation } from '../advise/types.js';
import { escapeMessage } from '../model/escape.js';
import { ephemeralRange, type Snapshot } from '../model/snapshot.js';
import { buildPortTables, healthByPort, selectSockets, sortRecommendations, type ProtocolToggles } from './derive.js';
import { identityLine, totalsLine } from './header-lines.js';
import { placeColumns, renderHeader, renderRow } from './layout.js';
import { stringWidth } from './format.js';
import { HEALTH_MARKS } from './theme.js';
import { PORT_COLUMNS } from './tables/ports.js';
import { withHostColumn } from './table-model.js';

/**
 * Width of the plain table: wide enough for every column but the trend (one sample has no trend). Only the
 * least: a longer cell (a unix path, a process list) widens the table instead of being cut, since no
 * terminal is there to fit and a pipe must get the data whole (grep for a path's middle).
 */
export const PLAIN_WIDTH = 132;

/**
 * `hosts`: with several --host, each host's label and whether it failed; the header names them so, a failed
 * one `(failed)` as the monitor's header does (the snapshot's hostname lists every host as given).
 */
export function plainReport(snapshot: Snapshot, recs: readonly Recommendation[], opts: { protocols: ProtocolToggles; port?: number; hosts?: ReadonlyArray<{ label: string; failed: boolean }> }): string {
  const sockets = selectSockets(snapshot.sockets, opts.protocols, opts.port);
  const tables = buildPortTables(sockets, healthByPort(recs), { map: new Map() }, ephemeralRange(snapshot), opts.port, snapshot.attribution.scope);
  const shown = withHostColumn(PORT_COLUMNS, tables.local).filter((c) => c.id !== 'trend');
  const least = PLAIN_WIDTH - 3;
  // Every flex column as wide as its widest cell: the fixed columns, the gaps between columns, and those widths.
  let whole = shown.length - 1;
  for (const c of shown) whole += c.width === 'flex' ? Math.max(c.minWidth ?? 4, stringWidth(c.title), ...tables.local.map((r) => stringWidth(c.cell(r)))) : c.width;
  const columns = placeColumns(shown, Math.max(least, whole), least, tables.local);
  const named = opts.hosts ? { ...snapshot, hostname: opts.hosts.map((h) => (h.failed ? `${h.label} (failed)` : h.label)).join(', ') } : snapshot;
  const lines = [identityLine(named, undefined, opts.protocols, opts.port), totalsLine(snapshot, { unixCollected: opts.protocols.unix, port: opts.port }), ''];
  lines.push(`    ${renderHeader(columns)}`.trimEnd());
  for (const r of tables.local) lines.push(`${HEALTH_MARKS[r.health]}  ${renderRow(columns, r)}`.trimEnd());
  if (tables.local.length === 0) lines.push('    (no sockets)');
  lines.push('');
  const sorted = sortRecommendations(recs);
  if (sorted.length === 0) lines.push('Recommendations: none (no rule fired on this snapshot)');
  else {
    lines.push('Recommendations:');
    for (const r of sorted) {
      lines.push(`${HEALTH_MARKS[r.severity]} ${r.message}${r.port !== undefined ? ` [${r.protocol ?? 'port'} ${r.port}]` : ''}`);
      lines.push(`     evidence: ${r.evidence}`);
      lines.push(`     fix: ${r.fix}`);
    }
  }
  for (const n of snapshot.notes) lines.push(`note: ${escapeMessage(n)}`);
  return `${lines.join('\n')}\n`;
}
