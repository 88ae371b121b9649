// Which local UDP socket a datagram reaches, and what its drop counter says (udp-delivery.ts, datagram-diagnosis.ts): pure readings.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { diagnoseConnectError } from '../../src/knowledge/connect-diagnosis.js';
import { datagramVerdict, diagnoseDatagram } from '../../src/knowledge/datagram-diagnosis.js';
import { udpDelivery, udpElsewhere, udpReceivers, type UdpSocketReading } from '../../src/knowledge/udp-delivery.js';

const sock = (address: string, extra: Partial<UdpSocketReading> = {}): UdpSocketReading => ({ address, port: 53, owners: [{ pid: 10, name: 'dns' }], queued: 0, rcvbuf: 212992, dropsBefore: 5, drops: 5, ...extra });

test('the receiver is the socket bound to the address itself, then the family wildcard, then [::]; connected sockets never', () => {
  const exact = sock('127.0.0.2');
  const wild = sock('0.0.0.0');
  const dual = sock('::');
  const connected = sock('127.0.0.2', { peer: '127.0.0.1:4000' });
  assert.deepEqual(udpReceivers([wild, exact, dual, connected], '127.0.0.2'), [exact]);
  assert.deepEqual(udpReceivers([dual, wild], '127.0.0.1'), [wild]);
  assert.deepEqual(udpReceivers([dual], '127.0.0.1'), [dual]);
  assert.deepEqual(udpReceivers([wild, connected], '::1'), []);
  assert.deepEqual(udpElsewhere([exact, connected, wild], '127.0.0.3'), [exact]);
  assert.deepEqual(udpElsewhere([exact, connected], '127.0.0.3'), [exact]);
});

test('a drop counter that rose is a dropped datagram: a full buffer, or, with an empty queue, a socket filter', () => {
  const full = udpDelivery([sock('0.0.0.0', { queued: 7488, rcvbuf: 8192, dropsBefore: 12193, drops: 12194 })], '127.0.0.1')!;
  assert.equal(full.dropped.length, 1);
  assert.match(full.summary, /^the datagram reached dns\/10 on 0\.0\.0\.0:53, which dropped it: its drop counter rose by 1 while it was sent \(7\.31 KiB queued, receive buffer 8 KiB\); its receive buffer is full/);
  const filtered = udpDelivery([sock('0.0.0.0', { queued: 0, dropsBefore: 0, drops: 3 })], '127.0.0.1')!;
  assert.match(filtered.summary, /its queue is empty: a socket filter .* not a full buffer/);
  assert.match(filtered.details[0], /rose by 3, not 1: other senders' datagrams/);
  const queued = udpDelivery([sock('0.0.0.0', { queued: 768 })], '127.0.0.1')!;
  assert.equal(queued.dropped.length, 0);
  assert.match(queued.summary, /^the datagram was queued for dns\/10 on 0\.0\.0\.0:53: no drop counter rose/);
  const unknown = udpDelivery([sock('0.0.0.0', { dropsBefore: undefined, drops: undefined })], '127.0.0.1')!;
  assert.match(unknown.summary, /whether it was dropped there cannot be told: this source has no drop counter/);
  assert.equal(udpDelivery([sock('127.0.0.1')], '127.0.0.3'), undefined);
});

test('a refused TCP connect to a UDP-only local port says a UDP socket is bound there, not "start the server"', () => {
  const d = diagnoseConnectError('ECONNREFUSED', { address: '127.0.0.1', port: 53, route: { ok: true, type: 'local', text: '' }, listeners: [], udpSockets: [sock('0.0.0.0')], existing: { total: 0, states: {}, retransTotal: 0, timeWait: 0, udpConnected: 3 } });
  assert.match(d.summary, /^127\.0\.0\.1:53: no TCP listener on port 53, but a UDP socket is bound to it: dns\/10 on 0\.0\.0\.0:53; 3 UDP socket\(s\) on this host are connected to it; a TCP connect does not reach UDP sockets$/);
  assert.equal(d.nextSteps[0], 'sockscope debug-connections --udp --address 127.0.0.1:53   (send a datagram and see whether it is received, answered or dropped)');
  // A UDP socket on another address: said, with the reason datagrams to the target would not reach it either.
  const other = diagnoseConnectError('ECONNREFUSED', { address: '127.0.0.3', port: 53, route: { ok: true, type: 'local', text: '' }, listeners: [], udpSockets: [sock('127.0.0.1')] });
  assert.match(other.summary, /dns\/10 on 127\.0\.0\.1:53 \(not 127\.0\.0\.3: datagrams to 127\.0\.0\.3 would not reach it\)/);
  // No UDP socket either: the TCP wording stays.
  const none = diagnoseConnectError('ECONNREFUSED', { address: '127.0.0.1', port: 53, route: { ok: true, type: 'local', text: '' }, listeners: [], udpSockets: [] });
  assert.match(none.summary, /nothing listens there, nor on port 53/);
});

test('a datagram to another host: refused by ICMP, unconfirmed silence, a rejecting route', () => {
  const base = { address: '192.0.2.7', port: 514, timeoutMs: 1000, route: { ok: true, type: 'unicast', via: '192.0.2.1', dev: 'eth0', text: '' }, request: false };
  const refused = diagnoseDatagram({ ...base, errno: 'ECONNREFUSED' });
  assert.equal(refused.ok, false);
  assert.match(refused.summary, /^192\.0\.2\.7:514: an ICMP port unreachable came back: nothing receives on UDP port 514 there, or a firewall rejects it/);
  const silent = diagnoseDatagram(base);
  assert.equal(silent.category, 'timeout');
  assert.match(silent.summary, /no reply and no ICMP error within 1000 ms: UDP gives no delivery confirmation.*an empty datagram: most services do not answer one/);
  const answered = diagnoseDatagram({ ...base, request: true, replied: 12 });
  assert.equal(answered.ok, true);
  const blackhole = diagnoseDatagram({ ...base, errno: 'EINVAL', route: { ok: false, type: 'blackhole', text: 'blackhole', error: 'blackhole' } });
  assert.equal(blackhole.category, 'unreachable');
  const v = datagramVerdict('syslog.example', 514, [{ address: '192.0.2.7', diagnosis: refused }]);
  assert.match(v.summary, /^syslog\.example:514 \(UDP\): an ICMP port unreachable came back/);
});
