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

// With several --host, one read as root and one not: the root host's socket without a process read
// `hidden uid 0` (ownerHidden true, hiddenOwnerUids [0]) though the same host alone read `?`: the merged
// view counted as complete only when every host was root, and a socket of any host counted as hidden.
// Now each host's own ssh user decides. Two real sshds: root in a PID namespace of its own (startSshd)
// and a non-root user (startSshdWithUsers), in one ssh config.
test('several --host: a root host\'s socket ss -p shows no process for is not "hidden uid 0"; a non-root host\'s is', { timeout: 120_000 }, async (t) => {
  const { startSshdWithUsers } = await import('../helpers/sshd-users.js');
  const { readFileSync, writeFileSync, mkdtempSync, rmSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const { join } = await import('node:path');
  const rootd = await startSshd(['unshare', '-pf', '--mount-proc']);
  const userd = await startSshdWithUsers([{ name: 'sst-mh', uid: 4291, shell: '/bin/sh' }]);
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const dir = mkdtempSync(join(tmpdir(), 'sockscope-mh-'));
  t.after(() => {
    server.close();
    const mine = (ppid: number) => spawnSync('ps', ['-o', 'pid=', '--ppid', String(ppid)], { encoding: 'utf8' }).stdout.split('\n').map(Number).filter((n) => n > 0);
    for (const u of mine(process.pid)) for (const c of mine(u)) if (spawnSync('ps', ['-o', 'comm=', '-p', String(u)], { encoding: 'utf8' }).stdout.trim() === 'unshare') process.kill(c, 'SIGKILL');
    rootd.stop();
    userd.stop();
    rmSync(dir, { recursive: true, force: true });
  });
  const config = join(dir, 'ssh_config');
  writeFileSync(
    config,
    readFileSync(rootd.clientConfig, 'utf8').replace(/^Host sockscope-test$/m, 'Host roothost') +
      readFileSync(userd.clientConfig, 'utf8').replace(/^Host sockscope-test sockscope-test2$/m, 'Host userhost\n  User sst-mh'),
  );
  const port = (server.address() as { port: number }).port;
  const args = ['--host', 'userhost', '--host', 'roothost', '--ssh-config', config, '--port', String(port)];
  const run = (extra: string[]) => {
    const r = spawnSync(BIN, [...args, ...extra], { encoding: 'utf8', timeout: 60_000 });
    assert.equal(r.status, 0, r.stderr);
    return r.stdout;
  };
  const doc = JSON.parse(run(['--json'])) as { ports: Array<{ port: number; host?: string; ownerHidden: boolean; hiddenOwnerUids?: number[] }> };
  const rows = doc.ports.filter((p) => p.port === port);
  const rootRow = rows.find((p) => p.host === 'roothost');
  const userRow = rows.find((p) => p.host === 'userhost');
  assert.ok(rootRow && userRow, JSON.stringify(doc.ports));
  assert.equal(rootRow.ownerHidden, false, 'root there sees every process: nothing is hidden from it');
  assert.deepEqual(rootRow.hiddenOwnerUids ?? [], []);
  assert.equal(userRow.ownerHidden, true, 'the non-root user there cannot see root\'s listener');
  assert.deepEqual(userRow.hiddenOwnerUids, [0]);
  const plain = run([]);
  const line = (h: string) => plain.split('\n').find((l) => new RegExp(`^\\s*\\S*\\s+${h}\\s+${port}\\s`).test(l)) ?? '';
  assert.match(line('roothost'), /tcp\s+\?\s/, plain);
  assert.match(line('userhost'), /hidden uid 0/, plain);
});
