// `sockscope export` flags without their value, or given twice: exit 2 naming the flag, before anything
// listens. Review: `export --listen` alone bound the default 127.0.0.1:9464 and ran (or failed with
// EADDRINUSE, exit 1), and `--interval 1s --interval 2s` said 'must be a duration ..., got "1s,2s"'.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { freePort } from '../helpers/free-port.js';

const BIN = new URL('../../bin/sockscope', import.meta.url).pathname;

/** The built CLI; one that starts serving instead of refusing is killed after 5 s (status null). */
function run(args: string[]): { status: number | null; stderr: string } {
  const r = spawnSync(process.execPath, [BIN, 'export', ...args], { encoding: 'utf8', timeout: 5_000, env: { ...process.env, NO_COLOR: '1' } });
  return { status: r.status, stderr: r.stderr };
}

test('--listen and --interval without a value: exit 2 naming the flag, nothing served', async () => {
  const port = await freePort();
  const cases: [string[], RegExp][] = [
    [['--listen'], /^sockscope: .*\blisten\b/],
    // The next flag is not --listen's value either.
    [['--listen', '--interval', '1s'], /^sockscope: .*\blisten\b/],
    [['--interval', '1s', '--listen'], /^sockscope: .*\blisten\b/],
    [['--listen', `127.0.0.1:${port}`, '--interval'], /^sockscope: .*\binterval\b/],
  ];
  for (const [args, want] of cases) {
    const r = run(args);
    assert.equal(r.status, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, want, args.join(' '));
    assert.doesNotMatch(r.stderr, /serving http|cannot listen/, args.join(' '));
  }
});

test('--interval given twice says so, as --listen does', async () => {
  const port = await freePort();
  const r = run(['--listen', `127.0.0.1:${port}`, '--interval', '1s', '--interval', '2s']);
  assert.equal(r.status, 2, r.stderr);
  assert.match(r.stderr, /^sockscope: --interval given twice \("1s", "2s"\): it takes one duration/);
  const three = run(['--listen', `127.0.0.1:${port}`, '--interval', '1s', '--interval', '2s', '--interval', '3s']);
  assert.equal(three.status, 2, three.stderr);
  assert.match(three.stderr, /^sockscope: --interval given 3 times \("1s", "2s", "3s"\)/);
});
