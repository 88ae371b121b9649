// Everything derived from the latest snapshot, computed once per snapshot (not per key press or render).
import { useMemo, useRef } from 'react';
import type { Recommendation } from '../../advise/types.js';
import { AdviceRunner, type Advisor } from '../advice-runner.js';
import { ephemeralRange, type Snapshot } from '../../model/snapshot.js';
import type { Socket } from '../../model/socket.js';
import { isOutgoing, listeningPorts, mayBeOutgoing } from '../../model/aggregate.js';
import { attachTrends, buildPortTables, healthByPort, localPortSamples, nextTrends, outgoingCandidates, selectSockets, type PortTables, type ProtocolToggles, type Trends } from '../derive.js';
import { peerPortId } from '../identity.js';
import { identityLine, ratesLine, totalsLine } from '../header-lines.js';
import { TREND_WIDTH } from '../tables/ports.js';

export type { Advisor } from '../advice-runner.js';
export { adviceCadence } from '../advice-runner.js';

export interface MonitorData {
  snapshot?: Snapshot;
  sockets: readonly Socket[];
  recs: Recommendation[];
  tables: PortTables;
  identity: string;
  totals: string;
  rates: string;
  adviceError?: string;
  /** The rules run only this often (ms) because they are expensive here; 0 when on every refresh. */
  adviceEveryMs: number;
  /**
   * Every trend is full and flat: one more equal sample would draw the same sparklines, so a refresh
   * with equal data may skip rendering without the trends lying.
   */
  trendsSteady: boolean;
}

const EMPTY_TABLES: PortTables = { local: [], peer: () => [], samples: new Map() };
const ALL_PROTOCOLS: ProtocolToggles = { tcp: true, udp: true, unix: true };

/** True when every trend has `width` equal samples. */
export function trendsSteady(map: Trends, width: number): boolean {
  for (const t of map.values()) {
    if (t.length < width) return false;
    for (let i = 1; i < t.length; i++) if (t[i] !== t[0]) return false;
  }
  return true;
}

/**
 * The outgoing table's trend samples without building it: sockets per row (summarizePeerPorts' total, by the
 * same rule, isOutgoing: not unix, a peer port, not a listener or SYN_RECV, on a local port this host does not serve).
 * The outgoing table is built only while shown; its TREND, sampled only then, started over at every Tab.
 */
export function peerPortCounts(all: readonly Socket[], ephemeral: readonly [number, number], servedPort?: number): Map<string, number> {
  const sockets = outgoingCandidates(all, servedPort);
  const listening = listeningPorts(sockets);
  const out = new Map<string, number>();
  // This host's sockets by number (UDP above 65535), in typed arrays: whether a local port is served (0 not yet
  // known, 1 served, 2 not), and the count per peer port; a string per distinct port, not per socket (100,000
  // sockets on every refresh: 10 ms with a string per socket).
  const served = new Uint8Array(131072);
  const counts = new Uint32Array(131072);
  let seen = false;
  for (let i = 0; i < sockets.length; i++) {
    const s = sockets[i];
    if (s.protocol === 'unix' || s.peer.port === 0 || !mayBeOutgoing(s)) continue;
    if (s.host !== undefined) {
      if (!isOutgoing(s, listening, ephemeral)) continue;
      const id = peerPortId(s.protocol, s.peer.port, s.host);
      out.set(id, (out.get(id) ?? 0) + 1);
      continue;
    }
    const proto = s.protocol === 'udp' ? 65536 : 0;
    const l = proto + s.local.port;
    // s may be outgoing (mayBeOutgoing): whether it is depends on its local port only, decided once per port.
    if (served[l] === 0) served[l] = isOutgoing(s, listening, ephemeral) ? 2 : 1;
    if (served[l] === 1) continue;
    counts[proto + s.peer.port]++;
    seen = true;
  }
  if (seen) for (let k = 0; k < counts.length; k++) if (counts[k] !== 0) out.set(peerPortId(k >= 65536 ? 'udp' : 'tcp', k & 0xffff), counts[k]);
  return out;
}

export function useMonitorData(opts: {
  snapshot?: Snapshot;
  history: readonly Snapshot[];
  protocols: ProtocolToggles;
  port?: number;
  intervalMs: number;
  advise?: Advisor;
  thresholds: Record<string, number>;
  peerTableShown: boolean;
  /**
   * The ports table (home view) is on screen. When it is not (a port's view, a socket's) its rows are not built:
   * only the trend memory's samples are taken (localPortSamples), and the rows are made for the snapshot on
   * screen when the home view comes back. Default true.
   */
  portsShown?: boolean;
  /** Columns for the header lines: each takes the longest wording that fits (none: the long wording). */
  width?: number;
  /** Columns for the identity line (less than width while the PAUSED badge is shown). */
  identityWidth?: number;
  /**
   * Whether the snapshot on screen was collected with unix sockets (default: the x toggle). Paused, x shows unix
   * before any snapshot has them: the total read `unix 0` when it was unknown.
   */
  unixCollected?: boolean;
  /** Shared with the App's refresh check (see fingerprint.ts); one is made when absent. */
  runner?: AdviceRunner;
}): MonitorData {
  const { snapshot, history, protocols, port, advise, thresholds, intervalMs, width, identityWidth = width, portsShown = true, unixCollected = protocols.unix } = opts;
  // The outgoing table is on screen only in the home view.
  const peerTableShown = opts.peerTableShown && portsShown;
  const trends = useRef<{ time: number; map: Trends; steady: boolean }>({ time: -1, map: new Map(), steady: false });
  const holder = useRef<{ map: Trends }>({ map: new Map() });

  const sockets = useMemo(() => (snapshot ? selectSockets(snapshot.sockets, protocols, port) : []), [snapshot, protocols, port]);

  // The rules run through one runner per monitor: once per snapshot, throttled on big hosts.
  const runner = useRef<AdviceRunner>(undefined as unknown as AdviceRunner);
  if (!runner.current) runner.current = opts.runner ?? new AdviceRunner();
  const advice = useMemo(
    () => runner.current.run(advise, snapshot, history, thresholds, port, intervalMs),
    // history changes with the snapshot; thresholds come from config and do not change while running.
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [snapshot, advise, port],
  );

  const tables = useMemo(() => {
    if (!snapshot) return EMPTY_TABLES;
    // Not on screen: no rows (5,001 sockets of a port on screen and 20,000 on the host: 15 ms and 8 MB a refresh).
    const t = portsShown
      ? buildPortTables(sockets, healthByPort(advice.recs), holder.current, ephemeralRange(snapshot), port, snapshot.attribution.scope)
      : undefined;
    // The trend memory advances once per snapshot (not when a toggle or a key rebuilds the tables).
    if (trends.current.time !== snapshot.time) {
      // The rows of a hidden protocol are sampled too: TCP and UDP are collected whatever the toggles, and after
      // --udp and t every TCP row's TREND started empty. (A hidden unix is not collected: its rows are forgotten.)
      const every = protocols.tcp && protocols.udp && protocols.unix ? sockets : selectSockets(snapshot.sockets, ALL_PROTOCOLS, port);
      const samples = t && every === sockets ? new Map(t.samples) : localPortSamples(every, ephemeralRange(snapshot), port);
      if (t && every !== sockets) for (const [id, n] of t.samples) samples.set(id, n);
      // The outgoing rows' samples too while the table is hidden (per-port counts): Tab shows their last 10.
      if (!(t && peerTableShown) || every !== sockets) for (const [id, n] of peerPortCounts(every, ephemeralRange(snapshot), port)) samples.set(id, n);
      if (t && peerTableShown) for (const r of t.peer()) samples.set(r.id, r.summary.total);
      const map = nextTrends(trends.current.map, samples, TREND_WIDTH);
      trends.current = { time: snapshot.time, map, steady: trendsSteady(map, TREND_WIDTH) };
      holder.current.map = map;
      if (t) {
        attachTrends(t, map);
        if (peerTableShown) for (const r of t.peer()) (r as { trend: readonly number[] }).trend = map.get(r.id) ?? [];
      }
    }
    return t ?? EMPTY_TABLES;
    // protocols: read with sockets, which changes with them.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [snapshot, sockets, advice, peerTableShown, port, portsShown]);

  // Unix sockets are collected only while shown (collectProtocols): otherwise their count is unknown, not 0. Whether
  // the snapshot on screen has them, not the toggle: x while paused showed `unix 0` for a snapshot taken without.
  const totals = useMemo(() => (snapshot ? totalsLine(snapshot, { width, unixCollected, port }) : ''), [snapshot, width, unixCollected, port]);
  const rates = useMemo(() => ratesLine(history, width), [history, width]);
  // Its clock is the snapshot's time: the line changes with the snapshot, not with each keypress's render.
  const identity = useMemo(() => identityLine(snapshot, intervalMs, protocols, port, true, identityWidth), [snapshot, intervalMs, protocols, port, identityWidth]);
  return { snapshot, sockets, recs: advice.recs, tables, identity, totals, rates, adviceError: advice.error, adviceEveryMs: advice.everyMs, trendsSteady: trends.current.steady };
}
