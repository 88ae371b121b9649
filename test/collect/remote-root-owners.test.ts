// --host read as root: a socket no process holds in the remote root's sight (ss -p shows no users) was
// "hidden uid 0" / ownerHidden true, since sockscope took the ssh user's uid as unknown; local root says
// no one hides it. The script now reports `id -u`; as root the remote attribution is complete (root sees
// every process). A real sshd as root in a PID namespace of its own (unshare -pf --mount-proc): a listener
// of the test's, outside that namespace, has no users in its ss -p.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createServer } from 'node:net';
import { startSshd } from '../helpers/sshd.js';

const BIN = new URL('../../bin/sockscope', import.meta.url).pathname;

test('--host as root: a listener ss -p shows no process for is not "hidden uid 0" (real sshd in its own PID namespace)', { timeout: 90_000 }, async (t) => {
  const sshd = await startSshd(['unshare', '-pf', '--mount-proc']);
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  t.after(() => {
    server.close();
    // unshare -f stays on SIGTERM (stop() sends it): its sshd (pid 1 of the namespace) is killed first.
    const mine = (ppid: number) => spawnSync('ps', ['-o', 'pid=', '--ppid', String(ppid)], { encoding: 'utf8' }).stdout.split('\n').map(Number).filter((n) => n > 0);
    for (const u of mine(process.pid)) for (const c of mine(u)) process.kill(c, 'SIGKILL');
    sshd.stop();
  });
  const port = (server.address() as { port: number }).port;
  const r = spawnSync(BIN, ['--host', 'sockscope-test', '--ssh-config', sshd.clientConfig, '--json', '--port', String(port)], { encoding: 'utf8', timeout: 60_000 });
  assert.equal(r.status, 0, r.stderr);
  const doc = JSON.parse(r.stdout) as { ports: Array<{ port: number; ownerHidden: boolean; processes: unknown[] }> };
  const row = doc.ports.find((p) => p.port === port);
  assert.ok(row, r.stdout);
  assert.deepEqual(row.processes, [], 'the remote root sees no process for it (another PID namespace)');
  assert.equal(row.ownerHidden, false, 'root sees every process: nothing is hidden from it');
  const plain = spawnSync(BIN, ['--host', 'sockscope-test', '--ssh-config', sshd.clientConfig, '--port', String(port)], { encoding: 'utf8', timeout: 60_000 });
  assert.equal(plain.status, 0, plain.stderr);
  assert.doesNotMatch(plain.stdout, /hidden uid 0/, plain.stdout);
});
