// AF_INET6 sockets that send IPv4 (a v4-mapped peer, a dual-stack [::] listener): their IPv4 packets take TTL and
// TOS from IP_TTL/IP_TOS, not from IPV6_UNICAST_HOPS/IPV6_TCLASS. The report must show the values on the wire.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startPythonHolder } from '../helpers/python-holder.js';
import { inspectSocketOptions } from '../../src/collect/getsockopt.js';
import { ipv6Carries, readPlans } from '../../src/collect/getsockopt-options.js';
import { findOption } from '../../src/knowledge/socket-options.js';
import { sockscope } from './getsockopt-helpers.js';

// Three AF_INET6 sockets with different IPv4-level and IPv6-level values, and the TTL/TOS an IPv4 receiver
// sees (IP_RECVTTL/IP_RECVTOS) on a datagram from the v4-mapped one.
const HOLDER = String.raw`
import json, socket, struct, sys
S = socket
IP_TOS, IP_TTL, IP_RECVTOS, IP_RECVTTL, IPV6_UNICAST_HOPS, IPV6_V6ONLY, IPV6_TCLASS = 1, 2, 13, 12, 16, 26, 67
rx = S.socket(S.AF_INET, S.SOCK_DGRAM); rx.bind(('127.0.0.1', 0))
rx.setsockopt(S.IPPROTO_IP, IP_RECVTTL, 1); rx.setsockopt(S.IPPROTO_IP, IP_RECVTOS, 1)
m = S.socket(S.AF_INET6, S.SOCK_DGRAM)
m.setsockopt(S.IPPROTO_IP, IP_TTL, 7); m.setsockopt(S.IPPROTO_IP, IP_TOS, 0x20); m.setsockopt(S.IPPROTO_IPV6, IPV6_TCLASS, 0x48)
m.connect(('::ffff:127.0.0.1', rx.getsockname()[1])); m.send(b'x')
rx.settimeout(5); _, anc, _, _ = rx.recvmsg(16, 256)
wire = {}
for level, kind, data in anc:
    if kind == IP_TTL: wire['ttl'] = struct.unpack('i', data[:4])[0]
    if kind == IP_TOS: wire['tos'] = data[0]
d = S.socket(S.AF_INET6, S.SOCK_STREAM); d.setsockopt(S.IPPROTO_IPV6, IPV6_V6ONLY, 0)
d.setsockopt(S.IPPROTO_IP, IP_TTL, 9); d.setsockopt(S.IPPROTO_IPV6, IPV6_UNICAST_HOPS, 33); d.bind(('::', 0)); d.listen(4)
o = S.socket(S.AF_INET6, S.SOCK_STREAM); o.setsockopt(S.IPPROTO_IPV6, IPV6_V6ONLY, 1)
o.setsockopt(S.IPPROTO_IP, IP_TTL, 11); o.setsockopt(S.IPPROTO_IPV6, IPV6_UNICAST_HOPS, 44); o.bind(('::1', 0)); o.listen(4)
print(json.dumps({'pid': __import__('os').getpid(), 'mapped': m.fileno(), 'wire': wire, 'dual': d.fileno(), 'v6only': o.fileno()}), flush=True)
sys.stdin.read()
`;

interface Holder {
  pid: number;
  mapped: number;
  wire: { ttl: number; tos: number };
  dual: number;
  v6only: number;
}

const startHolder = (t: { after: (fn: () => void) => void }) => startPythonHolder<Holder>(t, HOLDER);

const pick = (r: Awaited<ReturnType<typeof inspectSocketOptions>>, name: string) => r.options.filter((o) => o.name === name).map((o) => ({ value: o.value, readAs: o.readAs, readFor: o.readFor }));

test('IP_TTL/IP_TOS of AF_INET6 sockets: the IPv4 values where IPv4 is sent, the IPv6 twins where IPv6 is', { timeout: 60_000 }, async (t) => {
  assert.equal(process.getuid?.(), 0, 'this test borrows another process\'s sockets and must run as root (as the CI does)');
  const h = await startHolder(t);
  assert.deepEqual(h.wire, { ttl: 7, tos: 0x20 }, 'the IPv4 receiver saw the IPv4-level values');

  // Connected to ::ffff:127.0.0.1: every packet is IPv4, so the value is the one on the wire.
  const m = await inspectSocketOptions({ pid: h.pid, fd: h.mapped, options: ['IP_TTL', 'IP_TOS'] });
  assert.equal(m.method, 'pidfd_getfd', m.methodNote);
  assert.deepEqual(pick(m, 'IP_TTL'), [{ value: h.wire.ttl, readAs: undefined, readFor: 'IPv4 packets (v4-mapped address)' }]);
  assert.deepEqual(pick(m, 'IP_TOS'), [{ value: h.wire.tos, readAs: undefined, readFor: 'IPv4 packets (v4-mapped address)' }]);

  // A [::] listener without IPV6_V6ONLY serves both: both values, each saying whose packets it applies to.
  const d = await inspectSocketOptions({ pid: h.pid, fd: h.dual, options: ['IP_TTL'] });
  assert.deepEqual(pick(d, 'IP_TTL'), [
    { value: 33, readAs: 'IPV6_UNICAST_HOPS', readFor: 'IPv6 peers' },
    { value: 9, readAs: undefined, readFor: 'IPv4 peers' },
  ]);

  // IPv6 only ([::1], IPV6_V6ONLY): the IPv4-level value is set but never used, and is not shown.
  const o = await inspectSocketOptions({ pid: h.pid, fd: h.v6only, options: ['IP_TTL'] });
  assert.deepEqual(pick(o, 'IP_TTL'), [{ value: 44, readAs: 'IPV6_UNICAST_HOPS', readFor: undefined }]);

  // The CLI labels each line; --json keeps readFor.
  const txt = sockscope(['inspect-options', '--pid', String(h.pid), '--socket-fd', String(h.dual), '--options', 'IP_TTL']);
  assert.equal(txt.status, 0, txt.stderr);
  assert.match(txt.stdout, /^IP_TTL +33 +\[read as IPV6_UNICAST_HOPS, for IPv6 peers\]$/m);
  assert.match(txt.stdout, /^IP_TTL +9 +\[for IPv4 peers\]$/m);
  const js = sockscope(['inspect-options', '--pid', String(h.pid), '--socket-fd', String(h.mapped), '--options', 'IP_TOS', '--json']);
  assert.equal(js.status, 0, js.stderr);
  const row = JSON.parse(js.stdout).options[0];
  assert.equal(row.value, 0x20);
  assert.equal(row.readFor, 'IPv4 packets (v4-mapped address)');
});

test('what an AF_INET6 socket sends, from its address and IPV6_V6ONLY; the read plans that follow', () => {
  assert.equal(ipv6Carries('[::ffff:127.0.0.1]:5000', false), 'ipv4');
  assert.equal(ipv6Carries('[::ffff:10.1.2.3]:0', true), 'ipv4');
  assert.equal(ipv6Carries('[::]:8080', false), 'both');
  assert.equal(ipv6Carries('[::]:8080', true), 'ipv6');
  assert.equal(ipv6Carries('[::1]:8080', false), 'ipv6');
  assert.equal(ipv6Carries(undefined, false), 'ipv6');
  const v6 = { family: 'inet6', type: 'dgram', protocol: 'udp' } as const;
  const tos = findOption('IP_TOS')!;
  assert.deepEqual(readPlans(tos, v6, 'both').map((p) => [p.level, p.optname, p.readFor]), [
    [41, 67, 'IPv6 peers'],
    [0, 1, 'IPv4 peers'],
  ]);
  assert.deepEqual(readPlans(tos, v6, 'ipv4').map((p) => [p.level, p.optname]), [[0, 1]]);
  assert.deepEqual(readPlans(tos, v6).map((p) => [p.level, p.optname, p.readFor]), [[41, 67, undefined]]);
  // Options without an IPv6 twin are read once, whatever the socket sends.
  assert.equal(readPlans(findOption('SO_RCVBUF')!, v6, 'both').length, 1);
});
