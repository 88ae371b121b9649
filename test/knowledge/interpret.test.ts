// Pure interpretation for inspect-options, debug-connections and try (no OS access).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { unknownSysctls, type Sysctls } from '../../src/model/snapshot.js';
import { buildOptionsReport, displayValue, interpretOption, kernelViewFindings } from '../../src/knowledge/interpret-options.js';
import { findOption } from '../../src/knowledge/socket-options.js';
import { describeRoute, diagnoseConnectError, explainTlsFailure, parseHostPort, parseIpRouteGet, unknownRoute, verdict } from '../../src/knowledge/interpret-connect.js';
import { interpretTry, type TryContext } from '../../src/knowledge/interpret-try.js';

function sysctls(over: Partial<Record<keyof Sysctls, string>>): Sysctls {
  return { ...unknownSysctls(), 'net.ipv4.tcp_rmem': '4096 131072 6291456', 'net.ipv4.tcp_wmem': '4096 16384 4194304', 'net.core.rmem_max': '212992', 'net.core.wmem_max': '212992', 'net.core.rmem_default': '212992', 'net.core.wmem_default': '212992', ...over };
}
const extra = { 'net.ipv4.tcp_congestion_control': 'cubic', 'net.ipv4.tcp_keepalive_time': '7200', 'net.ipv4.tcp_notsent_lowat': '4294967295' };
const ctx = (o: Partial<Parameters<typeof interpretOption>[2]> = {}) => ({ state: 'ESTABLISHED', protocol: 'tcp', family: 'inet', sysctls: sysctls({}), extraSysctls: extra, values: {}, ...o });

test('SO_RCVBUF: default, autotuned, fixed (doubled request), capped by rmem_max', () => {
  assert.match(interpretOption('SO_RCVBUF', 131072, ctx()).meaning, /default net.ipv4.tcp_rmem\[1\]/);
  assert.equal(interpretOption('SO_RCVBUF', 131072, ctx()).unusual, undefined);
  assert.match(interpretOption('SO_RCVBUF', 1_234_567 * 2 + 2, ctx()).meaning, /grown by autotuning/);
  const big = sysctls({ 'net.core.rmem_max': '4194304' });
  assert.match(interpretOption('SO_RCVBUF', 524288, ctx()).meaning, /grown by autotuning/); // 256 KiB > rmem_max: cannot have been set
  // a round request on a connection is no proof: autotuning may have reached it too (review s11 item 1)
  assert.equal(interpretOption('SO_RCVBUF', 524288, ctx({ sysctls: big })).unusual, undefined);
  assert.match(interpretOption('SO_RCVBUF', 524288, ctx({ sysctls: big })).meaning, /grown by autotuning .*, or setsockopt asked for exactly 256 KiB/);
  // before the connection (SO_RCVLOWAT read, 1: it did not raise the buffer) nothing autotunes: set
  const lowat1 = { SO_RCVLOWAT: 1 };
  // ... or the default tcp_rmem[1] when the socket was created (review s19 diffE): named, not "fixed"
  assert.equal(interpretOption('SO_RCVBUF', 524288, ctx({ sysctls: big, state: 'SYN_SENT', values: lowat1 })).unusual, undefined);
  assert.match(interpretOption('SO_RCVBUF', 524288, ctx({ sysctls: big, state: 'SYN_SENT', values: lowat1 })).meaning, /setsockopt asked for exactly 256 KiB, which fixes it \(autotuning off\), or net\.ipv4\.tcp_rmem\[1\] was 512 KiB when the socket was created/);
  // SO_RCVLOWAT not read: it may have raised the buffer without fixing it (tcp_set_rcvlowat), so both readings
  assert.match(interpretOption('SO_RCVBUF', 524288, ctx({ sysctls: big, state: 'SYN_SENT' })).meaning, /setsockopt asked for exactly 256 KiB, which fixes it \(autotuning off\), or raised by SO_RCVLOWAT \(not read\)/);
  assert.match(interpretOption('SO_RCVBUF', 425984, ctx()).meaning, /twice net.core.rmem_max=212992, where setsockopt caps a request/);
  assert.match(interpretOption('SO_RCVBUF', 262144, ctx({ state: 'LISTEN', sysctls: big, values: lowat1 })).meaning, /connections it accepts inherit its buffer/);
  assert.match(interpretOption('SO_SNDBUF', 16384, ctx()).meaning, /tcp_wmem\[1\]/);
  assert.match(interpretOption('SO_RCVBUF', 65536, ctx({ protocol: 'udp' })).unusual!, /not the default net.core.rmem_default/);
});

test('linger, keepalive, congestion, v6only and tcp_info meanings and findings', () => {
  assert.match(interpretOption('SO_LINGER', { onoff: true, seconds: 0 }, ctx()).unusual!, /abortive reset/);
  assert.equal(interpretOption('SO_LINGER', { onoff: false, seconds: 0 }, ctx()).unusual, undefined);
  assert.match(interpretOption('SO_KEEPALIVE', false, ctx()).unusual!, /off on an established connection/);
  assert.match(interpretOption('TCP_KEEPIDLE', 7200, ctx({ values: { SO_KEEPALIVE: true } })).unusual!, /NATs and firewalls/);
  assert.match(interpretOption('TCP_KEEPCNT', 9, ctx({ values: { SO_KEEPALIVE: true, TCP_KEEPIDLE: 30, TCP_KEEPINTVL: 10 } })).meaning, /after 120 s/);
  assert.match(interpretOption('TCP_CONGESTION', 'reno', ctx()).unusual!, /system default is cubic/);
  assert.equal(interpretOption('TCP_CONGESTION', 'cubic', ctx()).unusual, undefined);
  assert.match(interpretOption('IPV6_V6ONLY', true, ctx({ state: 'LISTEN', local: '[::]:80' })).unusual!, /IPv4 clients are refused/);
  // full is past the backlog (sk_acceptq_is_full: ack_backlog > max_ack_backlog): listen(fd, 128) holds 129
  const full = interpretOption('TCP_INFO', { caState: 'Open', state: 'LISTEN', unacked: 129, sacked: 128 }, ctx({ state: 'LISTEN' }));
  assert.match(full.unusual!, /accept queue full \(129\/128\)/);
  assert.equal(interpretOption('TCP_INFO', { caState: 'Open', state: 'LISTEN', unacked: 128, sacked: 128 }, ctx({ state: 'LISTEN' })).unusual, undefined);
  // listen(fd, 0) holds one connection, and is then full
  assert.match(interpretOption('TCP_INFO', { caState: 'Open', state: 'LISTEN', unacked: 1, sacked: 0 }, ctx({ state: 'LISTEN' })).unusual!, /accept queue full \(1\/0\)/);
  assert.ok(interpretOption('SO_REUSEADDR', true, ctx()).platformNotes.some((n) => n.startsWith('Windows:')));
});

test('display of values', () => {
  assert.equal(displayValue('SO_RCVBUF', 524288, findOption('SO_RCVBUF')), '524288 bytes (512 KiB)');
  assert.equal(displayValue('SO_RCVBUF', 1536, findOption('SO_RCVBUF')), '1536 bytes (1.5 KiB)');
  assert.equal(displayValue('SO_DOMAIN', 10), '10 (AF_INET6)');
  assert.equal(displayValue('TCP_NODELAY', true), 'on (1)');
  assert.equal(displayValue('SO_LINGER', { onoff: true, seconds: 5 }), '{l_onoff: 1, l_linger: 5 s}');
  assert.equal(displayValue('SO_RCVTIMEO', { seconds: 1, micros: 500000 }), '1.5 s');
  assert.equal(displayValue('IP_TOS', 0x10), '16 (0x10, DSCP 4, ECN 0)');
  const report = buildOptionsReport({ socket: { state: 'LISTEN', protocol: 'tcp' }, options: [{ name: 'SO_RCVLOWAT', value: 1, source: 'getsockopt', readBecause: 'SO_RCVBUF' }, { name: 'SO_RCVBUF', value: 524288, source: 'getsockopt' }, { name: 'TCP_NODELAY', missing: 'needs getsockopt (EPERM)' }], sysctls: sysctls({ 'net.core.rmem_max': '4194304' }), extraSysctls: extra, fdFlags: {} });
  assert.equal(report.rows.length, 3);
  assert.equal(report.unusual.length, 0); // a listener's 512 KiB may be the default it was created with (review s19 diffE)
  assert.equal(report.rows[0].readBecause, 'SO_RCVBUF');
  assert.equal(report.rows[2].missing, 'needs getsockopt (EPERM)');
});

test('HOST:PORT parsing', () => {
  assert.deepEqual(parseHostPort('[::1]:8080'), { host: '::1', port: 8080 });
  assert.deepEqual(parseHostPort('[fe80::1%eth0]:22'), { host: 'fe80::1%eth0', port: 22 });
  assert.deepEqual(parseHostPort('example.com:443'), { host: 'example.com', port: 443 });
  assert.deepEqual(parseHostPort('10.0.0.1:80'), { host: '10.0.0.1', port: 80 });
  for (const bad of ['::1:80', 'example.com', ':80', 'a:0', 'a:65536', '[::1]', '[1.2.3.4]:80', 'a b:80']) assert.ok('error' in parseHostPort(bad), bad);
  assert.match((parseHostPort('::1:80') as { error: string }).error, /\[::1\]:80/);
  // a local port may be 0 (the kernel picks one) where the caller allows it, and the error says the range and why
  assert.deepEqual(parseHostPort('127.0.0.1:0', { allowZero: true }), { host: '127.0.0.1', port: 0 });
  assert.deepEqual(parseHostPort('[::]:0', { allowZero: true }), { host: '::', port: 0 });
  assert.deepEqual(parseHostPort('a:70000', { allowZero: true, why: 'for bind' }), { error: "port must be 0-65535 for bind, got '70000'" });
  assert.deepEqual(parseHostPort('a:0'), { error: "port must be 1-65535, got '0'" });
});

test('ip route get parsing', () => {
  const local = parseIpRouteGet('local 127.0.0.1 dev lo src 127.0.0.1 uid 0 \n    cache <local> \n');
  assert.deepEqual([local.ok, local.type, local.dev, local.src], [true, 'local', 'lo', '127.0.0.1']);
  const gw = parseIpRouteGet('10.99.99.99 via 192.0.2.1 dev eth0 src 192.0.2.2 uid 0 \n    cache \n');
  assert.deepEqual([gw.ok, gw.type, gw.via, gw.dev], [true, 'unicast', '192.0.2.1', 'eth0']);
  const none = parseIpRouteGet('', 'RTNETLINK answers: Network is unreachable\n', 2);
  assert.deepEqual([none.ok, none.error], [false, 'Network is unreachable']);
  const uh = parseIpRouteGet('unreachable 10.9.0.1 from :: table main uid 0\n');
  assert.equal(uh.ok, false);
});

test('a route that could not be read is unknown, not directly connected and not missing', () => {
  const r = unknownRoute('ip: not installed (command not found)');
  assert.equal(r.ok, null);
  assert.equal(r.type, 'unknown');
  assert.equal(describeRoute(r), 'unknown: could not run `ip route get` (ip: not installed (command not found))');
  // ENETUNREACH with an unknown route does not claim this host has no route
  const d = diagnoseConnectError('ENETUNREACH', { address: '10.0.0.1', port: 80, route: r });
  assert.doesNotMatch(d.summary, /this host has no route/);
  assert.match(d.summary, /no route to that network/);
});

test('connect errors: categories, errno knowledge, and verdicts', () => {
  const refused = diagnoseConnectError('ECONNREFUSED', { address: '10.0.0.1', port: 80 });
  assert.equal(refused.category, 'refused');
  assert.match(refused.meaning!, /RST/);
  assert.equal(diagnoseConnectError('ETIMEDOUT', { address: '10.0.0.1', port: 80, timeoutMs: 3000 }).category, 'timeout');
  assert.match(diagnoseConnectError('ENETUNREACH', { address: '10.0.0.1', port: 80, route: { ok: false, text: '', error: 'Network is unreachable' } }).summary, /this host has no route \(Network is unreachable\)/);
  const ex = { total: 28000, states: { TIME_WAIT: 27000 }, retransTotal: 0, timeWait: 27000, portRange: { low: 32768, high: 60999, size: 28232 } };
  assert.match(diagnoseConnectError('EADDRNOTAVAIL', { address: '10.0.0.1', port: 80, existing: ex }).summary, /27000 in TIME_WAIT.*28232 ephemeral ports/);
  const v = verdict('db', 5432, [
    { address: '::1', connected: false, diagnosis: refused },
    { address: '127.0.0.1', connected: true, connectMs: 0.3 },
  ]);
  assert.equal(v.ok, false);
  assert.match(v.summary, /reachable on 127.0.0.1 but not on ::1/);
  assert.equal(verdict('a', 1, [{ address: '1.1.1.1', connected: true, connectMs: 1 }]).ok, true);
  assert.match(verdict('a', 1, [{ address: '1.1.1.1', connected: true, connectMs: 1 }], ex).summary, /over half of the 28232 ephemeral ports/);
  // Connected, with TIME_WAIT over half the ports: the verdict's own step; a failed connect's diagnosis says it once.
  assert.deepEqual(verdict('a', 1, [{ address: '1.1.1.1', connected: true, connectMs: 1 }], ex).nextSteps, ['reuse connections (keep-alive, pooling); consider net.ipv4.tcp_tw_reuse=1']);
  const exhausted = diagnoseConnectError('EADDRNOTAVAIL', { address: '10.0.0.1', port: 80, existing: ex, twReuse: 0 });
  const steps = verdict('a', 80, [{ address: '10.0.0.1', connected: false, diagnosis: exhausted }], ex).nextSteps;
  assert.deepEqual(steps, exhausted.nextSteps);
  assert.equal(steps.filter((s) => /tcp_tw_reuse/.test(s)).length, 1, steps.join('\n'));
});

test('try: EADDRINUSE holders, TIME_WAIT, EACCES on privileged ports, backlog cut by somaxconn', () => {
  const base: TryContext = { op: 'bind', target: '0.0.0.0:80', port: 80, ok: false, errno: 'EADDRINUSE', uid: 1000, holders: [] };
  const held = interpretTry({ ...base, holders: [{ state: 'LISTEN', local: '0.0.0.0:80', processes: [{ pid: 42, name: 'nginx' }] }] });
  assert.equal(held.summary, 'port 80 is held by pid 42 (nginx), LISTEN on 0.0.0.0:80');
  const tw = interpretTry({ ...base, holders: [{ state: 'TIME_WAIT', local: '0.0.0.0:80', processes: [] }] });
  assert.match(tw.summary, /only 1 TIME_WAIT socket\(s\)/);
  const hidden = interpretTry({ ...base, hiddenProcesses: 12 });
  assert.match(hidden.summary, /no socket on it is visible \(12 processes/);
  const priv = interpretTry({ ...base, errno: 'EACCES', unprivilegedPortStart: 1024, hasNetBindService: false });
  assert.match(priv.summary, /port 80 is privileged/);
  const cap = interpretTry({ ...base, errno: 'EACCES', unprivilegedPortStart: 1024, hasNetBindService: true });
  assert.match(cap.summary, /security module/);
  const listen = interpretTry({ ...base, op: 'listen', ok: true, errno: undefined, backlogRequested: 10000, backlogEffective: 4096, somaxconn: 4096 });
  assert.match(listen.summary, /cut from 10000 to 4096/);
  assert.match(listen.nextSteps[0], /net.core.somaxconn=10000/);
  const notav = interpretTry({ ...base, target: '10.1.2.3:80', errno: 'EADDRNOTAVAIL', hostAddresses: ['127.0.0.1'] });
  assert.match(notav.summary, /10.1.2.3 is not an address of this host \(this host has 127.0.0.1\)/);
});

test('try: sockets on other local addresses with the same port do not explain EADDRINUSE', () => {
  const r = interpretTry({
    op: 'bind', target: '127.0.0.1:34705', port: 34705, ok: false, errno: 'EADDRINUSE', uid: 0,
    holders: [
      { state: 'ESTABLISHED', local: '127.0.0.12:34705', peer: '127.0.0.1:33309', processes: [{ pid: 9, name: 'node' }] },
      { state: 'TIME_WAIT', local: '127.0.0.1:34705', processes: [] },
    ],
  });
  assert.match(r.summary, /only 1 TIME_WAIT socket/);
  const wild = interpretTry({ op: 'bind', target: '127.0.0.1:80', port: 80, ok: false, errno: 'EADDRINUSE', uid: 0, holders: [{ state: 'LISTEN', local: '[::]:80', processes: [{ pid: 1, name: 'nginx' }] }] });
  assert.match(wild.summary, /held by pid 1 \(nginx\), LISTEN on \[::\]:80/);
});

test('kernel view findings: drops, full accept queue, full receive buffer, retransmits', () => {
  assert.deepEqual(kernelViewFindings(undefined), []);
  const f = kernelViewFindings({ state: 'LISTEN', recvQ: 129, sendQ: 128, skmem: { rmemAlloc: 0, rcvbuf: 131072, wmemAlloc: 0, sndbuf: 16384, drops: 1002 } });
  assert.match(f[0], /dropped 1002 packet\(s\).*accept queue was full/);
  assert.match(f[1], /accept queue full: 129 connection\(s\)/);
  const e = kernelViewFindings({ state: 'ESTABLISHED', recvQ: 0, sendQ: 0, skmem: { rmemAlloc: 130000, rcvbuf: 131072, wmemAlloc: 0, sndbuf: 16384 }, tcpInfo: { retrans: 2 } });
  assert.match(e[0], /receive buffer 99% full/);
  assert.match(e[1], /2 retransmission/);
});

test('TLS handshake failures in plain words (Node 20 codes and OpenSSL reasons seen against loopback listeners)', () => {
  const raw = '80:error:0A00010B:SSL routines:ssl3_get_record:wrong version number:../deps/openssl/openssl/ssl/record/ssl3_record.c:350:\n';
  assert.match(explainTlsFailure('ERR_SSL_WRONG_VERSION_NUMBER', raw), /^the server answered in something other than TLS \(wrong version number: it probably speaks plain TCP\/HTTP/);
  assert.match(explainTlsFailure('ERR_SSL_UNEXPECTED_MESSAGE', 'x:unexpected message:y'), /not a TLS handshake/);
  assert.match(explainTlsFailure('ECONNRESET', 'Client network socket disconnected before secure TLS connection was established'), /closed the connection without a TLS answer/);
  assert.match(explainTlsFailure('ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED', 'tlsv13 alert certificate required'), /client certificate/);
  assert.match(explainTlsFailure('ERR_SSL_SSLV3_ALERT_HANDSHAKE_FAILURE', 'sslv3 alert handshake failure'), /refused the handshake/);
  assert.equal(explainTlsFailure('ERR_SOMETHING_NEW', 'odd'), 'the handshake failed (ERR_SOMETHING_NEW)');
  // the verdict reads as one sentence: one "but"
  const v = verdict('h', 1, [{ address: '127.0.0.1', connected: true, connectMs: 1, expect: { ok: false, wanted: 'nope', replied: true } }]);
  assert.equal(v.summary, 'h:1 accepts TCP connections, but the reply from 127.0.0.1 does not contain "nope"');
});
