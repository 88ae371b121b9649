// `sockscope task` answers a bad config file with its JSON failure document ({ok: false, error: {code:
// 'config-error'}}, exit 2), as README's task contract says: main.ts's root middleware used to load the config
// first and fail with a stderr line, so a caller parsing stdout got nothing (review-api #6). Every other
// command keeps its exit-2 stderr line. Also: the buffers task applies the command line's config
// (DEFAULT_BUFFER_SIZE), now passed in rather than read by the library (review-api #4).
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const BIN = new URL('../../bin/sockscope', import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), 'sockscope-task-config-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function run(cwd: string, args: string[], env: Record<string, string> = {}) {
  const { DEFAULT_BUFFER_SIZE: _d, SOCKET_DEBUG: _s, ...base } = process.env;
  return spawnSync(process.execPath, [BIN, ...args], { cwd, encoding: 'utf8', timeout: 60_000, env: { ...base, NO_COLOR: '1', ...env } });
}

test('a broken ./sockscope.yaml: task prints the config-error document on stdout, exit 2; errno keeps its stderr line', () => {
  const cwd = join(dir, 'broken');
  mkdirSync(cwd);
  writeFileSync(join(cwd, 'sockscope.yaml'), 'thresholds: [\n');
  writeFileSync(join(cwd, 't.json'), '{"operation": "errno", "code": "EPERM"}');
  const r = run(cwd, ['task', 't.json']);
  assert.equal(r.status, 2, r.stderr);
  const doc = JSON.parse(r.stdout);
  assert.equal(doc.ok, false);
  assert.equal(doc.error.code, 'config-error');
  assert.match(doc.error.message, /sockscope\.yaml:2:1: invalid YAML/);
  assert.equal(r.stderr, '');
  const e = run(cwd, ['errno', 'EPERM', '--json']);
  assert.equal(e.status, 2);
  assert.equal(e.stdout, '');
  assert.match(e.stderr, /^sockscope: .*sockscope\.yaml:2:1: invalid YAML/);
});

test('an invalid DEFAULT_BUFFER_SIZE: task gives config-error too', () => {
  const cwd = join(dir, 'env');
  mkdirSync(cwd);
  writeFileSync(join(cwd, 't.json'), '{"operation": "errno", "code": "EPERM"}');
  const r = run(cwd, ['task', 't.json'], { DEFAULT_BUFFER_SIZE: 'lots' });
  assert.equal(r.status, 2, r.stderr);
  const doc = JSON.parse(r.stdout);
  assert.equal(doc.error.code, 'config-error');
  assert.match(doc.error.message, /DEFAULT_BUFFER_SIZE/);
});

test('the buffers task applies the command line config (DEFAULT_BUFFER_SIZE), as buffers --json does', () => {
  const cwd = join(dir, 'buffers');
  mkdirSync(cwd);
  writeFileSync(join(cwd, 't.json'), '{"operation": "buffers", "bandwidth": "1gbit", "rtt": "10ms"}');
  const r = run(cwd, ['task', 't.json'], { DEFAULT_BUFFER_SIZE: '32768' });
  assert.equal(r.status, 0, r.stdout + r.stderr);
  const doc = JSON.parse(r.stdout);
  assert.deepEqual(doc.result.defaults, { bufferSize: 32768, origin: 'env', detail: 'DEFAULT_BUFFER_SIZE' });
  const c = run(cwd, ['buffers', '--bandwidth', '1gbit', '--rtt', '10ms', '--json'], { DEFAULT_BUFFER_SIZE: '32768' });
  assert.equal(c.status, 0, c.stderr);
  assert.deepEqual(JSON.parse(c.stdout).defaults, doc.result.defaults);
});
