// A duration flag given a bare number (review s23 #2): it was read as milliseconds without a word, so
// `export --interval 60` (watch -n's seconds) was "--interval must be between 100 ms and 86400 s, got "60"", not
// saying why, and `--interval 500` ran every 500 ms. Now every duration flag, and SOCKSCOPE_SSH_TIMEOUT, refuses
// it with exit 2 naming the flag and asking for a unit; with one it works as before. Through the built CLI.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';

const BIN = new URL('../../bin/sockscope', import.meta.url).pathname;

function run(args: string[], env: NodeJS.ProcessEnv = {}): { status: number | null; stderr: string } {
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', timeout: 20_000, input: '', env: { ...process.env, NO_COLOR: '1', ...env } });
  return { status: r.status, stderr: r.stderr };
}

// [command words before the flag, flag, the flag's range in ms (README, --help)]
const FLAGS: [string[], string, number, number][] = [
  [['export'], 'interval', 100, 86_400_000],
  [['analyze', '--port', '80', '--samples', '2'], 'sample-interval', 100, 600_000],
  [['analyze-states', '--port', '80', '--samples', '2'], 'sample-interval', 100, 600_000],
  [['try', 'connect', '127.0.0.1:1'], 'timeout', 1, 300_000],
  [['debug-connections', '--address', '127.0.0.1:1'], 'timeout', 1, 300_000],
  [[], 'interval', 100, 3_600_000],
  [['analyze', '--host', 'user@example.invalid'], 'ssh-timeout', 1000, 3_600_000],
];

for (const [words, flag, min, max] of FLAGS) {
  for (const value of ['60', '500', '1.5', '+2']) {
    const args = [...words, `--${flag}`, value];
    test(`sockscope ${args.join(' ')}: exit 2, give a unit (only readings the flag takes)`, () => {
      const r = run(args);
      assert.equal(r.status, 2, r.stderr);
      const n = value.replace('+', '');
      // Diff review s23: `export --interval 60` offered 60ms, below its 100 ms minimum.
      const fits = [`${n}s`, `${n}ms`].filter((v) => {
        const ms = Number(n) * (v.endsWith('ms') ? 1 : 1000);
        return ms >= min && ms <= max;
      });
      assert.ok(fits.length > 0);
      assert.equal(r.stderr, `sockscope: --${flag} ${value} has no unit: give one, ${fits.join(' or ')} (also m, h)\n`);
    });
  }
}

test('a bare number neither of whose readings fits: the range instead', () => {
  const r = run(['export', '--interval', '99999']); // 99999 ms is under a day, 99999 s over
  assert.equal(r.stderr, 'sockscope: --interval 99999 has no unit: give one, 99999ms (also m, h)\n');
  const none = run(['--interval', '5000000']); // the monitor: 100 ms to 1 h; 5000000 ms and s are both over
  assert.equal(none.stderr, 'sockscope: --interval 5000000 has no unit: give one (it takes 100 ms to 3600 s) (also m, h)\n');
});

test('SOCKSCOPE_SSH_TIMEOUT=30: exit 2 naming the variable, asking for a unit', () => {
  const r = run(['analyze', '--host', 'user@example.invalid'], { SOCKSCOPE_SSH_TIMEOUT: '30' });
  assert.equal(r.status, 2, r.stderr);
  assert.equal(r.stderr, 'sockscope: SOCKSCOPE_SSH_TIMEOUT 30 has no unit: give one, 30s (also m, h)\n');
});

test('0 is refused with the range as before; a duration with its unit still works', () => {
  assert.equal(run(['export', '--interval', '0']).stderr, 'sockscope: --interval must be between 100 ms and 86400 s, got "0"\n');
  const r = run(['try', 'connect', '127.0.0.1:1', '--timeout', '200ms', '--json']);
  assert.equal(r.status, 0, r.stderr);
});

test('--help says the unit is needed', () => {
  const e = spawnSync(process.execPath, [BIN, 'export', '--help'], { encoding: 'utf8' });
  assert.match(e.stdout, /Collection interval with its unit \(5s, 500ms, 1m\)/);
});
