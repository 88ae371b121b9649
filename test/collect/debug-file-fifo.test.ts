// SOCKET_DEBUG_FILE naming a FIFO (review s22): the start-up check passed it (access(2) W_OK), then the first
// logged OS call's appendFileSync blocked in open() until a reader came: every collecting command and the monitor
// hung, and Ctrl-C, SIGTERM and q did nothing (the main thread was in open()). `SOCKET_DEBUG=true
// SOCKET_DEBUG_FILE=fifo timeout -s INT -k 5 3 sockscope analyze-states` ended 137. The log is now opened
// O_NONBLOCK: a FIFO with no reader is exit 2 at once naming it; one with a reader takes every line (kept open,
// so its reader does not see end-of-file after the first); a socket or block device is refused naming what it
// is; and a library call that logs to a FIFO whose reader is gone never waits either.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const CLI = resolve('dist/cli.js');

function withDir<T>(fn: (dir: string) => T): T {
  const dir = mkdtempSync(join(tmpdir(), 'sockscope-debugfifo-'));
  try {
    return fn(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function fifo(dir: string): string {
  const path = join(dir, 'dbg.fifo');
  assert.equal(spawnSync('mkfifo', [path]).status, 0);
  return path;
}

/** Runs the CLI, killed after 10 s: a blocked open() shows as a signal, not a hung test. */
function run(args: string[], file: string) {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', timeout: 10_000, killSignal: 'SIGKILL', env: { PATH: process.env.PATH ?? '', HOME: tmpdir(), SOCKET_DEBUG: 'true', SOCKET_DEBUG_FILE: file } });
  assert.equal(r.signal, null, `${args.join(' ')}: blocked (killed after 10 s)`);
  return r;
}

for (const args of [['analyze-states'], ['analyze', '--port', '47001', '--json'], ['--json'], ['buffers', '--port', '47001', '--rtt', '1ms', '--bandwidth', '1Gbit'], ['errno', '104']]) {
  test(`FIFO without a reader, sockscope ${args.join(' ')}: exit 2 at once, one line naming SOCKET_DEBUG_FILE and the FIFO`, () =>
    withDir((dir) => {
      const path = fifo(dir);
      const r = run(args, path);
      assert.equal(r.status, 2, r.stderr);
      assert.equal(r.stdout, '');
      assert.equal(r.stderr, `sockscope: SOCKET_DEBUG_FILE: cannot write the debug log to ${path} (ENXIO: no such device or address: a FIFO with no reader)\n`);
    }));
}

test('FIFO with a reader: the reader gets every line (one open for the run, not end-of-file after the first)', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sockscope-debugfifo-'));
  try {
    const path = fifo(dir);
    const reader = spawn('cat', [path], { stdio: ['ignore', 'pipe', 'inherit'] });
    let got = '';
    reader.stdout.on('data', (d) => (got += d));
    const ended = new Promise((done) => reader.on('close', done));
    // cat opens the FIFO for reading once it runs: wait until a non-blocking writer finds it there.
    const deadline = Date.now() + 5000;
    let r = run(['analyze-states', '--json'], path);
    while (r.status === 2 && /no reader/.test(r.stderr) && Date.now() < deadline) {
      await new Promise((t) => setTimeout(t, 50));
      r = run(['analyze-states', '--json'], path);
    }
    assert.equal(r.status, 0, r.stderr);
    JSON.parse(r.stdout);
    await ended; // the CLI's exit closed the only writer
    const lines = got.split('\n').filter((l) => l !== '');
    assert.ok(lines.length > 3, `the reader got ${lines.length} lines`);
    for (const l of lines) assert.match(l, /^\[sockscope \S+\] \w+ /);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a UNIX socket is refused naming what it is (exit 2), without waiting', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sockscope-debugfifo-'));
  const server = createServer();
  try {
    const path = join(dir, 'sock');
    await new Promise<void>((done) => server.listen(path, done));
    const r = run(['analyze-states'], path);
    assert.equal(r.status, 2, r.stderr);
    assert.equal(r.stderr, `sockscope: SOCKET_DEBUG_FILE: cannot write the debug log to ${path} (it is a socket; a regular file, a FIFO or a character device takes the log)\n`);
  } finally {
    server.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a library caller (no start-up check) logging to a FIFO without a reader: logOsCall returns, logging stops', () =>
  withDir((dir) => {
    const path = fifo(dir);
    const code = `const d = await import(${JSON.stringify(resolve('src/collect/debug.ts'))});
      d.logOsCall('read', '/proc/x', 1, 10);
      d.logOsCall('read', '/proc/y', 1, 10);
      console.log(JSON.stringify(d.debugLogProblem()));`;
    const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', code], { encoding: 'utf8', timeout: 20_000, killSignal: 'SIGKILL', env: { ...process.env, SOCKET_DEBUG: 'true', SOCKET_DEBUG_FILE: path } });
    assert.equal(r.signal, null, 'logOsCall blocked in open()');
    assert.equal(r.status, 0, r.stderr);
    assert.match(JSON.parse(r.stdout.trim()), /a FIFO with no reader\); OS-call logging stopped$/);
    // Said once on stderr.
    assert.equal(r.stderr.split('\n').filter((l) => l.includes('SOCKET_DEBUG_FILE')).length, 1, r.stderr);
  }));
