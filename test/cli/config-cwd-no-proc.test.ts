// The current directory without /proc (a mount namespace of the test's own with an empty tmpfs there): its name
// is not UTF-8 and sockscope.yaml is in it. currentDirectory() read /proc/self/cwd and, without it, fell back to
// process.cwd(), which had turned the byte into U+FFFD: the project file was "not found" (a directory that does
// not exist) and shown with U+FFFD. Its bytes now come from realpath(".") (getcwd). Root and util-linux unshare, as in CI.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const CLI = resolve('dist/cli.js');

test('without /proc, a project file in a directory whose name is not UTF-8 is read and shown \\udcff, not U+FFFD', { timeout: 60_000 }, () => {
  const root = mkdtempSync(join(tmpdir(), 'sockscope-noproc-'));
  try {
    mkdirSync(join(root, 'home'));
    const made = spawnSync('sh', ['-c', 'mkdir "$(printf "bad\\377dir")" && printf "bufferSize: 4096\\n" > "$(printf "bad\\377dir")/sockscope.yaml"'], { cwd: root });
    assert.equal(made.status, 0);
    const r = spawnSync('unshare', ['-m', 'sh', '-c', 'mount -t tmpfs none /proc && [ ! -e /proc/self ] && cd "$(printf "bad\\377dir")" && exec "$@"', 'sh', process.execPath, CLI, 'config', '--json'], {
      cwd: root,
      encoding: 'utf8',
      timeout: 30_000,
      env: { PATH: process.env.PATH ?? '', HOME: join(root, 'home') },
    });
    if (r.error) assert.fail(`unshare (util-linux) is required: ${r.error.message}`);
    assert.equal(r.status, 0, `root is required for the mount namespace: ${r.stderr}`);
    const doc = JSON.parse(r.stdout);
    assert.deepEqual(doc.files[2], { kind: 'project-file', path: `${root}/bad\udcffdir/sockscope.yaml`, found: true });
    assert.equal(doc.config.bufferSize, 4096);
    assert.ok(!r.stdout.includes('\ufffd'), r.stdout);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});
