// A --host whose ssh user cannot see the owner of a port's sockets (review s21 fix-remote #4, #5):
// - the CLOSE_WAIT advice said "(hidden: another user's, uid 0; run as root or as uid 0 to name it)", the
//   local words, which do not help on a remote host (a local root read that too); now it says what the
//   note says: log in there as root, or use sudo there;
// - analyze's Listeners table and its Processes line wrote `hidden (uid 0)` where every other table
//   writes `hidden uid 0`.
// Real sshd on loopback with a non-root test user; the listener and its 12 CLOSE_WAIT connections are
// this (root) process's, out of that user's sight.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { connect, createServer, type Socket as NetSocket } from 'node:net';
import { runCli } from '../helpers/run-cli.js';
import { startSshdWithUsers } from '../helpers/sshd-users.js';
import { evaluateRules, makeContext } from '../../src/advise/index.js';
import type { Snapshot } from '../../src/model/snapshot.js';
import { fakeSnapshot, incoming, listener } from '../helpers/fake-snapshot.js';

const HOST = 'sst-hint@sockscope-test';

test('--host as a non-root user: a hidden owner is named as on a remote host, and analyze writes "hidden uid 0" (real sshd)', { timeout: 180_000 }, async (t) => {
  const sshd = await startSshdWithUsers([{ name: 'sst-hint', uid: 4293, shell: '/bin/sh' }]);
  const held: NetSocket[] = [];
  // allowHalfOpen: the peer's FIN leaves these sockets in CLOSE_WAIT (Node would close them otherwise).
  const server = createServer({ allowHalfOpen: true }, (s) => held.push(s.on('error', () => {})));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  for (let i = 0; i < 12; i++) {
    await new Promise<void>((r) => {
      const c = connect(port, '127.0.0.1', () => {
        c.end();
        r();
      });
      c.on('error', () => r());
    });
  }
  t.after(() => {
    for (const s of held) s.destroy();
    server.close();
    sshd.stop();
  });
  await new Promise((r) => setTimeout(r, 300));
  const cfg = ['--ssh-config', sshd.clientConfig];

  const local = /run as root or as (uid 0|its user|that user) to name it/;
  const remote = "the owning process (hidden: another user's, uid 0; log in there as root, or use sudo there, to name it)";

  await t.test('analyze: the listener cell and the Processes line read hidden uid 0; the advice says to log in there as root', async () => {
    const r = await runCli(['analyze', '--port', String(port), '--host', HOST, ...cfg]);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /│ hidden uid 0 │/, r.stdout);
    assert.match(r.stdout, /^Processes: hidden uid 0$/m, r.stdout);
    assert.doesNotMatch(r.stdout, /hidden \(uid/, r.stdout);
    assert.match(r.stdout, /CLOSE_WAIT/);
    assert.ok(r.stdout.includes(remote), r.stdout);
    assert.doesNotMatch(r.stdout, local, r.stdout);
  });

  await t.test('analyze --json: the recommendation says the same', async () => {
    const r = await runCli(['analyze', '--port', String(port), '--host', HOST, ...cfg, '--json']);
    assert.equal(r.status, 0, r.stderr);
    const doc = JSON.parse(r.stdout) as { recommendations: Array<{ id: string; message: string }> };
    const cw = doc.recommendations.find((x) => x.id === 'close-wait-accumulating');
    assert.ok(cw, r.stdout);
    assert.ok(cw.message.includes(remote), cw.message);
  });

  await t.test('analyze-states: the Recommendation line says the same', async () => {
    const r = await runCli(['analyze-states', '--host', HOST, ...cfg]);
    assert.equal(r.status, 0, r.stderr);
    assert.ok(r.stdout.includes(remote), r.stdout);
    assert.doesNotMatch(r.stdout, local, r.stdout);
  });
});

/** A remote snapshot as RemoteSource makes it for a non-root ssh user: every owner looked up, other users' out of sight. */
function remoteSnap(sockets: Snapshot['sockets']): Snapshot {
  const s = fakeSnapshot({ sockets });
  return { ...s, source: 'remote', attribution: { scope: 'all', complete: false, hiddenProcesses: 0, note: 'processes on web1 are those its ss -p shows to the ssh user' } };
}

test('remote snapshots: accept-queue-full and close-wait word a hidden owner for the remote host (local ones: test/report/owner-hidden)', () => {
  const find = (id: string, snap: Snapshot) => evaluateRules(makeContext({ snapshot: snap })).find((x) => x.id === id)!;
  const full = [listener('127.0.0.1:18090', 4, 5, [], { uid: 0, inode: 9 })];
  const aq = find('accept-queue-full', remoteSnap(full));
  assert.match(aq.message, /; the owning process \(hidden: another user's, uid 0; log in there as root, or use sudo there, to name it\) does not accept fast enough/);
  const cw = find('close-wait-accumulating', remoteSnap([listener('0.0.0.0:81', 128, 0, [], { uid: 7, inode: 5 }), ...incoming(12, '10.0.0.1:81', 'CLOSE_WAIT', { uid: 7, inode: 3 })]));
  assert.match(cw.message, /the owning process \(hidden: another user's, uid 7; log in there as root, or use sudo there, to name it\)/);
  // A source that shows no uid: hidden, whose unknown.
  const noUid = find('close-wait-accumulating', remoteSnap(incoming(12, '10.0.0.1:83', 'CLOSE_WAIT', { inode: 3 })));
  assert.match(noUid.message, /the owning process \(hidden: log in there as root, or use sudo there, to name it/);
});
