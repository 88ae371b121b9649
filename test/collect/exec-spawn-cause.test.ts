// run() says a binary that is not there as "<file>: not installed (command not found)", and keeps the spawn's code as
// the error's cause: the exporter tells a failure no retry cures (ENOENT, EACCES) from one that may pass by it, and
// netstat's collector used to put the code back by matching run()'s words.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { run } from '../../src/collect/exec.js';
import { CollectorError } from '../../src/collect/source.js';

test('a missing binary: CollectorError "not installed", cause with code ENOENT; not executable: EACCES', async (t) => {
  await assert.rejects(run('sockscope-no-such-binary-7f3a', []), (e: unknown) => {
    assert.ok(e instanceof CollectorError);
    assert.equal(e.message, 'sockscope-no-such-binary-7f3a: not installed (command not found)');
    assert.equal((e.cause as NodeJS.ErrnoException).code, 'ENOENT');
    return true;
  });
  const dir = mkdtempSync(join(tmpdir(), 'sockscope-exec-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, 'not-executable');
  writeFileSync(file, '#!/bin/sh\nexit 0\n');
  chmodSync(file, 0o644);
  await assert.rejects(run(file, []), (e: unknown) => {
    assert.ok(e instanceof CollectorError);
    assert.equal((e.cause as NodeJS.ErrnoException).code, 'EACCES');
    return true;
  });
});
