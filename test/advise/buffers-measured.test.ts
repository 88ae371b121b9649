// Buffer verdicts and buffer-below-bdp on sockets as measured under shaped load (review session 11,
// /tmp/s11/buffers): two network namespaces joined by a 25 ms-each-way delay line and a 20 Mbit/s tbf
// (BDP 125,000 bytes), host caps rmem_max = wmem_max 4194304, tcp_rmem 4096 131072 33554432,
// tcp_wmem 4096 16384 4194304, congestion control bbr. Each socket below is an `ss -tmin` line of a run.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { capsFromSysctls, connectionBuffers, planBuffers, type BufferCaps } from '../../src/advise/buffers.js';
import { buildBuffersReport } from '../../src/advise/buffers-report.js';
import { formatBuffersReport } from '../../src/report/print-buffers.js';
import { evaluateRules, makeContext } from '../../src/advise/index.js';
import type { Snapshot } from '../../src/model/snapshot.js';
import type { Socket, TcpInfo } from '../../src/model/socket.js';
import { fakeSnapshot, listener, tcp } from '../helpers/fake-snapshot.js';

const HOST = {
  'net.core.rmem_max': '4194304',
  'net.core.wmem_max': '4194304',
  'net.ipv4.tcp_rmem': '4096 131072 33554432',
  'net.ipv4.tcp_wmem': '4096 16384 4194304',
};
const caps: BufferCaps = capsFromSysctls(fakeSnapshot({ sysctls: HOST }).sysctls);
const defaults = { bufferSize: 65536, origin: 'default' };
const mem = (rcvbuf: number, sndbuf: number, rmemAlloc = 0) => ({ rmemAlloc, rcvbuf, wmemAlloc: 0, sndbuf });
/** ss units to the model's: rtt ms, delivery_rate bit/s, busy/limited ms. */
const info = (o: { rttMs: number; bps?: number; busyMs?: number; rwndMs?: number; sndbufMs?: number } & Partial<TcpInfo>): TcpInfo => {
  const { rttMs, bps, busyMs, rwndMs, sndbufMs, ...rest } = o;
  return {
    rttUs: Math.round(rttMs * 1000),
    ...(bps != null ? { deliveryRate: bps / 8 } : {}),
    ...(busyMs != null ? { busyUs: busyMs * 1000 } : {}),
    ...(rwndMs != null ? { rwndLimitedUs: rwndMs * 1000 } : {}),
    ...(sndbufMs != null ? { sndbufLimitedUs: sndbufMs * 1000 } : {}),
    congestion: 'bbr',
    ...rest,
  };
};
const rules = (snap: Snapshot) => evaluateRules(makeContext({ snapshot: snap })).filter((r) => r.id === 'buffer-below-bdp');

// r3: sender with SO_SNDBUF 16384 (tb32768), 7.6 of 20 Mbit/s, sndbuf_limited 65.8%.
const lockedSender = tcp('10.77.0.1:55628', '10.77.0.2:5303', 'ESTABLISHED', {
  sendQ: 65536,
  skmem: mem(131072, 32768),
  tcpInfo: info({ rttMs: 51.103, bps: 8010456, busyMs: 9784, sndbufMs: 6436, bytesSent: 9369448, bytesAcked: 9328905, sndWscale: 10, rcvWscale: 10, cwnd: 108 }),
});

test('r3: a sender whose SO_SNDBUF is fixed is told to remove or size the setsockopt, never the current tcp_wmem', () => {
  const c = connectionBuffers(lockedSender, undefined, undefined, caps);
  assert.match(c.verdict, /^send buffer too small: sndbuf-limited 66% of busy time; sndbuf \(32768 bytes\) is below net\.ipv4\.tcp_wmem max \(4194304\), where send autotuning would take it: the application probably set SO_SNDBUF \(to 16384; Linux doubles it\)/);
  assert.match(c.verdict, /remove the setsockopt \(autotuning then grows sndbuf up to 4194304\) or set SO_SNDBUF >= the link's BDP/);
  assert.doesNotMatch(c.verdict, /raise SO_SNDBUF or tcp_wmem max/);
  const [r] = rules(fakeSnapshot({ sysctls: HOST, sockets: [lockedSender] }));
  assert.match(r.fix, /^Send buffer: remove the setsockopt/);
  // The old fix: sysctl -w net.ipv4.tcp_wmem="4096 16384 4194304", the current value.
  assert.doesNotMatch(r.fix, /tcp_wmem="4096 16384 4194304"/);
  assert.doesNotMatch(r.fix, /tcp_wmem="/);
});

test('a sender at tcp_wmem max is told to raise the max above its current value, at 2 x BDP as the link plan', () => {
  // Autotuned to the cap (r7: tb4194304 on a loopback bulk sender) and still sndbuf-limited.
  const atMax = tcp('10.77.0.1:40000', '10.77.0.2:5310', 'ESTABLISHED', { skmem: mem(131072, 4194304), tcpInfo: info({ rttMs: 50, bps: 1e9, busyMs: 10_000, sndbufMs: 6000, bytesSent: 1e9 }) });
  const c = connectionBuffers(atMax, undefined, undefined, caps);
  assert.match(c.verdict, /autotuning has taken sndbuf to net\.ipv4\.tcp_wmem max \(4194304\): raise the max to at least 16777216 \(2 x BDP/);
  const [r] = rules(fakeSnapshot({ sysctls: HOST, sockets: [atMax] }));
  // 1 Gbit/s x 50 ms = 6.25 MB; 2 x BDP rounded up to a power of two, as `buffers --bandwidth 1gbit --rtt 50ms`.
  assert.equal(planBuffers(1.25e8, 50, caps).autotuneMax, 16777216);
  assert.match(r.fix, /sysctl -w net\.ipv4\.tcp_wmem="4096 16384 16777216"/);
  // A BDP smaller than the current max still gives a higher max (never the current value).
  const small = tcp('10.77.0.1:40001', '10.77.0.2:5310', 'ESTABLISHED', { skmem: mem(131072, 262144), tcpInfo: info({ rttMs: 50, bps: 4e7, busyMs: 10_000, sndbufMs: 6000, bytesSent: 1e8 }) });
  const [r2] = rules(fakeSnapshot({ sysctls: { ...HOST, 'net.ipv4.tcp_wmem': '4096 16384 262144' }, sockets: [small] }));
  assert.match(r2.fix, /tcp_wmem="4096 16384 524288"/);
});

// r9 (and r2 from the sender): the receiver set SO_RCVBUF 16384 before listen(); ss on the sender: wscale:0,10.
const rwndSender = tcp('10.77.0.1:46588', '10.77.0.2:5304', 'ESTABLISHED', {
  sendQ: 215672,
  skmem: mem(131072, 311040),
  tcpInfo: info({ rttMs: 53.108, bps: 2929000, busyMs: 8328, rwndMs: 3648, bytesSent: 2971296, bytesAcked: 2952473, sndWscale: 0, rcvWscale: 10 }),
});

test('r9: a remote receiver without window scaling is named, and this host\'s tcp_rmem is not proposed for it', () => {
  const [r] = rules(fakeSnapshot({ sysctls: HOST, sockets: [rwndSender] }));
  assert.match(r.evidence, /the receiver advertises window scale 0: its window can never exceed 64 KiB whatever its tcp_rmem, nor its rcvbuf x the ratio its kernel offers as window .*; at rtt 53\.1 ms 64 KiB is at most 9\.87 Mbit\/s/);
  assert.match(r.fix, /^Receiver: on the receiving host, remove that setsockopt or set SO_RCVBUF >= the link's BDP/);
  assert.match(r.evidence, /window scaling is off there \(net\.ipv4\.tcp_window_scaling = 0\), or this end did not offer it \(net\.ipv4\.tcp_window_scaling = 0 here: scaling is used only when both SYNs carry it\)/);
  // The old fix: sysctl -w net.ipv4.tcp_rmem="4096 131072 33554432" (this host's max, and a hard-coded min/default).
  assert.doesNotMatch(r.fix, /tcp_rmem="/);
  const c = connectionBuffers(rwndSender, undefined, undefined, caps);
  assert.match(c.verdict, /^receiver's window too small: rwnd-limited 44% of busy time; the receiver advertises window scale 0/);
  // With window scaling, the receiving host is where to look; no sysctl value is made up for it.
  const scaled = { ...rwndSender, tcpInfo: { ...rwndSender.tcpInfo!, sndWscale: 10 } };
  const [r2] = rules(fakeSnapshot({ sysctls: HOST, sockets: [scaled] }));
  assert.match(r2.fix, /on the receiving host, look at the socket \(sockscope buffers --port 5304\)/);
  assert.match(r2.fix, /tcp_moderate_rcvbuf = 0/);
  assert.doesNotMatch(r2.fix, /tcp_rmem="/);
});

test('r2: the receiver of a fixed SO_RCVBUF is not told "autotuning grows them on demand"', () => {
  // ss in bufB: rb32768, wscale:10,0 (this side's scale 0), Recv-Q 0; no delivery rate (it only receives).
  const rx = tcp('10.77.0.2:5302', '10.77.0.1:60778', 'ESTABLISHED', { skmem: mem(32768, 69120), tcpInfo: info({ rttMs: 50.694, bytesReceived: 3900912, bytesAcked: 1, sndWscale: 10, rcvWscale: 0 }) });
  const c = connectionBuffers(rx, 2.5e6, undefined, caps); // --bandwidth 20mbit
  assert.equal(c.bdpBytes, 126735);
  assert.doesNotMatch(c.verdict, /autotuning grows/);
  assert.doesNotMatch(c.verdict, /not limiting now/);
  assert.match(c.verdict, /^rcvbuf below 2 x BDP \(whether it limits shows on the sender, in its rwnd_limited: sockscope buffers there\); the socket advertises window scale 0/);
  assert.match(c.verdict, /the kernel picks the scale from it; rcvbuf 32768 = 2 x 16384\)/);
  // wscale 0 is also what a connection shows when the other end's SYN offered no scaling (netlink reads 0
  // then; ss prints no wscale): the cause names that too.
  assert.match(c.verdict, /window scaling is off here \(net\.ipv4\.tcp_window_scaling = 0\), or the other end did not offer it \(scaling is used only when both SYNs carry it\)/);
  assert.match(c.verdict, /remove the setsockopt, or set SO_RCVBUF >= 126976 before listen\(\)\/connect\(\)/);
  // Set after the handshake (scale kept): rcvbuf below the tcp_rmem default still gives it away.
  const late = connectionBuffers({ ...rx, tcpInfo: { ...rx.tcpInfo!, rcvWscale: 10 } }, 2.5e6, undefined, caps);
  assert.match(late.verdict, /rcvbuf \(32768 bytes\) is below the tcp_rmem default \(131072\) every socket starts with and autotuning only grows: the application set SO_RCVBUF/);
});

test('r8b: a fixed SO_SNDBUF that fits is "not limiting now" from the measured shares, without an autotuning claim', () => {
  const tx = tcp('10.77.0.1:36490', '10.77.0.2:5343', 'ESTABLISHED', { skmem: mem(131072, 253952), tcpInfo: info({ rttMs: 53.086, bps: 19291304, busyMs: 8680, sndbufMs: 92, bytesSent: 20576048, bytesAcked: 20448625 }) });
  const c = connectionBuffers(tx, undefined, undefined, caps);
  assert.equal(c.verdict, 'sndbuf below 2 x BDP but not limiting now (rwnd-limited 0%, sndbuf-limited 1% of busy time)');
});

test('r11: tcp_moderate_rcvbuf=0 on the receiving host: the verdict and the link plan say so', () => {
  // The flag comes with the other sysctls (a snapshot's, or this host's in link-only mode).
  const off: BufferCaps = capsFromSysctls(fakeSnapshot({ sysctls: { ...HOST, 'net.ipv4.tcp_moderate_rcvbuf': '0' } }).sysctls);
  assert.equal(off.moderateRcvbuf, false);
  // ss in bufB after 11 MB: rb131072 (the tcp_rmem default); with autotuning on it reached rb889651.
  const rx = tcp('10.77.0.2:5350', '10.77.0.1:48874', 'ESTABLISHED', { skmem: mem(131072, 69120), tcpInfo: info({ rttMs: 55.926, bytesReceived: 11188568, bytesAcked: 1, sndWscale: 10, rcvWscale: 10 }) });
  const c = connectionBuffers(rx, 2.5e6, undefined, off);
  assert.doesNotMatch(c.verdict, /autotuning grows/);
  assert.match(c.verdict, /receive autotuning is off \(net\.ipv4\.tcp_moderate_rcvbuf = 0\), so rcvbuf stays at the tcp_rmem default \(131072\) and raising tcp_rmem max does nothing: sysctl -w net\.ipv4\.tcp_moderate_rcvbuf=1, or raise the default to 524288: sysctl -w net\.ipv4\.tcp_rmem="4096 524288 33554432"/);
  const plan = planBuffers(2.5e6, 50, off);
  assert.ok(plan.sysctls.some((s) => s.line === 'net.ipv4.tcp_moderate_rcvbuf = 1' && !s.ok));
  assert.match(plan.notes.join(' '), /Receive autotuning is off here/);
  assert.ok(!planBuffers(2.5e6, 50, caps).sysctls.some((s) => s.name === 'net.ipv4.tcp_moderate_rcvbuf'));
  // The report reads it from the snapshot's sysctls, as buffer-below-bdp does.
  const r = buildBuffersReport({ snapshot: fakeSnapshot({ sysctls: { ...HOST, 'net.ipv4.tcp_moderate_rcvbuf': '0' } }), bandwidth: { text: '20mbit', bytesPerSecond: 2.5e6 }, rttMs: 50, defaults });
  assert.equal(r.caps.moderateRcvbuf, false);
  assert.match(r.link!.sysctlFile, /net\.ipv4\.tcp_moderate_rcvbuf = 1/);
});

// r10: loopback; the receiver sets nothing and reads 64 KiB every 10 ms. ss: Recv-Q 95232, r96064 rb131072.
// Re-measured (session 11, 8 samples 0.3 s apart, rcvbuf left at the default): r 96064 in every sample,
// Recv-Q 95232 in 5 and 29696 in 3. The fixture was a 29696 sample, which was "full" only by r >= rcvbuf/2,
// the test that also called a fast reader with one 64 KiB segment in transit (r 67200) full; see below.
const slowRx = tcp('127.0.0.1:5331', '127.0.0.1:58788', 'ESTABLISHED', {
  recvQ: 95232,
  skmem: mem(131072, 3939840, 96064),
  tcpInfo: info({ rttMs: 0.02, bytesReceived: 35526144, bytesAcked: 1, sndWscale: 10, rcvWscale: 10 }),
});
const fastTx = tcp('127.0.0.1:58788', '127.0.0.1:5331', 'ESTABLISHED', {
  sendQ: 2812416,
  skmem: mem(131072, 4194304),
  tcpInfo: info({ rttMs: 10.499, bps: 74801760, busyMs: 7736, rwndMs: 6248, bytesSent: 35560448, bytesAcked: 35526145, sndWscale: 10, rcvWscale: 10 }),
});

test('r10: a slow reader is a slow reader, not "the application probably set SO_RCVBUF"', () => {
  const c = connectionBuffers(slowRx, undefined, fastTx, caps);
  assert.match(c.verdict, /^the sender is rwnd-limited 81% of busy time: the application reads too slowly: its receive buffer holds unread data \(Recv-Q 95232 bytes, 96064 of rcvbuf 131072 in use\), and rcvbuf is still the tcp_rmem default \(131072\)/);
  assert.doesNotMatch(c.verdict, /set SO_RCVBUF/);
  const [r] = rules(fakeSnapshot({ sysctls: HOST, sockets: [listener('0.0.0.0:5331', 8), slowRx, fastTx] }));
  assert.match(r.message, /limited by the receiver's window: the receiving application reads too slowly/);
  assert.match(r.fix, /^Receiver \(127\.0\.0\.1:5331, on this host\): make the application read faster/);
  assert.doesNotMatch(r.fix, /tcp_rmem="/);
});

test('r1: a pure sender is judged by its send buffer, not its unused receive buffer', () => {
  const tx = tcp('10.77.0.1:42638', '10.77.0.2:5301', 'ESTABLISHED', { skmem: mem(131072, 1838592), tcpInfo: info({ rttMs: 53.054, bps: 19294160, busyMs: 9856, bytesSent: 23498144, bytesAcked: 23370721 }) });
  assert.equal(connectionBuffers(tx, undefined, undefined, caps).verdict, 'sndbuf fits the BDP');
});

test('r3: limited connections are not sized from the rate the limit allows (no circular SO_*BUF, no plan)', () => {
  const snap = fakeSnapshot({ sysctls: HOST, sockets: [lockedSender] });
  const r = buildBuffersReport({ snapshot: snap, sockets: snap.sockets, selection: 'connections to port 5303', defaults });
  const [c] = r.connections;
  assert.equal(c.bdpLowerBound, true);
  assert.equal(c.recommendedSndbuf, null); // was 53248, which left the link at 9.9 of 20 Mbit/s, still sndbuf-limited 52%
  assert.equal(r.connectionPlan, null);
  const text = formatBuffersReport(r);
  assert.match(text, /│ >= 50 KiB │/);
  assert.match(text, /need --bandwidth/);
  assert.match(text, /1 connection is limited by a buffer or window, so its measured rate is what the limit allows.*the link's rate is unknown to sockscope/);
  assert.doesNotMatch(text, /To fit the largest BDP here/);
  // With the link's rate the size is the link's: 20 Mbit/s x 51.1 ms.
  const link = buildBuffersReport({ snapshot: snap, sockets: snap.sockets, selection: 'x', bandwidth: { text: '20mbit', bytesPerSecond: 2.5e6 }, defaults });
  assert.equal(link.connections[0].bdpLowerBound, false);
  assert.equal(link.connections[0].recommendedSndbuf, 131072);
  assert.equal(link.connectionPlan!.soSndbuf, 131072);
});

test('limited means what buffer-below-bdp means: bufferLimitedRatio and bufferMinBusyMs from the config', () => {
  const s = (busyMs: number, sndbufMs: number): Socket =>
    tcp('10.77.0.1:55628', '10.77.0.2:5303', 'ESTABLISHED', { skmem: mem(131072, 32768), tcpInfo: info({ rttMs: 51.103, bps: 8010456, busyMs, sndbufMs, bytesSent: 9369448 }) });
  const report = (sock: Socket, thresholds?: Record<string, number>) =>
    buildBuffersReport({ snapshot: fakeSnapshot({ sysctls: HOST, sockets: [sock] }), sockets: [sock], selection: 'x', defaults, thresholds }).connections[0].verdict;
  // 15% of busy time: below the default 20%, above a configured 10%; the rule agrees both ways.
  assert.match(report(s(10_000, 1500)), /not limiting now/);
  assert.match(report(s(10_000, 1500), { bufferLimitedRatio: 0.1 }), /^send buffer too small: sndbuf-limited 15%/);
  assert.equal(rules(fakeSnapshot({ sysctls: HOST, sockets: [s(10_000, 1500)] })).length, 0);
  assert.equal(evaluateRules(makeContext({ snapshot: fakeSnapshot({ sysctls: HOST, sockets: [s(10_000, 1500)] }), thresholds: { bufferLimitedRatio: 0.1 } })).filter((r) => r.id === 'buffer-below-bdp').length, 1);
  // 500 ms busy: too little to judge (bufferMinBusyMs 1000), as the rule.
  assert.match(report(s(500, 400)), /too little busy time \(500 ms, bufferMinBusyMs 1000\)/);
});

test('ss omits a zero rwnd_limited: with busy time present it is 0%, not unknown', () => {
  // buffers --source ss on r3 showed "-%/66%" where netlink showed "0%/66%".
  const ss = tcp('10.77.0.1:55628', '10.77.0.2:5303', 'ESTABLISHED', { skmem: mem(131072, 32768), tcpInfo: info({ rttMs: 51.103, bps: 8010456, busyMs: 9784, sndbufMs: 6436, bytesSent: 9369448 }) });
  assert.equal(ss.tcpInfo!.rwndLimitedUs, undefined);
  const r = buildBuffersReport({ snapshot: fakeSnapshot({ sysctls: HOST, sockets: [ss] }), sockets: [ss], selection: 'x', defaults });
  assert.equal(r.connections[0].rwndLimitedPct, 0);
  assert.match(formatBuffersReport(r), /│ 0%\/66% /);
});

test('a fixed small rcvbuf caught holding a segment is still named as fixed, not as a slow reader', () => {
  // Loopback, SO_RCVBUF 32768 before listen() and a fast reader (python recv(65536) in a loop): ss showed
  // rb65536, wscale 0, and one 32 KiB segment unread (r34432) at the moment of the sample.
  const rx = tcp('127.0.0.1:5205', '127.0.0.1:41082', 'ESTABLISHED', { recvQ: 32768, skmem: mem(65536, 3939840, 34432), tcpInfo: info({ rttMs: 0.02, bytesReceived: 4e9, bytesAcked: 1, rcvWscale: 0, sndWscale: 10 }) });
  const tx = tcp('127.0.0.1:41082', '127.0.0.1:5205', 'ESTABLISHED', { skmem: mem(131072, 4194304), tcpInfo: info({ rttMs: 0.036, bps: 3.86e9, busyMs: 3000, rwndMs: 2880, bytesSent: 4e9, bytesAcked: 4e9, sndWscale: 0 }) });
  const c = connectionBuffers(rx, undefined, tx, caps);
  assert.match(c.verdict, /^receive buffer too small: the sender is rwnd-limited 96% of busy time; the socket advertises window scale 0/);
  // One segment in transit (Recv-Q half of rcvbuf, r 53%) is what a reader that keeps up holds: no "reader
  // may be slow as well" (it said so before the diagnosis judged full as recv-q-persistent does).
  assert.doesNotMatch(c.verdict, /unread data|reader may be slow/);
  // Window scale 0 and rcvbuf 65536: rcvbuf x the measured ratio (1/2 at the start, up to about 0.9, Linux
  // 6.6+) is window: 32 KiB to 60.8 KiB (not 64 KiB: 14.6 Gbit/s).
  assert.match(c.verdict, /its rcvbuf \(65536\) holds it to between about 32 KiB and 60\.8 KiB .*at rtt 0\.036 ms that is at most 13\.8 Gbit\/s/);
  // A loopback srtt inflated by delayed ACKs (1.04 ms at 2.67 Gbit/s, measured): no "at most 503 Mbit/s".
  const slowAck = { ...tx, tcpInfo: { ...tx.tcpInfo!, rttUs: 1040, deliveryRate: 2.67e9 / 8 } };
  assert.doesNotMatch(connectionBuffers(rx, undefined, slowAck, caps).verdict, /at most/);
});

test('buffer-below-bdp counts a fixed buffer above 2 x the measured BDP (that BDP is only a lower bound)', () => {
  const rx = tcp('127.0.0.1:5205', '127.0.0.1:41082', 'ESTABLISHED', { skmem: mem(65536, 3939840), tcpInfo: info({ rttMs: 0.02, bytesReceived: 4e9, bytesAcked: 1, rcvWscale: 0, sndWscale: 10 }) });
  const tx = tcp('127.0.0.1:41082', '127.0.0.1:5205', 'ESTABLISHED', { skmem: mem(131072, 4194304), tcpInfo: info({ rttMs: 0.036, bps: 3.86e9, busyMs: 3000, rwndMs: 2880, bytesSent: 4e9, bytesAcked: 4e9, sndWscale: 0 }) });
  const [r] = rules(fakeSnapshot({ sysctls: HOST, sockets: [listener('127.0.0.1:5205', 8), rx, tx] }));
  assert.ok(r, 'fires although rcvbuf 64 KiB >= 2 x the 17 KiB measured');
  assert.match(r.fix, /^Receiver \(127\.0\.0\.1:5205, on this host\): remove the setsockopt, or set SO_RCVBUF >= the link's BDP/);
});

// A sender autotuned to tcp_wmem max (4 MiB) and sndbuf-limited 60% over its life, whose latest rate
// (100 Mbit/s x 100 ms: BDP 1.25 MB, 2 x BDP below 4 MiB) is only a lower bound: it was called "sndbuf
// fits the BDP" and buffer-below-bdp stayed silent, against the table's -/60% column.
test('a sender sndbuf-limited at tcp_wmem max is not "fits": the verdict and buffer-below-bdp say raise the max', () => {
  const atMax = tcp('10.0.0.1:40000', '10.0.0.2:5310', 'ESTABLISHED', { skmem: mem(131072, 4194304), tcpInfo: info({ rttMs: 100, bps: 100e6, busyMs: 10_000, sndbufMs: 6_000, bytesSent: 1e9, bytesAcked: 1e9 }) });
  const c = connectionBuffers(atMax, undefined, undefined, caps);
  assert.equal(c.bdpLowerBound, true);
  assert.doesNotMatch(c.verdict, /fits/);
  assert.match(c.verdict, /^send buffer too small: sndbuf-limited 60% of busy time; autotuning has taken sndbuf to net\.ipv4\.tcp_wmem max \(4194304\): raise the max to at least 8388608/);
  const [r] = rules(fakeSnapshot({ sysctls: HOST, sockets: [atMax] }));
  assert.ok(r, 'buffer-below-bdp fires');
  assert.match(r.fix, /^Send buffer: raise the max to at least 8388608 .*sysctl -w net\.ipv4\.tcp_wmem="4096 16384 8388608"/);
  // tcp_wmem unknown: the limited share and the cause are given, still not "fits".
  const blind = connectionBuffers(atMax, undefined, undefined, { ...caps, tcpWmem: null });
  assert.match(blind.verdict, /^sndbuf-limited 60% of busy time with sndbuf 4 MiB \(the BDP measured while limited is only a lower bound\); sndbuf is 4194304 bytes \(net\.ipv4\.tcp_wmem unknown\)/);
});

// An IPv6 receiver on this host (SO_RCVBUF 32 KiB before listen(): wscale 0) in buffer-below-bdp's text:
// it printed "Receiver (fd00::1:5205, on this host)"; `buffers` brackets it.
test('buffer-below-bdp brackets IPv6 endpoints in its fix and evidence', () => {
  const rx = tcp('[fd00::1]:5205', '[fd00::1]:41082', 'ESTABLISHED', { skmem: mem(65536, 3939840), tcpInfo: info({ rttMs: 0.02, bytesReceived: 4e9, bytesAcked: 1, rcvWscale: 0, sndWscale: 10 }) });
  const tx = tcp('[fd00::1]:41082', '[fd00::1]:5205', 'ESTABLISHED', { skmem: mem(131072, 4194304), tcpInfo: info({ rttMs: 0.036, bps: 3.86e9, busyMs: 3000, rwndMs: 2880, bytesSent: 4e9, bytesAcked: 4e9, sndWscale: 0 }) });
  const [r] = rules(fakeSnapshot({ sysctls: HOST, sockets: [listener('[fd00::1]:5205', 8), rx, tx] }));
  assert.match(r.fix, /^Receiver \(\[fd00::1\]:5205, on this host\): /);
  assert.match(r.evidence, /^\[fd00::1\]:5205: rwnd-limited 96% of busy time/);
  assert.match(connectionBuffers(tx, undefined, rx, caps).verdict, /the receiver \(\[fd00::1\]:5205, on this host\)/);
});
