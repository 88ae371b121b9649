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

export interface MonitorData {
  snapshot?: Snapshot;
  sockets: Socket[];
  recs: Recommendation[];
  tables: PortTables;
  identity: string;
  totals: string;
  rates: string;
  adviceError?: string;
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
}): MonitorData {
  const { snapshot, history, protocols, port, advise, thresholds, intervalMs, peerTableShown } = opts;
  const trends = useRef<{ time: number; map: Trends }>({ time: -1, map: new Map() });
  const holder = useRef<{ map: Trends }>({ map: new Map() });

  const sockets = useMemo(() => (snapshot ? selectSockets(snapshot.sockets, protocols, port) : []), [snapshot, protocols, port]);

  const advice = useMemo(() => {
    if (!snapshot || !advise) return { recs: [] as Recommendation[] };
    try {
      const recs = advise({ snapshot, history, thresholds, port });
      return { recs: sortRecommendations(recs) };
    } catch (e) {
      return { recs: [] as Recommendation[], error: (e as Error).message };
    }
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

  const totals = useMemo(() => (snapshot ? totalsLine(snapshot) : ''), [snapshot]);
  const rates = useMemo(() => ratesLine(history), [history]);
  const identity = identityLine(snapshot, intervalMs, protocols, port);
  return { snapshot, sockets, recs: advice.recs, tables, identity, totals, rates, adviceError: advice.error };
}
