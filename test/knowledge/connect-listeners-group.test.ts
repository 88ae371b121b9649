// SO_REUSEPORT groups in the interpretation of a local connect (pure): which member a connection reached, and what
// a timeout says when several members could have dropped the SYN. The live cases: test/cli/debug-connections-queues.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { diagnoseConnectError, findLocalListener, memberReached, reuseportGroup, type PortListener, type RouteInfo } from '../../src/knowledge/interpret-connect.js';

const member = (pid: number, pending: number, extra: Partial<PortListener> = {}): PortListener => ({ address: '127.0.0.1', port: 8080, pending, backlog: 8, owners: [{ pid, name: 'python3', fd: 3 }], inode: 1000 + pid, ...extra });
const local: RouteInfo = { ok: true, type: 'local', dev: 'lo', text: 'local 127.0.0.1 dev lo' };

test('the member a connection reached: the only one holding connections, else the only one whose queue grew, else none', () => {
  const group = [member(1, 2), member(2, 3)];
  assert.deepEqual(reuseportGroup([...group, member(3, 0, { address: '0.0.0.0' })], '127.0.0.1'), group);
  // Both hold connections: told by the readings just before and after the connect (matched by inode, not by order).
  const before = [member(2, 3), member(1, 1)];
  assert.equal(memberReached(group, { address: '127.0.0.1', before, after: [member(2, 3), member(1, 2)], byElimination: true })?.owners[0].pid, 1);
  // Both grew (another client connected meanwhile), or no readings: it cannot be told.
  assert.equal(memberReached(group, { address: '127.0.0.1', before, after: [member(2, 4), member(1, 2)], byElimination: true }), undefined);
  assert.equal(memberReached(group, { address: '127.0.0.1', byElimination: true }), undefined);
  // Only one holds connections: a queued connection is in it; an accepted one (reset) is not told that way.
  const one = [member(1, 0), member(2, 1)];
  assert.equal(memberReached(one, { address: '127.0.0.1', byElimination: true })?.owners[0].pid, 2);
  assert.equal(memberReached(one, { address: '127.0.0.1', byElimination: false }), undefined);
});

test('a timeout against a SO_REUSEPORT group: the full member is named, not the first; several full ones are all named', () => {
  const oneFull = [member(1, 0), member(2, 9)];
  const l = findLocalListener(oneFull, '127.0.0.1')!;
  assert.deepEqual(l, { local: '127.0.0.1:8080', pending: 9, backlog: 8, by: 'python3/2', pid: 2, groupSize: 2 });
  const d = diagnoseConnectError('ETIMEDOUT', { address: '127.0.0.1', port: 8080, timeoutMs: 700, route: local, listeners: oneFull, listener: l });
  assert.equal(d.summary, 'no answer from 127.0.0.1:8080 within 700 ms: the accept queue of the listener 127.0.0.1:8080 on this host (1 of the 2 SO_REUSEPORT listeners there; the kernel hashes each new connection to one of them) is full (9 waiting for accept(), backlog 8), so the kernel drops new SYNs: python3/2 is not accepting fast enough');
  // One process holding both: told apart by fd.
  const same = [member(1, 9, { owners: [{ pid: 7, name: 'srv', fd: 5 }] }), member(2, 9, { owners: [{ pid: 7, name: 'srv', fd: 6 }] })];
  const both = findLocalListener(same, '127.0.0.1')!;
  assert.deepEqual(both.candidates?.map((c) => c.by), ['srv/7 fd 5', 'srv/7 fd 6']);
  const d2 = diagnoseConnectError('ETIMEDOUT', { address: '127.0.0.1', port: 8080, timeoutMs: 700, route: local, listeners: same, listener: both });
  assert.equal(d2.summary, 'no answer from 127.0.0.1:8080 within 700 ms: the accept queues of 2 of the 2 SO_REUSEPORT listeners on 127.0.0.1:8080 on this host are full, so the kernel drops the new SYNs it hashes to them: srv/7 fd 5 (Recv-Q 9, backlog 8), srv/7 fd 6 (Recv-Q 9, backlog 8); which one this SYN went to cannot be told');
  // Backlog unknown (procfs, netstat): members holding connections are the suspects.
  const unknown = [member(1, 0, { backlog: undefined }), member(2, 2, { backlog: undefined })];
  assert.deepEqual(findLocalListener(unknown, '127.0.0.1'), { local: '127.0.0.1:8080', pending: 2, by: 'python3/2', pid: 2, groupSize: 2 });
  // A library caller's listener without owners: found among the listeners by address, as before.
  const plain = diagnoseConnectError('ETIMEDOUT', { address: '127.0.0.1', port: 8080, route: local, listeners: [member(4, 9)], listener: { local: '127.0.0.1:8080', pending: 9, backlog: 8 } });
  assert.match(plain.summary, /: python3\/4 is not accepting fast enough$/);
});
