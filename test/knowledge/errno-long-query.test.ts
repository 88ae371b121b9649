// An errno query has a length limit (ERRNO_QUERY_MAX_LENGTH), checked before any search: 'E' x 1,000,000 took
// 22.6 s (an edit distance against every name) and echoed the 1 MB query back in the message and the task's
// issues. Now it is refused at once (UnknownErrnoError, exit 2 in a task) with a short echo, and a whole message
// pasted as the query (the longest, a Winsock one, is 192 characters) still finds its error.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ERRNO_QUERY_MAX_LENGTH, explainErrno, UnknownErrnoError } from '../../src/knowledge/errno.js';
import { explainErrno as libraryExplainErrno } from '../../src/api/knowledge.js';
import { executeTask } from '../../src/api/task.js';
import { WSA_ERRORS, LINUX_ERRNOS, BSD_ERRNOS } from '../../src/knowledge/generated/errno-tables.js';

const timed = <T>(f: () => T): { ms: number; value?: T; error?: unknown } => {
  const t0 = performance.now();
  try {
    const value = f();
    return { ms: performance.now() - t0, value };
  } catch (error) {
    return { ms: performance.now() - t0, error };
  }
};

for (const [what, code] of [
  ['1,000,000 letters', 'E'.repeat(1_000_000)],
  ['1,000,000 digits', '1'.repeat(1_000_000)],
  ['a message fragment of 1,000,000 characters', 'reset by peer '.repeat(72_000)],
  ['one character past the limit', 'E'.repeat(ERRNO_QUERY_MAX_LENGTH + 1)],
] as const) {
  test(`explainErrno with ${what}: refused at once, the echo short`, () => {
    for (const call of [() => explainErrno(code), () => libraryExplainErrno(code), () => libraryExplainErrno({ code })]) {
      const r = timed(call);
      assert.ok(r.error instanceof UnknownErrnoError, String(r.error));
      assert.ok(r.ms < 1000, `${r.ms} ms`);
      const e = r.error as UnknownErrnoError;
      assert.match(e.message, new RegExp(`too long: ${code.trim().length} characters, at most ${ERRNO_QUERY_MAX_LENGTH}`));
      assert.ok(e.message.length < 300, e.message);
      assert.deepEqual(e.issues.map((i) => i.path), ['code']);
      assert.ok(JSON.stringify(e.issues).length < 600);
      assert.equal(e.code, 'unknown-errno');
    }
  });
}

test('errno task with a 1,000,000-character code: exit 2, a failure document of a few hundred bytes', async () => {
  const t0 = performance.now();
  const { exitCode, document } = await executeTask({ operation: 'errno', code: 'E'.repeat(1_000_000) });
  assert.ok(performance.now() - t0 < 2000);
  assert.equal(exitCode, 2);
  assert.equal(document.ok, false);
  assert.ok(!document.ok && document.error.code === 'unknown-errno');
  assert.ok(JSON.stringify(document).length < 1000, `${JSON.stringify(document).length} bytes`);
});

test('every message the search reads fits under the limit: a whole pasted message still matches', () => {
  const texts = [...LINUX_ERRNOS.flatMap((e) => [e.message, e.headerComment ?? '']), ...BSD_ERRNOS.map((b) => b.message), ...WSA_ERRORS.flatMap((w) => [w.title, w.message])];
  const longest = texts.reduce((a, b) => (b.length > a.length ? b : a));
  assert.ok(longest.length <= ERRNO_QUERY_MAX_LENGTH, `${longest.length}`);
  const r = explainErrno(longest);
  assert.equal(r.matchedBy, 'message');
  assert.ok(r.matches.length > 0);
});

test('a long query that matches nothing still answers fast, and suggestions still come for a near miss', () => {
  const r = timed(() => explainErrno('Q'.repeat(ERRNO_QUERY_MAX_LENGTH)));
  assert.ok(r.error instanceof UnknownErrnoError);
  assert.ok(r.ms < 200, `${r.ms} ms`);
  assert.doesNotMatch((r.error as Error).message, /did you mean/);
  assert.throws(() => explainErrno('ECONNRESTE'), /did you mean ECONNRESET/);
});
