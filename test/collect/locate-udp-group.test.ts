// review-udp #5: inspect-options --port P on an SO_REUSEPORT group of UDP sockets opened the first one
// listed, a healthy member, while the kernel kept hashing flows to one that is never read. locateListener
// now picks the member whose drop counter rises (else the fullest queue) and says which the others are.
// Real sockets on loopback: 4 members, one with an 8 KiB SO_RCVBUF never read; senders from new source
// ports (bounded: at most 4 s of 40 datagrams per 20 ms).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createSocket } from 'node:dgram';
import { locateListener } from '../../src/collect/getsockopt-locate.js';
import { createSource } from '../../src/collect/index.js';
import { startPythonHolder } from '../helpers/python-holder.js';

const HOLDER = [
  'import socket, json, os, sys, threading',
  'socks = []',
  'port = 0',
  'for i in range(4):',
  '    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)',
  '    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)',
  '    if i == 1: s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 8192)',
  "    s.bind(('127.0.0.1', port))",
  '    port = s.getsockname()[1]',
  '    socks.append(s)',
  'def drain(s):',
  '    while True: s.recv(65536)',
  'for i, s in enumerate(socks):',
  '    if i != 1: threading.Thread(target=drain, args=(s,), daemon=True).start()',
  "print(json.dumps({'pid': os.getpid(), 'port': port, 'fds': [s.fileno() for s in socks]}), flush=True)",
  'sys.stdin.read()',
].join('\n');

test('locateListener on a UDP SO_REUSEPORT group: the unread member that drops, and the others named', { timeout: 60_000 }, async (t) => {
  const h = await startPythonHolder<{ pid: number; port: number; fds: number[] }>(t, HOLDER);
  const payload = Buffer.alloc(500, 0x62);
  let sending = true;
  const deadline = Date.now() + 4000;
  const sender = (async () => {
    while (sending && Date.now() < deadline) {
      // A new source port for each datagram: the group's hash spreads them over the 4 members.
      await Promise.all(
        Array.from({ length: 40 }, async () => {
          const tx = createSocket('udp4');
          await new Promise<void>((res) => tx.send(payload, h.port, '127.0.0.1', () => res()));
          tx.close();
        }),
      );
      await new Promise((r) => setTimeout(r, 20));
    }
  })();
  try {
    await new Promise((r) => setTimeout(r, 500));
    const located = await locateListener(h.port, createSource('auto'));
    assert.ok(located, 'found');
    assert.equal(located.socket.protocol, 'udp');
    assert.deepEqual(located.holders.map((x) => [x.pid, x.fd]), [[h.pid, h.fds[1]]], located.choice);
    assert.equal(located.others.length, 3);
    assert.match(located.choice!, new RegExp(`^chosen: udp 127\\.0\\.0\\.1:${h.port} inode \\d+ fd ${h.fds[1]} of pid ${h.pid}, the member (whose drop counter rose|with the fullest receive queue)`));
    for (const fd of [0, 2, 3].map((i) => h.fds[i])) assert.match(located.choice!, new RegExp(`fd ${fd} of pid ${h.pid}`));
  } finally {
    sending = false;
    await sender;
  }
});
