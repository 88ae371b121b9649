// debug-connections and `try` with IPv6 destinations on real sockets: link-local addresses with a zone (by name and by
// index), without one and with one that names no interface, over a veth pair between two network namespaces this
// test creates and deletes; IPv4-mapped destinations (::ffff:127.0.0.1) against dual-stack and IPv6-only [::]
// listeners; the local endpoint written with brackets; ENETUNREACH with no IPv6 route; try's dual-stack EADDRINUSE
// under net.ipv6.bindv6only=1. Needs root (as CI), iproute2, python3.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync, type ChildProcess } from 'node:child_process';
import { sockscope } from '../collect/getsockopt-helpers.js';
import { createNetns, deleteNetns, netnsHolder } from '../helpers/netns.js';

const A = `ss6a-${process.pid}`; // fe80::1/64 on VA; the listeners this host's probes reach
const B = `ss6b-${process.pid}`; // fe80::2/64 on VB: a listener on [fe80::2%VB]:8081
const VA = `s6a${process.pid % 100000}`;
const VB = `s6b${process.pid % 100000}`;
const children: ChildProcess[] = [];
let holderA = 0;

function ip(...args: string[]): void {
  const r = spawnSync('ip', args, { encoding: 'utf8' });
  assert.equal(r.error, undefined, 'ip (iproute2) is required');
  assert.equal(r.status, 0, `ip ${args.join(' ')}: ${r.stderr}`);
}

before(async () => {
  createNetns(A);
  createNetns(B);
  ip('link', 'add', VA, 'netns', A, 'type', 'veth', 'peer', 'name', VB, 'netns', B);
  ip('-n', A, 'addr', 'add', 'fe80::1/64', 'dev', VA, 'nodad');
  ip('-n', B, 'addr', 'add', 'fe80::2/64', 'dev', VB, 'nodad');
  ip('-n', A, 'link', 'set', VA, 'up');
  ip('-n', B, 'link', 'set', VB, 'up');
  // getaddrinfo keeps the zone (a 2-tuple bind drops it: EINVAL).
  children.push(await netnsHolder(B, `s = socket.socket(socket.AF_INET6); s.bind(socket.getaddrinfo("fe80::2%${VB}", 8081, socket.AF_INET6, socket.SOCK_STREAM)[0][4]); s.listen(64)`));
  const v6 = (port: number, only: number, backlog: number) =>
    `x = socket.socket(socket.AF_INET6); x.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, ${only}); x.bind(("::", ${port})); x.listen(${backlog}); keep.append(x)`;
  const h = await netnsHolder(
    A,
    [
      'keep = []',
      'a = socket.socket(socket.AF_INET6); a.bind(("::1", 9001)); a.listen(8); keep.append(a)',
      v6(9003, 1, 8), // IPv6 only, never accepts
      v6(9005, 0, 8), // dual-stack, never accepts; three IPv4 clients wait in its queue
      v6(9007, 1, 8), // IPv6 only: IPv4 is refused
      'keep += [socket.create_connection(("127.0.0.1", 9005)) for _ in range(3)]',
    ].join('\n'),
  );
  children.push(h);
  holderA = h.pid!; // `ip netns exec` execs python3: the same process
});

after(() => {
  for (const c of children) c.kill('SIGKILL');
  deleteNetns(A);
  deleteNetns(B);
  const left = spawnSync('ip', ['netns', 'list'], { encoding: 'utf8' }).stdout;
  assert.ok(!left.includes(A) && !left.includes(B), 'namespaces deleted');
});

const inA = (args: string[]) => sockscope(args, { netns: A });
const json = (args: string[]) => {
  const r = inA([...args, '--json']);
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout);
};
const probe = (address: string) => json(['debug-connections', '--address', address, '--timeout', '2s']);

test('a zoned link-local destination: routed through its interface (by name or index), the local endpoint in brackets', { timeout: 60_000 }, () => {
  const d = probe(`[fe80::2%${VA}]:8081`);
  const a = d.addresses[0];
  // `ip route get fe80::2%IF` is rejected by ip: the route was "no usable route" beside a connect that worked.
  assert.equal(a.route.ok, true, JSON.stringify(a.route));
  assert.equal(a.route.type, 'unicast');
  assert.equal(a.route.dev, VA);
  assert.equal(a.connect.ok, true);
  assert.match(a.connect.local, new RegExp(`^\\[fe80::[0-9a-f:]+%${VA}\\]:\\d+$`));
  assert.equal(d.verdict.ok, true);
  const index = JSON.parse(spawnSync('ip', ['-n', A, '-j', 'link', 'show', VA], { encoding: 'utf8' }).stdout)[0].ifindex;
  const byIndex = probe(`[fe80::2%${index}]:8081`).addresses[0];
  assert.equal(byIndex.route.dev, VA);
  assert.equal(byIndex.connect.ok, true, `a numeric zone connects (Node takes the zone by name only): ${JSON.stringify(byIndex.connect)}`);
  const text = inA(['debug-connections', '--address', `[fe80::2%${VA}]:8081`]);
  assert.match(text.stdout, new RegExp(`\\n  route: {4}directly connected on ${VA}, source fe80::`));
  assert.match(text.stdout, new RegExp(`\\n  connect: {2}ok in [\\d.]+ ms \\(from \\[fe80::[0-9a-f:]+%${VA}\\]:\\d+\\)\\n`));
});

test("this host's own link-local address: a local route, the listener at another address named, the unaccepted queue seen", { timeout: 60_000 }, () => {
  const d = probe(`[fe80::1%${VA}]:9001`);
  const a = d.addresses[0];
  assert.equal(a.route.type, 'local');
  assert.equal(a.connect.errno, 'ECONNREFUSED');
  assert.match(a.diagnosis.summary, new RegExp(`^nothing listens on \\[fe80::1%${VA}\\]:9001, but python3/${holderA} listens on \\[::1\\]:9001 \\(loopback only`));
  assert.ok(!d.verdict.nextSteps.some((s: string) => /tcp-reset|firewall/.test(s)), d.verdict.nextSteps.join('\n'));
  const t = json(['try', 'connect', `[fe80::1%${VA}]:9001`]);
  assert.equal(t.call.errno, 'ECONNREFUSED');
  assert.match(t.interpretation.summary, new RegExp(`python3/${holderA} listens on \\[::1\\]:9001`));
  // A [::] listener that never accepts: connected, and not "accepts connections".
  const q = probe(`[fe80::1%${VA}]:9003`);
  assert.equal(q.addresses[0].connect.ok, true);
  assert.equal(q.addresses[0].notAccepted?.listener, '[::]:9003', JSON.stringify(q.addresses[0]));
  assert.equal(q.verdict.ok, false);
});

test('link-local without a zone, or with one that names no interface: EINVAL explained by the zone', { timeout: 60_000 }, () => {
  const none = probe('[fe80::2]:8081').addresses[0];
  assert.equal(none.connect.errno, 'EINVAL');
  assert.match(none.diagnosis.summary, new RegExp(`fe80::2 is an IPv6 link-local address \\(fe80::/10\\): connect needs its scope id, the interface it is on, as in \\[fe80::2%${VA}\\]:8081`));
  assert.ok(!none.diagnosis.nextSteps.some((s: string) => /blackhole/.test(s)), none.diagnosis.nextSteps.join('\n'));
  for (const zone of ['nosuch', '999']) {
    const d = probe(`[fe80::2%${zone}]:8081`).addresses[0];
    assert.equal(d.connect.errno, 'EINVAL');
    assert.equal(d.route.ok, false);
    assert.equal(d.route.type, 'none');
    assert.match(d.diagnosis.summary, new RegExp(`^\\[fe80::2%${zone}\\]:8081: no interface ${zone} on this host`));
  }
  // try says the same before any call: the zone is bad input (an index of no interface gave ENETUNREACH).
  const t = inA(['try', 'connect', '[fe80::2%999]:8081']);
  assert.equal(t.status, 2, t.stdout);
  assert.match(t.stderr, /the zone '999' after % names no network interface/);
});

test('an IPv4-mapped destination is the IPv4 one: local route, the IPv4 clients already there, the queue, an IPv6-only listener', { timeout: 60_000 }, () => {
  const d = probe('[::ffff:127.0.0.1]:9005');
  const a = d.addresses[0];
  assert.equal(a.route.type, 'local', `ip route get ::ffff:127.0.0.1 reads the IPv6 table: ${JSON.stringify(a.route)}`);
  assert.equal(a.existing.total, 3, JSON.stringify(a.existing));
  assert.equal(a.existing.states.ESTABLISHED, 3);
  assert.equal(a.notAccepted?.listener, '[::]:9005', JSON.stringify(a));
  assert.match(a.connect.local, /^\[::ffff:127\.0\.0\.1\]:\d+$/);
  const text = inA(['debug-connections', '--address', '[::1]:9003']);
  assert.match(text.stdout, /\n {2}connect: {2}ok in [\d.]+ ms \(from \[::1\]:\d+\)\n/);
  // Refused by an IPv6-only [::] listener: an IPv4 connection, said so (it was "a firewall rejects with tcp-reset").
  const r = probe('[::ffff:127.0.0.1]:9007');
  assert.match(r.addresses[0].diagnosis.summary, new RegExp(`python3/${holderA} listens on \\[::\\]:9007, but for IPv6 only`));
  const t = json(['try', 'connect', '[::ffff:127.0.0.1]:9007']);
  assert.match(t.interpretation.summary, new RegExp(`python3/${holderA} listens on \\[::\\]:9007, but for IPv6 only`));
});

test('no route to an IPv6 destination: the advice reads the IPv6 table', { timeout: 60_000 }, () => {
  const d = probe('[2001:db8::1]:80');
  assert.equal(d.addresses[0].connect.errno, 'ENETUNREACH');
  assert.ok(d.verdict.nextSteps.some((s: string) => s.startsWith('ip -6 route ')), d.verdict.nextSteps.join('\n'));
  assert.ok(!d.verdict.nextSteps.some((s: string) => s.startsWith('ip route (')), d.verdict.nextSteps.join('\n'));
});

test("try's dual-stack EADDRINUSE on a host where net.ipv6.bindv6only=1: the sysctl and --v6only=false as they are", { timeout: 60_000 }, async (t) => {
  ip('netns', 'exec', A, 'sysctl', '-qw', 'net.ipv6.bindv6only=1');
  t.after(() => ip('netns', 'exec', A, 'sysctl', '-qw', 'net.ipv6.bindv6only=0'));
  const h = await netnsHolder(A, 'd = socket.socket(socket.AF_INET6); d.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0); d.bind(("::", 9030)); d.listen()\nf = socket.socket(); f.bind(("0.0.0.0", 9031)); f.listen()');
  t.after(() => h.kill('SIGKILL'));
  const v4 = json(['try', 'bind', '0.0.0.0:9030']);
  assert.equal(v4.call.errno, 'EADDRINUSE');
  assert.equal(v4.context.bindv6only, 1);
  assert.ok(v4.interpretation.details.some((x: string) => x.startsWith('the socket on [::]:9030 has IPV6_V6ONLY off (its program cleared it: net.ipv6.bindv6only=1 makes IPv6-only the default here)')), v4.interpretation.details.join('\n'));
  const cleared = json(['try', 'bind', '[::]:9031', '--v6only=false']);
  assert.equal(cleared.call.errno, 'EADDRINUSE');
  assert.ok(cleared.interpretation.details.some((x: string) => x.startsWith('[::]:9031 with IPV6_V6ONLY off (--v6only=false) also takes IPv4 port 9031')), cleared.interpretation.details.join('\n'));
  assert.ok(!JSON.stringify(cleared.interpretation).includes('bindv6only=0'));
  // The host's default: IPv6 only, no conflict with the IPv4 listener.
  assert.equal(json(['try', 'bind', '[::]:9031']).call.ok, true);
});

test('HOST:PORT with an IPv6 address and no port: exit 2, the port said to be missing', () => {
  for (const cmd of [['debug-connections', '--address', 'fe80::1'], ['try', 'connect', '2001:db8::1']]) {
    const r = sockscope(cmd);
    assert.equal(r.status, 2, r.stdout);
    assert.match(r.stderr, /is an IPv6 address without a port: write it in brackets with the port, as \[(fe80::1|2001:db8::1)\]:PORT/);
  }
});
