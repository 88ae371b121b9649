// A negative duration is refused naming its flag and range, for every duration flag, through the built CLI.
// yargs read `--interval -5s` as the short flags -5 and -s: "sockscope: Unknown arguments: 5, s".
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';

const BIN = new URL('../../bin/sockscope', import.meta.url).pathname;

function run(args: string[]): { status: number | null; stderr: string } {
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', timeout: 20_000, input: '', env: { ...process.env, NO_COLOR: '1' } });
  return { status: r.status, stderr: r.stderr };
}

// [command words before the flag, flag, its range as the message says it]
const FLAGS: [string[], string, string][] = [
  [['export'], 'interval', '100 ms and 86400 s'],
  [['analyze', '--port', '80', '--samples', '2'], 'sample-interval', '100 ms and 600 s'],
  [['analyze-states', '--port', '80', '--samples', '2'], 'sample-interval', '100 ms and 600 s'],
  [['try', 'connect', '127.0.0.1:1'], 'timeout', '1 ms and 300 s'],
  [['debug-connections', '--address', '127.0.0.1:1'], 'timeout', '1 ms and 300 s'],
  [[], 'interval', '100 ms and 3600 s'],
  [['analyze', '--host', 'user@example.invalid'], 'ssh-timeout', ''],
];

for (const [words, flag, range] of FLAGS) {
  for (const value of ['-5s', '-1', '-0.5s']) {
    for (const form of ['space', 'equals'] as const) {
      const args = form === 'space' ? [...words, `--${flag}`, value] : [...words, `--${flag}=${value}`];
      test(`sockscope ${args.join(' ')}: exit 2 naming --${flag} and its range`, () => {
        const r = run(args);
        assert.equal(r.status, 2, r.stderr);
        assert.doesNotMatch(r.stderr, /Unknown argument/);
        if (range) assert.equal(r.stderr, `sockscope: --${flag} must be between ${range}, got "${value}"\n`);
        else assert.match(r.stderr, new RegExp(`^sockscope: --${flag} must be between \\d+ ms and \\d+ s, got "${value.replace('.', '\\.')}"`));
      });
    }
  }
}

test('a positive duration after the flag still works, and a non-duration still says what a duration is', () => {
  assert.equal(run(['export', '--interval', '50ms']).stderr, 'sockscope: --interval must be between 100 ms and 86400 s, got "50ms"\n');
  assert.equal(run(['export', '--interval=-abc']).stderr, 'sockscope: --interval must be a duration such as 500ms, 5s or 2m, got "-abc"\n');
  const r = run(['try', 'connect', '127.0.0.1:1', '--timeout', '200ms', '--json']);
  assert.equal(r.status, 0, r.stderr);
});
