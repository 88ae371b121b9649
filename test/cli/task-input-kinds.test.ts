// What `sockscope task INPUT` reads: a regular file, stdin ('-', a pipe or a file), a FIFO or a process
// substitution, each up to TASK_INPUT_MAX_BYTES (16 MiB); a character device such as /dev/zero (read without
// limit before: 6.5 GB of memory), a block device or a socket is refused at once, and input past the limit is
// refused when the limit is reached (unreadable-input, exit 2), whatever kind of file it comes from.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync, truncateSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readTaskFile, TASK_INPUT_MAX_BYTES } from '../../src/api/task-input.js';
import { InvalidInputError } from '../../src/api/errors.js';

const BIN = new URL('../../bin/sockscope', import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), 'sockscope-task-input-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const TASK = '{"operation": "errno", "code": "ECONNRESET"}';

/** Runs a shell line (bash: process substitution) with BIN set; timed. */
const sh = (line: string) => {
  const t0 = Date.now();
  const r = spawnSync('bash', ['-c', line], { encoding: 'utf8', timeout: 60_000, env: { ...process.env, BIN } });
  return { ...r, ms: Date.now() - t0 };
};
const failed = (r: { status: number | null; stdout: string; stderr: string }) => {
  assert.equal(r.status, 2, r.stderr + r.stdout.slice(0, 500));
  const doc = JSON.parse(r.stdout);
  assert.equal(doc.ok, false);
  assert.equal(doc.error.code, 'unreadable-input');
  return doc.error.message as string;
};
const ok = (r: { status: number | null; stdout: string; stderr: string }) => {
  assert.equal(r.status, 0, r.stderr + r.stdout.slice(0, 500));
  assert.equal(JSON.parse(r.stdout).result.matches[0].name, 'ECONNRESET');
};

test('task /dev/zero: refused at once as a character device, exit 2', () => {
  const r = sh('ulimit -v 2000000; "$BIN" task /dev/zero'); // 2 GB of address space: reading it whole fails, not the host
  assert.match(failed(r), /^cannot read \/dev\/zero: it is a character device/);
  assert.ok(r.ms < 5000, `${r.ms} ms`);
});

test('readTaskFile: a character device and a socket are refused before reading', async () => {
  assert.throws(() => readTaskFile('/dev/zero'), (e) => e instanceof InvalidInputError && e.code === 'unreadable-input' && /character device/.test(e.message));
  const path = join(dir, 'sock');
  const srv = createServer().listen(path);
  await new Promise((r) => srv.once('listening', r));
  try {
    assert.throws(() => readTaskFile(path), (e) => e instanceof InvalidInputError && e.code === 'unreadable-input' && /it is a socket/.test(e.message));
  } finally {
    srv.close();
  }
});

test('a FIFO, a process substitution and a stdin pipe are read', () => {
  const fifo = join(dir, 'fifo');
  spawnSync('mkfifo', [fifo]);
  ok(sh(`(printf '%s' '${TASK}' > '${fifo}' &) ; "$BIN" task '${fifo}'`));
  ok(sh(`"$BIN" task <(printf '%s' '${TASK}')`));
  ok(sh(`printf '%s' '${TASK}' | "$BIN" task -`));
  const file = join(dir, 'task.json');
  writeFileSync(file, TASK);
  ok(sh(`"$BIN" task - < '${file}'`));
});

test('input past 16 MiB is refused when the limit is reached: stdin from /dev/zero, a pipe, a FIFO, a process substitution, a regular file', () => {
  assert.equal(TASK_INPUT_MAX_BYTES, 16 * 1024 * 1024);
  const big = join(dir, 'big.json');
  writeFileSync(big, '');
  truncateSync(big, TASK_INPUT_MAX_BYTES + 1);
  const fifo = join(dir, 'fifo2');
  spawnSync('mkfifo', [fifo]);
  for (const line of [
    '"$BIN" task - < /dev/zero',
    'yes | "$BIN" task -',
    '"$BIN" task <(yes)',
    `(yes > '${fifo}' 2>/dev/null &) ; "$BIN" task '${fifo}'`,
    `"$BIN" task '${big}'`,
  ]) {
    // 2 GB of address space: enough for Node and 16 MiB, not for reading without limit.
    const r = sh(`ulimit -v 2000000; ${line}`);
    assert.match(failed(r), /larger than 16 MiB, the limit for a task/, line);
    assert.ok(r.ms < 15000, `${line}: ${r.ms} ms`);
  }
  // Exactly at the limit is read (and is then not JSON).
  truncateSync(big, TASK_INPUT_MAX_BYTES);
  const r = sh(`"$BIN" task '${big}'`);
  assert.equal(r.status, 2);
  assert.equal(JSON.parse(r.stdout).error.code, 'invalid-json');
});
