// ss prints unix names and process names (-p) byte for byte. A byte that is not UTF-8 must stay itself
// (decodeUtf8's U+DC80..U+DCFF, shown \xNN), as the netlink and procfs sources keep it, not become U+FFFD:
// otherwise two names that differ only in such bytes read alike, and the ss source names a socket
// differently from the others. The lines are ss 6.1's, captured with a python3 listener bound at
// b'/tmp/fx11/s\xff\xfe\xc3\xa9x' (the real-socket test: test/collect/unix-name-bytes.test.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SsStreamParser } from '../../src/parse/ss-stream.js';
import { escapeControl } from '../../src/model/escape.js';
import type { Socket } from '../../src/model/socket.js';

const bytes = (...parts: (string | number[])[]): Buffer => Buffer.concat(parts.map((p) => (typeof p === 'string' ? Buffer.from(p, 'latin1') : Buffer.from(p))));

/** ss -xanOHe -p's line for the listener (process name changed to hold a bad byte too). */
const LINE = bytes('u_str LISTEN 0      128    /tmp/fx11/s', [0xff, 0xfe, 0xc3, 0xa9], 'x 59985560 * 0    users:(("py', [0xff], 'thon3",pid=31709,fd=3)) <-> ino:4325539 dev:0/65024 peers:\n');
const NAME = '/tmp/fx11/s\udcff\udcfe\u00e9x';

function parse(chunks: Buffer[]): { sockets: Socket[]; parser: SsStreamParser } {
  const parser = new SsStreamParser();
  for (const c of chunks) parser.push(c);
  return { sockets: parser.end(), parser };
}

test('a unix name and a process name with bytes that are not UTF-8 keep them (U+DCxx), shown \\xNN', () => {
  const { sockets, parser } = parse([LINE]);
  assert.equal(sockets.length, 1);
  assert.equal(parser.unreadLines, 0);
  const s = sockets[0];
  assert.equal(s.local.address, NAME);
  assert.equal(s.inode, 59985560);
  assert.deepEqual(s.processes, [{ name: 'py\udcffthon3', pid: 31709, fd: 3 }]);
  assert.equal(escapeControl(s.local.address), '/tmp/fx11/s\\xff\\xfe\u00e9x');
  assert.equal(escapeControl(s.processes[0].name), 'py\\xffthon3');
});

test('names that differ only in a byte that is not UTF-8 stay apart', () => {
  const other = Buffer.from(LINE);
  other[other.indexOf(0xfe)] = 0xfd;
  const [a] = parse([LINE]).sockets;
  const [b] = parse([other]).sockets;
  assert.notEqual(a.local.address, b.local.address);
  assert.equal(b.local.address, '/tmp/fx11/s\udcff\udcfd\u00e9x');
});

test('the same sockets whatever the chunk boundaries (between the bad bytes, inside the é)', () => {
  const whole = parse([LINE]).sockets;
  assert.equal(whole[0].local.address, NAME);
  for (let cut = 1; cut < LINE.length; cut++) assert.deepStrictEqual(parse([LINE.subarray(0, cut), LINE.subarray(cut)]).sockets, whole, `cut at ${cut}`);
});

test('a record split by a newline in the name keeps the bad bytes on both lines', () => {
  const line = bytes('u_str LISTEN 0 128 /tmp/a', [0xff], '\n', [0xfe], 'b 51307701 * 0 <-> ino:1 dev:0/1 peers:\n', 'tcp ESTAB 0 0 127.0.0.1:5 127.0.0.1:6 ino:7 sk:8\n');
  const { sockets, parser } = parse([line]);
  assert.equal(parser.unreadLines, 0);
  assert.deepEqual(
    sockets.map((s) => [s.protocol, s.local.address]),
    [
      ['unix', '/tmp/a\udcff\n\udcfeb'],
      ['tcp', '127.0.0.1'],
    ],
  );
});

test('a tcp line with a non-ASCII byte in a tail token still reads (the slow path), and the fast path is not taken for it', () => {
  const line = bytes('tcp ESTAB 0 0 127.0.0.1:5 127.0.0.1:6 ino:7 sk:8 cgroup:/caf', [0xff], ' <->\n');
  const { sockets, parser } = parse([line]);
  assert.equal(parser.slowLines, 1);
  assert.deepEqual([sockets[0].local.port, sockets[0].inode, sockets[0].cookie], [5, 7, '8']);
});
