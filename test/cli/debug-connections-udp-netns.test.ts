// `debug-connections --udp` to another host: two network namespaces joined by a veth pair, created and deleted by
// the test. In B, a UDP echo on 10.77.0.2:5300 and a socket on :5302 that never answers; nothing on :5301.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { sockscope } from '../collect/getsockopt-helpers.js';
import { createNetns, deleteNetns, netnsHolder } from '../helpers/netns.js';

const ECHO = `
import threading
e = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
e.bind(('10.77.0.2', 5300))
def serve():
    while True:
        d, p = e.recvfrom(65535)
        e.sendto(b'PONG ' + d, p)
threading.Thread(target=serve, daemon=True).start()
q = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
q.bind(('10.77.0.2', 5302))`;

test('debug-connections --udp to another host: a reply, an ICMP port unreachable, and silence that is not called success; a TCP probe names this host\'s UDP clients of the port', { timeout: 90_000 }, async (t) => {
  const a = `sockscope-udpa-${process.pid}`;
  const b = `sockscope-udpb-${process.pid}`;
  t.after(() => {
    deleteNetns(a);
    deleteNetns(b);
  });
  createNetns(a);
  createNetns(b);
  for (const args of [
    ['-n', a, 'link', 'add', 'va', 'type', 'veth', 'peer', 'name', 'vb', 'netns', b],
    ['-n', a, 'addr', 'add', '10.77.0.1/24', 'dev', 'va'],
    ['-n', a, 'link', 'set', 'va', 'up'],
    ['-n', b, 'addr', 'add', '10.77.0.2/24', 'dev', 'vb'],
    ['-n', b, 'link', 'set', 'vb', 'up'],
  ]) {
    const r = spawnSync('ip', args, { encoding: 'utf8' });
    assert.equal(r.status, 0, `ip ${args.join(' ')}: ${r.stderr}`);
  }
  const holder = await netnsHolder(b, ECHO);
  t.after(() => holder.kill('SIGKILL'));
  const echo = JSON.parse(sockscope(['debug-connections', '--udp', '--address', '10.77.0.2:5300', '--send', 'hi', '--expect', 'PONG', '--timeout', '2s', '--json'], { netns: a }).stdout);
  assert.equal(echo.verdict.ok, true, echo.verdict.summary);
  assert.equal(echo.addresses[0].datagram.reply, 'PONG hi');
  assert.equal(echo.addresses[0].datagram.udpSockets, undefined, 'another host: its sockets are not read');
  const closed = JSON.parse(sockscope(['debug-connections', '--udp', '--address', '10.77.0.2:5301', '--timeout', '2s', '--json'], { netns: a }).stdout);
  assert.equal(closed.addresses[0].datagram.errno, 'ECONNREFUSED');
  assert.match(closed.verdict.summary, /an ICMP port unreachable came back: nothing receives on UDP port 5301 there, or a firewall rejects it/);
  const silent = JSON.parse(sockscope(['debug-connections', '--udp', '--address', '10.77.0.2:5302', '--send', 'hi', '--timeout', '500ms', '--json'], { netns: a }).stdout);
  assert.equal(silent.verdict.ok, false);
  assert.equal(silent.addresses[0].datagram.ok, true, 'sent, and no error came back');
  assert.match(silent.verdict.summary, /no reply and no ICMP error within 500 ms: UDP gives no delivery confirmation/);
  // Without --udp, a refused TCP connect to a port this host's UDP clients talk to says so (review-udp #8).
  const client = await netnsHolder(a, `c = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)\nc.connect(('10.77.0.2', 5302))`);
  t.after(() => client.kill('SIGKILL'));
  const tcp = JSON.parse(sockscope(['debug-connections', '--address', '10.77.0.2:5302', '--timeout', '2s', '--json'], { netns: a }).stdout);
  assert.equal(tcp.addresses[0].connect.errno, 'ECONNREFUSED');
  assert.equal(tcp.addresses[0].existing.udpConnected, 1);
  assert.match(tcp.verdict.summary, /1 UDP socket\(s\) on this host are connected to 10\.77\.0\.2:5302: if the service is UDP, a TCP connect does not test it/);
  assert.ok(tcp.verdict.nextSteps.includes('sockscope debug-connections --udp --address 10.77.0.2:5302   (test it as UDP)'));
});
