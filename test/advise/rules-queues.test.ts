// Listen and socket queue rules on synthetic snapshots and histories, firing and not firing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { evaluateRules, makeContext } from '../../src/advise/index.js';
import type { Snapshot } from '../../src/model/snapshot.js';
import { fakeHistory, fakeSnapshot, listener, proc, tcp } from '../helpers/fake-snapshot.js';

const run = (snap: Snapshot, history?: Snapshot[], thresholds?: Record<string, number>) => evaluateRules(makeContext({ snapshot: snap, history, thresholds }));
const ids = (snap: Snapshot, history?: Snapshot[], thresholds?: Record<string, number>) => run(snap, history, thresholds).map((r) => `${r.id}:${r.severity}`);

test('accept-queue-full: Recv-Q past the backlog is critical and names the process', () => {
  const snap = fakeSnapshot({ sockets: [listener('0.0.0.0:8080', 128, 129, [proc(321, 'slow-accept')])] });
  const [r] = run(snap);
  assert.equal(r.id, 'accept-queue-full');
  assert.equal(r.severity, 'critical');
  assert.equal(r.pid, 321);
  assert.match(r.message, /^Accept queue full on tcp 0\.0\.0\.0:8080: 129 connections wait for accept\(\) with backlog 128; slow-accept \(pid 321\)/);
  assert.match(r.evidence, /Recv-Q 129 > backlog \(Send-Q\) 128 \(the kernel queues backlog \+ 1\); net\.core\.somaxconn 4096/);
  assert.match(r.fix, /listen\(fd, 1024\).*server\.listen\(\{ host: '0\.0\.0\.0', port: 8080, backlog: 1024 \}\).*ss -ltn 'sport = :8080'/);
});

test('accept-queue-full: when the backlog equals somaxconn, the fix raises somaxconn', () => {
  const snap = fakeSnapshot({ sysctls: { 'net.core.somaxconn': '128' }, sockets: [listener('0.0.0.0:80', 128, 129)] });
  const r = run(snap).find((x) => x.id === 'accept-queue-full')!;
  assert.match(r.fix, /capped by net\.core\.somaxconn \(now 128\): sysctl -w net\.core\.somaxconn=1024/);
  assert.ok(run(snap).some((x) => x.id === 'listen-backlog-capped' && x.severity === 'info'));
});

test('accept-queue-near-full warns at 80% of the backlog; an empty or lightly used queue does not', () => {
  assert.deepEqual(ids(fakeSnapshot({ sockets: [listener('0.0.0.0:80', 100, 85)] })), ['accept-queue-near-full:warning']);
  assert.deepEqual(ids(fakeSnapshot({ sockets: [listener('0.0.0.0:80', 100, 50)] })), []);
  assert.deepEqual(ids(fakeSnapshot({ sockets: [listener('0.0.0.0:80', 0, 0)] })), []);
});

test('accept queue: a full queue in only the latest sample of a history is not reported', () => {
  const h = fakeHistory(4, (i) => ({ sockets: [listener('0.0.0.0:80', 10, i === 3 ? 11 : 0)] }));
  assert.deepEqual(ids(h[3], h), []);
  const h2 = fakeHistory(4, (i) => ({ sockets: [listener('0.0.0.0:80', 10, i >= 1 ? 11 : 0)] }));
  assert.deepEqual(ids(h2[3], h2), ['accept-queue-full:critical']);
});

test('accept-queue-full: an IPv6 zone (interface name) with an escape sequence is escaped in the message', () => {
  const l = listener('127.0.0.1:18030', 3, 4, [proc(24257, 'python3')]);
  const zoned = { ...l, ipVersion: 6 as const, local: { address: 'fe80::5', port: 18030, scope: 'v\u001b[31m' } };
  const r = run(fakeSnapshot({ sockets: [zoned] })).find((x) => x.id === 'accept-queue-full')!;
  assert.match(r.message, /^Accept queue full on tcp \[fe80::5%v\\x1b\[31m\]:18030: 4 connections/);
  assert.ok(!r.message.includes('\u001b'));
});

test('listen-overflows-rising: needs a sustained rise, a single blip is ignored', () => {
  const vals = [1000, 1040, 1100, 1180];
  const h = fakeHistory(4, (i) => ({ netstat: { TcpExt: { ListenOverflows: vals[i], ListenDrops: vals[i] } }, sockets: [listener('0.0.0.0:8080', 128, 129)] }), 15_000);
  const r = run(h[3], h).find((x) => x.id === 'listen-overflows-rising')!;
  assert.equal(r.scope, 'host');
  assert.match(r.message, /ListenOverflows \+180, ListenDrops \+180 in 45 s/);
  assert.match(r.evidence, /fullest listeners: 0\.0\.0\.0:8080 Recv-Q 129\/128/);
  const blip = fakeHistory(4, (i) => ({ netstat: { TcpExt: { ListenOverflows: i === 3 ? 50 : 0, ListenDrops: i === 3 ? 50 : 0 } } }));
  assert.deepEqual(ids(blip[3], blip), []);
  // Cumulative counters since boot alone (one snapshot) say nothing about now.
  assert.deepEqual(ids(fakeSnapshot({ netstat: { TcpExt: { ListenOverflows: 99999, ListenDrops: 99999 } } })), []);
});

test('listen-overflows-rising: drops from a full SYN queue (no accept-queue overflow) blame the SYN queue, not accept()', () => {
  // Measured in a namespace: listen(8), tcp_syncookies 0, bursts of SYNs whose handshakes never complete:
  // ss: SYN_RECV 9, LISTEN Recv-Q 0/8; nstat: ListenDrops and TCPReqQFullDrop rise, ListenOverflows does not.
  const drops = [531, 571, 611, 651, 691];
  const full = [131, 171, 211, 251, 291];
  const syn = (i: number) =>
    Array.from({ length: 9 }, (_, k) => tcp('10.9.0.1:18011', `10.99.1.${k + 1}:${20000 + k}`, 'SYN_RECV'));
  const h = fakeHistory(
    5,
    (i) => ({
      netstat: { TcpExt: { ListenOverflows: 0, ListenDrops: drops[i], TCPReqQFullDrop: full[i] } },
      sysctls: { 'net.ipv4.tcp_syncookies': '0', 'net.ipv4.tcp_max_syn_backlog': '2048' },
      sockets: [listener('10.9.0.1:18011', 8, 0, [proc(30, 'python3')]), ...syn(i)],
    }),
    1_000,
  );
  const r = run(h[4], h).find((x) => x.id === 'listen-overflows-rising')!;
  assert.ok(r, 'listen-overflows-rising fires');
  assert.doesNotMatch(r.message, /does not accept fast enough/);
  assert.match(r.message, /ListenDrops \+160 in 4 s; the SYN queue is full/);
  assert.match(r.evidence, /TcpExt TCPReqQFullDrop \+160/);
  assert.match(r.evidence, /net\.ipv4\.tcp_syncookies 0/);
  assert.match(r.fix, /sysctl -w net\.ipv4\.tcp_syncookies=1/);
});

test('recv-q-persistent: unread data held over several samples; not judged from one snapshot', () => {
  const stuck = (i: number) => ({
    sockets: [listener('0.0.0.0:9000', 128, 0, [proc(5, 'reader')]), tcp('10.0.0.1:9000', '10.0.0.2:50000', 'ESTABLISHED', { recvQ: 4 * 1024 * 1024, processes: [proc(5, 'reader', 8)], tcpInfo: { bytesReceived: 4_194_304 + i * 0 }, skmem: { rmemAlloc: 4194304, rcvbuf: 6291456, wmemAlloc: 0, sndbuf: 87040 } })],
  });
  const h = fakeHistory(3, stuck);
  const r = run(h[2], h).find((x) => x.id === 'recv-q-persistent')!;
  assert.equal(r.scope, 'socket');
  assert.equal(r.port, 9000);
  assert.match(r.message, /1 established connection on tcp port 9000 keeps data unread in Recv-Q: reader \(pid 5\) is not reading$/);
  assert.match(r.evidence, /10\.0\.0\.2:50000 Recv-Q 4 MiB, 4 MiB in use of rcvbuf 6 MiB \(67%\) \(no progress\)/);
  assert.deepEqual(ids(h[2]), []); // one snapshot: no persistence to judge
  const drained = fakeHistory(3, (i) => ({ sockets: [tcp('10.0.0.1:9000', '10.0.0.2:50000', 'ESTABLISHED', { recvQ: i === 1 ? 0 : 4 * 1024 * 1024 })] }));
  assert.deepEqual(ids(drained[2], drained), []);
});

test('send-q-persistent: a stalled send queue fires, a flowing bulk transfer does not', () => {
  const q = 3 * 1024 * 1024;
  const stalled = fakeHistory(3, () => ({ sockets: [tcp('10.0.0.1:40000', '10.0.0.9:6379', 'ESTABLISHED', { sendQ: q, timer: { name: 'persist', expiresMs: 200 }, tcpInfo: { bytesAcked: 1000 } })] }));
  const r = run(stalled[2], stalled).find((x) => x.id === 'send-q-persistent')!;
  assert.equal(r.peerPort, 6379);
  assert.match(r.evidence, /zero-window probes/);
  const flowing = fakeHistory(3, (i) => ({ sockets: [tcp('10.0.0.1:40000', '10.0.0.9:6379', 'ESTABLISHED', { sendQ: q, tcpInfo: { bytesAcked: 1000 + i * 50_000_000 } })] }));
  assert.deepEqual(ids(flowing[2], flowing), []);
});

test('persistence counts samples in a row whatever the polling interval', () => {
  // One sample a minute: the window (60 s) holds two, persistence still looks at the last three.
  const slow = fakeHistory(3, (i) => ({ sockets: [listener('0.0.0.0:80', 10, i >= 1 ? 11 : 0)] }), 60_000);
  assert.deepEqual(ids(slow[2], slow), []);
  const stuck = fakeHistory(3, () => ({ sockets: [tcp('10.0.0.1:9000', '10.0.0.2:50000', 'ESTABLISHED', { recvQ: 4 * 1024 * 1024 })] }), 60_000);
  assert.deepEqual(ids(stuck[2], stuck), ['recv-q-persistent:warning']);
});

test('procfs/netstat listeners (backlog unknown): no false "full" at backlog 0; full only at somaxconn', () => {
  const unknown = (q: number) => fakeSnapshot({ sockets: [listener('0.0.0.0:80', 0, q, [], { sendQUnknown: true })] });
  assert.deepEqual(ids(unknown(3)), []);
  assert.deepEqual(ids(unknown(4096)), [], 'a backlog of somaxconn still has room for one');
  const r = run(unknown(4097))[0];
  assert.equal(r.id, 'accept-queue-full');
  assert.match(r.message, /with backlog at most 4096/);
  assert.match(r.evidence, /this source cannot see the backlog/);
});

test('recv-q-persistent without tcp_info: a Recv-Q that grows and never falls is "not reading", one that fell is "reads too slowly"', () => {
  const at = (q: number[]) => {
    const h = fakeHistory(3, (i) => ({ sockets: [listener('0.0.0.0:9000', 128, 0, [proc(5, 'reader')]), tcp('10.0.0.1:9000', '10.0.0.2:50000', 'ESTABLISHED', { recvQ: q[i], processes: [proc(5, 'reader', 8)] })] }), 60_000);
    return run(h[2], h).find((r) => r.id === 'recv-q-persistent');
  };
  // Growing (procfs, netstat: no tcp_info): nothing shows a read; it said "reads too slowly".
  const growing = at([4_000_000, 4_100_000, 4_200_000]);
  assert.match(growing?.message ?? '', /reader \(pid 5\) is not reading/, growing?.message);
  assert.match(growing?.evidence ?? '', /\(no progress\)/);
  const fell = at([4_200_000, 4_100_000, 4_150_000]);
  assert.match(fell?.message ?? '', /reads too slowly/, fell?.message);
});
