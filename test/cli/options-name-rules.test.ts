// `sockscope options NAME` refuses a NAME it cannot look up as bad input (exit 2), in one line that names the
// argument and the rule: a NAME over 64 characters printed zod's "option name: Too big: expected string to have <=64
// characters" and exited 1; an empty or blank NAME is refused, not read as "no NAME" (which lists every option).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';

const run = (...args: string[]) => spawnSync('bin/sockscope', args, { encoding: 'utf8', timeout: 20_000 });

test('a NAME over 64 characters: exit 2, naming NAME and the limit, not a validation message', () => {
  for (const args of [['A'.repeat(65)], ['A'.repeat(65), '--json'], [`  ${'so_'.repeat(40)}  `], ['x'.repeat(100_000)]]) {
    const r = run('options', ...args);
    assert.equal(r.status, 2, r.stderr);
    assert.equal(r.stdout, '');
    const n = args[0].trim().length;
    assert.match(r.stderr, new RegExp(`^sockscope: NAME: option name too long: ${n} characters, at most 64 \\(every option name is shorter\\); got "[^"]{32}…"\\n$`), r.stderr);
    assert.doesNotMatch(r.stderr, /Too big|expected string/);
  }
  // Characters outside the BMP: counted as characters, with the UTF-16 units the limit counts.
  const emoji = run('options', '😀'.repeat(40));
  assert.equal(emoji.status, 2, emoji.stderr);
  assert.match(emoji.stderr, /^sockscope: NAME: option name too long: 40 characters \(80 UTF-16 units\), at most 64 /, emoji.stderr);
  // 64 characters is within the rule: looked up, and unknown (exit 2, the usual message).
  const r = run('options', 'A'.repeat(64));
  assert.equal(r.status, 2, r.stderr);
  assert.match(r.stderr, /^sockscope: unknown socket option 'A{64}'/);
});

test('an empty or blank NAME is refused (exit 2), and no NAME still lists every option', () => {
  for (const name of ['', ' ', '\t']) {
    for (const extra of [[], ['--json']]) {
      const r = run('options', name, ...extra);
      assert.equal(r.status, 2, `${JSON.stringify(name)} ${extra.join(' ')}: ${r.stdout.slice(0, 200)}`);
      assert.equal(r.stdout, '');
      assert.match(r.stderr, /^sockscope: NAME: empty option name; give one such as SO_REUSEADDR, or no NAME for the list\n$/);
    }
  }
  const all = run('options');
  assert.equal(all.status, 0, all.stderr);
  assert.match(all.stdout, /40 options/);
});

test('a NAME after -- that starts with a dash is looked up as given (unknown, exit 2), not called empty', () => {
  // yargs re-parsed the positional as `--name -SO_RCVBUF`, read the word as a flag and left NAME ''.
  for (const [name, hint] of [['-SO_RCVBUF', '; did you mean SO_RCVBUF?'], ['-x', '; run `sockscope options` for the list'], ['--x', '; run `sockscope options` for the list']]) {
    for (const extra of [[], ['--json']]) {
      const r = run('options', ...extra, '--', name);
      assert.equal(r.status, 2, r.stderr);
      assert.equal(r.stdout, '');
      assert.equal(r.stderr, `sockscope: unknown socket option '${name}'${hint}\n`);
    }
  }
  // A known name after -- is found as usual.
  const ok = run('options', '--', 'SO_RCVBUF');
  assert.equal(ok.status, 0, ok.stderr);
  assert.match(ok.stdout, /^SO_RCVBUF: /);
});
