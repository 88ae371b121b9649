import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { parseBusybox } from '../../src/parse/netstat-busybox.js';

const fx = (name: string): string => readFileSync(new URL(`../fixtures/netstat-busybox/${name}`, import.meta.url), 'utf8');
const sc = JSON.parse(fx('debian-scenario.json'));

test('Debian busybox (no -p, no -W): live scenario', () => {
  const socks = parseBusybox(fx('debian-scenario-tuan.txt') + fx('debian-scenario-xan.txt'));
  const at = (port: number, state: string) => socks.filter((s) => s.local.port === port && s.state === state);
  assert.equal(at(sc.listener.port, 'LISTEN').length, 1);
  assert.equal(at(sc.acceptQueue.port, 'LISTEN')[0].recvQ, sc.acceptQueue.pending);
  assert.equal(at(sc.established.port, 'ESTABLISHED')[0].recvQ, sc.established.bytesQueued);
  assert.equal(at(sc.closeWait.port, 'CLOSE_WAIT').length, 1);
  assert.equal(at(sc.timeWait.port, 'TIME_WAIT').length, sc.timeWait.count);
  assert.deepEqual(at(sc.ipv6.port, 'LISTEN').map((s) => [s.ipVersion, s.local.address, s.peer.address]), [[6, '::1', '::']]);
  const mapped = socks.find((s) => s.local.port === sc.dualStack.port && s.state === 'ESTABLISHED')!;
  assert.deepEqual([mapped.ipVersion, mapped.local.address], [6, '127.0.0.1'], 'busybox prints ::ffff:127.0.0.1 under proto "tcp"');
  const udp = socks.find((s) => s.protocol === 'udp')!;
  assert.deepEqual([udp.state, udp.local.port], ['CLOSE', sc.udp.port]);
  const unix = socks.find((s) => s.inode === sc.unix.listenerInode)!;
  assert.deepEqual([unix.state, unix.local.address], ['LISTEN', sc.unix.path], 'busybox keeps spaces in paths');
  assert.ok(socks.every((s) => s.processes.length === 0));
});

test('busybox with -W -p (Alpine build): programs, hidden owners, IPv6, mapped, UDP, unix paths', () => {
  const socks = parseBusybox(fx('alpine-tuxanWp.txt'));
  const row = (s: (typeof socks)[number]) => [s.protocol, s.ipVersion ?? null, s.state, s.local.address, s.local.port, s.peer.address, s.peer.port, s.recvQ, s.sendQ, s.processes[0]?.pid ?? null, s.processes[0]?.name ?? null];
  assert.deepEqual(socks.filter((s) => s.protocol !== 'unix').map(row), [
    ['tcp', 4, 'LISTEN', '0.0.0.0', 80, '0.0.0.0', 0, 0, 0, 812, 'nginx: master p'],
    ['tcp', 4, 'LISTEN', '127.0.0.1', 8080, '0.0.0.0', 0, 5, 0, 901, 'my "srv" (x), y'],
    ['tcp', 4, 'ESTABLISHED', '10.0.0.5', 22, '10.0.0.9', 51544, 0, 36, 1203, 'sshd'],
    ['tcp', 4, 'CLOSE_WAIT', '127.0.0.1', 8080, '127.0.0.1', 40112, 1, 0, 901, 'my "srv" (x), y'],
    ['tcp', 4, 'TIME_WAIT', '127.0.0.1', 8080, '127.0.0.1', 40100, 0, 0, null, null],
    ['tcp', 6, 'LISTEN', '::', 443, '::', 0, 0, 0, 77, 'caddy'],
    ['tcp', 6, 'ESTABLISHED', '10.0.0.5', 443, '10.0.0.7', 60001, 0, 0, 77, 'caddy'],
    ['tcp', 6, 'SYN_RECV', 'fe80::a00:27ff:fe4e:66a1', 8443, 'fe80::1', 55000, 0, 0, null, null],
    ['udp', 4, 'CLOSE', '0.0.0.0', 68, '0.0.0.0', 0, 0, 0, 455, 'udhcpc'],
    ['udp', 6, 'CLOSE', '::', 5353, '::', 0, 768, 0, null, null],
    ['udp', 4, 'ESTABLISHED', '127.0.0.1', 40000, '127.0.0.1', 53, 0, 0, 1301, '\x1b[31mred'],
  ]);
  assert.deepEqual(
    socks.filter((s) => s.protocol === 'unix').map((s) => [s.inode, s.state, s.unixType, s.local.address, s.processes[0]?.pid ?? null, s.processes[0]?.name ?? null]),
    [
      [9001, 'LISTEN', 'stream', '/run/my app/ctl sock', 1, 'init'],
      [9002, 'ESTABLISHED', 'stream', '', 812, 'nginx: master p'],
      [9003, 'CLOSE', 'dgram', '@/org/kernel/udev/udevd', null, null],
      [123456789, 'LISTEN', 'seqpacket', '/tmp/esc^[[31mred', 1301, '\x1b[31mred'],
      [9005, 'ESTABLISHED', 'stream', '/run/a,b (c) "d".sock', 1203, 'sshd'],
    ],
  );
});

test('empty and truncated output', () => {
  assert.deepEqual(parseBusybox(fx('empty.txt')), []);
  const t = parseBusybox(fx('plain-tuxan-truncated.txt'));
  assert.deepEqual(t.map((s) => [s.protocol, s.local.port]), [['tcp', 80], ['tcp', 8080], ['tcp', 443], ['udp', 68], ['unix', 0]]);
  assert.equal(t[4].local.address, '/run/my app/ctl sock');
});
