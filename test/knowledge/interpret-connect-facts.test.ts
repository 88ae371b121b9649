// interpret-connect with the host facts debug-connections and `try connect` read after the attempt: the route types
// `ip route get` reports only through its error, `ip route show match`, `ip neigh`, this host's listeners on the
// port, tcp_tw_reuse; and the report lines for a reset exchange and a connection nobody accepted. Pure fixtures
// (the outputs are as iproute2 6.1 prints them in the scenarios of test/cli/debug-connections-explain).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  describeRoute,
  diagnoseConnectError,
  parseIpNeigh,
  parseIpRouteGet,
  parseRouteMatch,
  verdict,
  type ExistingSockets,
  type PortListener,
  type RouteInfo,
} from '../../src/knowledge/interpret-connect.js';
import { formatProbe } from '../../src/cli/commands/debug-connections-run.js';
import type { ProbeResult } from '../../src/collect/connect-probe.js';

test('ip route get: the kernel error names the route type (blackhole EINVAL, prohibit EACCES, unreachable EHOSTUNREACH)', () => {
  const cases: [string, string | undefined][] = [
    ['RTNETLINK answers: Invalid argument\n', 'blackhole'],
    ['RTNETLINK answers: Permission denied\n', 'prohibit'],
    ['RTNETLINK answers: No route to host\n', 'unreachable'],
    ['RTNETLINK answers: Network is unreachable\n', 'none'],
    ['Error: inet prefix is expected rather than "x".\n', undefined],
  ];
  for (const [stderr, type] of cases) {
    const r = parseIpRouteGet('', stderr, 2);
    assert.equal(r.ok, false, stderr);
    assert.equal(r.type, type, stderr);
  }
  assert.equal(parseIpRouteGet('', 'RTNETLINK answers: Network is unreachable\n', 2).error, 'Network is unreachable');
  assert.equal(describeRoute(parseIpRouteGet('', 'RTNETLINK answers: Invalid argument\n', 2)), 'no usable route: a blackhole route discards traffic to it (Invalid argument)');
  // A broadcast destination is not "directly connected" (one host): ip says broadcast.
  const b = parseIpRouteGet('broadcast 10.1.1.255 dev veth0 src 10.1.1.1 uid 0 \n    cache <local,brd> \n');
  assert.equal(b.type, 'broadcast');
  assert.equal(describeRoute(b), 'broadcast address of the network on veth0 (not one host)');
  assert.equal(describeRoute(parseIpRouteGet('multicast ff02::1 from :: dev veth0 table local proto kernel src fe80::1 metric 256 pref medium\n')), 'multicast address (on veth0) (not one host)');
});

test('ip route show match: the most specific route names the one that rejected', () => {
  assert.equal(parseRouteMatch('default via 10.0.0.1 dev eth0 \n10.0.0.0/8 dev eth0 scope link \nblackhole 10.50.0.0/16 \n'), 'blackhole 10.50.0.0/16');
  assert.equal(parseRouteMatch('blackhole 2001:db8:5::/48 dev lo metric 1024 pref medium\n'), 'blackhole 2001:db8:5::/48 dev lo metric 1024 pref medium');
  assert.equal(parseRouteMatch('prohibit 10.51.0.0/16 \nunreachable 10.51.7.9 \n'), 'unreachable 10.51.7.9');
  assert.equal(parseRouteMatch(''), undefined);
});

test('ip neigh show: state, link-layer address, device', () => {
  assert.deepEqual(parseIpNeigh('10.1.1.4 dev veth0 INCOMPLETE \n', '10.1.1.4'), { address: '10.1.1.4', dev: 'veth0', state: 'INCOMPLETE' });
  assert.deepEqual(parseIpNeigh('10.1.1.4 FAILED \n', '10.1.1.4', 'veth0'), { address: '10.1.1.4', dev: 'veth0', state: 'FAILED' });
  assert.deepEqual(parseIpNeigh('10.1.1.2 lladdr d2:af:31:a7:4d:3b REACHABLE \n', '10.1.1.2', 'veth0'), { address: '10.1.1.2', dev: 'veth0', lladdr: 'd2:af:31:a7:4d:3b', state: 'REACHABLE' });
  assert.deepEqual(parseIpNeigh('fe80::1 dev eth0 lladdr 52:54:00:12:35:02 router STALE\n', 'fe80::1'), { address: 'fe80::1', dev: 'eth0', lladdr: '52:54:00:12:35:02', state: 'STALE' });
  assert.equal(parseIpNeigh('', '10.1.1.9', 'veth0').state, 'none');
  assert.equal(parseIpNeigh('10.1.1.9 dev other0 FAILED\n', '10.1.1.9', 'veth0').state, 'none', 'another device is another link');
});

const onLink: RouteInfo = { ok: true, type: 'unicast', dev: 'veth0', src: '10.1.1.1', text: '10.1.1.4 dev veth0 src 10.1.1.1 uid 0' };

test('no answer on the link: the neighbour entry decides between "no ARP reply" and "SYNs dropped"', () => {
  const failed = diagnoseConnectError('ETIMEDOUT', { address: '10.1.1.4', port: 80, timeoutMs: 3000, route: onLink, neighbour: { address: '10.1.1.4', dev: 'veth0', state: 'INCOMPLETE' } });
  assert.equal(failed.category, 'unreachable');
  assert.match(failed.summary, /^10\.1\.1\.4:80: no ARP reply from 10\.1\.1\.4 on veth0 \(neighbour entry INCOMPLETE\): the SYN never left this host/);
  assert.doesNotMatch(failed.summary, /firewall/);
  assert.ok(failed.nextSteps[0].startsWith('ip neigh show 10.1.1.4'));
  const answered = diagnoseConnectError('ETIMEDOUT', { address: '10.1.1.2', port: 81, timeoutMs: 1000, route: onLink, neighbour: { address: '10.1.1.2', dev: 'veth0', lladdr: 'd2:af:31:a7:4d:3b', state: 'REACHABLE' } });
  assert.equal(answered.category, 'timeout');
  assert.match(answered.summary, /10\.1\.1\.2 answers ARP on veth0 \(d2:af:31:a7:4d:3b\), so the SYNs reach the link, but it sends no SYN-ACK/);
  const gw = diagnoseConnectError('EHOSTUNREACH', { address: '192.0.2.7', port: 443, route: { ...onLink, via: '10.1.1.254' }, neighbour: { address: '10.1.1.254', dev: 'veth0', state: 'FAILED' } });
  assert.match(gw.summary, /no ARP reply from the gateway 10\.1\.1\.254 on veth0/);
  const v6 = diagnoseConnectError('ETIMEDOUT', { address: '2001:db8::7', port: 80, route: onLink, neighbour: { address: '2001:db8::7', dev: 'veth0', state: 'FAILED' } });
  assert.match(v6.summary, /no NDP \(neighbour discovery\) reply from 2001:db8::7/);
});

test('EHOSTUNREACH without a neighbour entry: ip neigh show in the next steps, the IPv6 note only for IPv6', () => {
  const v4 = diagnoseConnectError('EHOSTUNREACH', { address: '10.1.1.4', port: 80, route: onLink });
  assert.ok(v4.nextSteps.some((s) => s.startsWith('ip neigh show 10.1.1.4')), v4.nextSteps.join('\n'));
  assert.ok(!v4.nextSteps.some((s) => /IPv6/.test(s)), v4.nextSteps.join('\n'));
  const v6 = diagnoseConnectError('EHOSTUNREACH', { address: '2001:db8::7', port: 80, route: { ...onLink, via: 'fe80::1' } });
  assert.ok(v6.nextSteps.some((s) => s.startsWith('ip neigh show fe80::1')), v6.nextSteps.join('\n'));
  assert.ok(v6.nextSteps.some((s) => /IPv6/.test(s)));
});

// The live cases (a REACHABLE peer, a loopback listener, a DROP rule, sendto) are in test/cli/connect-firewall-netns.
test('EHOSTUNREACH with a neighbour that answered, or from this host: an ICMP reject (a REJECT rule), never an ARP failure', () => {
  const reachable = { address: '10.1.1.254', dev: 'veth0', lladdr: 'd2:af:31:a7:4d:3b', state: 'REACHABLE' };
  const gw = diagnoseConnectError('EHOSTUNREACH', { address: '192.0.2.7', port: 443, route: { ...onLink, via: '10.1.1.254' }, neighbour: reachable });
  assert.match(gw.summary, /^192\.0\.2\.7:443: the gateway 10\.1\.1\.254 answers ARP on veth0, so the SYN left this host, and an ICMP host unreachable or admin prohibited came back: a REJECT rule on the path or on 192\.0\.2\.7/);
  assert.ok(gw.nextSteps[0].startsWith('traceroute -T -p 443 192.0.2.7'), gw.nextSteps.join('\n'));
  assert.ok(!gw.nextSteps.some((s) => /INCOMPLETE\/FAILED/.test(s)));
  const v6 = diagnoseConnectError('EHOSTUNREACH', { address: '2001:db8::7', port: 80, route: onLink, neighbour: { address: '2001:db8::7', dev: 'veth0', lladdr: 'd2:af:31:a7:4d:3b', state: 'STALE' } });
  assert.match(v6.summary, /2001:db8::7 answers NDP \(neighbour discovery\) on veth0 \(d2:af:31:a7:4d:3b\), so the SYN reached it, and an ICMPv6 address unreachable came back/);
  assert.ok(v6.nextSteps.some((s) => s.startsWith('tcpdump -ni veth0 icmp6 ')));
  const udp = diagnoseConnectError('EHOSTUNREACH', { address: '10.1.1.2', port: 53, route: onLink, neighbour: { ...reachable, address: '10.1.1.2' }, datagram: true });
  assert.match(udp.summary, /so the datagram reached it, .* rejects udp port 53/);
  // This host: no ARP; the listener named when known, "nothing listens" when none takes it.
  const here = diagnoseConnectError('EHOSTUNREACH', { address: '127.0.0.1', port: 8081, route: local, listeners: [listener('0.0.0.0', 7)] });
  assert.match(here.summary, /^127\.0\.0\.1:8081: python3\/7 listens on 0\.0\.0\.0:8081, which takes this connection, yet an ICMP host unreachable or admin prohibited came back: a REJECT rule on this host/);
  assert.ok(!here.nextSteps.some((s) => /ip neigh|arping/.test(s)), here.nextSteps.join('\n'));
  const nobody = diagnoseConnectError('EHOSTUNREACH', { address: '127.0.0.1', port: 8081, route: local, listeners: [] });
  assert.match(nobody.summary, /^127\.0\.0\.1:8081 is an address of this host, which involves no ARP, yet .* a REJECT rule on this host .*; nothing listens on 127\.0\.0\.1:8081 either$/);
});

test('a local connect that timed out with no full queue: a DROP rule on this host, the listener named (owners found by address for library callers)', () => {
  const withOwner = diagnoseConnectError('ETIMEDOUT', { address: '127.0.0.1', port: 8081, timeoutMs: 1000, route: local, listeners: [listener('127.0.0.1', 7, { pending: 0, backlog: 16 })], listener: { local: '127.0.0.1:8081', pending: 0, backlog: 16 } });
  assert.equal(withOwner.category, 'timeout');
  assert.match(withOwner.summary, /^no answer from 127\.0\.0\.1:8081 within 1000 ms: python3\/7 listens on 127\.0\.0\.1:8081 on this host, and its accept queue has room \(0 waiting for accept\(\), backlog 16\), so the kernel would have answered the SYN: a DROP rule on this host/);
  assert.ok(!withOwner.nextSteps.some((s) => /^ping|traceroute/.test(s)), withOwner.nextSteps.join('\n'));
  const unknownBacklog = diagnoseConnectError('ETIMEDOUT', { address: '127.0.0.1', port: 8081, timeoutMs: 1000, route: local, listener: { local: '127.0.0.1:8081', pending: 0, by: 'nginx/9' } });
  assert.match(unknownBacklog.summary, /nginx\/9 listens on 127\.0\.0\.1:8081 on this host, and its accept queue holds no connection waiting for accept\(\) \(its backlog is unknown with this source\)/);
  const none = diagnoseConnectError('ETIMEDOUT', { address: '127.0.0.1', port: 8081, timeoutMs: 1000, route: local, listeners: [] });
  assert.match(none.summary, /nothing listens on 127\.0\.0\.1:8081, and this host answers a SYN to a port nobody listens on with a reset, not silence: a DROP rule on this host/);
  // A full queue keeps its own explanation.
  const full = diagnoseConnectError('ETIMEDOUT', { address: '127.0.0.1', port: 8081, timeoutMs: 1000, route: local, listener: { local: '127.0.0.1:8081', pending: 17, backlog: 16, by: 'nginx/9' } });
  assert.match(full.summary, /the accept queue of the listener 127\.0\.0\.1:8081 on this host is full/);
});

test('refused by another host: a reset or an ICMP port unreachable, never only a reset', () => {
  const d = diagnoseConnectError('ECONNREFUSED', { address: '10.1.1.2', port: 80, route: onLink });
  assert.equal(d.summary, '10.1.1.2:80 was refused (a TCP reset or an ICMP port unreachable): nothing listens there, or a firewall rejects it (a REJECT rule: tcp-reset or ICMP port unreachable)');
  assert.ok(d.nextSteps.some((s) => /--reject-with tcp-reset, or icmp-port-unreachable/.test(s)), d.nextSteps.join('\n'));
});

test('EACCES/EPERM on connect never borrow the bind fix (setcap, privileged ports)', () => {
  for (const errno of ['EACCES', 'EPERM']) {
    const d = diagnoseConnectError(errno, { address: '10.0.0.1', port: 80, route: { ...onLink } });
    assert.ok(!d.nextSteps.some((s) => /setcap|cap_net_bind_service|unprivileged_port/.test(s)), d.nextSteps.join('\n'));
    assert.doesNotMatch(d.summary, /SO_BROADCAST/);
  }
  const einval = diagnoseConnectError('EINVAL', { address: '10.0.0.1', port: 80 });
  assert.ok(!einval.nextSteps.some((s) => /call order/.test(s)), einval.nextSteps.join('\n'));
  // A prohibit route in a table ip route show match does not read: said so, never another route's line.
  const rule = diagnoseConnectError('EACCES', { address: '10.60.0.1', port: 80, route: parseIpRouteGet('', 'RTNETLINK answers: Permission denied\n', 2), routeLine: 'default via 10.0.0.1 dev eth0' });
  assert.match(rule.summary, /a prohibit route forbids traffic to it on this host \(not in the main table: an ip rule or another table\)/);
});

test('EADDRNOTAVAIL: tcp_tw_reuse only when TIME_WAIT sockets to the destination exist and it would change something', () => {
  const range = { low: 40000, high: 40003, size: 4 };
  const base: ExistingSockets = { total: 4, states: { ESTABLISHED: 4 }, retransTotal: 0, timeWait: 0, portRange: range };
  const steps = (existing: ExistingSockets, twReuse: number | null, address = '10.0.0.1') => diagnoseConnectError('EADDRNOTAVAIL', { address, port: 5000, existing, twReuse }).nextSteps;
  assert.ok(!steps(base, 2).some((s) => s.includes('tcp_tw_reuse')), 'no TIME_WAIT: nothing to reuse');
  const tw: ExistingSockets = { ...base, states: { TIME_WAIT: 4 }, timeWait: 4 };
  assert.ok(steps(tw, 0).some((s) => s.startsWith('sysctl -w net.ipv4.tcp_tw_reuse=1   (4 TIME_WAIT sockets to 10.0.0.1:5000; now 0: never reused)')));
  assert.ok(steps(tw, 2).some((s) => s.startsWith('sysctl -w net.ipv4.tcp_tw_reuse=1   (4 TIME_WAIT sockets to 10.0.0.1:5000; now 2: reused for loopback only)')));
  // 2, the default, already covers loopback: no sysctl to suggest.
  const lo = steps(tw, 2, '127.0.0.1');
  assert.ok(!lo.some((s) => s.startsWith('sysctl')), lo.join('\n'));
  assert.ok(lo.some((s) => s.startsWith('net.ipv4.tcp_tw_reuse=2 already lets connect() reuse the 4 TIME_WAIT ports (loopback)')));
  // The other cause: a local port bound before connect() whose 4-tuple is taken; said in the summary when the range is not used up.
  assert.ok(steps(base, 2).some((s) => /bind\(\)s a local port before connect\(\).*4-tuple/.test(s)));
  const few = diagnoseConnectError('EADDRNOTAVAIL', { address: '10.0.0.1', port: 5000, existing: { ...base, total: 1, states: { ESTABLISHED: 1 } } });
  assert.match(few.summary, /only 1 sockets to it .* or the local port was bound and its 4-tuple is in use/);
});

const listener = (address: string, pid: number, extra: Partial<PortListener> = {}): PortListener => ({ address, port: 8081, pending: 0, backlog: 5, owners: [{ pid, name: 'python3' }], ...extra });
const local: RouteInfo = { ok: true, type: 'local', dev: 'lo', text: 'local 127.0.0.1 dev lo' };

test('a refused local connect names the listener at another address, and says why the connect missed it', () => {
  const hosts = diagnoseConnectError('ECONNREFUSED', { address: '127.0.0.1', port: 8081, route: local, listeners: [listener('::1', 42)], resolved: { host: 'localhost', addresses: ['127.0.0.1'] } });
  assert.equal(hosts.summary, 'nothing listens on 127.0.0.1:8081, but python3/42 listens on [::1]:8081; localhost resolved only to 127.0.0.1');
  assert.deepEqual(hosts.nextSteps.slice(0, 3), [
    'connect to [::1]:8081 instead',
    'add `::1 localhost` to /etc/hosts   (getent ahosts localhost shows what it resolves to now)',
    'or have the server listen on every address of both families: bind [::]:8081 with IPV6_V6ONLY off',
  ]);
  assert.ok(!hosts.nextSteps.some((s) => /firewall|tcp-reset/.test(s)));
  const lo = diagnoseConnectError('ECONNREFUSED', { address: '127.0.0.2', port: 8081, route: local, listeners: [listener('127.0.0.1', 7)] });
  assert.equal(lo.summary, 'nothing listens on 127.0.0.2:8081, but python3/7 listens on 127.0.0.1:8081 (all of 127.0.0.0/8 reaches this host, but a listener takes only the address it bound)');
  // This host's own address, a listener on loopback only: never "make the name resolve to 127.0.0.1".
  const own = diagnoseConnectError('ECONNREFUSED', { address: '10.0.0.5', port: 8081, route: local, listeners: [listener('127.0.0.1', 7)], resolved: { host: 'myhost', addresses: ['10.0.0.5'] } });
  assert.equal(own.summary, 'nothing listens on 10.0.0.5:8081, but python3/7 listens on 127.0.0.1:8081 (loopback only: it takes connections to 127.0.0.1 from this host, not to 10.0.0.5)');
  assert.deepEqual(own.nextSteps.slice(0, 2), ['connect to 127.0.0.1:8081 instead', 'or have the server listen on 10.0.0.5:8081 too, or on every address (0.0.0.0:8081)']);
  // A name that also resolves to another host's address: that is where the service is, not this host's listener.
  const away = diagnoseConnectError('ECONNREFUSED', { address: '::1', port: 8081, route: local, listeners: [listener('10.77.0.1', 7)], resolved: { host: 'svc', addresses: ['::1', '10.77.0.2'] }, hostAddresses: ['127.0.0.1', '::1', '10.77.0.1'] });
  assert.equal(away.summary, "nothing listens on [::1]:8081, an address of this host; svc also resolves to 10.77.0.2, not this host's, where the service presumably is (python3/7 listens on 10.77.0.1:8081 here, an address svc does not resolve to)");
  assert.ok(!away.nextSteps.some((s) => s.includes('10.77.0.1')), away.nextSteps.join('\n'));
  // Every address of the name this host's: the listener elsewhere is said as before.
  const allMine = diagnoseConnectError('ECONNREFUSED', { address: '::1', port: 8081, route: local, listeners: [listener('10.77.0.1', 7)], resolved: { host: 'svc', addresses: ['::1', '10.77.0.1'] }, hostAddresses: ['127.0.0.1', '::1', '10.77.0.1'] });
  assert.equal(allMine.nextSteps[0], 'connect to 10.77.0.1:8081 instead');
  const v6only = diagnoseConnectError('ECONNREFUSED', { address: '127.0.0.1', port: 8081, route: local, listeners: [listener('::', 7)] });
  assert.match(v6only.summary, /python3\/7 listens on \[::\]:8081, but for IPv6 only \(IPV6_V6ONLY=1/);
  const none = diagnoseConnectError('ECONNREFUSED', { address: '127.0.0.1', port: 8081, route: local, listeners: [] });
  assert.equal(none.summary, '127.0.0.1:8081 was refused (a TCP reset or an ICMP port unreachable): nothing listens there, nor on port 8081 at any other address of this host (with no listener the kernel resets; an ICMP port unreachable would be a REJECT rule here)');
  assert.ok(!none.nextSteps.some((s) => /firewall|tcp-reset/.test(s)));
  // A listener that takes the address yet the connect was refused: then a local firewall is the likely cause.
  const fw = diagnoseConnectError('ECONNREFUSED', { address: '127.0.0.1', port: 8081, route: local, listeners: [listener('0.0.0.0', 7)] });
  assert.match(fw.summary, /python3\/7 listens on 0\.0\.0\.0:8081, which takes this connection, yet it was refused: a REJECT rule on this host \(tcp-reset or ICMP port unreachable\)/);
  // Process names are the system's text: kept as they are here, escaped by the printers.
  const odd = diagnoseConnectError('ECONNREFUSED', { address: '127.0.0.2', port: 8081, route: local, listeners: [listener('127.0.0.1', 7, { owners: [{ pid: 7, name: 'x\x1b[2J' }] })] });
  assert.match(odd.summary, /x\x1b\[2J\/7/);
});

test('ECONNRESET from connect(): accepted, then reset by the server, with the owner when local; never keepalive advice', () => {
  const d = diagnoseConnectError('ECONNRESET', { address: '127.0.0.1', port: 8093, route: local, listeners: [listener('127.0.0.1', 99)] });
  assert.equal(d.category, 'reset');
  assert.match(d.summary, /^127\.0\.0\.1:8093 accepted the connection, then reset it \(python3\/99\) before anything was sent \(so no request was left unread\): an abortive close \(SO_LINGER \{1, 0\}\), a crash/);
  assert.match(d.causes[0], /^the server closed the connection while data it had received was still unread/);
  assert.ok(d.nextSteps[0].includes('strace -f -e trace=accept4,setsockopt,close -p 99'));
  assert.ok(!d.nextSteps.some((s) => /keepalive/i.test(s)));
  assert.ok(!d.causes.some((s) => /idle/i.test(s)), d.causes.join('\n'));
  assert.match(verdict('127.0.0.1', 8093, [{ address: '127.0.0.1', connected: false, diagnosis: d }]).summary, /^127\.0\.0\.1:8093 accepts connections, then resets them: accepted the connection/);
});

test('verdict: a reset during the exchange and a connection nobody accepted are not "accepts TCP connections"', () => {
  const reset = verdict('127.0.0.1', 8093, [{ address: '127.0.0.1', connected: true, connectMs: 1, reset: { sent: false, error: 'ECONNRESET: write ECONNRESET', by: 'python3/99', pid: 99 } }]);
  assert.equal(reset.ok, false);
  assert.match(reset.summary, /127\.0\.0\.1 reset the connection before the request could be sent \(python3\/99\)/);
  const queued = verdict('127.0.0.1', 8095, [{ address: '127.0.0.1', connected: true, connectMs: 1, notAccepted: { listener: '127.0.0.1:8095', pending: 2, backlog: 1, by: 'python3/5', pid: 5 } }]);
  assert.equal(queued.ok, false);
  assert.equal(queued.summary, '127.0.0.1:8095: the kernel completed the TCP handshake, but python3/5 has not accepted the connection (still queued half a second later): the listener 127.0.0.1:8095 has 2 waiting for accept() (Recv-Q 2, backlog 1)');
  assert.ok(queued.nextSteps[0].startsWith('python3/5 is not calling accept() on 127.0.0.1:8095'));
  assert.match(queued.nextSteps[1], /now over its backlog/);
});

test('the report: a failed write is not shown as sent; sockets closed by their program are apart; system text escaped', () => {
  const r: ProbeResult = {
    host: '127.0.0.1',
    port: 8093,
    timeoutMs: 3000,
    resolution: { addresses: ['127.0.0.1'], ms: 0 },
    addresses: [
      {
        address: '127.0.0.1',
        family: 4,
        route: { ...local, description: 'local address (delivered on lo)' },
        connect: { ok: true, ms: 0.9, local: '127.0.0.1:56736' },
        exchange: { sent: 'GET\n', received: '', error: 'ECONNRESET: write ECONNRESET', failedStep: 'write', ms: 1 },
        existing: { total: 0, states: {}, retransTotal: 0, timeWait: 0, closedByProgram: { FIN_WAIT2: 1 } },
      },
    ],
    verdict: { ok: false, summary: '127.0.0.1:8093 accepts TCP connections, but 127.0.0.1 reset the connection (x\x1b[2J/9)', nextSteps: ['look at x\x1b[2J/9'] },
  };
  const text = formatProbe(r);
  assert.match(text, /\n {2}sent: +nothing: the write failed \(ECONNRESET: write ECONNRESET\)\n/);
  assert.doesNotMatch(text, /"GET\\n"/);
  assert.match(text, /existing: no other open sockets from this host to it; 1 closed by their program still holds its local port: FIN_WAIT2 1 \(the server has not closed its end; /);
  assert.doesNotMatch(text, /\x1b/);
  assert.match(text, /Verdict: .*x\\x1b\[2J\/9\)\n/);
  // A reset after the request was written: the request is shown as sent.
  // (the step comes from exchange(): the write's callback, not the message text)
  r.addresses[0].exchange!.error = 'ECONNRESET: read ECONNRESET';
  r.addresses[0].exchange!.failedStep = 'read';
  assert.match(formatProbe(r), /\n {2}sent: +"GET\\n"\n/);
});
