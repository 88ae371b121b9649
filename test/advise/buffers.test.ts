// Buffer sizing (pure): BDP, setsockopt values, sysctl caps never lowered, per-connection verdicts, the report.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { bdpBytes, capsFromSysctls, connectionBuffers, planBuffers, setsockoptCode, sysctlFile } from '../../src/advise/buffers.js';
import { buildBuffersReport } from '../../src/advise/buffers-report.js';
import { formatBuffersReport } from '../../src/report/print-buffers.js';
import { fakeSnapshot, proc, tcp } from '../helpers/fake-snapshot.js';

const caps = capsFromSysctls(fakeSnapshot().sysctls);

test('BDP = bandwidth x rtt; 10 Gbit/s over 80 ms is 100 MB', () => {
  assert.equal(bdpBytes(1.25e9, 80), 100_000_000);
  assert.equal(bdpBytes(12.5e6, 0.5), 6250);
});

test('plan: SO_RCVBUF = BDP (the kernel doubles it), autotuning max = 2 x BDP, caps raised, never lowered', () => {
  const p = planBuffers(1.25e9, 80, caps);
  assert.equal(p.bdpBytes, 100_000_000);
  assert.equal(p.soRcvbuf, 100_007_936); // rounded up to 64 KiB
  assert.equal(p.allocatedBytes, 2 * p.soRcvbuf);
  assert.equal(p.autotuneMax, 268_435_456);
  assert.deepEqual(
    p.sysctls.map((s) => [s.line, s.ok]),
    [
      ['net.core.rmem_max = 100007936', false],
      ['net.core.wmem_max = 100007936', false],
      ['net.ipv4.tcp_rmem = 4096 131072 268435456', false],
      ['net.ipv4.tcp_wmem = 4096 16384 268435456', false],
    ],
  );
  const small = planBuffers(12.5e6, 1, caps); // 100 Mbit/s x 1 ms = 12.5 kB
  assert.ok(small.sysctls.every((s) => s.ok));
  assert.equal(small.sysctls[0].recommended, '212992'); // current kept, not lowered
  assert.match(sysctlFile(small), /already fit/);
  assert.match(sysctlFile(p), /^# \/etc\/sysctl\.d\/90-sockscope-buffers\.conf/);
  const huge = planBuffers(1.25e12, 1000, caps);
  // The most the kernel keeps of a setsockopt: INT_MAX / 2, doubled to INT_MAX - 1.
  assert.equal(huge.soRcvbuf, 1_073_741_823);
  assert.equal(huge.autotuneMax, 2_147_483_647);
  assert.match(huge.notes[0], /beyond what one connection can hold: TCP's largest window is about 1 GiB/);
});

test('setsockopt code for C, Python and Node carries the values and the caveats', () => {
  const p = planBuffers(1.25e9, 80, caps);
  const c = setsockoptCode(p, 'c');
  assert.match(c, /int rcvbuf = 100007936, sndbuf = 100007936;/);
  assert.match(c, /setsockopt\(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof rcvbuf\)/);
  assert.match(setsockoptCode(p, 'python'), /sock\.setsockopt\(socket\.SOL_SOCKET, socket\.SO_SNDBUF, 100007936\)/);
  const node = setsockoptCode(p, 'node');
  assert.match(node, /Node has no SO_RCVBUF\/SO_SNDBUF for TCP/);
  assert.match(node, /recvBufferSize: 100007936/);
});

test('connection verdicts: sndbuf-limited, rwnd-limited, receiving side with a local peer, fitting, no tcp_info', () => {
  const base = { rttUs: 80_000, deliveryRate: 12_500_000, busyUs: 10_000_000, bytesSent: 1e9 };
  const sndLimited = connectionBuffers(tcp('10.0.0.1:5201', '10.0.0.2:4000', 'ESTABLISHED', { tcpInfo: { ...base, sndbufLimitedUs: 5_000_000 }, skmem: { rmemAlloc: 0, rcvbuf: 131072, wmemAlloc: 0, sndbuf: 262144 } }));
  assert.equal(sndLimited.bdpBytes, 1_000_000);
  assert.match(sndLimited.verdict, /^send buffer too small: sndbuf-limited 50%/);
  assert.equal(sndLimited.bdpLowerBound, true);
  assert.equal(sndLimited.recommendedSndbuf, null);
  const rwnd = connectionBuffers(tcp('10.0.0.1:5201', '10.0.0.2:4000', 'ESTABLISHED', { tcpInfo: { ...base, rwndLimitedUs: 9_000_000 } }));
  assert.match(rwnd.verdict, /^receiver's window too small: rwnd-limited 90%/);
  const sender = tcp('127.0.0.1:40000', '127.0.0.1:5201', 'ESTABLISHED', { tcpInfo: { ...base, rwndLimitedUs: 8_000_000 } });
  const receiver = tcp('127.0.0.1:5201', '127.0.0.1:40000', 'ESTABLISHED', { tcpInfo: { rttUs: 10, bytesReceived: 1e9 }, skmem: { rmemAlloc: 0, rcvbuf: 131072, wmemAlloc: 0, sndbuf: 16384 } });
  const rx = connectionBuffers(receiver, undefined, sender);
  assert.equal(rx.basis, 'peer-delivery-rate');
  assert.equal(rx.rttMs, 80);
  assert.match(rx.verdict, /^receive buffer too small: the sender is rwnd-limited 80% of busy time; rcvbuf is 131072 bytes \(net\.ipv4\.tcp_rmem unknown\)/);
  // rcvbuf at the tcp_rmem default, nothing unread: SO_RCVBUF 65536 or a slow reader, which size alone cannot tell.
  const atDefault = connectionBuffers(receiver, undefined, sender, caps);
  assert.match(atDefault.verdict, /^receive buffer too small: .* rcvbuf is still the tcp_rmem default \(131072\): autotuning has not grown it, because the application reads slowly .* or it set SO_RCVBUF to 65536/);
  const fits = connectionBuffers(tcp('10.0.0.1:5201', '10.0.0.2:4000', 'ESTABLISHED', { tcpInfo: base, skmem: { rmemAlloc: 0, rcvbuf: 4e6, wmemAlloc: 0, sndbuf: 4e6 } }));
  assert.equal(fits.verdict, 'sndbuf fits the BDP');
  const target = connectionBuffers(tcp('10.0.0.1:5201', '10.0.0.2:4000', 'ESTABLISHED', { tcpInfo: base }), 1.25e9);
  assert.equal(target.basis, 'target');
  assert.equal(target.bdpBytes, 100_000_000);
  assert.match(connectionBuffers(tcp('10.0.0.1:5201', '10.0.0.2:4000', 'ESTABLISHED')).verdict, /no tcp_info/);
});

test('connection verdicts: an idle connection is idle, not "receiving from a remote peer"', () => {
  // As netlink reports an accepted loopback connection on which nothing was sent (ss: no bytes_sent,
  // no bytes_received, bytes_acked 1 for the SYN, delivery_rate absent).
  const idle = { rttUs: 6, bytesAcked: 1, bytesSent: 0, bytesReceived: 0, deliveryRate: 0, busyUs: 0 };
  const server = tcp('127.0.0.1:17006', '127.0.0.1:48260', 'ESTABLISHED', { tcpInfo: idle, skmem: { rmemAlloc: 0, rcvbuf: 131072, wmemAlloc: 0, sndbuf: 3939840 } });
  const client = tcp('127.0.0.1:48260', '127.0.0.1:17006', 'ESTABLISHED', { tcpInfo: idle });
  const local = connectionBuffers(server, undefined, client);
  assert.equal(local.bdpBytes, null);
  assert.doesNotMatch(local.verdict, /remote peer/);
  assert.match(local.verdict, /^idle: no data sent either way yet/);
  const remote = connectionBuffers(tcp('10.0.0.1:5201', '10.0.0.2:4000', 'ESTABLISHED', { tcpInfo: { ...idle, rttUs: 20_000 } }));
  assert.match(remote.verdict, /^idle: no data sent either way yet/);
  // A socket that has received data from a remote peer (which measures the rate, not us) keeps its verdict.
  const rx = connectionBuffers(tcp('10.0.0.1:5201', '10.0.0.2:4000', 'ESTABLISHED', { tcpInfo: { rttUs: 20_000, bytesAcked: 1, bytesReceived: 5e8 } }));
  assert.match(rx.verdict, /^no delivery rate \(this side only receives from a remote peer\)/);
});

test('report: JSON shape and human text with the generated-code defaults beside the plan', () => {
  const snap = fakeSnapshot({ sockets: [tcp('10.0.0.1:5201', '10.0.0.2:4000', 'ESTABLISHED', { processes: [proc(9, 'iperf3')], tcpInfo: { rttUs: 20_000, deliveryRate: 125e6, busyUs: 1e6, bytesSent: 1e8 } })] });
  const r = buildBuffersReport({ snapshot: snap, sockets: snap.sockets, selection: 'port 5201', bandwidth: { text: '10gbit', bytesPerSecond: 1.25e9 }, rttMs: 80, defaults: { bufferSize: 65536, origin: 'env', detail: 'DEFAULT_BUFFER_SIZE' } });
  assert.equal(r.connections.length, 1);
  // --bandwidth with --rtt: every connection is sized for the link given (10 Gbit/s x 80 ms), not its measured rtt.
  assert.equal(r.connections[0].bdpBytes, 100_000_000);
  assert.equal(r.link!.bdpBytes, 100_000_000);
  assert.ok(r.connectionPlan);
  const text = formatBuffersReport(r);
  assert.match(text, /Bandwidth-delay product: 10gbit \(10 Gbit\/s\) x 80 ms = 100000000 bytes \(95\.4 MiB\)/);
  assert.match(text, /iperf3\/9/);
  assert.match(text, /Generated servers read with a 65536-byte buffer \(bufferSize 65536, from environment DEFAULT_BUFFER_SIZE/);
  assert.match(text, /Python:\n  # BDP/);
  assert.ok(JSON.parse(JSON.stringify(r)).link.code.c.includes('SO_RCVBUF'));
});
