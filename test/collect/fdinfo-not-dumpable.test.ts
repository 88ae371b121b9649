// readFdInfo's reason when /proc/PID/fdinfo/FD is refused: a non-dumpable process of the caller's own uid hands its
// /proc entries to root, so "readable only by root or the owner of pid N" would tell its owner something false.
// The monitor's socket view reads fdinfo through readFdInfo directly, so the sentence must be right at the source.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { ROOT } from './getsockopt-helpers.js';
import { requireSetpriv, startSocketHolder } from '../helpers/socket-holder.js';

const UID = 64714;

/** readFdInfo run as `uid` (setpriv) in a child node with tsx. */
function readFdInfoAs(uid: number, pid: number, fd: number): { missing?: string; info?: unknown } {
  const code = `import('${ROOT}src/collect/fdinfo.ts').then((m) => m.readFdInfo(${pid}, ${fd})).then((r) => process.stdout.write(JSON.stringify(r)))`;
  const r = spawnSync('setpriv', [`--reuid=${uid}`, `--regid=${uid}`, '--clear-groups', '--', process.execPath, '--import', 'tsx', '-e', code], { cwd: ROOT, encoding: 'utf8', timeout: 30_000 });
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout);
}

test('fdinfo of a non-dumpable process of the same uid: refused because it is not dumpable, not "only root or the owner" (real process)', { timeout: 60_000 }, async (t) => {
  assert.equal(process.getuid?.(), 0, 'this test runs processes as another uid with setpriv and must run as root (as the CI does)');
  requireSetpriv();
  const own = await startSocketHolder({ uid: UID, undumpable: true });
  t.after(() => own.stop());
  const r = readFdInfoAs(UID, own.pid, own.listenFd);
  assert.equal(r.info, undefined);
  assert.equal(r.missing, `not permitted: pid ${own.pid} is yours (uid ${UID}) but not dumpable, so /proc/${own.pid}/fdinfo/${own.listenFd} is readable only by root (CAP_SYS_PTRACE)`);

  // Another user's process: the old sentence stands.
  const other = await startSocketHolder({ uid: UID + 1 });
  t.after(() => other.stop());
  assert.equal(readFdInfoAs(UID, other.pid, other.listenFd).missing, `not permitted: /proc/${other.pid}/fdinfo/${other.listenFd} is readable only by root or the owner of pid ${other.pid}`);
  // Its own dumpable process: read.
  const mine = await startSocketHolder({ uid: UID });
  t.after(() => mine.stop());
  assert.ok(readFdInfoAs(UID, mine.pid, mine.listenFd).info);
});
