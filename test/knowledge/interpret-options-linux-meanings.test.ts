// Option meanings that must match what Linux does (review session 11, /tmp/s11/review-options.md), checked on the
// interpretation with the values the reviewer's programs read back; the behaviour itself was measured there.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { unknownSysctls } from '../../src/model/snapshot.js';
import { interpretOption, type OptionContext } from '../../src/knowledge/interpret-options.js';
import { describeOption } from '../../src/knowledge/socket-options.js';

const ctx = (o: Partial<OptionContext> = {}): OptionContext => ({ state: 'ESTABLISHED', protocol: 'tcp', family: 'inet', type: 'stream', sysctls: unknownSysctls(), extraSysctls: {}, values: {}, ...o });

test('SO_LINGER {1, N} on Linux: close() blocks even on an O_NONBLOCK fd, and no reset follows the timeout', () => {
  // linger.py: {1, 2}, 98 KB queued, peer not reading: close() took 2.0 s on the O_NONBLOCK fd; then FIN-WAIT-1, no RST
  const nb = interpretOption('SO_LINGER', { onoff: true, seconds: 4 }, ctx({ nonblock: true }));
  assert.doesNotMatch(nb.meaning + nb.unusual, /does not wait|then resets|reset still follows/i);
  assert.match(nb.meaning, /close\(\) blocks until unsent data is acknowledged or 4 s pass, even on this non-blocking fd/);
  assert.match(nb.meaning, /no reset on Linux/);
  assert.match(nb.unusual!, /can block the calling thread for up to 4 s, although the fd is O_NONBLOCK/);
  assert.doesNotMatch(interpretOption('SO_LINGER', { onoff: true, seconds: 4 }, ctx()).meaning, /then resets/);
  // a listener's close() does not linger (measured 0 s); accepted connections inherit the setting (read back {1, 5})
  const l = interpretOption('SO_LINGER', { onoff: true, seconds: 5 }, ctx({ state: 'LISTEN' }));
  assert.match(l.meaning, /listener's own close\(\) does not linger; the connections it accepts inherit \{1, 5\}/);
  assert.match(l.unusual!, /every accepted connection inherits it/);
  // the reference says the same
  const ref = describeOption('SO_LINGER').details;
  assert.doesNotMatch(ref, /then the connection is reset/);
  assert.match(ref, /even on an O_NONBLOCK socket/);
  assert.match(ref, /Linux does not reset the connection/);
});

test('keepalive options read without SO_KEEPALIVE: "unknown", never "SO_KEEPALIVE is off"', () => {
  // --options TCP_KEEPIDLE,TCP_KEEPCNT on opts fd 5, which has SO_KEEPALIVE=1 (review s11 item 4)
  const values = { TCP_KEEPIDLE: 45, TCP_KEEPCNT: 3 };
  const idle = interpretOption('TCP_KEEPIDLE', 45, ctx({ values }));
  assert.doesNotMatch(idle.meaning, /SO_KEEPALIVE is off/);
  assert.match(idle.meaning, /first keepalive probe after 45 s idle \(if SO_KEEPALIVE is on: it was not read\)/);
  assert.match(interpretOption('TCP_KEEPCNT', 9, ctx({ values: { TCP_KEEPIDLE: 30, TCP_KEEPINTVL: 10 } })).meaning, /after 120 s \(2 min\) of silence if SO_KEEPALIVE is on/);
  // read and off: still said
  assert.match(interpretOption('TCP_KEEPIDLE', 45, ctx({ values: { SO_KEEPALIVE: false } })).meaning, /unused: SO_KEEPALIVE is off/);
});

test('TCP_KEEPCNT: the dead-peer time follows TCP_USER_TIMEOUT when it is set', () => {
  // opts: KEEPIDLE 45, KEEPINTVL 7, KEEPCNT 3, TCP_USER_TIMEOUT 12345 ms: dropped at the first probe after the timeout, 52 s (not 66 s)
  const k = interpretOption('TCP_KEEPCNT', 3, ctx({ values: { SO_KEEPALIVE: true, TCP_KEEPIDLE: 45, TCP_KEEPINTVL: 7, TCP_USER_TIMEOUT: 12345 } }));
  assert.doesNotMatch(k.meaning, /66 s/);
  assert.match(k.meaning, /TCP_USER_TIMEOUT 12345 ms overrides the count: a dead peer is detected after about 52 s of silence/);
  // ka2.py: idle 2, interval 2, count 5: 11.9 s measured without it (12 s), 3.8 s with 3000 ms (4 s)
  assert.match(interpretOption('TCP_KEEPCNT', 5, ctx({ values: { SO_KEEPALIVE: true, TCP_KEEPIDLE: 2, TCP_KEEPINTVL: 2, TCP_USER_TIMEOUT: 0 } })).meaning, /after 12 s of silence/);
  assert.match(interpretOption('TCP_KEEPCNT', 5, ctx({ values: { SO_KEEPALIVE: true, TCP_KEEPIDLE: 2, TCP_KEEPINTVL: 2, TCP_USER_TIMEOUT: 3000 } })).meaning, /about 4 s of silence/);
  // a user timeout longer than the count: the count no longer ends it (idle 45 + 80 * 7 = 605 s for 600000 ms)
  assert.match(interpretOption('TCP_KEEPCNT', 3, ctx({ values: { SO_KEEPALIVE: true, TCP_KEEPIDLE: 45, TCP_KEEPINTVL: 7, TCP_USER_TIMEOUT: 600000 } })).meaning, /about 605 s \(10.1 min\)/);
});

test('TCP_FASTOPEN on a host whose net.ipv4.tcp_fastopen has no server bit: flagged, and the sysctl is read', async () => {
  // tfo.py (review s11 item 5): tcp_fastopen=1 read back 17 and took no SYN data; tcp_fastopen=3 took it
  const off = interpretOption('TCP_FASTOPEN', 17, ctx({ state: 'LISTEN', extraSysctls: { 'net.ipv4.tcp_fastopen': '1' } }));
  assert.match(off.unusual!, /^TCP_FASTOPEN 17 is set but net.ipv4.tcp_fastopen=1 has no server bit \(0x2\)/);
  assert.doesNotMatch(off.meaning, /may carry data/);
  const on = interpretOption('TCP_FASTOPEN', 17, ctx({ state: 'LISTEN', extraSysctls: { 'net.ipv4.tcp_fastopen': '3' } }));
  assert.equal(on.unusual, undefined);
  assert.match(on.meaning, /up to 17 pending connections may carry data in their SYN \(net.ipv4.tcp_fastopen=3 enables the server side\)/);
  assert.match(interpretOption('TCP_FASTOPEN', 17, ctx({ state: 'LISTEN' })).meaning, /if net.ipv4.tcp_fastopen has the server bit 0x2 \(it could not be read\)/);
  assert.doesNotMatch(describeOption('TCP_FASTOPEN').default, /allowed when/);
  // the inspection reads the sysctl (EXTRA_SYSCTLS) from /proc
  const { readFileSync } = await import('node:fs');
  const { inspectKernelSocket } = await import('../../src/collect/getsockopt.js');
  const socket = { protocol: 'tcp', ipVersion: 4, state: 'LISTEN', local: { address: '127.0.0.1', port: 1 }, peer: { address: '0.0.0.0', port: 0 }, recvQ: 0, sendQ: 0, processes: [] } as unknown as Parameters<typeof inspectKernelSocket>[0]['socket'];
  const r = await inspectKernelSocket({ socket, sourceName: 'test', options: ['TCP_FASTOPEN'], reason: 'test: no process' });
  assert.equal(r.extraSysctls['net.ipv4.tcp_fastopen'], readFileSync('/proc/sys/net/ipv4/tcp_fastopen', 'utf8').trim());
});

test('TCP_MAXSEG set on a listener clamps every accepted connection: flagged, not explained away as a placeholder', () => {
  // opts listener: TCP_MAXSEG 1000 read back 1000; its clients got mss 988 (review s11 item 9)
  const l = interpretOption('TCP_MAXSEG', 1000, ctx({ state: 'LISTEN' }));
  assert.doesNotMatch(l.meaning, /placeholder/);
  assert.match(l.unusual!, /^TCP_MAXSEG 1000 on a listener: the MSS of every accepted connection is clamped to 1000 bytes/);
  assert.equal(interpretOption('TCP_MAXSEG', 536, ctx({ state: 'LISTEN' })).unusual, undefined); // not set: 536 measured
  // a connection: 988 on loopback (pmtu 65535) is a clamp; 32741 there, and 1448 on a 1500 path, are not
  assert.match(interpretOption('TCP_MAXSEG', 988, ctx({ tcp: { pmtu: 65535, sndMss: 988 } })).unusual!, /the MSS was clamped/);
  assert.equal(interpretOption('TCP_MAXSEG', 32741, ctx({ tcp: { pmtu: 65535, sndMss: 32741 } })).unusual, undefined);
  assert.equal(interpretOption('TCP_MAXSEG', 1448, ctx({ tcp: { pmtu: 1500, sndMss: 1448 } })).unusual, undefined);
  assert.equal(interpretOption('TCP_MAXSEG', 1428, ctx({ family: 'inet6', tcp: { pmtu: 1500, sndMss: 1428 } })).unusual, undefined);
});

test('SO_RCVLOWAT: a poll() promise only for TCP (UDP and unix sockets report readable with any data)', () => {
  // lowat.out (review s11 item 10): SO_RCVLOWAT 100, 10 bytes queued: POLLIN at once on UDP and a unix socketpair, not on TCP
  const udp = interpretOption('SO_RCVLOWAT', 100, ctx({ protocol: 'udp', type: 'dgram', state: 'UNCONN' }));
  assert.equal(udp.unusual, undefined);
  assert.doesNotMatch(udp.meaning, /poll wait/);
  assert.match(udp.meaning, /no effect here/);
  const ux = interpretOption('SO_RCVLOWAT', 100, ctx({ family: 'unix', protocol: 'other', type: 'stream' }));
  assert.equal(ux.unusual, undefined);
  assert.match(ux.meaning, /a blocking read waits for 100 bytes, but poll\(\) and epoll report readable as soon as any data is queued/);
  assert.match(interpretOption('SO_RCVLOWAT', 100, ctx()).unusual!, /poll\(\) reports readable only with 100 bytes queued/);
});

test('TCP meanings are not given to unix and UDP sockets (no keepalive finding on every unix connection)', () => {
  // ux.out (review s11 item 11): a connected unix stream socket
  const u = (name: string, v: unknown) => interpretOption(name, v, ctx({ family: 'unix', protocol: 'other', type: 'stream' }));
  assert.equal(u('SO_KEEPALIVE', false).unusual, undefined);
  assert.doesNotMatch(u('SO_KEEPALIVE', false).meaning, /NAT/);
  assert.doesNotMatch(u('SO_REUSEADDR', false).meaning, /TIME_WAIT/);
  assert.doesNotMatch(u('SO_REUSEPORT', false).meaning, /address and port/);
  assert.doesNotMatch(u('SO_LINGER', { onoff: false, seconds: 0 }).meaning, /FIN/);
  assert.doesNotMatch(interpretOption('SO_BROADCAST', false, ctx({ family: 'unix', protocol: 'other', type: 'dgram' })).meaning, /EACCES/);
  // UDP has no TIME_WAIT; a UDP "established" socket is never told keepalive is off
  assert.doesNotMatch(interpretOption('SO_REUSEADDR', false, ctx({ protocol: 'udp', type: 'dgram' })).meaning, /TIME_WAIT/);
  assert.equal(interpretOption('SO_KEEPALIVE', false, ctx({ protocol: 'udp', type: 'dgram' })).unusual, undefined);
  // TCP unchanged
  assert.match(interpretOption('SO_KEEPALIVE', false, ctx()).unusual!, /off on an established connection/);
  assert.match(interpretOption('SO_REUSEADDR', false, ctx()).meaning, /TIME_WAIT/);
});

test('a value of 1 byte is not "1 bytes"', async () => {
  const { displayValue } = await import('../../src/knowledge/interpret-options.js');
  assert.equal(displayValue('SO_RCVLOWAT', 1, describeOption('SO_RCVLOWAT')), '1 byte');
  assert.equal(displayValue('SO_RCVLOWAT', 100, describeOption('SO_RCVLOWAT')), '100 bytes');
});

test('when the IPv4 level was read as well (readFor), the IPv6 row carries no "not read" note and the rows keep readFor', async () => {
  const { buildOptionsReport } = await import('../../src/knowledge/interpret-options.js');
  const r = buildOptionsReport({
    socket: { family: 'inet6', type: 'stream', protocol: 'tcp', state: 'LISTEN', local: '[::]:47603' },
    options: [{ name: 'IPV6_V6ONLY', value: false, source: 'getsockopt' }, { name: 'IP_TTL', value: 64, readAs: 'IPV6_UNICAST_HOPS', readFor: 'IPv6 peers', source: 'getsockopt' }, { name: 'IP_TTL', value: 33, readFor: 'IPv4 peers', source: 'getsockopt' }],
    sysctls: unknownSysctls(), extraSysctls: {}, fdFlags: {},
  });
  assert.doesNotMatch(r.rows[1].meaning, /not read/);
  assert.deepEqual(r.rows.map((x) => x.readFor), [undefined, 'IPv6 peers', 'IPv4 peers']);
});
