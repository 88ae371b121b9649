// The monitor's rules cadence (AdviceRunner): it slows down at once when one evaluation costs more than a
// tenth of the time, and speeds up again once evaluations are cheap (review-churn #4: it only ever grew,
// so after one TIME_WAIT burst a host back to 141 sockets still said "evaluated every 5s" for the rest of
// the session), with hysteresis: a cost that jitters around a step does not flip the cadence.
// The cost of an evaluation is wall time (performance.now): the stub advisor moves a mocked clock.
import assert from 'node:assert/strict';
import { describe, it, type TestContext } from 'node:test';
import type { Snapshot } from '../../src/model/snapshot.js';
import { ADVICE_CALM_RUNS, AdviceRunner, nextAdviceCadence, type Advisor } from '../../src/ui/advice-runner.js';

/** Runs one snapshot per second through a runner whose evaluations cost costs[i] ms; returns everyMs after each snapshot and how many evaluations ran. */
function drive(t: TestContext, costs: number[], intervalMs = 1000): { every: number[]; evaluations: number } {
  let clock = 0;
  t.mock.method(performance, 'now', () => clock);
  let evaluations = 0;
  let next = 0;
  const advise: Advisor = () => {
    evaluations++;
    clock += costs[Math.min(next++, costs.length - 1)];
    return [];
  };
  const runner = new AdviceRunner();
  const every: number[] = [];
  const history: Snapshot[] = [];
  // Bounded: one snapshot a second until every cost was used (or 1,000 snapshots).
  for (let i = 0; i < 1000 && next < costs.length; i++) {
    const snap = { time: i * 1000 } as Snapshot;
    history.push(snap);
    every.push(runner.run(advise, snap, history, {}, undefined, intervalMs).everyMs);
  }
  t.mock.restoreAll();
  return { every, evaluations };
}

describe('rules cadence', () => {
  it('one slow evaluation (300 ms: every 5 s), then cheap ones (2 ms): back to every refresh after 3 evaluations', (t) => {
    const { every } = drive(t, [2, 2, 300, 2, 2, 2, 2, 2, 2, 2]);
    assert.equal(every[2], 5000, 'slowed down at once');
    // 5 s between evaluations: the next ones run at 7 s, 12 s and 17 s; the third cheap one lowers it.
    assert.equal(every[16], 5000);
    assert.equal(every[17], 0, `still ${every[17]} ms after ${ADVICE_CALM_RUNS} cheap evaluations: ${every.join(',')}`);
    assert.ok(every.slice(17).every((e) => e === 0));
  });

  it('a cost jittering around the step (95/105 ms against 100 ms a second) settles on one cadence and stays there', (t) => {
    const { every } = drive(t, Array.from({ length: 40 }, (_, i) => (i % 2 ? 95 : 105)));
    const changes = every.filter((e, i) => i > 0 && e !== every[i - 1]).length;
    assert.equal(changes, 0, every.join(','));
    assert.equal(every[0], 2000);
  });

  it('an occasional slow evaluation among cheap ones: never stuck at the slow cadence, few changes', (t) => {
    // Every tenth evaluation costs 300 ms (a GC pause, CPU taken by others), the rest 2 ms.
    const { every } = drive(t, Array.from({ length: 60 }, (_, i) => (i % 10 === 9 ? 300 : 2)));
    const changes = every.filter((e, i) => i > 0 && e !== every[i - 1]).length;
    assert.ok(every.at(-1) === 0 || every.slice(-15).includes(0), `stuck: ${every.join(',')}`);
    assert.ok(changes <= 12, `${changes} changes: ${every.join(',')}`);
  });

  it('nextAdviceCadence: up at once; down only after the calm runs, to what twice the cost would need', () => {
    assert.equal(nextAdviceCadence(0, 300, 0, 0, 1000), 5000);
    assert.equal(nextAdviceCadence(2000, 300, 0, 0, 1000), 5000);
    assert.equal(nextAdviceCadence(5000, 10, ADVICE_CALM_RUNS - 1, 10, 1000), 5000);
    assert.equal(nextAdviceCadence(5000, 10, ADVICE_CALM_RUNS, 10, 1000), 0);
    // The largest of the calm costs decides: 90 ms doubled needs 2 s.
    assert.equal(nextAdviceCadence(5000, 10, ADVICE_CALM_RUNS, 90, 1000), 2000);
    // Between the cost and twice the cost lies the band where nothing changes.
    assert.equal(nextAdviceCadence(2000, 90, ADVICE_CALM_RUNS, 90, 1000), 2000);
  });
});
