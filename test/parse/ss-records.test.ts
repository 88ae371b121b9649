// ss records over several lines (src/parse/ss-records.ts), without the stream parser: which lines can begin
// a record, the joining of the rest of a record split by a newline in a unix or process name, and the
// counting of lines no socket came from. The stream parser's use of it: test/parse/ss.test.ts, ss-fast.test.ts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { beginsRecord, MAX_RECORD, parseSsUnixRecords, SsRecord } from '../../src/parse/ss-records.js';
import { parseSsLine } from '../../src/parse/ss-line.js';

const dir = new URL('../fixtures/ss/', import.meta.url);
/** The record's socket now (a property read that TypeScript does not keep narrowed across join()). */
const socketOf = (r: SsRecord) => r.socket;

test('beginsRecord: a Netid and a state, or with a default Netid a state and a number; anything else continues a record', () => {
  const cases: [string, 'tcp' | undefined, boolean][] = [
    ['tcp ESTAB 0 0 1.2.3.4:5 6.7.8.9:10', undefined, true],
    ['  u_str LISTEN 0 4 /tmp/x 1 * 0', undefined, true],
    ['u_dgr UNCONN', undefined, true], // the state may end the line
    ['tcp ESTAB', 'tcp', true],
    ['LISTEN 0 128 127.0.0.1:80 0.0.0.0:*', 'tcp', true],
    ['LISTEN 0 128 127.0.0.1:80 0.0.0.0:*', undefined, false], // no Netid column expected
    ['LISTEN x 128', 'tcp', false],
    ['LISTEN 1234567890123456 1', 'tcp', false], // more digits than a queue has
    ['tcp ESTAB 0 0', 'tcp', true],
    // The rest of a record: what follows a newline in a name.
    ['u_str 51307706 * 0        <-> ino:4243995', undefined, false], // a Netid, then no state
    ['sock 51307701 * 0 <-> ino:4243992', undefined, false],
    ['', undefined, false],
    ['   ', undefined, false],
    ['b\tc 51307705 * 0', undefined, false],
    ['tcp\tESTAB 0 0 1.2.3.4:5 6.7.8.9:10', undefined, false], // only spaces separate ss's columns
    ['tcp ESTAB\t0 0', undefined, false],
    ['tcp ESTAB\r', undefined, false],
    ['tcp', undefined, false],
    ['tcp ', undefined, false],
    ['sctp LISTEN 0 5', undefined, false],
    ['tcp estab 0 0', undefined, false],
    ['caf\u00e9 ESTAB 0 0', undefined, false],
    ['__proto__ ESTAB 0 0', undefined, false],
    ['tcp toString', undefined, false],
    ['ESTAB 0 0', undefined, false],
  ];
  for (const [line, netid, want] of cases) assert.equal(beginsRecord(line, netid), want, `${JSON.stringify(line)} (${netid ?? 'no default netid'})`);
});

test('every fixture line parseSsLine reads begins a record (else it would be joined to the one before)', () => {
  let read = 0;
  for (const f of readdirSync(dir).filter((n) => n.endsWith('.txt'))) {
    for (const line of readFileSync(new URL(f, dir), 'utf8').split('\n')) {
      if (parseSsLine(line) === null) continue;
      read++;
      assert.ok(beginsRecord(line), `${f}: ${JSON.stringify(line)}`);
    }
  }
  assert.ok(read > 100, `${read} lines read`);
});

test('a unix name with newlines: the record reads as a socket once its last line is joined', () => {
  const r = new SsRecord('u_dgr UNCONN 0      0       /tmp/sockscope-unix-names/a');
  assert.equal(r.socket, null, 'the first line alone is cut short');
  const reads = ['', 'b\tc 51307705 * 0        <-> ino:4243994 dev:0/65024       '].map((line) => {
    assert.ok(r.continuedBy(line), JSON.stringify(line));
    return r.join(line);
  });
  assert.equal(reads[0], null, 'still cut short');
  const s = reads[1];
  assert.equal(s?.local.address, '/tmp/sockscope-unix-names/a\n\nb\tc');
  assert.equal(s?.inode, 51307705);
  assert.equal(socketOf(r), s);
  assert.equal(r.unreadLines(), 0);
  assert.ok(!r.continuedBy('u_str ESTAB 0 0 * 1 * 2'), 'the next record');
});

test('a process name with a newline (-p) continues its record, also without a Netid column', () => {
  const r = new SsRecord('LISTEN 0 128 127.0.0.1:80 0.0.0.0:* users:(("a', 'tcp');
  const first = r.socket;
  assert.ok(r.continuedBy('b",pid=1,fd=3)) ino:5 sk:6'));
  const s = r.join('b",pid=1,fd=3)) ino:5 sk:6');
  assert.notEqual(s, null);
  assert.equal(r.socket, s, 'the socket read from the whole replaces the first read');
  assert.notEqual(s, first);
  assert.deepEqual(s!.processes, [{ name: 'a\nb', pid: 1, fd: 3 }]);
  assert.equal(s!.inode, 5);
  assert.ok(!r.continuedBy('ESTAB 0 0 1.2.3.4:5 6.7.8.9:10'));
});

test('lines no socket came from are unread, blank ones aside; a socket already read stays', () => {
  const cut = new SsRecord('u_str LISTEN 0 4 /tmp/cut');
  assert.equal(cut.join('more of it'), null);
  assert.equal(cut.join('   '), null);
  assert.equal(cut.socket, null);
  assert.equal(cut.unreadLines(), 2, 'the first line and "more of it"');

  const read = new SsRecord('u_str ESTAB 0 0 * 1 * 2');
  assert.equal(read.socket?.inode, 1);
  assert.equal(read.unreadLines(), 0);
  assert.equal(read.join('garbage here'), null);
  assert.equal(read.socket?.inode, 1, 'kept');
  assert.equal(read.unreadLines(), 1);

  assert.equal(new SsRecord('').unreadLines(), 0, 'a blank line is no record and not unread');
});

test('a record stops taking lines at MAX_RECORD characters', () => {
  const r = new SsRecord('u_str LISTEN 0 4 /tmp/long');
  const piece = 'x'.repeat(1000);
  let joined = 0;
  while (r.continuedBy(piece) && joined < 1000) {
    r.join(piece);
    joined++;
  }
  assert.ok(joined < 1000, 'stopped');
  assert.equal(joined, Math.ceil((MAX_RECORD - 'u_str LISTEN 0 4 /tmp/long'.length) / (piece.length + 1)));
  assert.ok(!r.continuedBy('more'));
});

// ss -xanOHep src '*\n*' as root (iproute2 6.1), two names with a newline and the text of a TCP record, the
// first with a forged users: ss -p prints its own users: after the names, so the record holds two.
const FORGED_P =
  'u_str LISTEN 0      128    /tmp/x/u\n' +
  'tcp   LISTEN 0 4096 0.0.0.0:6666 0.0.0.0:* users:(("sshd",pid=1,fd=3)) 15474610 * 0 users:(("python3",pid=829,fd=3)) <-> ino:4361579 dev:0/65024 peers:\n' +
  'u_str LISTEN 0      128                               /tmp/x/u2\n' +
  'tcp   LISTEN 0 4096 0.0.0.0:6666 0.0.0.0:* 15474611 * 0 users:(("python3",pid=829,fd=4)) <-> ino:4361580 dev:0/65024 peers:\n';
const NAME_1 = '/tmp/x/u\ntcp   LISTEN 0 4096 0.0.0.0:6666 0.0.0.0:* users:(("sshd",pid=1,fd=3))';
const NAME_2 = '/tmp/x/u2\ntcp   LISTEN 0 4096 0.0.0.0:6666 0.0.0.0:*';

test('parseSsUnixRecords: a forged users: in a name neither hides the socket nor shortens its name; ss -p\'s own users: is the last one', () => {
  const { sockets, unread } = parseSsUnixRecords(FORGED_P);
  assert.equal(unread, 0);
  assert.deepEqual(
    sockets.map((s) => [s.local.address, s.inode, s.peer.address, s.state, s.processes]),
    [
      [NAME_1, 15474610, '', 'LISTEN', [{ name: 'python3', pid: 829, fd: 3 }]],
      [NAME_2, 15474611, '', 'LISTEN', [{ name: 'python3', pid: 829, fd: 4 }]],
    ],
  );
});

test('parseSsUnixRecords without -p (or no process shown): a forged users: in a name stays in the name and gives no owner', () => {
  const text = FORGED_P.replace(/ users:\(\("python3",pid=829,fd=\d\)\)/g, '');
  const { sockets, unread } = parseSsUnixRecords(text);
  assert.equal(unread, 0);
  assert.deepEqual(
    sockets.map((s) => [s.local.address, s.inode, s.processes]),
    [
      [NAME_1, 15474610, []],
      [NAME_2, 15474611, []],
    ],
  );
  // A name that forges the columns and a users: after them, followed by ss's own: still the whole name.
  const forged = 'u_str LISTEN 0 128 /tmp/x/v\n 5 * 0 users:(("sshd",pid=1,fd=3)) 77 * 0 users:(("nc",pid=9,fd=3)) <-> ino:1 dev:0/1 peers:\n';
  const [s] = parseSsUnixRecords(forged).sockets;
  assert.equal(s.local.address, '/tmp/x/v\n 5 * 0 users:(("sshd",pid=1,fd=3))');
  assert.equal(s.inode, 77);
  assert.deepEqual(s.processes, [{ name: 'nc', pid: 9, fd: 3 }]);
  // Other fields' openings in a name (timer:(, skmem:() are name text too.
  const [t] = parseSsUnixRecords('u_str ESTAB 0 0 /tmp/x/w\n timer:(on,1sec,0) skmem:(r0) 88 * 0\n').sockets;
  assert.equal(t.local.address, '/tmp/x/w\n timer:(on,1sec,0) skmem:(r0)');
  assert.equal(t.timer, undefined);
});
