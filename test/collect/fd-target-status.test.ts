// readFdTarget (buffers and inspect-options given --pid and --socket-fd) reads /proc/PID/status once when the fd
// cannot be read: the zombie check (State, Threads, PPid) and the owner of the fd directory (Uid) come from the
// same text. A real root process read by another uid through setpriv.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { requireSetpriv } from '../helpers/socket-holder.js';

const UID = 61235;

test('an fd of another user\'s process: unreadable, its owner named, /proc/PID/status read once', { timeout: 60_000 }, () => {
  assert.equal(process.getuid?.(), 0, 'needs root, to read a root process as another uid');
  requireSetpriv();
  const script = fileURLToPath(new URL('./fd-target-status.fixture.mts', import.meta.url));
  const r = spawnSync('setpriv', [`--reuid=${UID}`, `--regid=${UID}`, '--clear-groups', '--', process.execPath, '--import', 'tsx', script, String(process.pid)], {
    encoding: 'utf8',
    timeout: 30_000,
    cwd: fileURLToPath(new URL('../..', import.meta.url)),
  });
  assert.equal(r.error, undefined, `could not run setpriv: ${r.error?.message}`);
  assert.equal(r.status, 0, r.stderr);
  const out = JSON.parse(r.stdout.trim().split('\n').pop()!) as { target: { kind: string; owner?: number; ownUndumpable?: boolean }; statusReads: number };
  assert.equal(out.target.kind, 'unreadable');
  assert.equal(out.target.owner, 0);
  assert.equal(out.target.ownUndumpable, false);
  assert.equal(out.statusReads, 1, 'the status text is read once for the zombie check and the owner');
});
