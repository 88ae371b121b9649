// `sockscope buffers` review s18, the arithmetic on synthetic sockets: the window a small rcvbuf allows under
// window scale 0 (#1), the caps a suggested value exceeds and one value for one BDP (#2), the kernel's real
// single-socket limits (#4), and no sysctl number from an app-limited sample (#7). The live halves are in
// test/cli/buffers-review-s18-live.test.ts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { connectionBuffers, planBuffers, MAX_BUFFER, type BufferCaps } from '../../src/advise/buffers.js';
import { buildBuffersReport } from '../../src/advise/buffers-report.js';
import { receiveBufferDiagnosis, sendBufferDiagnosis } from '../../src/advise/buffer-diagnosis.js';
import { formatBuffersReport } from '../../src/report/print-buffers.js';
import { tcp } from '../helpers/fake-snapshot.js';
import type { Socket } from '../../src/model/socket.js';

const caps: BufferCaps = { rmemMax: 4194304, wmemMax: 4194304, rmemDefault: 212992, wmemDefault: 212992, tcpRmem: [4096, 131072, 33554432], tcpWmem: [4096, 16384, 4194304], moderateRcvbuf: true };
const mem = (rcvbuf: number, sndbuf: number, rmemAlloc = 0) => ({ rmemAlloc, rcvbuf, wmemAlloc: 0, sndbuf, fwdAlloc: 0, wmemQueued: 0, optmem: 0, backlog: 0, drops: 0 });
const defaults = { bufferSize: 65536, origin: 'default' };

test('#1 window scale 0 with rcvbuf 8192: the ceiling is the window rcvbuf allows (about 4 KiB), not 64 KiB "whatever rcvbuf"', () => {
  // The tun link of the review: 40 ms, the receiver's SO_RCVBUF 4096 before listen() (rb 8192), 0.62 Mbit/s moved.
  const rx = tcp('10.88.0.2:5300', '10.88.0.1:43288', 'ESTABLISHED', { skmem: mem(8192, 69120), tcpInfo: { rttUs: 40_300, rcvWscale: 0, sndWscale: 7, windowScaling: true, bytesReceived: 1e6, bytesAcked: 1 } });
  const d = receiveBufferDiagnosis(rx, 400_000, true, caps, 40.3, 77_500)!;
  assert.equal(d.kind, 'fixed');
  assert.doesNotMatch(d.cause, /whatever rcvbuf/);
  // Linux 6.6+: rcvbuf x scaling_ratio, 1/2 at the start, up to about 0.9 once data flows (diff review 2).
  assert.match(d.cause, /its rcvbuf \(8192\) holds it to between about 4 KiB and 7\.6 KiB \(the kernel offers rcvbuf x a ratio it measures as window: 1\/2 when the connection opens, up to about 0\.9 once data flows .*a larger rcvbuf raises it, up to 64 KiB from about 72 KiB\)/);
  // At most 7782 bytes (0.95 x 8192) per 40.3 ms: 1.54 Mbit/s (64 KiB would be 13 Mbit/s).
  assert.match(d.cause, /at rtt 40\.3 ms that is at most 1\.54 Mbit\/s/);
  assert.equal(d.window, 7782);
  // rcvbuf of 128 KiB or more: 64 KiB is the ceiling, and no rcvbuf lifts it.
  const big = receiveBufferDiagnosis({ ...rx, skmem: mem(262144, 69120) }, 400_000, true, caps, 40.3)!;
  assert.match(big.cause, /never exceed 64 KiB, however large rcvbuf or tcp_rmem; at rtt 40\.3 ms that is at most 13 Mbit\/s/);
  // Seen from a sender whose receiver is on another host: its rcvbuf is not known, the window in use is.
  const tx = tcp('10.88.0.1:57042', '10.88.0.2:5300', 'ESTABLISHED', {
    skmem: mem(131072, 124928),
    tcpInfo: { rttUs: 40_400, deliveryRate: 71_500, busyUs: 10_000_000, rwndLimitedUs: 6_000_000, bytesSent: 1e6, bytesAcked: 1e6, sndWscale: 0, rcvWscale: 7, windowScaling: true },
  });
  const v = connectionBuffers(tx, undefined, undefined, caps).verdict;
  assert.match(v, /its window can never exceed 64 KiB whatever its tcp_rmem, nor its rcvbuf x the ratio its kernel offers as window \(1\/2 when the connection opens, up to about 0\.9 once data flows; a rcvbuf below about 72 KiB holds it lower/);
  assert.match(v, /572 kbit\/s moves now, a window of about 2\.82 KiB, so its rcvbuf is probably between about 3\.13 KiB and 5\.64 KiB/);
});

test('diff review 2 #1: rcvbuf between 64 and 128 KiB under window scale 0 reaches 64 KiB; unread data above half of rcvbuf raises the floor', () => {
  // The loopback case of the review: SO_RCVBUF 49152 (rcvbuf 98304), Recv-Q 65534 (the sender's snd_wnd 65535).
  const rx = tcp('127.0.0.1:47314', '127.0.0.1:54674', 'ESTABLISHED', { recvQ: 65534, skmem: mem(98304, 2626560, 66304), tcpInfo: { rttUs: 22, rcvWscale: 0, sndWscale: 10, windowScaling: true, bytesReceived: 1e9, bytesAcked: 1 } });
  const d = receiveBufferDiagnosis(rx, 400_000, true, caps, 0.022)!;
  assert.equal(d.window, 65535);
  assert.doesNotMatch(d.cause, /holds it to about 48 KiB|about half of rcvbuf|at 128 KiB/);
  assert.match(d.cause, /never exceed 64 KiB, however large rcvbuf or tcp_rmem \(its rcvbuf 98304 already allows 64 KiB once data flows/);
  // rcvbuf 40960 (0.95 x = 38912), 30000 unread: the floor is what was offered, not half of rcvbuf.
  const mid = receiveBufferDiagnosis({ ...rx, recvQ: 30000, skmem: mem(40960, 2626560, 31000) }, 400_000, true, caps, 0.022)!;
  assert.match(mid.cause, /its rcvbuf \(40960\) holds it to between about 29\.3 KiB and 38 KiB \(Recv-Q 30000 unread now: at least that much was offered\)/);
});

test('#2 a value above rmem_max / wmem_max or tcp_*mem max names the cap to raise, and verdict and plan give one value', () => {
  // 1 Gbit/s x 40.3 ms = 5,037,500 bytes: above rmem_max and wmem_max (4 MiB), 2 x BDP above tcp_wmem max.
  const bdp = 5_037_500;
  const plan = planBuffers(125e6, 40.3, caps);
  assert.equal(plan.bdpBytes, bdp);
  const rx = tcp('10.88.0.2:5300', '10.88.0.1:43288', 'ESTABLISHED', { skmem: mem(8192, 69120), tcpInfo: { rttUs: 40_300, rcvWscale: 7, sndWscale: 7, windowScaling: true, bytesReceived: 1e6, bytesAcked: 1 } });
  const r = receiveBufferDiagnosis(rx, bdp, false, caps, 40.3)!;
  assert.match(r.fix, new RegExp(`set SO_RCVBUF >= ${plan.soRcvbuf} before listen\\(\\)/connect\\(\\), and raise net\\.core\\.rmem_max to at least ${plan.soRcvbuf} first \\(now 4194304`));
  const s = sendBufferDiagnosis(8192, bdp, false, caps);
  assert.match(s.fix, /^remove the setsockopt \(autotuning then grows sndbuf up to 4194304, below 2 x BDP: raise the max too, sysctl -w net\.ipv4\.tcp_wmem="4096 16384 16777216"\)/);
  assert.match(s.fix, new RegExp(`set SO_SNDBUF >= ${plan.soSndbuf}, and raise net\\.core\\.wmem_max to at least ${plan.soSndbuf} first \\(now 4194304`));
  // The connection's SO_*BUF column is the plan's value (one rounding: 64 KiB steps from 1 MiB).
  const conn = connectionBuffers(rx, 125e6, undefined, caps, undefined, 40.3);
  assert.equal(conn.recommendedRcvbuf, plan.soRcvbuf);
  assert.equal(plan.soRcvbuf % 65536, 0);
  // Below the caps nothing is added.
  assert.doesNotMatch(sendBufferDiagnosis(8192, 100_000, false, caps).fix, /wmem_max|below 2 x BDP/);
});

test('#4 single-socket limits: SO_*BUF up to INT_MAX / 2 (doubled), tcp_*mem max up to INT_MAX, a capped ceiling says so', () => {
  // 10 Gbit/s x 500 ms = 625 MB: one socket holds it (a window below 1 GiB), nothing "capped at 512 MiB".
  const p = planBuffers(1.25e9, 500, caps);
  assert.equal(p.soRcvbuf, 625_016_832);
  assert.equal(p.allocatedBytes, 1_250_033_664);
  assert.equal(p.autotuneMax, MAX_BUFFER);
  assert.equal(MAX_BUFFER, 2_147_483_647);
  assert.ok(!p.notes.some((n) => /beyond/.test(n)), p.notes.join('\n'));
  const text = formatBuffersReport(buildBuffersReport({ bandwidth: { text: '10gbit', bytesPerSecond: 1.25e9 }, rttMs: 500, caps, defaults }));
  assert.match(text, /autotuning ceiling {5}2147483647 \(2 GiB; tcp_rmem\/tcp_wmem max: 2 x BDP \(1\.16 GiB\) rounded up to a power of two is above INT_MAX, capped there\)/);
  assert.doesNotMatch(text, /= 2 x BDP, rounded up/);
  // Beyond 1 GiB of window: capped at what the kernel keeps, and said so.
  const huge = planBuffers(1.25e9, 1000, caps);
  assert.equal(huge.soRcvbuf, 1_073_741_823);
  assert.match(huge.notes[0], /TCP's largest window is about 1 GiB/);
  const hugeText = formatBuffersReport(buildBuffersReport({ bandwidth: { text: '10gbit', bytesPerSecond: 1.25e9 }, rttMs: 1000, caps, defaults }));
  assert.match(hugeText, /tcp_rmem\/tcp_wmem max capped at INT_MAX, below 2 x BDP/);
});

test('#7 an app-limited sample at tcp_wmem max gives no sysctl number', () => {
  // tcp_wmem "4096 16384 65536" on 20 Mbit/s x 40 ms: sndbuf at the max, sndbuf-limited, the last sample app-limited.
  const small: BufferCaps = { ...caps, tcpWmem: [4096, 16384, 65536] };
  const tx: Socket = tcp('10.88.0.1:57042', '10.88.0.2:5300', 'ESTABLISHED', {
    skmem: mem(131072, 65536),
    tcpInfo: { rttUs: 40_000, deliveryRate: 2_500_000, deliveryRateAppLimited: true, busyUs: 10_000_000, sndbufLimitedUs: 8_000_000, bytesSent: 1.6e6, bytesAcked: 1.6e6 },
  });
  const c = connectionBuffers(tx, undefined, undefined, small);
  assert.equal(c.rateSample?.includes('app-limited'), true);
  assert.match(c.verdict, /autotuning has taken sndbuf to net\.ipv4\.tcp_wmem max \(65536\)/);
  assert.match(c.verdict, /raise the max .* to 2 x the link's BDP: the rate sample is app-limited, so no value is derived from it: give --bandwidth <link speed> to size it/);
  assert.doesNotMatch(c.verdict, /131072|sysctl -w net\.ipv4\.tcp_wmem=/);
  // With --bandwidth the link is sized: a number again.
  assert.match(connectionBuffers(tx, 2.5e6, undefined, small).verdict, /sysctl -w net\.ipv4\.tcp_wmem="4096 16384 262144"/);
});
