// Bounds the history the rules read (the monitor's and the exporter's): the rules need a window
// (windowSeconds) of snapshots, but keeping every snapshot of a host with 100,000 sockets for 60 s
// would hold millions of objects.

export interface HistoryWindow {
  /** The most recent snapshots always kept (persistence checks look at consecutive samples). */
  keepLast: number;
  /** How far back rates and growth look. */
  windowMs: number;
  /** Older snapshots are thinned to one per bucket of windowMs / buckets. */
  buckets: number;
  /**
   * Of the kept snapshots, the last this many stay whole (persistSamples: persistence checks read their
   * sockets); older ones only need what rates and growth read (advise/history.ts). Default keepLast.
   */
  wholeLast?: number;
}

export const DEFAULT_HISTORY_WINDOW: HistoryWindow = { keepLast: 4, windowMs: 60_000, buckets: 6, wholeLast: 3 };

/**
 * The snapshots to keep (oldest first): the last `keepLast`, plus the oldest snapshot of each bucket of
 * the window (so rates over the whole window stay exact), and nothing older than window + one bucket.
 */
export function thinHistory<T extends { time: number }>(items: readonly T[], w: HistoryWindow = DEFAULT_HISTORY_WINDOW): T[] {
  if (items.length <= w.keepLast) return items.slice();
  const latest = items[items.length - 1].time;
  const bucketMs = Math.max(1, w.windowMs / w.buckets);
  const recent = items.slice(-w.keepLast);
  const older = items.slice(0, -w.keepLast);
  const seen = new Set<number>();
  const kept: T[] = [];
  for (const s of older) {
    const age = latest - s.time;
    if (age > w.windowMs + bucketMs) continue;
    const b = Math.floor(age / bucketMs);
    if (seen.has(b)) continue;
    seen.add(b);
    kept.push(s);
  }
  return [...kept, ...recent];
}

/** The window the rules' thresholds ask for: windowSeconds of history, persistSamples consecutive samples. */
export function historyWindowFor(thresholds: Record<string, number>): HistoryWindow {
  return {
    ...DEFAULT_HISTORY_WINDOW,
    windowMs: (thresholds.windowSeconds ?? 60) * 1000,
    keepLast: Math.max(DEFAULT_HISTORY_WINDOW.keepLast, (thresholds.persistSamples ?? 3) + 1),
    wholeLast: Math.max(1, Math.floor(thresholds.persistSamples ?? 3)),
  };
}
