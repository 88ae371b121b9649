// Review s23 (monitor) finding 4: byte queues read in two bases for the same socket: the port view's RECV-Q and
// SEND-Q cells in decimal k/M (compactNumber: SEND-Q 3.8M, a UDP socket's 23.0k) and the socket view and the home
// QUEUE cell in binary (send queued 3.7M, 22.5 KiB). Every byte figure of the monitor is now format.ts bytes
// (1024, IEC names: "22.5 KiB", "3.7 MiB"); a listener's RECV-Q/SEND-Q stay connection counts. The built
// bin/sockscope in tmux, in a network namespace of its own: a UDP socket holding unread datagrams, and a TCP
// connection whose server side has sent until its buffer is full to a client that never reads.
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { bytes } from '../../src/ui/format.js';
import { createNetns, deleteNetns, netnsScript, stopNetnsScript } from '../helpers/netns.js';
import { hasTmux, pane, ROOT, tmuxServer, tmuxSkip } from '../helpers/tmux.js';

const NS = `sockscope-units-${process.pid}`;
const root = process.getuid?.() === 0;

const HOLDER = String.raw`
import socket, sys, os, threading
keep = []
U = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); U.bind(('127.0.0.1', 5353)); keep.append(U)
tx = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
for i in range(30): tx.sendto(b'x' * 1000, ('127.0.0.1', 5353))
L = socket.socket(); L.bind(('127.0.0.1', 8080)); L.listen(16); keep.append(L)
c = socket.socket(); c.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096); c.connect(('127.0.0.1', 8080)); keep.append(c)
a = L.accept()[0]; keep.append(a); a.setblocking(False)
sent = 0
try:
    while True: sent += a.send(b'y' * 65536)
except BlockingIOError: pass
print('ready', sent, flush=True)
threading.Timer(120, lambda: os._exit(0)).start()
sys.stdin.read()
os._exit(0)
`;

describe('byte figures in one base (1024) in every view (netns)', { skip: tmuxSkip || (root ? false : 'needs root (network namespace)') }, () => {
  const tmux = tmuxServer('sockscope-units');
  let session = '';
  const { capture, until } = pane(tmux, session);
  let holder: ChildProcess | undefined;

  before(async () => {
    assert.ok(hasTmux, 'tmux is required for this test');
    assert.ok(existsSync(`${ROOT}dist/cli.js`), 'dist/cli.js missing: run npm run build');
    createNetns(NS);
    holder = (await netnsScript(NS, HOLDER)).proc;
  });

  after(() => {
    tmux('kill-server');
    stopNetnsScript(holder);
    deleteNetns(NS);
  });

  async function start(name: string, args: string[], ready: (s: string) => boolean): Promise<void> {
    session = name;
    const r = tmux('new-session', '-d', '-s', name, '-x', '160', '-y', '60', '-e', 'CI=false', '-c', ROOT, 'ip', 'netns', 'exec', NS, 'bin/sockscope', '--interval', '500ms', ...args);
    assert.equal(r.status, 0, r.stderr);
    await until(ready, `${name}: the first screen`);
  }
  /** The cell under a right-aligned column title (`width` cells) in the row holding `rowText`. */
  const cellOf = (screen: string, title: string, width: number, rowTest: RegExp): string => {
    const lines = screen.split('\n');
    const header = lines.find((l) => l.includes(` ${title}`) && (l.includes('PEER') || l.includes('PORT')))!;
    assert.ok(header, `no header with ${title}:\n${screen}`);
    const end = header.indexOf(title) + title.length;
    const row = lines.find((l) => rowTest.test(l));
    assert.ok(row, `no row ${rowTest}:\n${screen}`);
    return row.slice(end - width, end).trim();
  };
  const iec = /^\d+(\.\d)? (B|KiB|MiB|GiB)$/;

  it('a UDP queue: the home QUEUE cell and the port view RECV-Q cell say the same, in KiB', async () => {
    await start('udp', ['--port', '5353'], (s) => / 5353 udp /.test(s));
    const home = capture();
    const queue = cellOf(home, 'QUEUE', 9, / 5353 udp /);
    assert.match(queue, /^\d+(\.\d)? KiB$/, home);
    tmux('send-keys', '-t', session, 'Enter');
    const view = await until((s) => /UDP PORT 5353: SOCKETS/.test(s) && /UNCONN/.test(s), 'the port view');
    const recvQ = cellOf(view, 'RECV-Q', 8, /UNCONN/);
    assert.equal(recvQ, queue, `the same queue in the port view:\n${view}`);
  });

  it("a TCP send queue: the port view's SEND-Q cell is bytes() of the socket view's Send-Q, and the socket view's memory in the same form; the listener's cells stay counts", async () => {
    await start('tcp', ['--port', '8080'], (s) => / 8080 tcp /.test(s));
    tmux('send-keys', '-t', session, 'Enter');
    const view = await until((s) => /TCP PORT 8080: SOCKETS 2/.test(s) && /LISTEN/.test(s), 'the port view');
    const listenerRow = /^.*LISTEN.*$/m;
    assert.deepEqual([cellOf(view, 'RECV-Q', 8, listenerRow), cellOf(view, 'SEND-Q', 8, listenerRow)], ['0', '16'], view);
    // The server side (--port 8080: the client's socket is on its own port), its SEND-Q full.
    const full = cellOf(view, 'SEND-Q', 8, /ESTAB/);
    assert.match(full, iec, view);
    // Its socket view: the only ESTAB row, selected by a filter, then Enter.
    tmux('send-keys', '-t', session, '/');
    await until((s) => s.includes('Enter keep'), 'the filter bar');
    tmux('send-keys', '-t', session, 'ESTAB', 'Enter');
    await until((s) => s.includes('filter "ESTAB"') && !s.includes('Enter keep'), 'the filtered table');
    tmux('send-keys', '-t', session, 'Enter');
    const socketView = await until((x) => /^SOCKET tcp/m.test(x) && /send: used \/ buffer/.test(x), 'the socket view');
    // Exact and in the monitor's byte form (review s23 #6: the raw count stood beside a cell in MiB).
    const sendQLine = /^\s*Send-Q\s+(\d+) B \((.+)\)$/m.exec(socketView);
    assert.ok(sendQLine, socketView);
    const sendQ = Number(sendQLine[1]);
    assert.ok(sendQ >= 10_000, socketView);
    assert.equal(sendQLine[2], bytes(sendQ), socketView);
    // The cell was read a moment before: the queue is still (the client never reads).
    assert.equal(full, bytes(sendQ), socketView);
    for (const key of ['receive: used / buffer', 'send: used / buffer']) {
      const line = socketView.split('\n').find((l) => l.trim().startsWith(key))!;
      for (const v of line.slice(line.indexOf(key) + key.length).trim().split(' / ')) assert.match(v, iec, line);
    }
    const queued = socketView.split('\n').find((l) => /^\s*send queued\s/.test(l))!;
    assert.match(queued.replace(/^\s*send queued\s+/, ''), iec, queued);
    // Grouped by peer (p): the peer's SEND-Q (its sockets' together, here the one) in the same form.
    tmux('send-keys', '-t', session, 'Escape');
    await until((x) => x.includes('filter "ESTAB"'), 'the port view again');
    tmux('send-keys', '-t', session, 'p');
    const grouped = await until((x) => x.includes('PEER ADDRESS'), 'the port view by peer');
    assert.equal(cellOf(grouped, 'SEND-Q', 8, /^\s*\S*\s*127\.0\.0\.1\s/), bytes(sendQ), grouped);
  });
});
