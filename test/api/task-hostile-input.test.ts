// executeTask never throws (README): reading `operation` from an object whose getter or Proxy throws rejected the
// promise, since that read was outside the try. Now it resolves the failure document.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { executeTask } from '../../src/api/task.js';

const hostile: [string, () => unknown][] = [
  ['a getter on operation that throws', () => ({ get operation() { throw new Error('getter says no'); } })],
  ['a Proxy whose get trap throws', () => new Proxy({}, { get() { throw new Error('proxy says no'); } })],
  ['a revoked Proxy', () => { const p = Proxy.revocable({ operation: 'errno', code: 'EPIPE' }, {}); p.revoke(); return p.proxy; }],
  ['a getter that throws the second time only', () => { let n = 0; return { code: 'EPIPE', get operation() { if (n++) throw new Error('second read'); return 'errno'; } }; }],
];

for (const [what, make] of hostile) {
  test(`executeTask with ${what}: resolves a failure document, exit 1`, async () => {
    const r = await executeTask(make()).then((x) => x, (e: unknown) => assert.fail(`rejected: ${String(e)}`));
    assert.equal(r.document.ok, false);
    assert.equal(r.exitCode, 1);
    assert.ok(!r.document.ok && r.document.error.code === 'runtime-error', JSON.stringify(r.document));
  });
}
