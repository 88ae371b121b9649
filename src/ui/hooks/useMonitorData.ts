// Everything derived from the latest snapshot, computed once per snapshot (not per key press or render).
import { useMemo, useRef } from 'react';
import type { Recommendation, RuleContext } from '../../advise/types.js';
import type { Snapshot } from '../../model/snapshot.js';
import type { Socket } from '../../model/socket.js';
import { attachTrends, buildPortTables, ephemeralRange, healthByPort, nextTrends, selectSockets, sortRecommendations, type PortTables, type ProtocolToggles, type Trends } from '../derive.js';
import { identityLine, ratesLine, totalsLine } from '../header-lines.js';
import { TREND_WIDTH } from '../tables/ports.js';

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

export interface MonitorData {
  snapshot?: Snapshot;
  sockets: Socket[];
  recs: Recommendation[];
  tables: PortTables;
  identity: string;
  totals: string;
  rates: string;
  adviceError?: string;
  /** The rules run only this often (ms) because they are expensive here; 0 when on every refresh. */
  adviceEveryMs: number;
}

const EMPTY_TABLES: PortTables = { local: [], peer: () => [], samples: new Map() };

export function useMonitorData(opts: {
  snapshot?: Snapshot;
  history: readonly Snapshot[];
  protocols: ProtocolToggles;
  port?: number;
  intervalMs: number;
  advise?: Advisor;
  thresholds: Record<string, number>;
  peerTableShown: boolean;
  /** Short header wording for narrow terminals. */
  compact?: boolean;
}): MonitorData {
  const { snapshot, history, protocols, port, advise, thresholds, intervalMs, peerTableShown, compact = false } = opts;
  const trends = useRef<{ time: number; map: Trends }>({ time: -1, map: new Map() });
  const holder = useRef<{ map: Trends }>({ map: new Map() });

  const sockets = useMemo(() => (snapshot ? selectSockets(snapshot.sockets, protocols, port) : []), [snapshot, protocols, port]);

  // The rules cost more than everything else on a big host: they run at most ADVICE_CPU_SHARE of the
  // time (e.g. every 5 s when one evaluation takes 500 ms); recommendations and health marks stay from
  // the last evaluation in between.
  const adviceState = useRef<{ at: number; costMs: number; port?: number; result: { recs: Recommendation[]; error?: string; everyMs: number } }>({
    at: -Infinity,
    costMs: 0,
    result: { recs: [], everyMs: 0 },
  });
  const advice = useMemo(() => {
    const st = adviceState.current;
    if (!snapshot || !advise) return st.result;
    if (snapshot.time - st.at < st.result.everyMs && st.port === port) return st.result;
    const t0 = performance.now();
    let result: { recs: Recommendation[]; error?: string; everyMs: number };
    try {
      result = { recs: sortRecommendations(advise({ snapshot, history, thresholds, port })), everyMs: 0 };
    } catch (e) {
      result = { recs: [], error: (e as Error).message, everyMs: 0 };
    }
    const costMs = performance.now() - t0;
    result.everyMs = adviceCadence(costMs, intervalMs);
    adviceState.current = { at: snapshot.time, costMs, port, result };
    return result;
    // history changes with the snapshot; thresholds come from config and do not change while running.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [snapshot, advise, port]);

  const tables = useMemo(() => {
    if (!snapshot) return EMPTY_TABLES;
    const t = buildPortTables(sockets, healthByPort(advice.recs), holder.current, ephemeralRange(snapshot));
    // The trend memory advances once per snapshot (not when a toggle or a key rebuilds the tables).
    if (trends.current.time !== snapshot.time) {
      const samples = new Map(t.samples);
      if (peerTableShown) for (const r of t.peer()) samples.set(r.id, r.summary.total);
      const map = nextTrends(trends.current.map, samples, TREND_WIDTH);
      trends.current = { time: snapshot.time, map };
      holder.current.map = map;
      attachTrends(t, map);
      if (peerTableShown) for (const r of t.peer()) (r as { trend: readonly number[] }).trend = map.get(r.id) ?? [];
    }
    return t;
  }, [snapshot, sockets, advice, peerTableShown]);

  const totals = useMemo(() => (snapshot ? totalsLine(snapshot, compact) : ''), [snapshot, compact]);
  const rates = useMemo(() => ratesLine(history, compact), [history, compact]);
  const identity = identityLine(snapshot, intervalMs, protocols, port);
  return { snapshot, sockets, recs: advice.recs, tables, identity, totals, rates, adviceError: advice.error, adviceEveryMs: advice.everyMs };
}
