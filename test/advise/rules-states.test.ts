// State rules on synthetic snapshots and histories, firing and not firing: CLOSE_WAIT, SYN_RECV, TIME_WAIT, FIN_WAIT2.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { evaluateRules, makeContext } from '../../src/advise/index.js';
import type { Snapshot } from '../../src/model/snapshot.js';
import { fakeHistory, fakeSnapshot, incoming, listener, outgoing, outgoingFrom, proc, tcp } from '../helpers/fake-snapshot.js';

const ids = (snap: Snapshot, history?: Snapshot[], thresholds?: Record<string, number>) =>
  evaluateRules(makeContext({ snapshot: snap, history, thresholds })).map((r) => `${r.id}:${r.severity}`);
const find = (id: string, snap: Snapshot, history?: Snapshot[], thresholds?: Record<string, number>) =>
  evaluateRules(makeContext({ snapshot: snap, history, thresholds })).find((r) => r.id === id);

// CLOSE_WAIT ------------------------------------------------------------------------------------------

test('close-wait-accumulating: a level above the threshold names the owning process', () => {
  const snap = fakeSnapshot({ sockets: [listener('0.0.0.0:8080', 128, 0, [proc(4242, 'leaky-server')]), ...incoming(25, '10.0.0.1:8080', 'CLOSE_WAIT', { processes: [proc(4242, 'leaky-server', 7)] })] });
  const r = find('close-wait-accumulating', snap)!;
  assert.equal(r.severity, 'warning');
  assert.equal(r.port, 8080);
  assert.equal(r.pid, 4242);
  assert.match(r.message, /^25 sockets in CLOSE_WAIT on tcp port 8080: leaky-server \(pid 4242\) does not close sockets after the peer closed$/);
  assert.match(r.evidence, /CLOSE_WAIT 25 .*warning at 10, critical at 100/);
  assert.match(r.fix, /close\(fd\)/);
  assert.match(r.fix, /ss -tnp state close-wait '\( sport = :8080 \)'/);
});

test('close-wait-accumulating: sockets still in the accept queue (inode 0) were never accepted, not left open', () => {
  const owner = proc(4242, 'slow-acceptor');
  // All never accepted: the listener's owner does not accept() fast enough; the fix is about accepting.
  const queuedOnly = fakeSnapshot({ sockets: [listener('0.0.0.0:8080', 128, 25, [owner]), ...incoming(25, '10.0.0.1:8080', 'CLOSE_WAIT', { inode: 0, recvQ: 1 })] });
  const q = find('close-wait-accumulating', queuedOnly)!;
  assert.match(q.message, /^25 sockets in CLOSE_WAIT on tcp port 8080: they were never accepted .*slow-acceptor \(pid 4242\) \(the listener's owner\) does not accept\(\) fast enough$/);
  assert.match(q.evidence, /25 of 25 never accepted \(still in the accept queue/);
  assert.match(q.fix, /^Accept faster/);
  // Mixed (a review's repro: 4 of 7 in the queue): the holder is named for the ones it holds, the rest counted.
  const mixed = fakeSnapshot({
    sockets: [
      listener('0.0.0.0:8080', 128, 10, [owner]),
      ...incoming(15, '10.0.0.1:8080', 'CLOSE_WAIT', { inode: 77, processes: [proc(4242, 'slow-acceptor', 9)] }),
      ...incoming(10, '10.0.0.1:8080', 'CLOSE_WAIT', { inode: 0 }, '10.1.0.3'),
    ],
  });
  const m = find('close-wait-accumulating', mixed)!;
  assert.match(m.message, /: slow-acceptor \(pid 4242\) does not close sockets after the peer closed \(10 of them were never accepted\)$/);
  assert.match(m.fix, /^Close the socket when a read returns 0/);
});

test('close-wait-accumulating: Recv-Q counts the peer\'s FIN as 1 until it is read, not as a data byte', () => {
  // As the kernel reports them (ss -tn state close-wait): FIN only -> Recv-Q 1; 10 bytes then FIN -> 11;
  // EOF read but not closed -> 0. Twelve sockets: 10 with the FIN unread, one with 10 bytes, one EOF read.
  const sockets = [
    listener('127.0.0.1:17001', 64, 0, [proc(27734, 'cwleak')]),
    ...incoming(10, '127.0.0.1:17001', 'CLOSE_WAIT', { recvQ: 1 }),
    tcp('127.0.0.1:17001', '10.1.0.2:41000', 'CLOSE_WAIT', { recvQ: 11 }),
    tcp('127.0.0.1:17001', '10.1.0.2:41001', 'CLOSE_WAIT', { recvQ: 0 }),
  ];
  const r = find('close-wait-accumulating', fakeSnapshot({ sockets }))!;
  assert.doesNotMatch(r.evidence, /21 bytes unread/);
  assert.match(r.evidence, /; 10 bytes of data unread in their Recv-Q; 11 of 12 have not read up to the peer's EOF \(Recv-Q counts its FIN as 1\); peers:/);
});

test('close-wait-accumulating: growth over the history reads "grew from 40 to 400 in 60 s"', () => {
  const counts = [40, 100, 180, 250, 330, 400];
  const h = fakeHistory(counts.length, (i) => ({ sockets: [listener('0.0.0.0:8080', 128, 0, [proc(9, 'app')]), ...incoming(counts[i], '10.0.0.1:8080', 'CLOSE_WAIT')] }), 12_000);
  const r = find('close-wait-accumulating', h[h.length - 1], h, { windowSeconds: 60 })!;
  assert.equal(r.severity, 'critical');
  // The CLOSE_WAIT sockets have no process seen: the listener's owner is only a guess, worded as one, no pid.
  assert.match(r.message, /^CLOSE_WAIT grew from 40 to 400 in 60 s on tcp port 8080: an unknown process \(probably app \(pid 9\), the listener's owner, or a process it handed them to\) does not close/);
  assert.equal(r.pid, undefined);
  assert.match(r.evidence, /40 -> 100 -> 180 -> 250 -> 330 -> 400/);
});

test('close-wait-accumulating: growth below the level threshold still fires when sustained', () => {
  const counts = [0, 0, 10, 20, 30];
  const h = fakeHistory(counts.length, (i) => ({ sockets: [listener('0.0.0.0:80', 128), ...incoming(counts[i], '10.0.0.1:80', 'CLOSE_WAIT')] }));
  assert.deepEqual(ids(h[4], h, { closeWaitCount: 50, closeWaitGrowth: 20 }), ['close-wait-accumulating:warning']);
});

test('close-wait-accumulating: a one-sample spike is not a trend and not a persistent level', () => {
  const counts = [0, 0, 0, 0, 300];
  const h = fakeHistory(counts.length, (i) => ({ sockets: [listener('0.0.0.0:80', 128), ...incoming(counts[i], '10.0.0.1:80', 'CLOSE_WAIT')] }));
  assert.deepEqual(ids(h[4], h), []);
  // ... but once it has persisted for persistSamples samples it is reported.
  const h2 = fakeHistory(5, (i) => ({ sockets: [listener('0.0.0.0:80', 128), ...incoming(i >= 2 ? 300 : 0, '10.0.0.1:80', 'CLOSE_WAIT')] }));
  assert.deepEqual(ids(h2[4], h2), ['close-wait-accumulating:critical']);
});

test('close-wait-accumulating: a few CLOSE_WAIT sockets are normal; outgoing leaks are grouped by peer port', () => {
  assert.deepEqual(ids(fakeSnapshot({ sockets: [listener('0.0.0.0:80', 128), ...incoming(3, '10.0.0.1:80', 'CLOSE_WAIT')] })), []);
  const snap = fakeSnapshot({ sockets: outgoing(30, '10.0.0.1', '10.9.9.9:5432', 'CLOSE_WAIT', { processes: [proc(77, 'worker')] }) });
  const r = find('close-wait-accumulating', snap)!;
  assert.equal(r.peerPort, 5432);
  assert.equal(r.port, undefined);
  assert.match(r.message, /outgoing tcp connections to port 5432: worker \(pid 77\)/);
  assert.match(r.fix, /dport = :5432/);
});

test('close-wait-accumulating: hidden owners are said to be hidden, control characters escaped', () => {
  const snap = fakeSnapshot({ attributionComplete: false, sockets: [listener('0.0.0.0:81', 128), ...incoming(12, '10.0.0.1:81', 'CLOSE_WAIT')] });
  assert.match(find('close-wait-accumulating', snap)!.message, /hidden: run as root or as its user/);
  const partial = { ...snap, attribution: { scope: 'listeners' as const, complete: true, hiddenProcesses: 0 } };
  assert.match(find('close-wait-accumulating', partial)!.message, /not attributed/);
  const evil = fakeSnapshot({ sockets: [...incoming(12, '10.0.0.1:82', 'CLOSE_WAIT', { processes: [proc(5, 'x\u001b[2Jy')] }), listener('0.0.0.0:82', 1)] });
  assert.match(find('close-wait-accumulating', evil)!.message, /x\\x1b\[2Jy \(pid 5\)/);
});

// SYN_RECV --------------------------------------------------------------------------------------------

test('syn-recv-high: many half-open connections warn, reaching the backlog is critical', () => {
  const warn = fakeSnapshot({ sockets: [listener('0.0.0.0:443', 4096), ...incoming(200, '10.0.0.1:443', 'SYN_RECV', {}, '203.0.113.9')] });
  const r = find('syn-recv-high', warn)!;
  assert.equal(r.severity, 'warning');
  assert.match(r.message, /^200 half-open connections \(SYN_RECV\) on tcp port 443/);
  assert.match(r.evidence, /from 1 address \(top: 203\.0\.113\.9 200\).*tcp_syncookies 1, net\.ipv4\.tcp_max_syn_backlog 1024/);
  const crit = fakeSnapshot({ sockets: [listener('0.0.0.0:443', 128), ...incoming(130, '10.0.0.1:443', 'SYN_RECV')] });
  assert.equal(find('syn-recv-high', crit)!.severity, 'critical');
  assert.deepEqual(ids(fakeSnapshot({ sockets: [listener('0.0.0.0:443', 128), ...incoming(20, '10.0.0.1:443', 'SYN_RECV')] })), []);
});

// TIME_WAIT -------------------------------------------------------------------------------------------

test('time-wait-server: TIME_WAIT on a listening port is info at most', () => {
  const snap = fakeSnapshot({ sockets: [listener('0.0.0.0:80', 511), ...incoming(3000, '10.0.0.1:80', 'TIME_WAIT')], sockstat: { TCP: { tw: 3000 } } });
  const recs = evaluateRules(makeContext({ snapshot: snap }));
  assert.deepEqual(recs.map((r) => `${r.id}:${r.severity}`), ['time-wait-server:info']);
  assert.match(recs[0].message, /^TIME_WAIT count is normal for a server: 3000 on tcp port 80/);
  assert.match(recs[0].fix, /tcp_tw_recycle \(removed in Linux 4\.12/);
  assert.deepEqual(ids(fakeSnapshot({ sockets: [listener('0.0.0.0:80', 511), ...incoming(50, '10.0.0.1:80', 'TIME_WAIT')] })), []);
});

test('time-wait-port-exhaustion: outgoing connections to one destination against the ephemeral range', () => {
  const sysctls = { 'net.ipv4.ip_local_port_range': '40000 40999' } as const; // 1000 ports
  const many = fakeSnapshot({ sysctls, sockets: [...outgoingFrom(40000, 550, '10.0.0.1', '10.0.0.50:5432', 'TIME_WAIT'), ...outgoingFrom(40000, 50, '10.0.0.1', '10.0.0.50:5432', 'ESTABLISHED')] });
  const r = find('time-wait-port-exhaustion', many)!;
  assert.equal(r.severity, 'warning');
  assert.equal(r.peerPort, 5432);
  assert.match(r.message, /600 connections from 10\.0\.0\.1 to 10\.0\.0\.50:5432 \(550 in TIME_WAIT\) use 60% of the 1000 local ports/);
  assert.match(r.evidence, /ip_local_port_range 40000 40999 \(1000 ports\); net\.ipv4\.tcp_tw_reuse 2/);
  assert.match(r.fix, /tcp_tw_reuse=1.*ip_local_port_range="1024 65535".*Never tcp_tw_recycle/);
  const crit = fakeSnapshot({ sysctls, sockets: outgoingFrom(40000, 950, '10.0.0.1', '10.0.0.50:5432', 'TIME_WAIT') });
  assert.equal(find('time-wait-port-exhaustion', crit)!.severity, 'critical');
  // Spread over two destinations: each uses its own 4-tuples, no exhaustion.
  const spread = fakeSnapshot({ sysctls, sockets: [...outgoingFrom(40000, 300, '10.0.0.1', '10.0.0.50:5432', 'TIME_WAIT'), ...outgoingFrom(40000, 300, '10.0.0.1', '10.0.0.51:5432', 'TIME_WAIT')] });
  assert.equal(find('time-wait-port-exhaustion', spread), undefined);
  // One destination crowded, another light on the same peer port, from the same and another local
  // address: only the crowded one is reported, with its own counts (each destination counted apart).
  const mixed = fakeSnapshot({ sysctls, sockets: [...outgoingFrom(40000, 620, '10.0.0.1', '10.0.0.50:5432', 'TIME_WAIT'), ...outgoingFrom(40000, 40, '10.0.0.1', '10.0.0.51:5432', 'TIME_WAIT'), ...outgoingFrom(40000, 30, '10.0.0.2', '10.0.0.50:5432', 'ESTABLISHED')] });
  const all = evaluateRules(makeContext({ snapshot: mixed })).filter((x) => x.id === 'time-wait-port-exhaustion');
  assert.equal(all.length, 1);
  assert.match(all[0].message, /620 connections from 10\.0\.0\.1 to 10\.0\.0\.50:5432 \(620 in TIME_WAIT\)/);
  // With the stock range (28232 ports), 600 is nothing.
  assert.equal(find('time-wait-port-exhaustion', fakeSnapshot({ sockets: many.sockets })), undefined);
});

test('time-wait-buckets-near-limit: sockstat TCP.tw against tcp_max_tw_buckets', () => {
  const near = fakeSnapshot({ sysctls: { 'net.ipv4.tcp_max_tw_buckets': '10000' }, sockstat: { TCP: { tw: 9000 } } });
  assert.deepEqual(ids(near), ['time-wait-buckets-near-limit:warning']);
  assert.deepEqual(ids(fakeSnapshot({ sysctls: { 'net.ipv4.tcp_max_tw_buckets': '10000' }, sockstat: { TCP: { tw: 5000 } } })), []);
});

// FIN_WAIT2 -------------------------------------------------------------------------------------------

test('fin-wait2-accumulating: peers that never close', () => {
  const snap = fakeSnapshot({ sockets: [listener('0.0.0.0:8000', 128), ...incoming(150, '10.0.0.1:8000', 'FIN_WAIT2', { timer: { name: 'timewait', expiresMs: 30000 } })] });
  const r = find('fin-wait2-accumulating', snap)!;
  assert.equal(r.port, 8000);
  assert.match(r.evidence, /FIN_WAIT2 150 \(warning at 100\); 150 orphaned .*tcp_fin_timeout 60 s/);
  assert.match(r.fix, /tcp_fin_timeout=15/);
  assert.deepEqual(ids(fakeSnapshot({ sockets: [listener('0.0.0.0:8000', 128), ...incoming(10, '10.0.0.1:8000', 'FIN_WAIT2')] })), []);
  const held = fakeSnapshot({ sockets: outgoing(120, '10.0.0.1', '10.0.0.9:443', 'FIN_WAIT2', { processes: [proc(55, 'crawler')] }) });
  const h = find('fin-wait2-accumulating', held)!;
  assert.equal(h.pid, 55);
  assert.equal(h.peerPort, 443);
  assert.match(h.message, /crawler \(pid 55\) still holds them \(half-closed/);
  // Orphans are the sockets without an inode (ss ino:0), whatever their timer: with tcp_fin_timeout above
  // 60 s the kernel keeps them on the keepalive timer. A held socket (inode set) is not an orphan.
  const mixed = fakeSnapshot({
    sockets: [
      listener('0.0.0.0:8000', 128),
      ...incoming(120, '10.0.0.1:8000', 'FIN_WAIT2', { inode: 0, timer: { name: 'timewait', expiresMs: 30000 } }),
      ...incoming(80, '10.0.0.1:8000', 'FIN_WAIT2', { inode: 0, timer: { name: 'keepalive', expiresMs: 90000 } }, '10.1.0.3'),
      ...incoming(5, '10.0.0.1:8000', 'FIN_WAIT2', { inode: 4242, processes: [proc(9, 'srv')] }, '10.1.0.4'),
    ],
  });
  assert.match(find('fin-wait2-accumulating', mixed)!.evidence, /FIN_WAIT2 205 \(warning at 100\); 200 orphaned/);
});

test('a healthy busy server has no findings', () => {
  const snap = fakeSnapshot({
    sockets: [
      listener('0.0.0.0:443', 511, 3, [proc(1, 'nginx')]),
      ...incoming(800, '10.0.0.1:443', 'ESTABLISHED', { recvQ: 0, sendQ: 2000 }),
      ...incoming(400, '10.0.0.1:443', 'TIME_WAIT', {}, '10.1.0.3'),
      ...incoming(5, '10.0.0.1:443', 'CLOSE_WAIT', {}, '10.1.0.4'),
      ...incoming(10, '10.0.0.1:443', 'SYN_RECV', {}, '10.1.0.5'),
      ...incoming(20, '10.0.0.1:443', 'FIN_WAIT2', {}, '10.1.0.6'),
      tcp('10.0.0.1:35000', '10.0.0.9:5432', 'ESTABLISHED'),
    ],
  });
  assert.deepEqual(ids(snap), []);
});
