// A long flag typed with one dash (left out in s22, done s23): `try connect H:P -host x` was read by yargs as short
// flags -h -o -s -t, and -h printed the help with exit 0, the command not run; `analyze -port 80` said "Unknown
// arguments: -p, -o, -r, -t"; `errno -json 104` said "errno needs a CODE" (-n took 104 as its value) or advised
// `sockscope errno json 104`. Now each is exit 2 naming the two-dash flag. The built CLI, one line.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SHORT_FLAGS } from '../../src/cli/flag-guards.js';

const BIN = new URL('../../bin/sockscope', import.meta.url).pathname;
const SRC = new URL('../../src/', import.meta.url).pathname;
const run = (args: string[]) => spawnSync(BIN, args, { encoding: 'utf8', timeout: 30_000, env: { ...process.env, NO_COLOR: '1' } });

test('a long flag with one dash that holds an h: exit 2 naming it, not the help with exit 0', () => {
  for (const [args, word, shown] of [
    [['try', 'connect', '127.0.0.1:9', '-host', 'x'], '-host', '-h, -o, -s, ...'],
    [['-help'], '-help', '-h, -e, -l, ...'],
    [['analyze', '-ssh-config', 'x'], '-ssh-config', '-s, -s, -h, ...'],
    [['errno', '104', '-hx'], '-hx', '-h, -x'],
  ] as const) {
    const r = run([...args]);
    assert.equal(r.stdout, '', args.join(' '));
    assert.equal(r.stderr, `sockscope: ${word} was read as short flags (${shown}), and -h would only show the help: a long flag takes two dashes (-${word})\n`, args.join(' '));
    assert.equal(r.status, 2, args.join(' '));
  }
});

test('the command\'s own flag with one dash: did you mean the two-dash flag, wherever the word is', () => {
  for (const [args, word, flag] of [
    [['analyze', '-port', '80'], '-port', '--port'],
    [['analyze', '-port', '80', '--json'], '-port', '--port'],
    [['errno', '-json', '104'], '-json', '--json'],
    [['errno', '104', '-json'], '-json', '--json'],
    [['options', '-json'], '-json', '--json'],
  ] as const) {
    const r = run([...args]);
    assert.equal(r.stderr, `sockscope: Unknown argument: ${word} (did you mean ${flag}?)\n`, args.join(' '));
    assert.equal(r.status, 2, args.join(' '));
  }
});

test('what stays as it was: real short flags, dashed codes, unknown letters, a flag value after --flag', () => {
  assert.equal(run(['errno', '-h']).status, 0);
  const both = run(['task', '-ho']); // -h and -o both exist: the help
  assert.equal(both.status, 0);
  assert.match(both.stdout, /sockscope task <input>/);
  assert.equal(run(['errno', '-ECONNRESET']).stderr, 'sockscope: -ECONNRESET was read as short flags (-E, -C, -O, ...): give it without the dash (sockscope errno ECONNRESET)\n');
  assert.equal(run(['analyze', '-xq']).stderr, 'sockscope: Unknown arguments: -x, -q\n');
});

test('SHORT_FLAGS is every one-letter alias the command line declares', () => {
  const found = new Set<string>();
  const walk = (dir: string): void => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const p = join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (p.endsWith('.ts')) for (const m of readFileSync(p, 'utf8').matchAll(/alias: *\[?'([A-Za-z])'|\.alias\('([A-Za-z])'/g)) found.add(m[1] ?? m[2]);
    }
  };
  walk(join(SRC, 'cli'));
  assert.deepEqual([...found].sort(), [...SHORT_FLAGS].sort());
});
