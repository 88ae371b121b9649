// The task's --output probe (checkOutputWritable) and the writer (writeTaskResult, through codegen/write.ts) give one
// reason for one failure: the probe had its own table (PROBE_FAILURES), so /proc/x.json read "its directory takes no
// new files" before the task and "no such file or directory (...)" from the writer, and a name too long for the
// temporary file was explained by the probe only. Real file systems: /proc takes no new files; a 245-character name
// fits in 255 but its temporary name (.NAME.PID.HEX.tmp) does not.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkOutputWritable, TaskOutputError, writeTaskResult } from '../../src/api/task-output.js';

/** The TaskOutputError message f throws. */
function failure(f: () => void): string {
  try {
    f();
  } catch (e) {
    assert.ok(e instanceof TaskOutputError, String(e));
    return e.message;
  }
  assert.fail('no TaskOutputError');
}

test('checkOutputWritable refuses with the reason writeTaskResult gives for the same path', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'sockscope-probe-reason-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const doc = { ok: false as const, error: { code: 'x', message: 'y', issues: [] } };
  const paths = {
    proc: '/proc/sockscope-x.json',
    long: join(dir, `${'l'.repeat(245)}.json`),
  };
  for (const [name, path] of Object.entries(paths)) {
    const probe = failure(() => checkOutputWritable(path));
    const write = failure(() => writeTaskResult(path, doc, false));
    assert.equal(probe, write, name);
    assert.equal(existsSync(path), false, name);
  }
  assert.equal(failure(() => checkOutputWritable(paths.proc)), `cannot write ${paths.proc}: no such file or directory (its directory is gone, or takes no new entries)`);
  assert.equal(failure(() => checkOutputWritable(paths.long)), `cannot write ${paths.long}: the name is too long (with the temporary file written beside it first, .NAME.PID.RANDOM.tmp)`);
});
