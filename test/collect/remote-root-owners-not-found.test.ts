// Over --host as root, a listener whose owner the remote ss -p does not find (a process in another PID
// namespace, a kernel socket) showed `?` with no note, where locally the notes say `owners of N sockets not
// found (shown as ?)`: owner.ts ownersNotFound returned 0 for every remote snapshot, though as root there the
// attribution is complete (user review s26 #4). Now RemoteSource adds the note, counting listeners only (its ss -p
// reads the processes before the sockets: a connection accepted in between has no owner in its output). A real
// sshd on loopback in a PID namespace of its own (unshare -pf --mount-proc), so that the listener this test holds
// is out of its ss -p's sight.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createServer } from 'node:net';
import { runCli } from '../helpers/run-cli.js';
import { startSshd } from '../helpers/sshd.js';

const isRoot = process.getuid?.() === 0;
const skip = !isRoot || spawnSync('unshare', ['-pf', '--kill-child', '--mount-proc', 'true']).status !== 0 ? 'needs root and unshare -pf --kill-child --mount-proc' : false;
// Listening: a remote host's count is of its listeners only (diff review s26 dB #3), unlike a local run's.
const NOTE = /^owners of 1 listening socket not found \(shown as \?\): their processes are out of sight/;

test('--host as root: a listener whose owner ss -p there does not find is "?" and a note says so (real sshd in its own PID namespace)', { skip, timeout: 180_000 }, async (t) => {
  // unshare -f blocks SIGTERM (it waits for its child), so stop()'s SIGTERM left sshd running: a shell that
  // SIGKILLs it instead, and --kill-child takes the namespace's PID 1 (sshd) and its sessions along.
  const sshd = await startSshd(['sh', '-c', 'unshare -pf --kill-child --mount-proc "$@" & trap "kill -9 $!" TERM; wait', 'sh']);
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  t.after(() => {
    server.close();
    sshd.stop();
  });
  const port = String((server.address() as { port: number }).port);
  const args = ['--host', 'sockscope-test', '--ssh-config', sshd.clientConfig, '--port', port];

  const plain = await runCli(args);
  assert.equal(plain.status, 0, plain.stderr);
  assert.match(plain.stdout, new RegExp(`\\b${port} tcp\\s+\\?\\s`), plain.stdout);
  assert.ok(plain.stdout.split('\n').some((l) => NOTE.test(l.replace(/^note: /, '')) && l.startsWith('note: ')), plain.stdout);

  const json = await runCli([...args, '--json']);
  assert.equal(json.status, 0, json.stderr);
  const doc = JSON.parse(json.stdout) as { ports: Array<{ port: number; processes: unknown[]; ownerHidden: boolean }>; notes: string[] };
  assert.deepEqual(doc.ports.filter((p) => p.port === Number(port)).map((p) => [p.processes, p.ownerHidden]), [[[], false]]);
  assert.equal(doc.notes.filter((n) => NOTE.test(n)).length, 1, doc.notes.join('\n'));

  const analyze = await runCli(['analyze', ...args, '--json']);
  assert.equal(analyze.status, 0, analyze.stderr);
  assert.equal((JSON.parse(analyze.stdout) as { notes: string[] }).notes.filter((n) => NOTE.test(n)).length, 1, analyze.stdout);

  // Its own sshd's listener is in its sight: not counted (the note says 1 socket, this test's).
  const all = await runCli(['--host', 'sockscope-test', '--ssh-config', sshd.clientConfig, '--json']);
  assert.equal(all.status, 0, all.stderr);
  const sshdPort = (JSON.parse(all.stdout) as { ports: Array<{ port: number; processes: Array<{ name: string }> }> }).ports.find((p) => p.port === sshd.port);
  assert.equal(sshdPort?.processes[0]?.name, 'sshd', all.stdout.slice(0, 2000));
});
