// The library's analyze()/analyzeStates() input `thresholds` (and so `sockscope task`'s) is checked as a
// config file's is: known names on own keys (__proto__, constructor are unknown), each value in its kind's
// range, no warning level above its critical one, also against options.config.thresholds. Before, any value
// >= 0 passed and `__proto__` was dropped silently.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { analyze, analyzeStates } from '../../src/api/host.js';
import { InvalidInputError } from '../../src/api/errors.js';

async function refusal(run: () => Promise<unknown>): Promise<{ path: string; message: string }> {
  try {
    await run();
  } catch (e) {
    assert.ok(e instanceof InvalidInputError, String(e));
    assert.equal(e.code, 'invalid-input');
    return e.issues[0];
  }
  assert.fail('accepted');
}

test('analyze thresholds: out-of-range values, inherited names and a warning level above its critical one are refused', async () => {
  const cases: [Record<string, number>, string, RegExp][] = [
    [{ persistSamples: 2.5 }, 'thresholds.persistSamples', /whole number of samples from 1 to 9007199254740991, got 2\.5/],
    [{ fdRatio: 1.5 }, 'thresholds.fdRatio', /ratio > 0 and <= 1, got 1\.5/],
    [{ windowSeconds: 0 }, 'thresholds.windowSeconds', /seconds > 0, got 0/],
    [JSON.parse('{"__proto__": {"closeWaitCount": 1}}'), 'thresholds.__proto__', /unknown threshold/],
    [{ constructor: 1 }, 'thresholds.constructor', /unknown threshold/],
    [{ toString: 1 }, 'thresholds.toString', /unknown threshold/],
    [{ closeWaitCount: 200 }, 'thresholds.closeWaitCount', /200 is above closeWaitCritical 100 \(its default\)/],
  ];
  for (const [thresholds, path, message] of cases) {
    for (const fn of [analyze, analyzeStates]) {
      const issue = await refusal(() => fn({ port: 9, thresholds }));
      assert.equal(issue.path, path, JSON.stringify(thresholds));
      assert.match(issue.message, message);
    }
  }
});

test('analyze thresholds: a level that contradicts options.config.thresholds is refused before collecting; consistent ones pass', async () => {
  const issue = await refusal(() => analyze({ port: 9, thresholds: { closeWaitCount: 30 } }, { config: { thresholds: { closeWaitCritical: 20 } } }));
  assert.equal(issue.path, 'thresholds.closeWaitCount');
  assert.match(issue.message, /30 is above closeWaitCritical 20 \(options\.config\.thresholds\)/);
  // Both levels in the input: the other one is named as the input's, not as a default.
  const both = await refusal(() => analyze({ port: 9, thresholds: { closeWaitCount: 500, closeWaitCritical: 100 } }));
  assert.match(both.message, /500 is above closeWaitCritical 100 \(the input\)/);
  // options.config may raise the other level too: closeWaitCount 200 is above the default critical 100, not above 500.
  const raised = await analyzeStates({ port: 9, thresholds: { closeWaitCount: 200 } }, { config: { thresholds: { closeWaitCritical: 500 } } });
  assert.equal(raised.port, 9);
  const ok = await analyze({ port: 9, thresholds: { closeWaitCount: 15 } }, { config: { thresholds: { closeWaitCritical: 20 } } });
  assert.equal(ok.port, 9);
  const states = await analyzeStates({ port: 9, thresholds: { closeWaitCount: 1, retransMinSegs: 0 } });
  assert.equal(states.port, 9);
});

test('options.config.thresholds: the pairs are checked merged over the defaults, at options.config.thresholds.KEY', async () => {
  const rule = 'a warning level must not be above its critical level';
  const alone = await refusal(() => analyze({ port: 9 }, { config: { thresholds: { closeWaitCount: 200 } } }));
  assert.deepEqual(alone, { path: 'options.config.thresholds.closeWaitCount', message: `200 is above thresholds.closeWaitCritical 100 (its default; set closeWaitCritical too): ${rule}` });
  const both = await refusal(() => analyzeStates({ port: 9 }, { config: { thresholds: { fdRatio: 0.9, fdCriticalRatio: 0.5 } } }));
  assert.deepEqual(both, { path: 'options.config.thresholds.fdRatio', message: `0.9 is above thresholds.fdCriticalRatio 0.5: ${rule}` });
  const low = await refusal(() => analyze({ port: 9 }, { config: { thresholds: { orphanCriticalRatio: 0.1 } } }));
  assert.deepEqual(low, { path: 'options.config.thresholds.orphanCriticalRatio', message: `0.1 is below thresholds.orphanRatio 0.5 (its default; set orphanRatio too): ${rule}` });
  const ok = await analyze({ port: 9 }, { config: { thresholds: { closeWaitCount: 200, closeWaitCritical: 500 } } });
  assert.equal(ok.port, 9);
});
