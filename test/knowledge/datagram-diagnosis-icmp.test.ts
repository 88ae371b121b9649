// debug-connections --udp with the ICMP error read on a second send (IP_RECVERR): diagnoseDatagram names the error and
// who sent it; without it (no koffi, or the second send ended otherwise) the wording is what it was. Pure readings.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { diagnoseDatagram, type DatagramContext } from '../../src/knowledge/datagram-diagnosis.js';
import type { UdpSocketReading } from '../../src/knowledge/udp-delivery.js';

const remote: DatagramContext = { address: '10.78.0.2', port: 7410, timeoutMs: 2000, request: false, route: { ok: true, type: 'unicast', via: '10.77.0.254', dev: 'eth0', text: '' } };

test('without an ICMP report (no koffi): the wording stays', () => {
  const d = diagnoseDatagram({ ...remote, errno: 'ECONNREFUSED' });
  assert.equal(d.summary, '10.78.0.2:7410: an ICMP port unreachable came back: nothing receives on UDP port 7410 there, or a firewall rejects it (REJECT --reject-with icmp-port-unreachable)');
  const n = diagnoseDatagram({ ...remote, errno: 'ECONNREFUSED', icmp: null });
  assert.equal(n.summary, d.summary, 'an empty error queue says nothing more');
  const u = diagnoseDatagram({ ...remote, errno: 'EHOSTUNREACH' });
  assert.match(u.summary, /^10\.78\.0\.2:7410: a router or this host reported the host unreachable/);
});

test('a port unreachable from the destination, from a router, and from this host for another host', () => {
  const own = diagnoseDatagram({ ...remote, errno: 'ECONNREFUSED', icmp: { version: 4, type: 3, code: 3, from: '10.78.0.2' }, hostAddresses: ['10.77.0.1'] });
  assert.match(own.summary, /the ICMP port unreachable \(type 3 code 3\) from 10\.78\.0\.2 is the destination's own answer/);
  const path = diagnoseDatagram({ ...remote, errno: 'ECONNREFUSED', icmp: { version: 4, type: 3, code: 3, from: '10.77.0.254' }, hostAddresses: ['10.77.0.1'] });
  assert.match(path.summary, /from 10\.77\.0\.254 came back: 10\.77\.0\.254 is a router or firewall on the way/);
  assert.ok(path.nextSteps[0].startsWith('on 10.77.0.254: nft list ruleset'));
  const here = diagnoseDatagram({ ...remote, errno: 'ECONNREFUSED', icmp: { version: 4, type: 3, code: 3, from: '10.77.0.1' }, hostAddresses: ['10.77.0.1'] });
  assert.match(here.summary, /from 10\.77\.0\.1 came back: this host sent it, so a REJECT rule on this host \(OUTPUT\) refuses the datagram before it leaves/);
});

test('host unreachable: from the destination a REJECT rule there, from a router how far the datagram got', () => {
  const own = diagnoseDatagram({ ...remote, errno: 'EHOSTUNREACH', icmp: { version: 4, type: 3, code: 1, from: '10.78.0.2' }, hostAddresses: [] });
  assert.match(own.summary, /a REJECT rule on 10\.78\.0\.2 itself refuses udp port 7410\. A host does not report itself unreachable/);
  const path = diagnoseDatagram({ ...remote, errno: 'EHOSTUNREACH', icmp: { version: 4, type: 3, code: 1, from: '10.77.0.254' }, hostAddresses: [] });
  assert.match(path.summary, /^10\.78\.0\.2:7410: 10\.77\.0\.254, a router on the way, reported the host unreachable \(ICMP host unreachable \(type 3 code 1\) from 10\.77\.0\.254\): the datagram got as far as 10\.77\.0\.254$/);
  assert.ok(path.nextSteps.some((s) => s.startsWith('traceroute -U -p 7410 10.78.0.2')));
});

test('this host: a socket that would receive it, yet a port unreachable came back, is a REJECT rule here', () => {
  const bound: UdpSocketReading = { address: '0.0.0.0', port: 7412, owners: [{ pid: 10, name: 'dns' }], queued: 0, dropsBefore: 0, drops: 0 };
  const local: DatagramContext = { address: '127.0.0.1', port: 7412, timeoutMs: 2000, request: false, udpSockets: [bound], errno: 'ECONNREFUSED' };
  assert.match(diagnoseDatagram(local).summary, /^127\.0\.0\.1:7412: an ICMP port unreachable came back: no UDP socket is bound/, 'the old wording without the report');
  const d = diagnoseDatagram({ ...local, icmp: { version: 4, type: 3, code: 3, from: '127.0.0.1' }, hostAddresses: ['127.0.0.1'] });
  assert.equal(d.summary, '127.0.0.1:7412: dns/10 on 0.0.0.0:7412 would receive it, yet an ICMP port unreachable (type 3 code 3) from 127.0.0.1 came back: a REJECT rule on this host rejects udp port 7412');
  // 127.0.0.3 is this host, though no interface lists it: its port unreachable is this host's kernel, nothing receives there.
  const other = { ...bound, address: '127.0.0.1' };
  const elsewhere = diagnoseDatagram({ ...local, address: '127.0.0.3', udpSockets: [other], icmp: { version: 4, type: 3, code: 3, from: '127.0.0.3' }, hostAddresses: ['127.0.0.1'] });
  assert.match(elsewhere.summary, /^127\.0\.0\.3:7412: an ICMP port unreachable came back: nothing receives on UDP 127\.0\.0\.3:7412, but dns\/10 is bound to 127\.0\.0\.1:7412/);
});

test('a failed send explained by the neighbour entry and the route line, with no ICMP report read (the retry skipped)', () => {
  // A FAILED neighbour: the ICMP retry is skipped (nothing to read), yet the entry read for it says why.
  const noArp = diagnoseDatagram({ ...remote, errno: 'EHOSTUNREACH', neighbour: { address: '10.77.0.254', dev: 'eth0', state: 'FAILED' } });
  assert.match(noArp.summary, /^10\.78\.0\.2:7410: no ARP reply from the gateway 10\.77\.0\.254 on eth0 \(neighbour entry FAILED\)/);
  const prohibit = diagnoseDatagram({ ...remote, errno: 'EACCES', route: { ok: false, type: 'prohibit', text: '' }, routeLine: 'prohibit 10.78.0.0/16' });
  assert.match(prohibit.summary, /prohibit 10\.78\.0\.0\/16/);
});
