// A /proc/PID/fd that can be listed but whose links cannot be read (EACCES on readlink): as root here, PID 1
// of this sandbox is such a process, and so is one a security module guards. readFdLinks took every failed
// readlink for an fd closed meanwhile, so the process counted as read with no sockets: attribution said it
// was complete, and the monitor showed its listener as '?' with "owners not found ... another PID namespace
// or kernel sockets". A denied readlink now fails the read as a denied listing does (EACCES: the process is
// hidden, and attribution incomplete). Simulated as nobody on a directory of mode 0444 (listable, not searchable).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { NOBODY, nobodySkip } from '../helpers/unprivileged.js';

test('a listable fd directory whose links cannot be read is a denied read (EACCES), not an empty fd table', { skip: nobodySkip }, (t) => {
  const root = mkdtempSync(join(tmpdir(), 'sockscope-fddenied-'));
  chmodSync(root, 0o755);
  t.after(() => rmSync(root, { recursive: true, force: true }));
  const dir = join(root, 'fd');
  mkdirSync(dir);
  symlinkSync('socket:[4242]', join(dir, '0'));
  symlinkSync('/dev/null', join(dir, '1'));
  chmodSync(dir, 0o444);
  const script = fileURLToPath(new URL('./fd-links-denied.fixture.mts', import.meta.url));
  const r = spawnSync('setpriv', [...NOBODY, process.execPath, '--import', 'tsx', script, dir], { encoding: 'utf8', timeout: 30_000, cwd: fileURLToPath(new URL('../..', import.meta.url)) });
  assert.equal(r.status, 0, r.stderr);
  assert.deepEqual(JSON.parse(r.stdout), { listed: { code: 'EACCES' }, counted: { code: 'EACCES' } });
  // Searchable again: the same directory reads as its links.
  chmodSync(dir, 0o555);
  const ok = spawnSync('setpriv', [...NOBODY, process.execPath, '--import', 'tsx', script, dir], { encoding: 'utf8', timeout: 30_000, cwd: fileURLToPath(new URL('../..', import.meta.url)) });
  assert.equal(ok.status, 0, ok.stderr);
  assert.deepEqual(JSON.parse(ok.stdout).listed, { fds: [[0, 4242], [1, 0]] });
});
