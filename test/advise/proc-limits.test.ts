// /proc/PID/limits parsing (pure) and the open-file collector on this test's own process.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { collectProcessLimits, parseMaxOpenFiles, parseOpenFileLimits, withProcessLimits } from '../../src/collect/proc-limits.js';
import { fakeSnapshot, listener, proc } from '../helpers/fake-snapshot.js';

const LIMITS = `Limit                     Soft Limit           Hard Limit           Units     
Max cpu time              unlimited            unlimited            seconds   
Max open files            1024                 524288               files     
Max locked memory         8388608              8388608              bytes     
`;

test('parseMaxOpenFiles reads the soft limit; unlimited and missing lines are null', () => {
  assert.equal(parseMaxOpenFiles(LIMITS), 1024);
  assert.equal(parseMaxOpenFiles(LIMITS.replace('1024 ', 'unlimited ')), null);
  assert.equal(parseMaxOpenFiles('Limit  Soft\n'), null);
  assert.equal(parseMaxOpenFiles(''), null);
});

test('parseOpenFileLimits reads the soft and the hard limit', () => {
  assert.deepEqual(parseOpenFileLimits(LIMITS), { soft: 1024, hard: 524288 });
  assert.deepEqual(parseOpenFileLimits(LIMITS.replace('524288', 'unlimited')), { soft: 1024, hard: null });
  assert.deepEqual(parseOpenFileLimits(''), { soft: null, hard: null });
});

test('collectProcessLimits counts this process\'s fds and reads its limit; unknown pids are left out', async () => {
  const r = await collectProcessLimits([process.pid, 2 ** 22 + 12345]);
  assert.deepEqual(Object.keys(r), [String(process.pid)]);
  const me = r[process.pid];
  assert.ok(me.openFiles >= 3, `openFiles ${me.openFiles}`);
  assert.ok(me.maxOpenFiles === null || me.maxOpenFiles >= me.openFiles);
  // The hard limit as the kernel reports it (getrlimit: ulimit -Hn).
  const hard = Number(/^Max open files\s+\S+\s+(\d+)/m.exec(readFileSync('/proc/self/limits', 'utf8'))![1]);
  assert.equal(me.hardMaxOpenFiles, hard);
  assert.equal(me.name, 'node');
});

test('withProcessLimits fills the snapshot for socket owners, keeping their names', async () => {
  const snap = fakeSnapshot({ sockets: [listener('0.0.0.0:1', 1, 0, [proc(process.pid, 'my-name')])] });
  const out = await withProcessLimits(snap);
  assert.equal(out.processLimits![process.pid].name, 'my-name');
  assert.equal(snap.processLimits, undefined); // the input is not mutated
});
