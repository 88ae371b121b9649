// IPv6 destinations as typed and as the kernel sees them, on fixed inputs: HOST:PORT errors for an IPv6 address
// without a port, the zone and the IPv4-mapped form stripped to the address sockets are reported with, a link-local
// EINVAL explained by its missing (or unknown) zone, ENETUNREACH advice for the IPv6 table, a v4-mapped destination
// diagnosed as the IPv4 connection it is, and try's dual-stack EADDRINUSE said from the real net.ipv6.bindv6only.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { bareAddress, parseHostPort, zoneOf } from '../../src/knowledge/host-port.js';
import { diagnoseConnectError, type PortListener } from '../../src/knowledge/interpret-connect.js';
import { interpretTry, type TryContext } from '../../src/knowledge/interpret-try.js';

const err = (text: string) => {
  const r = parseHostPort(text);
  assert.ok('error' in r, `${text} parsed: ${JSON.stringify(r)}`);
  return r.error;
};

test('an IPv6 address without a port: the port is said to be missing, never its last group taken for one', () => {
  assert.equal(err('fe80::1'), "'fe80::1' is an IPv6 address without a port: write it in brackets with the port, as [fe80::1]:PORT (e.g. [fe80::1]:8080)");
  assert.match(err('::'), /^'::' is an IPv6 address without a port: .* as \[::\]:PORT/);
  assert.match(err('2001:db8::1'), /as \[2001:db8::1\]:PORT/);
  assert.match(err('fe80::1%eth0'), /as \[fe80::1%eth0\]:PORT/);
  assert.match(err('::ffff:10.0.0.1'), /as \[::ffff:10\.0\.0\.1\]:PORT/);
  assert.match(err('[::1]'), /^'\[::1\]' has no port: write \[::1\]:PORT/);
  // Both readings are addresses: which one was meant cannot be told.
  assert.equal(err('::1:8080'), "'::1:8080' is ambiguous: it is an IPv6 address as written, or ::1 and port 8080; write [::1]:8080 for that port, or [::1:8080]:PORT for that address");
  // Unbracketed with a port that no address reading takes: brackets, with the port as typed.
  assert.equal(err('fe80::1%eth0:80'), "'fe80::1%eth0:80': write IPv6 addresses in brackets, as [fe80::1%eth0]:80");
  for (const bad of ['fe80:', '[fe80:]:1', '[:]:']) assert.doesNotMatch(err(bad), /\[fe80:\]:1|\[:\]:/, bad);
  assert.match(err('a:b:80'), /is not HOST:PORT/);
  // What parsed before still does.
  assert.deepEqual(parseHostPort('[fe80::1%eth0]:80'), { host: 'fe80::1%eth0', port: 80 });
  assert.deepEqual(parseHostPort('10.0.0.1:80'), { host: '10.0.0.1', port: 80 });
});

test('bareAddress: no zone, and an IPv4-mapped address as IPv4 (as normalizeAddress reports sockets)', () => {
  assert.equal(bareAddress('fe80::1%eth0'), 'fe80::1');
  assert.equal(bareAddress('::ffff:127.0.0.1'), '127.0.0.1');
  assert.equal(bareAddress('::FFFF:10.1.2.3'), '10.1.2.3');
  assert.equal(bareAddress('::ffff:a01:203'), '10.1.2.3', 'the hex form is the same IPv4-mapped address');
  assert.equal(bareAddress('::1'), '::1');
  assert.equal(zoneOf('fe80::1%2'), '2');
  assert.equal(zoneOf('fe80::1'), undefined);
});

const listener = (address: string, port: number): PortListener => ({ address, port, pending: 0, backlog: 128, owners: [{ pid: 42, name: 'python3', fd: 3 }] });

test('EINVAL for a link-local address without its zone, or with one that names no interface: the zone, not a blackhole route', () => {
  const route = { ok: true, type: 'unicast', dev: 'va', src: 'fe80::1', text: 'fe80::2 from :: dev va' };
  const none = diagnoseConnectError('EINVAL', { address: 'fe80::2', port: 8081, route });
  assert.equal(none.summary, '[fe80::2]:8081: fe80::2 is an IPv6 link-local address (fe80::/10): connect needs its scope id, the interface it is on, as in [fe80::2%va]:8081; without one the kernel fails connect() with EINVAL');
  assert.ok(!none.nextSteps.some((s) => /blackhole/.test(s)), none.nextSteps.join('\n'));
  assert.ok(none.nextSteps.includes('connect to [fe80::2%va]:8081   (va: the interface the route to fe80::2 goes out of)'), none.nextSteps.join('\n'));
  // An address of this host (route local, on lo): lo is no example.
  const own = diagnoseConnectError('EINVAL', { address: 'fe80::1', port: 80, route: { ok: true, type: 'local', dev: 'lo', text: 'local fe80::1 dev lo' } });
  assert.match(own.summary, /as in \[fe80::1%IFACE\]:80/);
  const unknown = diagnoseConnectError('EINVAL', { address: 'fe80::2%nosuch', port: 8081, unknownZone: 'nosuch', route: { ok: false, type: 'none', text: 'x', error: 'x' } });
  assert.match(unknown.summary, /^\[fe80::2%nosuch\]:8081: no interface nosuch on this host: .*fails with EINVAL$/);
  assert.equal(unknown.nextSteps[0], 'ip -br link   (the interfaces of this host: a zone is one of their names or indexes)');
  // A zone that names an interface, and a global address: EINVAL stays the route's matter.
  const zoned = diagnoseConnectError('EINVAL', { address: 'fe80::2%va', port: 8081 });
  assert.match(zoned.summary, /failed with EINVAL$/);
  assert.match(diagnoseConnectError('EINVAL', { address: '2001:db8::1', port: 80 }).nextSteps[0], /blackhole/);
});

test('ENETUNREACH for an IPv6 destination points at the IPv6 table (ip route lists IPv4 only)', () => {
  const v6 = diagnoseConnectError('ENETUNREACH', { address: '2001:db8::1', port: 80, route: { ok: false, type: 'none', text: 'x', error: 'Network is unreachable' } });
  assert.ok(v6.nextSteps.some((s) => s.startsWith('ip -6 route (is there a default IPv6 route?)')), v6.nextSteps.join('\n'));
  assert.ok(!v6.nextSteps.some((s) => s.startsWith('ip route (')), v6.nextSteps.join('\n'));
  const v4 = diagnoseConnectError('ENETUNREACH', { address: '10.255.255.1', port: 80, route: { ok: false, type: 'none', text: 'x', error: 'Network is unreachable' } });
  assert.ok(v4.nextSteps.some((s) => s.startsWith('ip route (is there a default route?)')), v4.nextSteps.join('\n'));
  // v4-mapped: an IPv4 destination
  const mapped = diagnoseConnectError('ENETUNREACH', { address: '::ffff:10.255.255.1', port: 80 });
  assert.ok(mapped.nextSteps.some((s) => s.startsWith('ip route (is there a default route?)')), mapped.nextSteps.join('\n'));
});

test('a refused v4-mapped destination is an IPv4 connection: an IPv6-only [::] listener is named, not a firewall', () => {
  const d = diagnoseConnectError('ECONNREFUSED', { address: '::ffff:127.0.0.1', port: 47108, route: { ok: true, type: 'local', dev: 'lo', text: 'local 127.0.0.1 dev lo' }, listeners: [listener('::', 47108)] });
  assert.match(d.summary, /^\[::ffff:127\.0\.0\.1\]:47108: python3\/42 listens on \[::\]:47108, but for IPv6 only .* so an IPv4 connection to 127\.0\.0\.1 is refused$/);
  assert.ok(!d.nextSteps.some((s) => /REJECT/.test(s)));
});

test('a link-local destination of this host refused: the advice binds it with its zone', () => {
  const d = diagnoseConnectError('ECONNREFUSED', { address: 'fe80::1%va', port: 9001, route: { ok: true, type: 'local', dev: 'lo', text: 'local fe80::1 dev lo' }, listeners: [listener('::1', 9001)] });
  assert.match(d.summary, /^nothing listens on \[fe80::1%va\]:9001, but python3\/42 listens on \[::1\]:9001 \(loopback only/);
  assert.ok(d.nextSteps.includes('or have the server listen on [fe80::1%va]:9001 too, or on every address ([::]:9001)'), d.nextSteps.join('\n'));
});

const base: TryContext = { op: 'bind', target: '0.0.0.0:9030', port: 9030, ok: false, errno: 'EADDRINUSE', uid: 0, holders: [] };
const v4Holder = [{ state: 'LISTEN', local: '0.0.0.0:9031', processes: [{ pid: 7, name: 'nginx' }] }];
const dualHolder = [{ state: 'LISTEN', local: '[::]:9030', processes: [{ pid: 9, name: 'java' }] }];

test("try's dual-stack EADDRINUSE says the host's net.ipv6.bindv6only and the user's --v6only, not a fixed default", () => {
  const detail = (c: Partial<TryContext>) => interpretTry({ ...base, ...c }).details.find((d) => /IPV6_V6ONLY off/.test(d));
  // An IPv4 bind against a [::] socket that takes IPv4: on a host where IPv6-only is the default, its program cleared it.
  assert.match(detail({ holders: dualHolder, bindv6only: 1 })!, /has IPV6_V6ONLY off \(its program cleared it: net\.ipv6\.bindv6only=1 makes IPv6-only the default here\)/);
  assert.match(detail({ holders: dualHolder, bindv6only: 0 })!, /\(the default: net\.ipv6\.bindv6only=0\)/);
  assert.match(detail({ holders: dualHolder, bindv6only: null })!, /\(the default unless net\.ipv6\.bindv6only=1\)/);
  // [::] against an IPv4 listener: cleared by the user, or by the host's default.
  const six = { target: '[::]:9031', port: 9031, holders: v4Holder };
  assert.match(detail({ ...six, v6only: false, bindv6only: 1 })!, /^\[::\]:9031 with IPV6_V6ONLY off \(--v6only=false\) also takes IPv4 port 9031/);
  assert.match(detail({ ...six, bindv6only: 0 })!, /\(the default: net\.ipv6\.bindv6only=0\)/);
  // IPv6-only by default here: a conflict with an IPv4 listener is no dual-stack matter, and --v6only would not help.
  const r = interpretTry({ ...base, ...six, bindv6only: 1 });
  assert.ok(!r.details.some((d) => /IPV6_V6ONLY/.test(d)) && !r.nextSteps.some((s) => /--v6only/.test(s)), [...r.details, ...r.nextSteps].join('\n'));
});
