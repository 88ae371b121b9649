// Processes whose fds a non-root user cannot read, as the attributor (analyze, the monitor) and the /proc/*/fd
// walk of inspect-options and `try` count and word them: the same count, kernel threads and exited processes
// left out, and the user's own undumpable processes said to be theirs. Real processes, run through setpriv.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { hiddenNote } from '../../src/collect/proc-pid.js';
import { inodeOf, requireSetpriv, startSocketHolder } from '../helpers/socket-holder.js';

// A uid of its own: other tests run processes as nobody (65534), and an undumpable process of the uid
// the walk runs as changes the wording their checks expect.
const UID = 61234;

interface Info {
  hiddenProcesses: number;
  complete: boolean;
  note?: string;
}
interface Result {
  before: Info;
  after: Info;
  walk: { holders: { pid: number }[]; hidden: number; ownUndumpable: number; hiddenNote?: string };
  kind?: string;
}

function runAsNobody(inode: number, pid: number): Result {
  requireSetpriv();
  const script = fileURLToPath(new URL('./hidden-processes.fixture.mts', import.meta.url));
  const r = spawnSync('setpriv', [`--reuid=${UID}`, `--regid=${UID}`, '--clear-groups', '--', process.execPath, '--import', 'tsx', script, String(inode), String(pid)], {
    encoding: 'utf8',
    timeout: 60_000,
    cwd: fileURLToPath(new URL('../..', import.meta.url)),
  });
  assert.equal(r.error, undefined, `could not run setpriv: ${r.error?.message}`);
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout.trim().split('\n').pop()!);
}

test('the /proc/*/fd walk of inspect-options and try counts hidden processes as analyze does (no kernel threads)', { timeout: 90_000 }, () => {
  assert.equal(process.getuid?.(), 0, 'needs root, to run the walk as another uid that cannot read root\'s processes');
  const r = runAsNobody(0, 0);
  assert.ok(r.before.hiddenProcesses > 0, 'root\'s processes are hidden from this uid');
  // The walk counted every unreadable pid, kernel threads included (130 where analyze said 64).
  const lo = Math.min(r.before.hiddenProcesses, r.after.hiddenProcesses);
  const hi = Math.max(r.before.hiddenProcesses, r.after.hiddenProcesses);
  assert.ok(r.walk.hidden >= lo && r.walk.hidden <= hi, `walk: ${r.walk.hidden} hidden, attributor passes around it: ${r.before.hiddenProcesses} and ${r.after.hiddenProcesses}`);
  assert.equal(r.walk.ownUndumpable, 0);
  assert.equal(r.walk.hiddenNote, hiddenNote({ otherUsers: r.walk.hidden, ownUndumpable: 0 }, UID), 'the walk words it as the attributor');
  assert.match(r.walk.hiddenNote!, /processes? of other users (is|are) hidden: run as root to see them/);
});

test('a process of this user that is not dumpable is said to be theirs, not another user\'s', { timeout: 90_000 }, async (t) => {
  assert.equal(process.getuid?.(), 0, 'needs root, to start processes as another uid');
  const h = await startSocketHolder({ uid: UID, undumpable: true });
  t.after(() => h.stop());
  const r = runAsNobody(inodeOf(h.pid, h.listenFd), h.pid);
  assert.equal(r.kind, 'own-undumpable');
  // The walk cannot read it (its /proc/PID/fd belongs to root), so nobody holds the socket; but it says why.
  assert.deepEqual(r.walk.holders, []);
  assert.ok(r.walk.ownUndumpable >= 1, `own undumpable processes: ${r.walk.ownUndumpable}`);
  assert.match(r.walk.hiddenNote!, /processes of other users are hidden and (a process|\d+ processes) of yours (is|are) not dumpable \(prctl PR_SET_DUMPABLE or setuid\): run as root to see them/);
  // The attributor: not counted among other users' processes, and named in the note.
  for (const info of [r.before, r.after]) {
    assert.equal(info.complete, false);
    assert.match(info.note!, /of yours (is|are) not dumpable \(prctl PR_SET_DUMPABLE or setuid\)/);
  }
  const lo = Math.min(r.before.hiddenProcesses, r.after.hiddenProcesses);
  const hi = Math.max(r.before.hiddenProcesses, r.after.hiddenProcesses);
  assert.ok(r.walk.hidden >= lo && r.walk.hidden <= hi, `walk: ${r.walk.hidden} other users' processes, attributor: ${r.before.hiddenProcesses} and ${r.after.hiddenProcesses}`);
});

test('hiddenNote: other users\' processes, own undumpable ones, both, none', () => {
  assert.equal(hiddenNote({ otherUsers: 0, ownUndumpable: 0 }, 1000), undefined);
  assert.equal(hiddenNote({ otherUsers: 1, ownUndumpable: 0 }, 1000), '1 process of other users is hidden: run as root to see them');
  assert.equal(hiddenNote({ otherUsers: 64, ownUndumpable: 0 }, 0), '64 processes of other users are hidden (their /proc/PID/fd could not be read)');
  assert.equal(hiddenNote({ otherUsers: 0, ownUndumpable: 1 }, 1000), 'a process of yours is not dumpable (prctl PR_SET_DUMPABLE or setuid): only root can read its fds');
  assert.equal(hiddenNote({ otherUsers: 0, ownUndumpable: 2 }, 1000), '2 processes of yours are not dumpable (prctl PR_SET_DUMPABLE or setuid): only root can read their fds');
  assert.equal(hiddenNote({ otherUsers: 3, ownUndumpable: 1 }, 1000), '3 processes of other users are hidden and a process of yours is not dumpable (prctl PR_SET_DUMPABLE or setuid): run as root to see them');
});

test("inspect-options --pid on the user's own undumpable process says so (not the general ptrace wording)", { timeout: 60_000 }, async (t) => {
  assert.equal(process.getuid?.(), 0, 'needs root, to run processes as another uid');
  const { sockscope } = await import('./getsockopt-helpers.js');
  const h = await startSocketHolder({ uid: UID, undumpable: true });
  t.after(() => h.stop());
  const r = sockscope(['inspect-options', '--pid', String(h.pid), '--socket-fd', String(h.listenFd), '--json'], { uid: UID });
  assert.equal(r.status, 0, r.stderr);
  const doc = JSON.parse(r.stdout);
  const why = JSON.stringify(doc);
  assert.match(why, new RegExp(`pid ${h.pid} is yours \\(uid ${UID}\\) but not dumpable`), why.slice(0, 2000));
  assert.doesNotMatch(why, /may not ptrace pid/);
});
