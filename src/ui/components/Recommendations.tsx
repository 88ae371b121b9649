// Live recommendations, worst first, each with its evidence (two lines each when there is room).
import { Box } from 'ink';
import { memo } from 'react';
import type { Recommendation } from '../../advise/types.js';
import { fit } from '../format.js';
import type { Theme } from '../theme.js';
import { TextLine } from './TextLine.js';

export interface RecommendationsProps {
  recs: readonly Recommendation[];
  /** Lines available, title excluded. */
  lines: number;
  width: number;
  theme: Theme;
  /** Shown when there is nothing to recommend. */
  emptyText?: string;
  /** The rules run only this often (ms) on this host; 0: every refresh. */
  everyMs?: number;
}

/** The text lines of the panel (pure, so equal inputs give equal lines). */
export function recommendationRows(recs: readonly Recommendation[], lines: number): Array<{ key: string; severity: Recommendation['severity']; text: string; evidence: boolean }> {
  const out: Array<{ key: string; severity: Recommendation['severity']; text: string; evidence: boolean }> = [];
  const twoLines = recs.length * 2 <= lines;
  for (const r of recs) {
    if (out.length >= lines) break;
    const where = r.port !== undefined ? ` [${r.protocol ?? ''}${r.protocol ? ':' : 'port '}${r.port}]` : '';
    if (twoLines) {
      out.push({ key: `${r.id}${where}`, severity: r.severity, text: `${r.message}${where}`, evidence: false });
      out.push({ key: `${r.id}${where}:e`, severity: r.severity, text: `   ${r.evidence} → ${r.fix}`, evidence: true });
    } else {
      out.push({ key: `${r.id}${where}`, severity: r.severity, text: `${r.message}${where} (${r.evidence})`, evidence: false });
    }
  }
  return out;
}

function RecommendationsImpl({ recs, lines, width, theme, emptyText, everyMs }: RecommendationsProps) {
  const rows = recommendationRows(recs, lines);
  const hidden = recs.length - new Set(rows.map((r) => r.key.replace(/:e$/, ''))).size;
  return (
    <Box flexDirection="column" flexShrink={0}>
      <Box flexShrink={0} height={1}>
        <TextLine
          spans={[{ text: fit(`RECOMMENDATIONS (${recs.length}${hidden > 0 ? `, ${hidden} more: see sockscope analyze` : ''})${everyMs ? ` · evaluated every ${everyMs / 1000}s (many sockets)` : ''}`, width) }]}
          style={theme.tableHeader}
          width={width}
        />
      </Box>
      {rows.length === 0 ? (
        <Box flexShrink={0} height={1}>
          <TextLine spans={[{ text: fit(emptyText ?? 'Nothing to recommend: no rule fired on this snapshot.', width) }]} style={theme.severity.ok} width={width} />
        </Box>
      ) : (
        rows.map((r, i) => (
          // Two findings can share id and port (one rule, two processes): the position keeps keys unique.
          <Box key={`${i}:${r.key}`} flexShrink={0} height={1}>
            <TextLine
              spans={r.evidence ? [{ text: fit(r.text, width), style: theme.dim }] : [{ text: `${theme.mark[r.severity]} `, style: theme.severity[r.severity] }, { text: fit(r.text, width - 3) }]}
              width={width}
            />
          </Box>
        ))
      )}
    </Box>
  );
}

/** The recommendations draw the same: same count, and the same fields of every one that can be on screen. */
function sameShown(a: readonly Recommendation[], b: readonly Recommendation[], lines: number): boolean {
  if (a === b) return true;
  if (a.length !== b.length) return false;
  for (let i = 0; i < Math.min(a.length, lines); i++) {
    const x = a[i];
    const y = b[i];
    if (x !== y && (x.id !== y.id || x.severity !== y.severity || x.port !== y.port || x.protocol !== y.protocol || x.message !== y.message || x.evidence !== y.evidence || x.fix !== y.fix)) return false;
  }
  return true;
}

/** Re-renders only when what it draws changes (the rules make new, often equal, findings on every refresh). */
export const Recommendations = memo(
  RecommendationsImpl,
  (a, b) => a.lines === b.lines && a.width === b.width && a.theme === b.theme && a.emptyText === b.emptyText && a.everyMs === b.everyMs && sameShown(a.recs, b.recs, a.lines),
);
