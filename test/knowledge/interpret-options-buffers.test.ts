// SO_RCVBUF / SO_SNDBUF and TCP_WINDOW_CLAMP verdicts on connected sockets, with the values measured on Linux 6.18
// (review session 11: /tmp/s11/review-options.md items 1 and 2). Host: tcp_rmem 4096 131072 33554432,
// tcp_wmem 4096 16384 4194304, rmem_max = wmem_max = 4194304.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { unknownSysctls, type Sysctls } from '../../src/model/snapshot.js';
import { buildOptionsReport, interpretOption, type OptionContext } from '../../src/knowledge/interpret-options.js';

const sysctls: Sysctls = { ...unknownSysctls(), 'net.ipv4.tcp_rmem': '4096 131072 33554432', 'net.ipv4.tcp_wmem': '4096 16384 4194304', 'net.core.rmem_max': '4194304', 'net.core.wmem_max': '4194304', 'net.core.rmem_default': '212992', 'net.core.wmem_default': '212992' };
const extra = { 'net.ipv4.tcp_moderate_rcvbuf': '1' };
const est = (o: Partial<OptionContext> = {}): OptionContext => ({ state: 'ESTABLISHED', protocol: 'tcp', family: 'inet', type: 'stream', sysctls, extraSysctls: extra, values: {}, ...o });
// tcp_info of the three loopback clients after receiving (and sending) 50 MiB each.
const after = (rcvSpace: number, sndMss = 65483) => ({ rcvSpace, sndMss, pmtu: 65535, bytesReceived: 52428800, bytesAcked: 52428801 });

test('a fixed SO_RCVBUF on a connection that has moved data is found from tcp_info rcv_space, not called autotuned or the default', () => {
  // SO_RCVBUF 65536 -> 131072 (= tcp_rmem[1]), rcv_space 189652: locked, never grew.
  const a = interpretOption('SO_RCVBUF', 131072, est({ tcp: after(189652) }));
  assert.match(a.unusual!, /^SO_RCVBUF fixed at 128 KiB \(setsockopt asked for 64 KiB; Linux doubles it\): autotuning is off for this socket: the application has read 185 KiB in one round trip/);
  assert.doesNotMatch(a.meaning, /the default/);
  // SO_RCVBUF 100000 -> 200000, rcv_space 261932 (not a multiple of 1024: the old test missed it and said "grown by autotuning").
  const b = interpretOption('SO_RCVBUF', 200000, est({ tcp: after(261932) }));
  assert.match(b.unusual!, /^SO_RCVBUF fixed at 195 KiB \(setsockopt asked for 97.7 KiB; Linux doubles it\): autotuning is off/);
  assert.doesNotMatch(b.meaning, /grown by autotuning/);
  // the default socket: rcvbuf 4657615 (odd) with rcv_space 851279: autotuned, nothing unusual
  const d = interpretOption('SO_RCVBUF', 4657615, est({ tcp: after(851279) }));
  assert.equal(d.unusual, undefined);
  assert.match(d.meaning, /grown by autotuning from 128 KiB \(limit 32 MiB\)/);
  // an even autotuned value with rcv_space well below half of it: not called fixed
  assert.equal(interpretOption('SO_RCVBUF', 7197856, est({ tcp: after(851279) })).unusual, undefined);
  // tcp_moderate_rcvbuf=0: nothing autotunes, so rcv_space proves nothing about the socket
  assert.equal(interpretOption('SO_RCVBUF', 200000, est({ tcp: after(261932), extraSysctls: { 'net.ipv4.tcp_moderate_rcvbuf': '0' } })).unusual, undefined);
});

test('without tcp_info the value alone cannot tell: both readings are named, neither is asserted', () => {
  // --options SO_RCVBUF (no TCP_INFO read): the review's `a` and `b`
  const a = interpretOption('SO_RCVBUF', 131072, est());
  assert.equal(a.unusual, undefined);
  assert.match(a.meaning, /the default net.ipv4.tcp_rmem\[1\], which autotuning can grow up to 32 MiB, or setsockopt asked for exactly 64 KiB, which fixes it \(autotuning off\): the value alone cannot tell/);
  const b = interpretOption('SO_RCVBUF', 200000, est());
  assert.match(b.meaning, /grown by autotuning from 128 KiB \(limit 32 MiB\), or setsockopt asked for exactly 97.7 KiB, which fixes it/);
  // below the default on a connection: autotuning never shrinks it (SO_RCVBUF 4096 -> 8192), but the socket may have
  // been created while tcp_rmem[1] was 8 KiB (review s19 diffE): named, not asserted
  const below = interpretOption('SO_RCVBUF', 8192, est());
  assert.equal(below.unusual, undefined);
  assert.match(below.meaning, /below the default 128 KiB, which autotuning never shrinks: setsockopt asked for exactly 4 KiB, which fixes it \(autotuning off\), or raised by SO_RCVLOWAT \(not read\).*, or net\.ipv4\.tcp_rmem\[1\] was 8 KiB when the socket was created/);
  // a listener has not autotuned: anything but today's default was set or is the default it was created with
  const li = interpretOption('SO_RCVBUF', 200000, est({ state: 'LISTEN', values: { SO_RCVLOWAT: 1 } }));
  assert.equal(li.unusual, undefined);
  assert.match(li.meaning, /a listener has not autotuned \(the connections it accepts inherit its buffer\): setsockopt asked for exactly 97\.7 KiB, which fixes it \(autotuning off\), or net\.ipv4\.tcp_rmem\[1\] was 195 KiB when the socket was created/);
  assert.equal(interpretOption('SO_RCVBUF', 131072, est({ state: 'LISTEN' })).unusual, undefined);
});

test('a fixed SO_SNDBUF on a connection: autotuning gives at least 20 MSS, so 200000 with MSS 65483 was set', () => {
  // opts.c fd 5: SO_SNDBUF 100000 -> 200000; the review's report said "grown by autotuning from 16 KiB"
  const s = interpretOption('SO_SNDBUF', 200000, est({ tcp: after(65495, 65483) }));
  assert.match(s.unusual!, /^SO_SNDBUF fixed at 195 KiB .*at least 20 times its MSS of 65483 bytes/);
  // SO_SNDBUF 8192 -> 16384 = tcp_wmem[1] on a connection: the default is never left there by autotuning (20 MSS: a rule
  // that holds whatever default the socket was created with, as autotuning only raises)
  assert.match(interpretOption('SO_SNDBUF', 16384, est({ tcp: after(65495, 65483) })).unusual!, /^SO_SNDBUF fixed at 16 KiB/);
  // the default connection: 4 MiB (tcp_wmem[2]) and MSS 1436 -> 131328: autotuned
  assert.equal(interpretOption('SO_SNDBUF', 4194304, est({ tcp: after(65495, 65483) })).unusual, undefined);
  assert.equal(interpretOption('SO_SNDBUF', 131328, est({ tcp: after(14360, 1436) })).unusual, undefined);
});

test('the fallback (no getsockopt) uses the collector\'s tcp_info for the same verdict', () => {
  const r = buildOptionsReport({
    socket: { state: 'ESTABLISHED', protocol: 'tcp', family: 'inet', type: 'stream' },
    options: [{ name: 'SO_RCVBUF', value: 200000, source: 'netlink skmem rb' }],
    sysctls,
    extraSysctls: extra,
    fdFlags: {},
    kernelView: { tcpInfo: { rcvSpace: 261932, mss: 65483, bytesReceived: 104857600, bytesAcked: 1 } },
  });
  assert.match(r.unusual[0], /^SO_RCVBUF fixed at 195 KiB/);
});

test('TCP_WINDOW_CLAMP: the kernel\'s own clamp on an ordinary connection is not a finding; an application\'s clamp is', () => {
  // a default connect(): 65536 with rcvbuf 131072 before data; 5143391 with rcvbuf 5225033 after 200 MiB
  for (const [clamp, rcvbuf] of [[65536, 131072], [5143391, 5225033], [5824, 8192]]) {
    const i = interpretOption('TCP_WINDOW_CLAMP', clamp, est({ values: { SO_RCVBUF: rcvbuf } }));
    assert.equal(i.unusual, undefined, `${clamp}/${rcvbuf}: ${i.unusual}`);
    assert.doesNotMatch(i.meaning, /capped/);
  }
  // --options TCP_WINDOW_CLAMP alone: no buffer to compare with, so no finding
  assert.equal(interpretOption('TCP_WINDOW_CLAMP', 65536, est()).unusual, undefined);
  // setsockopt(TCP_WINDOW_CLAMP, 20000) on a connection with the default 131072 buffer
  assert.match(interpretOption('TCP_WINDOW_CLAMP', 20000, est({ values: { SO_RCVBUF: 131072 } })).unusual!, /^TCP_WINDOW_CLAMP 20000 is well below what the 128 KiB receive buffer allows/);
  // set on a listener (0 unless set): the accepted connections inherit it (measured: 30000 on the accepted socket)
  assert.match(interpretOption('TCP_WINDOW_CLAMP', 30000, est({ state: 'LISTEN', values: { SO_RCVBUF: 131072 } })).unusual!, /on a listener/);
  assert.equal(interpretOption('TCP_WINDOW_CLAMP', 0, est({ state: 'LISTEN' })).unusual, undefined);
});

test('SO_RCVBUFFORCE / SO_SNDBUFFORCE: fixed where the value or tcp_info proves it; elsewhere both readings are named (review s19)', () => {
  // FORCE 8 MiB each, connected, no data: the review's "grown by autotuning from 16 KiB (limit 4 MiB)" for 16 MiB.
  // Provable: nothing sent (bytes_acked 1: the SYN; cwnd 10), and nothing received with SO_RCVLOWAT 1.
  const fresh = { rcvSpace: 65483, sndMss: 65483, pmtu: 65535, sndCwnd: 10, reordering: 3, bytesReceived: 0, bytesAcked: 1, bytesSent: 0, rcvOoopack: 0 };
  const values = { SO_RCVLOWAT: 1 };
  // Not proof since review s19 diffE: a socket created while tcp_wmem[1] was 16 MiB keeps it (tcp_init_sock).
  const snd = interpretOption('SO_SNDBUF', 16 * 1024 * 1024, est({ tcp: fresh, values }));
  assert.equal(snd.unusual, undefined);
  assert.match(snd.meaning, /set with SO_SNDBUFFORCE \(needs CAP_NET_ADMIN: above twice net\.core\.wmem_max=4 MiB\), which fixes it \(autotuning off\), .*, or net\.ipv4\.tcp_wmem\[1\] was 16 MiB when the socket was created/);
  // Below tcp_wmem[2] and above what tcp_sndbuf_expand gives with nothing sent: the same three readings.
  const sndUnder = interpretOption('SO_SNDBUF', 6 * 1024 * 1024, est({ tcp: fresh, values, sysctls: { ...sysctls, 'net.ipv4.tcp_wmem': '4096 16384 33554432' } }));
  assert.equal(sndUnder.unusual, undefined);
  assert.match(sndUnder.meaning, /the connection has sent nothing, and until data is acknowledged autotuning raises a send buffer to at most 3\.76 MiB \(tcp_sndbuf_expand: 3 times max\(10, cwnd 10, reordering \+ 1\) segments of at most 129 KiB\): setsockopt asked for exactly 3 MiB, which fixes it \(autotuning off\), or net\.ipv4\.tcp_wmem\[1\] was 6 MiB when the socket was created/);
  // A default connection on loopback: 4 MiB (tcp_wmem[2]) with nothing sent, as tcp_metrics kept reordering 10 (3 * 11
  // segments of 131328 bytes, capped): autotuning's, not unusual. Without the reordering (the kernel view's tcp_info)
  // it may be up to tcp_max_reordering 300, so 16 MiB proves nothing there.
  assert.equal(interpretOption('SO_SNDBUF', 4194304, est({ tcp: { ...fresh, reordering: 10 }, values })).unusual, undefined);
  assert.equal(interpretOption('SO_SNDBUF', 16 * 1024 * 1024, est({ tcp: { ...fresh, reordering: undefined }, values })).unusual, undefined);
  const rcv = interpretOption('SO_RCVBUF', 16 * 1024 * 1024, est({ tcp: fresh, values }));
  assert.equal(rcv.unusual, undefined);
  assert.match(rcv.meaning, /the connection has received no data, so autotuning has not grown it: set with SO_RCVBUFFORCE .*, or net\.ipv4\.tcp_rmem\[1\] was 16 MiB when the socket was created/);
  // Without tcp_info, 16 MiB under tcp_rmem[2] = 32 MiB may be either: named both, asserted neither.
  const either = interpretOption('SO_RCVBUF', 16 * 1024 * 1024, est());
  assert.equal(either.unusual, undefined);
  assert.match(either.meaning, /grown by autotuning from 128 KiB \(limit 32 MiB\), or fixed with SO_RCVBUFFORCE \(needs CAP_NET_ADMIN; autotuning off\)/);
  // 1 GiB asked reads 2147483646: the ceiling of a request, not a size autotuning grows to; fixed also without tcp_info.
  for (const kind of ['SO_RCVBUF', 'SO_SNDBUF']) {
    const i = interpretOption(kind, 2147483646, est());
    assert.doesNotMatch(i.meaning, /grown by autotuning/);
    assert.match(i.unusual!, new RegExp(`^${kind} fixed at 2 GiB \\(set with ${kind}FORCE.*it asked for 1 GiB or more \\(the kernel caps a request at INT_MAX/2\\).*: 2147483646 is the ceiling of a request \\(1 GiB or more asked, capped at INT_MAX/2 and doubled\\), not a size autotuning grows to \\(it stops at net\\.ipv4\\.tcp_${kind === 'SO_RCVBUF' ? 'r' : 'w'}mem\\[2\\]=${kind === 'SO_RCVBUF' ? 32 : 4} MiB\\)$`));
  }
  // An odd receive buffer above the limit is autotuning's from before the sysctl was lowered (setsockopt gives even sizes).
  const odd = interpretOption('SO_RCVBUF', 40000001, est());
  assert.equal(odd.unusual, undefined);
  assert.match(odd.meaning, /grown by autotuning while net\.ipv4\.tcp_rmem\[2\] was higher than the 32 MiB it is now/);
  // A listener forced past the cap: FORCE named, beside the default it may have been created with.
  const lf = interpretOption('SO_RCVBUF', 16 * 1024 * 1024, est({ state: 'LISTEN', values }));
  assert.equal(lf.unusual, undefined);
  assert.match(lf.meaning, /a listener has not autotuned .*: set with SO_RCVBUFFORCE .*, or net\.ipv4\.tcp_rmem\[1\] was 16 MiB when the socket was created/);
  // ... but 2147483646 on a listener is the request ceiling: fixed.
  assert.match(interpretOption('SO_RCVBUF', 2147483646, est({ state: 'LISTEN', values })).unusual!, /^SO_RCVBUF fixed at 2 GiB .*ceiling of a request/);
  // UDP (no autotuning): above twice rmem_max is FORCE's.
  const udp = interpretOption('SO_RCVBUF', 16 * 1024 * 1024, est({ protocol: 'udp', type: 'dgram', state: 'UNCONN' }));
  assert.match(udp.unusual!, /^SO_RCVBUF is 16 MiB, more than twice net\.core\.rmem_max=4 MiB: set with SO_RCVBUFFORCE, which needs CAP_NET_ADMIN/);
  // A receive buffer that data grew (received data, rcv_space large) keeps its autotuned reading.
  assert.equal(interpretOption('SO_RCVBUF', 4657615, est({ tcp: { ...fresh, rcvSpace: 851279, bytesReceived: 52428800 } })).unusual, undefined);
});

// The review's hosts after tcp_[rw]mem[2] was lowered: tcp_rmem 4096 131072 8388608, tcp_wmem 4096 16384 1048576.
const lowered: Sysctls = { ...sysctls, 'net.ipv4.tcp_rmem': '4096 131072 8388608', 'net.ipv4.tcp_wmem': '4096 16384 1048576' };
const low = (o: Partial<OptionContext> = {}) => est({ sysctls: lowered, values: { SO_RCVLOWAT: 1 }, ...o });

test('above tcp_[rw]mem[2] a buffer autotuning grew before the sysctl was lowered is not called fixed: both readings, nothing unusual (review s19 diffD)', () => {
  // lower.py: 32 MiB received (autotuned to the old tcp_rmem[2], even), 3939840 sent (tcp_sndbuf_expand: 2 * 15 * 131328).
  // Without tcp_info (another namespace's socket: no kernel view) and with it: data moved both ways, nothing proves a lock.
  const moved = { rcvSpace: 16777216, sndMss: 65483, pmtu: 65535, sndCwnd: 15, reordering: 3, bytesReceived: 2e9, bytesAcked: 2e9, bytesSent: 2e9 };
  for (const tcp of [undefined, moved]) {
    const r = interpretOption('SO_RCVBUF', 33554432, low({ tcp }));
    assert.equal(r.unusual, undefined, r.unusual);
    assert.equal(r.meaning, '32 MiB of receive buffer (the kernel counts twice the size set with setsockopt: half is bookkeeping); above net.ipv4.tcp_rmem[2]=8 MiB, where autotuning stops: set with SO_RCVBUFFORCE (needs CAP_NET_ADMIN: above twice net.core.rmem_max=4 MiB), which fixes it (autotuning off), or grown by autotuning before net.ipv4.tcp_rmem[2] was lowered to 8 MiB, or net.ipv4.tcp_rmem[1] was 32 MiB when the socket was created (a socket keeps the default it started with: autotuning only raises it): the value alone cannot tell');
    const s = interpretOption('SO_SNDBUF', 3939840, low({ tcp }));
    assert.equal(s.unusual, undefined, s.unusual);
    assert.equal(s.meaning, '3.76 MiB of send buffer (the kernel counts twice the size set with setsockopt: half is bookkeeping); above net.ipv4.tcp_wmem[2]=1 MiB, where autotuning stops: set with setsockopt (asked for 1.88 MiB), which fixes it (autotuning off), or grown by autotuning before net.ipv4.tcp_wmem[2] was lowered to 1 MiB, or net.ipv4.tcp_wmem[1] was 3.76 MiB when the socket was created (a socket keeps the default it started with: autotuning only raises it): the value alone cannot tell');
  }
  // The receiving side's send buffer: tcp_sndbuf_expand gave it 2 * 10 * 131328 at connection, and it sent nothing.
  const receiver = { rcvSpace: 16777216, sndMss: 65483, pmtu: 65535, sndCwnd: 10, reordering: 3, bytesReceived: 2e9, bytesAcked: 1, bytesSent: 0 };
  assert.equal(interpretOption('SO_SNDBUF', 2626560, low({ tcp: receiver })).unusual, undefined);
  // FORCE 16 MiB on a connection that moved nothing, a listener, a socket before connect(): no longer proof (review s19
  // diffE): a socket created while tcp_[rw]mem[1] was 32 MiB keeps it. Named, nothing unusual.
  const fresh = { rcvSpace: 65483, sndMss: 65483, pmtu: 65535, sndCwnd: 10, reordering: 3, bytesReceived: 0, bytesAcked: 1, bytesSent: 0, rcvOoopack: 0 };
  for (const o of [{ tcp: fresh }, { tcp: fresh, values: {} }, { state: 'LISTEN' }, { state: 'SYN_SENT' }])
    for (const [kind, sys] of [['SO_SNDBUF', 'tcp_wmem'], ['SO_RCVBUF', 'tcp_rmem']]) {
      const i = interpretOption(kind, 33554432, low(o));
      assert.equal(i.unusual, undefined, `${kind} ${JSON.stringify(o)}: ${i.unusual}`);
      assert.match(i.meaning, new RegExp(`set with ${kind}FORCE .*, or net\\.ipv4\\.${sys}\\[1\\] was 32 MiB when the socket was created`));
    }
});

test('SO_RCVLOWAT grows a receive buffer without fixing it: a buffer it explains is not called fixed (review s19 diffD)', () => {
  // lowat.py: SO_RCVLOWAT 1000000 on a fresh loopback connection: rcvbuf 2000000 (tcp_space_from_win at ratio 128).
  const fresh = { rcvSpace: 65483, sndMss: 65483, pmtu: 65535, sndCwnd: 10, bytesReceived: 0, bytesAcked: 1, bytesSent: 0, rcvOoopack: 0 };
  const r = interpretOption('SO_RCVBUF', 2000000, est({ tcp: fresh, values: { SO_RCVLOWAT: 1000000 } }));
  assert.equal(r.unusual, undefined, r.unusual);
  assert.equal(r.meaning, '1.91 MiB of receive buffer (the kernel counts twice the size set with setsockopt: half is bookkeeping); the connection has received no data, so autotuning has not grown it: raised by SO_RCVLOWAT 1000000 (Linux grows a receive buffer that is not fixed to about twice the low-water mark, and autotuning stays on), or setsockopt asked for exactly 977 KiB, which fixes it (autotuning off), or net.ipv4.tcp_rmem[1] was 1.91 MiB when the socket was created (a socket keeps the default it started with: autotuning only raises it): the value alone cannot tell');
  // 6.6 to 6.10 started at a ratio near 64 (about 4 times), and data moves the ratio: still not "fixed".
  assert.equal(interpretOption('SO_RCVBUF', Math.floor((1000000 * 256) / 65), est({ tcp: fresh, values: { SO_RCVLOWAT: 1000000 } })).unusual, undefined);
  // A listener with SO_RCVLOWAT: its buffer was raised, not fixed (the connections it accepts inherit both).
  assert.equal(interpretOption('SO_RCVBUF', 2000000, est({ state: 'LISTEN', values: { SO_RCVLOWAT: 1000000 } })).unusual, undefined);
  // SO_RCVLOWAT that cannot give the value (SO_RCVBUF 100000 set, then SO_RCVLOWAT 1000): set, or the default the
  // socket was created with (review s19 diffE): not called fixed, SO_RCVLOWAT not named.
  for (const lowat of [1, 1000]) {
    const f = interpretOption('SO_RCVBUF', 200000, est({ tcp: fresh, values: { SO_RCVLOWAT: lowat } }));
    assert.equal(f.unusual, undefined);
    assert.match(f.meaning, /the connection has received no data, so autotuning has not grown it: setsockopt asked for exactly 97\.7 KiB, which fixes it \(autotuning off\), or net\.ipv4\.tcp_rmem\[1\] was 195 KiB when the socket was created/);
    assert.doesNotMatch(f.meaning, /SO_RCVLOWAT/);
  }
  // Not read (the kernel view alone): both readings, SO_RCVLOWAT named as not read.
  const u = interpretOption('SO_RCVBUF', 200000, est({ tcp: fresh }));
  assert.equal(u.unusual, undefined);
  assert.match(u.meaning, /received no data, so autotuning has not grown it: setsockopt asked for exactly 97\.7 KiB, which fixes it \(autotuning off\), or raised by SO_RCVLOWAT \(not read\)/);
  // SO_RCVLOWAT equal to the rmem_max cap: twice rmem_max is no longer proof of a capped setsockopt.
  assert.equal(interpretOption('SO_RCVBUF', 8388608, est({ values: { SO_RCVLOWAT: 4194304 } })).unusual, undefined);
  // Twice rmem_max with SO_RCVLOWAT 1: a capped setsockopt, or the default the socket was created with (review s19 diffE).
  const capped = interpretOption('SO_RCVBUF', 8388608, est({ values: { SO_RCVLOWAT: 1 } }));
  assert.equal(capped.unusual, undefined);
  assert.match(capped.meaning, /twice net\.core\.rmem_max=4194304, where setsockopt caps a request: setsockopt asked for exactly 4 MiB, which fixes it \(autotuning off\), or net\.ipv4\.tcp_rmem\[1\] was 8 MiB when the socket was created/);
});
