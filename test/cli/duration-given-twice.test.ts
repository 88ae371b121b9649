// A duration flag given twice: yargs joins the values into an array, which parseDuration read as the duration
// "1s,2s" (`try connect ... --timeout 1s --timeout 2s` said 'must be a duration ..., got "1s,2s"'). Every
// duration flag now says it was given twice, as export's --interval and --listen did: exit 2, nothing tried.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';

const BIN = new URL('../../bin/sockscope', import.meta.url).pathname;

function run(args: string[]): { status: number | null; stderr: string } {
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', timeout: 20_000, env: { ...process.env, NO_COLOR: '1' } });
  return { status: r.status, stderr: r.stderr };
}

for (const args of [
  ['try', 'connect', '127.0.0.1:1'],
  ['debug-connections', '--address', '127.0.0.1:1'],
]) {
  test(`${args.join(' ')} --timeout given twice or three times says so (exit 2)`, () => {
    const r = run([...args, '--timeout', '1s', '--timeout', '2s']);
    assert.equal(r.status, 2, r.stderr);
    assert.match(r.stderr, /^sockscope: --timeout given twice \("1s", "2s"\): it takes one duration/);
    const three = run([...args, '--timeout', '1s', '--timeout', '2s', '--timeout', '3s']);
    assert.equal(three.status, 2, three.stderr);
    assert.match(three.stderr, /^sockscope: --timeout given 3 times \("1s", "2s", "3s"\): it takes one duration/);
  });
}
