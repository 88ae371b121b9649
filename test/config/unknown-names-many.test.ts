// 100,000 unknown threshold names (1.3 MB of task) took 6.6 s and 199 MB to refuse, 780,000 (10.8 MB) 48 s and
// 976 MB: namedMap made one zod issue per unknown name, each with a suggestion (edit distance to every name), though
// an error lists MAX_ISSUES of them and counts the rest (user review s26, task/library #2). Past MAX_ISSUES the names
// are now counted in one issue (notListedIssue) that zodIssues adds to "and N more problems like these". Not timed:
// the zod issues are at most MAX_ISSUES + 1, and what the error lists and counts is what it was.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { analyze, InvalidInputError } from '../../src/index.js';
import { parseTask } from '../../src/api/task.js';
import { ConfigFileSchema, ThresholdOverridesSchema } from '../../src/config/schema.js';
import { MAX_ISSUES, zodIssues } from '../../src/model/input-error.js';

const N = 100_000;
/** closeWaitCont (a near miss, suggested), then k1..k(N-1), with known names among them (not counted). */
function names<T>(value: T): Record<string, T> {
  const o: Record<string, T> = { closeWaitCont: value };
  for (let i = 1; i < N; i++) o[`k${i}`] = value;
  return o;
}
const many = { ...names(1), closeWaitCount: 5, windowSeconds: 30 };
const listed = [
  { path: 'thresholds.closeWaitCont', message: 'unknown threshold (did you mean closeWaitCount?)' },
  ...Array.from({ length: MAX_ISSUES - 1 }, (_, i) => ({ path: `thresholds.k${i + 1}`, message: 'unknown threshold' })),
];

test('thresholds with 100,000 unknown names: MAX_ISSUES + 1 zod issues; the error lists the first 20 and counts the rest', async () => {
  const r = ThresholdOverridesSchema.safeParse(many);
  assert.equal(r.success, false);
  assert.equal(r.error!.issues.length, MAX_ISSUES + 1);
  const more = { path: '', message: `and ${N - MAX_ISSUES} more problems like these, not listed` };
  assert.deepEqual(zodIssues(r.error!, ['thresholds']), [...listed, { ...more, path: 'thresholds' }]);
  // The library's analyze and the task say the same as before: the first 20 and "and 99980 more".
  await assert.rejects(analyze({ thresholds: many }), (e) => e instanceof InvalidInputError && JSON.stringify(e.issues) === JSON.stringify([...listed, more]));
  assert.throws(() => parseTask({ operation: 'analyze', thresholds: many }), (e) => e instanceof InvalidInputError && JSON.stringify(e.issues) === JSON.stringify([...listed, more]));
});

test('another problem before the names: it is listed first, the 20th name and after are counted with the rest', () => {
  assert.throws(
    () => parseTask({ operation: 'analyze', port: 'x', thresholds: many }),
    (e) => {
      assert.ok(e instanceof InvalidInputError);
      assert.equal(e.issues.length, MAX_ISSUES + 1);
      assert.equal(e.issues[0].path, 'port');
      assert.deepEqual(e.issues.slice(1, MAX_ISSUES), listed.slice(0, MAX_ISSUES - 1));
      assert.deepEqual(e.issues[MAX_ISSUES], { path: '', message: `and ${N - MAX_ISSUES + 1} more problems like these, not listed` });
      return true;
    },
  );
});

test('exactly MAX_ISSUES unknown names: all listed, no count; one more: counted as 1', () => {
  const some = (n: number) => Object.fromEntries(Array.from({ length: n }, (_, i) => [`k${i}`, 1]));
  const at = ThresholdOverridesSchema.safeParse(some(MAX_ISSUES));
  assert.equal(at.error!.issues.length, MAX_ISSUES);
  assert.equal(zodIssues(at.error!).length, MAX_ISSUES);
  const over = zodIssues(ThresholdOverridesSchema.safeParse(some(MAX_ISSUES + 1)).error!);
  assert.equal(over.length, MAX_ISSUES + 1);
  assert.deepEqual(over[MAX_ISSUES], { path: '', message: 'and 1 more problem like these, not listed' });
});

test('a config file\'s keymap with 100,000 unknown commands: the same bound; the first issue still names the first', () => {
  const r = ConfigFileSchema.safeParse({ keymap: names(['x']) });
  assert.equal(r.success, false);
  assert.equal(r.error!.issues.length, MAX_ISSUES + 1);
  assert.deepEqual(r.error!.issues[0].path, ['keymap', 'closeWaitCont']);
  assert.equal(zodIssues(r.error!).at(-1)!.message, `and ${N - MAX_ISSUES} more problems like these, not listed`);
});
