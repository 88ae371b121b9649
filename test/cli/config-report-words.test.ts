// `sockscope config` through the built CLI: what it says of a rebound quit (the keys the monitor binds) and of a
// file with several YAML documents (words for a user, not the YAML library's API).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const CLI = resolve('dist/cli.js');

function scratch() {
  const root = mkdtempSync(join(tmpdir(), 'sockscope-cfgwords-'));
  const home = join(root, 'home');
  const cwd = join(root, 'project');
  mkdirSync(home);
  mkdirSync(cwd);
  return { root, home, cwd, done: () => rmSync(root, { recursive: true, force: true }) };
}

const run = (cwd: string, home: string, ...args: string[]) =>
  spawnSync(process.execPath, [CLI, ...args], { cwd, encoding: 'utf8', timeout: 20_000, env: { PATH: process.env.PATH ?? '', HOME: home } });

test('config shows a rebound quit with Ctrl-C, which it keeps in the monitor (text and --json)', { timeout: 60_000 }, () => {
  const s = scratch();
  try {
    writeFileSync(join(s.cwd, 'sockscope.yaml'), 'keymap:\n  quit: [Q]\n  pause: [P, space]\n');
    const text = run(s.cwd, s.home, 'config');
    assert.equal(text.status, 0, text.stderr);
    assert.match(text.stdout, /\n {2}quit\s+Q ctrl\+c\s+project file /);
    assert.match(text.stdout, /\n {2}pause\s+P space\s+project file /);
    const doc = JSON.parse(run(s.cwd, s.home, 'config', '--json').stdout);
    const quit = doc.keymap.find((k: { command: string }) => k.command === 'quit');
    assert.deepEqual(quit.keys, ['Q', 'ctrl+c']);
    assert.deepEqual(doc.keymap.find((k: { command: string }) => k.command === 'pause').keys, ['P', 'space']);
  } finally {
    s.done();
  }
});

test('a config file with several YAML documents: exit 2 saying a config file holds one, at the second', { timeout: 60_000 }, () => {
  const s = scratch();
  try {
    const file = join(s.cwd, 'sockscope.yaml');
    writeFileSync(file, 'bufferSize: 4096\n---\nintervalMs: 2000\n');
    const r = run(s.cwd, s.home, 'config');
    assert.equal(r.status, 2);
    assert.equal(r.stderr, `sockscope: ${file}:2:1: invalid YAML: a config file holds one YAML document; a second one starts here\n`);
  } finally {
    s.done();
  }
});
