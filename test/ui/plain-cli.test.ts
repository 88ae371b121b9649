// The built binary when stdout is not a TTY: one plain snapshot table, exit 0; also as an unprivileged user.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { describe, it } from 'node:test';

const ROOT = new URL('../..', import.meta.url).pathname;
const bin = `${ROOT}bin/sockscope`;

describe('sockscope | cat', () => {
  it('prints one plain table and exits 0 (no escape sequences, no alternate screen)', () => {
    assert.ok(existsSync(`${ROOT}dist/cli.js`), 'dist/cli.js missing: run npm run build');
    const r = spawnSync(process.execPath, [bin, '--tcp'], { encoding: 'utf8', timeout: 60_000, stdio: ['ignore', 'pipe', 'pipe'] });
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /^sockscope · /);
    assert.match(r.stdout, /PORT PROTO PROCESS/);
    assert.match(r.stdout, /Recommendations/);
    assert.doesNotMatch(r.stdout, /\u001b/);
  });

  it('--interval and --port are validated (exit 2, one line naming the flag)', () => {
    for (const [args, re] of [
      [['--interval', '10ms'], /--interval must be between 100 ms/],
      [['--port', '70000'], /--port must be a port number/],
    ] as const) {
      const r = spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8', timeout: 30_000 });
      assert.equal(r.status, 2, r.stderr);
      assert.match(r.stderr, re);
      assert.equal(r.stderr.trim().split('\n').length, 1);
    }
  });

  it('works unprivileged (nobody): what it cannot see is said, not fatal', { skip: process.getuid?.() !== 0 ? 'needs root to switch to nobody' : false }, () => {
    const r = spawnSync('setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', process.execPath, bin], { encoding: 'utf8', timeout: 60_000 });
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /PORT PROTO PROCESS/);
  });
});
