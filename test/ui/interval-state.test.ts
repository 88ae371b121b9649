// The monitor state's refresh interval: + and - on the ladder of the starting interval, a long --interval kept.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { monitorReducer } from '../../src/ui/input.js';
import { DEFAULT_KEYMAP } from '../../src/ui/keymap.js';
import { initialState, reducer, type UiState } from '../../src/ui/state.js';

const ctx = { keymap: DEFAULT_KEYMAP, pageSize: 10, wizardAvailable: false };
const start = (intervalMs: number) => initialState({ intervalMs, protocols: { tcp: true, udp: true, unix: false } });
/** The intervals after each of `n` presses of `key` ('-' slower, '+' faster), through the plain monitor reducer. */
function presses(s: UiState, key: '+' | '-', n: number): { s: UiState; seen: number[] } {
  const seen: number[] = [];
  for (let i = 0; i < n; i++) seen.push((s = monitorReducer(s, { type: 'key', key, text: key, ctx })).intervalMs);
  return { s, seen };
}

describe('refresh interval in the monitor state', () => {
  it('a --interval above 60 s is kept: - does not cut it to 60 s, and after + it comes back to it', () => {
    // The reducer capped every interval at 60 s: - (slower) from 2 min gave 60 s, and nothing reached 2 min again.
    let { s, seen } = presses(start(120_000), '-', 2);
    assert.deepEqual(seen, [120_000, 120_000]);
    ({ s, seen } = presses(s, '+', 2));
    assert.deepEqual(seen, [60_000, 30_000]);
    ({ s, seen } = presses(s, '-', 3));
    assert.deepEqual(seen, [60_000, 120_000, 120_000]);
    // The CLI's longest interval, 1 h, is its own ceiling too.
    ({ seen } = presses(start(3_600_000), '-', 1));
    assert.deepEqual(seen, [3_600_000]);
    ({ s, seen } = presses(start(3_600_000), '+', 7));
    assert.deepEqual(seen, [1_800_000, 900_000, 450_000, 225_000, 112_500, 56_250, 28_125]);
    ({ seen } = presses(s, '-', 8));
    assert.deepEqual(seen, [56_250, 112_500, 225_000, 450_000, 900_000, 1_800_000, 3_600_000, 3_600_000]);
  });

  it('from 1 s: - stops at 60 s, + comes back through the same values to 1 s and down to 100 ms', () => {
    let { s, seen } = presses(start(1000), '-', 7);
    assert.deepEqual(seen, [2000, 4000, 8000, 16000, 32000, 60000, 60000]);
    ({ s, seen } = presses(s, '+', 11));
    assert.deepEqual(seen, [32000, 16000, 8000, 4000, 2000, 1000, 500, 250, 125, 100, 100]);
    ({ seen } = presses(s, '-', 1));
    assert.deepEqual(seen, [125]);
  });

  it('the interval action is a number of rungs (factor 2 one slower, 0.5 one faster, 1 none)', () => {
    const s = start(5000);
    assert.equal(reducer(s, { type: 'interval', factor: 2 }).intervalMs, 10_000);
    assert.equal(reducer(s, { type: 'interval', factor: 0.5 }).intervalMs, 2500);
    assert.equal(reducer(s, { type: 'interval', factor: 4 }).intervalMs, 20_000);
    assert.equal(reducer(s, { type: 'interval', factor: 1 }), s);
    assert.equal(s.intervalStartMs, 5000);
  });
});
