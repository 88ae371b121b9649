// Review s24 (README examples) finding 2: a server that accepted 40 connections on 45000 (inside the ephemeral
// range), closed its listener and never closed the accepted sockets left 40 CLOSE_WAIT sockets that the rules
// grouped as 40 outgoing connections, one to each client's port: `analyze` said "CLOSE_WAIT count is normal",
// `analyze-states` "TIME_WAIT count is normal" and the plain table "Recommendations: none" (only `--port 45000`
// found it). CLOSE_WAIT sockets sharing such a local port are now that port's group (facts.ts
// regroupClosedServerPorts). A client's leaked connections, each from a local port of its own, stay grouped by
// the port they went to. Real sockets in a namespace of the test's own, the built bin/sockscope, every collector.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';
import { netnsWithHolder } from '../helpers/netns.js';

const BIN = new URL('../../bin/sockscope', import.meta.url).pathname;
const isRoot = process.getuid?.() === 0;

// 40 accepted on 45000, listener closed, clients closed (the server's copies in CLOSE_WAIT); and 12 clients of a
// listener on 46000 that closes each accepted copy at once, the clients never closing theirs (CLOSE_WAIT on the
// client side, peer port 46000).
const HOLDER = `
l = socket.socket(); l.bind(('127.0.0.1', 45000)); l.listen(64); keep = []
for i in range(40):
    c = socket.create_connection(('127.0.0.1', 45000)); a, _ = l.accept(); keep.append(a); c.close()
l.close()
s = socket.socket(); s.bind(('127.0.0.1', 46000)); s.listen(64)
for i in range(12):
    c = socket.create_connection(('127.0.0.1', 46000)); a, _ = s.accept(); a.close(); keep.append(c)
time.sleep(0.5)
`;

interface Rec {
  id: string;
  port?: number;
  peerPort?: number;
  message: string;
}

test('CLOSE_WAIT left on a closed listener\'s port inside the ephemeral range is found host-wide; a client\'s stays by peer port', { skip: isRoot ? false : 'needs root (ip netns)' }, async (t) => {
  const ns = `cwlc${process.pid}`;
  await netnsWithHolder(t, ns, HOLDER);
  const run = (...args: string[]) => {
    const r = spawnSync('ip', ['netns', 'exec', ns, BIN, ...args], { encoding: 'utf8', timeout: 60_000, env: { ...process.env, NO_COLOR: '1' } });
    assert.equal(r.status, 0, r.stderr);
    return r.stdout;
  };
  for (const source of ['netlink', 'ss', 'procfs']) {
    const doc = JSON.parse(run('analyze', '--json', '--source', source)) as { recommendations: Rec[] };
    const cw = doc.recommendations.filter((r) => r.id === 'close-wait-accumulating');
    const server = cw.find((r) => r.port === 45000);
    assert.ok(server, `${source}: no finding on port 45000: ${JSON.stringify(doc.recommendations, null, 1)}`);
    assert.match(server.message, /^40 sockets in CLOSE_WAIT on tcp port 45000: /, source);
    const client = cw.find((r) => r.peerPort === 46000);
    assert.ok(client, `${source}: the client's leak to port 46000: ${JSON.stringify(cw, null, 1)}`);
    assert.match(client.message, /^12 sockets in CLOSE_WAIT on outgoing tcp connections to port 46000: /, source);
    assert.equal(cw.length, 2, `${source}: ${JSON.stringify(cw, null, 1)}`);
    assert.ok(!doc.recommendations.some((r) => r.id === 'close-wait-ok'), source);
  }
  assert.match(run('analyze-states'), /^Recommendation: 40 sockets in CLOSE_WAIT on tcp port 45000: /m);
  const plain = run();
  assert.match(plain, /40 sockets in CLOSE_WAIT on tcp port 45000/, plain);
  // With --port 45000 the port is served whatever: the same 40, named by their holder.
  const scoped = JSON.parse(run('analyze', '--port', '45000', '--json')) as { recommendations: Rec[] };
  const one = scoped.recommendations.filter((r) => r.id === 'close-wait-accumulating');
  assert.equal(one.length, 1, JSON.stringify(one));
  assert.match(one[0].message, /^40 sockets in CLOSE_WAIT on tcp port 45000: python3 \(pid \d+\) does not close/);
});

// Review s24 (diff review) finding 1: Linux reuses a local port for connections to other destinations, so a
// client leaking its connections to one service holds several CLOSE_WAIT sockets on each of its few ports; the
// first regrouping moved them to made-up "server ports" 40000-40009 and said nothing of the service's port.
// Ten ephemeral ports (ip_local_port_range 40000 40009 in the namespace), 60 connections to 46000 on ten
// loopback addresses, the server closing each at once.
const REUSING_CLIENT = `
open('/proc/sys/net/ipv4/ip_local_port_range', 'w').write('40000 40009')
s = socket.socket(); s.bind(('0.0.0.0', 46000)); s.listen(128); keep = []
for i in range(60):
    c = socket.create_connection(('127.0.0.%d' % (1 + i % 10), 46000)); a, _ = s.accept(); a.close(); keep.append(c)
time.sleep(0.5)
assert len({c.getsockname()[1] for c in keep}) <= 10
`;

test('a client reusing its few local ports for a leaking service: one finding on the service\'s port, none on its own ports', { skip: isRoot ? false : 'needs root (ip netns)' }, async (t) => {
  const ns = `cwru${process.pid}`;
  await netnsWithHolder(t, ns, REUSING_CLIENT);
  for (const source of ['netlink', 'ss']) {
    const r = spawnSync('ip', ['netns', 'exec', ns, BIN, 'analyze', '--json', '--source', source], { encoding: 'utf8', timeout: 60_000 });
    assert.equal(r.status, 0, r.stderr);
    const cw = (JSON.parse(r.stdout) as { recommendations: Rec[] }).recommendations.filter((x) => x.id === 'close-wait-accumulating');
    assert.deepEqual(
      cw.map((x) => [x.port, x.peerPort, x.message.replace(/:.*/, '')]),
      [[undefined, 46000, '60 sockets in CLOSE_WAIT on outgoing tcp connections to port 46000']],
      `${source}: ${JSON.stringify(cw, null, 1)}`,
    );
  }
});

// Diff review s24 (batch 2) finding 2: a client leaking one connection to each of 30 local services, all from the
// one local port Linux reused for them (ip_local_port_range 40000 40001), was "30 sockets in CLOSE_WAIT on tcp
// port 40000", a port nothing served. A connection to a port this host listens on is a client's.
const ONE_PORT_MANY_SERVICES = `
open('/proc/sys/net/ipv4/ip_local_port_range', 'w').write('40000 40001')
keep = []
for p in range(46001, 46031):
    l = socket.socket(); l.bind(('127.0.0.1', p)); l.listen(4)
    c = socket.create_connection(('127.0.0.1', p)); a, _ = l.accept(); a.close(); keep += [l, c]
time.sleep(0.5)
assert len({c.getsockname()[1] for c in keep[1::2]}) <= 2
`;

test('a client whose one reused local port leaks a connection to each of 30 local services: no finding on its own port', { skip: isRoot ? false : 'needs root (ip netns)' }, async (t) => {
  const ns = `cwms${process.pid}`;
  await netnsWithHolder(t, ns, ONE_PORT_MANY_SERVICES);
  const r = spawnSync('ip', ['netns', 'exec', ns, BIN, 'analyze', '--json'], { encoding: 'utf8', timeout: 60_000 });
  assert.equal(r.status, 0, r.stderr);
  const cw = (JSON.parse(r.stdout) as { recommendations: Rec[] }).recommendations.filter((x) => x.id === 'close-wait-accumulating');
  assert.deepEqual(cw, [], JSON.stringify(cw, null, 1));
});
