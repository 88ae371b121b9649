// runTask/executeTask check options.config for every operation, as README says ("validated like a config
// file; a bad one is an InvalidInputError at options.config.KEY"): a task that does not use configuration
// (errno, options) took {config: {bogus: 1}} or {config: 'x'} silently, so a caller's typo went unnoticed
// until a later task that does use it. executeTask never throws: it returns the exit-2 failure document.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { executeTask, runTask } from '../../src/api/task.js';
import { InvalidInputError } from '../../src/api/errors.js';

test('runTask refuses a bad options.config whatever the operation', async () => {
  for (const config of [{ bogus: 1 }, 'x', { bufferSize: -5 }]) {
    await assert.rejects(
      runTask({ operation: 'errno', code: 'EPIPE' }, { config } as never),
      (e: unknown) => e instanceof InvalidInputError && e.code === 'invalid-input' && e.issues.some((i) => i.path.startsWith('options.config')),
      JSON.stringify(config),
    );
  }
  // A good one, and none, still work.
  assert.equal((await runTask({ operation: 'errno', code: 'EPIPE' }, { config: { bufferSize: 4096 } })).ok, true);
  assert.equal((await runTask({ operation: 'errno', code: 'EPIPE' })).ok, true);
});

test('executeTask returns the exit-2 failure document for a bad options.config', async () => {
  const r = await executeTask({ operation: 'options', name: 'SO_RCVBUF' }, { config: { bogus: 1 } } as never);
  assert.equal(r.exitCode, 2);
  assert.equal(r.document.ok, false);
  assert.equal(r.document.ok === false && r.document.error.code, 'invalid-input');
  assert.equal(r.document.ok === false && r.document.operation, 'options');
});
