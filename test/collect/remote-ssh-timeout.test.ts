// SOCKSCOPE_SSH_TIMEOUT is read with --ssh-timeout's own rules (diff-review-collect #9): remote.ts had a
// second duration parser that ignored `1min` or `1h` (which the flag takes) and any bad value, silently
// falling back to 20 s. Now one parser (parseDuration); a bad value is exit 2 naming the variable.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { sourcesFor } from '../../src/cli/sources.js';
import type { RemoteSource } from '../../src/collect/remote.js';

const BIN = new URL('../../bin/sockscope', import.meta.url).pathname;

async function withEnv<T>(value: string | undefined, f: () => Promise<T>): Promise<T> {
  const was = process.env.SOCKSCOPE_SSH_TIMEOUT;
  if (value === undefined) delete process.env.SOCKSCOPE_SSH_TIMEOUT;
  else process.env.SOCKSCOPE_SSH_TIMEOUT = value;
  try {
    return await f();
  } finally {
    if (was === undefined) delete process.env.SOCKSCOPE_SSH_TIMEOUT;
    else process.env.SOCKSCOPE_SSH_TIMEOUT = was;
  }
}

const timeoutOf = (env: string | undefined) => withEnv(env, async () => (await sourcesFor({ host: ['web1', 'web2'] })).map((s) => (s.source as RemoteSource).sshOptions.timeoutMs));

test('SOCKSCOPE_SSH_TIMEOUT takes what --ssh-timeout takes, for every --host', async () => {
  assert.deepEqual(await timeoutOf(undefined), [undefined, undefined], 'unset: the source default (20 s)');
  assert.deepEqual(await timeoutOf('45s'), [45_000, 45_000]);
  assert.deepEqual(await timeoutOf('1min'), [60_000, 60_000], 'was 20 s: the old parser knew no "min"');
  // A bare number was read as milliseconds, as for the flag; both now ask for a unit (review s23 #2).
  await assert.rejects(timeoutOf('1500'), (e: Error) => e.name === 'UsageError' && e.message === 'SOCKSCOPE_SSH_TIMEOUT 1500 has no unit: give one, 1500s or 1500ms (also m, h)');
});

test('a bad SOCKSCOPE_SSH_TIMEOUT is a usage error naming the variable, not a silent 20 s', async () => {
  await assert.rejects(timeoutOf('soon'), (e: Error) => e.name === 'UsageError' && /^SOCKSCOPE_SSH_TIMEOUT must be a duration such as 500ms, 5s or 2m, got "soon"$/.test(e.message));
  await assert.rejects(timeoutOf('2h'), /SOCKSCOPE_SSH_TIMEOUT must be between 1000 ms and 3600 s/);
  const r = spawnSync(BIN, ['analyze-states', '--host', 'web1.invalid'], { encoding: 'utf8', timeout: 60_000, env: { ...process.env, SOCKSCOPE_SSH_TIMEOUT: 'soon' } });
  assert.equal(r.status, 2, r.stderr);
  assert.match(r.stderr, /SOCKSCOPE_SSH_TIMEOUT must be a duration/);
});
