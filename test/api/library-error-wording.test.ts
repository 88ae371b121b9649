// Library error messages in the library's words (review-api defect 8): no command-line flag in a library error,
// a code that is neither a name nor a whole number said as such, and no issue message repeating its own path.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { explainErrno } from '../../src/api/knowledge.js';
import { sizeBuffers } from '../../src/api/buffers.js';
import { executeTask } from '../../src/api/task.js';
import { InvalidInputError } from '../../src/api/errors.js';

test("explainErrno(10054, {platform: 'linux'}) names the platform field, not --platform alone", () => {
  assert.throws(
    () => explainErrno(10054, { platform: 'linux' }),
    (e: unknown) => e instanceof InvalidInputError && e.code === 'unknown-errno' && /WSAECONNRESET on windows/.test(e.message) && /platform in the library/.test(e.message) && !/use --platform/.test(e.message),
  );
});

test('a code that is neither a name nor a whole number says what is expected', () => {
  for (const [input, shown] of [[104.5, '104.5'], [true, 'true']] as const) {
    assert.throws(
      () => explainErrno({ code: input as never }),
      (e: unknown) =>
        e instanceof InvalidInputError &&
        e.issues.length === 1 &&
        e.issues[0].path === 'code' &&
        /ECONNRESET/.test(e.issues[0].message) &&
        /whole number/.test(e.issues[0].message) &&
        e.issues[0].message.includes(shown) &&
        !/Invalid input/.test(e.message),
      String(input),
    );
  }
  assert.throws(() => explainErrno(104.5), (e: unknown) => e instanceof InvalidInputError && /whole number/.test(e.message));
  // A missing code still says required.
  assert.throws(() => explainErrno({} as never), (e: unknown) => e instanceof InvalidInputError && e.issues[0].path === 'code' && e.issues[0].message === 'required');
});

test('errno task with code true: invalid-input, the issue says a name or a whole number', async () => {
  const { exitCode, document } = await executeTask({ operation: 'errno', code: true });
  assert.equal(exitCode, 2);
  assert.equal(document.ok, false);
  if (document.ok) return;
  assert.equal(document.error.code, 'invalid-input');
  assert.equal(document.error.issues[0].path, 'code');
  assert.match(document.error.issues[0].message, /error name such as ECONNRESET or a whole number/);
});

test('buffers: a unit error issue does not repeat its path', async () => {
  await assert.rejects(
    sizeBuffers({ bandwidth: '1gbps', rtt: '10ms' }),
    (e: unknown) => e instanceof InvalidInputError && e.issues.length === 1 && e.issues[0].path === 'bandwidth' && /^"gbps" is ambiguous/.test(e.issues[0].message),
  );
  await assert.rejects(
    sizeBuffers({ bandwidth: '1gbit', rtt: '10' }),
    (e: unknown) => e instanceof InvalidInputError && e.issues[0].path === 'rtt' && !/^rtt\b/.test(e.issues[0].message),
  );
  const { document } = await executeTask({ operation: 'buffers', bandwidth: 'fast', rtt: '10ms' });
  assert.ok(!document.ok && document.error.issues[0].path === 'bandwidth' && !/^bandwidth/.test(document.error.issues[0].message), JSON.stringify(document));
});
