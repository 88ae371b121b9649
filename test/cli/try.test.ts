// `sockscope try`: real bind/listen/connect/sendto on loopback, interpreted with the host's state.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { compileFixture, sockscope, sockscopeAsync, startKnownOptions } from '../collect/getsockopt-helpers.js';
import { openScenario } from '../helpers/scenario.js';

/** Leaves TIME_WAIT sockets (and no listener) on a fresh port; `reuse`: the original listener set SO_REUSEADDR. */
function timeWaitPort(reuse: boolean): number {
  const { exe, cleanup } = compileFixture('make-time-wait.c');
  try {
    const r = spawnSync(exe, [reuse ? '1' : '0', '3'], { encoding: 'utf8', timeout: 10_000 });
    assert.equal(r.status, 0, r.stderr);
    return Number(r.stdout.trim());
  } finally {
    cleanup();
  }
}

async function freePort(): Promise<number> {
  const s: Server = createServer();
  await new Promise<void>((res) => s.listen(0, '127.0.0.1', res));
  const port = (s.address() as { port: number }).port;
  await new Promise((res) => s.close(res));
  return port;
}

test('try bind on a port held by a listener names the process and its state', { timeout: 60_000 }, async (t) => {
  const p = await startKnownOptions();
  t.after(() => p.stop());
  const port = p.sockets['tcp4-listener'].port;
  const r = sockscope(['try', 'bind', `127.0.0.1:${port}`]);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /FAIL bind\(127\.0\.0\.1:\d+\) -> EADDRINUSE/);
  assert.match(r.stdout, new RegExp(`port ${port} is held by pid ${p.pid} \\(known-options\\), LISTEN on 127\\.0\\.0\\.1:${port}`));
  const j = JSON.parse(sockscope(['try', 'bind', `127.0.0.1:${port}`, '--json']).stdout);
  assert.equal(j.call.errno, 'EADDRINUSE');
  assert.equal(j.context.holders[0].processes[0].pid, p.pid);
  assert.equal(j.interpretation.ok, false);
  // --udp binds a datagram socket: the fixture's bound UDP socket holds that port.
  const u = p.sockets.udp4.port;
  const udp = JSON.parse(sockscope(['try', 'bind', `127.0.0.1:${u}`, '--udp', '--json']).stdout);
  assert.equal(udp.call.errno, 'EADDRINUSE');
  assert.match(udp.interpretation.summary, new RegExp(`UDP port ${u} is held by pid ${p.pid} \\(known-options\\), bound on 127\\.0\\.0\\.1:${u}`));
});

test('try bind on a port with only TIME_WAIT sockets: fails without --reuseaddr, succeeds with it', { timeout: 60_000 }, () => {
  const port = timeWaitPort(true);
  const without = JSON.parse(sockscope(['try', 'bind', `127.0.0.1:${port}`, '--json']).stdout);
  assert.equal(without.call.errno, 'EADDRINUSE');
  // At least our 3 (a busy loopback, e.g. a benchmark running beside the tests, may add TIME_WAIT sockets that reuse the port).
  assert.ok(without.context.holders.filter((h: { state: string }) => h.state === 'TIME_WAIT').length >= 3);
  assert.equal(without.context.reuseaddrWouldWork, true);
  assert.match(without.interpretation.summary, /only \d+ TIME_WAIT socket\(s\).*SO_REUSEADDR \(--reuseaddr\) lets this bind through \(checked/);
  const withReuse = sockscope(['try', 'bind', `127.0.0.1:${port}`, '--reuseaddr']);
  assert.equal(withReuse.status, 0, withReuse.stderr);
  assert.match(withReuse.stdout, /ok +setsockopt\(SO_REUSEADDR, 1\)/);
  assert.match(withReuse.stdout, /Result: bind on 127\.0\.0\.1:\d+ succeeded/);
  assert.match(withReuse.stdout, /\d+ TIME_WAIT socket\(s\) on port \d+: SO_REUSEADDR let bind\(\) through/);
});

test('TIME_WAIT left by a socket without SO_REUSEADDR blocks even --reuseaddr, and try says why', { timeout: 60_000 }, () => {
  const port = timeWaitPort(false);
  const r = JSON.parse(sockscope(['try', 'bind', `127.0.0.1:${port}`, '--reuseaddr', '--json']).stdout);
  assert.equal(r.call.errno, 'EADDRINUSE');
  assert.match(r.interpretation.summary, /did not set SO_REUSEADDR \(Linux requires it on both sides\)/);
  const plain = JSON.parse(sockscope(['try', 'bind', `127.0.0.1:${port}`, '--json']).stdout);
  assert.equal(plain.context.reuseaddrWouldWork, false);
  assert.match(plain.interpretation.summary, /SO_REUSEADDR would NOT help/);
});

test('try listen with a backlog above somaxconn reports the effective backlog read back from the kernel', { timeout: 30_000 }, () => {
  const somaxconn = Number(readFileSync('/proc/sys/net/core/somaxconn', 'utf8'));
  const asked = somaxconn + 1000;
  const r = JSON.parse(sockscope(['try', 'listen', '127.0.0.1:0', '--backlog', String(asked), '--json']).stdout);
  assert.equal(r.call.ok, true);
  assert.equal(r.context.backlogRequested, asked);
  assert.equal(r.context.backlogEffective, somaxconn);
  assert.match(r.interpretation.summary, new RegExp(`backlog was cut from ${asked} to ${somaxconn} by net.core.somaxconn`));
  const small = JSON.parse(sockscope(['try', 'listen', '127.0.0.1:0', '--backlog', '7', '--json']).stdout);
  assert.equal(small.context.backlogEffective, 7);
});

test('try connect and sendto to a closed port, and connect to a listener', { timeout: 30_000 }, async (t) => {
  const closed = await freePort();
  const refused = JSON.parse(sockscope(['try', 'connect', `127.0.0.1:${closed}`, '--json']).stdout);
  assert.equal(refused.call.errno, 'ECONNREFUSED');
  // Nothing queued on the socket's error queue (IP_RECVERR): the kernel's reset.
  assert.equal(refused.call.icmp, null);
  assert.match(refused.interpretation.summary, /answered with a TCP reset \(no ICMP error came back\): nothing listens there/);
  const udp = JSON.parse(sockscope(['try', 'sendto', `127.0.0.1:${closed}`, '--json']).stdout);
  assert.equal(udp.call.errno, 'ECONNREFUSED');
  assert.match(udp.interpretation.summary, /ICMP port unreachable/);
  const srv = createServer((c) => c.destroy());
  await new Promise<void>((res) => srv.listen(0, '::1', res));
  t.after(() => srv.close());
  const port = (srv.address() as { port: number }).port;
  const ok = sockscope(['try', 'connect', `[::1]:${port}`]);
  assert.equal(ok.status, 0, ok.stderr);
  assert.match(ok.stdout, /ok +socket\(AF_INET6, SOCK_STREAM\|SOCK_NONBLOCK, 0\)/);
  assert.match(ok.stdout, /Result: connect to \[::1\]:\d+ succeeded/);
});

test('try as an unprivileged user: privileged ports are explained', { timeout: 30_000 }, () => {
  const start = Number(readFileSync('/proc/sys/net/ipv4/ip_unprivileged_port_start', 'utf8'));
  assert.ok(start > 1, 'ip_unprivileged_port_start must be above 1 for this test');
  const r = sockscope(['try', 'bind', `127.0.0.1:${start - 1}`, '--json'], { uid: 65534 });
  assert.equal(r.status, 0, r.stderr);
  const j = JSON.parse(r.stdout);
  assert.equal(j.call.errno, 'EACCES');
  assert.match(j.interpretation.summary, new RegExp(`port ${start - 1} is privileged: ports below net.ipv4.ip_unprivileged_port_start=${start} need root or CAP_NET_BIND_SERVICE`));
  assert.ok(j.interpretation.nextSteps.some((s: string) => s.includes('setcap cap_net_bind_service')));
});

test('try: bad input exits 2', () => {
  for (const args of [
    ['try', 'bind', 'localhost:80'],
    ['try', 'bind', '::1:80'],
    ['try', 'connect', '127.0.0.1:0'],
    ['try', 'frobnicate', '127.0.0.1:80'],
    ['try', 'connect', '127.0.0.1:80', '--backlog', '5'],
    ['try', 'connect', '127.0.0.1:80', '--timeout', 'soon'],
    ['try', 'listen', '127.0.0.1:80', '--udp'],
  ]) {
    const r = sockscope(args);
    assert.equal(r.status, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
  }
});

test('try: the port range is 0-65535 for bind/listen (0: the kernel picks), 1-65535 for connect/sendto, and the message says which', { timeout: 30_000 }, () => {
  const cases: [string[], RegExp][] = [
    [['try', 'bind', '127.0.0.1:70000'], /^sockscope: ADDRESS: port must be 0-65535 for bind \(0: the kernel picks a free port\), got '70000'\n$/],
    [['try', 'listen', '[::1]:65536'], /^sockscope: ADDRESS: port must be 0-65535 for listen \(0: the kernel picks a free port\), got '65536'\n$/],
    [['try', 'connect', '127.0.0.1:0'], /^sockscope: ADDRESS: port must be 1-65535 for connect \(the server's port; nothing listens on port 0\), got '0'\n$/],
    [['try', 'sendto', '127.0.0.1:0'], /^sockscope: ADDRESS: port must be 1-65535 for sendto \(the destination's port; nothing receives on port 0\), got '0'\n$/],
  ];
  for (const [args, want] of cases) {
    const r = sockscope(args);
    assert.equal(r.status, 2, `${args.join(' ')}: ${r.stdout}`);
    assert.match(r.stderr, want);
  }
  for (const op of ['bind', 'listen']) {
    const ok = JSON.parse(sockscope(['try', op, '127.0.0.1:0', '--json']).stdout);
    assert.equal(ok.call.ok, true, op);
    assert.match(ok.call.local, /^127\.0\.0\.1:[1-9]\d*$/, `${op}: the kernel chose a port`);
  }
  const udp = JSON.parse(sockscope(['try', 'bind', '127.0.0.1:0', '--udp', '--json']).stdout);
  assert.equal(udp.call.ok, true);
});

test('try bind/connect to a link-local address without a scope id: EINVAL explained, with the %IFACE form', { timeout: 30_000 }, () => {
  for (const op of ['bind', 'connect']) {
    // --timeout only where it applies (bind does not wait: refused with it since 9cd8a93).
    const r = sockscope(['try', op, '[fe80::1]:41000', ...(op === 'connect' ? ['--timeout', '1s'] : [])]);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /-> EINVAL/);
    // The interface is this host's (try-link-local-iface-netns checks which): never a hard-coded eth0.
    assert.match(r.stdout, new RegExp(`^Failed: fe80::1 is an IPv6 link-local address \\(fe80::/10\\): ${op} needs its scope id, the interface it belongs to, as in \\[fe80::1%[^\\]]+\\]:41000`, 'm'));
    assert.match(r.stdout, new RegExp(`sockscope try ${op} '\\[fe80::1%[^\\]]+\\]:41000'`));
  }
});

test('try bind/listen on a zoned link-local address ([fe80::1%d0]) passes the zone to the kernel as sin6_scope_id', { timeout: 60_000 }, () => {
  assert.equal(process.getuid?.(), 0, 'creating a network namespace needs root (as in CI)');
  const ns = `sockscope-zone-${process.pid}`;
  const add = spawnSync('ip', ['netns', 'add', ns], { encoding: 'utf8' });
  assert.equal(add.error, undefined, 'ip (iproute2) is required');
  assert.equal(add.status, 0, add.stderr);
  try {
    const ip = (...a: string[]) => assert.equal(spawnSync('ip', ['-n', ns, ...a], { encoding: 'utf8' }).status, 0, `ip ${a.join(' ')}`);
    ip('link', 'set', 'lo', 'up');
    ip('link', 'add', 'd0', 'type', 'veth', 'peer', 'name', 'd1'); // interfaces that exist only in this namespace
    ip('link', 'set', 'd0', 'up');
    ip('link', 'set', 'd1', 'up');
    ip('addr', 'add', 'fe80::1/64', 'dev', 'd0', 'nodad');
    const index = Number(spawnSync('ip', ['netns', 'exec', ns, 'cat', '/sys/class/net/d0/ifindex'], { encoding: 'utf8' }).stdout.trim());
    for (const zone of ['d0', String(index)]) {
      const r = sockscope(['try', 'bind', `[fe80::1%${zone}]:0`, '--json'], { netns: ns });
      assert.equal(r.status, 0, r.stderr);
      const j = JSON.parse(r.stdout);
      assert.equal(j.call.ok, true, `bind with zone ${zone}: ${JSON.stringify(j.call.steps)}`);
      assert.match(j.call.local, /^\[fe80::1\]:\d+$/);
    }
    const l = sockscope(['try', 'listen', '[fe80::1%d0]:0'], { netns: ns });
    assert.equal(l.status, 0, l.stderr);
    assert.match(l.stdout, /^ok +listen\(511\)$/m);
    // Without a zone the kernel cannot tell the link: EINVAL, as before.
    assert.match(sockscope(['try', 'bind', '[fe80::1]:0'], { netns: ns }).stdout, /EINVAL/);
    // A zone that names no interface is bad input.
    const bad = sockscope(['try', 'bind', '[fe80::1%nosuch0]:0'], { netns: ns });
    assert.equal(bad.status, 2, bad.stdout);
    assert.match(bad.stderr, /ADDRESS: .*nosuch0/);
  } finally {
    spawnSync('ip', ['netns', 'delete', ns]);
  }
  assert.ok(!spawnSync('ip', ['netns', 'list'], { encoding: 'utf8' }).stdout.includes(ns), 'namespace deleted');
});

test('try connect to a local listener whose accept queue is full says so', { timeout: 60_000 }, async (t) => {
  const sc = await openScenario({ acceptBacklog: 1, acceptClients: 2, noIpv6: true });
  t.after(() => sc.close());
  const a = sc.acceptQueue;
  const r = await sockscopeAsync(['try', 'connect', `127.0.0.1:${a.port}`, '--timeout', '700ms', '--json']);
  assert.equal(r.status, 0, r.stderr);
  const j = JSON.parse(r.stdout);
  assert.equal(j.call.errno, 'ETIMEDOUT');
  assert.match(j.interpretation.summary, new RegExp(`accept queue of the listener 127\\.0\\.0\\.1:${a.port} on this host is full \\(2 waiting for accept\\(\\), backlog 1\\)`));
  assert.doesNotMatch(j.interpretation.summary, /firewall/);
});

test('try sendto to a bound local UDP socket names its process (as root it is visible, not hidden)', { timeout: 60_000 }, async (t) => {
  const p = await startKnownOptions();
  t.after(() => p.stop());
  const port = p.sockets.udp4.port;
  const r = sockscope(['try', 'sendto', `127.0.0.1:${port}`, '--timeout', '300ms']);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, new RegExp(`the datagram was queued for known-options/${p.pid} on 127\\.0\\.0\\.1:${port}: no drop counter rose`));
  assert.doesNotMatch(r.stdout, /not visible/);
});

test('try connect NAME when the resolver does not answer is a runtime failure (exit 1), not bad input', { timeout: 60_000 }, async () => {
  assert.equal(process.getuid?.(), 0, 'creating a network namespace needs root (as in CI)');
  const ns = `sockscope-trydns-${process.pid}`;
  const add = spawnSync('ip', ['netns', 'add', ns], { encoding: 'utf8' });
  assert.equal(add.error, undefined, 'ip (iproute2) is required');
  assert.equal(add.status, 0, add.stderr);
  try {
    // A namespace with only lo, down: every nameserver is unreachable, so getaddrinfo says EAI_AGAIN at once.
    const r = spawnSync('ip', ['netns', 'exec', ns, process.execPath, 'bin/sockscope', 'try', 'connect', 'no-answer.sockscope.test:80'], { encoding: 'utf8', timeout: 30_000, env: { ...process.env, RES_OPTIONS: 'timeout:1 attempts:1' } });
    assert.equal(r.error, undefined);
    assert.equal(r.status, 1, r.stderr);
    assert.match(r.stderr, /^sockscope: .*'no-answer\.sockscope\.test' could not be resolved now \(EAI_AGAIN\)/);
  } finally {
    spawnSync('ip', ['netns', 'delete', ns]);
  }
});
