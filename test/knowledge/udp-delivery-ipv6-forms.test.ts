// IPv6 destinations typed in a non-canonical form (review-collect #4): getaddrinfo gives a literal back as typed
// ("0:0:0:0:0:0:0:1", "FD00::AB"), while every source reports sockets as inet_ntop writes them ("::1", "fd00::ab").
// The comparisons go through bareAddress, which now canonicalises; and the "send to X instead" steps of
// debug-connections --udp and try sendto come from one helper that maps every wildcard (the dual-stack * too).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { bareAddress } from '../../src/knowledge/host-port.js';
import { diagnoseConnectError } from '../../src/knowledge/connect-diagnosis.js';
import { diagnoseDatagram } from '../../src/knowledge/datagram-diagnosis.js';
import { udpElsewhere, udpReceivers, udpSendInstead, type UdpSocketReading } from '../../src/knowledge/udp-delivery.js';
import { verdict } from '../../src/knowledge/interpret-connect.js';

const sock = (address: string, extra: Partial<UdpSocketReading> = {}): UdpSocketReading => ({ address, port: 53, owners: [{ pid: 10, name: 'dns' }], queued: 0, rcvbuf: 212992, dropsBefore: 5, drops: 5, ...extra });

test('bareAddress writes IPv6 as the sources do: canonical, lower case, IPv4-mapped in any form as IPv4', () => {
  assert.equal(bareAddress('0:0:0:0:0:0:0:1'), '::1');
  assert.equal(bareAddress('0::1'), '::1');
  assert.equal(bareAddress('FD00::AB'), 'fd00::ab');
  assert.equal(bareAddress('FE80:0:0:0:0:0:0:1%eth0'), 'fe80::1');
  assert.equal(bareAddress('2001:DB8:0:0:1:0:0:1'), '2001:db8::1:0:0:1');
  assert.equal(bareAddress('0:0:0:0:0:ffff:7f00:1'), '127.0.0.1');
  assert.equal(bareAddress('::ffff:a01:203'), '10.1.2.3');
  assert.equal(bareAddress('10.0.0.1'), '10.0.0.1');
  assert.equal(bareAddress('example.com'), 'example.com');
});

test('a datagram to [0:0:0:0:0:0:0:1]:P or [FD00::AB]:P reaches the socket on [::1]:P / [fd00::ab]:P', () => {
  assert.deepEqual(udpReceivers([sock('::1')], '0:0:0:0:0:0:0:1'), [sock('::1')]);
  assert.deepEqual(udpReceivers([sock('fd00::ab'), sock('::')], 'FD00::AB'), [sock('fd00::ab')]);
  assert.deepEqual(udpElsewhere([sock('::1')], '0:0:0:0:0:0:0:1'), []);
  const d = diagnoseDatagram({ address: '0:0:0:0:0:0:0:1', port: 53, timeoutMs: 300, request: false, udpSockets: [sock('::1')] });
  assert.equal(d.ok, true, d.summary);
  assert.match(d.summary, /^\[0:0:0:0:0:0:0:1\]:53: the datagram was queued for dns\/10 on \[::1\]:53: no drop counter rose/);
  // A refused TCP connect there names the UDP socket as the one datagrams reach, not "(not 0:0:...: would not reach it)".
  const tcp = diagnoseConnectError('ECONNREFUSED', { address: 'FD00::AB', port: 53, route: { ok: true, type: 'local', text: '' }, listeners: [], udpSockets: [sock('fd00::ab')] });
  assert.match(tcp.summary, /^\[FD00::AB\]:53: no TCP listener on port 53, but a UDP socket is bound to it: dns\/10 on \[fd00::ab\]:53; a TCP connect does not reach UDP sockets$/);
});

test('"send to X instead": one helper for debug-connections --udp and try sendto; every wildcard becomes a loopback address', () => {
  const steps = udpSendInstead([sock('*'), sock('0.0.0.0'), sock('::'), sock('127.0.0.5')], '127.0.0.3', 53, 'sockscope try sendto');
  assert.deepEqual(steps, [
    'send to 127.0.0.1:53 instead: sockscope try sendto 127.0.0.1:53',
    'send to [::1]:53 instead: sockscope try sendto [::1]:53',
    'send to 127.0.0.5:53 instead: sockscope try sendto 127.0.0.5:53',
    'or have the server bind 127.0.0.3:53 too, or every address (0.0.0.0:53)',
  ]);
  assert.equal(udpSendInstead([sock('fd00::1')], 'FD00::AB', 53, 'x').at(-1), 'or have the server bind [FD00::AB]:53 too, or every address ([::]:53)');
  // debug-connections --udp words its steps the same way, with its own command.
  const d = diagnoseDatagram({ address: '127.0.0.3', port: 53, timeoutMs: 300, request: false, errno: 'ECONNREFUSED', udpSockets: [sock('127.0.0.1')] });
  assert.deepEqual(d.nextSteps, ['send to 127.0.0.1:53 instead: sockscope debug-connections --udp --address 127.0.0.1:53', 'or have the server bind 127.0.0.3:53 too, or every address (0.0.0.0:53)']);
});

test('the verdict of a TCP probe refused by a UDP service says TCP connections are refused', () => {
  const diagnosis = { errno: 'ECONNREFUSED', category: 'refused' as const, summary: '127.0.0.1:53: no TCP listener on port 53, but a UDP socket is bound to it', causes: [], nextSteps: [] };
  assert.match(verdict('127.0.0.1', 53, [{ address: '127.0.0.1', connected: false, diagnosis, udpService: true }]).summary, /^127\.0\.0\.1:53 refuses TCP connections: no TCP listener/);
  assert.match(verdict('127.0.0.1', 53, [{ address: '127.0.0.1', connected: false, diagnosis }]).summary, /^127\.0\.0\.1:53 refuses connections: /);
});
