import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { parseProcNet, parseProcNetAddress, parseProcNetLine } from '../../src/parse/procfs-net.js';
import { compressIpv6 } from '../../src/parse/ipv6-text.js';
import { parseSs } from '../../src/parse/ss.js';
import { foldUnixAcceptQueues, parseProcUnix, parseProcUnixLine } from '../../src/parse/proc-unix.js';
import type { Socket } from '../../src/model/socket.js';
import { UNIX_NAMES } from '../helpers/unix-names.js';

const fx = (name: string): string => readFileSync(new URL(`../fixtures/procfs/${name}`, import.meta.url), 'utf8');
const scenario = JSON.parse(fx('scenario.json'));

test('addresses: little-endian words, IPv6 compression, mapped IPv4, big-endian hosts', () => {
  assert.deepEqual(parseProcNetAddress('0100007F:1F90'), { address: '127.0.0.1', port: 8080, mapped: false });
  assert.deepEqual(parseProcNetAddress('0100007F:1F90', false), { address: '1.0.0.127', port: 8080, mapped: false });
  assert.deepEqual(parseProcNetAddress('00000000000000000000000001000000:0016'), { address: '::1', port: 22, mapped: false });
  assert.deepEqual(parseProcNetAddress('00000000000000000000000000000000:0000'), { address: '::', port: 0, mapped: false });
  assert.deepEqual(parseProcNetAddress('0000000000000000FFFF00000100007F:B535'), { address: '127.0.0.1', port: 46389, mapped: true });
  assert.deepEqual(parseProcNetAddress('B80D0120000000000000000001000000:01BB'), { address: '2001:db8::1', port: 443, mapped: false });
  assert.deepEqual(parseProcNetAddress('000080FE000000000000000001000000:1F90'), { address: 'fe80::1', port: 8080, mapped: false });
  // Big-endian machines print the bytes in network order.
  assert.deepEqual(parseProcNetAddress('20010DB8000000000000000000000001:01BB', false), { address: '2001:db8::1', port: 443, mapped: false });
  assert.equal(parseProcNetAddress('0100007F'), null);
  assert.equal(parseProcNetAddress('0100007G:0050'), null);
  assert.equal(parseProcNetAddress('0100:0050'), null);
  assert.equal(compressIpv6(['1', '0', '0', '1', '0', '0', '0', '1']), '1:0:0:1::1');
  assert.equal(compressIpv6(['1', '2', '3', '4', '5', '6', '7', '8']), '1:2:3:4:5:6:7:8');
});

test('live capture: the scenario as the kernel printed it', () => {
  const tcp = parseProcNet(fx('scenario-tcp.txt'), 'tcp');
  const at = (port: number, state: string) => tcp.filter((s) => s.local.port === port && s.state === state);
  const l = at(scenario.listener.port, 'LISTEN')[0];
  assert.equal(l.inode, scenario.listener.inode);
  assert.equal(l.sendQUnknown, true, 'procfs cannot see the backlog');
  assert.deepEqual(l.peer, { address: '0.0.0.0', port: 0 });
  const q = at(scenario.acceptQueue.port, 'LISTEN')[0];
  assert.equal(q.recvQ, scenario.acceptQueue.pending);
  assert.equal(at(scenario.acceptQueue.port, 'ESTABLISHED').length, scenario.acceptQueue.pending);
  assert.ok(at(scenario.acceptQueue.port, 'ESTABLISHED').every((s) => s.inode === 0), 'queued connections have no inode yet');
  const est = at(scenario.established.port, 'ESTABLISHED')[0];
  assert.equal(est.recvQ, scenario.established.bytesQueued);
  assert.equal(est.peer.port, scenario.established.clientPort);
  assert.equal(est.inode, scenario.established.serverInode);
  assert.equal(est.uid, 0);
  const cw = at(scenario.closeWait.port, 'CLOSE_WAIT')[0];
  assert.equal(cw.recvQ, 1, 'the FIN counts as one byte');
  assert.equal(at(scenario.closeWait.clientPort, 'FIN_WAIT2')[0].inode, scenario.closeWait.clientInode);
  const tw = at(scenario.timeWait.port, 'TIME_WAIT');
  assert.equal(tw.length, scenario.timeWait.count);
  assert.equal(tw[0].timer?.name, 'timewait');
  assert.ok(tw[0].timer!.expiresMs > 50_000 && tw[0].timer!.expiresMs <= 60_000);
  assert.equal(tw[0].inode, 0);

  const tcp6 = parseProcNet(fx('scenario-tcp6.txt'), 'tcp6');
  assert.ok(tcp6.every((s) => s.ipVersion === 6 && s.protocol === 'tcp'));
  const six = tcp6.find((s) => s.local.port === scenario.ipv6.port && s.state === 'LISTEN')!;
  assert.deepEqual([six.local.address, six.peer.address], ['::1', '::']);
  const mapped = tcp6.find((s) => s.local.port === scenario.dualStack.port && s.state === 'ESTABLISHED')!;
  assert.deepEqual(mapped.local, { address: '127.0.0.1', port: scenario.dualStack.port });
  assert.deepEqual(mapped.peer, { address: '127.0.0.1', port: scenario.dualStack.clientPort });
  const dual = tcp6.find((s) => s.local.port === scenario.dualStack.port && s.state === 'LISTEN')!;
  assert.equal(dual.local.address, '::');

  const udp = parseProcNet(fx('scenario-udp.txt'), 'udp');
  assert.deepEqual(
    udp.map((s) => [s.protocol, s.ipVersion, s.state, s.local.port, s.inode]),
    [['udp', 4, 'CLOSE', scenario.udp.port, scenario.udp.inode]],
  );
  assert.deepEqual(parseProcNet(fx('scenario-udp6.txt'), 'udp6'), []);
});

test('edge lines: timers, retransmits, request sockets, expired timers, every state, uid', () => {
  const tcp = parseProcNet(fx('edge-tcp.txt'), 'tcp');
  assert.equal(tcp.length, 8);
  const [listen, est, tw, synrecv, closeWait, lastAck, closing, close] = tcp;
  assert.deepEqual([listen.state, listen.local, listen.recvQ, listen.sendQ], ['LISTEN', { address: '0.0.0.0', port: 80 }, 5, 0]);
  assert.deepEqual(
    { state: est.state, local: est.local, peer: est.peer, sendQ: est.sendQ, recvQ: est.recvQ, uid: est.uid, inode: est.inode, timer: est.timer },
    {
      state: 'ESTABLISHED',
      local: { address: '192.168.1.10', port: 443 },
      peer: { address: '192.168.1.11', port: 54321 },
      sendQ: 0x120,
      recvQ: 0x40,
      uid: 1000,
      inode: 11002,
      timer: { name: 'on', expiresMs: 210, retrans: 2 },
    },
  );
  assert.deepEqual([tw.state, tw.timer, tw.inode], ['TIME_WAIT', { name: 'timewait', expiresMs: 60_000 }, 0]);
  assert.deepEqual([synrecv.state, synrecv.timer?.name, synrecv.inode], ['SYN_RECV', 'on', 0]);
  assert.deepEqual([closeWait.state, closeWait.timer], ['CLOSE_WAIT', { name: 'keepalive', expiresMs: 0, retrans: 0 }], 'an expired timer is 0, not 4 billion ticks');
  assert.deepEqual([lastAck.state, lastAck.timer?.retrans], ['LAST_ACK', 4]);
  assert.equal(closing.state, 'CLOSING');
  assert.equal(close.state, 'CLOSE');
  assert.equal(close.timer, undefined);
});

test('edge IPv6: global, link-local, mapped, persist timer; garbage and a truncated last line are skipped', () => {
  const tcp6 = parseProcNet(fx('edge-tcp6.txt'), 'tcp6');
  assert.equal(tcp6.length, 6);
  assert.deepEqual(tcp6.map((s) => s.local.address), ['::', '2001:db8::1', 'fe80::1', '10.1.2.3', '2001:db8::1', '2001:db8::1']);
  assert.deepEqual(tcp6[1].peer, { address: '2001:db8::2', port: 51000 });
  assert.equal(tcp6[2].local.scope, undefined, '/proc/net/tcp6 has no zone index');
  assert.deepEqual(tcp6[3].peer, { address: '10.1.2.4', port: 40000 });
  assert.deepEqual(tcp6[3].timer, { name: 'keepalive', expiresMs: 0xb8c1d * 10, retrans: 0 });
  assert.deepEqual([tcp6[4].state, tcp6[4].timer?.name, tcp6[4].sendQ], ['FIN_WAIT1', 'persist', 0x800]);
  assert.equal(tcp6[5].state, 'SYN_RECV');
  // The wrong family for the file is rejected line by line.
  assert.deepEqual(parseProcNet(fx('edge-tcp6.txt'), 'tcp'), []);
});

test('UDP: unconnected and connected, queues, udp6 link-local', () => {
  const udp = parseProcNet(fx('edge-udp.txt'), 'udp');
  assert.deepEqual(
    udp.map((s) => [s.state, s.local.address, s.local.port, s.peer.port, s.recvQ, s.sendQ, s.uid, s.inode]),
    [
      ['CLOSE', '0.0.0.0', 53, 0, 0x300, 0, 101, 31001],
      ['ESTABLISHED', '127.0.0.1', 40000, 53, 0, 0x200, 1000, 31002],
    ],
  );
  const udp6 = parseProcNet(fx('edge-udp6.txt'), 'udp6');
  assert.deepEqual(udp6.map((s) => [s.local.address, s.local.port, s.ipVersion]), [['fe80::1', 546, 6], ['::', 5353, 6]]);
});

test('empty, header-only and truncated input', () => {
  assert.deepEqual(parseProcNet('', 'tcp'), []);
  assert.deepEqual(parseProcNet(fx('header-only-tcp.txt'), 'tcp'), []);
  assert.deepEqual(parseProcUnix(fx('empty.txt')), []);
  const full = fx('edge-tcp.txt');
  for (let cut = 0; cut < full.length; cut += 37) {
    const part = parseProcNet(full.slice(0, cut), 'tcp');
    assert.ok(part.length <= 8);
    for (const s of part) assert.ok(Number.isInteger(s.inode) && s.local.port >= 0);
  }
  assert.equal(parseProcNetLine('   0: 0100007F:0050 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 12', 'tcp'), null);
});

test('/proc/net/unix: paths with spaces, abstract names, unnamed, types and states, escape bytes, truncated', () => {
  const u = parseProcUnix(fx('edge-unix.txt'));
  const row = (s: (typeof u)[number]) => [s.inode, s.state, s.unixType, s.local.address];
  assert.deepEqual(u.map(row), [
    [12001, 'LISTEN', 'stream', '/run/my app/ctl sock'],
    [12002, 'LISTEN', 'stream', '@/tmp/.X11-unix/X0'],
    [12003, 'CLOSE', 'dgram', '@@@abstract with nul'],
    [12004, 'ESTABLISHED', 'stream', ''],
    [12005, 'ESTABLISHED', 'dgram', '/run/systemd/journal/dev-log'],
    [12006, 'LISTEN', 'seqpacket', '/run/seq "quoted" (p), x.sock'],
    [12007, 'SYN_SENT', 'stream', ''],
    [123, 'ESTABLISHED', 'stream', 'relative name '],
    [12009, 'LISTEN', 'stream', '/tmp/esc\x1b[31mred'],
    [12010, 'LISTEN', 'stream', '/tmp/café ☃.sock'],
  ]);
  const live = parseProcUnix(fx('scenario-unix.txt'));
  const listener = live.find((s) => s.inode === scenario.unix.listenerInode)!;
  assert.deepEqual([listener.state, listener.local.address], ['LISTEN', scenario.unix.path]);
  assert.equal(live.find((s) => s.inode === scenario.unix.clientInode)!.local.address, '');
  assert.equal(parseProcUnixLine('Num       RefCount Protocol Flags    Type St Inode Path'), null);
});

test('/proc/net/unix: names with newlines go on over the next lines; waiting connections are the listener\'s Recv-Q, not sockets', () => {
  // Captured with the sockets of test/fixtures/ss/unix-names.txt (same inodes): ss and procfs must agree.
  const u = parseProcUnix(fx('unix-names.txt'));
  assert.deepEqual(
    u.map((s) => [s.state, s.inode, s.local.address]),
    UNIX_NAMES,
    'the three "02 0 @queue" entries are not sockets',
  );
  const queue = u.find((s) => s.local.address === '@queue')!;
  assert.equal(queue.recvQ, 3, 'accept queue: 3 connections wait (ss shows Recv-Q 3)');
  assert.ok(u.every((s) => s.sendQUnknown), '/proc/net/unix has no Send-Q (nor backlog)');
  // Nor Recv-Q: unknown on every socket but a listener (its accept queue is counted from the waiting entries).
  assert.ok(u.every((s) => (s.state === 'LISTEN') === !s.recvQUnknown), 'Recv-Q unknown except on listeners');
});

test('foldUnixAcceptQueues: one listener of the name takes the count; none or several leave the entries as they are', () => {
  const sock = (state: Socket['state'], inode: number, address: string): Socket => ({ protocol: 'unix', state, local: { address, port: 0 }, peer: { address: '', port: 0 }, recvQ: 0, sendQ: 0, inode, processes: [] });
  const list = [sock('LISTEN', 1, '/a'), sock('SYN_SENT', 0, '/a'), sock('SYN_SENT', 0, '/a'), sock('LISTEN', 2, '/b'), sock('LISTEN', 3, '/b'), sock('SYN_SENT', 0, '/b'), sock('SYN_SENT', 0, '/gone'), sock('SYN_SENT', 4, '/a')];
  const out = foldUnixAcceptQueues(list);
  assert.deepEqual(
    out.map((s) => [s.state, s.inode, s.local.address, s.recvQ]),
    [
      ['LISTEN', 1, '/a', 2],
      ['LISTEN', 2, '/b', 0],
      ['LISTEN', 3, '/b', 0],
      ['SYN_SENT', 0, '/b', 0],
      ['SYN_SENT', 0, '/gone', 0],
      ['SYN_SENT', 4, '/a', 0],
    ],
  );
  const none = [sock('ESTABLISHED', 5, '')];
  assert.equal(foldUnixAcceptQueues(none), none, 'nothing to fold: the same array');
});

test('link-local IPv6 addresses are reported as they are decoded (no zone in the file), every parse, others not', () => {
  for (let round = 0; round < 2; round++) {
    const seen: string[] = [];
    const socks = parseProcNet(fx('edge-udp6.txt'), 'udp6', { onLinkLocal: (a) => seen.push(a) });
    assert.deepEqual(seen, ['fe80::1'], `round ${round}: the address cache must not hide it`);
    assert.deepEqual(socks[0].local, { address: 'fe80::1', port: 546 });
    const tcp6: string[] = [];
    parseProcNet(fx('edge-tcp6.txt'), 'tcp6', { onLinkLocal: (a) => tcp6.push(a) });
    assert.deepEqual(tcp6, ['fe80::1']);
    const none: string[] = [];
    parseProcNet(fx('edge-tcp.txt'), 'tcp', { onLinkLocal: (a) => none.push(a) });
    assert.deepEqual(none, []);
  }
});

test('keepalive and zero-window probe timers count probes (the "timeout" column, icsk_probes_out), as ss and netlink do', () => {
  // Captured on 6.18 in a network namespace: a SO_KEEPALIVE client (idle 1 s, interval 1 s) and a sender to a
  // receiver whose window is 0, IPv4 and IPv6, 4.5 s after `ip link set lo down`; ss -tanoOH read between two
  // identical readings of /proc/net/tcp{,6}. retrnsmt is 0 on every line; the probes are in "timeout".
  const procfs = [...parseProcNet(fx('timer-probes-tcp.txt'), 'tcp'), ...parseProcNet(fx('timer-probes-tcp6.txt'), 'tcp6')];
  const ss = parseSs(fx('timer-probes-ss.txt'), 'tcp');
  const key = (s: Socket) => `${s.local.address}|${s.local.port}|${s.peer.address}|${s.peer.port}`;
  const timers = (list: Socket[]) => new Map(list.filter((s) => s.timer).map((s) => [key(s), [s.timer!.name, s.timer!.retrans]]));
  assert.deepEqual([...timers(procfs).values()].sort(), [['keepalive', 5], ['keepalive', 5], ['persist', 3], ['persist', 3]]);
  assert.deepEqual(timers(procfs), timers(ss));
});
