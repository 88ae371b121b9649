// `SOCKSCOPE_SSH_TIMEOUT=30 sockscope config` showed `"30" (not used: ...)` while --host then exits 2 with it: the
// value is refused, not ignored; the row now says what refuses it. And zsh's ZSH_NAME, which completion-shell.ts reads
// (a value naming zsh picks the zsh script), was missing from the list that claims every variable sockscope reads.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';

const run = (args: string[], env: Record<string, string>) =>
  spawnSync('bin/sockscope', args, { encoding: 'utf8', timeout: 30_000, env: { ...process.env, NO_COLOR: '1', ...env } });

test('a SOCKSCOPE_SSH_TIMEOUT --host refuses is shown as refused by --host, and --host does exit 2 with it', { timeout: 60_000 }, () => {
  const c = run(['config'], { SOCKSCOPE_SSH_TIMEOUT: '30' });
  assert.equal(c.status, 0, c.stderr);
  const row = c.stdout.split('\n').find((l) => l.startsWith('  SOCKSCOPE_SSH_TIMEOUT '));
  assert.ok(row, c.stdout);
  assert.match(row, /"30" \(refused by --host unless --ssh-timeout is given: SOCKSCOPE_SSH_TIMEOUT 30 has no unit: give one, 30s \(also m, h\)\)/);
  assert.doesNotMatch(c.stdout, /not used/);
  const h = run(['analyze', '--host', 'nobody@127.0.0.1', '--json'], { SOCKSCOPE_SSH_TIMEOUT: '30' });
  assert.equal(h.status, 2, h.stdout + h.stderr);
  assert.match(h.stderr, /SOCKSCOPE_SSH_TIMEOUT 30 has no unit/);
});

test('ZSH_NAME is listed with its value', { timeout: 60_000 }, () => {
  const c = run(['config'], { ZSH_NAME: 'zsh' });
  assert.equal(c.status, 0, c.stderr);
  assert.match(c.stdout, /^ {2}ZSH_NAME +"zsh" +as SHELL, for sockscope completion: a value naming zsh picks the zsh script$/m);
});
