// Retransmission, buffer, UDP and limit rules on synthetic snapshots and histories, firing and not firing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { evaluateRules, makeContext } from '../../src/advise/index.js';
import type { Snapshot } from '../../src/model/snapshot.js';
import { fakeHistory, fakeSnapshot, listener, proc, tcp, udp } from '../helpers/fake-snapshot.js';

const run = (snap: Snapshot, history?: Snapshot[], thresholds?: Record<string, number>, port?: number) =>
  evaluateRules(makeContext({ snapshot: snap, history, thresholds, port }));
const ids = (snap: Snapshot, history?: Snapshot[], thresholds?: Record<string, number>) => run(snap, history, thresholds).map((r) => `${r.id}:${r.severity}`);

test('retransmissions-high: RetransSegs / (OutSegs + RetransSegs) over the window', () => {
  const h = fakeHistory(4, (i) => ({ snmp: { Tcp: { RetransSegs: 1000 + i * 500, OutSegs: 100_000 + i * 10_000 } } }), 10_000);
  const [r] = run(h[3], h);
  assert.equal(r.id, 'retransmissions-high');
  assert.equal(r.severity, 'warning');
  // 1500 of 31,500 segments sent: OutSegs does not count retransmitted ones.
  assert.match(r.message, /4\.76% of segments sent in the last 30 s were retransmitted/);
  assert.match(r.evidence, /RetransSegs \+1500, OutSegs \+30000 over 4 samples/);
  const crit = fakeHistory(4, (i) => ({ snmp: { Tcp: { RetransSegs: i * 2000, OutSegs: i * 10_000 } } }));
  assert.equal(run(crit[3], crit)[0].severity, 'critical');
  // Healthy ratio, too little traffic to judge, a single burst, or one snapshot: nothing.
  const ok = fakeHistory(4, (i) => ({ snmp: { Tcp: { RetransSegs: i * 10, OutSegs: i * 10_000 } } }));
  assert.deepEqual(ids(ok[3], ok), []);
  const idle = fakeHistory(4, (i) => ({ snmp: { Tcp: { RetransSegs: i * 5, OutSegs: i * 50 } } }));
  assert.deepEqual(ids(idle[3], idle), []);
  const burst = fakeHistory(4, (i) => ({ snmp: { Tcp: { RetransSegs: i === 3 ? 900 : 0, OutSegs: i * 10_000 } } }));
  assert.deepEqual(ids(burst[3], burst), []);
  assert.deepEqual(ids(fakeSnapshot({ snmp: { Tcp: { RetransSegs: 9e6, OutSegs: 1e7 } } })), []);
});

test('socket-retransmitting: outstanding RTO retransmits on a connected socket', () => {
  const snap = fakeSnapshot({ sockets: [tcp('10.0.0.1:41000', '192.0.2.7:443', 'ESTABLISHED', { timer: { name: 'on', expiresMs: 6400, retrans: 5 }, tcpInfo: { retrans: 1, totalRetrans: 9, rtoMs: 6400, rttUs: 120_000 } })] });
  const [r] = run(snap);
  assert.equal(r.id, 'socket-retransmitting');
  assert.equal(r.peerPort, 443);
  assert.match(r.evidence, /192\.0\.2\.7:443 ESTABLISHED 5 retransmission timeouts in a row \(total 9\), rto 6400 ms, rtt 120 ms/);
  // A lossy bulk transfer: several segments retransmitted and unacked, but the timer is not backing off.
  assert.deepEqual(ids(fakeSnapshot({ sockets: [tcp('10.0.0.1:41000', '192.0.2.7:443', 'ESTABLISHED', { timer: { name: 'on', expiresMs: 200, retrans: 0 }, tcpInfo: { retrans: 12 } })] })), []);
  // Without a timer field, tcp_info stands in.
  assert.equal(run(fakeSnapshot({ sockets: [tcp('10.0.0.1:41000', '192.0.2.7:443', 'ESTABLISHED', { tcpInfo: { retrans: 4 } })] }))[0].id, 'socket-retransmitting');
  assert.deepEqual(ids(fakeSnapshot({ sockets: [tcp('10.0.0.1:41000', '192.0.2.7:443', 'ESTABLISHED', { tcpInfo: { retrans: 1, totalRetrans: 40 } })] })), []);
  assert.deepEqual(ids(fakeSnapshot({ sockets: [tcp('10.0.0.1:41000', '192.0.2.7:443', 'SYN_SENT', { tcpInfo: { retrans: 4 } })] })), []);
});

test('buffer-below-bdp: sndbuf-limited with a send buffer below 2 x BDP; not when unlimited', () => {
  const ti = { rttUs: 80_000, deliveryRate: 12_500_000, busyUs: 10_000_000, sndbufLimitedUs: 6_000_000, rwndLimitedUs: 0 }; // 100 Mbit/s x 80 ms = 1 MB
  const skmem = { rmemAlloc: 0, rcvbuf: 131072, wmemAlloc: 0, sndbuf: 262144 };
  const snap = fakeSnapshot({ sockets: [listener('0.0.0.0:5201', 128), tcp('10.0.0.1:5201', '198.51.100.4:50000', 'ESTABLISHED', { tcpInfo: ti, skmem })] });
  const [r] = run(snap);
  assert.equal(r.id, 'buffer-below-bdp');
  assert.equal(r.port, 5201);
  assert.match(r.message, /limited by the send buffer/);
  assert.match(r.evidence, /sndbuf-limited 60% of busy time; rtt 80 ms, delivery rate 100 Mbit\/s, BDP at least 977 KiB; sndbuf 256 KiB; caps: net\.core\.rmem_max 212992/);
  // sndbuf 256 KiB, below tcp_wmem max 4 MiB: autotuning would have grown it, so the application fixed it.
  assert.match(r.fix, /^Send buffer: remove the setsockopt \(autotuning then grows sndbuf up to 4194304\)/);
  assert.doesNotMatch(r.fix, /tcp_wmem="/);
  assert.match(r.fix, /sockscope buffers --bandwidth <link speed> --rtt 80ms/);
  const relaxed = fakeSnapshot({ sockets: [tcp('10.0.0.1:5201', '198.51.100.4:50000', 'ESTABLISHED', { tcpInfo: { ...ti, sndbufLimitedUs: 100_000 }, skmem })] });
  assert.deepEqual(ids(relaxed), []);
  const short = fakeSnapshot({ sockets: [tcp('10.0.0.1:5201', '198.51.100.4:50000', 'ESTABLISHED', { tcpInfo: { ...ti, busyUs: 200_000, sndbufLimitedUs: 200_000 }, skmem })] });
  assert.deepEqual(ids(short), []);
});

test('buffer-below-bdp: rwnd-limited blames the receiver, using its rcvbuf when the peer is local', () => {
  const ti = { rttUs: 1000, deliveryRate: 1_000_000_000, busyUs: 5_000_000, rwndLimitedUs: 4_000_000 }; // BDP 1 MB
  const snap = fakeSnapshot({
    sockets: [
      tcp('127.0.0.1:6000', '127.0.0.1:50000', 'ESTABLISHED', { tcpInfo: ti, skmem: { rmemAlloc: 0, rcvbuf: 131072, wmemAlloc: 0, sndbuf: 4194304 } }),
      tcp('127.0.0.1:50000', '127.0.0.1:6000', 'ESTABLISHED', { skmem: { rmemAlloc: 0, rcvbuf: 65536, wmemAlloc: 0, sndbuf: 16384 } }),
      listener('127.0.0.1:6000', 10),
    ],
  });
  const r = run(snap).find((x) => x.id === 'buffer-below-bdp')!;
  assert.match(r.message, /limited by the receiver's window/);
  assert.match(r.evidence, /receiver's rcvbuf 64 KiB/);
  // The receiver is on this host: its rcvbuf (64 KiB, below the tcp_rmem default) says SO_RCVBUF was set.
  assert.match(r.fix, /^Receiver \(127\.0\.0\.1:50000, on this host\): remove the setsockopt/);
  assert.match(r.evidence, /below the tcp_rmem default \(131072\) .* the application set SO_RCVBUF \(to 32768; Linux doubles it\)/);
});

test('buffer-below-bdp: an app-limited rate sample is not the BDP; the average over busy time is, as sockscope buffers uses', () => {
  // tcpi_delivery_rate_app_limited: the sample was taken with too little queued to fill the path (measured on
  // loopback: 131 Gbit/s app_limited while 7.1 MB moved in 3.8 s busy). Its BDP (16 MB at 1 ms) made an
  // autotuned 6 MiB receiver "below the BDP". bytes_acked / busy time is 1.87 MB/s: BDP 1.9 KB.
  const ti = { rttUs: 1000, deliveryRate: 16_375_000_000, deliveryRateAppLimited: true, busyUs: 3_800_000, rwndLimitedUs: 3_000_000, bytesAcked: 7_100_001, bytesSent: 7_100_000 };
  const sockets = [
    listener('127.0.0.1:6000', 10),
    tcp('127.0.0.1:6000', '127.0.0.1:50000', 'ESTABLISHED', { tcpInfo: ti, skmem: { rmemAlloc: 0, rcvbuf: 131072, wmemAlloc: 0, sndbuf: 4194304 } }),
    tcp('127.0.0.1:50000', '127.0.0.1:6000', 'ESTABLISHED', { skmem: { rmemAlloc: 0, rcvbuf: 6291456, wmemAlloc: 0, sndbuf: 16384 } }),
  ];
  assert.deepEqual(run(fakeSnapshot({ sockets })).filter((r) => r.id === 'buffer-below-bdp'), []);
  // The same connection with a sample that was not app-limited is judged by it.
  const full = sockets.map((s) => (s.tcpInfo ? { ...s, tcpInfo: { ...ti, deliveryRateAppLimited: false } } : s));
  assert.equal(run(fakeSnapshot({ sockets: full })).filter((r) => r.id === 'buffer-below-bdp').length, 1);
  // A fixed SO_SNDBUF that limits is still named, with the average rate and the sample said for what it is.
  const snd = { ...ti, rwndLimitedUs: 0, sndbufLimitedUs: 3_000_000 };
  const sender = [listener('127.0.0.1:6000', 10), tcp('127.0.0.1:6000', '127.0.0.1:50000', 'ESTABLISHED', { tcpInfo: snd, skmem: { rmemAlloc: 0, rcvbuf: 131072, wmemAlloc: 0, sndbuf: 32768 } })];
  const r = run(fakeSnapshot({ sockets: sender })).find((x) => x.id === 'buffer-below-bdp')!;
  assert.ok(r, 'a fixed SO_SNDBUF that limits 79% of busy time is still a finding');
  assert.match(r.evidence, /delivery rate 14\.9 Mbit\/s \(bytes acked over busy time; the last sample, 131 Gbit\/s, was app-limited\), BDP at least 1\.83 KiB/);
  assert.doesNotMatch(r.fix + r.evidence, /15\.\d MiB|16\.\d MiB/);
});

test('buffer-below-bdp: a receiver that stopped reading (zero window, persist timer) is not a buffer-size problem', () => {
  // Measured on loopback: the server never reads; the client filled its 3.6 MiB send buffer. ss -tmoi of the
  // client: timer:(persist,...), rwnd_limited 100% of busy, delivery rate ~9 Gbit/s from the first burst;
  // the server's Recv-Q holds its whole rcvbuf. send-q-persistent reports the peer that does not read.
  const ti = { rttUs: 4516, deliveryRate: 1_107_500_000, busyUs: 289_848_000, rwndLimitedUs: 289_848_000, bytesSent: 4_000_000 };
  const sockets = [
    listener('127.0.0.1:17010', 8),
    tcp('127.0.0.1:33968', '127.0.0.1:17010', 'ESTABLISHED', { sendQ: 3_782_144, timer: { name: 'persist', expiresMs: 532, retrans: 0 }, tcpInfo: ti, skmem: { rmemAlloc: 0, rcvbuf: 131072, wmemAlloc: 3847872, sndbuf: 4194304 } }),
    tcp('127.0.0.1:17010', '127.0.0.1:33968', 'ESTABLISHED', { recvQ: 128_512, skmem: { rmemAlloc: 131840, rcvbuf: 131072, wmemAlloc: 0, sndbuf: 3939840 } }),
  ];
  assert.deepEqual(run(fakeSnapshot({ sockets })).filter((r) => r.id === 'buffer-below-bdp'), []);
  // The same connection while data still flows (no persist timer) is judged as before.
  const flowing = sockets.map((s) => (s.timer ? { ...s, timer: undefined } : s));
  assert.equal(run(fakeSnapshot({ sockets: flowing })).filter((r) => r.id === 'buffer-below-bdp').length, 1);
});

test('udp-receive-errors and udp-socket-drops: sustained rises name the socket; one burst does not', () => {
  const h = fakeHistory(4, (i) => ({
    snmp: { Tcp: { RetransSegs: 0, OutSegs: 0 }, Udp: { InErrors: i * 300, RcvbufErrors: i * 300 } },
    sockets: [udp('0.0.0.0:514', { processes: [proc(88, 'rsyslogd')], skmem: { rmemAlloc: 212992, rcvbuf: 212992, wmemAlloc: 0, sndbuf: 212992, drops: i * 300 } })],
  }));
  const recs = run(h[3], h);
  assert.deepEqual(recs.map((r) => r.id), ['udp-receive-errors', 'udp-socket-drops']);
  assert.match(recs[0].message, /RcvbufErrors \+900 in 30 s \(30\/s\)/);
  assert.match(recs[0].evidence, /udp port 514 rsyslogd \(pid 88\) drops 900, queued 208 KiB of rcvbuf 208 KiB/);
  assert.match(recs[0].fix, /net\.core\.rmem_max \(now 212992\): sysctl -w net\.core\.rmem_max=8388608/);
  assert.equal(recs[1].port, 514);
  assert.equal(recs[1].pid, 88);
  const once = fakeHistory(4, (i) => ({ snmp: { Udp: { InErrors: i === 3 ? 5 : 0, RcvbufErrors: i === 3 ? 5 : 0 } } }));
  assert.deepEqual(ids(once[3], once), []);
});

test('udp-socket-drops: the rise is timed over the samples that carry the drop counter', () => {
  // The monitor's home view collects no skmem; opening a port view does. Samples without the counter
  // must not stretch the time of the rise: +200 over the last two intervals is +200 in 20 s, not 50 s.
  const h = fakeHistory(6, (i) => ({
    sockets: [udp('127.0.0.1:17004', { processes: [proc(77, 'udpsink')], ...(i >= 3 ? { skmem: { rmemAlloc: 6912, rcvbuf: 8192, wmemAlloc: 0, sndbuf: 212992, drops: 1000 + (i - 3) * 100 } } : {}) })],
  }));
  const r = run(h[5], h).find((x) => x.id === 'udp-socket-drops');
  assert.ok(r, 'udp-socket-drops fires');
  assert.match(r.message, /is dropping datagrams: \+200 in 20 s,/);
});

test('process-near-fd-limit: open files against RLIMIT_NOFILE; only for the port\'s processes under --port', () => {
  const snap = fakeSnapshot({
    sockets: [listener('0.0.0.0:8080', 128, 0, [proc(10, 'api')]), listener('0.0.0.0:9090', 128, 0, [proc(20, 'other')])],
    processLimits: { 10: { openFiles: 1000, maxOpenFiles: 1024, name: 'api' }, 20: { openFiles: 100, maxOpenFiles: 1024, name: 'other' }, 30: { openFiles: 5, maxOpenFiles: null, name: 'unl' } },
  });
  const [r] = run(snap);
  assert.equal(r.id, 'process-near-fd-limit');
  assert.equal(r.severity, 'critical');
  assert.match(r.message, /^api \(pid 10\) has 1000 of 1024 open files \(97\.7%\): "Too many open files" \(EMFILE\) is coming$/);
  assert.match(r.fix, /LimitNOFILE=65536/);
  assert.equal(run(snap, undefined, undefined, 8080).length, 1);
  assert.equal(run(snap, undefined, undefined, 9090).length, 0);
  const warn = fakeSnapshot({ processLimits: { 10: { openFiles: 850, maxOpenFiles: 1024, name: 'api' } } });
  assert.deepEqual(ids(warn), ['process-near-fd-limit:warning']);
  assert.deepEqual(ids(fakeSnapshot({ processLimits: { 10: { openFiles: 500, maxOpenFiles: 1024, name: 'api' } } })), []);
});

test('process-near-fd-limit: the suggested limit is above the soft limit and fits the hard limit and fs.nr_open', () => {
  const fix = (soft: number, hard: number | null | undefined, nrOpen = '1048576') =>
    run(fakeSnapshot({ sysctls: { 'fs.nr_open': nrOpen }, processLimits: { 10: { openFiles: soft - 1, maxOpenFiles: soft, ...(hard !== undefined ? { hardMaxOpenFiles: hard } : {}), name: 'api' } } }))[0].fix;
  // Soft already above 65536: twice it, never lower.
  // Review s20 fix-rules3 #2: bare ulimit -n sets the hard limit too: the soft limit alone is ulimit -Sn.
  assert.match(fix(100_000, 1_048_576), /raise the soft limit to 200000, which the hard limit \(1048576\) allows without privilege: ulimit -Sn 200000/);
  assert.doesNotMatch(fix(100_000, 1_048_576), /ulimit -n \d/);
  assert.doesNotMatch(fix(100_000, 1_048_576), /65536/);
  // Twice past fs.nr_open: raise fs.nr_open first.
  assert.match(fix(600_000, 600_000), /sysctl -w fs\.nr_open=1200000 first \(the hard limit cannot exceed fs\.nr_open, now 1048576\)/);
  // Hard limit unknown (an older snapshot): ulimit only up to ulimit -Hn.
  assert.match(fix(1024, undefined), /ulimit -Sn 65536 or setrlimit\(RLIMIT_NOFILE\) in the start script work only up to the hard limit \(ulimit -Hn\)/);
  assert.match(fix(1024, undefined), /raising the hard limit needs CAP_SYS_RESOURCE/);
});

test('orphans-near-limit and conntrack-near-full', () => {
  assert.deepEqual(ids(fakeSnapshot({ sysctls: { 'net.ipv4.tcp_max_orphans': '1000' }, sockstat: { TCP: { orphan: 600, tw: 0 } } })), ['orphans-near-limit:warning']);
  assert.deepEqual(ids(fakeSnapshot({ sysctls: { 'net.ipv4.tcp_max_orphans': '1000' }, sockstat: { TCP: { orphan: 950, tw: 0 } } })), ['orphans-near-limit:critical']);
  assert.deepEqual(ids(fakeSnapshot({ sockstat: { TCP: { orphan: 12, tw: 0 } } })), []);
  const ct = (count: string) => fakeSnapshot({ sysctls: { 'net.netfilter.nf_conntrack_count': count, 'net.netfilter.nf_conntrack_max': '65536' } });
  assert.deepEqual(ids(ct('60000')), ['conntrack-near-full:warning']);
  assert.deepEqual(ids(ct('65000')), ['conntrack-near-full:critical']);
  assert.deepEqual(ids(ct('1000')), []);
  assert.match(run(ct('60000'))[0].fix, /nf_conntrack_max=131072/);
  // Unknown sysctls (module not loaded, unprivileged): nothing, never an error.
  assert.deepEqual(ids(fakeSnapshot({ sysctls: { 'net.ipv4.tcp_max_orphans': null }, sockstat: null, netstat: null, snmp: null })), []);
});
