// `sockscope errno` with a code longer than the limit: exit 2 at once with one short line (it took 22.6 s for
// 1,000,000 characters and printed them back; a command-line argument holds at most 128 KiB, 100,000 here).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';

test('errno with a 100,000-character code: exit 2, one short line, quickly', () => {
  for (const args of [['errno', 'E'.repeat(100_000)], ['errno', 'E'.repeat(100_000), '--json'], ['errno', '9'.repeat(100_000)]]) {
    const t0 = Date.now();
    const r = spawnSync('bin/sockscope', args, { encoding: 'utf8', timeout: 60_000 });
    const ms = Date.now() - t0;
    assert.equal(r.status, 2, r.stderr.slice(0, 300));
    assert.equal(r.stdout, '');
    assert.match(r.stderr, /^sockscope: error code too long: 100000 characters, at most 256/);
    assert.equal(r.stderr.split('\n').length, 2);
    assert.ok(r.stderr.length < 300, `${r.stderr.length} bytes`);
    assert.ok(ms < 5000, `${ms} ms`);
  }
});
