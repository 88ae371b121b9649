// + and - move the refresh interval along one ladder: the starting interval doubled or halved, within bounds.
// The monitor's state holds that ladder now (state.ts stepInterval, from UiState.intervalStartMs). Its
// reducer used to multiply the interval and cap it at 60 s whatever --interval was, and this module wrapped
// it, re-deciding each key to put the interval back on the ladder; nothing is left to wrap.
import { monitorReducer } from '../input.js';

export { rungOf, stepInterval } from '../state.js';

/** The monitor's reducer (App.tsx builds it from the starting interval, which the state now carries itself). */
export function ladderReducer(_startMs: number): typeof monitorReducer {
  return monitorReducer;
}
