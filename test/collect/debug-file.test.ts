// SOCKET_DEBUG_FILE that cannot be written (README "SOCKET_DEBUG"): a debug-log problem never breaks a
// command and never prints a stack trace. One that cannot be opened at start-up is bad input: exit 2, one
// line naming SOCKET_DEBUG_FILE and the reason, before any collection. One that fails later (here /dev/full:
// it opens, every write fails with ENOSPC) is said once on stderr, logging stops, the command goes on.
// Before, analyze exited 1 with a Node stack trace from appendFileSync in logOsCall.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const CLI = resolve('dist/cli.js');

function run(args: string[], env: Record<string, string>) {
  const home = mkdtempSync(join(tmpdir(), 'sockscope-debugfile-'));
  try {
    const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', timeout: args[0] === 'errno' ? 10_000 : 60_000, env: { PATH: process.env.PATH ?? '', HOME: home, ...env } });
    assert.equal(r.error, undefined);
    return r;
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
}

for (const [file, reason] of [
  ['/nonexistent/dir/x.log', 'ENOENT: no such file or directory'],
  ['/proc', 'EISDIR: illegal operation on a directory'],
] as const) {
  for (const args of [['analyze', '--port', '47001'], ['analyze', '--port', '47001', '--json'], ['errno', 'ECONNRESET']]) {
    test(`SOCKET_DEBUG_FILE=${file} ${args.join(' ')}: exit 2, one line naming SOCKET_DEBUG_FILE and ${reason.split(':')[0]}`, () => {
      const r = run(args, { SOCKET_DEBUG: 'true', SOCKET_DEBUG_FILE: file });
      assert.equal(r.status, 2, r.stderr);
      assert.equal(r.stdout, '');
      assert.equal(r.stderr, `sockscope: SOCKET_DEBUG_FILE: cannot write the debug log to ${file} (${reason})\n`);
    });
  }
}

test('the check creates nothing and never blocks: a command that logs nothing leaves no file; a FIFO without a reader is refused at once', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sockscope-debugcheck-'));
  try {
    const file = join(dir, 'never.log');
    const r = run(['errno', 'ECONNRESET'], { SOCKET_DEBUG: 'true', SOCKET_DEBUG_FILE: file });
    assert.equal(r.status, 0, r.stderr);
    assert.equal(existsSync(file), false, 'errno made no OS call: no debug file');
    const fifo = join(dir, 'fifo');
    assert.equal(spawnSync('mkfifo', [fifo]).status, 0);
    const f = run(['errno', 'ECONNRESET'], { SOCKET_DEBUG: 'true', SOCKET_DEBUG_FILE: fifo });
    // Refused (exit 2), not opened blocking (review s22: test/collect/debug-file-fifo.test.ts).
    assert.equal(f.status, 2, `opening a FIFO with no reader blocked (status ${f.status}, signal ${f.signal})`);
    assert.match(f.stderr, /a FIFO with no reader/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('SOCKET_DEBUG_FILE unwritable but SOCKET_DEBUG off: not looked at (exit 0)', () => {
  const r = run(['analyze', '--port', '47001', '--json'], { SOCKET_DEBUG: 'false', SOCKET_DEBUG_FILE: '/nonexistent/dir/x.log' });
  assert.equal(r.status, 0, r.stderr);
  assert.equal(JSON.parse(r.stdout).port, 47001);
});

test('SOCKET_DEBUG_FILE=/dev/full (every write fails): the command succeeds, the problem is said once on stderr, no stack', () => {
  const r = run(['analyze', '--port', '47001', '--json'], { SOCKET_DEBUG: 'true', SOCKET_DEBUG_FILE: '/dev/full' });
  assert.equal(r.status, 0, r.stderr);
  assert.equal(JSON.parse(r.stdout).port, 47001);
  const lines = r.stderr.split('\n').filter((l) => l.includes('SOCKET_DEBUG_FILE'));
  assert.deepEqual(lines, ['sockscope: SOCKET_DEBUG_FILE: cannot write the debug log to /dev/full (ENOSPC: no space left on device); OS-call logging stopped']);
  assert.doesNotMatch(r.stderr, /\n\s+at /);
});

test('a writable SOCKET_DEBUG_FILE still gets the OS-call lines', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sockscope-debuglog-'));
  try {
    const file = join(dir, 'x.log');
    const r = run(['analyze', '--port', '47001', '--json'], { SOCKET_DEBUG: 'true', SOCKET_DEBUG_FILE: file });
    assert.equal(r.status, 0, r.stderr);
    assert.match(readFileSync(file, 'utf8'), /^\[sockscope \S+\] \w+ /m);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
