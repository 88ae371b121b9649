// The errno Node.js line gives err.errno on each platform where libuv names the error. It left macOS out whenever
// macOS's number is Linux's ("err.errno Linux -32, Windows -4047" for EPIPE); it now says "Linux/macOS -32". Through
// the built CLI.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';

const nodeLine = (code: string): string => {
  const r = spawnSync('bin/sockscope', ['errno', code], { encoding: 'utf8', timeout: 20_000, env: { ...process.env, NO_COLOR: '1' } });
  assert.equal(r.status, 0, r.stderr);
  const line = r.stdout.replace(/\n {12}/g, ' ').split('\n').find((l) => l.startsWith('  Node.js'));
  assert.ok(line, r.stdout);
  return line;
};

test('errno: the Node.js line names macOS with Linux where the numbers are the same, apart where they differ', () => {
  assert.match(nodeLine('EPIPE'), /; err\.errno Linux\/macOS -32, Windows -4047$/);
  assert.match(nodeLine('EACCES'), /; err\.errno Linux\/macOS -13, Windows -4092$/);
  assert.match(nodeLine('ECONNRESET'), /; err\.errno Linux -104, macOS -54, Windows -4077$/);
});
