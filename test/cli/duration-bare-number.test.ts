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

// [command words before the flag, flag]
const FLAGS: [string[], string][] = [
  [['export'], 'interval'],
  [['analyze', '--port', '80', '--samples', '2'], 'sample-interval'],
  [['analyze-states', '--port', '80', '--samples', '2'], 'sample-interval'],
  [['try', 'connect', '127.0.0.1:1'], 'timeout'],
  [['debug-connections', '--address', '127.0.0.1:1'], 'timeout'],
  [[], 'interval'],
  [['analyze', '--host', 'user@example.invalid'], 'ssh-timeout'],
];

for (const [words, flag] of FLAGS) {
  for (const value of ['60', '500', '1.5', '+2']) {
    const args = [...words, `--${flag}`, value];
    test(`sockscope ${args.join(' ')}: exit 2, give a unit`, () => {
      const r = run(args);
      assert.equal(r.status, 2, r.stderr);
      const n = value.replace('+', '');
      assert.equal(r.stderr, `sockscope: --${flag} ${value} has no unit: give one, ${n}s or ${n}ms (also m, h)\n`);
    });
  }
}

test('SOCKSCOPE_SSH_TIMEOUT=30: exit 2 naming the variable, asking for a unit', () => {
  const r = run(['analyze', '--host', 'user@example.invalid'], { SOCKSCOPE_SSH_TIMEOUT: '30' });
  assert.equal(r.status, 2, r.stderr);
  assert.equal(r.stderr, 'sockscope: SOCKSCOPE_SSH_TIMEOUT 30 has no unit: give one, 30s or 30ms (also m, h)\n');
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
