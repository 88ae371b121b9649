// OutputUnwritableError's `cause` is the system's error (README: "the system's error as `cause`"): it was a new
// Error the writer made from the reason's words, without code, errno or syscall. /proc refuses the files (no
// directory is created outside the test's own temp dir; root ignores a read-only mode, /proc does not).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { generateServerFiles } from '../../src/api/generate.js';
import { OutputUnwritableError } from '../../src/api/errors.js';
import { writeFilesAtomic } from '../../src/codegen/write.js';

const caught = (f: () => unknown): unknown => {
  try {
    f();
  } catch (e) {
    return e;
  }
  assert.fail('did not throw');
};

for (const [what, output, syscall] of [
  ['a file /proc does not let anyone create', '/proc/server.c', 'open'],
  ['a directory /proc does not let anyone create', '/proc/sockscope-no-such-dir/server.c', 'mkdir'],
] as const) {
  test(`generateServerFiles to ${what}: OutputUnwritableError whose cause is the system's error (${syscall})`, () => {
    const e = caught(() => generateServerFiles({ language: 'c', output }));
    assert.ok(e instanceof OutputUnwritableError, String(e));
    assert.equal(e.code, 'output-unwritable');
    assert.match(e.message, /^cannot (write|create the directory)/);
    const cause = e.cause as NodeJS.ErrnoException;
    assert.ok(cause instanceof Error);
    assert.equal(typeof cause.code, 'string');
    assert.match(cause.code!, /^E[A-Z]+$/);
    assert.equal(typeof cause.errno, 'number');
    assert.equal(cause.syscall, syscall);
    assert.ok(!existsSync(output));
  });
}

test('the writer (writeFilesAtomic, exported) keeps the system error as its error\'s cause too', () => {
  const e = caught(() => writeFilesAtomic([{ path: '/proc/sockscope-x.txt', content: 'x' }])) as Error;
  assert.match(e.message, /^cannot write \/proc\/sockscope-x\.txt: /);
  const cause = e.cause as NodeJS.ErrnoException;
  assert.equal(cause?.syscall, 'open');
  assert.equal(typeof cause?.errno, 'number');
});
