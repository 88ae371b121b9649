// dropStdioSockets, shared by the ss and netstat sources: only unnamed unix sockets go, by their inode or
// their peer's; by index (ss's unixAt) or by a scan (netstat); the rest keep their order.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dropStdioSockets } from '../../src/collect/stdio-sockets.js';
import type { Socket } from '../../src/model/socket.js';

const unix = (inode: number, address = '', peerInode?: number): Socket =>
  ({ protocol: 'unix', state: 'ESTABLISHED', local: { address, port: 0 }, peer: { address: '', port: 0 }, recvQ: 0, sendQ: 0, processes: [], inode, ...(peerInode ? { peerInode } : {}) }) as Socket;
const tcp = (inode: number): Socket => ({ protocol: 'tcp', state: 'ESTABLISHED', local: { address: '127.0.0.1', port: 1 }, peer: { address: '127.0.0.1', port: 2 }, recvQ: 0, sendQ: 0, processes: [], inode });

const list = () => [unix(1), tcp(2), unix(3, '/run/x'), unix(4, '', 2), unix(5, '', 90), tcp(90), unix(90), unix(6)];
const own = new Set([2, 3, 90]);
const kept = (s: Socket[]) => s.map((x) => `${x.protocol}${x.inode}`);
const want = ['unix1', 'tcp2', 'unix3', 'tcp90', 'unix6'];

test('by a scan: unnamed unix sockets whose inode or peer inode is own go; named ones and tcp stay', () => {
  const s = list();
  dropStdioSockets(s, own);
  assert.deepEqual(kept(s), want);
});

test('by index (ss unixAt): the same result, and only the listed indexes are looked at', () => {
  const s = list();
  dropStdioSockets(s, own, [0, 2, 3, 4, 6, 7]);
  assert.deepEqual(kept(s), want);
  const t = list();
  dropStdioSockets(t, own, [0, 2, 3, 6, 7]);
  assert.deepEqual(kept(t), ['unix1', 'tcp2', 'unix3', 'unix5', 'tcp90', 'unix6']);
});

test('nothing own: nothing goes', () => {
  const s = list();
  dropStdioSockets(s, new Set());
  assert.equal(s.length, 8);
});
