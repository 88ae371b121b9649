// interpretTry on fixed contexts for the user review s26 try findings: port 0's EADDRINUSE is the ephemeral range used
// up (also when the range could not be read), a UDP EADDRINUSE with no visible holder gives UDP's ss (it gave
// `ss -tanp` for --udp too), a listed IPv6 address bind() refuses is tentative or dadfailed without ip's word as with
// it; and parseIpv6AddrState reads `ip -6 -o addr show` lines.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { interpretTry, type TryContext } from '../../src/knowledge/interpret-try.js';
import { parseIpv6AddrState } from '../../src/parse/ip-addr-state.js';

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
