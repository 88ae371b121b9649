// Runs the recommendation rules for the monitor: once per snapshot, and on big hosts at most
// ADVICE_CPU_SHARE of the time (recommendations and health marks stay from the last run in between).
import type { Recommendation, RuleContext } from '../advise/types.js';
import type { Snapshot } from '../model/snapshot.js';
import { sortRecommendations } from './derive.js';

/** The recommendation engine, injected (evaluateRules in production, a stub in tests). */
export type Advisor = (ctx: RuleContext) => Recommendation[];

/** Largest share of wall time the recommendation rules may use. */
export const ADVICE_CPU_SHARE = 0.1;

/** Steps for the rules' cadence (ms): coarse, so the cadence (and the line that shows it) seldom changes. */
export const ADVICE_STEPS_MS = [2000, 5000, 10_000, 30_000, 60_000];

/** How often the rules may run when one evaluation costs `costMs`: 0 (every refresh) or a step. */
export function adviceCadence(costMs: number, intervalMs: number): number {
  const gap = costMs / ADVICE_CPU_SHARE;
  if (gap <= intervalMs) return 0;
  return ADVICE_STEPS_MS.find((s) => s >= gap) ?? ADVICE_STEPS_MS[ADVICE_STEPS_MS.length - 1];
}

/**
 * The cadence comes back down (the rules run more often again) only after this many evaluations in a row
 * whose cost, doubled, would fit a faster cadence: one slow evaluation (a burst of sockets, GC, CPU taken
 * by other processes: the cost is wall time) no longer slows the rules for the rest of the session, and
 * a cost that jitters around a step does not flip the cadence (and the panel title) back and forth.
 */
export const ADVICE_CALM_RUNS = 3;

/**
 * The next cadence: up at once when `costMs` needs a slower one; down once the last ADVICE_CALM_RUNS
 * costs (their largest is `calmCostMs`, `calm` counts them, this one included) all fit a faster one
 * with room to double.
 */
export function nextAdviceCadence(currentMs: number, costMs: number, calm: number, calmCostMs: number, intervalMs: number): number {
  const need = adviceCadence(costMs, intervalMs);
  if (need >= currentMs) return need;
  return calm >= ADVICE_CALM_RUNS ? Math.min(currentMs, adviceCadence(2 * calmCostMs, intervalMs)) : currentMs;
}

export interface AdviceResult {
  recs: Recommendation[];
  error?: string;
  /** The rules run only this often (ms) here; 0: every refresh. */
  everyMs: number;
}

const EMPTY: AdviceResult = { recs: [], everyMs: 0 };

/** Text that changes when the recommendations on screen would. */
export function adviceSignature(a: AdviceResult): string {
  return `${a.error ?? ''}|${a.everyMs}|${a.recs.map((r) => `${r.severity} ${r.id} ${r.protocol ?? ''}${r.port ?? ''}/${r.peerPort ?? ''} ${r.message} ${r.evidence} ${r.fix}`).join('\n')}`;
}

export class AdviceRunner {
  /** `calm`: evaluations in a row (this port filter) cheap enough for a faster cadence, the largest costing `calmCostMs`. */
  private last: { at: number; costMs: number; port?: number; result: AdviceResult; calm: number; calmCostMs: number } = { at: -Infinity, costMs: 0, result: EMPTY, calm: 0, calmCostMs: 0 };
  private bySnapshot = new WeakMap<Snapshot, AdviceResult>();

  run(advise: Advisor | undefined, snapshot: Snapshot | undefined, history: readonly Snapshot[], thresholds: Record<string, number>, port: number | undefined, intervalMs: number): AdviceResult {
    if (!snapshot || !advise) return EMPTY;
    const cached = this.bySnapshot.get(snapshot);
    if (cached && this.last.port === port) return cached;
    const st = this.last;
    if (snapshot.time - st.at < st.result.everyMs && st.port === port) {
      this.bySnapshot.set(snapshot, st.result);
      return st.result;
    }
    const t0 = performance.now();
    let result: AdviceResult;
    try {
      result = { recs: sortRecommendations(advise({ snapshot, history, thresholds, port })), everyMs: 0 };
    } catch (e) {
      result = { recs: [], error: (e as Error).message, everyMs: 0 };
    }
    const costMs = performance.now() - t0;
    // While the port filter stays the cadence is kept, grows at once, and falls back only with hysteresis
    // (nextAdviceCadence): costs jitter around a step, and a cadence that flips would change the panel
    // title, i.e. write to the terminal, for nothing. It used to only grow: after one slow evaluation
    // (a TIME_WAIT burst) a host back to 141 sockets still ran them every 5 s (review-churn #4).
    const same = st.port === port;
    const current = same ? st.result.everyMs : 0;
    const cheap = current > 0 && adviceCadence(2 * costMs, intervalMs) < current;
    const calm = cheap ? (same ? st.calm : 0) + 1 : 0;
    const calmCostMs = cheap ? Math.max(costMs, same && st.calm > 0 ? st.calmCostMs : 0) : 0;
    result.everyMs = nextAdviceCadence(current, costMs, calm, calmCostMs, intervalMs);
    const settled = result.everyMs !== current;
    this.last = { at: snapshot.time, costMs, port, result, calm: settled ? 0 : calm, calmCostMs: settled ? 0 : calmCostMs };
    this.bySnapshot.set(snapshot, result);
    return result;
  }
}
