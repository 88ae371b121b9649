// review-udp #1, #2, #4, #5 on fake histories: the UDP drop fix never lowers rmem_max, gives rmem_default
// advice only to a socket that kept the default, speaks the socket's family; drops without a full buffer
// are not blamed on it; --port P does not blame P for drops elsewhere; a shared port names its member.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { evaluateRules, makeContext } from '../../src/advise/index.js';
import type { Socket } from '../../src/model/socket.js';
import { fakeHistory, proc, udp } from '../helpers/fake-snapshot.js';

const skmem = (rmemAlloc: number, rcvbuf: number, drops: number) => ({ rmemAlloc, rcvbuf, wmemAlloc: 0, sndbuf: 212992, drops });
const run = (h: ReturnType<typeof fakeHistory>, port?: number) => evaluateRules(makeContext({ snapshot: h[h.length - 1], history: h, port }));
const udp6 = (local: string, extra: Partial<Socket>) => ({ ...udp(local, extra), ipVersion: 6 as const, peer: { address: '::', port: 0 } });

test('#1 rmem_max at 32 MiB: the fix does not suggest a sysctl that lowers it', () => {
  const h = fakeHistory(4, (i) => ({
    sysctls: { 'net.core.rmem_max': '33554432' },
    snmp: { Udp: { InErrors: i * 200, RcvbufErrors: i * 200 } },
    sockets: [udp('0.0.0.0:40001', { inode: 501, processes: [proc(27440, 'python3', 3)], skmem: skmem(7488, 8192, 100 + i * 200) })],
  }));
  const recs = run(h);
  assert.deepEqual(recs.map((r) => r.id), ['udp-receive-errors', 'udp-socket-drops']);
  for (const r of recs) {
    assert.doesNotMatch(r.fix, /sysctl -w net\.core\.rmem_max/, r.id);
    assert.match(r.fix, /net\.core\.rmem_max \(now 33554432\) already allows it/, r.id);
  }
  // rcvbuf 8 KiB is not rmem_default (208 KiB): the application set it, and rmem_default would not apply.
  const sock = recs[1];
  assert.match(sock.fix, /The application set SO_RCVBUF itself \(rcvbuf 8 KiB, not the default net\.core\.rmem_default=212992\): change the value in its code/);
  assert.doesNotMatch(sock.fix, /sysctl -w net\.core\.rmem_default/);
  assert.match(sock.fix, /type: 'udp4'/);
  assert.match(sock.fix, /nstat -az UdpRcvbufErrors UdpInErrors/);
});

test('#1 rmem_max below the request: the sysctl line; a socket that kept the default: rmem_default as well', () => {
  const h = fakeHistory(4, (i) => ({
    snmp: { Udp: { InErrors: i * 200, RcvbufErrors: i * 200 } },
    sockets: [udp('0.0.0.0:514', { processes: [proc(88, 'rsyslogd')], skmem: skmem(212992, 212992, i * 200) })],
  }));
  const r = run(h).find((x) => x.id === 'udp-socket-drops')!;
  assert.match(r.fix, /capped by net\.core\.rmem_max \(now 212992\): sysctl -w net\.core\.rmem_max=8388608/);
  assert.match(r.fix, /keeps the default net\.core\.rmem_default \(212992\).*sysctl -w net\.core\.rmem_default=8388608/);
});

test('#1 #3 an IPv6 socket: Udp6 counters make the host finding, the code is udp6 and the counters Udp6', () => {
  const h = fakeHistory(4, (i) => ({
    snmp: { Udp: { InErrors: 5, RcvbufErrors: 5 }, Udp6: { InErrors: i * 300, RcvbufErrors: i * 300 } },
    sockets: [udp6('[::1]:40006', { inode: 506, processes: [proc(27440, 'python3', 8)], skmem: skmem(7488, 8192, i * 300) })],
  }));
  const recs = run(h);
  assert.deepEqual(recs.map((r) => r.id), ['udp-receive-errors', 'udp-socket-drops']);
  assert.match(recs[0].message, /^UDP receive errors are rising \(IPv6\): RcvbufErrors \+900 in 30 s/);
  assert.match(recs[0].evidence, /Udp6 RcvbufErrors \+900, InErrors \+900/);
  assert.match(recs[0].fix, /nstat -az Udp6RcvbufErrors Udp6InErrors/);
  assert.match(recs[1].fix, /type: 'udp6'/);
  assert.match(recs[1].fix, /nstat -az Udp6RcvbufErrors Udp6InErrors/);
  assert.doesNotMatch(recs[1].fix, /udp4|UdpRcvbufErrors /);
  assert.match(recs[1].message, /its receive buffer overflows \(socket \[::1\]:40006, inode 506, fd 8 of pid 27440\)/);
});

test('#2 InErrors without RcvbufErrors and an empty queue (a socket filter): no full buffer, no bigger one', () => {
  const h = fakeHistory(5, (i) => ({
    snmp: { Udp: { InErrors: i * 300, RcvbufErrors: 0, InCsumErrors: 0, MemErrors: 0 } },
    sockets: [udp('127.0.0.1:40020', { inode: 520, processes: [proc(25815, 'python3', 3)], skmem: skmem(0, 212992, i * 300) })],
  }));
  const recs = run(h);
  assert.deepEqual(recs.map((r) => r.id), ['udp-receive-errors', 'udp-socket-drops']);
  const [host, sock] = recs;
  assert.match(host.message, /InErrors \+1200 in 40 s \(30\/s\) with RcvbufErrors steady: no receive buffer is full; \+1200 other InErrors: not a full buffer \(a socket filter/);
  assert.doesNotMatch(host.message, /because a receive buffer is full/);
  assert.match(sock.message, /dropping datagrams: \+1200 in 40 s, but not for a full buffer: its queue stayed empty \(0 B of rcvbuf 208 KiB\) and Udp RcvbufErrors did not rise/);
  for (const r of recs) {
    assert.doesNotMatch(r.fix, /Give the socket a larger receive buffer/, r.id);
    assert.match(r.fix, /A larger receive buffer will not help\. A socket filter/, r.id);
    // Only the cause the counters show: no checksum or udp_mem advice for a filter's drops.
    assert.doesNotMatch(r.fix, /ethtool|udp_mem/, r.id);
  }
});

test('#2 MemErrors and InCsumErrors are told apart from a full buffer', () => {
  const h = fakeHistory(4, (i) => ({ snmp: { Udp: { InErrors: i * 30, RcvbufErrors: 0, InCsumErrors: i * 10, MemErrors: i * 20 } } }));
  const [r] = run(h);
  assert.match(r.message, /RcvbufErrors steady: no receive buffer is full; MemErrors \+60: UDP memory for the whole host \(net\.ipv4\.udp_mem\) ran out; InCsumErrors \+30: datagrams with a bad checksum$/);
  assert.match(r.fix, /A larger receive buffer will not help\. Bad checksums .* Memory errors .*udp_mem/);
  assert.doesNotMatch(r.fix, /socket filter/);
});

test('#4 analyze --port 40007 while 40001 drops: the finding says the drops are elsewhere, not on 40007', () => {
  // The port-filtered snapshot holds only 40007's socket, which does not drop.
  const h = fakeHistory(5, (i) => ({
    snmp: { Udp: { InErrors: i * 250, RcvbufErrors: i * 250 } },
    sockets: [udp('127.0.0.1:40007', { inode: 507, processes: [proc(27440, 'python3', 12)], skmem: skmem(0, 212992, 0) })],
  }));
  const recs = run(h, 40007);
  assert.deepEqual(recs.map((r) => r.id), ['udp-receive-errors']);
  assert.match(recs[0].message, /the UDP sockets on port 40007 are not dropping \(their drop counters did not rise\): the drops are elsewhere on this host/);
  assert.match(recs[0].fix, /^Nothing to change on port 40007 for this\. Find the socket that drops/);
  assert.doesNotMatch(recs[0].fix, /SO_RCVBUF/);
  // Without --port the same host with the dropping socket in view names it.
  const all = fakeHistory(5, (i) => ({
    snmp: { Udp: { InErrors: i * 250, RcvbufErrors: i * 250 } },
    sockets: [
      udp('127.0.0.1:40007', { inode: 507, skmem: skmem(0, 212992, 0) }),
      udp('0.0.0.0:40001', { inode: 501, processes: [proc(27440, 'python3', 3)], skmem: skmem(7488, 8192, 50 + i * 250) }),
    ],
  }));
  const host = run(all).find((r) => r.id === 'udp-receive-errors')!;
  assert.match(host.evidence, /sockets dropping: udp port 40001 python3 \(pid 27440\) drops 1050, queued 7\.31 KiB of rcvbuf 8 KiB \(socket 0\.0\.0\.0:40001, inode 501, fd 3 of pid 27440; drops \+1000 in 40 s\)$/);
});

test('#4 #5 an old non-zero drop counter that does not rise is not listed as dropping', () => {
  const h = fakeHistory(5, (i) => ({
    snmp: { Udp: { InErrors: i * 100, RcvbufErrors: i * 100 } },
    sockets: [
      udp('0.0.0.0:40003', { inode: 903, processes: [proc(27440, 'python3', 9)], skmem: skmem(7488, 8192, 2000 + i * 100) }),
      udp('127.0.0.2:40003', { inode: 902, processes: [proc(27440, 'python3', 10)], skmem: skmem(0, 212992, 52) }),
    ],
  }));
  const recs = run(h, 40003);
  const host = recs.find((r) => r.id === 'udp-receive-errors')!;
  assert.match(host.evidence, /socket 0\.0\.0\.0:40003, inode 903, fd 9 of pid 27440/);
  assert.doesNotMatch(host.evidence, /127\.0\.0\.2/);
  const sock = recs.filter((r) => r.id === 'udp-socket-drops');
  assert.equal(sock.length, 1);
  assert.match(sock[0].message, /\(socket 0\.0\.0\.0:40003, inode 903, fd 9 of pid 27440\)$/);
});

test('#5 one unread member of an SO_REUSEPORT group: named by inode and fd; the fix looks at its reader, not more readers', () => {
  const member = (fd: number, drops: (i: number) => number, queue: number, rcvbuf: number) => (i: number) =>
    udp('127.0.0.1:40002', { inode: 800 + fd, processes: [proc(27440, 'python3', fd)], skmem: skmem(queue, rcvbuf, drops(i)) });
  const members = [member(4, (i) => 100 + i * 60, 15808, 16384), member(5, () => 0, 0, 212992), member(6, () => 0, 0, 212992), member(7, () => 0, 0, 212992)];
  const h = fakeHistory(5, (i) => ({ snmp: { Udp: { InErrors: i * 60, RcvbufErrors: i * 60 } }, sockets: members.map((m) => m(i)) }));
  const sock = run(h, 40002).filter((r) => r.id === 'udp-socket-drops');
  assert.equal(sock.length, 1);
  assert.match(sock[0].message, /\(socket 127\.0\.0\.1:40002, inode 804, fd 4 of pid 27440\)$/);
  assert.match(sock[0].evidence, /3 other socket\(s\) are bound to 127\.0\.0\.1:40002/);
  assert.match(sock[0].fix, /one of 4 bound to 127\.0\.0\.1:40002 .*more readers do not help: check the thread or process that reads this one \(fd 4 of pid 27440\)/);
  assert.doesNotMatch(sock[0].fix, /more readers with SO_REUSEPORT/);
});

test('sockets on one address and port each bound to its own interface (SO_BINDTODEVICE) are not an SO_REUSEPORT group', () => {
  // A DHCP server's layout: 0.0.0.0:67 bound to eth0 and to eth1; the eth0 one drops.
  const h = fakeHistory(5, (i) => ({
    snmp: { Udp: { InErrors: i * 60, RcvbufErrors: i * 60 } },
    sockets: [
      udp('0.0.0.0:67', { inode: 901, boundDevice: 'eth0', processes: [proc(500, 'dhcpd', 4)], skmem: skmem(15808, 16384, 100 + i * 60) }),
      udp('0.0.0.0:67', { inode: 902, boundDevice: 'eth1', processes: [proc(500, 'dhcpd', 5)], skmem: skmem(0, 212992, 0) }),
    ],
  }));
  const sock = run(h, 67).filter((r) => r.id === 'udp-socket-drops');
  assert.equal(sock.length, 1);
  assert.doesNotMatch(sock[0].evidence, /other socket\(s\) are bound/);
  assert.doesNotMatch(sock[0].fix, /one of 2 bound to/);
});

test('#2 a queue seen empty at every sample while RcvbufErrors rises: overflows in bursts, not a filter', () => {
  // A reader that keeps up on average: bursts fill the 8 KiB buffer and it drains before the next sample.
  const h = fakeHistory(5, (i) => ({
    snmp: { Udp: { InErrors: i * 100, RcvbufErrors: i * 100 } },
    sockets: [udp('127.0.0.1:5300', { inode: 530, processes: [proc(40, 'dnsd', 5)], skmem: skmem(0, 8192, i * 100) })],
  }));
  const r = run(h).find((x) => x.id === 'udp-socket-drops')!;
  assert.match(r.message, /its receive buffer overflows in bursts \(its queue was empty at every sample, but Udp RcvbufErrors rose\)/);
  assert.match(r.fix, /^Give the socket a larger receive buffer/);
  // Without host counters (a source that has none) the empty queue is all there is: not called a full buffer.
  const blind = fakeHistory(5, (i) => ({ snmp: null, sockets: [udp('127.0.0.1:5300', { skmem: skmem(0, 8192, i * 100) })] }));
  assert.match(run(blind).find((x) => x.id === 'udp-socket-drops')!.message, /but not for a full buffer: its queue stayed empty/);
});

test('#2 RcvbufErrors and other InErrors at once: both causes, both fixes', () => {
  const h = fakeHistory(4, (i) => ({ snmp: { Udp: { InErrors: i * 300, RcvbufErrors: i * 100, InCsumErrors: 0, MemErrors: 0 } } }));
  const [r] = run(h);
  assert.match(r.message, /RcvbufErrors \+300 in 30 s \(10\/s\); datagrams are dropped because a receive buffer is full, and \+600 other InErrors: not a full buffer/);
  assert.match(r.fix, /^Give the socket a larger receive buffer: .*\. The other InErrors: a larger buffer does not stop these\. A socket filter/);
});
