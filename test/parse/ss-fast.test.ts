// The byte-level fast path of the ss parser (SsStreamParser) against the line parser it stands in
// for (parseSsLine): the same records, key for key and in the same key order (JSON output), on
// every fixture line, on generated lines, and whatever the chunk boundaries; and every line it reads as a
// socket begins a record (ss-records.ts), so that it may end a held one.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { parseSs, parseSsLine, SsStreamParser } from '../../src/parse/ss.js';
import { beginsRecord } from '../../src/parse/ss-records.js';
import type { Socket } from '../../src/model/socket.js';

const dir = new URL('../fixtures/ss/', import.meta.url);
const fixtures = readdirSync(dir).filter((f) => f.endsWith('.txt'));
const fx = (name: string) => readFileSync(new URL(name, dir), 'utf8');

/** One line through the stream parser, and whether it took the fast path. */
function streamOne(line: string, netid?: 'tcp' | 'udp'): { sock: Socket | null; fast: boolean } {
  const p = new SsStreamParser(netid);
  p.push(Buffer.from(`${line}\n`, 'utf8'));
  const out = p.end();
  assert.ok(out.length <= 1);
  return { sock: out[0] ?? null, fast: p.slowLines === 0 };
}

function same(line: string, netid?: 'tcp' | 'udp'): boolean {
  const want = parseSsLine(line, netid);
  const { sock, fast } = streamOne(line, netid);
  assert.deepStrictEqual(sock, want, `line: ${JSON.stringify(line)} (${netid ?? 'no default netid'})`);
  assert.equal(JSON.stringify(sock), JSON.stringify(want), `key order, line: ${JSON.stringify(line)}`);
  // The stream ends a held record at a line the fast path reads without asking ss-records.ts: it must agree.
  if (fast && sock !== null) assert.ok(beginsRecord(line, netid), `the fast path read a line that begins no record: ${JSON.stringify(line)}`);
  return fast;
}

test('every fixture line: the stream parser gives what parseSsLine gives', () => {
  let fast = 0;
  let lines = 0;
  for (const f of fixtures) {
    for (const line of fx(f).split('\n')) {
      lines++;
      if (same(line)) fast++;
      if (same(line, 'tcp')) fast++;
    }
  }
  assert.ok(fast > 100, `the fast path was taken ${fast} times over ${lines} lines`);
});

test('a real 100,000-socket capture (sample): every tcp line takes the fast path', () => {
  const text = fx('bench-load-sample.txt');
  const p = new SsStreamParser();
  p.push(Buffer.from(text));
  const socks = p.end();
  const tcpLines = text.split('\n').filter((l) => l.startsWith('tcp')).length;
  const unixLines = text.split('\n').filter((l) => l.startsWith('u_')).length;
  assert.equal(socks.length, tcpLines + unixLines);
  assert.equal(p.slowLines, unixLines, 'only unix lines go the slow way');
  const tw = socks.find((s) => s.state === 'TIME_WAIT')!;
  assert.equal(tw.timer?.name, 'timewait');
  assert.equal(tw.inode, 0);
  assert.equal(tw.uid, 0);
  assert.match(tw.cookie!, /^\d+$/);
});

// Generated lines: the shapes ss prints and near misses of them.
const STATES = ['ESTAB', 'LISTEN', 'TIME-WAIT', 'SYN-SENT', 'SYN-RECV', 'FIN-WAIT-1', 'FIN-WAIT-2', 'CLOSE-WAIT', 'LAST-ACK', 'CLOSING', 'UNCONN', 'CLOSE', 'BOGUS', 'estab'];
const ENDPOINTS = [
  '127.0.0.1:80', '10.0.0.5:65535', '0.0.0.0:*', '255.255.255.255:1', '1.2.3.4:0', '1.2.3.4:65536', '1.2.3.4:', '01.2.3.4:5', '1.2.3.04:5',
  '256.1.1.1:2', '1.2.3:4', '1.2.3.4.5:6', '1..2.3:4', '127.0.0.1%lo:53', '0.0.0.0%eth0:*', '[::1]:8080', '[::]:*', '[::ffff:10.1.2.3]:443',
  '[::FFFF:10.1.2.3]:443', '[FE80::1]:22', '[fe80::1%eth0]:22', '[fe80::1]%eth0:22', '[fe80::1%]:22', '*:22', '*:*', '[*]:1', '[]:1', 'x:1', ':80', '1.2.3.4:8x', '[::1]x:80',
];
const TAILS = [
  '', 'ino:0 sk:1', 'ino:12345 sk:213bc0 cgroup:/ <->', 'uid:1000 ino:5678 sk:2 cgroup:/user.slice <->', 'timer:(timewait,54sec,0) ino:0 sk:213bc9',
  'timer:(keepalive,119min,0) uid:33 ino:21319 sk:ffffffffffffffff <->', 'timer:(on,1.020ms,2) uid:1000 ino:9999 sk:3 <->', 'timer:(on,2min5sec,4) ino:0 sk:4 -->',
  'timer:(persist,200ms) ino:7 sk:8 ---', 'timer:(weird,soon,x) ino:1 sk:2 <--', 'ino:1 ino:2 sk:3', 'sk:3 ino:4', 'sk:zz ino:4', 'sk: ino:4', 'ino:x sk:1',
  'ino:1234567890123456 sk:1', 'sk:1fffffffffffff ino:1', 'sk:20000000000000 ino:1', 'cgroup:/a(b) ino:1', 'v6only:1 <->', 'v6only:x', 'ino:1 sk:2 cgroup:/ v6only:0 <-> extra',
  '<>- ino:1', 'ts sack cubic wscale:7,7 rto:204 rtt:0.5/0.25 cwnd:10', 'skmem:(r0,rb131072,t0,tb2626560,f0,w0,o0,bl0,d0) ino:3 sk:4', 'bbr:(bw:1Mbps) ino:3 sk:4',
  'users:(("nginx",pid=1,fd=6)) ino:3 sk:4', 'timer:(on,1sec,0)ino:3 sk:4', 'timer:(on,1sec,0) timer:(on,2sec,0) ino:3', 'ino:3\tsk:4', 'ino:3 sk:4 cgroup:/caf\u00e9 <->', 'uid:0 ino:3 sk:4',
];

test('generated lines: the fast path accepts the common shapes and gives way on everything else', () => {
  let fast = 0;
  let total = 0;
  let seed = 7;
  const rand = (n: number): number => {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    return (seed >> 8) % n;
  };
  // Mostly what ss prints (the first few entries of each list), sometimes anything.
  const pick = <T>(xs: readonly T[], common: number): T => xs[rand(4) === 0 ? rand(xs.length) : rand(common)];
  for (let n = 0; n < 4000; n++) {
    const netid = pick(['tcp', 'udp', 'sctp', '', 'u_str'], 2);
    const q = () => pick(['0', '1', '1000', '4096', '-1', '1e3', 'x', ''], 4);
    const pad = () => ' '.repeat(1 + rand(7));
    const line = `${pick(['', '  '], 2)}${netid}${netid ? pad() : ''}${pick(STATES, 12)}${pad()}${q()}${pad()}${q()}${pad()}${pick(ENDPOINTS, 4)}${pad()}${pick(ENDPOINTS, 4)}${pad()}${pick(TAILS, 10)}${pick(['', '   ', ' \t', '\r'], 2)}`;
    for (const d of [undefined, 'tcp', 'udp'] as const) {
      total++;
      if (same(line, d)) fast++;
    }
  }
  assert.ok(fast > total / 20, `fast path taken ${fast} of ${total}`);
});

test('chunk boundaries anywhere give the same sockets as one piece', () => {
  const text = fixtures.map(fx).join('');
  const whole = parseSs(text);
  const bytes = Buffer.from(text);
  for (const size of [1, 2, 3, 7, 64, 4096]) {
    const p = new SsStreamParser();
    for (let i = 0; i < bytes.length; i += size) p.push(bytes.subarray(i, i + size));
    assert.deepStrictEqual(p.end(), whole, `chunks of ${size} bytes`);
  }
  // A multi-byte character split across chunks.
  const line = 'u_str ESTAB 0 0 /tmp/caf\u00e9 1 * 2 users:(("\u00e9\u00e9",pid=1,fd=2))\n';
  const b = Buffer.from(line);
  const cut = b.indexOf(0xc3) + 1;
  const p = new SsStreamParser();
  p.push(b.subarray(0, cut));
  p.push(b.subarray(cut));
  assert.deepStrictEqual(p.end(), parseSs(line));
  assert.equal(parseSs(line)[0].local.address, '/tmp/caf\u00e9');
});

test('a last line without its newline is dropped, also when it arrives in pieces', () => {
  const p = new SsStreamParser();
  p.push(Buffer.from('tcp ESTAB 0 0 1.2.3.4:5 6.7.8.9:10 ino:1 sk:2\ntcp ESTAB 0 0 1.2.3.4:'));
  p.push(Buffer.from('6 6.7.8.9:10 ino:1 sk:3'));
  const out = p.end();
  assert.equal(out.length, 1);
  assert.equal(out[0].cookie, '2');
});

test('addresses are shared strings and sockets without owners share one frozen array', () => {
  const socks = parseSs('tcp ESTAB 0 0 127.0.0.1:5 127.0.0.10:10 ino:1 sk:2\ntcp ESTAB 0 0 127.0.0.1:6 127.0.0.10:10 ino:1 sk:3\n');
  assert.equal(socks.length, 2);
  assert.ok(Object.isFrozen(socks[0].processes));
  assert.equal(socks[0].processes, socks[1].processes);
  assert.deepEqual(socks[1].local, { address: '127.0.0.1', port: 6 });
});
