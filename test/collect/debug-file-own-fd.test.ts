// SOCKET_DEBUG_FILE=/dev/stderr when stderr is a UNIX socket (review s22, regression of d29507d8): Node's piped
// stdio gives a child socketpairs, as systemd gives a service the journal's socket; open() of /dev/stderr then
// fails (ENXIO) and the start-up check refused it: exit 2, "it is a socket", where before d29507d8 it ran. A path
// naming one of the process's own descriptors (/dev/stderr, /dev/fd/N, /proc/self/fd/N, /proc/<pid>/fd/N) is now
// written through that descriptor, never opened; a named UNIX socket on disk is still refused
// (debug-file-fifo.test.ts), and a descriptor that is not open is exit 2 naming it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { resolve } from 'node:path';

const CLI = resolve('dist/cli.js');
const env = (file: string) => ({ PATH: process.env.PATH ?? '', HOME: tmpdir(), SOCKET_DEBUG: 'true', SOCKET_DEBUG_FILE: file });

function logLines(stderr: string): string[] {
  return stderr.split('\n').filter((l) => /^\[sockscope \S+\] \w+ /.test(l));
}

for (const file of ['/dev/stderr', '/dev/fd/2', '/proc/self/fd/2']) {
  test(`SOCKET_DEBUG_FILE=${file} with stderr a socketpair (Node's piped stdio): exit 0, the lines on stderr`, () => {
    const r = spawnSync(process.execPath, [CLI, 'analyze-states', '--json'], { encoding: 'utf8', timeout: 20_000, env: env(file) });
    // The parent's end is a socket: what the child's fd 2 is.
    assert.equal(r.status, 0, r.stderr);
    JSON.parse(r.stdout);
    assert.ok(logLines(r.stderr).length > 3, r.stderr);
    assert.doesNotMatch(r.stderr, /cannot write/);
  });
}

test("SOCKET_DEBUG_FILE=/proc/<its own pid>/fd/2: exit 0, the lines on stderr", () => {
  const r = spawnSync('sh', ['-c', 'SOCKET_DEBUG_FILE=/proc/$$/fd/2 exec "$0" "$1" analyze-states --json', process.execPath, CLI], { encoding: 'utf8', timeout: 20_000, env: env('') });
  assert.equal(r.status, 0, r.stderr);
  JSON.parse(r.stdout);
  assert.ok(logLines(r.stderr).length > 3, r.stderr);
});

test('SOCKET_DEBUG_FILE=/dev/fd/N of a descriptor it does not have: exit 2 naming it (EBADF)', () => {
  const r = spawnSync(process.execPath, [CLI, 'analyze-states', '--json'], { encoding: 'utf8', timeout: 20_000, env: env('/dev/fd/47') });
  assert.equal(r.status, 2, r.stderr);
  assert.equal(r.stdout, '');
  assert.match(r.stderr, /^sockscope: SOCKET_DEBUG_FILE: cannot write the debug log to \/dev\/fd\/47 \(EBADF: bad file descriptor\)\n$/);
});

test('SOCKET_DEBUG_FILE=/dev/fd/N open read-only (stdin from a file): exit 2 (EBADF), nothing run', () => {
  const r = spawnSync('sh', ['-c', 'exec "$0" "$1" analyze-states --json < /etc/hostname', process.execPath, CLI], { encoding: 'utf8', timeout: 20_000, env: env('/dev/fd/0') });
  assert.equal(r.status, 2, r.stderr);
  assert.match(r.stderr, /^sockscope: SOCKET_DEBUG_FILE: cannot write the debug log to \/dev\/fd\/0 \(EBADF: bad file descriptor\)\n$/);
});
