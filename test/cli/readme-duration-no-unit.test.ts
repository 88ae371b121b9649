// README quoted `--interval 60 has no unit: give one, 60s or 60ms (also m, h)` where `sockscope --interval 60` and
// `sockscope export --interval 60` print `... give one, 60s (also m, h)`: 60 ms is under the interval's 100 ms, and
// only readings the flag takes are offered (duration.ts). Every "has no unit" message the README quotes is what
// the built CLI prints for that flag, in each command that has it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

const readme = readFileSync('README.md', 'utf8');

// The commands each quoted flag is checked in.
const COMMANDS: Record<string, string[][]> = {
  interval: [[], ['export']],
  timeout: [['try', 'connect', '127.0.0.1:1'], ['debug-connections', '--address', '127.0.0.1:1']],
  'sample-interval': [['analyze', '--port', '80', '--samples', '2']],
};

test('the "has no unit" messages README quotes are the CLI\'s', { timeout: 60_000 }, () => {
  const quotes = [...readme.matchAll(/`--([a-z-]+) (\S+) has no unit: ([^`]*)`/g)];
  assert.ok(quotes.length > 0, 'README quotes one');
  for (const [quote, flag, value] of quotes) {
    const commands = COMMANDS[flag];
    assert.ok(commands, `a command for --${flag}`);
    for (const words of commands) {
      const args = [...words, `--${flag}`, value];
      const r = spawnSync('bin/sockscope', args, { encoding: 'utf8', timeout: 20_000, input: '', env: { ...process.env, NO_COLOR: '1' } });
      assert.equal(r.status, 2, `${args.join(' ')}: ${r.stderr}`);
      assert.equal(r.stderr, `sockscope: ${quote.slice(1, -1)}\n`, `sockscope ${args.join(' ')}`);
    }
  }
});
