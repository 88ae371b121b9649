// The socket view's FD FLAGS and SOCKET OPTIONS sections of a socket no process can hold put "none: " before
// a reason that begins "no process holds it": "none: no process holds it: its process closed it (…)"
// (review api #9). The line is now the reason alone. Pure: sockets as the collectors give them.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Socket } from '../../src/model/socket.js';
import { socketLines } from '../../src/ui/socket-lines.js';

function tcp(state: string, inode: number): Socket {
  return { protocol: 'tcp', ipVersion: 4, state, local: { address: '127.0.0.1', port: 8080 }, peer: { address: '127.0.0.1', port: 40000 }, recvQ: 0, sendQ: 0, inode, processes: [] } as Socket;
}

/** The lines under one heading, up to the next blank line. */
function section(s: Socket, heading: string): string[] {
  const texts = socketLines(s, undefined, { attribution: 'all', source: 'netlink', detailsSeen: true }).map((l) => l.text);
  const i = texts.indexOf(heading);
  assert.ok(i >= 0, `no ${heading} in\n${texts.join('\n')}`);
  const end = texts.indexOf('', i);
  return texts.slice(i + 1, end < 0 ? undefined : end);
}

for (const [state, inode, want] of [
  ['ESTABLISHED', 0, "  no process holds it yet: not accepted (it waits in the listener's accept queue; no process holds it until accept())"],
  ['SYN_RECV', 0, '  no process holds it yet: the handshake is not complete'],
  ['FIN_WAIT2', 0, '  no process holds it: its process closed it (an orphan the kernel finishes)'],
  ['LAST_ACK', 0, '  no process holds it: its process closed it (an orphan the kernel finishes)'],
  ['TIME_WAIT', 0, '  a TIME_WAIT socket belongs to no process any more'],
] as const) {
  test(`${state} with inode ${inode}: fd flags and options say why once, with no "none: " before it`, () => {
    for (const heading of ['FD FLAGS (/proc/PID/fdinfo)', 'SOCKET OPTIONS (getsockopt)']) assert.deepEqual(section(tcp(state, inode), heading), [want]);
  });
}

test('a socket a process may hold (an inode, no owner known) is not said to be held by none', () => {
  for (const heading of ['FD FLAGS (/proc/PID/fdinfo)', 'SOCKET OPTIONS (getsockopt)']) {
    const lines = section(tcp('ESTABLISHED', 4242), heading);
    assert.ok(!lines.some((l) => /no process holds it/.test(l)), lines.join('\n'));
  }
});
