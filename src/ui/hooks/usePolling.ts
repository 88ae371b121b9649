// Polls the injected SocketSource: the only place the monitor asks for data (components only render props).
import { useEffect, useRef, useState } from 'react';
import type { CollectOptions, SocketSource } from '../../collect/source.js';
import type { Snapshot } from '../../model/snapshot.js';
import { keepHistory } from '../../advise/history.js';
import { DEFAULT_HISTORY_WINDOW, type HistoryWindow } from '../../model/history-window.js';

/** setTimeout by default; tests and the benchmark pass a manual one to drive refreshes. */
export interface Scheduler {
  schedule(fn: () => void, ms: number): () => void;
}

export const timerScheduler: Scheduler = {
  schedule(fn, ms) {
    const t = setTimeout(fn, ms);
    return () => clearTimeout(t);
  },
};

export interface PollState {
  snapshot?: Snapshot;
  /** Oldest first, including the current snapshot. */
  history: readonly Snapshot[];
  /** The last collection failed: the snapshot on screen is stale. Cleared by the next success. */
  error?: string;
  /** When the last failure happened. */
  errorAt?: number;
}

export interface PollOptions {
  source: SocketSource;
  collect: CollectOptions;
  intervalMs: number;
  paused: boolean;
  scheduler?: Scheduler;
  now?: () => number;
  /** How much history to keep for the rules (thinned; see history-window.ts). */
  historyWindow?: HistoryWindow;
  /**
   * True when the new snapshot would show exactly what is on screen: it then joins the history
   * without a React update (no render, nothing written). Never asked while the last poll failed.
   */
  unchanged?: (shown: PollState, next: Snapshot, history: readonly Snapshot[]) => boolean;
}

/**
 * Takes a snapshot now and then every interval (never two at once). A failure keeps the last good
 * snapshot, records the error and retries at the next tick. Paused: no collection at all.
 *
 * The interval is counted from when the last refresh's work is done, its snapshot rendered (the effect after
 * that render's commit), not from when its collection ended: deriving and drawing a big port view can take
 * longer than a short interval, and a timer started before the render fired as soon as it ended, so
 * collections and renders ran back to back and keys waited behind them (20,000 sockets at 100 ms).
 */
export function usePolling({ source, collect, intervalMs, paused, scheduler = timerScheduler, now = Date.now, historyWindow = DEFAULT_HISTORY_WINDOW, unchanged }: PollOptions): PollState {
  const [state, setState] = useState<PollState>({ history: [] });
  const shown = useRef(state);
  shown.current = state;
  const unchangedRef = useRef(unchanged);
  unchangedRef.current = unchanged;
  const history = useRef<Snapshot[]>([]);
  const windowRef = useRef(historyWindow);
  windowRef.current = historyWindow;
  const collectKey = JSON.stringify(collect);
  const optsRef = useRef(collect);
  optsRef.current = collect;
  // Starts the next interval once the state set by the last tick has been rendered and committed.
  const afterRender = useRef<(() => void) | undefined>(undefined);
  useEffect(() => {
    const next = afterRender.current;
    afterRender.current = undefined;
    next?.();
  }, [state]);

  useEffect(() => {
    if (paused) return;
    let cancelled = false;
    let cancelTimer: (() => void) | undefined;
    const next = () => {
      if (!cancelled) cancelTimer = scheduler.schedule(tick, intervalMs);
    };
    const tick = async () => {
      cancelTimer = undefined;
      let rendered = false;
      try {
        const snap = await source.collect(optsRef.current);
        if (cancelled) return;
        history.current = keepHistory(history.current, snap, windowRef.current);
        const cur = shown.current;
        const same = cur.snapshot !== undefined && cur.error === undefined && unchangedRef.current?.(cur, snap, history.current) === true;
        if (!same) {
          afterRender.current = next;
          rendered = true;
          setState({ snapshot: snap, history: history.current });
        }
      } catch (e) {
        if (cancelled) return;
        const message = e instanceof Error ? e.message : String(e);
        afterRender.current = next;
        rendered = true;
        setState((s) => ({ ...s, error: message.split('\n')[0], errorAt: now() }));
      }
      if (!rendered) next();
    };
    void tick();
    return () => {
      cancelled = true;
      cancelTimer?.();
    };
    // collectKey: a change of protocols or details asks for a fresh snapshot at once.
  }, [source, intervalMs, paused, scheduler, collectKey, now]);

  return state;
}
