// --host as a non-root ssh user: the remote ss -p shows only that user's processes, so a root-owned listener
// reads `hidden uid 0`, but the one-shot forms said nothing of why: the plain table's only note was the own
// ssh connection's, --json's `notes` had no hidden-owners note (hiddenOwnerUids [0] set), analyze neither;
// locally the same user reads "N processes of other users are hidden: run as root to see them". A remote
// ss -p cannot count them: the note names the host and the ssh user (id -u, id -un there) and says how many
// is unknown. Real sshd on loopback with a test user of its own (uid 4283) and root; the listener is the
// test's (root's).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { runCli } from '../helpers/run-cli.js';
import { startSshdWithUsers } from '../helpers/sshd-users.js';

const USER = 'sst-hid';
const UID = 4283;
const HOST = `${USER}@sockscope-test`;
const NOTE = `other users' processes on ${HOST} are not shown to the ssh user ${USER} (uid ${UID}): its ss -p reads only that user's processes, so how many are hidden is unknown, and their sockets read hidden uid 0; log in there as root, or use sudo, to see them`;

const notesOf = (text: string) => text.split('\n').filter((l) => l.startsWith('note: '));

test('--host as a non-root user: the plain table, --json and analyze say other users\' processes there are hidden (real sshd)', { timeout: 180_000 }, async (t) => {
  const sshd = await startSshdWithUsers([{ name: USER, uid: UID, shell: '/bin/sh' }]);
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  t.after(() => {
    server.close();
    sshd.stop();
  });
  const port = String((server.address() as { port: number }).port);
  const cfg = ['--ssh-config', sshd.clientConfig];

  await t.test('the plain table', async () => {
    const r = await runCli(['--host', HOST, ...cfg, '--port', port]);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /hidden uid 0/, r.stdout);
    assert.ok(notesOf(r.stdout).includes(`note: ${NOTE}`), r.stdout);
  });

  await t.test('--json', async () => {
    const r = await runCli(['--host', HOST, ...cfg, '--port', port, '--json']);
    assert.equal(r.status, 0, r.stderr);
    const doc = JSON.parse(r.stdout) as { ports: Array<{ port: number; hiddenOwnerUids: number[] }>; notes: string[] };
    assert.deepEqual(doc.ports.find((p) => p.port === Number(port))?.hiddenOwnerUids, [0], r.stdout);
    assert.ok(doc.notes.includes(NOTE), JSON.stringify(doc.notes));
  });

  await t.test('analyze, text and --json', async () => {
    const r = await runCli(['analyze', '--port', port, '--host', HOST, ...cfg]);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /│ hidden uid 0 │/, r.stdout);
    assert.ok(notesOf(r.stdout).includes(`note: ${NOTE}`), r.stdout);
    const j = await runCli(['analyze', '--port', port, '--host', HOST, ...cfg, '--json']);
    assert.equal(j.status, 0, j.stderr);
    const doc = JSON.parse(j.stdout) as { hiddenOwnerUids: number[]; notes: string[] };
    assert.deepEqual(doc.hiddenOwnerUids, [0]);
    assert.ok(doc.notes.includes(NOTE), JSON.stringify(doc.notes));
  });

  await t.test('as root there nothing is hidden: no such note; with several --host, the non-root host\'s note names it', async () => {
    const root = await runCli(['--host', 'root@sockscope-test', ...cfg, '--port', port, '--json']);
    assert.equal(root.status, 0, root.stderr);
    assert.doesNotMatch(root.stdout, /not shown to the ssh user/, root.stdout);
    const both = await runCli(['--host', HOST, '--host', 'root@sockscope-test', ...cfg, '--port', port]);
    assert.equal(both.status, 0, both.stderr);
    const notes = notesOf(both.stdout).filter((n) => /not shown to the ssh user/.test(n));
    assert.deepEqual(notes, [`note: ${HOST}: ${NOTE}`], both.stdout);
  });
});
