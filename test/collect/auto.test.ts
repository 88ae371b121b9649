// Auto mode: the first collector that works wins, failures are recorded in sourceNote and SOCKET_DEBUG.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createSource, registerSource, sourceNames } from '../../src/collect/index.js';
import { CollectorError, type SocketSource } from '../../src/collect/source.js';

const BIN = new URL('../../bin/sockscope', import.meta.url).pathname;

test('auto falls back past a failing collector and says why', async () => {
  const failing: SocketSource = {
    name: 'netstat',
    collect: async () => {
      throw new CollectorError('netstat', 'not installed (command not found)');
    },
  };
  // Each test file runs in its own process, so the fake stays inside this file.
  registerSource('netstat', () => failing, true);
  assert.equal(sourceNames()[0], 'netstat');
  const snap = await createSource('auto').collect({ protocols: ['tcp'] });
  assert.notEqual(snap.source, 'netstat');
  assert.match(snap.sourceNote ?? '', /netstat: not installed/);
});

test('a forced collector that fails is a runtime error (exit 1) naming the tool', () => {
  // node runs the launcher directly so that only ss is missing from PATH
  const r2 = spawnSync(process.execPath, [BIN, 'analyze-states', '--source', 'ss'], { encoding: 'utf8', env: { ...process.env, PATH: '/nonexistent' } });
  assert.equal(r2.status, 1, r2.stderr);
  assert.match(r2.stderr, /^sockscope: .*ss.*not installed/m);
});

test('SOCKET_DEBUG=true logs each OS call with duration and size; SOCKET_DEBUG_FILE redirects it', () => {
  const r = spawnSync(BIN, ['analyze-states', '--source', 'ss'], { encoding: 'utf8', env: { ...process.env, SOCKET_DEBUG: 'true' } });
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stderr, /exec ss -tanOHe.* \d+\.\dms \d+B exit=0/);
  assert.match(r.stderr, /read \/proc\/net\/netstat \d+\.\dms \d+B/);
  const dir = mkdtempSync(join(tmpdir(), 'sockscope-debug-'));
  const file = join(dir, 'debug.log');
  const f = spawnSync(BIN, ['analyze-states', '--source', 'ss'], { encoding: 'utf8', env: { ...process.env, SOCKET_DEBUG: 'true', SOCKET_DEBUG_FILE: file } });
  assert.equal(f.status, 0);
  assert.doesNotMatch(f.stderr, /exec ss/);
  assert.match(readFileSync(file, 'utf8'), /exec ss -tanOHe/);
});
