// Live recommendations, worst first: message, evidence and fix, wrapped when there is room, shortened when not.
import { Box } from 'ink';
import { memo } from 'react';
import { SEVERITY_ORDER, type Recommendation } from '../../advise/types.js';
import { fit, stringWidth, wrapText } from '../format.js';
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
  /** Index in `recs` of the recommendation to show in full first (the selected one); the others share the rest. */
  focus?: number;
  /** False before the first snapshot: no rule has run, so the panel says so instead of "nothing to recommend". Default true. */
  collected?: boolean;
}

/** The panel's line before the first snapshot. */
export const NO_SNAPSHOT_TEXT = 'No snapshot yet: recommendations appear after the first collection.';

/** One line of the panel: the first line of a recommendation carries its severity mark. */
export interface RecommendationRow {
  key: string;
  severity: Recommendation['severity'];
  text: string;
  kind: 'message' | 'evidence' | 'fix';
  /** The first line of its recommendation (drawn after the mark). */
  first: boolean;
}

/** "[tcp:80]" after the message: which port the finding is about. */
function where(r: Recommendation): string {
  return r.port !== undefined ? ` [${r.protocol ?? ''}${r.protocol ? ':' : 'port '}${r.port}]` : '';
}

/** The three parts of a recommendation in full, wrapped to a width, and the lines they take. */
interface FullParts {
  readonly message: readonly string[];
  readonly evidence: readonly string[];
  readonly fix: readonly string[];
  readonly height: number;
}

/**
 * Each recommendation's parts at the width they were last wrapped to. The App measures the panel
 * (recommendationsFullHeight) and the panel then shares its lines out and draws them, from the same objects:
 * without this a render wrapped each recommendation up to five times. Keyed by the object (findings are
 * not changed once made), so an entry goes when its recommendation does.
 */
const wrapped = new WeakMap<Recommendation, { width: number; parts: FullParts }>();

/** The parts of `r` in full at `width` (the mark takes the first 3 cells), wrapped once per width. */
function fullParts(r: Recommendation, width: number): FullParts {
  const hit = wrapped.get(r);
  if (hit && hit.width === width) return hit.parts;
  const message = wrapText(`${r.message}${where(r)}`, width, '   ', '   ').map((l) => l.slice(3));
  const evidence = wrapText(r.evidence, width, '   ', '     ');
  const fix = wrapText(r.fix, width, '   fix: ', '        ');
  const parts = { message, evidence, fix, height: message.length + evidence.length + fix.length };
  wrapped.set(r, { width, parts });
  return parts;
}

/** Lines a recommendation takes in full. */
function fullHeight(r: Recommendation, width: number): number {
  return fullParts(r, width).height;
}

/** The first `n` lines of a wrapped part; "…" ends the last one when some were left out. */
function take(part: readonly string[], n: number, width: number): string[] {
  if (n >= part.length) return part.slice();
  const out = part.slice(0, n);
  const last = out[n - 1];
  out[n - 1] = stringWidth(last) < width ? `${last}…` : fit(`${last}…`, width);
  return out;
}

/**
 * The lines of one recommendation in `k` lines: 1 compact (message and evidence), 2 message and fix (the fix
 * keeps a line of its own: after the evidence it was cut off, the evidence alone often wider than the screen),
 * 3 and more each part, fix first to grow.
 */
function recRows(r: Recommendation, k: number, width: number): RecommendationRow[] {
  const key = `${r.id}${where(r)}`;
  const row = (text: string, kind: RecommendationRow['kind'], i: number): RecommendationRow => ({ key: `${key}:${i}`, severity: r.severity, text, kind, first: i === 0 });
  if (k <= 1) return [row(`${r.message}${where(r)} (${r.evidence})`, 'message', 0)];
  const p = fullParts(r, width);
  if (k === 2) return [row(take(p.message, 1, width - 3)[0], 'message', 0), row(take(p.fix, 1, width)[0], 'fix', 1)];
  // One line each, then the fix grows to full (it is what to do), then the message, then the evidence.
  let left = k - 3;
  const f = 1 + Math.min(left, p.fix.length - 1);
  left -= f - 1;
  const m = 1 + Math.min(left, p.message.length - 1);
  left -= m - 1;
  const e = 1 + Math.min(left, p.evidence.length - 1);
  const lines = [
    ...take(p.message, m, width - 3).map((t) => ({ t, kind: 'message' as const })),
    ...take(p.evidence, e, width).map((t) => ({ t, kind: 'evidence' as const })),
    ...take(p.fix, f, width).map((t) => ({ t, kind: 'fix' as const })),
  ];
  // Continuation lines of the message are indented under it (past the mark).
  return lines.map((l, i) => row(l.kind === 'message' && i > 0 ? `   ${l.t}` : l.t, l.kind, i));
}

/**
 * Lines per recommendation within `lines`, worst first: every finding more severe than the focused one (the
 * selected port's worst) one line first, worst first (keeping one line for the focus); then the focus in full, as
 * far as the lines left go (at least its one line); then one line each to the others that fit, worst first (the
 * title counts the rest); then one more line each in turn, worst first, until every one is in full or the lines
 * run out. Without a focus: one line each, then more in turn. A `!!` (critical) focus has nothing above it, so it
 * is in full first. The focus used to get its full height before any other finding (25707ac9): an info row
 * selected at start-up took all 6 lines of the panel and the warnings of other ports were nowhere on screen.
 */
export function recommendationHeights(recs: readonly Recommendation[], lines: number, width: number, focus?: number): number[] {
  const k = recs.map(() => 0);
  let left = Math.max(0, lines);
  if (left === 0) return k;
  const hasFocus = focus !== undefined && focus >= 0 && focus < recs.length;
  if (hasFocus) {
    const rank = SEVERITY_ORDER[recs[focus].severity];
    for (let i = 0; i < recs.length && left > 1; i++) {
      if (i === focus || SEVERITY_ORDER[recs[i].severity] <= rank) continue;
      k[i] = 1;
      left--;
    }
    k[focus] = Math.min(left, fullHeight(recs[focus], width));
    left -= k[focus];
  }
  for (let i = 0; i < recs.length && left > 0; i++) {
    if (k[i] > 0) continue;
    k[i] = 1;
    left--;
  }
  if (left === 0) return k;
  const full = recs.map((r) => fullHeight(r, width));
  // Bounded: every round adds a line to some recommendation or stops.
  for (let grew = true; left > 0 && grew; ) {
    grew = false;
    for (let i = 0; i < recs.length && left > 0; i++) {
      if (k[i] >= full[i]) continue;
      k[i]++;
      left--;
      grew = true;
    }
  }
  return k;
}

/**
 * Lines the recommendations take in full at `width` (what the panel would use with room to spare), counted
 * up to `upTo`: past the most the panel could be given the rest changes nothing, and is not wrapped.
 */
export function recommendationsFullHeight(recs: readonly Recommendation[], width: number, upTo = Number.POSITIVE_INFINITY): number {
  let n = 0;
  for (let i = 0; i < recs.length && n < upTo; i++) n += fullHeight(recs[i], width);
  return n;
}

/** The rows of the recommendations at the heights of recommendationHeights. */
function rowsAt(recs: readonly Recommendation[], heights: readonly number[], width: number): RecommendationRow[] {
  const out: RecommendationRow[] = [];
  recs.forEach((r, i) => {
    if (heights[i] > 0) out.push(...recRows(r, heights[i], width));
  });
  return out;
}

/** "1 critical, 2 warnings": the findings of those severities among the hidden ones ('' when none). */
function hiddenSevere(recs: readonly Recommendation[], heights: readonly number[]): string {
  let critical = 0;
  let warning = 0;
  recs.forEach((r, i) => {
    if (heights[i] > 0) return;
    if (r.severity === 'critical') critical++;
    else if (r.severity === 'warning') warning++;
  });
  const part = (n: number, what: string) => (n > 0 ? [`${n} ${what}${n > 1 ? 's' : ''}`] : []);
  return [...part(critical, 'critical'), ...part(warning, 'warning')].join(', ');
}

/**
 * The title for the recommendations at the heights of recommendationHeights: how many, how many left out, and
 * (when it fits the width) whether criticals or warnings are among those left out (" · hidden: 2 warnings").
 */
export function recommendationsTitle(recs: readonly Recommendation[], heights: readonly number[], width: number, everyMs?: number): string {
  const hidden = heights.filter((k) => k === 0).length;
  const short = recs.some((r, i) => heights[i] > 0 && heights[i] < fullHeight(r, width));
  const note = hidden > 0 ? `, ${hidden} more: see sockscope analyze` : short ? ', shortened: sockscope analyze shows them in full' : '';
  const severe = hidden > 0 ? hiddenSevere(recs, heights) : '';
  const every = everyMs ? ` · evaluated every ${everyMs / 1000}s (many sockets)` : '';
  const base = `RECOMMENDATIONS (${recs.length}${note})`;
  const withSevere = severe ? `${base} · hidden: ${severe}` : base;
  return stringWidth(withSevere + every) <= width ? withSevere + every : stringWidth(withSevere) <= width ? withSevere : base + every;
}

/** The text lines of the panel (pure, so equal inputs give equal lines). */
export function recommendationRows(recs: readonly Recommendation[], lines: number, width = 100, focus?: number): RecommendationRow[] {
  return rowsAt(recs, recommendationHeights(recs, lines, width, focus), width);
}

function RecommendationsImpl({ recs, lines, width, theme, emptyText, everyMs, focus, collected = true }: RecommendationsProps) {
  if (!collected) {
    return (
      <Box flexDirection="column" flexShrink={0}>
        <Box flexShrink={0} height={1}>
          <TextLine spans={[{ text: fit('RECOMMENDATIONS', width) }]} style={theme.tableHeader} width={width} />
        </Box>
        <Box flexShrink={0} height={1}>
          <TextLine spans={[{ text: fit(NO_SNAPSHOT_TEXT, width) }]} style={theme.dim} width={width} />
        </Box>
      </Box>
    );
  }
  // The lines are shared out once for the rows and the title.
  const heights = recommendationHeights(recs, lines, width, focus);
  const rows = rowsAt(recs, heights, width);
  return (
    <Box flexDirection="column" flexShrink={0}>
      <Box flexShrink={0} height={1}>
        <TextLine spans={[{ text: fit(recommendationsTitle(recs, heights, width, everyMs), width) }]} style={theme.tableHeader} width={width} />
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
              spans={
                r.first
                  ? [{ text: `${theme.mark[r.severity]} `, style: theme.severity[r.severity] }, { text: fit(r.text, width - 3) }]
                  : [{ text: fit(r.text, width), style: r.kind === 'evidence' ? theme.dim : undefined }]
              }
              width={width}
            />
          </Box>
        ))
      )}
    </Box>
  );
}

/**
 * The recommendations draw the same: same count, the same fields of every one that can be on screen (the first
 * `lines` and the focused one: the list is worst first) and the same severities of the rest (the title's note).
 */
function sameShown(a: readonly Recommendation[], b: readonly Recommendation[], lines: number, focus?: number): boolean {
  if (a === b) return true;
  if (a.length !== b.length) return false;
  const same = (x: Recommendation, y: Recommendation) =>
    x === y || (x.id === y.id && x.severity === y.severity && x.port === y.port && x.protocol === y.protocol && x.message === y.message && x.evidence === y.evidence && x.fix === y.fix);
  for (let i = 0; i < Math.min(a.length, lines); i++) if (!same(a[i], b[i])) return false;
  // The title counts the criticals and warnings among the hidden ones: every severity counts.
  for (let i = lines; i < a.length; i++) if (a[i].severity !== b[i].severity) return false;
  // The focused one is drawn wherever it is in the list (past the first `lines` too).
  return focus === undefined || focus < 0 || focus >= a.length || same(a[focus], b[focus]);
}

/** Re-renders only when what it draws changes (the rules make new, often equal, findings on every refresh). */
export const Recommendations = memo(
  RecommendationsImpl,
  (a, b) =>
    a.lines === b.lines && a.width === b.width && a.theme === b.theme && a.emptyText === b.emptyText && a.everyMs === b.everyMs && a.focus === b.focus && a.collected === b.collected && sameShown(a.recs, b.recs, a.lines, a.focus),
);
