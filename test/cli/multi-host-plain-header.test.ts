// The plain snapshot table (`sockscope --host A --host B | cat`) with B unreachable: its header listed
// "A, B" as if both had been read. It now marks B "(failed)", as README says the header does (and as the
// full-screen monitor's header does); A's rows keep the HOST column. A real sshd on loopback and a closed port.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { freePort } from '../helpers/free-port.js';
import { startSshd } from '../helpers/sshd.js';

const BIN = new URL('../../bin/sockscope', import.meta.url).pathname;

test('sockscope --host A --host B(refused) | cat: the header marks B (failed), A is read', { timeout: 120_000 }, async (t) => {
  const sshd = await startSshd();
  t.after(() => sshd.stop());
  const down = `${sshd.user}@127.0.0.1:${await freePort()}`;
  const r = spawnSync(BIN, ['--tcp', '--host', 'sockscope-test', '--host', down, '--ssh-config', sshd.clientConfig], {
    encoding: 'utf8',
    timeout: 60_000,
    stdio: ['ignore', 'pipe', 'pipe'],
    maxBuffer: 64 * 1024 * 1024,
  });
  assert.equal(r.status, 1, r.stderr);
  const lines = r.stdout.split('\n');
  assert.ok(lines[0].startsWith(`sockscope · sockscope-test, ${down} (failed) · tcp · `), lines[0]);
  assert.match(lines[3], /^\s+HOST\s+PORT PROTO PROCESS/, r.stdout);
  assert.ok(lines.some((l) => /^\s*\S+\s+sockscope-test\s+\d+ tcp /.test(l)), `rows of the host that was read:\n${r.stdout}`);
  assert.ok(lines.some((l) => l.startsWith(`note: ${down}: ssh ${down}: `)), r.stdout);
  assert.equal(r.stderr, `sockscope: 1 of 2 hosts failed: ${down}\n`);
});
