// explainErrno(code, opts): opts is checked like the object form's fields (review-api #9). A bare platform
// string ('linux') or a misspelt key was read as "no platform" without a word.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { explainErrno } from '../../src/api/knowledge.js';
import { InvalidInputError } from '../../src/api/errors.js';

test("explainErrno('EPERM', 'linux') and {platfrom} are InvalidInputErrors; {platform} still works", () => {
  assert.throws(() => explainErrno('EPERM', 'linux' as never), (e: unknown) => e instanceof InvalidInputError && /errno options/.test(e.message));
  assert.throws(() => explainErrno('EPERM', { platfrom: 'linux' } as never), (e: unknown) => e instanceof InvalidInputError && e.issues.some((i) => i.path === 'platfrom'));
  assert.throws(() => explainErrno(1, { platform: 'os2' } as never), (e: unknown) => e instanceof InvalidInputError && e.issues.some((i) => i.path === 'platform'));
  assert.equal(explainErrno(54, { platform: 'macos' }).platform, 'macos');
  assert.equal(explainErrno('EPERM').platform, null);
  assert.equal(explainErrno('EPERM', undefined).platform, null);
});
