// interpretTry on fixed contexts for the user review s26 try findings: port 0's EADDRINUSE is the ephemeral range used
// up (also when the range could not be read), a UDP EADDRINUSE with no visible holder gives UDP's ss (it gave
// `ss -tanp` for --udp too), a listed IPv6 address bind() refuses is tentative or dadfailed without ip's word as with
// it; and parseIpv6AddrState reads `ip -6 -o addr show` lines.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { interpretTry, type TryContext } from '../../src/knowledge/interpret-try.js';
import { parseIfInet6State, parseIpv6AddrState } from '../../src/parse/ip-addr-state.js';
import { ipv6Hex } from '../../src/parse/ipv6-text.js';

const base: TryContext = { op: 'bind', target: '0.0.0.0:8080', port: 8080, ok: false, errno: 'EADDRINUSE', uid: 0, holders: [] };

test('port 0 EADDRINUSE is the ephemeral range used up, with or without the range read', () => {
  const unread = interpretTry({ ...base, target: '0.0.0.0:0', port: 0, udp: true });
  assert.match(unread.summary, /^no free port for bind on 0\.0\.0\.0:0: port 0 asks the kernel for a free port of the ephemeral range, and none is left: every port of net\.ipv4\.ip_local_port_range is taken by a UDP socket$/);
  assert.ok(unread.nextSteps[0].startsWith("ss -uanp 'sport >= :32768 and sport <= :60999'"), unread.nextSteps[0]);
  const wide = interpretTry({ ...base, target: '[::]:0', port: 0, op: 'listen', ephemeral: { protocol: 'tcp', low: 32768, high: 60999, size: 28232, ports: 28000, sockets: 28100, reserved: '40000-40231' } });
  assert.match(wide.summary, /28000 of the 28232 ports .* have a TCP socket on them \(28100 socket\(s\)\); the kernel found the other 232 taken too \(net\.ipv4\.ip_local_reserved_ports is 40000-40231, or sockets this view does not show\)$/);
  assert.ok(wide.nextSteps.includes('sysctl -w net.ipv4.ip_local_port_range="1024 65535"   (a wider range; now "32768 60999", 28232 ports)'), wide.nextSteps.join('\n'));
  assert.ok(wide.nextSteps.includes("or bind a fixed port outside the range: sockscope try listen '[::]:PORT'"), wide.nextSteps.join('\n'));
});

test('bound-only TCP holders of the range: the ss step adds ss -tB, which lists them (ss -tan does not)', () => {
  const e = { protocol: 'tcp' as const, low: 40000, high: 40003, size: 4, ports: 4, sockets: 4 };
  const c: TryContext = { ...base, target: '127.0.0.1:0', port: 0 };
  const list = "ss -tanp 'sport >= :40000 and sport <= :40003'";
  assert.equal(interpretTry({ ...c, ephemeral: e }).nextSteps[0], `${list}   (the TCP sockets holding the range, and their processes)`);
  assert.equal(
    interpretTry({ ...c, ephemeral: { ...e, boundOnly: 3 } }).nextSteps[0],
    `${list}; ss -tBnp 'sport >= :40000 and sport <= :40003'   (the TCP sockets holding the range, and their processes; 3 of them are bound without listening, which ss -tan does not list and ss -B does, iproute2 6.7+)`,
  );
});

test('sendto EAGAIN to an unzoned link-local address: no "the kernel chose the interface" note (no route was looked up)', () => {
  const c: TryContext = { ...base, op: 'sendto', udp: true, target: '[fe80::1]:9', port: 9, errno: 'EAGAIN', hostAddresses: ['::1', 'fe80::2%d0'], ephemeral: { protocol: 'udp', low: 40000, high: 40003, size: 4, ports: 4, sockets: 4 } };
  const r = interpretTry(c);
  assert.match(r.summary, /^sendto \[fe80::1\]:9: the socket had no local port yet/);
  assert.doesNotMatch(r.summary, /chose the interface|no zone was given/);
  assert.ok(!r.nextSteps.some((s) => s.includes('to choose the link')), r.nextSteps.join('\n'));
  // Another sendto failure still gets the note.
  assert.match(interpretTry({ ...c, errno: 'ENETUNREACH' }).summary, /the kernel chose the interface by its routes: d0/);
});

test('a UDP EADDRINUSE with no visible holder gives ss -uanp, a TCP one ss -tanp', () => {
  assert.deepEqual(interpretTry({ ...base, udp: true }).nextSteps, ["sudo ss -uanp 'sport = :8080'"]);
  assert.deepEqual(interpretTry(base).nextSteps, ["sudo ss -tanp 'sport = :8080'"]);
});

test('EADDRNOTAVAIL for a listed global IPv6 address: tentative or dadfailed, as ip says or both when unread', () => {
  const c: TryContext = { ...base, target: '[fd78::1]:8080', errno: 'EADDRNOTAVAIL', hostAddresses: ['127.0.0.1', '::1', 'fd78::1', 'fe80::1%eth0'] };
  assert.match(interpretTry(c).summary, /^fd78::1 is an address of this host but not usable yet: tentative \(.*\) or dadfailed \(another host on the link has it\)$/);
  assert.match(interpretTry({ ...c, addressState: { state: 'dadfailed', dev: 'eth0' } }).summary, /^fd78::1 is on eth0 but unusable: dadfailed/);
  assert.match(interpretTry({ ...c, addressState: { state: 'ok', dev: 'eth0' } }).summary, /^fd78::1 is on eth0 and usable now, but was not when bind\(\) ran/);
  // Not listed: not an address of this host, as before.
  assert.match(interpretTry({ ...c, target: '[fd78::2]:8080' }).summary, /^\[fd78::2\] is not an address of this host/);
});

test('parseIpv6AddrState: dadfailed before tentative, the interface without its peer', () => {
  const text = [
    '2: eth0    inet6 fd79::1/64 scope global dadfailed tentative \\       valid_lft forever preferred_lft forever',
    '3: veth1@if4    inet6 fd78::1/64 scope global tentative \\       valid_lft forever preferred_lft forever',
    '3: veth1@if4    inet6 fd77::1/64 scope global \\       valid_lft forever preferred_lft forever',
  ].join('\n');
  assert.deepEqual(parseIpv6AddrState(text, (a) => a === 'fd79::1'), { state: 'dadfailed', dev: 'eth0' });
  assert.deepEqual(parseIpv6AddrState(text, (a) => a === 'fd78::1'), { state: 'tentative', dev: 'veth1' });
  assert.deepEqual(parseIpv6AddrState(text, (a) => a === 'fd77::1'), { state: 'ok', dev: 'veth1' });
  assert.equal(parseIpv6AddrState(text, (a) => a === 'fd76::1'), undefined);
});

test('parseIfInet6State: /proc/net/if_inet6 flags (0x08 dadfailed before 0x40 tentative), by interface when given', () => {
  const text = [
    'fd790000000000000000000000000001 02 40 00 c8     eth0',
    'fd780000000000000000000000000001 03 40 00 40    veth1',
    'fd770000000000000000000000000001 03 40 00 80    veth1',
    'fe800000000000000000000000000005 02 40 20 80     eth0',
    'fe800000000000000000000000000005 03 40 20 40    veth1',
  ].join('\n');
  assert.deepEqual(parseIfInet6State(text, 'fd79::1'), { state: 'dadfailed', dev: 'eth0' });
  assert.deepEqual(parseIfInet6State(text, 'FD78:0::1'), { state: 'tentative', dev: 'veth1' });
  assert.deepEqual(parseIfInet6State(text, 'fd77::1'), { state: 'ok', dev: 'veth1' });
  assert.deepEqual(parseIfInet6State(text, 'fe80::5', 'veth1'), { state: 'tentative', dev: 'veth1' });
  assert.equal(parseIfInet6State(text, 'fd76::1'), undefined);
  assert.equal(parseIfInet6State(text, 'not an address'), undefined);
  assert.equal(ipv6Hex('::ffff:10.0.0.1'), '00000000000000000000ffff0a000001');
  assert.equal(ipv6Hex('1:2:3:4:5:6:7:8'), '00010002000300040005000600070008');
  assert.equal(ipv6Hex('1::2::3'), undefined);
  assert.equal(ipv6Hex('1:2:3:4:5:6:7:8:9'), undefined);
});

test('a tentative address whose interface is unknown: the nodad advice still names one (ip addr add needs dev)', () => {
  const c: TryContext = { ...base, target: '[fd78::1]:8080', errno: 'EADDRNOTAVAIL', hostAddresses: ['::1', 'fd78::1'] };
  for (const r of [interpretTry(c), interpretTry({ ...c, addressState: { state: 'tentative' } })])
    assert.ok(r.nextSteps.some((s) => s.includes('ip -6 addr add fd78::1/PREFIX dev IFACE nodad')), r.nextSteps.join('\n'));
  assert.ok(interpretTry({ ...c, addressState: { state: 'tentative', dev: 'eth0' } }).nextSteps.some((s) => s.includes('ip -6 addr add fd78::1/PREFIX dev eth0 nodad')));
});
