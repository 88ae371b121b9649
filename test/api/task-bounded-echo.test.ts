// Error messages describe a bad value briefly (model/input-error.ts briefValue / briefText): they used to
// JSON.stringify it whole, so that a 5,000-deep array as an errno `code` or a 10,000-deep `operation` overflowed the
// stack (a raw RangeError from runTask/explainErrno, runtime-error exit 1 from the task), and a 10-million-character
// operation came back twice in a 20 MB failure document. Now: invalid-input, exit 2, the issue at the field, and
// every failure document below a few KiB. Through the library entry (src/index.ts), as the bundle exports it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { executeTask, explainErrno, runTask, InvalidInputError } from '../../src/index.js';
import { briefText, briefValue } from '../../src/model/input-error.js';

const nested = (depth: number): unknown => JSON.parse('['.repeat(depth) + ']'.repeat(depth));

test('a deeply nested errno code or operation is invalid input at its field, not a stack overflow', async () => {
  const deepCode = { operation: 'errno', code: nested(5000) };
  const r = await executeTask(deepCode);
  assert.equal(r.exitCode, 2, JSON.stringify(r.document).slice(0, 300));
  assert.ok(!r.document.ok);
  assert.equal(r.document.error.code, 'invalid-input');
  assert.equal(r.document.error.issues[0].path, 'code');
  assert.equal(r.document.operation, 'errno');
  await assert.rejects(runTask(deepCode as never), (e: unknown) => e instanceof InvalidInputError && e.issues[0].path === 'code');
  assert.throws(() => explainErrno({ code: nested(5000) } as never), (e: unknown) => e instanceof InvalidInputError && e.issues[0].path === 'code');

  const op = await executeTask({ operation: nested(10000) });
  assert.equal(op.exitCode, 2);
  assert.ok(!op.document.ok && op.document.error.code === 'invalid-input' && op.document.error.issues[0].path === 'operation', JSON.stringify(op.document).slice(0, 300));
  await assert.rejects(runTask({ operation: nested(10000) } as never), InvalidInputError);
});

test('failure documents quote long bad values cut short', async () => {
  const M = 'x'.repeat(1e6);
  const cases: [string, Record<string, unknown>, string][] = [
    ['a 10-million-character operation', { operation: 'x'.repeat(1e7) }, 'operation'],
    ['a million-number errno code', { operation: 'errno', code: Array.from({ length: 1e6 }, (_, i) => i) }, 'code'],
    ['an unknown field with a million-character name', { operation: 'errno', code: 'EPIPE', [M]: 1 }, `${'x'.repeat(64)}…`],
    ['a million-character debug-connections host', { operation: 'debug-connections', address: `${M}:80` }, 'address'],
    ['a million-character bandwidth unit', { operation: 'buffers', bandwidth: `1${M}`, rtt: '10ms' }, 'bandwidth'],
    ['100,000 wrong option names', { operation: 'inspect-options', port: 1, options: Array.from({ length: 1e5 }, (_, i) => i) }, 'options[0]'],
    // A path longer than PATH_MAX: refused as such, quoted briefly (the .c message quoted it three times: 4 MB).
    ['a million-character generate-server output', { operation: 'generate-server', output: `${M}.py` }, 'output'],
    ['a million-character C output without .c', { operation: 'generate-server', language: 'c', output: M }, 'output'],
  ];
  for (const [what, task, path] of cases) {
    const r = await executeTask(task);
    const text = JSON.stringify(r.document);
    assert.equal(r.exitCode, 2, `${what}: ${text.slice(0, 300)}`);
    assert.ok(!r.document.ok && r.document.error.code === 'invalid-input', `${what}: ${text.slice(0, 300)}`);
    assert.equal(r.document.error.issues[0].path, path, what);
    assert.ok(text.length < 4096, `${what}: ${text.length} characters`);
  }
});

test('briefValue and briefText: bounded length and depth, JSON spelling, never throw', () => {
  assert.equal(briefValue('EPIPE'), '"EPIPE"');
  assert.equal(briefValue(104.5), '104.5');
  assert.equal(briefValue(true), 'true');
  assert.equal(briefValue(null), 'null');
  assert.equal(briefValue(undefined), 'undefined');
  assert.equal(briefValue(10n), '10n');
  assert.equal(briefValue({}), '{}');
  assert.equal(briefValue({ a: [1, { b: 2 }] }), '{"a":[1,{…}]}');
  assert.equal(briefValue(nested(10000)), '[[[…]]]');
  assert.equal(briefValue('y'.repeat(1000)), JSON.stringify(`${'y'.repeat(62)}…`));
  assert.ok(briefValue(Array.from({ length: 1e6 }, (_, i) => i)).length <= 80);
  assert.equal(briefValue(new Proxy({}, { ownKeys() { throw new Error('no'); } })), 'an object that cannot be read');
  assert.equal(briefText('short'), 'short');
  assert.equal(briefText('😀'.repeat(100), 4), '😀😀😀😀…', 'cut between characters, not inside a surrogate pair');
});
