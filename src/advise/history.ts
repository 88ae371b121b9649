// The history the monitor and the exporter keep for the rules: thinned to the rules' window
// (model/history-window.ts), the last wholeLast (persistSamples) snapshots whole (persistence checks
// read their sockets: recentOf in series.ts, the current snapshot included), the older ones reduced to
// what rates and growth over the window read (facts.ts, windowEntry; windowOf in series.ts).
import { thinHistory, type HistoryWindow } from '../model/history-window.js';
import type { Snapshot } from '../model/snapshot.js';
import { windowEntry } from './facts.js';

/**
 * `history` with `snap` added, thinned to `w`, and its entries older than the last w.wholeLast made window
 * entries. `keepOutgoing: false`: the window entries keep nothing of the outgoing TCP sockets, which only a
 * view scoped to a port reads (windowEntry); the exporter's history, whose rules see the whole host.
 */
export function keepHistory(history: readonly Snapshot[], snap: Snapshot, w: HistoryWindow, o: { keepOutgoing?: boolean } = {}): Snapshot[] {
  const kept = thinHistory([...history, snap], w);
  const whole = Math.max(1, w.wholeLast ?? w.keepLast);
  for (let i = 0; i < kept.length - whole; i++) kept[i] = windowEntry(kept[i], o);
  return kept;
}
