// `sockscope buffers` text names where bufferSize came from (review s25 #3): it printed the config file's path raw, so a
// directory named with terminal escapes (ESC ] 0 ; title BEL, ESC [ 31 m) retitled and recoloured the terminal, and the
// origin as its JSON token (`project-file`) where `sockscope config` says `project file`. A real directory and file.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const BIN = new URL('../../bin/sockscope', import.meta.url).pathname;

test('buffers text: the config path is escaped and the origin worded as config words it; --json keeps the token and the raw path', (t) => {
  const base = mkdtempSync(join(tmpdir(), 'sockscope-buf-origin-'));
  t.after(() => rmSync(base, { recursive: true, force: true }));
  const dir = join(base, 'e\x1b]0;PWN\x07\x1b[31mdir');
  mkdirSync(dir);
  writeFileSync(join(dir, 'sockscope.yaml'), 'bufferSize: 4096\n');
  const run = (...args: string[]) => spawnSync(process.execPath, [BIN, 'buffers', '--bandwidth', '1gbit', '--rtt', '1ms', ...args], { cwd: dir, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
  const text = run();
  assert.equal(text.status, 0, text.stderr);
  assert.doesNotMatch(text.stdout, /[\x00-\x08\x0b-\x1f\x7f]/, 'no control characters in the text');
  const line = text.stdout.split('\n').find((l) => l.startsWith('Generated servers'));
  assert.ok(line, text.stdout);
  assert.match(line, /\(bufferSize 4096, from project file \S*e\\x1b\]0;PWN\\x07\\x1b\[31mdir\/sockscope\.yaml; set/);
  const json = JSON.parse(run('--json').stdout);
  assert.equal(json.defaults.origin, 'project-file');
  assert.equal(json.defaults.detail, join(dir, 'sockscope.yaml'));
});
