// explainErrno's second argument in the object form (review-api defect 2): explainErrno({code: 54}, {platform: 'macos'})
// read 54 as Linux's (EXFULL) without a word; it is honoured now, a conflicting platform is refused, and a bad second
// argument (not an object, an unknown platform) is an InvalidInputError for the object form as for the bare one.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { explainErrno } from '../../src/api/knowledge.js';
import { InvalidInputError } from '../../src/api/errors.js';

test('explainErrno({code}, {platform}) reads the code on that platform', () => {
  const r = explainErrno({ code: 54 }, { platform: 'macos' });
  assert.equal(r.platform, 'macos');
  assert.equal(r.matches[0].name, 'ECONNRESET');
  // The same platform in both is no conflict.
  assert.equal(explainErrno({ code: 54, platform: 'macos' }, { platform: 'macos' }).matches[0].name, 'ECONNRESET');
  // Without options the object's own platform still decides.
  assert.equal(explainErrno({ code: 54, platform: 'macos' }).matches[0].name, 'ECONNRESET');
});

test('explainErrno({code, platform}, {platform: other}) is refused at platform', () => {
  assert.throws(
    () => explainErrno({ code: 54, platform: 'linux' }, { platform: 'macos' }),
    (e: unknown) => e instanceof InvalidInputError && e.code === 'invalid-input' && e.issues.length === 1 && e.issues[0].path === 'platform' && /platform given twice/.test(e.message),
  );
});

test('explainErrno({code}, bad second argument) is an InvalidInputError', () => {
  for (const bad of ['macos', 42, null, { platform: 'os2' }, { platfrom: 'macos' }]) {
    assert.throws(
      () => explainErrno({ code: 54 }, bad as never),
      (e: unknown) => e instanceof InvalidInputError && e.code === 'invalid-input' && /errno options/.test(e.message),
      `second argument ${JSON.stringify(bad)}`,
    );
  }
  assert.throws(() => explainErrno({ code: 54 }, { platform: 'os2' } as never), (e: unknown) => e instanceof InvalidInputError && e.issues.some((i) => i.path === 'platform'));
});
