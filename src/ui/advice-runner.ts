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
  private last: { at: number; costMs: number; port?: number; result: AdviceResult } = { at: -Infinity, costMs: 0, result: EMPTY };
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
    // Sticky: the cadence only grows while the port filter stays (costs jitter around a step, and a
    // cadence that flips would change the panel title, i.e. write to the terminal, for nothing).
    result.everyMs = Math.max(adviceCadence(costMs, intervalMs), st.port === port ? st.result.everyMs : 0);
    this.last = { at: snapshot.time, costMs, port, result };
    this.bySnapshot.set(snapshot, result);
    return result;
  }
}
