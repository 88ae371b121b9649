// checkOutputFree (the task's --output check before it runs) asks writeFilesAtomic's own questions
// (codegen/output-target.ts: directoriesAmong, existingFiles): what it lets through, the write does not refuse after
// the task ran, and what it refuses, the write would have refused too.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkOutputFree, TaskOutputError, writeTaskResult } from '../../src/api/task-output.js';
import { InvalidInputError } from '../../src/api/errors.js';

/** What a call did: ok, refused (the path is taken or a directory) or failed otherwise (the write's own error). */
function outcome(f: () => void): 'ok' | 'refused' | 'failed' {
  try {
    f();
    return 'ok';
  } catch (e) {
    if (e instanceof InvalidInputError && e.code === 'output-exists') return 'refused';
    if (e instanceof TaskOutputError && e.message.endsWith(': it is a directory')) return 'refused';
    if (e instanceof TaskOutputError) return 'failed';
    throw e;
  }
}

test('checkOutputFree refuses exactly what writeTaskResult would refuse, with and without --force', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sockscope-task-check-'));
  try {
    const doc = { ok: false as const, error: { code: 'x', message: 'y', issues: [] } };
    const make: Record<string, () => string> = {
      free: () => join(dir, 'free.json'),
      'regular file': () => (writeFileSync(join(dir, 'file.json'), 'old'), join(dir, 'file.json')),
      'dangling symbolic link': () => (symlinkSync(join(dir, 'nowhere', 'x'), join(dir, 'dl.json')), join(dir, 'dl.json')),
      'symbolic link to a directory': () => (mkdirSync(join(dir, 'target-dir')), symlinkSync(join(dir, 'target-dir'), join(dir, 'ld.json')), join(dir, 'ld.json')),
      directory: () => (mkdirSync(join(dir, 'sub')), join(dir, 'sub')),
      'under a regular file': () => (writeFileSync(join(dir, 'plain'), ''), join(dir, 'plain', 'r.json')),
      'in a missing directory': () => join(dir, 'new', 'deeper', 'r.json'),
    };
    const want: Record<string, [boolean, boolean]> = {
      // [refused without --force, refused with --force]
      free: [false, false],
      'regular file': [true, false],
      'dangling symbolic link': [true, false],
      'symbolic link to a directory': [true, false],
      directory: [true, true],
      'under a regular file': [false, false],
      'in a missing directory': [false, false],
    };
    for (const force of [false, true]) {
      for (const [name, setUp] of Object.entries(make)) {
        rmSync(dir, { recursive: true, force: true });
        mkdirSync(dir);
        const path = setUp();
        const check = outcome(() => checkOutputFree(path, force));
        assert.equal(check === 'refused', want[name][force ? 1 : 0], `${name}, force ${force}: checkOutputFree ${check}`);
        assert.notEqual(check, 'failed', 'the check reports no write errors');
        const write = outcome(() => writeTaskResult(path, doc, force));
        if (check === 'ok') assert.notEqual(write, 'refused', `${name}, force ${force}: let through, then refused by the write`);
        else assert.equal(write, 'refused', `${name}, force ${force}: refused by the check, not by the write`);
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
