// + and - move the refresh interval along one ladder: the starting interval doubled or halved, within bounds.
import { handleKey, monitorReducer, type KeyAction } from '../input.js';
import { MAX_INTERVAL_MS, MIN_INTERVAL_MS, type Action, type UiState } from '../state.js';

/** The bounds for a monitor started at `startMs` (a longer --interval is its own upper bound). */
function bounds(startMs: number): { min: number; max: number } {
  return { min: Math.min(MIN_INTERVAL_MS, startMs), max: Math.max(MAX_INTERVAL_MS, startMs) };
}

/**
 * The rung of an interval: startMs * 2^rung. A bound is the rung just past it (60 s from 1 s is rung 6,
 * 64 s cut to 60), so one step back from a bound lands on the ladder again.
 */
export function rungOf(ms: number, startMs: number): number {
  const { min, max } = bounds(startMs);
  const exact = Math.log2(ms / startMs);
  if (ms >= max) return Math.ceil(exact - 1e-9);
  if (ms <= min) return Math.floor(exact + 1e-9);
  return Math.round(exact);
}

/**
 * The interval one step faster (-1) or slower (+1) than `ms`. Each step used to multiply whatever was
 * shown, so a bound knocked the interval off its ladder for good: from 1 s, - up to the 60 s cap, then +
 * gave 30, 15, 7.5, 3.75, 1.875 s and "every 938ms", never 1 s again. Now it is 60 s -> 32 s -> ... -> 1 s
 * (and from a 60 s start, 60 -> 30 s).
 */
export function stepInterval(ms: number, startMs: number, direction: 1 | -1): number {
  const { min, max } = bounds(startMs);
  const next = Math.round(startMs * 2 ** (rungOf(ms, startMs) + direction));
  return Math.min(max, Math.max(min, next));
}

/** Which way an action moves the interval: +1 slower, -1 faster, 0 not at all. */
export function intervalDirection(state: UiState, action: Action | KeyAction): 1 | -1 | 0 {
  const factorOf = (a: Action) => (a.type === 'interval' ? a.factor : 1);
  let factor = 1;
  if (action.type === 'key') {
    const r = handleKey(action.key, action.text, { ...action.ctx, state });
    if (!r.quit) for (const a of r.actions) factor *= factorOf(a);
  } else factor = factorOf(action);
  return factor > 1 ? 1 : factor < 1 ? -1 : 0;
}

/**
 * The monitor's reducer with + and - kept on the ladder: the reducer multiplies the interval it holds
 * (and caps it at 60 s, which a longer --interval start is not); the step is taken again from the ladder,
 * in the direction of the key, not of the value the cap produced.
 */
export function ladderReducer(startMs: number): (s: UiState, a: Action | KeyAction) => UiState {
  return (s, a) => {
    const next = monitorReducer(s, a);
    if (s.quit || next.quit) return next;
    // Most actions leave the interval alone; at the reducer's caps a step can show as no change.
    if (next.intervalMs === s.intervalMs && s.intervalMs > MIN_INTERVAL_MS && s.intervalMs < MAX_INTERVAL_MS) return next;
    const direction = intervalDirection(s, a);
    if (direction === 0) return next;
    const ms = stepInterval(s.intervalMs, startMs, direction);
    return ms === next.intervalMs ? next : { ...next, intervalMs: ms };
  };
}
