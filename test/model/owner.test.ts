// Hidden owners (another user's process this user cannot read) told apart from sockets no process holds.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PortAggregator, summarizePeerPorts, summarizePorts } from '../../src/model/aggregate.js';
import { hiddenOwnerUid, hiddenOwnerUids, summaryHiddenUids, uidHidden, type OwnerView } from '../../src/model/owner.js';
import type { Socket } from '../../src/model/socket.js';
import { processLabel, socketProcessLabel, summaryProcessLabel } from '../../src/ui/format.js';
import { PORT_COLUMNS, type PortRow } from '../../src/ui/tables/ports.js';
import { SOCKET_COLUMNS } from '../../src/ui/tables/sockets.js';

let ino = 500;
function tcp(state: Socket['state'], port: number, extra: Partial<Socket> = {}): Socket {
  const listen = state === 'LISTEN';
  return {
    protocol: 'tcp',
    ipVersion: 4,
    state,
    local: { address: '127.0.0.1', port },
    peer: listen ? { address: '0.0.0.0', port: 0 } : { address: '127.0.0.1', port: 40000 + ino },
    recvQ: 0,
    sendQ: listen ? 16 : 0,
    processes: [],
    inode: state === 'TIME_WAIT' ? 0 : ino++,
    ...extra,
  };
}

// The review's case: uid 1001 reading root's (uid 0) listener with other users' processes hidden.
const NOT_ROOT: OwnerView = { viewerUid: 1001, complete: false };

test('hiddenOwnerUid: another user\'s socket with no visible owner is hidden; TIME_WAIT, orphans and own sockets are not', () => {
  assert.equal(hiddenOwnerUid(tcp('LISTEN', 80, { uid: 0 }), NOT_ROOT), 0);
  assert.equal(hiddenOwnerUid(tcp('CLOSE_WAIT', 80, { uid: 0 }), NOT_ROOT), 0);
  assert.equal(hiddenOwnerUid(tcp('TIME_WAIT', 80, { uid: 0 }), NOT_ROOT), undefined, 'TIME_WAIT: no process holds it');
  assert.equal(hiddenOwnerUid(tcp('FIN_WAIT2', 80, { uid: 0, inode: 0 }), NOT_ROOT), undefined, 'an orphan (inode 0): closed by its process');
  assert.equal(hiddenOwnerUid(tcp('ESTABLISHED', 80, { uid: 0, inode: 0 }), NOT_ROOT), undefined, 'still in the accept queue');
  assert.equal(hiddenOwnerUid(tcp('LISTEN', 80, { uid: 1001 }), NOT_ROOT), undefined, "the viewer's own socket: its process is readable");
  assert.equal(hiddenOwnerUid(tcp('LISTEN', 80), NOT_ROOT), undefined, 'uid unknown');
  assert.equal(hiddenOwnerUid(tcp('LISTEN', 80, { uid: 0, processes: [{ pid: 1, name: 'x', fd: 3 }] }), NOT_ROOT), undefined, 'owner visible');
  assert.equal(hiddenOwnerUid(tcp('LISTEN', 80, { uid: 0 }), { viewerUid: 1001, complete: true }), undefined, 'attribution saw every process');
});

test('uidHidden: root sees every process; a remote or per-host socket was read by another user', () => {
  assert.equal(uidHidden(1001, { viewerUid: 0 }), false, 'root, completeness unknown (a table cell)');
  assert.equal(uidHidden(1001, { viewerUid: 0, complete: false }), true, 'root in a container whose /proc/PID/fd it cannot read');
  assert.equal(uidHidden(0, { viewerUid: 1001 }), true, 'not root, completeness unknown: another user');
  assert.equal(uidHidden(0, { viewerUid: undefined, complete: false }), true, 'remote: its ssh user could not see every process');
  assert.equal(uidHidden(0, { viewerUid: undefined, complete: undefined }), false);
  // A table cell of one of several hosts: the remote ss -p showed every owner its ssh user can see, so
  // one it did not show is hidden (this read false, and the monitor showed root-owned remote listeners as `-`).
  assert.equal(uidHidden(0, { viewerUid: 1001 }, 'web1'), true, "a host's socket in a table: read by that host's user");
  assert.equal(uidHidden(0, { viewerUid: 0 }, 'web1'), true, 'whatever the local uid (sudo sockscope --host ...)');
  assert.equal(uidHidden(0, { viewerUid: 0, complete: true }, 'web1'), false);
  assert.equal(uidHidden(0, { viewerUid: 1001, complete: false }, 'web1'), true);
  assert.deepEqual(hiddenOwnerUids([tcp('LISTEN', 80, { uid: 33 }), tcp('CLOSE_WAIT', 80, { uid: 0 }), tcp('CLOSE_WAIT', 80, { uid: 0 }), tcp('TIME_WAIT', 80, { uid: 7 })], NOT_ROOT), [0, 33]);
});

test('summaries count the uids of sockets a process must hold, rolled forward by remove()', () => {
  const sockets = [tcp('LISTEN', 80, { uid: 0 }), tcp('CLOSE_WAIT', 80, { uid: 0 }), tcp('TIME_WAIT', 80, { uid: 5 }), tcp('ESTABLISHED', 81, { uid: 33 }), tcp('ESTABLISHED', 81, { uid: 0 }), tcp('ESTABLISHED', 82)];
  const ports = summarizePorts(sockets);
  assert.deepEqual(
    ports.map((p) => [p.port, p.uids]),
    [
      [80, [0]],
      [81, [0, 33]],
      [82, []],
    ],
    'TIME_WAIT (uid 5) left out; no uid known: none',
  );
  assert.deepEqual(ports[0].listeners[0].uid, 0);
  const agg = new PortAggregator();
  for (const s of sockets) agg.add(s);
  agg.remove(sockets[4]);
  assert.deepEqual(
    agg.finish(sockets.filter((_, i) => i !== 4)).map((p) => [p.port, p.uids]),
    [
      [80, [0]],
      [81, [33]],
      [82, []],
    ],
  );
  agg.remove(sockets[3]);
  agg.add(sockets[4]);
  assert.deepEqual(agg.finish([sockets[0], sockets[1], sockets[2], sockets[4], sockets[5]])[1].uids, [0], 'uid 33 gone, uid 0 back');
  // Outgoing connections to a peer port carry their uids too.
  const out = tcp('ESTABLISHED', 45000, { uid: 0, peer: { address: '10.0.0.5', port: 5432 } });
  assert.deepEqual(summarizePeerPorts([out])[0].uids, [0]);
});

test('PROCESS cells: "hidden uid 0" instead of "-" for another user\'s socket; "-" for TIME_WAIT; names when visible', () => {
  assert.equal(processLabel([], [0]), 'hidden uid 0');
  assert.equal(processLabel([], []), '-');
  assert.equal(processLabel([{ pid: 7, name: 'web', fd: 3 }]), 'web/7', 'a visible owner is named');
  assert.equal(processLabel([{ pid: 7, name: 'web', fd: 3 }], [0]), 'web/7, hidden uid 0', 'a visible owner is named, and the hidden ones said');
  assert.equal(socketProcessLabel(tcp('ESTABLISHED', 80, { uid: 0 }), NOT_ROOT), 'hidden uid 0');
  assert.equal(socketProcessLabel(tcp('TIME_WAIT', 80, { uid: 0 }), NOT_ROOT), '-');
  // Root: not another user's, but some process must hold it and none was found: "?", not "-" (owner-not-found).
  assert.equal(socketProcessLabel(tcp('ESTABLISHED', 80, { uid: 0 }), { viewerUid: 0 }), '?', 'root: not hidden, owner not found');
  const [p80] = summarizePorts([tcp('LISTEN', 80, { uid: 0 }), tcp('TIME_WAIT', 80, { uid: 0 })]);
  assert.equal(summaryProcessLabel(p80, NOT_ROOT), 'hidden uid 0');
  assert.deepEqual(summaryHiddenUids(p80, NOT_ROOT), [0]);
  const [tw] = summarizePorts([tcp('TIME_WAIT', 81, { uid: 0 })]);
  assert.equal(summaryProcessLabel(tw, NOT_ROOT), '-', 'only TIME_WAIT: no process holds the port');
  // The table cells use this process's uid: a uid that is not it and not root's is hidden for anyone but root.
  const other = (process.getuid?.() ?? 0) === 4242 ? 4243 : 4242;
  const me = process.getuid?.() ?? 0;
  // Root reads every process: an owner it did not find is not known ("?"), not absent ("-").
  const want = me === 0 ? '?' : `hidden uid ${other}`;
  const [p] = summarizePorts([tcp('LISTEN', 90, { uid: other })]);
  const row: PortRow = { id: 'tcp:90', label: '90', summary: p, health: 'ok', trend: [] };
  assert.equal(PORT_COLUMNS.find((c) => c.id === 'process')!.cell(row), want);
  assert.equal(SOCKET_COLUMNS.find((c) => c.id === 'process')!.cell({ id: 'x', socket: tcp('ESTABLISHED', 90, { uid: other }) }), want);
});

test("unseenOwnerText: the user's own uid is a process of theirs that is not dumpable; another uid is another user's", async () => {
  const { unseenOwnerText } = await import('../../src/model/owner.js');
  const { spawnSync } = await import('node:child_process');
  const { fileURLToPath } = await import('node:url');
  // As root (CI) every uid is another user's: root reads every process's fds, so an unseen one is not root's.
  if (process.getuid?.() === 0) assert.equal(unseenOwnerText(1000), 'a process of uid 1000 (not visible to this user)');
  // As uid 65534, its own uid: the process is its own, not dumpable (review: try said "uid 65534 (not visible to this user)").
  const mod = fileURLToPath(new URL('../../src/model/owner.ts', import.meta.url));
  const r = spawnSync('setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', process.execPath, '--import', 'tsx', '-e', `import { unseenOwnerText } from ${JSON.stringify(mod)}; console.log(unseenOwnerText(65534)); console.log(unseenOwnerText(0));`], { encoding: 'utf8', cwd: fileURLToPath(new URL('../..', import.meta.url)) });
  assert.equal(r.error, undefined, 'setpriv (util-linux) is required');
  assert.equal(r.status, 0, r.stderr);
  assert.deepEqual(r.stdout.trim().split('\n'), ['a process of yours (uid 65534) that is not dumpable (prctl PR_SET_DUMPABLE or setuid): only root can read its fds', 'a process of uid 0 (not visible to this user)']);
});
